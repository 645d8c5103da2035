//! The merged parameter set of one request.
//!
//! Parameters arrive in the query string, in a form body, or in the text and file parts of a
//! multipart body; [`Params`] holds all of them, text parameters sorted by name (the order the
//! signature and the `args` echo need) and file parameters apart.
//!
//! Decisions (PROTOCOL.md section 1 leaves them open):
//! - **Duplicate names.** A name sent twice with the *same* value is one parameter (some clients
//!   repeat system parameters in the query and the body). Sent twice with *different* values it
//!   is refused ([`ParamError::Conflict`], code 43): taking either value silently would let the
//!   signature cover one value and the business call use another.
//! - **Empty values** are kept as present-but-empty, so the signature can be checked under both
//!   SDK conventions. For "is it there?" checks, [`Params::get`] returns them as they are and
//!   [`Params::non_empty`] treats an empty value as absent (`method=` is code 21, not 22).
//! - **Non-UTF-8** bytes after percent-decoding, in a name or a value: [`ParamError::Encoding`]
//!   (code 47). Invalid percent escapes (`%zz`, a lone `%`): [`ParamError::Escape`] (code 43).
//! - `+` decodes to a space in query strings and form bodies, as both kinds of client expect.

use std::borrow::Cow;

use bytes::Bytes;

/// A file parameter of a multipart body. Never signed; echoed in `args` as name and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileParam {
    pub name: String,
    pub filename: String,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// Why a parameter set could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("invalid percent-encoding at byte {offset}")]
    Escape { offset: usize },
    #[error("parameter {name:?} is not valid UTF-8 (byte {offset})")]
    Encoding { name: String, offset: usize },
    #[error("parameter {name:?} was sent twice with different values")]
    Conflict { name: String },
}

/// The merged, name-sorted parameters of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    text: Vec<(String, String)>,
    files: Vec<FileParam>,
}

/// Names of the system parameters (PROTOCOL.md section 1); everything else is a business parameter.
pub const SYSTEM_PARAMS: &[&str] = &[
    "app_key",
    "format",
    "method",
    "partner_id",
    "session",
    "sign",
    "sign_method",
    "simplify",
    "target_app_key",
    "timestamp",
    "v",
];

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes an `application/x-www-form-urlencoded` string (query or body) into a new set.
    pub fn from_urlencoded(input: &[u8]) -> Result<Self, ParamError> {
        let mut params = Params::new();
        params.extend_urlencoded(input)?;
        Ok(params)
    }

    /// Adds the pairs of an urlencoded string (query or body) to this set.
    pub fn extend_urlencoded(&mut self, input: &[u8]) -> Result<(), ParamError> {
        let mut start = 0;
        for piece in input.split(|&b| b == b'&') {
            let offset = start;
            start += piece.len() + 1;
            if piece.is_empty() {
                continue;
            }
            let (raw_name, raw_value) = match piece.iter().position(|&b| b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &[][..]),
            };
            let name = decode_component(raw_name, offset)?;
            let value = decode_component(raw_value, offset + raw_name.len() + 1)?;
            let name = into_utf8(name, None, offset)?;
            let value = into_utf8(value, Some(&name), offset)?;
            if name.is_empty() {
                continue;
            }
            self.insert(name, value)?;
        }
        Ok(())
    }

    /// Adds one text parameter (duplicates: see the module docs).
    pub fn insert(&mut self, name: String, value: String) -> Result<(), ParamError> {
        match self.text.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
            Ok(i) if self.text[i].1 == value => Ok(()),
            Ok(_) => Err(ParamError::Conflict { name }),
            Err(i) => {
                self.text.insert(i, (name, value));
                Ok(())
            }
        }
    }

    /// Adds a text parameter whose raw bytes came from a multipart part.
    pub fn insert_bytes(&mut self, name: &str, value: Vec<u8>) -> Result<(), ParamError> {
        let value = into_utf8(value, Some(name), 0)?;
        self.insert(name.to_owned(), value)
    }

    /// Adds a file parameter. A file and a text parameter of one name conflict.
    pub fn insert_file(&mut self, file: FileParam) -> Result<(), ParamError> {
        if self.get(&file.name).is_some() || self.files.iter().any(|f| f.name == file.name) {
            return Err(ParamError::Conflict { name: file.name });
        }
        self.files.push(file);
        Ok(())
    }

    /// The value of a text parameter, empty or not.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.text
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.text[i].1.as_str())
    }

    /// The value of a text parameter, with an empty value counted as absent.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    pub fn file(&self, name: &str) -> Option<&FileParam> {
        self.files.iter().find(|f| f.name == name)
    }

    /// Whether a parameter of this name was sent at all, as text or file.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some() || self.file(name).is_some()
    }

    /// Text parameters sorted by name (byte order).
    pub fn text(&self) -> &[(String, String)] {
        &self.text
    }

    pub fn files(&self) -> &[FileParam] {
        &self.files
    }

    /// Business parameters: every text parameter that is not a system parameter.
    pub fn business(&self) -> impl Iterator<Item = (&str, &str)> {
        self.text
            .iter()
            .filter(|(n, _)| !is_system(n))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.text.len() + self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn method(&self) -> Option<&str> {
        self.non_empty("method")
    }
    pub fn app_key(&self) -> Option<&str> {
        self.non_empty("app_key")
    }
    pub fn session(&self) -> Option<&str> {
        self.non_empty("session")
    }
    pub fn sign(&self) -> Option<&str> {
        self.non_empty("sign")
    }
    pub fn sign_method(&self) -> Option<&str> {
        self.non_empty("sign_method")
    }
    pub fn timestamp(&self) -> Option<&str> {
        self.non_empty("timestamp")
    }
    pub fn version(&self) -> Option<&str> {
        self.non_empty("v")
    }
    pub fn format(&self) -> Option<&str> {
        self.non_empty("format")
    }
    pub fn partner_id(&self) -> Option<&str> {
        self.non_empty("partner_id")
    }
    /// `simplify=true` (any case); anything else is false.
    pub fn simplify(&self) -> bool {
        self.get("simplify")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The parameters as the `args` echo shows them: sorted, `session` masked, files as name and
    /// size (`a.png (1024 bytes)`), `sign` kept (the ISV needs to compare it).
    pub fn echo(&self) -> Vec<(String, String)> {
        self.echo_borrowed()
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v.into_owned()))
            .collect()
    }

    /// [`Params::echo`] without copying: names and values borrowed, only the masked session and
    /// the file descriptions made (what the archive packs on every call).
    pub fn echo_borrowed(&self) -> Vec<(&str, Cow<'_, str>)> {
        let mut out: Vec<(&str, Cow<'_, str>)> =
            Vec::with_capacity(self.text.len() + self.files.len());
        out.extend(self.text.iter().map(|(n, v)| {
            let shown = if n == "session" {
                Cow::Owned(mask_secret(v))
            } else {
                Cow::Borrowed(v.as_str())
            };
            (n.as_str(), shown)
        }));
        if !self.files.is_empty() {
            out.extend(self.files.iter().map(|f| {
                let shown = format!("{} ({} bytes)", f.filename, f.data.len());
                (f.name.as_str(), Cow::Owned(shown))
            }));
            out.sort_by(|a, b| a.0.cmp(b.0));
        }
        out
    }
}

/// Whether `name` is a system parameter.
pub fn is_system(name: &str) -> bool {
    SYSTEM_PARAMS.binary_search(&name).is_ok()
}

/// Masks a secret value for display: the first 4 and the last 2 characters stay when it is long
/// enough to identify without revealing (`6100e...a9`), otherwise `***`.
pub fn mask_secret(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        return "***".to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}***{tail}")
}

/// Percent-decodes one name or value, `+` as space, strictly: a `%` must be followed by two hex
/// digits. `base` is the component's offset in the whole input, for the error position.
fn decode_component(raw: &[u8], base: usize) -> Result<Vec<u8>, ParamError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).and_then(|&b| hex_val(b));
                let lo = raw.get(i + 2).and_then(|&b| hex_val(b));
                match (hi, lo) {
                    (Some(h), Some(l)) => out.push(h << 4 | l),
                    _ => return Err(ParamError::Escape { offset: base + i }),
                }
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

fn into_utf8(bytes: Vec<u8>, name: Option<&str>, base: usize) -> Result<String, ParamError> {
    String::from_utf8(bytes).map_err(|e| ParamError::Encoding {
        name: name.unwrap_or("").to_owned(),
        offset: base + e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_plus_and_percent() {
        let p = Params::from_urlencoded(b"b=x+y&a=%E4%B8%AD%20z&c=").unwrap();
        assert_eq!(
            p.text(),
            &[
                ("a".into(), "中 z".into()),
                ("b".into(), "x y".into()),
                ("c".into(), "".into())
            ]
        );
        assert_eq!(p.non_empty("c"), None);
        assert_eq!(p.get("c"), Some(""));
    }

    #[test]
    fn bad_escape_and_utf8() {
        assert_eq!(
            Params::from_urlencoded(b"a=1&b=%zz"),
            Err(ParamError::Escape { offset: 6 })
        );
        assert_eq!(
            Params::from_urlencoded(b"a=%4"),
            Err(ParamError::Escape { offset: 2 })
        );
        assert!(matches!(
            Params::from_urlencoded(b"name=%FF%FE"),
            Err(ParamError::Encoding { name, .. }) if name == "name"
        ));
    }

    #[test]
    fn duplicates() {
        let mut p = Params::from_urlencoded(b"method=a&method=a").unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            p.extend_urlencoded(b"method=b"),
            Err(ParamError::Conflict {
                name: "method".into()
            })
        );
    }

    #[test]
    fn echo_masks_session_and_sizes_files() {
        let mut p = Params::from_urlencoded(b"session=6100e23b5fa1c9d8a9&app_key=1").unwrap();
        p.insert_file(FileParam {
            name: "image".into(),
            filename: "a.png".into(),
            content_type: None,
            data: Bytes::from_static(b"12345"),
        })
        .unwrap();
        assert_eq!(
            p.echo(),
            vec![
                ("app_key".into(), "1".into()),
                ("image".into(), "a.png (5 bytes)".into()),
                ("session".into(), "6100***a9".into()),
            ]
        );
    }

    #[test]
    fn system_params_sorted() {
        let mut s = SYSTEM_PARAMS.to_vec();
        s.sort();
        assert_eq!(s, SYSTEM_PARAMS);
    }
}

//! From an HTTP request to a parameter set (PROTOCOL.md section 1).
//!
//! Parameters are merged from the query string, an `application/x-www-form-urlencoded` body and
//! the parts of a `multipart/form-data` body. Multipart parsing is lenient: `form-data` or `file`
//! dispositions, headers with or without spaces, any part order. A body without a
//! `Content-Type` is read as a form body when it is not empty (some clients forget the header);
//! a body of another type is not read for parameters.
//!
//! The response form is decided before anything else, from the raw query string and form body
//! with a forgiving scan ([`early_form`]), so that even a request whose body cannot be parsed is
//! answered in the format it asked for: topgate itself never causes the seed's format mismatch.

use bytes::Bytes;
use topgate_protocol::params::{FileParam, ParamError, Params};
use topgate_protocol::render::{Format, ResponseForm, Version};

/// The parts of an HTTP request the pipeline reads.
#[derive(Debug, Clone)]
pub struct Inbound {
    pub method: http::Method,
    pub query: Option<String>,
    pub content_type: Option<String>,
    pub body: Bytes,
}

/// Why a request could not be turned into parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeFailure {
    /// A file part on a method other than POST (code 9).
    FileNotOnPost,
    /// Percent-encoding, duplicates or multipart framing (code 43).
    Malformed(String),
    /// Not UTF-8 after decoding (code 47).
    Encoding(String),
}

impl From<ParamError> for DecodeFailure {
    fn from(e: ParamError) -> Self {
        match e {
            ParamError::Encoding { .. } => DecodeFailure::Encoding(e.to_string()),
            other => DecodeFailure::Malformed(other.to_string()),
        }
    }
}

enum BodyKind {
    None,
    Form,
    Multipart(String),
    Other,
}

fn body_kind(content_type: Option<&str>, body: &[u8]) -> BodyKind {
    let Some(ct) = content_type.map(str::trim).filter(|c| !c.is_empty()) else {
        return if body.is_empty() {
            BodyKind::None
        } else {
            BodyKind::Form
        };
    };
    let lower = ct.to_ascii_lowercase();
    if lower.starts_with("application/x-www-form-urlencoded") {
        BodyKind::Form
    } else if lower.starts_with("multipart/form-data") {
        match multer::parse_boundary(ct) {
            Ok(b) => BodyKind::Multipart(b),
            Err(_) => BodyKind::Multipart(String::new()),
        }
    } else {
        BodyKind::Other
    }
}

/// Decodes every parameter of the request.
pub async fn decode(inbound: &Inbound) -> Result<Params, DecodeFailure> {
    let mut params = Params::new();
    if let Some(q) = &inbound.query {
        params.extend_urlencoded(q.as_bytes())?;
    }
    match body_kind(inbound.content_type.as_deref(), &inbound.body) {
        BodyKind::None | BodyKind::Other => {}
        BodyKind::Form => params.extend_urlencoded(&inbound.body)?,
        BodyKind::Multipart(boundary) => {
            if boundary.is_empty() {
                return Err(DecodeFailure::Malformed(
                    "multipart/form-data without a boundary".into(),
                ));
            }
            decode_multipart(inbound, boundary, &mut params).await?;
        }
    }
    Ok(params)
}

async fn decode_multipart(
    inbound: &Inbound,
    boundary: String,
    params: &mut Params,
) -> Result<(), DecodeFailure> {
    let body = inbound.body.clone();
    let stream = futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let malformed = |e: multer::Error| DecodeFailure::Malformed(format!("multipart body: {e}"));
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|m| m.to_string());
        let data = field.bytes().await.map_err(malformed)?;
        match filename {
            Some(filename) => {
                if inbound.method != http::Method::POST {
                    return Err(DecodeFailure::FileNotOnPost);
                }
                params.insert_file(FileParam {
                    name,
                    filename,
                    content_type,
                    data,
                })?;
            }
            None => params.insert_bytes(&name, data.to_vec())?,
        }
    }
    Ok(())
}

/// The response form a request asked for, read forgivingly from the raw query string and, for
/// form bodies, the body: `format`, `v` and `simplify`. XML v2 when it cannot be known.
pub fn early_form(inbound: &Inbound) -> ResponseForm {
    let mut found = Found::default();
    if let Some(q) = &inbound.query {
        found.scan(q.as_bytes());
    }
    if matches!(
        body_kind(inbound.content_type.as_deref(), &inbound.body),
        BodyKind::Form
    ) {
        found.scan(&inbound.body);
    }
    found.form()
}

#[derive(Default)]
struct Found {
    format: Option<Format>,
    version: Option<Version>,
    simplify: bool,
}

impl Found {
    fn scan(&mut self, raw: &[u8]) {
        for pair in raw.split(|&b| b == b'&') {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => continue,
            };
            let value = String::from_utf8_lossy(value);
            let value = value.trim();
            match name {
                b"format" if self.format.is_none() => {
                    self.format = Format::parse(Some(value));
                }
                b"v" if self.version.is_none() => {
                    self.version = crate::pipeline::parse_version(value).ok();
                }
                b"simplify" => self.simplify = value.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
    }

    fn form(&self) -> ResponseForm {
        ResponseForm::new(
            self.format.unwrap_or_default(),
            self.version.unwrap_or_default(),
            self.simplify,
        )
    }
}

/// The response form once the parameters are decoded: the same rules, on the merged set.
pub fn form_of(params: &Params) -> ResponseForm {
    ResponseForm::new(
        Format::parse(params.format()).unwrap_or_default(),
        params
            .version()
            .and_then(|v| crate::pipeline::parse_version(v).ok())
            .unwrap_or_default(),
        params.simplify(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inbound(
        method: http::Method,
        query: Option<&str>,
        ct: Option<&str>,
        body: &'static [u8],
    ) -> Inbound {
        Inbound {
            method,
            query: query.map(str::to_owned),
            content_type: ct.map(str::to_owned),
            body: Bytes::from_static(body),
        }
    }

    #[tokio::test]
    async fn merges_query_and_form() {
        let i = inbound(
            http::Method::POST,
            Some("method=taobao.time.get&format=json"),
            Some("application/x-www-form-urlencoded;charset=UTF-8"),
            b"nick=%E4%B8%AD+x",
        );
        let p = decode(&i).await.unwrap();
        assert_eq!(p.get("nick"), Some("中 x"));
        assert_eq!(p.method(), Some("taobao.time.get"));
    }

    #[tokio::test]
    async fn lenient_multipart() {
        let body: &'static [u8] = b"--XX\r\nContent-Disposition:form-data;name=\"num_iid\"\r\n\r\n1\r\n--XX\r\nContent-Disposition: file; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n\r\n\x89PNG\r\n--XX--\r\n";
        let i = inbound(
            http::Method::POST,
            None,
            Some("multipart/form-data; boundary=XX"),
            body,
        );
        let p = decode(&i).await.unwrap();
        assert_eq!(p.get("num_iid"), Some("1"));
        let f = p.file("image").unwrap();
        assert_eq!(f.filename, "a.png");
        assert_eq!(&f.data[..], b"\x89PNG");
    }

    #[tokio::test]
    async fn broken_multipart_is_malformed() {
        let i = inbound(
            http::Method::POST,
            None,
            Some("multipart/form-data; boundary=XX"),
            b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
        );
        assert!(matches!(decode(&i).await, Err(DecodeFailure::Malformed(_))));
    }

    #[test]
    fn early_form_survives_broken_bodies() {
        let i = inbound(
            http::Method::POST,
            Some("format=json&v=1.0&x=%zz"),
            Some("application/x-www-form-urlencoded"),
            b"%%%",
        );
        let f = early_form(&i);
        assert_eq!((f.format, f.version), (Format::Json, Version::V1));
        let i = inbound(
            http::Method::POST,
            None,
            Some("application/x-www-form-urlencoded"),
            b"a=%FF&format=json",
        );
        assert_eq!(early_form(&i).format, Format::Json);
        let i = inbound(http::Method::GET, None, None, b"");
        assert_eq!(early_form(&i), ResponseForm::default());
    }
}

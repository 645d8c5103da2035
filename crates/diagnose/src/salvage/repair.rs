//! Bodies cut short: close what was open so that the protocol parser can read the rest.
//!
//! The value that was being written when the body ended is dropped rather than kept half-written
//! (a half sub_msg or a half number would be read as if it were whole); it is reported in
//! [`Repaired::cut_in`] and [`Repaired::partial`] instead.

/// A cut-off body made whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Repaired {
    pub text: String,
    /// The field that was being written when the body ended.
    pub cut_in: Option<String>,
    /// What had arrived of that field.
    pub partial: Option<String>,
}

#[derive(Debug, Clone)]
enum Ctx {
    Obj {
        expect_key: bool,
        key: Option<String>,
    },
    Arr,
}

fn closers(stack: &[Ctx]) -> String {
    stack
        .iter()
        .rev()
        .map(|c| match c {
            Ctx::Obj { .. } => '}',
            Ctx::Arr => ']',
        })
        .collect()
}

/// Repairs JSON that ends early. None when nothing is open at the end (the body was not cut) or
/// no complete value was read.
pub(crate) fn json(text: &str) -> Option<Repaired> {
    let b = text.as_bytes();
    let mut stack: Vec<Ctx> = Vec::new();
    // After the last complete value or opening bracket. Every push and pop moves it, so the
    // stack at the end is the stack at the checkpoint.
    let mut checkpoint: Option<usize> = None;
    let mut cut: Option<(Option<String>, Option<String>)> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() => i += 1,
            b'{' | b'[' => {
                stack.push(if b[i] == b'{' {
                    Ctx::Obj {
                        expect_key: true,
                        key: None,
                    }
                } else {
                    Ctx::Arr
                });
                i += 1;
                checkpoint = Some(i);
            }
            b'}' | b']' => {
                stack.pop()?;
                i += 1;
                checkpoint = Some(i);
            }
            b',' | b':' => {
                if let Some(Ctx::Obj { expect_key, .. }) = stack.last_mut() {
                    *expect_key = b[i] == b',';
                }
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let end = string_end(b, start);
                let key_position = matches!(
                    stack.last(),
                    Some(Ctx::Obj {
                        expect_key: true,
                        ..
                    })
                );
                let Some(end) = end else {
                    let field = current_key(&stack);
                    let partial = (!key_position).then(|| unescape_partial(&text[start..]));
                    cut = Some((field, partial));
                    break;
                };
                if key_position {
                    if let Some(Ctx::Obj { key, .. }) = stack.last_mut() {
                        *key = Some(text[start..end].to_string());
                    }
                } else {
                    checkpoint = Some(end + 1);
                }
                i = end + 1;
            }
            _ => {
                let end = (i..b.len())
                    .find(|&k| matches!(b[k], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'));
                let Some(end) = end else {
                    cut = Some((current_key(&stack), Some(text[i..].to_string())));
                    break;
                };
                checkpoint = Some(end);
                i = end;
            }
        }
    }
    if stack.is_empty() {
        return None;
    }
    let pos = checkpoint?;
    let close = closers(&stack);
    let (cut_in, partial) = cut.unwrap_or((current_key(&stack), None));
    Some(Repaired {
        text: format!("{}{}", &text[..pos], close),
        cut_in,
        partial: partial.filter(|p| !p.trim().is_empty()),
    })
}

fn current_key(stack: &[Ctx]) -> Option<String> {
    stack.iter().rev().find_map(|c| match c {
        Ctx::Obj { key, .. } => key.clone(),
        Ctx::Arr => None,
    })
}

/// The index of the closing quote of a string starting at `start`, or None if it never closes.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut k = start;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'"' => return Some(k),
            _ => k += 1,
        }
    }
    None
}

fn unescape_partial(raw: &str) -> String {
    let mut s = raw.to_string();
    // Drop an escape cut in half (`\`, `\u4f`) before decoding.
    if let Some(at) = s.rfind('\\') {
        let tail = &s[at..];
        let whole = tail.len() >= 2 && (!tail.starts_with("\\u") || tail.len() >= 6);
        if !whole {
            s.truncate(at);
        }
    }
    serde_json::from_str::<String>(&format!("\"{s}\"")).unwrap_or(s)
}

struct Open {
    name: String,
    start: usize,
    content: usize,
    has_children: bool,
}

/// Repairs XML that ends early: an element whose text was being written is dropped, every
/// other open element is closed.
pub(crate) fn xml(text: &str) -> Option<Repaired> {
    let mut stack: Vec<Open> = Vec::new();
    let mut cut = text.len();
    let mut i = 0;
    while let Some(off) = text[i..].find('<') {
        let at = i + off;
        let rest = &text[at..];
        let close = |pat: &str| rest.find(pat).map(|k| at + k + pat.len());
        let next = if rest.starts_with("<?") {
            close("?>")
        } else if rest.starts_with("<!--") {
            close("-->")
        } else if rest.starts_with("<![CDATA[") {
            close("]]>")
        } else {
            close(">")
        };
        let Some(next) = next else {
            cut = at;
            break;
        };
        let tag = &text[at + 1..next - 1];
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop()?;
            if open.name != name.trim() {
                return None;
            }
            if let Some(parent) = stack.last_mut() {
                parent.has_children = true;
            }
        } else if !tag.starts_with(['?', '!']) {
            if let Some(parent) = stack.last_mut() {
                parent.has_children = true;
            }
            if !tag.ends_with('/') {
                let name = tag.split(|c: char| c.is_whitespace()).next().unwrap_or("");
                stack.push(Open {
                    name: name.to_string(),
                    start: at,
                    content: next,
                    has_children: false,
                });
            }
        }
        i = next;
    }
    if stack.is_empty() {
        return None;
    }
    let mut cut_in = None;
    let mut partial = None;
    if let Some(leaf) = stack.last().filter(|o| !o.has_children) {
        let got = text[leaf.content..cut.max(leaf.content)]
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>");
        cut_in = Some(leaf.name.clone());
        partial = (!got.trim().is_empty()).then(|| got.to_string());
        cut = leaf.start;
        stack.pop();
    }
    if stack.is_empty() {
        return None;
    }
    let mut out = text[..cut].to_string();
    for open in stack.iter().rev() {
        out.push_str("</");
        out.push_str(&open.name);
        out.push('>');
    }
    Some(Repaired {
        text: out,
        cut_in: cut_in.or_else(|| stack.last().map(|o| o.name.clone())),
        partial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_drops_the_value_being_written() {
        let r = json(r#"{"error_response":{"code":530,"sub_msg":"abc"#).unwrap();
        assert_eq!(r.text, r#"{"error_response":{"code":530}}"#);
        assert_eq!(r.cut_in.as_deref(), Some("sub_msg"));
        assert_eq!(r.partial.as_deref(), Some("abc"));
        let r = json(r#"{"a":{"n":12"#).unwrap();
        assert_eq!(r.text, r#"{"a":{}}"#);
        assert_eq!(json(r#"{"a":1}"#), None);
        let r = json(r#"{"a":[1,2,{"b":"x"}"#).unwrap();
        assert_eq!(r.text, r#"{"a":[1,2,{"b":"x"}]}"#);
        let r = json(r#"{"a":"x","b"#).unwrap();
        assert_eq!(r.text, r#"{"a":"x"}"#);
    }

    #[test]
    fn xml_closes_open_elements() {
        let r = xml("<?xml version=\"1.0\"?><e><code>5</code><sub_msg>ab").unwrap();
        assert_eq!(r.text, "<?xml version=\"1.0\"?><e><code>5</code></e>");
        assert_eq!(r.partial.as_deref(), Some("ab"));
        let r = xml("<r><items><item><a>1</a></item><item><num_i").unwrap();
        assert_eq!(r.text, "<r><items><item><a>1</a></item></items></r>");
        assert_eq!(xml("<r><a>1</a></r>"), None);
    }
}

//! Values as printed: `530`, `'x'`, `u'x'`, `"x"`, `int(530)`, `string(4) "x"`, bare text up to
//! the next `, key=`, and `<name>value</name>` tags.

use super::{is_ident, is_wrapper, skip_spaces};

/// A tag name and its attributes end within this many bytes.
const TAG_WINDOW: usize = 256;
/// A leaf element's value ends within this many bytes.
const VALUE_WINDOW: usize = 64 * 1024;

/// The value at `at`: (text, where scanning goes on, whether it opens a nested object).
pub(super) fn value(text: &str, at: usize) -> (Option<String>, usize, bool) {
    let b = text.as_bytes();
    let rest = &text[at..];
    for (prefix, close) in [("int(", b')'), ("float(", b')'), ("bool(", b')')] {
        if let Some(inner) = rest.strip_prefix(prefix) {
            let end = inner
                .bytes()
                .position(|c| c == close)
                .unwrap_or(inner.len());
            return (
                Some(inner[..end].to_string()),
                at + prefix.len() + end,
                false,
            );
        }
    }
    if let Some(inner) = rest.strip_prefix("string(") {
        let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
        let len: usize = inner[..digits].parse().unwrap_or(0);
        let q = at + "string(".len() + digits + 1;
        let open = (q..b.len()).find(|&k| b[k] == b'"');
        if let Some(open) = open {
            let body = open + 1;
            let end = if b.get(body + len) == Some(&b'"') && text.is_char_boundary(body + len) {
                body + len
            } else {
                (body..b.len()).find(|&k| b[k] == b'"').unwrap_or(b.len())
            };
            return (Some(text[body..end].to_string()), end + 1, false);
        }
    }
    let unprefixed = rest
        .strip_prefix(['u', 'b'])
        .filter(|r| r.starts_with(['\'', '"']));
    let (qat, quoted) = match unprefixed {
        Some(r) => (at + 1, r),
        None => (at, rest),
    };
    if let Some(q) = quoted.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let (s, end) = quoted_string(text, qat + 1, q as u8);
        return (Some(s), end, false);
    }
    match b.get(at) {
        None => (None, at, false),
        Some(b'{' | b'[' | b'(') => (None, at + 1, true),
        Some(c) if c.is_ascii_digit() || *c == b'-' => {
            let end = (at + 1..b.len())
                .find(|&k| !matches!(b[k], b'0'..=b'9' | b'.'))
                .unwrap_or(b.len());
            let delimited = b.get(end).is_none_or(|c| {
                matches!(c, b',' | b'}' | b']' | b')' | b';') || c.is_ascii_whitespace()
            });
            if delimited {
                return (Some(text[at..end].to_string()), end, false);
            }
            bare(text, at)
        }
        Some(_) => bare(text, at),
    }
}

/// A value without quotes: up to the end of the line or the next `, key=`.
fn bare(text: &str, at: usize) -> (Option<String>, usize, bool) {
    let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |k| at + k);
    let line = &text[at..line_end];
    let cut = terminator(line).unwrap_or(line.len());
    let v = clean_bare(&line[..cut]);
    let nested = v.ends_with('{') || v.ends_with('(') || v.ends_with("Object");
    let none = matches!(v.as_str(), "NULL" | "None" | "null" | "undefined" | "");
    (if none { None } else { Some(v) }, at + cut, nested)
}

/// A quoted string starting after its opening quote: escapes decoded (`\uXXXX` and surrogate
/// pairs, `\xNN`, `\n`, `\t`, `\'`, `\"`, `\\`). Unterminated: up to the end of the line.
fn quoted_string(text: &str, start: usize, q: u8) -> (String, usize) {
    let mut out = String::new();
    let mut chars = text[start..].char_indices().peekable();
    while let Some((k, c)) = chars.next() {
        match c {
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'u' | 'x' => {
                        let n = if e == 'u' { 4 } else { 2 };
                        let hex: String = (0..n)
                            .filter_map(|_| chars.next().map(|(_, h)| h))
                            .collect();
                        let mut code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                        if (0xD800..0xDC00).contains(&code) {
                            let mut look = chars.clone();
                            if let (Some((_, '\\')), Some((_, 'u'))) = (look.next(), look.next()) {
                                let low: String =
                                    (0..4).filter_map(|_| look.next().map(|(_, h)| h)).collect();
                                if let Ok(lo) = u32::from_str_radix(&low, 16) {
                                    code = 0x10000
                                        + ((code - 0xD800) << 10)
                                        + (lo.wrapping_sub(0xDC00) & 0x3FF);
                                    chars = look;
                                }
                            }
                        }
                        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                    }
                    other => out.push(other),
                }
            }
            c if c as u32 == u32::from(q) => return (out, start + k + 1),
            '\n' => return (out, start + k),
            c => out.push(c),
        }
    }
    (out, text.len())
}

/// Where a bare value ends: before `, key=` / `, key: ` / ` key=`.
fn terminator(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    (0..b.len()).find(|&k| {
        let comma = b[k] == b',';
        if !(comma || b[k] == b' ') {
            return false;
        }
        let mut j = skip_spaces(b, k + 1);
        if matches!(b.get(j), Some(b'u' | b'b')) && matches!(b.get(j + 1), Some(b'\'' | b'"')) {
            j += 1;
        }
        let quoted = matches!(b.get(j), Some(b'\'' | b'"' | b'['));
        if quoted {
            j += 1;
        }
        let start = j;
        while b.get(j).is_some_and(|c| is_ident(*c)) {
            j += 1;
        }
        if j == start || !b[start].is_ascii_alphabetic() && b[start] != b'_' {
            return false;
        }
        if matches!(b.get(j), Some(b'\'' | b'"' | b']')) {
            j += 1;
        }
        match b.get(j) {
            Some(b'=') => true,
            Some(b':') => {
                comma && (quoted || b.get(j + 1).is_some_and(|c| c.is_ascii_whitespace()))
            }
            _ => false,
        }
    })
}

/// Trailing `,` `;` and closing brackets that have no opening one in the value are dropped.
fn clean_bare(v: &str) -> String {
    let mut v = v.trim();
    loop {
        let before = v;
        v = v.trim_end_matches([',', ';']).trim_end();
        for (open, close) in [('[', ']'), ('(', ')'), ('{', '}')] {
            if v.ends_with(close) && v.matches(open).count() < v.matches(close).count() {
                v = v[..v.len() - 1].trim_end();
            }
        }
        if v == before {
            return v.to_string();
        }
    }
}

/// `<name>value</name>` at `at` (a leaf; CDATA unwrapped, entities decoded), or the opening
/// tag of a wrapper (`<error_response>`: no value).
pub(super) fn tag(text: &str, at: usize) -> Option<(String, Option<String>, usize)> {
    let rest = &text[at + 1..];
    let name_len = rest.bytes().take_while(|c| is_ident(*c)).count();
    if name_len == 0 {
        return None;
    }
    let tag_end = rest.bytes().take(TAG_WINDOW).position(|c| c == b'>')?;
    let name = &rest[..name_len];
    if is_wrapper(name) {
        return Some((name.to_string(), None, at + 1 + tag_end + 1));
    }
    if tag_end != name_len {
        return None;
    }
    let content = at + 1 + name_len + 1;
    let close = format!("</{name}>");
    // A leaf holds no tag but CDATA: its end is at the next `<` that is not CDATA.
    let mut k = content;
    let end = loop {
        let lt = k + text[k..].find('<')?;
        if text[lt..].starts_with("<![CDATA[") {
            let window = &text.as_bytes()[lt..text.len().min(lt + VALUE_WINDOW)];
            k = lt + window.windows(3).position(|w| w == b"]]>")? + 3;
            continue;
        }
        if text[lt..].starts_with(&close) {
            break lt;
        }
        return None;
    };
    let inner = text[content..end].trim();
    let inner = inner
        .strip_prefix("<![CDATA[")
        .and_then(|s| s.strip_suffix("]]>"))
        .map(str::to_string)
        .unwrap_or_else(|| {
            inner
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        });
    Some((name.to_string(), Some(inner), end + close.len()))
}

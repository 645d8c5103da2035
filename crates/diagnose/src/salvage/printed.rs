//! Error objects as people paste them: SDK objects printed by PHP (`print_r`, `var_dump`),
//! Python (dict repr, `TopException`), node (`console.log`), Java (`toString`), JSON or XML
//! that no parser accepts. No regular expressions: one pass that finds `key <sep> value` with
//! any quoting of the key (`code`, `'code'`, `"code"`, `[code]`, `["code"]`), any separator
//! (`:`, `=`, `=>`) and any spelling of the value (`530`, `'x'`, `u'x'`, `"x"`, `int(530)`,
//! `string(4) "x"`, bare text up to the next `, key=`), plus `<code>530</code>` tags.

/// Only the first 256 KiB of a paste are read: printed error objects are small, and this bounds
/// the work on a large body that is none.
const MAX_SCAN: usize = 256 * 1024;

/// How the text was printed, for the note that says the diagnosis had to guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Json,
    XmlTags,
    PhpPrintR,
    PhpVarDump,
    PythonRepr,
    JsObject,
    JavaToString,
    KeyValue,
}

impl Style {
    /// (zh, en) names.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Style::Json => ("无法完整解析的JSON", "JSON that does not parse"),
            Style::XmlTags => ("无法完整解析的XML", "XML that does not parse"),
            Style::PhpPrintR => ("PHP print_r 的输出", "PHP print_r output"),
            Style::PhpVarDump => ("PHP var_dump 的输出", "PHP var_dump output"),
            Style::PythonRepr => ("Python 字典的打印结果", "a printed Python dict"),
            Style::JsObject => (
                "JavaScript 对象的打印结果（console.log）",
                "a printed JavaScript object (console.log)",
            ),
            Style::JavaToString => ("Java 对象的 toString 输出", "a Java object's toString"),
            Style::KeyValue => (
                "key=value 形式的异常信息（如Python SDK的TopException）",
                "key=value text (such as the Python SDK's TopException)",
            ),
        }
    }
}

/// What a printed object says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Printed {
    pub code: Option<i64>,
    pub msg: Option<String>,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub request_id: Option<String>,
    /// `error_response`, `error_rsp` or a `*_response` key that holds the rest.
    pub wrapper: Option<String>,
    /// `key`/`value` (or `name`/`value`) pairs: the `args` echo.
    pub args: Vec<(String, String)>,
    /// Every scalar `key = value` read, in order.
    pub scalars: Vec<(String, String)>,
}

pub(crate) fn style(text: &str) -> Style {
    let t = text.trim_start();
    if t.starts_with("stdClass Object")
        || t.starts_with("SimpleXMLElement Object")
        || t.starts_with("Array\n")
        || text.contains("] => ")
    {
        Style::PhpPrintR
    } else if text.contains("]=>") {
        Style::PhpVarDump
    } else if t.starts_with("{'")
        || t.starts_with("{u'")
        || t.starts_with("{\"error_response\": {'")
    {
        Style::PythonRepr
    } else if t.starts_with("{\"") || t.starts_with('[') {
        Style::Json
    } else if t.starts_with('{') {
        Style::JsObject
    } else if t.starts_with('<') {
        Style::XmlTags
    } else if t
        .split_whitespace()
        .next()
        .is_some_and(|w| w.contains("[") && w.contains('='))
    {
        Style::JavaToString
    } else {
        Style::KeyValue
    }
}

/// Reads a printed object. None when no TOP field is found.
pub(crate) fn scan(text: &str) -> Option<Printed> {
    let mut limit = text.len().min(MAX_SCAN);
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let text = &text[..limit];
    let b = text.as_bytes();
    let mut p = Printed::default();
    let mut message = None;
    let mut pending_key: Option<String> = None;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' {
            if let Some((name, value, next)) = tag(text, i) {
                if value.is_none() && p.wrapper.is_none() {
                    p.wrapper = Some(name.clone());
                }
                record(&mut p, &mut message, &mut pending_key, &name, value);
                i = next;
                continue;
            }
        }
        let starts_ident =
            (b[i].is_ascii_alphabetic() || b[i] == b'_') && (i == 0 || !is_ident(b[i - 1]));
        if !starts_ident {
            i += 1;
            continue;
        }
        let end = (i..b.len()).find(|&k| !is_ident(b[k])).unwrap_or(b.len());
        let name = &text[i..end];
        let Some(after_sep) = separator(b, i, end) else {
            i = end;
            continue;
        };
        let (value, next, nested) = value(text, after_sep);
        if nested && p.wrapper.is_none() && is_wrapper(name) {
            p.wrapper = Some(name.to_string());
        }
        record(&mut p, &mut message, &mut pending_key, name, value);
        i = next.max(end);
    }
    if p.msg.is_none() {
        p.msg = message;
    }
    let found = p.code.is_some() || p.sub_code.is_some() || p.msg.is_some() || p.wrapper.is_some();
    found.then_some(p)
}

pub(super) fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

pub(super) fn is_wrapper(name: &str) -> bool {
    name == "error_response" || name == "error_rsp" || name == "rsp" || name.ends_with("_response")
}

/// After a key at `start..end`: its closing quote or bracket, then `=>`, `:` or `=`. Returns the
/// position after the separator (and after the line break `var_dump` puts there).
fn separator(b: &[u8], start: usize, end: usize) -> Option<usize> {
    let mut j = end;
    let opener = start.checked_sub(1).map(|k| b[k]);
    if let Some(q @ (b'\'' | b'"')) = opener {
        if b.get(j) != Some(&q) {
            return None;
        }
        j += 1;
    }
    if b.get(j) == Some(&b']') {
        j += 1;
    }
    while b.get(j) == Some(&b' ') || b.get(j) == Some(&b'\t') {
        j += 1;
    }
    let quoted = matches!(opener, Some(b'\'' | b'"' | b'['));
    match (b.get(j), b.get(j + 1)) {
        (Some(b'='), Some(b'>')) => {
            j += 2;
            while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
                j += 1;
            }
            Some(j)
        }
        (Some(b'='), next) if next != Some(&b'=') => Some(skip_spaces(b, j + 1)),
        (Some(b':'), next) if quoted || next.is_some_and(|c| c.is_ascii_whitespace()) => {
            Some(skip_spaces(b, j + 1))
        }
        _ => None,
    }
}

pub(super) fn skip_spaces(b: &[u8], mut j: usize) -> usize {
    while b.get(j) == Some(&b' ') || b.get(j) == Some(&b'\t') {
        j += 1;
    }
    j
}

fn record(
    p: &mut Printed,
    message: &mut Option<String>,
    pending: &mut Option<String>,
    name: &str,
    value: Option<String>,
) {
    let Some(value) = value else { return };
    let norm: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    let set = |slot: &mut Option<String>, v: &str| {
        if slot.is_none() {
            *slot = Some(v.to_string());
        }
    };
    match norm.as_str() {
        "code" | "errorcode" | "errcode" if p.code.is_none() => {
            p.code = value.trim().trim_matches(['\'', '"']).parse().ok();
        }
        "msg" | "errormsg" | "errmsg" => set(&mut p.msg, &value),
        "message" | "errormessage" => set(message, &value),
        "subcode" | "suberrorcode" => set(&mut p.sub_code, &value),
        "submsg" | "submessage" | "suberrormsg" => set(&mut p.sub_msg, &value),
        "requestid" => set(&mut p.request_id, &value),
        "key" | "name" => *pending = Some(value.clone()),
        "value" => {
            if let Some(k) = pending.take() {
                p.args.push((k, value.clone()));
            }
        }
        _ => {}
    }
    p.scalars.push((name.to_string(), value));
}

mod value;

use value::{tag, value};

#[cfg(test)]
mod tests;

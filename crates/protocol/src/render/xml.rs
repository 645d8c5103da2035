//! XML bodies, written by hand for byte-stable output.
//!
//! Escaping, for any input: `&`, `<`, `>` become entities; `\r` becomes `&#13;` (a parser would
//! otherwise turn it into `\n`); characters that XML 1.0 cannot carry at all (controls other
//! than tab, newline and carriage return, U+FFFE, U+FFFF) become U+FFFD, the only well-formed
//! choice. In CDATA (v1), `]]>` is split across two sections; text CDATA cannot carry exactly
//! (a `\r`) falls back to escaped text. Element names that are not XML names have their
//! offending characters replaced by `_`.

use super::{response_key, v1_fields, ErrorBody};
use crate::value::Value;

const DECLARATION: &str = r#"<?xml version="1.0" encoding="utf-8" ?>"#;

/// Whether XML 1.0 can carry `c` at all.
pub(crate) fn xml_char_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if !xml_char_allowed(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn push_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            c => push_text(out, c.encode_utf8(&mut [0; 4])),
        }
    }
}

fn push_cdata(out: &mut String, s: &str) {
    if s.contains('\r') {
        return push_text(out, s);
    }
    let body: String = s
        .chars()
        .map(|c| if xml_char_allowed(c) { c } else { '\u{FFFD}' })
        .collect();
    out.push_str("<![CDATA[");
    // Split every `]]>` so it cannot close the section: `]]` ends one, `>` starts the next.
    out.push_str(&body.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

fn push_name(out: &mut String, name: &str) {
    if name.is_empty() {
        out.push('_');
        return;
    }
    for (i, c) in name.chars().enumerate() {
        let ok = c.is_alphabetic()
            || c == '_'
            || (i > 0 && (c.is_alphanumeric() || c == '-' || c == '.'));
        out.push(if ok { c } else { '_' });
    }
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    push_name(out, name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    push_name(out, name);
    out.push('>');
}

/// Writes `<name>value</name>`; `cdata` puts text in CDATA sections (v1 style).
fn element(out: &mut String, name: &str, value: &Value, cdata: bool) {
    match value {
        Value::List { item, items } => {
            out.push('<');
            push_name(out, name);
            out.push_str(r#" list="true">"#);
            for v in items {
                element(out, item, v, cdata);
            }
            close(out, name);
        }
        Value::Object(fields) => {
            open(out, name);
            for (k, v) in fields {
                element(out, k, v, cdata);
            }
            close(out, name);
        }
        Value::Str(s) => {
            open(out, name);
            if cdata {
                push_cdata(out, s);
            } else {
                push_text(out, s);
            }
            close(out, name);
        }
        Value::Number(n) => {
            open(out, name);
            out.push_str(&n.to_string());
            close(out, name);
        }
        Value::Bool(b) => {
            open(out, name);
            out.push_str(if *b { "true" } else { "false" });
            close(out, name);
        }
        Value::Null => {
            open(out, name);
            close(out, name);
        }
    }
}

fn text_element(out: &mut String, name: &str, text: &str) {
    open(out, name);
    push_text(out, text);
    close(out, name);
}

fn success(root: &str, fields: &[(String, Value)], request_id: &str, cdata: bool) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    out.push_str(DECLARATION);
    open(&mut out, root);
    for (k, v) in fields {
        element(&mut out, k, v, cdata);
    }
    text_element(&mut out, "request_id", request_id);
    close(&mut out, root);
    out.into_bytes()
}

pub(super) fn success_v2(method: &str, fields: &[(String, Value)], request_id: &str) -> Vec<u8> {
    success(&response_key(method), fields, request_id, false)
}

pub(super) fn success_v1(fields: &[(String, Value)], request_id: &str) -> Vec<u8> {
    success("rsp", &v1_fields(fields), request_id, true)
}

pub(super) fn error_v2(e: &ErrorBody) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    out.push_str(DECLARATION);
    out.push_str("<error_response>");
    if !e.args.is_empty() {
        out.push_str(r#"<args list="true">"#);
        for (k, v) in &e.args {
            out.push_str("<arg>");
            text_element(&mut out, "key", k);
            text_element(&mut out, "value", v);
            out.push_str("</arg>");
        }
        out.push_str("</args>");
    }
    text_element(&mut out, "code", &e.code.to_string());
    text_element(&mut out, "msg", &e.msg);
    if let Some(sub_code) = &e.sub_code {
        text_element(&mut out, "sub_code", sub_code);
    }
    if let Some(sub_msg) = &e.sub_msg {
        text_element(&mut out, "sub_msg", sub_msg);
    }
    if let Some(id) = &e.request_id {
        text_element(&mut out, "request_id", id);
    }
    out.push_str("</error_response>");
    out.into_bytes()
}

pub(super) fn error_v1(e: &ErrorBody) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    out.push_str(DECLARATION);
    out.push_str("<error_rsp>");
    if !e.args.is_empty() {
        out.push_str("<args>");
        for (k, v) in &e.args {
            out.push_str(r#"<arg name=""#);
            push_attr(&mut out, k);
            out.push_str(r#"">"#);
            push_cdata(&mut out, v);
            out.push_str("</arg>");
        }
        out.push_str("</args>");
    }
    text_element(&mut out, "code", &e.code.to_string());
    open(&mut out, "msg");
    push_cdata(&mut out, &e.msg);
    close(&mut out, "msg");
    if let Some(id) = &e.request_id {
        text_element(&mut out, "request_id", id);
    }
    out.push_str("</error_rsp>");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdata(s: &str) -> String {
        let mut out = String::new();
        push_cdata(&mut out, s);
        out
    }

    #[test]
    fn cdata_splits_terminator() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(cdata("x\ry"), "x&#13;y");
    }

    #[test]
    fn text_escapes() {
        let mut out = String::new();
        push_text(&mut out, "<a&b>\u{1}\u{1F600}\r");
        assert_eq!(out, "&lt;a&amp;b&gt;\u{FFFD}\u{1F600}&#13;");
    }
}

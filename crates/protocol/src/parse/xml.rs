//! XML bodies: v2 (`<item_get_response>`, `<error_response>`) and v1 (`<rsp>`, `<error_rsp>`).

use quick_xml::events::Event;
use quick_xml::Reader;

use super::{
    code_from_text, BodyFormat, Form, Outcome, ParseError, ParseErrorKind, Response, SuccessBody,
};
use crate::render::ErrorBody;
use crate::value::Value;

/// Deeper nesting than any real response; a bound so hostile input cannot exhaust the stack.
const MAX_DEPTH: usize = 128;

/// An element as read: name, the attributes that matter, children and text.
#[derive(Debug, Default)]
struct Element {
    name: String,
    list: bool,
    /// The `name` attribute (v1 `<arg name="method">`).
    name_attr: Option<String>,
    children: Vec<Element>,
    text: String,
}

pub(super) fn parse(text: &str) -> Result<Response, ParseError> {
    let root = read_tree(text)?;
    let form = if root.name == "rsp" || root.name == "error_rsp" {
        Form::V1
    } else {
        Form::V2
    };
    match root.name.as_str() {
        "error_response" | "error_rsp" => error(root, form),
        "rsp" => Ok(success(root, form)),
        name if name.ends_with("_response") => Ok(success(root, form)),
        name => Err(ParseError::new(
            BodyFormat::Xml,
            ParseErrorKind::Shape,
            0,
            format!("root element <{name}> is not a TOP response"),
        )),
    }
}

fn syntax(offset: u64, message: impl Into<String>) -> ParseError {
    ParseError::new(
        BodyFormat::Xml,
        ParseErrorKind::Syntax,
        offset as usize,
        message,
    )
}

fn read_tree(text: &str) -> Result<Element, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| syntax(reader.error_position(), format!("malformed XML: {e}")))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(syntax(at, "content after the root element"));
            }
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(at, "nested too deeply"));
                }
                stack.push(element(&e, at)?);
            }
            Event::Empty(e) => {
                let el = element(&e, at)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| syntax(at, "unexpected end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t
                    .unescape()
                    .map_err(|e| syntax(at, format!("bad escape: {e}")))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(syntax(at, "text outside the root element")),
                }
            }
            Event::CData(c) => {
                let s = std::str::from_utf8(&c).map_err(|_| syntax(at, "CDATA is not UTF-8"))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(s),
                    None => return Err(syntax(at, "CDATA outside the root element")),
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(syntax(text.len() as u64, "cut short: unclosed elements"));
    }
    root.ok_or_else(|| syntax(0, "no root element"))
}

fn element(e: &quick_xml::events::BytesStart<'_>, at: u64) -> Result<Element, ParseError> {
    let name = std::str::from_utf8(e.name().as_ref())
        .map_err(|_| syntax(at, "element name is not UTF-8"))?
        .to_owned();
    let mut el = Element {
        name,
        ..Element::default()
    };
    for attr in e.attributes() {
        let attr = attr.map_err(|e| syntax(at, format!("bad attribute: {e}")))?;
        let value = attr
            .unescape_value()
            .map_err(|e| syntax(at, format!("bad attribute: {e}")))?;
        match attr.key.as_ref() {
            b"list" => el.list = value == "true",
            b"name" => el.name_attr = Some(value.into_owned()),
            _ => {}
        }
    }
    Ok(el)
}

/// Element into a tree: `list="true"` makes a list, child elements an object, else text.
fn tree(el: Element) -> Value {
    if el.list {
        let item = el
            .children
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default();
        Value::List {
            item,
            items: el.children.into_iter().map(tree).collect(),
        }
    } else if !el.children.is_empty() {
        Value::Object(
            el.children
                .into_iter()
                .map(|c| (c.name.clone(), tree(c)))
                .collect(),
        )
    } else {
        Value::Str(el.text)
    }
}

fn success(root: Element, form: Form) -> Response {
    let mut request_id = None;
    let mut fields = Vec::with_capacity(root.children.len());
    for child in root.children {
        if child.name == "request_id" && child.children.is_empty() {
            request_id = Some(child.text);
            continue;
        }
        fields.push((child.name.clone(), tree(child)));
    }
    Response {
        format: BodyFormat::Xml,
        form,
        outcome: Outcome::Success(SuccessBody {
            response_key: Some(root.name),
            fields,
            request_id,
        }),
    }
}

fn error(root: Element, form: Form) -> Result<Response, ParseError> {
    let mut body = ErrorBody::default();
    let mut code = None;
    for child in root.children {
        match child.name.as_str() {
            "code" => code = code_from_text(&child.text),
            "msg" => body.msg = child.text,
            "sub_code" => body.sub_code = Some(child.text),
            "sub_msg" => body.sub_msg = Some(child.text),
            "request_id" => body.request_id = Some(child.text),
            "args" => body.args = child.children.into_iter().filter_map(arg).collect(),
            _ => {}
        }
    }
    body.code = code.ok_or_else(|| {
        ParseError::new(
            BodyFormat::Xml,
            ParseErrorKind::Shape,
            0,
            "an error without a numeric code",
        )
    })?;
    Ok(Response {
        format: BodyFormat::Xml,
        form,
        outcome: Outcome::Error(body),
    })
}

/// `<arg><key>k</key><value>v</value></arg>` (v2) or `<arg name="k">v</arg>` (v1).
fn arg(el: Element) -> Option<(String, String)> {
    if let Some(name) = el.name_attr {
        return Some((name, el.text));
    }
    let mut key = None;
    let mut value = String::new();
    for c in el.children {
        match c.name.as_str() {
            "key" => key = Some(c.text),
            "value" => value = c.text,
            _ => {}
        }
    }
    key.map(|k| (k, value))
}

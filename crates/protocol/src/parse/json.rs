//! JSON bodies: v2, v1, simplified, and error bodies without their wrapper.

use serde_json::{Map, Value as Json};

use super::{
    code_from_text, BodyFormat, Form, Outcome, ParseError, ParseErrorKind, Response, SuccessBody,
};
use crate::render::ErrorBody;
use crate::value::{singular, Value};

pub(super) fn parse(text: &str) -> Result<Response, ParseError> {
    let json: Json = serde_json::from_str(text).map_err(|e| {
        let kind = if e.is_eof() {
            "cut short"
        } else {
            "malformed JSON"
        };
        ParseError::new(
            BodyFormat::Json,
            ParseErrorKind::Syntax,
            offset_of(text, e.line(), e.column()),
            format!("{kind}: {e}"),
        )
    })?;
    let Json::Object(top) = json else {
        return Err(shape("the top level is not an object"));
    };
    let wrapper_keys = top.keys().filter(|k| is_wrapper_key(k)).count();
    if wrapper_keys > 0 && top.len() > 1 {
        return Err(shape("more than one top-level key"));
    }
    if let Some((key, inner)) = top.iter().next().filter(|_| top.len() == 1) {
        match (key.as_str(), inner) {
            ("error_response", Json::Object(fields)) => return error(fields, Form::V2),
            ("error_rsp", Json::Object(fields)) => return error(fields, Form::V1),
            ("rsp", Json::Object(fields)) => return success(Some(key), fields, false, Form::V1),
            (k, Json::Object(fields)) if k.ends_with("_response") => {
                return success(Some(key), fields, true, Form::V2)
            }
            (k, _) if is_wrapper_key(k) => {
                return Err(shape("the wrapper key does not hold an object"))
            }
            _ => {}
        }
    }
    if top.contains_key("code") {
        return error(&top, Form::Unwrapped);
    }
    success(None, &top, false, Form::Simplified)
}

fn is_wrapper_key(k: &str) -> bool {
    k == "error_response" || k == "error_rsp" || k == "rsp" || k.ends_with("_response")
}

fn shape(message: &str) -> ParseError {
    ParseError::new(BodyFormat::Json, ParseErrorKind::Shape, 0, message)
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column).min(text.len())
}

fn text_of(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

fn error(fields: &Map<String, Json>, form: Form) -> Result<Response, ParseError> {
    let code = match fields.get("code") {
        Some(Json::Number(n)) => n.as_i64(),
        Some(Json::String(s)) => code_from_text(s),
        _ => None,
    }
    .ok_or_else(|| shape("an error without a numeric code"))?;
    let get = |k: &str| fields.get(k).and_then(text_of);
    Ok(Response {
        format: BodyFormat::Json,
        form,
        outcome: Outcome::Error(ErrorBody {
            code,
            msg: get("msg").unwrap_or_default(),
            sub_code: get("sub_code"),
            sub_msg: get("sub_msg"),
            args: fields.get("args").map(args).unwrap_or_default(),
            request_id: get("request_id"),
        }),
    })
}

/// `{"arg":[{"key":..,"value":..}]}`, a single `{"arg":{..}}`, or `{"arg":[{"name":..,"value":..}]}`.
fn args(v: &Json) -> Vec<(String, String)> {
    let list = match v.get("arg") {
        Some(Json::Array(items)) => items.iter().collect(),
        Some(one @ Json::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|a| {
            let key = a.get("key").or_else(|| a.get("name")).and_then(text_of)?;
            let value = a.get("value").and_then(text_of).unwrap_or_default();
            Some((key, value))
        })
        .collect()
}

fn success(
    key: Option<&String>,
    fields: &Map<String, Json>,
    wrapped: bool,
    form: Form,
) -> Result<Response, ParseError> {
    let mut request_id = None;
    let mut out = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        if k == "request_id" {
            request_id = text_of(v);
            continue;
        }
        out.push((k.clone(), tree(k, v, wrapped)));
    }
    Ok(Response {
        format: BodyFormat::Json,
        form,
        outcome: Outcome::Success(SuccessBody {
            response_key: key.cloned(),
            fields: out,
            request_id,
        }),
    })
}

/// JSON into a tree. `wrapped` (v2): an object with one field holding an array is a list named
/// by that field. Otherwise (v1, simplified) arrays are lists named by the singular of their field.
fn tree(name: &str, v: &Json, wrapped: bool) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(n.clone()),
        Json::String(s) => Value::Str(s.clone()),
        Json::Array(items) => {
            let item = singular(name);
            Value::List {
                items: items.iter().map(|v| tree(&item, v, wrapped)).collect(),
                item,
            }
        }
        Json::Object(map) => {
            if wrapped && map.len() == 1 {
                let (k, inner) = map.iter().next().expect("one field");
                if let Json::Array(items) = inner {
                    return Value::List {
                        item: k.clone(),
                        items: items.iter().map(|v| tree(k, v, wrapped)).collect(),
                    };
                }
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), tree(k, v, wrapped)))
                    .collect(),
            )
        }
    }
}

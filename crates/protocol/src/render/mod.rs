//! Success and error bodies in every form the protocol knows.
//!
//! | form | success | error |
//! |---|---|---|
//! | v2 JSON | `{"item_get_response":{...,"request_id":"..."}}` | `{"error_response":{"args":...,"code":..,"msg":..,"sub_code":..,"sub_msg":..,"request_id":..}}` |
//! | v2 XML | `<item_get_response>...<request_id>` | `<error_response><args list="true"><arg><key>..` |
//! | simplified JSON | `{...,"request_id":"..."}`, lists as plain arrays | as v2 JSON |
//! | v1 JSON | `{"rsp":{"items":[{...}],"request_id":".."}}` | `{"error_rsp":{"code":..,"msg":"..","request_id":".."}}` |
//! | v1 XML | `<rsp><items><item>..` (text in CDATA) | `<error_rsp><args><arg name="..."><![CDATA[..]]>..` |
//!
//! `request_id` is always the last field; output is byte-stable.

mod json;
mod xml;

use crate::value::Value;

/// The `format` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    #[default]
    Xml,
    Json,
}

impl Format {
    /// Reads `format`: absent means XML (the documented default); `json` and `xml` in any case.
    pub fn parse(value: Option<&str>) -> Option<Format> {
        match value {
            None | Some("") => Some(Format::Xml),
            Some(v) if v.eq_ignore_ascii_case("json") => Some(Format::Json),
            Some(v) if v.eq_ignore_ascii_case("xml") => Some(Format::Xml),
            Some(_) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml;charset=UTF-8",
            Format::Json => "application/json;charset=UTF-8",
        }
    }
}

/// The `v` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Version {
    V1,
    #[default]
    V2,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1 => "1.0",
            Version::V2 => "2.0",
        }
    }
}

/// Everything that decides the shape of a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ResponseForm {
    pub format: Format,
    pub version: Version,
    /// `simplify=true`: honoured for v2 JSON only.
    pub simplify: bool,
}

impl ResponseForm {
    pub fn new(format: Format, version: Version, simplify: bool) -> Self {
        ResponseForm {
            format,
            version,
            simplify: simplify && format == Format::Json && version == Version::V2,
        }
    }

    pub fn content_type(self) -> &'static str {
        self.format.content_type()
    }
}

/// An error body, as rendered and as parsed back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrorBody {
    pub code: i64,
    pub msg: String,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    /// The `args` echo: sorted, `session` masked, files as name and size. Empty: not rendered.
    pub args: Vec<(String, String)>,
    pub request_id: Option<String>,
}

/// The response key for a method: `taobao.item.get` → `item_get_response`.
pub fn response_key(method: &str) -> String {
    let stem = method.strip_prefix("taobao.").unwrap_or(method);
    let mut key = String::with_capacity(stem.len() + 9);
    for c in stem.chars() {
        key.push(if c == '.' { '_' } else { c });
    }
    key.push_str("_response");
    key
}

/// Renders a success body. `fields` are the payload's top-level fields, in order.
pub fn render_success(
    form: ResponseForm,
    method: &str,
    fields: &[(String, Value)],
    request_id: &str,
) -> Vec<u8> {
    match (form.format, form.version) {
        (Format::Json, Version::V2) => json::success_v2(method, fields, request_id, form.simplify),
        (Format::Json, Version::V1) => json::success_v1(fields, request_id),
        (Format::Xml, Version::V2) => xml::success_v2(method, fields, request_id),
        (Format::Xml, Version::V1) => xml::success_v1(fields, request_id),
    }
}

/// Renders an error body. For v1 the caller passes the legacy code and message already (v1 has
/// no sub codes): `sub_code` and `sub_msg` are not rendered there.
pub fn render_error(form: ResponseForm, error: &ErrorBody) -> Vec<u8> {
    match (form.format, form.version) {
        (Format::Json, Version::V2) => json::error_v2(error),
        (Format::Json, Version::V1) => json::error_v1(error),
        (Format::Xml, Version::V2) => xml::error_v2(error),
        (Format::Xml, Version::V1) => xml::error_v1(error),
    }
}

/// The v1 shape of a payload: the middle layer is always a list, even for one object
/// (`"item":{..}` becomes `"items":[{..}]`). Scalars stay as they are.
pub fn v1_fields(fields: &[(String, Value)]) -> Vec<(String, Value)> {
    fields
        .iter()
        .map(|(name, value)| match value {
            Value::Object(_) => (plural(name), Value::list(name.clone(), vec![value.clone()])),
            other => (name.clone(), other.clone()),
        })
        .collect()
}

/// `item` → `items`; a name already ending in `s` stays.
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_owned()
    } else if let Some(stem) = name.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{name}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_keys() {
        assert_eq!(response_key("taobao.item.get"), "item_get_response");
        assert_eq!(
            response_key("tmall.item.add.schema.get"),
            "tmall_item_add_schema_get_response"
        );
    }

    #[test]
    fn simplify_only_for_v2_json() {
        assert!(ResponseForm::new(Format::Json, Version::V2, true).simplify);
        assert!(!ResponseForm::new(Format::Xml, Version::V2, true).simplify);
        assert!(!ResponseForm::new(Format::Json, Version::V1, true).simplify);
    }

    #[test]
    fn format_param() {
        assert_eq!(Format::parse(None), Some(Format::Xml));
        assert_eq!(Format::parse(Some("JSON")), Some(Format::Json));
        assert_eq!(Format::parse(Some("yaml")), None);
    }
}

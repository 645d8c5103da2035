//! The payload tree of a success response.
//!
//! TOP's JSON and XML carry the same tree: objects with ordered fields, scalars, and lists that
//! are always *wrapped* with the name of their items (`"items":{"item":[...]}`,
//! `<items list="true"><item>...</item></items>`). [`Value::List`] keeps that item name, so one
//! tree renders to every form and parses back from every form.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// Text; money and dates travel as text too (`"19.90"`, `"2026-01-01 12:00:00"`).
    Str(String),
    /// Fields in the order they are rendered.
    Object(Vec<(String, Value)>),
    /// A wrapped list: `item` is the name of each element (`item`, `trade`, `string`).
    List {
        item: String,
        items: Vec<Value>,
    },
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    pub fn int(n: i64) -> Value {
        Value::Number(n.into())
    }

    pub fn object<K: Into<String>>(fields: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(fields.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn list(item: impl Into<String>, items: Vec<Value>) -> Value {
        Value::List {
            item: item.into(),
            items,
        }
    }

    /// The field `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a scalar (numbers and booleans as written).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Converts plain JSON (from a backend) into a tree. Arrays become lists whose items are
    /// named by the singular of the field (see [`singular`]); an object with exactly one field
    /// holding an array is taken as an already wrapped list.
    pub fn from_json(name: &str, json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => {
                let item = singular(name);
                Value::List {
                    items: items.iter().map(|v| Value::from_json(&item, v)).collect(),
                    item,
                }
            }
            serde_json::Value::Object(map) => {
                if map.len() == 1 {
                    let (k, v) = map.iter().next().expect("one field");
                    if let serde_json::Value::Array(items) = v {
                        return Value::List {
                            item: k.clone(),
                            items: items.iter().map(|v| Value::from_json(k, v)).collect(),
                        };
                    }
                }
                Value::Object(
                    map.iter()
                        .map(|(k, v)| (k.clone(), Value::from_json(k, v)))
                        .collect(),
                )
            }
        }
    }
}

/// The item name TOP uses for a list field: `items` → `item`, `trades` → `trade`,
/// `item_imgs` → `item_img`, `categories` → `category`; a name without a plural ending is
/// used as it is.
pub fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = name.strip_suffix('s').filter(|s| !s.is_empty()) {
        stem.to_owned()
    } else {
        name.to_owned()
    }
}

/// Serialises a tree in the v2 JSON shape (`"items":{"item":[...]}`), or simplified
/// (`"items":[...]`) when `simplify` is set.
pub(crate) struct JsonShape<'a> {
    pub value: &'a Value,
    pub simplify: bool,
}

impl Serialize for JsonShape<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::Str(v) => s.serialize_str(v),
            Value::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, &self.child(v))?;
                }
                map.end()
            }
            Value::List { item, items } => {
                if self.simplify {
                    self.seq(s, items)
                } else {
                    let mut map = s.serialize_map(Some(1))?;
                    map.serialize_entry(
                        item,
                        &ItemsSeq {
                            items,
                            simplify: false,
                        },
                    )?;
                    map.end()
                }
            }
        }
    }
}

impl<'a> JsonShape<'a> {
    fn child(&self, value: &'a Value) -> JsonShape<'a> {
        JsonShape {
            value,
            simplify: self.simplify,
        }
    }

    fn seq<S: Serializer>(&self, s: S, items: &[Value]) -> Result<S::Ok, S::Error> {
        ItemsSeq {
            items,
            simplify: self.simplify,
        }
        .serialize(s)
    }
}

struct ItemsSeq<'a> {
    items: &'a [Value],
    simplify: bool,
}

impl Serialize for ItemsSeq<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.items.len()))?;
        for v in self.items {
            seq.serialize_element(&JsonShape {
                value: v,
                simplify: self.simplify,
            })?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_names() {
        assert_eq!(singular("items"), "item");
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("item_imgs"), "item_img");
        assert_eq!(singular("s"), "s");
        assert_eq!(singular("data"), "data");
    }

    #[test]
    fn from_json_wraps_arrays() {
        let json = serde_json::json!({"items": [{"num_iid": 1}], "tags": {"string": ["a"]}});
        let v = Value::from_json("", &json);
        assert_eq!(
            v,
            Value::object([
                (
                    "items",
                    Value::list("item", vec![Value::object([("num_iid", Value::int(1))])])
                ),
                ("tags", Value::list("string", vec![Value::str("a")])),
            ])
        );
    }
}

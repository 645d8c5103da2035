//! The data a success result carries, named: totals, list sizes, the ids of the first item.

use topgate_protocol::parse::SuccessBody;
use topgate_protocol::value::Value;

/// How deep into the tree ids are looked for.
const MAX_DEPTH: usize = 4;
/// At most this many facts from one result.
const MAX_FACTS: usize = 12;

/// Facts about a success body: `total_results=1115`, `items count=3`, `num_iid=520813250866`.
pub(crate) fn success_facts(s: &SuccessBody) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &s.fields {
        if let Some(text) = v.as_text() {
            out.push(format!(
                "{}={}",
                normal_name(k),
                crate::salvage::shorten(&text, 80)
            ));
        }
    }
    for (k, v) in &s.fields {
        walk(k, v, 1, &mut out);
    }
    out.dedup();
    out.truncate(MAX_FACTS);
    out
}

/// `totalResults` → `total_results` (the v1 and Java spelling of the v2 name).
fn normal_name(k: &str) -> String {
    let mut out = String::with_capacity(k.len() + 4);
    for c in k.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn is_id(k: &str) -> bool {
    let k = normal_name(k);
    k.ends_with("id") || k == "nick" || k == "total_results" || k == "time"
}

fn walk(name: &str, v: &Value, depth: usize, out: &mut Vec<String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::List { items, .. } => {
            out.push(format!("{name} count={}", items.len()));
            if let Some(first) = items.first() {
                walk(name, first, depth + 1, out);
            }
        }
        Value::Object(fields) => {
            let first = fields.first().map(|(k, _)| k.as_str());
            let repeated =
                fields.len() > 1 && fields.iter().all(|(k, _)| Some(k.as_str()) == first);
            if repeated {
                out.push(format!("{name} count={}", fields.len()));
                walk(name, &fields[0].1, depth + 1, out);
                return;
            }
            for (k, v) in fields {
                match v.as_text() {
                    Some(text) if is_id(k) => out.push(format!(
                        "{}={}",
                        normal_name(k),
                        crate::salvage::shorten(&text, 80)
                    )),
                    Some(_) => {}
                    None => walk(k, v, depth + 1, out),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_totals_counts_and_ids() {
        let s = SuccessBody {
            response_key: Some("rsp".into()),
            fields: vec![
                ("totalResults".into(), Value::str("1115")),
                (
                    "items".into(),
                    Value::object([
                        (
                            "item",
                            Value::object([
                                ("iid", Value::str("77a0")),
                                ("modified", Value::str("x")),
                            ]),
                        ),
                        ("item", Value::object([("iid", Value::str("c559"))])),
                    ]),
                ),
            ],
            request_id: None,
        };
        let facts = success_facts(&s);
        assert!(
            facts.contains(&"total_results=1115".to_string()),
            "{facts:?}"
        );
        assert!(facts.contains(&"items count=2".to_string()), "{facts:?}");
        assert!(facts.contains(&"iid=77a0".to_string()), "{facts:?}");
        assert!(
            !facts.iter().any(|f| f.starts_with("modified")),
            "{facts:?}"
        );
    }
}

//! A response inside something else: a JSON array, an object spliced with another response,
//! or text that comes before it (an SDK's exception line).

use serde_json::Value as Json;
use topgate_protocol::parse::{self, Form};

use super::{from_response, read, shorten, Content, Reading};

/// `[{...}]` and `{"error_response":..,"time_get_response":..}`: the response that matters.
pub(super) fn unwrap_json(text: &str) -> Option<Reading> {
    let json: Json = serde_json::from_str(text).ok()?;
    let (picked, fact, zh, en) = match json {
        Json::Array(items) => {
            let n = items.len();
            let pick = items
                .iter()
                .find(|v| v.get("error_response").is_some() || v.get("error_rsp").is_some())
                .or_else(|| items.iter().find(|v| v.is_object()))?
                .clone();
            (
                pick,
                "top-level array".to_string(),
                format!("响应被包在一个JSON数组里（{n}个元素），读取的是其中的响应。"),
                format!(
                    "The response is inside a top-level JSON array ({n} element{}); the response in it was read.",
                    if n == 1 { "" } else { "s" }
                ),
            )
        }
        Json::Object(map) if map.len() > 1 => {
            let n = map.len();
            let key = ["error_response", "error_rsp"]
                .into_iter()
                .find(|k| map.contains_key(*k))
                .map(str::to_string)
                .or_else(|| {
                    map.keys()
                        .find(|k| k.ends_with("_response") || *k == "rsp")
                        .cloned()
                })?;
            let mut one = serde_json::Map::new();
            one.insert(key.clone(), map[&key].clone());
            let words = if n == 2 {
                "two".to_string()
            } else {
                n.to_string()
            };
            (
                Json::Object(one),
                format!("{words} top-level keys"),
                format!("响应有{n}个顶层键（正常只有一个），按SDK的做法读取{key}。"),
                format!("The body has {n} top-level keys (a response has one); {key} was read, as SDKs do."),
            )
        }
        _ => return None,
    };
    let resp = parse::parse(picked.to_string().as_bytes()).ok()?;
    Some(from_response(resp, b"").guess(Some(fact), zh, en))
}

/// A response after some other text (an SDK's exception line).
pub(super) fn embedded(text: &str) -> Option<Reading> {
    let starts = ["<?xml", "<error_response", "<error_rsp", "<rsp", "{\""];
    let mut candidates: Vec<usize> = starts
        .iter()
        .flat_map(|s| text.match_indices(s).map(|(k, _)| k))
        .filter(|&k| k > 0)
        .collect();
    candidates.sort_unstable();
    candidates.truncate(8);
    let (at, inner) = candidates.into_iter().find_map(|at| {
        let inner = read(&text.as_bytes()[at..]);
        let top = matches!(inner.content, Content::Error(_) | Content::Success(_));
        (top && inner.form != Some(Form::Simplified)).then_some((at, inner))
    })?;
    let prefix = text[..at].trim();
    let line = shorten(prefix.lines().next().unwrap_or(prefix).trim(), 200);
    let zh = format!(
        "响应前面还有一段文字（通常是SDK抛出的异常信息）：“{line}”。读取的是它后面的响应。"
    );
    let en = format!("Text comes before the response (usually the SDK's exception message): \"{line}\". The response after it was read.");
    Some(inner.guess(Some(format!("text before the response: {line}")), zh, en))
}

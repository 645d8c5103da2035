//! The server-side case: a call the gateway archived, found by its request id
//! (`GET /admin/requests/{id}`). The stored response body is diagnosed as a client would, and
//! what only the server saw is added: the parameters it received, which check failed and why,
//! the string it signed, and the backend's answer and latency.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value as Json;
use topgate_protocol::errors::{PlatformError, REMOTE_SERVICE_ERROR};
use topgate_protocol::render::{render_error, ErrorBody, Format, ResponseForm, Version};
use topgate_protocol::time::format_gmt8;

use crate::diagnosis::{Class, Diagnosis, FindingKind};
use crate::evidence::{pairs, Evidence};

/// One archived call, as the admin API returns it. Every field is optional on the wire
/// (`null` and absent read as empty), and `params` may be an object, a list of pairs, or a list
/// of `{name, value}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArchivedCall {
    #[serde(deserialize_with = "text")]
    pub request_id: String,
    #[serde(deserialize_with = "number")]
    pub received_at_ms: i64,
    #[serde(deserialize_with = "text")]
    pub client_addr: String,
    pub app_key: Option<String>,
    pub method: Option<String>,
    pub version: Option<String>,
    pub format: Option<String>,
    pub sign_method: Option<String>,
    #[serde(deserialize_with = "params")]
    pub params: Vec<(String, String)>,
    /// The check that failed ("signature", "timestamp", "permission", ...).
    pub failed_check: Option<String>,
    /// Why, in the server's words ("timestamp is 14 minutes behind the server").
    pub check_detail: Option<String>,
    /// On a signature failure: the string the server signed (never the secret).
    pub string_to_sign: Option<String>,
    pub code: Option<i64>,
    pub sub_code: Option<String>,
    #[serde(deserialize_with = "text")]
    pub response_body: String,
    #[serde(deserialize_with = "float")]
    pub latency_ms: f64,
    pub backend: Option<String>,
    pub backend_latency_ms: Option<f64>,
    pub backend_answer: Option<String>,
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::String(s) => s,
        Json::Null => String::new(),
        other => other.to_string(),
    })
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::Number(n) => n
            .as_i64()
            .unwrap_or_else(|| n.as_f64().unwrap_or(0.0) as i64),
        Json::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

fn float<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(match Json::deserialize(d)? {
        Json::Number(n) => n.as_f64().unwrap_or(0.0),
        Json::String(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    })
}

fn params<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    Ok(pairs(&Json::deserialize(d)?))
}

/// Explains an archived call: its response body, plus what the server saw.
pub fn diagnose_archived(record: &ArchivedCall) -> Diagnosis {
    let mut d = if record.response_body.trim().is_empty() && record.code.is_none() {
        let mut d = Diagnosis::new(topgate_protocol::parse::BodyFormat::Empty);
        d.say(
            FindingKind::Server,
            "存档里没有这次调用的响应内容（成功的调用可能只按比例存档）。",
            "The archive holds no response body for this call (successes may be sampled).",
        );
        d
    } else {
        let e = Evidence {
            body: body(record),
            http_status: Some(200),
            method: record.method.clone(),
            params: record.params.clone(),
            saved_at: (record.received_at_ms > 0).then(|| record.received_at_ms.to_string()),
            ..Evidence::default()
        };
        crate::diagnose_with_args(&e, &record.params)
    };
    if d.request_id.is_none() && !record.request_id.is_empty() {
        d.request_id = Some(record.request_id.clone());
    }
    server_side(&mut d, record);
    d
}

/// The stored body; an error rebuilt from code and sub code when the body was not kept.
fn body(r: &ArchivedCall) -> Vec<u8> {
    if !r.response_body.trim().is_empty() {
        return r.response_body.clone().into_bytes();
    }
    let code = r.code.unwrap_or_default();
    let msg = PlatformError::from_code(code)
        .map(|p| p.spec().wire_msg)
        .unwrap_or(REMOTE_SERVICE_ERROR);
    let error = ErrorBody {
        code,
        msg: msg.to_string(),
        sub_code: r.sub_code.clone(),
        sub_msg: None,
        args: Vec::new(),
        request_id: Some(r.request_id.clone()).filter(|s| !s.is_empty()),
    };
    let format = Format::parse(r.format.as_deref()).unwrap_or_default();
    let version = if r.version.as_deref() == Some("1.0") {
        Version::V1
    } else {
        Version::V2
    };
    render_error(ResponseForm::new(format, version, false), &error)
}

fn server_side(d: &mut Diagnosis, r: &ArchivedCall) {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    let when = if r.received_at_ms > 0 {
        format_gmt8(r.received_at_ms)
    } else {
        "-".to_string()
    };
    let envelope = format!(
        "app_key={}, method={}, v={}, format={}, sign_method={}",
        dash(&r.app_key),
        dash(&r.method),
        dash(&r.version),
        dash(&r.format),
        dash(&r.sign_method)
    );
    let from = if r.client_addr.is_empty() {
        "-"
    } else {
        r.client_addr.as_str()
    };
    d.say(
        FindingKind::Server,
        format!("服务端在{when}（GMT+8）收到来自{from}的这次调用：{envelope}；共{}个参数。", r.params.len()),
        format!("The server received this call at {when} (GMT+8) from {from}: {envelope}; {} parameters.", r.params.len()),
    );
    d.fact(format!("client_addr={from}"));
    if let Some(check) = &r.failed_check {
        d.fact(format!("failed_check={check}"));
        let (zh, en) = match &r.check_detail {
            Some(detail) => {
                d.fact(format!("check_detail={detail}"));
                (
                    format!("未通过的检查：{check}（{detail}）。"),
                    format!("The check that failed: {check}: {detail}."),
                )
            }
            None => (
                format!("未通过的检查：{check}。"),
                format!("The check that failed: {check}."),
            ),
        };
        d.say(FindingKind::Server, zh, en);
    }
    if let Some(s) = &r.string_to_sign {
        let method = dash(&r.sign_method);
        d.fact(format!("string_to_sign={s}"));
        d.say(
            FindingKind::Server,
            format!("服务端用{method}对这个字符串签名：{s}。你的签名与之不同：请对完全相同的字符串计算签名（参数按名字排序，名字和值直接相连，没有分隔符；md5时在前后各加上secret），逐字节比较（空格、编码、空值参数、多传或少传的参数）。"),
            format!("The server signed this string with {method}: {s}. Your sign differs: compute it over exactly this string (parameters sorted by name, name and value joined with no separators; for md5 the secret on both ends) and compare byte by byte (spaces, encoding, empty values, parameters sent or not)."),
        );
    }
    if let (Some(code), Some(stored)) = (r.code, d.code) {
        if code != stored {
            d.say(
                FindingKind::Note,
                format!("存档记录的错误码{code}与存档的响应内容中的错误码{stored}不一致。"),
                format!("The archive records code {code}, but the stored body says {stored}."),
            );
        }
    }
    d.fact(format!("latency_ms={:.1}", r.latency_ms));
    match (&r.backend, r.backend_latency_ms) {
        (Some(b), ms) => {
            let took = ms
                .map(|m| format!("{m:.1} ms"))
                .unwrap_or_else(|| "?".to_string());
            d.fact(format!("backend={b}"));
            let answer = r.backend_answer.as_deref().unwrap_or("-");
            d.say(
                FindingKind::Server,
                format!("后端{b}用时{took}，它的回答：{answer}"),
                format!("The backend {b} took {took}; its answer: {answer}"),
            );
        }
        (None, _) if r.failed_check.is_some() && d.class != Class::Success => d.say(
            FindingKind::Server,
            "调用停在了上面的检查，没有调用后端服务。",
            "The call stopped at the check above; no backend was called.",
        ),
        _ => {}
    }
}

//! Explains any TOP response: which layer failed, why, and what to do, in Chinese and English.
//!
//! The engine behind `topgate diagnose` and the console; no I/O, no async.
//!
//! - [`evidence`]: what it is given: a body, or the SDK's saved-response file, with what the
//!   client knew (requested format, HTTP status, API, parameters, files, when it was saved).
//! - `salvage`: reading the body, whatever shape it is in: well-formed, cut short, wrapped in an
//!   array, behind an exception line, printed by an SDK (PHP, Python, node, Java), HTML, bytes.
//! - `classify` and `explain`: the class (PROTOCOL.md section 5), the code and sub code in plain
//!   words from the catalog, whether a retry helps.
//! - `mismatch`: the seed's format-mismatch decision tree (ERRORS.md section 4).
//! - `connection`: no response, or a status other than 200.
//! - `args`: the parameters the server echoed, and which look wrong.
//! - [`archive`]: the server-side view of an archived call (`topgate diagnose --request-id`).
//! - `render`: the text for people ([`Diagnosis::render_text`]) and JSON for programs
//!   ([`Diagnosis::to_json`]).
//!
//! ```
//! use topgate_diagnose::{diagnose, Class, Evidence};
//! let body = br#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count","sub_msg":"This ban will last for 71 more seconds","request_id":"coc7mwnlmr0lrm0"}}"#;
//! let d = diagnose(&Evidence::from_body(&body[..]));
//! assert_eq!(d.class, Class::FlowControl);
//! assert_eq!(d.wait_seconds, Some(71));
//! ```

pub mod archive;
mod args;
mod classify;
mod connection;
mod data;
mod diagnosis;
pub mod evidence;
mod explain;
mod mismatch;
mod render;
mod salvage;

pub use archive::{diagnose_archived, ArchivedCall};
pub use diagnosis::{
    Class, Diagnosis, Finding, FindingKind, Mismatch, MismatchBranch, MismatchInner,
};
pub use evidence::{Evidence, EvidenceError};
pub use render::form_name;
pub use topgate_protocol::errors::Lang;
pub use topgate_protocol::parse::{BodyFormat, Form};
pub use topgate_protocol::render::Format;

use salvage::Content;
use topgate_protocol::render::response_key;
use topgate_protocol::time::format_gmt8;

/// Explains one response.
pub fn diagnose(e: &Evidence) -> Diagnosis {
    diagnose_with_args(e, &[])
}

/// [`diagnose`], with the parameters to show when the body does not echo them (the archive
/// knows what the server received).
pub(crate) fn diagnose_with_args(e: &Evidence, received: &[(String, String)]) -> Diagnosis {
    let reading = salvage::read(&e.body);
    let mut d = Diagnosis::new(reading.format);
    d.form = reading.form;
    d.guessed = reading.guessed;
    reading.facts.iter().for_each(|f| d.fact(f.clone()));
    d.findings.extend(reading.notes.iter().cloned());
    let error = match &reading.content {
        Content::Error(f) => {
            d.code = f.code;
            d.msg = f.msg.clone();
            d.sub_code = f.sub_code.clone();
            d.sub_msg = f.sub_msg.clone();
            d.request_id = f.request_id.clone();
            d.args = f.args.clone();
            Some(f.clone())
        }
        Content::Success(s) => {
            d.response_key = s.response_key.clone();
            d.request_id = s.request_id.clone();
            data::success_facts(s).into_iter().for_each(|f| d.fact(f));
            None
        }
        _ => None,
    };
    if d.request_id.is_none() {
        d.request_id = request_id_header(e);
    }
    if d.args.is_empty() {
        d.args = received.to_vec();
    }
    args::analyse(&mut d, e, error.as_ref());
    connection::page(&mut d, &reading);
    if let Some(f) = &error {
        classify::error(&mut d, f, reading.form);
        explain::error_details(&mut d, f);
    }
    if connection::applies(e, &reading) {
        connection::explain(&mut d, e);
    } else if mismatch::applies(e, &reading) {
        mismatch::explain(&mut d, e, &reading);
    } else {
        match &reading.content {
            Content::Success(_) => success(&mut d, e),
            Content::Error(_) => {}
            _ => unreadable(&mut d),
        }
    }
    if d.class != Class::FlowControl {
        d.wait_seconds = None;
    }
    class_defaults(&mut d);
    retry_at(&mut d, e);
    d
}

fn request_id_header(e: &Evidence) -> Option<String> {
    e.headers
        .iter()
        .find(|(k, _)| {
            let k = k.to_ascii_lowercase().replace('_', "-");
            k.ends_with("request-id") || k == "x-request-id"
        })
        .map(|(_, v)| v.clone())
}

fn success(d: &mut Diagnosis, e: &Evidence) {
    d.class = Class::Success;
    let truncated = d.facts.iter().any(|f| f == "truncated");
    d.retryable = truncated;
    let key = d.response_key.clone().unwrap_or_default();
    d.say(
        FindingKind::Meaning,
        format!(
            "这是一个正常的调用结果{}。",
            if key.is_empty() {
                String::new()
            } else {
                format!("（{key}）")
            }
        ),
        format!(
            "This is an ordinary result{}.",
            if key.is_empty() {
                String::new()
            } else {
                format!(" ({key})")
            }
        ),
    );
    if truncated {
        d.say(
            FindingKind::Remedy,
            "结果不完整，请重新获取；读操作可以直接重试，写操作先确认上次调用是否已经生效。",
            "The result is incomplete: fetch it again. A read can simply be retried; for a write, first check whether the previous call took effect.",
        );
    }
    let (Some(method), Some(key)) = (e.method.as_deref(), d.response_key.as_deref()) else {
        return;
    };
    if key != "rsp" && d.form != Some(Form::Unwrapped) && key != response_key(method) {
        d.say(
            FindingKind::Note,
            format!("响应的键{key}与调用的API {method}（应为{}）不符：这可能是另一个调用的响应。", response_key(method)),
            format!("The response key {key} does not match the API called, {method} (expected {}): this may be another call's response.", response_key(method)),
        );
    }
}

fn unreadable(d: &mut Diagnosis) {
    d.class = Class::Unknown;
    d.retryable = false;
    d.say(
        FindingKind::Cause,
        "响应既不是JSON也不是XML，也没有找到TOP的错误信息。不知道请求的格式时无法进一步判断；请用--requested-format说明请求的格式，或保存完整的响应再诊断。",
        "The body is neither JSON nor XML and no TOP error could be found in it. Without the requested format nothing more can be said; give --requested-format, or save the whole response and diagnose that.",
    );
}

/// The absolute time the ban ends, when the saved file says when the response arrived.
fn retry_at(d: &mut Diagnosis, e: &Evidence) {
    let Some(wait) = d.wait_seconds else { return };
    let at = e
        .saved_at_ms()
        .map(|ms| format_gmt8(ms.saturating_add(wait.saturating_mul(1000) as i64)));
    d.retry_at = at.clone();
    let (zh_at, en_at) = match &at {
        Some(t) => (
            format!("，即{t}（GMT+8）之后"),
            format!(", that is after {t} (GMT+8)"),
        ),
        None => (String::new(), String::new()),
    };
    d.say(
        FindingKind::Remedy,
        format!("等待{wait}秒{zh_at}再调用；在此之前的调用仍会被拒绝。"),
        format!("Wait {wait} seconds{en_at} before calling again; calls before then are refused."),
    );
}

/// A cause and a remedy from the class alone, when nothing more specific was found.
fn class_defaults(d: &mut Diagnosis) {
    let (cause, remedy): ((&str, &str), (&str, &str)) = match d.class {
        Class::IsvBusiness => (
            ("业务服务拒绝了调用的参数或数据。", "The business service refused the call's parameters or data."),
            ("按错误信息对照API文档修改参数后再调用。", "Fix the parameters as the messages say, checking the API's documentation, then call again."),
        ),
        Class::Provider => (
            ("平台后面的业务服务出错，调用本身可能没有问题。", "The business service behind the platform failed; the call itself may be fine."),
            ("稍后重试（逐次拉长间隔）；写操作在重试前先确认上次调用是否已经生效；持续失败请联系技术支持。", "Retry later with growing intervals; for a write, first check whether the previous call took effect; contact support if it persists."),
        ),
        Class::FlowControl => (
            ("调用超出了调用次数或频率的限制。", "The calls exceeded a call quota or frequency limit."),
            ("降低调用频率，等封禁结束后再调用。", "Call less often, and call again when the ban is over."),
        ),
        Class::Platform => (
            ("平台在调用业务服务之前拒绝了请求。", "The platform refused the request before any business service ran."),
            ("对照错误码的说明检查权限、配额和系统参数。", "Check permissions, quota and the system parameters against the code's meaning."),
        ),
        _ => return,
    };
    if d.findings_of(FindingKind::Cause).next().is_none() {
        d.say(FindingKind::Cause, cause.0, cause.1);
    }
    if d.findings_of(FindingKind::Remedy).next().is_none() {
        d.say(FindingKind::Remedy, remedy.0, remedy.1);
    }
}

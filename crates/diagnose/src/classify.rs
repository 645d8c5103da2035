//! Which class an error belongs to (PROTOCOL.md section 5), whether its code is in the catalog,
//! whether a retry can help, and what the code means.
//!
//! The protocol's [`classify`] decides v2 errors. Two readings are added here: v1 legacy codes
//! (no sub codes; "... service unavailable" and 900-902 are the provider's, the rest the
//! caller's), and codes in no table, which are classed by range and sub code family and said to
//! be unknown.

use topgate_protocol::errors::{
    classify, legacy, parse_ban_seconds, ErrorClass, Fault, LegacyCode, PlatformError, ProductLine,
};
use topgate_protocol::parse::Form;

use crate::diagnosis::{Class, Diagnosis, FindingKind};
use crate::salvage::ErrorFields;

/// Code 50 carries a relayed business error in real responses (ERRORS.md section 2).
const RELAYED_BUSINESS: i64 = 50;

/// The legacy v1 code an error carries, if it is read as one: in a v1 body, or a code in the
/// legacy table that no product line has (a v2 body's code names the product line).
pub(crate) fn legacy_of(f: &ErrorFields, form: Option<Form>) -> Option<&'static LegacyCode> {
    let code = f.code?;
    if code < 100 || f.sub_code.is_some() {
        return None;
    }
    let l = legacy(code)?;
    let named = f.msg.as_deref().is_some_and(|m| {
        m.to_ascii_lowercase()
            .starts_with(&l.wire_msg.to_ascii_lowercase())
    });
    let v1 = match form {
        Some(Form::V1) => true,
        Some(Form::V2) => ProductLine::from_code(code).is_none(),
        _ => ProductLine::from_code(code).is_none() || named,
    };
    v1.then_some(l)
}

/// Whether any table of the catalog has this code.
pub(crate) fn known_code(code: i64) -> bool {
    PlatformError::from_code(code).is_some()
        || ProductLine::from_code(code).is_some()
        || legacy(code).is_some()
        || code == RELAYED_BUSINESS
}

/// Sets class, known, retryable and wait_seconds for an error, and says what its code means.
pub(crate) fn error(d: &mut Diagnosis, f: &ErrorFields, form: Option<Form>) {
    let Some(code) = f.code else {
        d.class = Class::Unknown;
        d.known = false;
        d.say(
            FindingKind::Meaning,
            "没有找到错误码，无法按错误码归类；请保存完整的响应后再诊断。",
            "No error code was found, so the error cannot be classed; save the whole response and diagnose that.",
        );
        return;
    };
    d.known = known_code(code);
    d.wait_seconds = f.sub_msg.as_deref().and_then(parse_ban_seconds);
    if let Some(l) = legacy_of(f, form) {
        legacy_code(d, f, l);
        return;
    }
    d.class = match classify(code, f.sub_code.as_deref(), f.sub_msg.as_deref()) {
        ErrorClass::FlowControl => Class::FlowControl,
        ErrorClass::Provider => Class::Provider,
        ErrorClass::Platform => Class::Platform,
        ErrorClass::IsvBusiness | ErrorClass::Connection | ErrorClass::FormatMismatch => {
            Class::IsvBusiness
        }
    };
    d.retryable = match d.class {
        Class::FlowControl | Class::Provider => true,
        Class::IsvBusiness => code == 15 && f.sub_code.is_none(),
        Class::Platform => PlatformError::from_code(code).is_some_and(|p| p.spec().retryable),
        _ => false,
    };
    if let Some(p) = PlatformError::from_code(code) {
        platform_code(d, p);
    } else if let Some(line) = ProductLine::from_code(code) {
        let name = line.name();
        d.fact(format!("product_line={}", line.slug()));
        d.say(
            FindingKind::Meaning,
            format!("错误码{code}表示{}类API的业务错误：调用通过了平台校验，在业务处理时出错。具体原因要看sub_code和sub_msg。", name.zh),
            format!("Code {code} is the {} product line's business error: the call passed the platform's checks and failed in the business service. sub_code and sub_msg give the cause.", name.en),
        );
    } else if code == RELAYED_BUSINESS {
        d.say(
            FindingKind::Meaning,
            "错误码50（真实响应中出现过）转发的是后端业务错误，原因看sub_code和sub_msg。",
            "Code 50 (seen in real responses) relays a backend business error; sub_code and sub_msg give the cause.",
        );
    } else {
        unknown_code(d, code);
    }
}

fn platform_code(d: &mut Diagnosis, p: PlatformError) {
    let spec = p.spec();
    d.say(
        FindingKind::Meaning,
        format!(
            "错误码{}（{}）：{}。",
            spec.code, spec.wire_msg, spec.meaning.zh
        ),
        format!(
            "Code {} ({}): {}.",
            spec.code, spec.wire_msg, spec.meaning.en
        ),
    );
    let (zh, en) = match spec.fault {
        Fault::Caller if spec.code == 15 => (
            "API调用的后端服务报错；首先怀疑调用的参数（sub_code和sub_msg会指出问题），参数没问题时是后端的临时故障。",
            "The API's backend service reported an error; the call's parameters are the first suspect (sub_code and sub_msg point at them), otherwise it is a passing backend fault.",
        ),
        Fault::Caller => (
            "请求本身有问题（系统参数、签名或业务参数），平台在调用业务服务之前就拒绝了它。",
            "The request itself is at fault (system parameters, signature or business parameters): the platform refused it before any business service ran.",
        ),
        Fault::User => (
            "用户没有授权应用做这件事。",
            "The user has not authorised the app to do this.",
        ),
        Fault::Platform if d.class == Class::FlowControl => (
            "调用超出了平台给应用、用户、会话或合作伙伴的调用次数或频率限制。",
            "The calls exceeded a limit the platform sets on the app, user, session or partner.",
        ),
        Fault::Platform => (
            "平台的策略或平台自身的故障，与调用的参数无关。",
            "The platform's policy or its own fault, not the call's parameters.",
        ),
        Fault::Provider | Fault::Network => (
            "后端服务或网络出错。",
            "The backend service or the network failed.",
        ),
    };
    d.say(FindingKind::Cause, zh, en);
    d.say(FindingKind::Remedy, spec.remedy.zh, spec.remedy.en);
}

fn legacy_code(d: &mut Diagnosis, f: &ErrorFields, l: &LegacyCode) {
    let provider =
        l.wire_msg.to_ascii_lowercase().contains("unavailable") || (900..=902).contains(&l.code);
    d.class = if provider {
        Class::Provider
    } else {
        Class::IsvBusiness
    };
    d.retryable = provider;
    let (name, detail) = match f.msg.as_deref().and_then(|m| m.split_once(':')) {
        Some((name, detail)) => (name.trim().to_string(), Some(detail.trim().to_string())),
        None => (
            f.msg.clone().unwrap_or_else(|| l.wire_msg.to_string()),
            None,
        ),
    };
    d.fact(format!("legacy={name}"));
    if let Some(detail) = detail.filter(|s| !s.is_empty()) {
        d.fact(format!("detail={detail}"));
    }
    d.say(
        FindingKind::Meaning,
        format!("v1旧版业务错误码{}（{}）：{}。v1没有子错误码，冒号后面是具体原因。", l.code, l.wire_msg, l.meaning.zh),
        format!("Legacy v1 business code {} ({}): {}. v1 has no sub codes; the text after the colon is the detail.", l.code, l.wire_msg, l.meaning.en),
    );
    if let Some(line) = ProductLine::from_code(i64::from(l.code)).map(|p| p.name()) {
        d.say(
            FindingKind::Note,
            format!("注意：在v2里{}是{}产品线的错误码，v1里的含义不同，这里按v1读。", l.code, line.zh),
            format!("Note: in v2, {} is the {} product line's code; v1 means something else, and this was read as v1.", l.code, line.en),
        );
    }
    let (zh, en) = if provider {
        (
            "后端业务服务出错，与调用的参数无关。",
            "The backend business service failed; the call's parameters are not the cause.",
        )
    } else {
        (
            "业务服务拒绝了调用的参数或数据。",
            "The business service refused the call's parameters or data.",
        )
    };
    d.say(FindingKind::Cause, zh, en);
    if let Some(detail) = f
        .msg
        .as_deref()
        .and_then(|m| m.split_once(':'))
        .map(|(_, x)| x.trim())
    {
        d.say(
            FindingKind::Cause,
            format!("冒号后的具体原因：{detail}"),
            format!("The detail after the colon: {detail}"),
        );
    }
    d.say(FindingKind::Remedy, l.remedy.zh, l.remedy.en);
}

fn unknown_code(d: &mut Diagnosis, code: i64) {
    let (zh, en) = match code {
        ..=99 => (
            "按范围（小于100）属于平台级错误".to_string(),
            "by its range (below 100) it is a platform error".to_string(),
        ),
        500..=1000 => (
            "按范围（500-1000）属于业务错误，但没有哪个产品线使用这个错误码".to_string(),
            "by its range (500-1000) it is a business error, but no product line has this code"
                .to_string(),
        ),
        _ => (
            "不在任何有文档的范围内（平台级小于100，业务500-1000）".to_string(),
            "it is outside every documented range (platform below 100, business 500-1000)"
                .to_string(),
        ),
    };
    d.say(
        FindingKind::Meaning,
        format!("错误码{code}不在错误码表里（未知错误码）；{zh}。分类依据错误码范围和sub_code的前缀，不是错误码表。"),
        format!("Code {code} is not in the catalog (an unknown code); {en}. The class rests on the code's range and the sub code's family, not on the catalog."),
    );
}

//! The sub code and the messages in plain words: the catalog's meaning and remedy for a known
//! sub code, the family for an unknown one, and the parameter names the messages point at.

use topgate_protocol::errors::{read_sub_code, PlatformError, SubCode, SubFamily};

use crate::diagnosis::{Class, Diagnosis, FindingKind};
use crate::salvage::ErrorFields;

pub(crate) fn error_details(d: &mut Diagnosis, f: &ErrorFields) {
    msg_detail(d, f);
    if let Some(raw) = f.sub_code.as_deref() {
        sub_code(d, f, raw);
    }
    if let Some(sub_msg) = f.sub_msg.as_deref().filter(|s| !s.trim().is_empty()) {
        if let Some(n) = d.wait_seconds {
            d.say(
                FindingKind::Cause,
                format!("服务端说：这次封禁还要持续{n}秒（sub_msg：{sub_msg}）。"),
                format!("The server says the ban lasts {n} more seconds (sub_msg: {sub_msg})."),
            );
        } else {
            d.say(
                FindingKind::Cause,
                format!("服务端给出的具体原因（sub_msg）：{sub_msg}"),
                format!("The server's own words on the cause (sub_msg): {sub_msg}"),
            );
        }
    }
}

/// `Missing required arguments:fields`, `Invalid arguments:num_iid`: the parameter named.
fn msg_detail(d: &mut Diagnosis, f: &ErrorFields) {
    let (Some(code), Some(msg)) = (f.code, f.msg.as_deref()) else {
        return;
    };
    let Some(p) = PlatformError::from_code(code).filter(|p| p.spec().takes_detail) else {
        return;
    };
    let Some((_, detail)) = msg.split_once(':') else {
        return;
    };
    let name = detail.split_whitespace().last().unwrap_or("").trim();
    if name.is_empty() {
        return;
    }
    let label = if p == PlatformError::MissingRequiredArguments {
        "missing"
    } else {
        "invalid"
    };
    d.fact(format!("{label}={name}"));
    let got = f
        .args
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone());
    let (zh, en) = match &got {
        Some(v) => (
            format!("，服务端收到的值是{name}={v}"),
            format!("; the server received {name}={v}"),
        ),
        None => (String::new(), String::new()),
    };
    d.say(
        FindingKind::Cause,
        format!("服务端指出的参数：{name}{zh}。"),
        format!("The parameter the server names: {name}{en}."),
    );
    if got.is_some() && !d.suspicious.iter().any(|s| s == name) {
        d.suspicious.push(name.to_string());
    }
}

fn sub_code(d: &mut Diagnosis, f: &ErrorFields, raw: &str) {
    let info = read_sub_code(raw);
    if let Some(detail) = &info.detail {
        let param = detail.split(':').next().unwrap_or("").trim();
        if is_name(param) {
            d.fact(format!("parameter={param}"));
            d.say(
                FindingKind::Cause,
                format!("sub_code冒号后的部分（{detail}）指出了出错的参数：{param}。"),
                format!(
                    "The part of sub_code after the colon ({detail}) names the parameter: {param}."
                ),
            );
        }
    }
    match info.known {
        Some(sc) => {
            let spec = sc.spec();
            d.say(
                FindingKind::Meaning,
                format!("子错误码{raw}：{}。", spec.meaning.zh),
                format!("Sub code {raw}: {}.", spec.meaning.en),
            );
            if info.family == SubFamily::Bare && sc.family() != SubFamily::Bare {
                d.say(
                    FindingKind::Note,
                    format!("这个子错误码没有带族前缀（与种子文档的写法一样），完整写法是{}。", sc.as_string()),
                    format!("This sub code came without its family prefix (as the seed writes them); in full it is {}.", sc.as_string()),
                );
            }
            if f.code.and_then(PlatformError::from_code).is_none() {
                d.say(FindingKind::Remedy, spec.remedy.zh, spec.remedy.en);
            }
            if sc == SubCode::MissingParameter {
                missing_from_sub_msg(d, f);
            }
        }
        None => unknown_sub_code(d, raw, info.family),
    }
}

fn unknown_sub_code(d: &mut Diagnosis, raw: &str, family: SubFamily) {
    let norm = raw.to_ascii_lowercase().replace('_', "-");
    let (zh, en): (String, String) = match (family, norm.as_str()) {
        // Code 27's sub codes are sent bare (and then known); some clients print them prefixed.
        (_, "isv.session-expired") | (_, "isv.invalid-sessionkey") => {
            let sc = if norm.ends_with("session-expired") {
                SubCode::SessionExpired
            } else {
                SubCode::InvalidSessionKey
            };
            let spec = sc.spec();
            (
                format!("{}。{}", spec.meaning.zh, spec.remedy.zh),
                format!("{}. {}", spec.meaning.en, spec.remedy.en),
            )
        }
        (SubFamily::Isv, _) if d.class == Class::Platform => (
            format!("子错误码{raw}是对错误码的补充说明（不在通用子错误码表里），具体情况看sub_msg。"),
            format!("Sub code {raw} adds detail to the code (it is not in the common table); sub_msg says more."),
        ),
        (SubFamily::Isv, _) => (
            format!("子错误码{raw}是该API自己的（不在通用子错误码表里）；isv.前缀表示是调用方的参数或数据的问题，按sub_msg修改。"),
            format!("Sub code {raw} belongs to this API (it is not in the common table); the isv. prefix means the caller's parameters or data: fix them as sub_msg says."),
        ),
        (SubFamily::Isp, _) => (
            format!("子错误码{raw}不在表里；isp.前缀表示服务提供方（后端）的问题，与调用参数无关，稍后重试。"),
            format!("Sub code {raw} is not in the table; the isp. prefix means the provider (backend) failed, not the call: retry later."),
        ),
        (SubFamily::AccessControl, _) => (
            format!("子错误码{raw}不在表里；accesscontrol.前缀表示流量控制。"),
            format!("Sub code {raw} is not in the table; the accesscontrol. prefix means flow control."),
        ),
        (SubFamily::Bare, _) => (
            format!("子错误码{raw}不在表里，也没有族前缀（isv./isp.），无法判断是谁的问题；参考sub_msg。"),
            format!("Sub code {raw} is not in the table and has no family prefix (isv./isp.), so whose fault it is cannot be told from it; see sub_msg."),
        ),
        (SubFamily::Other, _) => (
            format!("子错误码{raw}的前缀不是已知的族（isv./isp./accesscontrol.），参考sub_msg。"),
            format!("Sub code {raw} has a prefix that is no known family (isv./isp./accesscontrol.); see sub_msg."),
        ),
    };
    d.say(FindingKind::Meaning, zh, en);
    if d.class == Class::IsvBusiness && matches!(family, SubFamily::Isv) {
        d.say(
            FindingKind::Remedy,
            "按sub_msg的说明对照API文档修改参数或数据后再调用；原样重试不会成功。",
            "Fix the parameters or data as sub_msg says, checking the API's documentation; the same request will fail again.",
        );
    }
}

/// `iid和num_iid至少要传入一个` → `missing=iid/num_iid`.
fn missing_from_sub_msg(d: &mut Diagnosis, f: &ErrorFields) {
    let Some(sub_msg) = f.sub_msg.as_deref() else {
        return;
    };
    let ascii_only = sub_msg.is_ascii();
    let names: Vec<&str> = sub_msg
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| is_name(w) && w.len() > 1)
        .filter(|w| !ascii_only || w.contains('_') || f.args.iter().any(|(k, _)| k == w))
        .collect();
    if !names.is_empty() {
        d.fact(format!("missing={}", names.join("/")));
    }
}

/// A parameter-like name: ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

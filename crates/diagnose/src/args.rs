//! The parameters the server echoed (`args`): what they show, and which look wrong.

use topgate_protocol::errors::{read_sub_code, SubCode};
use topgate_protocol::parse::BodyFormat;
use topgate_protocol::render::Format;
use topgate_protocol::sign::SignMethod;
use topgate_protocol::time::{format_gmt8, parse_timestamp, skew};

use crate::diagnosis::{Diagnosis, FindingKind};
use crate::evidence::Evidence;
use crate::salvage::{shorten, ErrorFields};

/// A file larger than this is named as a likely cause of a damaged request.
pub(crate) const LARGE_FILE: u64 = 1024 * 1024;
/// A text parameter longer than this is named too.
pub(crate) const LONG_TEXT: usize = 2000;

pub(crate) fn get<'a>(args: &'a [(String, String)], name: &str) -> Option<&'a str> {
    args.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The size in `a.png (1024 bytes)`, the way the echo shows a file.
pub(crate) fn file_size(value: &str) -> Option<u64> {
    let inner = value.strip_suffix(" bytes)")?;
    let at = inner.rfind('(')?;
    inner[at + 1..].trim().parse().ok()
}

fn mark(d: &mut Diagnosis, name: &str) {
    if !d.suspicious.iter().any(|s| s == name) {
        d.suspicious.push(name.to_string());
    }
}

fn suspicious(d: &mut Diagnosis, name: &str, zh: String, en: String) {
    mark(d, name);
    d.say(FindingKind::Param, zh, en);
}

/// Facts and suspicions from the echoed parameters.
pub(crate) fn analyse(d: &mut Diagnosis, e: &Evidence, f: Option<&ErrorFields>) {
    let args = d.args.clone();
    if let Some(method) = get(&args, "method").or(e.method.as_deref()) {
        d.fact(format!("method={method}"));
    }
    for (k, v) in &args {
        d.fact(format!("{k}={}", shorten(v, 120)));
    }
    if args.is_empty() {
        return;
    }
    let code = f.and_then(|f| f.code);
    for name in ["method", "app_key", "session"] {
        if get(&args, name).is_none() && (name != "session" || code == Some(26)) {
            d.fact(format!("args has no {name}"));
            suspicious(
                d,
                name,
                format!("服务端收到的参数里没有{name}。"),
                format!("The parameters the server received have no {name}."),
            );
        }
    }
    if let Some(p) = get(&args, "partner_id").filter(|p| p.contains("sdk")) {
        d.say(
            FindingKind::Note,
            format!("partner_id={p}说明请求来自这个SDK及版本。"),
            format!("partner_id={p} names the SDK (and its version) that sent the request."),
        );
    }
    timestamp(d, e, get(&args, "timestamp"), code);
    match get(&args, "sign_method") {
        None if code == Some(25) => suspicious(
            d,
            "sign_method",
            "参数里没有sign_method，服务端按md5验证签名；如果你用HMAC签名，必须传sign_method=hmac（或hmac-sha256）。".into(),
            "No sign_method was sent, so the server checks an md5 signature; if you signed with HMAC, send sign_method=hmac (or hmac-sha256).".into(),
        ),
        Some(v) if SignMethod::parse(Some(v)).is_none() => suspicious(
            d,
            "sign_method",
            format!("sign_method={v}不是md5、hmac或hmac-sha256。"),
            format!("sign_method={v} is none of md5, hmac, hmac-sha256."),
        ),
        _ => {}
    }
    if let Some(sign) = get(&args, "sign").filter(|s| s.chars().any(|c| c.is_ascii_lowercase())) {
        d.say(
            FindingKind::Param,
            format!("签名{sign}是小写的；文档要求大写十六进制，有的服务端不接受小写。"),
            format!("The sign {sign} is in lower case; the protocol documents upper-case hex, and some servers refuse lower case."),
        );
    }
    format_param(d, e, get(&args, "format"));
    if let Some(v) = get(&args, "v").filter(|v| *v != "2.0" && *v != "1.0") {
        suspicious(
            d,
            "v",
            format!("v={v}：只支持2.0和1.0。"),
            format!("v={v}: only 2.0 and 1.0 are served."),
        );
    }
    for (k, v) in &args {
        if let Some(size) = file_size(v).filter(|s| *s > LARGE_FILE) {
            d.fact(format!("large file {k}: {size} bytes"));
        } else if v.chars().count() > LONG_TEXT {
            d.fact(format!(
                "long parameter {k}: {} characters",
                v.chars().count()
            ));
        }
    }
    if let Some(f) = f {
        list_counts(d, f);
    }
}

fn timestamp(d: &mut Diagnosis, e: &Evidence, value: Option<&str>, code: Option<i64>) {
    let Some(v) = value else { return };
    match parse_timestamp(v) {
        Err(_) => suspicious(
            d,
            "timestamp",
            format!("timestamp={v}既不是yyyy-MM-dd HH:mm:ss（GMT+8）也不是毫秒时间戳。"),
            format!("timestamp={v} is neither yyyy-MM-dd HH:mm:ss (GMT+8) nor epoch milliseconds."),
        ),
        Ok(ms) => {
            if v.contains('.') {
                d.say(
                    FindingKind::Param,
                    format!("timestamp={v}带有毫秒；文档的格式是yyyy-MM-dd HH:mm:ss，不带毫秒。"),
                    format!("timestamp={v} carries milliseconds; the documented form is yyyy-MM-dd HH:mm:ss without them."),
                );
            }
            match e.saved_at_ms() {
                Some(now) if !skew(ms, now).within_limit() => {
                    let s = skew(ms, now).describe().replace("the server", "the time the response was saved");
                    let hours = (ms - now).abs() % 3_600_000 < 120_000;
                    let tz = if hours { "相差整数小时，多半是时区错了（协议要求GMT+8）。" } else { "超过了允许的10分钟误差。" };
                    let tz_en = if hours { "a whole number of hours: most likely the wrong time zone (the protocol wants GMT+8)." } else { "more than the 10 minutes allowed." };
                    suspicious(
                        d,
                        "timestamp",
                        format!("timestamp={v}与保存响应的时间（{}）{tz}", format_gmt8(now)),
                        format!("timestamp={v} is {s} ({} GMT+8): {tz_en}", format_gmt8(now)),
                    );
                }
                None if code == Some(31) => d.say(
                    FindingKind::Param,
                    format!("请把timestamp={v}与当时的北京时间（GMT+8）比较：相差超过10分钟就会被拒绝；相差整数小时多半是时区错了。"),
                    format!("Compare timestamp={v} with the GMT+8 time of the call: more than 10 minutes apart is refused; a whole number of hours apart means the wrong time zone."),
                ),
                _ => {}
            }
        }
    }
}

fn format_param(d: &mut Diagnosis, e: &Evidence, value: Option<&str>) {
    let Some(v) = value else { return };
    let Some(fmt) = Format::parse(Some(v)) else {
        return suspicious(
            d,
            "format",
            format!("format={v}不是json或xml。"),
            format!("format={v} is neither json nor xml."),
        );
    };
    if v != fmt.as_str() {
        suspicious(
            d,
            "format",
            format!("format={v}不是小写；应传{}（TOP平台对大写的值返回错误码23）。", fmt.as_str()),
            format!("format={v} is not lower case; send {} (the TOP platform answers code 23 to upper case).", fmt.as_str()),
        );
    }
    let body = match d.actual_format {
        BodyFormat::Json => Some(Format::Json),
        BodyFormat::Xml => Some(Format::Xml),
        _ => None,
    };
    if let Some(requested) = e.requested_format.filter(|r| *r != fmt) {
        suspicious(
            d,
            "format",
            format!(
                "请求里的format={v}，但客户端按{}解析响应。",
                requested.as_str()
            ),
            format!(
                "The request sent format={v}, but the client parses {}.",
                requested.as_str()
            ),
        );
    } else if let Some(body) = body.filter(|b| *b != fmt) {
        suspicious(
            d,
            "format",
            format!("请求里的format={v}，但响应是{}。", body.as_str()),
            format!(
                "The request sent format={v}, but the body is {}.",
                body.as_str()
            ),
        );
    }
}

/// `iids count=41`; `sku_quantities has 2 values, sku_properties has 3`.
fn list_counts(d: &mut Diagnosis, f: &ErrorFields) {
    let known = f.sub_code.as_deref().and_then(|s| read_sub_code(s).known);
    let Some(sub_msg) = f.sub_msg.as_deref() else {
        return;
    };
    let count = |v: &str| {
        v.split(if v.contains(';') { ';' } else { ',' })
            .filter(|s| !s.is_empty())
            .count()
    };
    let mut named: Vec<(usize, &str, usize)> = d
        .args
        .iter()
        .filter_map(|(k, v)| {
            let singular = k.strip_suffix('s').unwrap_or(k);
            let at = find_word(sub_msg, k).or_else(|| find_word(sub_msg, singular))?;
            Some((at, k.as_str(), count(v)))
        })
        .collect();
    named.sort_unstable();
    match known {
        Some(SubCode::InvalidParameter) => {
            let lists: Vec<(String, usize)> = named
                .iter()
                .filter(|(_, _, n)| *n > 1)
                .map(|(_, k, n)| (k.to_string(), *n))
                .collect();
            for (k, n) in lists {
                mark(d, &k);
                d.fact(format!("{k} count={n}"));
                d.say(
                    FindingKind::Cause,
                    format!("sub_msg提到的参数{k}传了{n}个值。"),
                    format!("The parameter sub_msg names, {k}, carries {n} values."),
                );
            }
        }
        Some(SubCode::ParametersMismatch) if named.len() > 1 => {
            let mode = named
                .iter()
                .map(|x| x.2)
                .max_by_key(|n| (named.iter().filter(|x| x.2 == *n).count(), *n))
                .unwrap_or(0);
            let Some(reference) = named.iter().find(|x| x.2 == mode).map(|x| x.1.to_string())
            else {
                return;
            };
            let odd: Vec<(String, usize)> = named
                .iter()
                .filter(|x| x.2 != mode)
                .map(|x| (x.1.to_string(), x.2))
                .collect();
            for (k, n) in odd {
                mark(d, &k);
                d.fact(format!("{k} has {n} values, {reference} has {mode}"));
                d.say(
                    FindingKind::Cause,
                    format!("{k}有{n}个值，而{reference}有{mode}个：个数对不上。"),
                    format!("{k} has {n} values, but {reference} has {mode}: the counts differ."),
                );
            }
        }
        _ => {}
    }
}

/// Where `word` stands in `hay` on its own (no ASCII letter, digit or `_` either side).
fn find_word(hay: &str, word: &str) -> Option<usize> {
    if word.len() < 2 {
        return None;
    }
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    hay.match_indices(word).map(|(at, _)| at).find(|&at| {
        !ident(hay[..at].chars().next_back()) && !ident(hay[at + word.len()..].chars().next())
    })
}

//! The seed's format-mismatch decision tree (seed section 三, ERRORS.md section 4), applied to
//! what the body shows.
//!
//! 1. The body, read in the format it really is, is an ordinary success: calls too frequent or
//!    the server under strain (`frequency`).
//! 2. It is an error that the request's own `format` explains (code 23, or an echoed `format`
//!    that disagrees with what the client parses): `format-param`.
//! 3. It is an error the parameters cannot explain: the request was damaged in transit; large
//!    parameters first (`size-or-network`).
//! 4. HTML or bytes that are no response at all: a gateway, proxy or firewall answered (`server`).

use topgate_protocol::parse::BodyFormat;
use topgate_protocol::render::Format;

use crate::args::{get, LARGE_FILE, LONG_TEXT};
use crate::diagnosis::{Diagnosis, FindingKind, Mismatch, MismatchBranch, MismatchInner};
use crate::evidence::Evidence;
use crate::salvage::{Content, Reading};

/// Upload APIs and their file parameter: a request that lost it in transit shows in the echo.
const UPLOADS: &[(&str, &str)] = &[
    ("taobao.item.img.upload", "image"),
    ("taobao.item.propimg.upload", "image"),
    ("taobao.product.img.upload", "image"),
    ("taobao.product.propimg.upload", "image"),
    ("taobao.picture.upload", "img"),
];

/// Whether the body is in another format than the one asked for (or not a response at all).
pub(crate) fn applies(e: &Evidence, r: &Reading) -> bool {
    let asked = e.requested_format;
    match &r.content {
        Content::Html(_) => true,
        Content::Unreadable(_) => asked.is_some(),
        Content::Error(_) | Content::Success(_) => matches!(
            (asked, r.format),
            (Some(Format::Json), BodyFormat::Xml) | (Some(Format::Xml), BodyFormat::Json)
        ),
        Content::Empty => false,
    }
}

fn name(f: BodyFormat) -> &'static str {
    match f {
        BodyFormat::Json => "JSON",
        BodyFormat::Xml => "XML",
        BodyFormat::Html => "HTML",
        BodyFormat::Empty => "nothing",
        BodyFormat::Other => "neither JSON nor XML",
    }
}

/// Applies the tree; the caller has already read the inner response into `d`.
pub(crate) fn explain(d: &mut Diagnosis, e: &Evidence, r: &Reading) {
    let inner = match &r.content {
        Content::Success(_) => MismatchInner::Success,
        Content::Error(f) if f.code.is_some_and(|c| c >= 100) => MismatchInner::BusinessError,
        Content::Error(_) => MismatchInner::PlatformError,
        Content::Html(_) => MismatchInner::Html,
        Content::Unreadable(_) | Content::Empty => MismatchInner::Unparseable,
    };
    let mut facts = Vec::new();
    let asked = e.requested_format.map(|f| f.as_str().to_ascii_uppercase());
    let asked = asked.as_deref().unwrap_or("?");
    facts.push(format!("asked {asked}, got {}", name(r.format)));
    let echoed = get(&d.args, "format").map(str::to_string);
    let format_wrong = d.code == Some(23)
        || echoed.as_deref().is_some_and(|v| {
            let parsed = Format::parse(Some(v));
            parsed.is_none()
                || parsed.map(|p| p.as_str()) != Some(v)
                || parsed != e.requested_format
        });
    let branch = match inner {
        MismatchInner::Html | MismatchInner::Unparseable => MismatchBranch::Server,
        MismatchInner::Success => MismatchBranch::Frequency,
        _ if format_wrong => MismatchBranch::FormatParam,
        _ => MismatchBranch::SizeOrNetwork,
    };
    if let Some(v) = echoed.filter(|_| branch == MismatchBranch::FormatParam) {
        facts.push(format!("format={v}"));
    }
    if branch == MismatchBranch::SizeOrNetwork {
        facts.extend(lost_in_transit(d, e));
    }
    if branch == MismatchBranch::Server {
        let page = [
            "title: ",
            "heading: ",
            "server software: ",
            "text: ",
            "binary data",
        ];
        facts.extend(
            d.facts
                .iter()
                .filter(|f| page.iter().any(|p| f.starts_with(p)))
                .cloned(),
        );
    }
    if branch == MismatchBranch::Frequency {
        let data = d
            .facts
            .iter()
            .filter(|f| f.contains('=') && !f.starts_with("text before"));
        facts.extend(data.take(6).cloned());
    }
    for f in &facts {
        d.fact(f.clone());
    }
    d.class = crate::Class::FormatMismatch;
    d.retryable = branch != MismatchBranch::FormatParam;
    if branch == MismatchBranch::SizeOrNetwork {
        demote_code_findings(d);
    }
    say_branch(d, branch, &facts[1..]);
    d.say(
        FindingKind::Note,
        "遇到这类问题，首先把服务器响应的完整内容保存下来，它是找出问题最直接的证据。",
        "Save the whole response first: it is the most direct evidence of what went wrong.",
    );
    d.mismatch = Some(Mismatch {
        asked: e.requested_format,
        inner,
        branch,
        facts,
    });
}

/// Parameters the client sent that the echo does not show, and the large ones.
fn lost_in_transit(d: &Diagnosis, e: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    if !d.args.is_empty() {
        let mut sent: Vec<&str> = e.params.iter().map(|(k, _)| k.as_str()).collect();
        sent.extend(e.files.iter().map(|(k, _)| k.as_str()));
        if e.requested_format.is_some() {
            sent.push("format");
        }
        let method = get(&d.args, "method").or(e.method.as_deref());
        if let Some((_, file)) = UPLOADS.iter().find(|(m, _)| Some(*m) == method) {
            sent.push(file);
        }
        for name in sent {
            let fact = format!("args lack {name}");
            if get(&d.args, name).is_none() && name != "sign" && !out.contains(&fact) {
                out.push(fact);
            }
        }
    }
    for (k, size) in &e.files {
        if *size > LARGE_FILE {
            out.push(format!("large file {k}: {size} bytes"));
        }
    }
    for (k, v) in &e.params {
        if v.chars().count() > LONG_TEXT {
            out.push(format!(
                "long parameter {k}: {} characters",
                v.chars().count()
            ));
        }
    }
    out
}

/// The code's own cause and remedy do not hold when the request was damaged on the way: they
/// are kept as notes, said to be what the code alone would mean.
fn demote_code_findings(d: &mut Diagnosis) {
    for f in &mut d.findings {
        if matches!(f.kind, FindingKind::Cause | FindingKind::Remedy) {
            f.kind = FindingKind::Note;
            f.zh = format!("单看错误码：{}", f.zh);
            f.en = format!("Taken at face value, the code says: {}", f.en);
        }
    }
}

/// A fact in Chinese, for the Chinese text.
fn fact_zh(f: &str) -> String {
    if let Some(name) = f.strip_prefix("args lack ") {
        format!("回显的参数中没有{name}")
    } else if let Some(rest) = f.strip_prefix("large file ") {
        format!("大文件{}", rest.replace(" bytes", "字节"))
    } else if let Some(rest) = f.strip_prefix("long parameter ") {
        format!("长参数{}", rest.replace(" characters", "个字符"))
    } else if let Some(t) = f.strip_prefix("title: ") {
        format!("页面标题：{t}")
    } else if let Some(t) = f.strip_prefix("server software: ") {
        format!("服务器软件：{t}")
    } else if let Some((k, n)) = f.split_once(" count=") {
        format!("{k}共{n}个")
    } else {
        f.to_string()
    }
}

fn say_branch(d: &mut Diagnosis, branch: MismatchBranch, facts: &[String]) {
    let list = facts.join("; ");
    let zh_facts: Vec<String> = facts.iter().map(|f| fact_zh(f)).collect();
    let list_zh = zh_facts.join("；");
    let (list, list_zh) = if facts.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" ({list})"), format!("（{list_zh}）"))
    };
    let (cause_zh, cause_en, fix_zh, fix_en) = match branch {
        MismatchBranch::Frequency => (
            format!("格式错了，但数据是正确的调用结果{list_zh}。按种子文档的经验，这是调用太频繁或服务器压力大时出现的。"),
            format!("The format is wrong but the data is a correct result{list}. Per the seed, this happens when calls are too frequent or the server is under strain."),
            "减缓调用频率；把保存的完整响应（含request_id）发给技术支持，以便找到根源。".to_string(),
            "Call less often, and send the saved response (with its request_id) to support so the root cause can be found.".to_string(),
        ),
        MismatchBranch::SizeOrNetwork => (
            format!("响应是一个调用参数解释不了的错误，请求多半在传输中损坏了：服务端没能完整解析请求，丢失了format参数，于是用默认格式（XML）回答{list_zh}。"),
            format!("The body is an error that the request's parameters cannot explain: the request was probably damaged in transit, the server could not parse it whole, lost the format parameter and answered in its default, XML{list}."),
            "第一步：如果调用带有较大的参数（图片、长篇描述等），先把它们减小到合法范围内再试；成功了就说明是参数太大，请结合网速合理设置请求大小和调用顺序。第二步：仍然失败时，不传图片、描述只传几个字节再试：成功说明是服务端的问题，请反馈给技术支持；仍失败说明是参数或网络的问题，请对照文档检查参数，或等网络好一些再调用。".to_string(),
            "Step 1: if the call carries large parameters (images, long descriptions), shrink them into the legal range and retry; if that succeeds, size was the cause: size requests and order calls to suit the network. Step 2: if it still fails, retry with no image and a description of a few bytes: success means a server-side fault (report it to support); failure means the parameters or the network (check the parameters against the docs, or wait for a better network).".to_string(),
        ),
        MismatchBranch::FormatParam => (
            format!("请求自己传的format参数就是错的{list_zh}。"),
            format!("The request's own format parameter was wrong{list}."),
            "format只能是小写的json或xml，并且要和客户端解析响应的格式一致；改正后再调用。".to_string(),
            "Send format=json or format=xml, in lower case, matching the format the client parses; the same request will fail again.".to_string(),
        ),
        MismatchBranch::Server => (
            format!("这不是TOP的响应，是TOP前面的网关、代理或防火墙回答的{list_zh}。"),
            format!("This is not a TOP response: a gateway, proxy or firewall in front of TOP answered{list}."),
            "稍后重试；如果持续出现，检查你和TOP之间的代理、防火墙，并把这个页面和请求时间发给技术支持。".to_string(),
            "Retry later; if it persists, check the proxies and firewalls between you and TOP, and send the page and the time of the call to support.".to_string(),
        ),
    };
    d.say(FindingKind::Cause, cause_zh, cause_en);
    d.say(FindingKind::Remedy, fix_zh, fix_en);
}

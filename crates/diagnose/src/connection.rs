//! Connection errors (seed section 二.2.1): no response, a status other than 200, or a 200 with
//! nothing in it. 404: the network or the address; 5xx: the network is fine and the service
//! could not answer; retry later.

use crate::diagnosis::{Class, Diagnosis, FindingKind};
use crate::evidence::Evidence;
use crate::salvage::{Content, Reading};

/// Whether the response is a connection failure.
pub(crate) fn applies(e: &Evidence, r: &Reading) -> bool {
    e.transport_error.is_some()
        || e.http_status.is_some_and(|s| s != 200)
        || matches!(r.content, Content::Empty)
}

pub(crate) fn explain(d: &mut Diagnosis, e: &Evidence) {
    d.class = Class::Connection;
    if let Some(err) = &e.transport_error {
        d.fact(format!("transport error: {err}"));
        d.retryable = true;
        d.say(
            FindingKind::Cause,
            format!("没有收到任何响应：{err}。问题在网络（DNS、连接、超时）或地址。"),
            format!("No response arrived at all: {err}. The network (DNS, connection, timeout) or the address is at fault."),
        );
        d.say(
            FindingKind::Remedy,
            "检查网络、DNS和代理设置以及请求地址（…/router/rest），稍后重试。",
            "Check the network, DNS, proxy settings and the address (…/router/rest), then retry later.",
        );
        return;
    }
    let status = e.http_status.unwrap_or(200);
    d.fact(format!("http_status={status}"));
    if let Some(server) = e.header("server") {
        d.fact(format!("server header: {server}"));
    }
    let (zh, en, fix_zh, fix_en, retry): (&str, &str, &str, &str, bool) = match status {
        200 => (
            "HTTP状态是200，但响应是空的：连接在响应的第一个字节之前就断开了。",
            "The status is 200 but the body is empty: the connection closed before the first byte of the response.",
            "稍后重试；读操作可以直接重试，写操作先确认上次调用是否已经生效。",
            "Retry later; a read can simply be retried, but for a write first check whether the previous call took effect.",
            true,
        ),
        404 => (
            "404：找不到请求的服务。用户的网络有问题，或者请求地址错了。",
            "404: the service was not found. The network is at fault, or the address is wrong.",
            "检查请求地址（路径应为/router/rest）、DNS和代理；原样重试不会成功。",
            "Check the URL (the path is /router/rest), DNS and proxies; retrying unchanged will not help.",
            false,
        ),
        413 | 414 => (
            "请求太大（413）或URL太长（414），被服务器或代理拒绝。",
            "The request is too large (413) or its URL too long (414): the server or a proxy refused it.",
            "减小上传的文件；把参数放在POST的消息体里而不是URL里。",
            "Shrink the uploaded files; send the parameters in a POST body instead of the URL.",
            false,
        ),
        429 => (
            "429：请求太频繁，被服务器或代理限流。",
            "429: too many requests; the server or a proxy throttled the client.",
            "降低调用频率，稍后再试。",
            "Call less often and retry later.",
            true,
        ),
        300..=399 => (
            "重定向：请求地址不是TOP的服务地址。",
            "A redirect: the address is not TOP's endpoint.",
            "使用正确的服务地址（…/router/rest），检查http与https。",
            "Use the right endpoint (…/router/rest) and check http versus https.",
            false,
        ),
        400..=499 => (
            "4xx：请求被服务器或代理拒绝（不是TOP的错误响应，TOP的错误都以200返回）。",
            "4xx: the server or a proxy refused the request (not a TOP error: TOP answers its errors with 200).",
            "检查请求地址、HTTP方法（大写的GET或POST）和代理设置。",
            "Check the address, the HTTP method (upper-case GET or POST) and the proxy settings.",
            false,
        ),
        _ => (
            "5xx：网络是通的，是服务无法响应（内部错误、网关错误、服务不可用或网关超时）。",
            "5xx: the network is fine, but the service could not answer (internal error, bad gateway, unavailable or gateway timeout).",
            "服务暂时不可用，稍后重试（逐次拉长间隔）；持续出现请把请求时间和页面内容发给技术支持。",
            "The service is down for now: retry later with growing intervals; if it persists, send the time of the call and the page to support.",
            true,
        ),
    };
    d.retryable = retry;
    d.say(FindingKind::Cause, zh, en);
    d.say(FindingKind::Remedy, fix_zh, fix_en);
    if status == 404 {
        url(d, e);
    }
}

/// What a page or text body says.
pub(crate) fn page(d: &mut Diagnosis, r: &Reading) {
    match &r.content {
        Content::Html(p) => {
            let mut said = Vec::new();
            if let Some(t) = &p.title {
                d.fact(format!("title: {t}"));
                said.push(t.clone());
            }
            if let Some(h) = &p.heading {
                d.fact(format!("heading: {h}"));
                said.push(h.clone());
            }
            if let Some(s) = &p.server {
                d.fact(format!("server software: {s}"));
            }
            if said.is_empty() && !p.text.is_empty() {
                said.push(crate::salvage::shorten(&p.text, 120));
            }
            if !said.is_empty() {
                let text = said.join(" / ");
                let by = p
                    .server
                    .as_deref()
                    .map(|s| format!("（{s}）"))
                    .unwrap_or_default();
                let by_en = p
                    .server
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                d.say(
                    FindingKind::Cause,
                    format!("返回的是一个HTML页面{by}，页面上写着：{text}"),
                    format!("The body is an HTML page{by_en} that says: {text}"),
                );
            }
        }
        Content::Unreadable(Some(text)) => {
            d.fact(format!("text: {text}"));
            d.say(
                FindingKind::Cause,
                format!("响应是一段文字：{text}"),
                format!("The body is plain text: {text}"),
            );
        }
        Content::Unreadable(None) => {
            d.fact("binary data".to_string());
        }
        _ => {}
    }
}

fn url(d: &mut Diagnosis, e: &Evidence) {
    let Some(url) = e.url.as_deref() else { return };
    let path = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("", |k| &rest[k..]));
    let path = path.split(['?', '#']).next().unwrap_or("");
    d.fact(format!("url={url}"));
    if !path.ends_with("/router/rest") {
        d.suspicious.push("url".to_string());
        d.say(
            FindingKind::Param,
            format!("请求地址的路径是“{path}”，不是/router/rest。"),
            format!("The URL's path is \"{path}\", not /router/rest."),
        );
    }
}

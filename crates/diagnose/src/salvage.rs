//! Reading whatever people hold: a body that parses, one cut short, one inside a JSON array or
//! spliced with another, one behind an SDK's exception line, an SDK object printed by PHP,
//! Python, node or Java, an HTML page, or bytes that are none of these.
//!
//! The protocol parser is tried first; only when it refuses does the salvage start, and then the
//! reading says it had to guess ([`Reading::guessed`]) and how ([`Reading::notes`]).

mod around;
mod html;
mod printed;
mod repair;

use around::{embedded, unwrap_json};

pub(crate) use html::{shorten, HtmlPage};

use serde_json::Value as Json;
use topgate_protocol::parse::{self, BodyFormat, Form, Outcome, Response, SuccessBody};
use topgate_protocol::value::Value;

use crate::diagnosis::{Finding, FindingKind};

/// The fields of an error, as far as they could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ErrorFields {
    pub code: Option<i64>,
    pub msg: Option<String>,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub request_id: Option<String>,
    pub args: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Content {
    Error(ErrorFields),
    Success(SuccessBody),
    Html(HtmlPage),
    Empty,
    /// Neither a TOP response nor a page: plain text (a snippet) or binary (None).
    Unreadable(Option<String>),
}

/// What a body turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Reading {
    /// What the body (or the response inside a paste) really is.
    pub format: BodyFormat,
    pub form: Option<Form>,
    pub content: Content,
    pub guessed: bool,
    /// Short facts about the damage: "truncated", "top-level array", "two top-level keys".
    pub facts: Vec<String>,
    /// How the body was read when it had to be guessed.
    pub notes: Vec<Finding>,
}

impl Reading {
    fn new(format: BodyFormat, content: Content) -> Reading {
        Reading {
            format,
            form: None,
            content,
            guessed: false,
            facts: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn guess(mut self, fact: Option<String>, zh: String, en: String) -> Reading {
        self.guessed = true;
        self.facts.extend(fact);
        self.notes.push(Finding::new(FindingKind::Guess, zh, en));
        self
    }
}

/// Reads a body.
pub(crate) fn read(body: &[u8]) -> Reading {
    match parse::parse(body) {
        Ok(resp) => from_response(resp, body),
        Err(err) => match err.format {
            BodyFormat::Empty => Reading::new(BodyFormat::Empty, Content::Empty),
            BodyFormat::Html => {
                let text = String::from_utf8_lossy(body);
                Reading::new(BodyFormat::Html, Content::Html(html::read(&text)))
            }
            format => damaged(body, format),
        },
    }
}

fn from_response(resp: Response, body: &[u8]) -> Reading {
    let format = resp.format;
    let form = resp.form;
    let mut r = Reading::new(format, content_of(resp.outcome));
    r.form = Some(form);
    if form == Form::Unwrapped {
        return r.guess(
            Some("no wrapper key".into()),
            "这个错误对象没有外层的error_response，按错误内容本身解读。".into(),
            "The error object has no error_response wrapper; it was read as the inner object."
                .into(),
        );
    }
    let error_like = |s: &SuccessBody| {
        s.fields.iter().any(|(k, _)| {
            let k = k.to_ascii_lowercase().replace('_', "");
            matches!(k.as_str(), "errorcode" | "subcode" | "submsg" | "errormsg")
        })
    };
    if form == Form::Simplified && matches!(&r.content, Content::Success(s) if error_like(s)) {
        return printed_reading(&String::from_utf8_lossy(body), format).unwrap_or(r);
    }
    r
}

fn content_of(outcome: Outcome) -> Content {
    match outcome {
        Outcome::Success(s) => Content::Success(s),
        Outcome::Error(e) => Content::Error(ErrorFields {
            code: Some(e.code),
            msg: Some(e.msg).filter(|m| !m.is_empty()),
            sub_code: e.sub_code,
            sub_msg: e.sub_msg,
            request_id: e.request_id,
            args: e.args,
        }),
    }
}

/// The text of a body, and whether it ends in the middle of a UTF-8 character; None if binary.
fn text_of(body: &[u8]) -> Option<(String, bool)> {
    match std::str::from_utf8(body) {
        Ok(s) => Some((s.to_string(), false)),
        Err(e) if e.error_len().is_none() => Some((
            String::from_utf8_lossy(&body[..e.valid_up_to()]).into_owned(),
            true,
        )),
        Err(_) => {
            let lossy = String::from_utf8_lossy(body);
            let bad = lossy
                .chars()
                .filter(|c| *c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()))
                .count();
            (bad * 10 < lossy.chars().count()).then(|| (lossy.into_owned(), false))
        }
    }
}

fn damaged(body: &[u8], format: BodyFormat) -> Reading {
    let Some((text, mid_char)) = text_of(body) else {
        return Reading::new(BodyFormat::Other, Content::Unreadable(None));
    };
    let text = text.trim_start_matches('\u{feff}').trim();
    if let Some(r) = repaired(text, format, mid_char) {
        return r;
    }
    if format == BodyFormat::Json {
        if let Some(r) = unwrap_json(text) {
            return r;
        }
    }
    if format == BodyFormat::Other {
        if let Some(r) = embedded(text) {
            return r;
        }
    }
    printed_reading(text, format).unwrap_or_else(|| {
        Reading::new(
            BodyFormat::Other,
            Content::Unreadable(Some(shorten(text, 200))),
        )
    })
}

/// A body cut short, made whole and parsed.
fn repaired(text: &str, format: BodyFormat, mid_char: bool) -> Option<Reading> {
    let fixed = match format {
        BodyFormat::Json => {
            let eof = serde_json::from_str::<Json>(text).err()?.is_eof();
            eof.then(|| repair::json(text)).flatten()?
        }
        BodyFormat::Xml => repair::xml(text)?,
        _ => return None,
    };
    let resp = parse::parse(fixed.text.as_bytes()).ok()?;
    let mut r = from_response(resp, fixed.text.as_bytes());
    let (mut zh, mut en) = (
        "响应内容不完整（被截断），以下是从已收到的部分读出的内容。".to_string(),
        "The body is cut short (truncated); what follows was read from the part that arrived."
            .to_string(),
    );
    if mid_char {
        zh.push_str("截断处在一个UTF-8字符的中间。");
        en.push_str(" It ends in the middle of a UTF-8 character.");
    }
    if let Some(field) = &fixed.cut_in {
        let got = fixed.partial.as_deref().map(|p| shorten(p, 80));
        zh.push_str(&format!("截断发生在字段{field}中"));
        en.push_str(&format!(" It was cut in the field {field}"));
        match got {
            Some(p) => {
                zh.push_str(&format!("，已收到的部分为“{p}”。"));
                en.push_str(&format!(", after \"{p}\"."));
            }
            None => {
                zh.push('。');
                en.push('.');
            }
        }
    }
    r = r.guess(Some("truncated".into()), zh, en);
    Some(r)
}

fn printed_reading(text: &str, format: BodyFormat) -> Option<Reading> {
    let p = printed::scan(text)?;
    let style = printed::style(text);
    let (zh_style, en_style) = style.names();
    let form = match p.wrapper.as_deref() {
        Some("error_rsp" | "rsp") => Form::V1,
        Some(_) => Form::V2,
        None => Form::Unwrapped,
    };
    let is_error = p.code.is_some()
        || p.sub_code.is_some()
        || p.wrapper
            .as_deref()
            .is_some_and(|w| w.starts_with("error_"));
    let content = if is_error || p.wrapper.is_none() {
        Content::Error(ErrorFields {
            code: p.code,
            msg: p.msg,
            sub_code: p.sub_code,
            sub_msg: p.sub_msg,
            request_id: p.request_id,
            args: p.args,
        })
    } else {
        Content::Success(SuccessBody {
            response_key: p.wrapper.clone(),
            fields: p
                .scalars
                .into_iter()
                .filter(|(k, _)| k != "request_id")
                .map(|(k, v)| (k, Value::Str(v)))
                .collect(),
            request_id: p.request_id,
        })
    };
    let shown = match style {
        printed::Style::Json => BodyFormat::Json,
        printed::Style::XmlTags if format == BodyFormat::Xml => BodyFormat::Xml,
        _ => BodyFormat::Other,
    };
    let mut r = Reading::new(shown, content);
    r.form = Some(form);
    Some(r.guess(
        None,
        format!("这不是一个完整的TOP响应，看起来是{zh_style}；各字段是从文字中逐个找出来的，可能不全。"),
        format!("This is not a well-formed TOP response; it looks like {en_style}. The fields were picked out of the text one by one and may be incomplete."),
    ))
}

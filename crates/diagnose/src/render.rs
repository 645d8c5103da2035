//! A diagnosis as text for people (Chinese or English) and as JSON for programs.

use serde_json::{json, Value as Json};
use topgate_protocol::errors::Lang;
use topgate_protocol::parse::{BodyFormat, Form};
use topgate_protocol::render::Format;

use crate::diagnosis::{Class, Diagnosis, FindingKind, MismatchBranch};

/// The form's name as the corpus and `--json` spell it: `v2`, `v1`, `simplified`, and `unknown`
/// for an error without its wrapper or a printed SDK object.
pub fn form_name(form: Form) -> &'static str {
    match form {
        Form::Unwrapped => "unknown",
        other => other.as_str(),
    }
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn format_name(f: BodyFormat, lang: Lang) -> &'static str {
    match f {
        BodyFormat::Json => "JSON",
        BodyFormat::Xml => "XML",
        BodyFormat::Html => "HTML",
        BodyFormat::Empty => pick(lang, "空", "empty"),
        BodyFormat::Other => pick(
            lang,
            "其他（既不是JSON也不是XML）",
            "other (neither JSON nor XML)",
        ),
    }
}

fn form_text(form: Form, lang: Lang) -> &'static str {
    match form {
        Form::V2 => pick(lang, "v2格式", "v2 form"),
        Form::V1 => pick(lang, "v1（旧版）格式", "v1 (legacy) form"),
        Form::Simplified => pick(
            lang,
            "精简格式（simplify=true）",
            "simplified form (simplify=true)",
        ),
        Form::Unwrapped => pick(
            lang,
            "没有外层包装（格式未知）",
            "no wrapper key (form unknown)",
        ),
    }
}

fn branch_text(b: MismatchBranch, lang: Lang) -> &'static str {
    match b {
        MismatchBranch::Frequency => pick(
            lang,
            "调用太频繁或服务器压力大",
            "calls too frequent or the server under strain",
        ),
        MismatchBranch::SizeOrNetwork => pick(
            lang,
            "请求在传输中损坏（参数太大或网络差）",
            "the request was damaged in transit (large parameters or a poor network)",
        ),
        MismatchBranch::FormatParam => pick(
            lang,
            "format参数本身错了",
            "the format parameter itself was wrong",
        ),
        MismatchBranch::Server => pick(
            lang,
            "TOP前面的服务器或代理出错",
            "a server or proxy in front of TOP failed",
        ),
    }
}

impl Diagnosis {
    /// The diagnosis for people, in one language.
    pub fn render_text(&self, lang: Lang) -> String {
        let mut out = String::new();
        let mut line = |label: &str, value: &str| {
            out.push_str(label);
            out.push_str(pick(lang, "：", ": "));
            out.push_str(value);
            out.push('\n');
        };
        line(pick(lang, "类别", "Class"), self.class.describe(lang));
        if let Some(code) = self.code {
            let mut v = code.to_string();
            if let Some(msg) = &self.msg {
                v.push(' ');
                v.push_str(msg);
            }
            if !self.known {
                v.push_str(pick(lang, "（未知错误码）", " (unknown code)"));
            }
            line(pick(lang, "错误码", "Code"), &v);
        } else if let Some(msg) = &self.msg {
            line(pick(lang, "错误信息", "Message"), msg);
        }
        if let Some(s) = &self.sub_code {
            line(pick(lang, "子错误码", "Sub code"), s);
        }
        if let Some(s) = &self.sub_msg {
            line(pick(lang, "子错误信息", "Sub message"), s);
        }
        if let Some(s) = &self.request_id {
            line("request_id", s);
        }
        if let Some(k) = &self.response_key {
            line(pick(lang, "响应键", "Response key"), k);
        }
        let mut body = format_name(self.actual_format, lang).to_string();
        if let Some(form) = self.form {
            body.push_str(pick(lang, "，", ", "));
            body.push_str(form_text(form, lang));
        }
        if self.guessed {
            body.push_str(pick(
                lang,
                "；不是完整的TOP响应，内容是推测出来的",
                "; not a well-formed TOP response, read by guessing",
            ));
        }
        line(pick(lang, "响应内容", "Body"), &body);
        line(pick(lang, "能否重试", "Retry"), &self.retry_text(lang));
        if let Some(m) = &self.mismatch {
            let asked = m
                .asked
                .map_or("?", |f| if f == Format::Json { "JSON" } else { "XML" });
            let got = format_name(self.actual_format, lang);
            let (inner, branch) = (m.inner.as_str(), m.branch.as_str());
            let why = branch_text(m.branch, lang);
            let text = match lang {
                Lang::Zh => format!(
                    "请求的是{asked}，收到的是{got}；内容：{inner}；分支：{branch}（{why}）"
                ),
                Lang::En => {
                    format!("asked {asked}, got {got}; inner: {inner}; branch: {branch} ({why})")
                }
            };
            line(pick(lang, "格式错误", "Format mismatch"), &text);
        }
        let sections = [
            (
                FindingKind::Guess,
                pick(lang, "如何读出的", "How it was read"),
            ),
            (FindingKind::Meaning, pick(lang, "含义", "What it means")),
            (FindingKind::Cause, pick(lang, "可能的原因", "Likely cause")),
            (FindingKind::Remedy, pick(lang, "怎么办", "What to do")),
            (
                FindingKind::Server,
                pick(lang, "服务端看到的", "What the server saw"),
            ),
            (
                FindingKind::Param,
                pick(lang, "参数检查", "Parameter checks"),
            ),
            (FindingKind::Note, pick(lang, "备注", "Notes")),
        ];
        for (kind, title) in sections {
            let items: Vec<&str> = self.findings_of(kind).map(|f| f.text(lang)).collect();
            if items.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{title}{}\n", pick(lang, "：", ":")));
            for item in items {
                out.push_str(&format!("  - {item}\n"));
            }
        }
        if !self.args.is_empty() {
            out.push_str(pick(
                lang,
                "\n服务端收到的参数（args）：\n",
                "\nParameters the server received (args):\n",
            ));
            for (k, v) in &self.args {
                let mark = if self.suspicious.contains(k) {
                    pick(lang, "  ← 可疑", "  <- suspicious")
                } else {
                    ""
                };
                out.push_str(&format!(
                    "  {k} = {}{mark}\n",
                    crate::salvage::shorten(v, 200)
                ));
            }
        }
        let echoed = |f: &str| {
            f.split_once('=').is_some_and(|(k, v)| {
                self.args
                    .iter()
                    .any(|(ak, av)| ak == k && crate::salvage::shorten(av, 120) == v)
            })
        };
        let facts: Vec<&String> = self.facts.iter().filter(|f| !echoed(f)).collect();
        if !facts.is_empty() {
            out.push_str(pick(lang, "\n依据：\n", "\nFacts:\n"));
            for f in facts {
                out.push_str(&format!("  - {f}\n"));
            }
        }
        out
    }

    fn retry_text(&self, lang: Lang) -> String {
        match (self.class, self.retryable, self.wait_seconds) {
            (Class::Success, false, _) => pick(lang, "不需要", "not needed").to_string(),
            (Class::Success, true, _) => pick(
                lang,
                "需要：重新获取完整的结果",
                "yes: fetch the whole result again",
            )
            .to_string(),
            (_, true, Some(n)) => match &self.retry_at {
                Some(at) => format!(
                    "{} {n} {}{at} (GMT+8){}",
                    pick(lang, "可以，等待", "yes, after"),
                    pick(lang, "秒之后，即", "seconds, at "),
                    pick(lang, "之后", "")
                ),
                None => format!(
                    "{} {n} {}",
                    pick(lang, "可以，等待", "yes, after"),
                    pick(lang, "秒之后", "seconds")
                ),
            },
            (_, true, None) => pick(
                lang,
                "可以，稍后重试（逐次拉长间隔）",
                "yes, later (with growing intervals)",
            )
            .to_string(),
            (_, false, _) => pick(
                lang,
                "原样重试不会成功，先按下面的说明修改",
                "no: the same request will fail again; fix it first",
            )
            .to_string(),
        }
    }

    /// The diagnosis for programs: class, code, sub_code, retryable, wait_seconds, cause, remedy,
    /// and everything else, in both languages.
    pub fn to_json(&self) -> Json {
        let joined = |kind: FindingKind| -> Json {
            let items: Vec<_> = self.findings_of(kind).collect();
            if items.is_empty() {
                return Json::Null;
            }
            let zh: Vec<&str> = items.iter().map(|f| f.zh.as_str()).collect();
            let en: Vec<&str> = items.iter().map(|f| f.en.as_str()).collect();
            json!({"zh": zh.join("\n"), "en": en.join("\n")})
        };
        json!({
            "class": self.class.as_str(),
            "error": self.class.is_error(),
            "code": self.code,
            "msg": self.msg,
            "sub_code": self.sub_code,
            "sub_msg": self.sub_msg,
            "request_id": self.request_id,
            "known": self.known,
            "retryable": self.retryable,
            "wait_seconds": self.wait_seconds,
            "retry_at": self.retry_at,
            "actual_format": self.actual_format.as_str(),
            "form": self.form.map(form_name),
            "guessed": self.guessed,
            "response_key": self.response_key,
            "meaning": joined(FindingKind::Meaning),
            "cause": joined(FindingKind::Cause),
            "remedy": joined(FindingKind::Remedy),
            "mismatch": self.mismatch.as_ref().map(|m| json!({
                "inner": m.inner.as_str(),
                "branch": m.branch.as_str(),
                "facts": m.facts,
            })),
            "args": self.args.iter().map(|(k, v)| json!({
                "key": k,
                "value": v,
                "suspicious": self.suspicious.contains(k),
            })).collect::<Vec<_>>(),
            "suspicious": self.suspicious,
            "facts": self.facts,
            "findings": self.findings.iter().map(|f| json!({
                "kind": f.kind.as_str(),
                "zh": f.zh,
                "en": f.en,
            })).collect::<Vec<_>>(),
        })
    }
}

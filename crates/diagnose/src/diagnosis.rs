//! What a diagnosis says: the class, the facts read from the body, and findings in two languages.

use topgate_protocol::errors::Lang;
use topgate_protocol::parse::{BodyFormat, Form};

/// How to read a response (PROTOCOL.md section 5), plus the two outcomes that are not errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// No response, or an HTTP status other than 200 (or a 200 with nothing in it).
    Connection,
    /// Asked for JSON and got XML or the reverse, or HTML, or bytes that are neither.
    FormatMismatch,
    /// A platform error: `code` < 100 except 15, 40, 41.
    Platform,
    /// The caller's parameters: codes 15, 40, 41, or a product-line code with an `isv.*`/bare sub code.
    IsvBusiness,
    /// The service behind the platform failed: `isp.*` sub codes, v1 "service unavailable".
    Provider,
    /// Quota or frequency: codes 4-8, `accesscontrol.*`, "This ban will last for N more seconds".
    FlowControl,
    /// An ordinary result.
    Success,
    /// Nothing could be read that says which.
    Unknown,
}

impl Class {
    /// The stable name used in `--json` output and the corpus: `format-mismatch`, `isv-business`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Connection => "connection",
            Class::FormatMismatch => "format-mismatch",
            Class::Platform => "platform",
            Class::IsvBusiness => "isv-business",
            Class::Provider => "provider",
            Class::FlowControl => "flow-control",
            Class::Success => "success",
            Class::Unknown => "unknown",
        }
    }

    /// The class in words, and whose fault it is.
    pub fn describe(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Class::Connection => (
                "连接错误：请求没有得到TOP的正常响应（网络、地址或服务器）",
                "connection error: the request got no proper answer from TOP (network, address or server)",
            ),
            Class::FormatMismatch => (
                "响应格式错误：收到的格式与请求的不一致",
                "format mismatch: the body is not in the format that was asked for",
            ),
            Class::Platform => (
                "平台级错误：权限、配额或请求的基本参数（错误码小于100）",
                "platform error: permissions, quota or the request envelope (code below 100)",
            ),
            Class::IsvBusiness => (
                "业务错误：调用方传入的参数有问题",
                "ISV business error: the caller's parameters",
            ),
            Class::Provider => (
                "服务提供方错误：后端服务出错，与调用参数无关",
                "provider error: the service behind the platform failed, not the call",
            ),
            Class::FlowControl => (
                "流量控制：调用次数或频率超限",
                "flow control: a call quota or frequency limit was hit",
            ),
            Class::Success => ("调用成功", "success"),
            Class::Unknown => (
                "无法判断：响应中没有可识别的TOP信息",
                "unknown: nothing in the body says what happened",
            ),
        };
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Whether the response was an error (anything but a success).
    pub fn is_error(self) -> bool {
        self != Class::Success
    }
}

/// What a body in the wrong format turned out to hold (ERRORS.md section 4, step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchInner {
    Success,
    PlatformError,
    BusinessError,
    Html,
    Unparseable,
}

/// Which branch of the seed's decision tree applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MismatchBranch {
    /// A success in the wrong format: calls too frequent or the server under strain.
    Frequency,
    /// An error the parameters cannot explain: the request was damaged in transit.
    SizeOrNetwork,
    /// The request's own `format` was wrong.
    FormatParam,
    /// HTML or unreadable bytes: a gateway, proxy or firewall answered instead of TOP.
    Server,
}

impl MismatchInner {
    pub fn as_str(self) -> &'static str {
        match self {
            MismatchInner::Success => "success",
            MismatchInner::PlatformError => "platform-error",
            MismatchInner::BusinessError => "business-error",
            MismatchInner::Html => "html",
            MismatchInner::Unparseable => "unparseable",
        }
    }
}

impl MismatchBranch {
    pub fn as_str(self) -> &'static str {
        match self {
            MismatchBranch::Frequency => "frequency",
            MismatchBranch::SizeOrNetwork => "size-or-network",
            MismatchBranch::FormatParam => "format-param",
            MismatchBranch::Server => "server",
        }
    }
}

/// The decision tree applied to a format mismatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The format the client asked for (None: only known to be a page or bytes, not a response).
    pub asked: Option<topgate_protocol::render::Format>,
    pub inner: MismatchInner,
    pub branch: MismatchBranch,
    /// The data that led to the branch ("args lack format", "total_results=1115", ...).
    pub facts: Vec<String>,
}

/// What a finding is about; the text rendering groups findings by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// What the code and sub code mean.
    Meaning,
    /// The likely cause.
    Cause,
    /// What to do.
    Remedy,
    /// A parameter the server echoed that looks wrong.
    Param,
    /// The diagnosis had to guess: the body was damaged or pasted.
    Guess,
    /// What the server saw (archived calls only).
    Server,
    /// Anything else worth saying.
    Note,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Meaning => "meaning",
            FindingKind::Cause => "cause",
            FindingKind::Remedy => "remedy",
            FindingKind::Param => "param",
            FindingKind::Guess => "guess",
            FindingKind::Server => "server",
            FindingKind::Note => "note",
        }
    }
}

/// One statement, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub zh: String,
    pub en: String,
}

impl Finding {
    pub fn new(kind: FindingKind, zh: impl Into<String>, en: impl Into<String>) -> Finding {
        Finding {
            kind,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Everything the engine found out about one response.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub class: Class,
    /// What the body really is (for a pasted response: the response inside the paste).
    pub actual_format: BodyFormat,
    /// The protocol form; [`Form::Unwrapped`] for an error without its wrapper or a printed SDK object.
    pub form: Option<Form>,
    pub code: Option<i64>,
    pub msg: Option<String>,
    pub sub_code: Option<String>,
    pub sub_msg: Option<String>,
    pub request_id: Option<String>,
    /// False when the code is in no table of the catalog.
    pub known: bool,
    /// Whether the same request may succeed later (after `wait_seconds`, if given).
    pub retryable: bool,
    /// Flow control: the N of "This ban will last for N more seconds".
    pub wait_seconds: Option<u64>,
    /// When the ban is over (GMT+8), when the saved file says when the response arrived.
    pub retry_at: Option<String>,
    /// The body was not a well-formed TOP response: the facts were recovered by reading around it.
    pub guessed: bool,
    /// The parameters the server echoed (`args`), in its order.
    pub args: Vec<(String, String)>,
    /// Echoed parameters that look wrong, by name.
    pub suspicious: Vec<String>,
    /// A success's wrapper key (`item_get_response`, `rsp`).
    pub response_key: Option<String>,
    pub mismatch: Option<Mismatch>,
    /// The data the diagnosis rests on, as `name=value` or a short phrase.
    pub facts: Vec<String>,
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    pub(crate) fn new(actual_format: BodyFormat) -> Diagnosis {
        Diagnosis {
            class: Class::Unknown,
            actual_format,
            form: None,
            code: None,
            msg: None,
            sub_code: None,
            sub_msg: None,
            request_id: None,
            known: true,
            retryable: false,
            wait_seconds: None,
            retry_at: None,
            guessed: false,
            args: Vec::new(),
            suspicious: Vec::new(),
            response_key: None,
            mismatch: None,
            facts: Vec::new(),
            findings: Vec::new(),
        }
    }

    pub(crate) fn fact(&mut self, fact: impl Into<String>) {
        let fact = fact.into();
        if !self.facts.contains(&fact) {
            self.facts.push(fact);
        }
    }

    pub(crate) fn say(&mut self, kind: FindingKind, zh: impl Into<String>, en: impl Into<String>) {
        self.findings.push(Finding::new(kind, zh, en));
    }

    /// The findings of one kind.
    pub fn findings_of(&self, kind: FindingKind) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.kind == kind)
    }
}

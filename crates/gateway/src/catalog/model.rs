//! What a catalog declares: APIs, their parameters and rules, and the HTTP backends they use.
//!
//! Every value here has passed the loader's checks ([`super::Catalog::parse`]): names are well
//! formed, constraints fit their parameter's type, rules name declared parameters.

use std::fmt;
use std::time::Duration;

use topgate_protocol::errors::ProductLine;

/// The timeout of an HTTP backend that declares none, and of the built-in demo backend.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(3000);
/// The pooled keep-alive connections of an HTTP backend that declares none.
pub const DEFAULT_MAX_IDLE: usize = 32;

/// One API: `[[api]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSpec {
    /// Dotted lower-case name, e.g. `taobao.item.get`.
    pub name: String,
    /// The product line: the `code` of this API's business errors.
    pub line: ProductLine,
    pub backend: BackendRef,
    pub session: SessionNeed,
    /// The permission package that grants this API; `None`: open to every app.
    pub package: Option<String>,
    /// Partners whose apps may call this API; empty: any app. An app of another partner, or of
    /// none, is refused with code 13 (Insufficient partner permissions).
    pub partners: Vec<String>,
    /// Overrides the backend's timeout.
    pub timeout: Option<Duration>,
    pub summary: Option<String>,
    /// Limits on this API for all callers together.
    pub limits: Option<ApiLimits>,
    /// In declaration order (the order validation checks them in).
    pub params: Vec<ParamSpec>,
    /// In declaration order, checked after the parameters.
    pub rules: Vec<Rule>,
}

impl ApiSpec {
    /// The declared parameter of this name.
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Where an API's calls go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BackendRef {
    /// The built-in demo commerce service (`backend = "demo"`).
    Demo,
    /// A `[backends.<name>]` entry of the same catalog.
    Http(String),
}

impl BackendRef {
    /// The name the catalog uses: `demo`, or the HTTP backend's.
    pub fn name(&self) -> &str {
        match self {
            BackendRef::Demo => "demo",
            BackendRef::Http(name) => name,
        }
    }
}

/// Whether an API needs the `session` system parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SessionNeed {
    /// Not used; a session sent anyway is ignored.
    #[default]
    None,
    /// Used when sent (and then checked: code 27 if invalid).
    Optional,
    /// Code 26 when absent.
    Required,
}

impl SessionNeed {
    pub const ALL: [SessionNeed; 3] = [
        SessionNeed::None,
        SessionNeed::Optional,
        SessionNeed::Required,
    ];

    /// The spelling in a catalog file.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionNeed::None => "none",
            SessionNeed::Optional => "optional",
            SessionNeed::Required => "required",
        }
    }

    pub fn parse(s: &str) -> Option<SessionNeed> {
        Self::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

/// Limits on one API for all callers together (`limits = { per_day = .., per_second = .. }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ApiLimits {
    pub per_day: Option<u64>,
    pub per_second: Option<u64>,
}

/// A named HTTP backend: `[backends.<name>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpBackendSpec {
    pub name: String,
    /// `http://host[:port]/[path]`.
    pub url: String,
    /// The timeout of APIs that declare none.
    pub timeout: Duration,
    /// Pooled keep-alive connections.
    pub max_idle: usize,
}

/// The type of a business parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    String,
    /// An integer (i64) or a decimal (`-12.50`).
    Number,
    /// `true` or `false` (any case).
    Boolean,
    /// `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd`.
    Date,
    /// Any valid JSON text.
    Json,
    /// A file part of a multipart body.
    File,
}

impl ParamType {
    pub const ALL: [ParamType; 6] = [
        ParamType::String,
        ParamType::Number,
        ParamType::Boolean,
        ParamType::Date,
        ParamType::Json,
        ParamType::File,
    ];

    /// The spelling in a catalog file.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Date => "date",
            ParamType::Json => "json",
            ParamType::File => "file",
        }
    }

    pub fn parse(s: &str) -> Option<ParamType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// A bound of a number parameter, as the catalog wrote it (`100` or `0.5`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    Int(i64),
    Float(f64),
}

impl Bound {
    pub fn as_f64(self) -> f64 {
        match self {
            Bound::Int(i) => i as f64,
            Bound::Float(f) => f,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Int(i) => write!(f, "{i}"),
            Bound::Float(x) => write!(f, "{x}"),
        }
    }
}

/// One business parameter: `[[api.params]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub kind: ParamType,
    pub required: bool,
    /// string/json: length in characters (each item's, for a list).
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    /// number: inclusive range.
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    /// string: the allowed values (`enum`); empty means any.
    pub allowed: Vec<String>,
    /// The value is a comma-separated list; each item is checked.
    pub list: bool,
    /// list: more items is a business error (`isv.invalid-parameter`).
    pub max_items: Option<usize>,
    /// file: bytes; over it the answer is platform code 3.
    pub max_size: Option<u64>,
    /// Documentation only.
    pub default: Option<String>,
}

impl ParamSpec {
    /// A parameter of this name and type with no constraints.
    pub fn new(name: impl Into<String>, kind: ParamType) -> Self {
        ParamSpec {
            name: name.into(),
            kind,
            required: false,
            min_length: None,
            max_length: None,
            min: None,
            max: None,
            allowed: Vec::new(),
            list: false,
            max_items: None,
            max_size: None,
            default: None,
        }
    }
}

/// A business rule: `[[api.rules]]`. Its failure is a business error of the API's product line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// At least one of these must be sent (`isv.missing-parameter`).
    AtLeastOneOf {
        params: Vec<String>,
        message: String,
    },
    /// These comma-separated lists, when sent, must have as many items each
    /// (`isv.parameters-mismatch`).
    SameLength {
        params: Vec<String>,
        message: String,
    },
}

impl Rule {
    pub fn params(&self) -> &[String] {
        match self {
            Rule::AtLeastOneOf { params, .. } | Rule::SameLength { params, .. } => params,
        }
    }

    /// The `sub_msg` when the rule fails.
    pub fn message(&self) -> &str {
        match self {
            Rule::AtLeastOneOf { message, .. } | Rule::SameLength { message, .. } => message,
        }
    }
}

/// "a和b", "a、b和c": names as a Chinese enumeration, for default rule messages.
pub(crate) fn join_zh(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}和{last}", init.join("、")),
    }
}

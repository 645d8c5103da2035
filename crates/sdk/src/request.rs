//! One API call, before the client adds the system parameters and signs it.

use std::fmt::Display;
use std::time::Duration;

use bytes::Bytes;
use topgate_protocol::FileParam;

/// An API call: the method name, its business parameters and files, and per-call overrides.
///
/// ```
/// use topgate_sdk::Request;
///
/// let req = Request::new("taobao.item.get")
///     .param("fields", "num_iid,title")
///     .param("num_iid", 1)
///     .session("6100e23b5fa1c9d8a9");
/// assert_eq!(req.method(), "taobao.item.get");
/// assert_eq!(req.params()[1], ("num_iid".to_string(), "1".to_string()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    method: String,
    params: Vec<(String, String)>,
    files: Vec<FileParam>,
    session: SessionChoice,
    timeout: Option<Duration>,
}

/// Which `session` a call sends.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum SessionChoice {
    /// The client's default session, if it has one.
    #[default]
    Default,
    /// This call's own session.
    Given(String),
    /// No session, even when the client has a default one.
    None,
}

impl Request {
    /// A call of `method` (e.g. `taobao.item.get`) with no parameters yet.
    pub fn new(method: impl Into<String>) -> Self {
        Request {
            method: method.into(),
            params: Vec::new(),
            files: Vec::new(),
            session: SessionChoice::Default,
            timeout: None,
        }
    }

    /// Adds a text parameter. Business parameters travel in the body; a system parameter the
    /// client does not set itself (`target_app_key`) travels in the query string. Setting one
    /// the client sets (`format`, `v`, ...) to a different value fails the call with
    /// [`Error::Usage`](crate::Error::Usage).
    pub fn param(mut self, name: impl Into<String>, value: impl Display) -> Self {
        self.params.push((name.into(), value.to_string()));
        self
    }

    /// Attaches a file: the call goes out as `multipart/form-data`. Files are never signed.
    /// The part's `Content-Type` is guessed from the file name (png, jpg, gif, webp, else
    /// `application/octet-stream`); [`Request::file_with_type`] sets it.
    pub fn file(
        self,
        name: impl Into<String>,
        filename: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.push_file(name.into(), filename.into(), None, data.into())
    }

    /// Attaches a file with an explicit content type.
    pub fn file_with_type(
        self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        let ct = Some(content_type.into());
        self.push_file(name.into(), filename.into(), ct, data.into())
    }

    fn push_file(
        mut self,
        name: String,
        filename: String,
        content_type: Option<String>,
        data: Bytes,
    ) -> Self {
        self.files.push(FileParam {
            name,
            filename,
            content_type,
            data,
        });
        self
    }

    /// This call's `session`, instead of the client's default one.
    pub fn session(mut self, session: impl Into<String>) -> Self {
        self.session = SessionChoice::Given(session.into());
        self
    }

    /// Sends no `session` with this call, even when the client has a default one.
    pub fn without_session(mut self) -> Self {
        self.session = SessionChoice::None;
        self
    }

    /// A timeout for this call alone (each attempt), instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The API name, e.g. `taobao.item.get`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The text parameters, in the order they were added.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    pub fn files(&self) -> &[FileParam] {
        &self.files
    }

    pub fn call_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    pub(crate) fn session_choice(&self) -> &SessionChoice {
        &self.session
    }
}

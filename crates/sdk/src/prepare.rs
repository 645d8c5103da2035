//! Turns a [`Request`] into the exact HTTP request the official SDKs send: `POST`, system
//! parameters and `sign` in the query string, business parameters in an urlencoded body, or in
//! `multipart/form-data` when a file is attached. The signature covers every text parameter,
//! wherever it travels; files are never signed.

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use topgate_protocol::params::is_system;
use topgate_protocol::sign::{self, EmptyValues, SignMethod};
use topgate_protocol::time::format_gmt8;
use topgate_protocol::{FileParam, Format, Params, Version};

use crate::config::{Config, USER_AGENT};
use crate::request::{Request, SessionChoice};
use crate::Error;

/// A signed request, ready to send (or to show, for `topgate call --dry-run`).
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// The API name.
    pub api: String,
    /// The endpoint with the query string (system parameters and `sign`).
    pub url: String,
    /// Every parameter sent, text (including `sign`) and files.
    pub params: Params,
    pub sign_method: SignMethod,
    /// The canonical string `S` (PROTOCOL.md section 2) without the secret around it.
    pub string_to_sign: String,
    pub sign: String,
    pub format: Format,
    pub version: Version,
    /// `Content-Type` of the body.
    pub content_type: String,
    pub body: Body,
    pub timeout: Option<Duration>,
}

/// The body of a call.
#[derive(Debug, Clone)]
pub enum Body {
    /// `application/x-www-form-urlencoded` (possibly empty).
    Form(String),
    /// `multipart/form-data`: the business text parameters, then the files.
    Multipart {
        boundary: String,
        texts: Vec<(String, String)>,
        files: Vec<FileParam>,
    },
}

impl Body {
    /// The bytes on the wire.
    pub fn to_bytes(&self) -> Bytes {
        match self {
            Body::Form(s) => Bytes::from(s.clone()),
            Body::Multipart { .. } => Bytes::from(self.render(|f| f.data.to_vec())),
        }
    }

    /// The body with each file's content replaced by `file_label(file)` (e.g. `<N bytes from
    /// PATH>`), as text: what `--dry-run` shows.
    pub fn display(&self, file_label: impl Fn(&FileParam) -> String) -> String {
        match self {
            Body::Form(s) => s.clone(),
            Body::Multipart { .. } => {
                String::from_utf8_lossy(&self.render(|f| file_label(f).into_bytes())).into_owned()
            }
        }
    }

    fn render(&self, content: impl Fn(&FileParam) -> Vec<u8>) -> Vec<u8> {
        let Body::Multipart {
            boundary,
            texts,
            files,
        } = self
        else {
            return Vec::new();
        };
        let mut out = BytesMut::new();
        for (name, value) in texts {
            out.put_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = format!("form-data; name=\"{}\"", quote(name));
            out.put_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
            out.put_slice(b"Content-Type: text/plain; charset=UTF-8\r\n\r\n");
            out.put_slice(value.as_bytes());
            out.put_slice(b"\r\n");
        }
        for f in files {
            out.put_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = format!(
                "form-data; name=\"{}\"; filename=\"{}\"",
                quote(&f.name),
                quote(&f.filename)
            );
            out.put_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
            let ct = f
                .content_type
                .clone()
                .unwrap_or_else(|| guess_content_type(&f.filename).to_string());
            out.put_slice(format!("Content-Type: {ct}\r\n\r\n").as_bytes());
            out.put_slice(&content(f));
            out.put_slice(b"\r\n");
        }
        out.put_slice(format!("--{boundary}--\r\n").as_bytes());
        out.to_vec()
    }
}

impl PreparedRequest {
    /// The request headers the client sends (besides `Host` and `Content-Length`).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let accept = match self.format {
            Format::Json => "application/json",
            Format::Xml => "text/xml",
        };
        vec![
            ("Content-Type", self.content_type.clone()),
            ("Accept", accept.to_string()),
            ("User-Agent", USER_AGENT.to_string()),
        ]
    }

    /// The whole HTTP/1.1 request as text, for people: request line, headers (with `Host` and
    /// `Content-Length`), a blank line, and the body with each file's content replaced by
    /// `file_label(file)`. Lines end in `\n` (the multipart body keeps its `\r\n`).
    pub fn http_text(&self, file_label: impl Fn(&FileParam) -> String) -> String {
        let rest = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |(_, r)| r);
        let (host, target) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_string()),
        };
        let mut out = format!("POST {target} HTTP/1.1\nHost: {host}\n");
        for (name, value) in self.headers() {
            out.push_str(&format!("{name}: {value}\n"));
        }
        out.push_str(&format!(
            "Content-Length: {}\n\n",
            self.body.to_bytes().len()
        ));
        out.push_str(&self.body.display(file_label));
        out
    }
}

impl Config {
    /// Adds the system parameters (timestamp from the clock), signs, and lays out the request.
    pub fn prepare(&self, request: &Request) -> Result<PreparedRequest, Error> {
        let mut params = Params::new();
        let add = |params: &mut Params, name: &str, value: String| {
            params
                .insert(name.to_string(), value)
                .map_err(|e| Error::Usage {
                    message: format!("{e}: system parameters are set by the client"),
                })
        };
        add(&mut params, "method", request.method().to_string())?;
        add(&mut params, "app_key", self.app_key.clone())?;
        add(&mut params, "timestamp", format_gmt8((self.clock)()))?;
        add(&mut params, "v", self.version.as_str().to_string())?;
        add(&mut params, "sign_method", self.sign_method.as_str().into())?;
        add(&mut params, "format", self.format.as_str().to_string())?;
        if let Some(p) = self.partner_id.as_deref().filter(|p| !p.is_empty()) {
            add(&mut params, "partner_id", p.to_string())?;
        }
        let session = match request.session_choice() {
            SessionChoice::Default => self.session.clone(),
            SessionChoice::Given(s) => Some(s.clone()),
            SessionChoice::None => None,
        };
        if let Some(s) = session.filter(|s| !s.is_empty()) {
            add(&mut params, "session", s)?;
        }
        if self.simplify {
            add(&mut params, "simplify", "true".into())?;
        }
        for (name, value) in request.params() {
            if name.is_empty() || name == "sign" {
                return Err(Error::Usage {
                    message: format!("invalid parameter name {name:?}"),
                });
            }
            add(&mut params, name, value.clone())?;
        }
        for file in request.files() {
            params.insert_file(file.clone()).map_err(|e| Error::Usage {
                message: e.to_string(),
            })?;
        }

        let string_to_sign = sign::string_to_sign(&params, EmptyValues::Keep, None);
        let string_to_sign = String::from_utf8_lossy(&string_to_sign).into_owned();
        let signature = sign::sign(self.sign_method, &self.secret, &params, None);
        add(&mut params, "sign", signature.clone())?;

        let mut query = form_urlencoded::Serializer::new(String::new());
        let mut form = form_urlencoded::Serializer::new(String::new());
        let mut texts = Vec::new();
        for (name, value) in params.text() {
            if is_system(name) {
                query.append_pair(name, value);
            } else {
                form.append_pair(name, value);
                texts.push((name.clone(), value.clone()));
            }
        }
        let sep = if self.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}{}", self.url, query.finish());
        let (content_type, body) = if params.files().is_empty() {
            let ct = "application/x-www-form-urlencoded;charset=UTF-8".to_string();
            (ct, Body::Form(form.finish()))
        } else {
            let boundary = format!("topgate{:016x}", rand::random::<u64>());
            let ct = format!("multipart/form-data; boundary={boundary}");
            let files = params.files().to_vec();
            (
                ct,
                Body::Multipart {
                    boundary,
                    texts,
                    files,
                },
            )
        };
        Ok(PreparedRequest {
            api: request.method().to_string(),
            url,
            params,
            sign_method: self.sign_method,
            string_to_sign,
            sign: signature,
            format: self.format,
            version: self.version,
            content_type,
            body,
            timeout: request.call_timeout(),
        })
    }
}

/// Escapes a name or file name for a `Content-Disposition` quoted string.
fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// The content type of a file part, from its extension.
pub fn guess_content_type(filename: &str) -> &'static str {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("bmp") => "image/bmp",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("xml") => "text/xml",
        _ => "application/octet-stream",
    }
}

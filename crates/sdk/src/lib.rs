//! The ISV's client for TOP (Taobao Open Platform) APIs, as served by topgate or any TOP server.
//!
//! It sends what the official SDKs send (`POST`; system parameters and `sign` in the query
//! string; business parameters in a form body, or `multipart/form-data` when a file is
//! attached; `timestamp` as GMT+8 `yyyy-MM-dd HH:mm:ss`), and reads every answer into one of:
//! a [`Success`], or an [`Error`] that says which class of PROTOCOL.md section 5 it is —
//! [`Error::Transport`] (no answer, or a status other than 200), [`Error::FormatMismatch`],
//! [`Error::Api`] (platform, ISV business, provider, flow control; with the catalog's
//! retryability and the ban's wait), or [`Error::Parse`] (not a TOP response).
//!
//! ```no_run
//! use topgate_sdk::{Client, Error, Request, RetryPolicy};
//!
//! # async fn run() -> Result<(), Error> {
//! let client = Client::builder("http://127.0.0.1:8080/router/rest", "12345678", "helloworld")
//!     .session("demo-session-tbtest561")
//!     .retry(RetryPolicy::new(3))
//!     .save_dir("responses")
//!     .build()?;
//! let req = Request::new("taobao.item.get")
//!     .param("fields", "num_iid,title,price")
//!     .param("num_iid", 1);
//! match client.call(req).await {
//!     Ok(ok) => println!("{:?} ({:?})", ok.text("item.title"), ok.request_id()),
//!     Err(Error::Api(e)) => eprintln!("{e}; retryable: {}", e.retryable),
//!     Err(e) => eprintln!("{e}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Synchronous code uses [`BlockingClient`] (`Client::builder(..).build_blocking()`).
//!
//! The pieces, usable without the network:
//!
//! - [`Request`]: method, business parameters, files, per-call session and timeout.
//! - [`Config::prepare`]: adds the system parameters and signs, giving a [`PreparedRequest`]
//!   (what `topgate call --dry-run` prints). The published test vector:
//!
//! ```
//! use topgate_sdk::{Config, Request};
//! use topgate_protocol::time::parse_timestamp;
//!
//! let mut config = Config::new("http://127.0.0.1:8080/router/rest", "12345678", "helloworld");
//! config.session = Some("test".into());
//! config.partner_id = None;
//! config.clock = topgate_sdk::fixed_clock(parse_timestamp("2016-01-01 12:00:00").unwrap());
//! let req = Request::new("taobao.item.seller.get")
//!     .param("fields", "num_iid,title,nick,price,num")
//!     .param("num_iid", 11223344);
//! let prepared = config.prepare(&req).unwrap();
//! assert_eq!(prepared.sign, "66987CB115214E59E6EC978214934FB8");
//! assert!(prepared.url.contains("&sign=66987CB115214E59E6EC978214934FB8"));
//! ```
//!
//! - [`interpret`]: reads a status, headers and body the way the client does.
//!
//! ```
//! use topgate_sdk::{interpret, Error};
//! use topgate_protocol::{errors::ErrorClass, Format};
//!
//! let body = r#"{"error_response":{"code":7,"msg":"App Call Limited",
//!   "sub_code":"accesscontrol.limited-by-app-access-count",
//!   "sub_msg":"This ban will last for 2 more seconds","request_id":"1a2b3c4d5e6f7"}}"#;
//! let err = interpret(Format::Json, 200, Default::default(), body.into()).unwrap_err();
//! let api = err.api().unwrap();
//! assert_eq!(api.class, ErrorClass::FlowControl);
//! assert_eq!((api.retryable, api.wait_seconds), (true, Some(2)));
//!
//! let ok = interpret(Format::Json, 200, Default::default(),
//!     r#"{"item_get_response":{"item":{"title":"T"},"request_id":"x"}}"#.into()).unwrap();
//! assert_eq!(ok.text("item.title").as_deref(), Some("T"));
//!
//! let xml = interpret(Format::Json, 200, Default::default(), "<error_response/>".into());
//! assert!(matches!(xml, Err(Error::FormatMismatch { .. })));
//! ```
//!
//! - [`RetryPolicy`]: what is retried, and when (opt-in).
//! - [`saved::SavedResponse`]: the file written per attempt when a `save_dir` is set, and read
//!   by `topgate diagnose` (format in the crate's README).
//!
//! Features: `client` (default) brings the HTTP client ([`Client`], [`BlockingClient`]; plain
//! `http://` only, no TLS). Without it the crate is the pure part above, for readers of saved
//! responses.

mod config;
mod error;
mod prepare;
mod request;
mod response;
mod retry;
pub mod saved;

#[cfg(feature = "client")]
mod blocking;
#[cfg(feature = "client")]
mod client;

#[cfg(feature = "client")]
pub use blocking::BlockingClient;
#[cfg(feature = "client")]
pub use client::{Client, ClientBuilder, DEFAULT_TIMEOUT};
pub use config::{fixed_clock, system_clock, Clock, Config, DEFAULT_PARTNER_ID, USER_AGENT};
pub use error::{ApiError, Error, TransportKind};
pub use prepare::{guess_content_type, Body, PreparedRequest};
pub use request::Request;
pub use response::{interpret, retry_after, Success, REQUEST_ID_HEADER};
pub use retry::RetryPolicy;

pub use topgate_protocol::errors::ErrorClass;
pub use topgate_protocol::parse::{BodyFormat, Response};
pub use topgate_protocol::sign::SignMethod;
pub use topgate_protocol::{Format, Value, Version};

/// Compiles the README's examples as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

//! One keep-alive HTTP/1.1 connection of the load generator, and what one call came to.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Request};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::pool::Call;

/// A call that takes longer than this counts as a transport error.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// What one call came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// HTTP 200 with a success body.
    Ok { body_bytes: usize },
    /// HTTP 200 with `{"error_response":…}` (TOP) or `{"error":…}` (the backend protocol).
    ErrorBody,
    /// Any other HTTP status.
    BadStatus,
    /// No answer: refused, reset, closed, or over [`CALL_TIMEOUT`].
    Transport,
}

/// A keep-alive connection to the target.
pub struct Conn {
    addr: SocketAddr,
    host: HeaderValue,
    sender: Option<SendRequest<Full<Bytes>>>,
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn {
            addr,
            host: HeaderValue::from_str(&addr.to_string()).expect("an address is a header value"),
            sender: None,
        }
    }

    async fn connect(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("just connected"))
    }

    /// Sends `call` and reads the whole answer. A broken connection is dropped and made again
    /// on the next call.
    pub async fn call(&mut self, call: Call) -> (Outcome, Option<Bytes>) {
        let host = self.host.clone();
        let exchange = async {
            let sender = self.connect().await?;
            sender.ready().await?;
            let req = Request::post(call.uri)
                .header(header::HOST, host)
                .header(
                    header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded;charset=utf-8",
                )
                .body(Full::new(call.body))?;
            let resp = sender.send_request(req).await?;
            let status = resp.status();
            let body = resp.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, body))
        };
        match tokio::time::timeout(CALL_TIMEOUT, exchange).await {
            Ok(Ok((status, body))) => {
                let outcome = if status != http::StatusCode::OK {
                    Outcome::BadStatus
                } else if body.starts_with(b"{\"error") {
                    Outcome::ErrorBody
                } else {
                    Outcome::Ok {
                        body_bytes: body.len(),
                    }
                };
                (outcome, Some(body))
            }
            _ => {
                self.sender = None;
                (Outcome::Transport, None)
            }
        }
    }
}

//! One keep-alive HTTP/1.1 connection of the load generator, and what one call came to.
//!
//! The client is written for the load generator's budget: each call is one `write` of the
//! request's pre-built bytes and, usually, one `read` of the answer, parsed by `httparse`. A
//! general client (hyper's, tried first) cost the generator more CPU per call than the bare
//! server spent answering it, so the generator, not the server, set the limit of scenario A.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A call that takes longer than this counts as a transport error.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// The most header lines read in an answer.
const MAX_HEADERS: usize = 32;

/// What one call came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// HTTP 200 with a success body.
    Ok { body_bytes: usize },
    /// HTTP 200 with `{"error_response":…}` (TOP) or `{"error":…}` (the backend protocol).
    ErrorBody,
    /// Any other HTTP status.
    BadStatus,
    /// No answer: refused, reset, closed, unreadable, or over [`CALL_TIMEOUT`].
    Transport,
}

/// A keep-alive connection to the target, made again after any failure.
pub struct Conn {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    buf: BytesMut,
}

/// An answer's head: status, where the body starts, how long it is, and whether the server
/// closes the connection after it.
struct Head {
    status: u16,
    start: usize,
    length: usize,
    close: bool,
}

fn parse_head(buf: &[u8]) -> anyhow::Result<Option<Head>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(start) = resp.parse(buf)? else {
        return Ok(None);
    };
    let (mut length, mut close) = (None, false);
    for h in resp.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            length = std::str::from_utf8(h.value)?.trim().parse().ok();
        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
            anyhow::bail!("chunked answers are not supported by the load generator");
        } else if h.name.eq_ignore_ascii_case("connection") {
            close = h.value.eq_ignore_ascii_case(b"close");
        }
    }
    Ok(Some(Head {
        status: resp.code.unwrap_or(0),
        start,
        length: length.ok_or_else(|| anyhow::anyhow!("an answer without Content-Length"))?,
        close,
    }))
}

impl Conn {
    pub fn new(addr: SocketAddr) -> Conn {
        Conn {
            addr,
            stream: None,
            buf: BytesMut::with_capacity(16 * 1024),
        }
    }

    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<(u16, Bytes)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(stream);
            self.buf.clear();
        }
        let stream = self.stream.as_mut().expect("connected");
        stream.write_all(request).await?;
        let head = loop {
            if let Some(head) = parse_head(&self.buf)? {
                break head;
            }
            self.buf.reserve(8 * 1024);
            if stream.read_buf(&mut self.buf).await? == 0 {
                anyhow::bail!("the server closed the connection");
            }
        };
        let end = head.start + head.length;
        while self.buf.len() < end {
            self.buf.reserve(end - self.buf.len());
            if stream.read_buf(&mut self.buf).await? == 0 {
                anyhow::bail!("the server closed the connection mid-answer");
            }
        }
        let mut answer = self.buf.split_to(end);
        if head.close {
            self.stream = None;
        }
        Ok((head.status, answer.split_off(head.start).freeze()))
    }

    /// Sends the request bytes and reads the whole answer: its outcome and its body.
    pub async fn call(&mut self, request: &[u8]) -> (Outcome, Option<Bytes>) {
        match tokio::time::timeout(CALL_TIMEOUT, self.exchange(request)).await {
            Ok(Ok((status, body))) => {
                let outcome = if status != 200 {
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
                self.stream = None;
                (Outcome::Transport, None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn heads_are_parsed() {
        let head = super::parse_head(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello")
            .unwrap()
            .unwrap();
        assert_eq!((head.status, head.start, head.length), (200, 38, 5));
        assert!(!head.close);
        assert!(super::parse_head(b"HTTP/1.1 200 OK\r\ncontent-le")
            .unwrap()
            .is_none());
        assert!(
            super::parse_head(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").is_err()
        );
    }
}

//! Scenario A, the limit: a bare hyper server that reads each request's body and answers a
//! fixed JSON body of `--body-bytes` bytes (the size of topgate's answer in scenario B), with the
//! same headers topgate sends. No parsing, no checks, no backend.

use std::net::SocketAddr;

use bytes::Bytes;
use clap::Parser;
use http::{header, HeaderValue, Response};
use http_body_util::{BodyExt, Full};

#[derive(Parser)]
#[command(about = "bench scenario A: a bare hyper server answering a fixed body")]
struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Size of the fixed JSON answer, in bytes
    #[arg(long, default_value_t = 200)]
    body_bytes: usize,
}

/// `{"bench":"xxx…"}` padded to `size` bytes (at least the braces and key).
fn fixed_body(size: usize) -> Bytes {
    let frame = r#"{"bench":""}"#;
    let mut body = String::from(r#"{"bench":""#);
    body.extend(std::iter::repeat_n('x', size.saturating_sub(frame.len())));
    body.push_str(r#""}"#);
    Bytes::from(body)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let body = fixed_body(args.body_bytes);
    tokio::runtime::Runtime::new()?.block_on(topgate_bench::serve::serve(args.listen, move |req| {
        let body = body.clone();
        async move {
            // Read the request body as topgate does, then answer.
            let _ = req.into_body().collect().await;
            let mut resp = Response::new(Full::new(body));
            let headers = resp.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            headers.insert("x-request-id", HeaderValue::from_static("0bench0000000"));
            resp
        }
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_body_has_the_asked_size() {
        assert_eq!(super::fixed_body(321).len(), 321);
        assert_eq!(super::fixed_body(0).len(), 12);
    }
}

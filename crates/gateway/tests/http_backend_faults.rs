//! HTTP backends that fail, written here on raw sockets: each failure kind gives its product
//! line's code and sub code, within the API's timeout. Plus what the gateway sends, a backend's
//! own business error, and keep-alive reuse.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use topgate_gateway::launch::ServeOptions;

/// What a fake backend does once it has read a request.
#[derive(Clone)]
enum Act {
    /// Writes half an answer, then resets the connection (SO_LINGER 0).
    Reset,
    /// Writes half an answer, then closes.
    CloseMidAnswer,
    /// Never answers.
    Hang,
    /// Writes this status, content type and body, then closes.
    Answer(u16, &'static str, &'static str),
    /// Writes these bytes, then closes.
    Raw(&'static str),
    /// Answers this JSON and keeps the connection for the next request.
    KeepAlive(&'static str),
}

struct Fake {
    url: String,
    accepted: Arc<AtomicUsize>,
    /// Each request received: head and body.
    seen: Arc<Mutex<Vec<(String, String)>>>,
}

async fn fake(act: Act) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/top/backend", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (count, log) = (accepted.clone(), seen.clone());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(serve_one(stream, act.clone(), log.clone()));
        }
    });
    Fake {
        url,
        accepted,
        seen,
    }
}

async fn serve_one(mut stream: TcpStream, act: Act, log: Arc<Mutex<Vec<(String, String)>>>) {
    while let Some(request) = read_request(&mut stream).await {
        log.lock().await.push(request);
        let half = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"result\":{";
        match &act {
            Act::Reset | Act::CloseMidAnswer => {
                let _ = stream.write_all(half.as_bytes()).await;
                let _ = stream.flush().await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                if matches!(act, Act::Reset) {
                    let _ = stream.set_zero_linger();
                }
                return;
            }
            Act::Hang => {
                tokio::time::sleep(Duration::from_secs(60)).await;
                return;
            }
            Act::Answer(status, content_type, body) => {
                let answer = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
                return;
            }
            Act::Raw(bytes) => {
                let _ = stream.write_all(bytes.as_bytes()).await;
                let _ = stream.shutdown().await;
                return;
            }
            Act::KeepAlive(body) => {
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                if stream.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// One HTTP/1.1 request with a Content-Length body; `None` at the end of the connection.
async fn read_request(stream: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
    Some((head, body))
}

/// A gateway with the demo credentials and one API per backend: `test.<name>.get`.
async fn gateway(backends: &[(&str, &str, &str, Option<u64>)]) -> (Harness, tempfile::TempDir) {
    let mut catalog = String::new();
    for (name, url, line, timeout_ms) in backends {
        catalog += &format!("[backends.{name}]\nurl = \"{url}\"\n");
        if let Some(t) = timeout_ms {
            catalog += &format!("timeout_ms = {t}\n");
        }
        catalog += &format!(
            "[[api]]\nname = \"test.{}.get\"\nline = \"{line}\"\nbackend = \"{name}\"\nsession = \"optional\"\n",
            name.replace('-', "_")
        );
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog.toml"), catalog).unwrap();
    std::fs::write(
        dir.path().join("topgate.toml"),
        "catalog = \"catalog.toml\"\n",
    )
    .unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        config: Some(dir.path().join("topgate.toml")),
        ..Default::default()
    })
    .await;
    (h, dir)
}

#[tokio::test]
async fn every_failure_kind_has_its_sub_code_within_the_timeout() {
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/", l.local_addr().unwrap())
    };
    let reset = fake(Act::Reset).await;
    let closed = fake(Act::CloseMidAnswer).await;
    let hang = fake(Act::Hang).await;
    let status_500 = fake(Act::Answer(500, "application/json", r#"{"result":{}}"#)).await;
    let html = fake(Act::Answer(
        200,
        "text/html",
        "<html><body>502 Bad Gateway</body></html>",
    ))
    .await;
    let truncated = fake(Act::Answer(
        200,
        "application/json",
        r#"{"result":{"items":[{"num_iid":1"#,
    ))
    .await;
    let shape = fake(Act::Answer(200, "application/json", r#"{"items":[]}"#)).await;
    let not_http = fake(Act::Raw("SSH-2.0-OpenSSH_9.6\r\n\r\n")).await;
    let (h, _dir) = gateway(&[
        ("refused", &refused, "item", None),
        ("reset", &reset.url, "trade", None),
        ("closed", &closed.url, "refund", None),
        ("hang", &hang.url, "user", Some(300)),
        ("status-500", &status_500.url, "item", None),
        ("html", &html.url, "shop", None),
        ("truncated", &truncated.url, "item-extra", None),
        ("shape", &shape.url, "category", None),
        ("not-http", &not_http.url, "item", None),
    ])
    .await;
    let cases = [
        ("refused", 530, "isp.remote-connection-error"),
        ("reset", 520, "isp.remote-connection-error"),
        ("closed", 521, "isp.remote-connection-error"),
        ("hang", 500, "isp.remote-service-timeout"),
        ("status_500", 530, "isp.item-service-unavailable"),
        ("html", 560, "isp.shop-service-unavailable"),
        ("truncated", 531, "isp.item-extra-service-unavailable"),
        ("shape", 510, "isp.category-service-unavailable"),
        ("not_http", 530, "isp.item-service-unavailable"),
    ];
    for (name, code, sub_code) in cases {
        for format in ["json", "xml"] {
            let started = Instant::now();
            let e = h
                .error(&h.call(&format!("test.{name}.get")).set("format", format))
                .await;
            let took = started.elapsed();
            assert_eq!(
                (e.code, e.sub_code.as_deref()),
                (code, Some(sub_code)),
                "{name} {e:?}"
            );
            let (msg, bound) = if name == "hang" {
                assert!(took >= Duration::from_millis(290), "{name} {took:?}");
                ("Remote service timeout", Duration::from_millis(1500))
            } else {
                // Well before the 3000 ms timeout these APIs have.
                ("Remote service error", Duration::from_millis(2500))
            };
            assert_eq!(e.msg, msg, "{name}");
            assert!(took < bound, "{name} took {took:?}");
            assert!(!e.sub_msg.unwrap_or_default().is_empty());
        }
    }
    // v1: the legacy codes for connection errors and timeouts.
    let e = h.error(&h.call("test.refused.get").set("v", "1.0")).await;
    assert_eq!(e.code, 900);
    let e = h.error(&h.call("test.hang.get").set("v", "1.0")).await;
    assert_eq!(e.code, 901);
}

#[tokio::test]
async fn the_request_and_a_business_error() {
    let answer = r#"{"error":{"sub_code":"isv.item-is-locked:num_iid:7","sub_msg":"商品已锁定"}}"#;
    let backend = fake(Act::KeepAlive(answer)).await;
    let (h, _dir) = gateway(&[("commerce", &backend.url, "item", None)]).await;
    let call = h
        .call("test.commerce.get")
        .session()
        .set("num_iid", "7")
        .set("title", "a&b=c 中文");
    let parsed = h.parsed(&call).await;
    let e = parsed.error().unwrap();
    assert_eq!(e.code, 530);
    assert_eq!(e.msg, "Remote service error");
    assert_eq!(e.sub_code.as_deref(), Some("isv.item-is-locked:num_iid:7"));
    assert_eq!(e.sub_msg.as_deref(), Some("商品已锁定"));

    let seen = backend.seen.lock().await;
    let (head, body) = &seen[0];
    let request_id = parsed.request_id().unwrap();
    assert!(head.starts_with("POST /top/backend HTTP/1.1\r\n"), "{head}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-type: application/json"), "{head}");
    assert!(
        head.contains(&format!("x-request-id: {request_id}")),
        "{head}"
    );
    assert!(head.contains("x-top-method: test.commerce.get"), "{head}");
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "method": "test.commerce.get",
            "params": {"num_iid": "7", "title": "a&b=c 中文"},
            "files": [],
            "app_key": APP_KEY,
            "user": {"id": json["user"]["id"], "nick": "tbtest561"},
            "request_id": request_id,
        })
    );
}

#[tokio::test]
async fn connections_are_kept_alive() {
    let backend = fake(Act::KeepAlive(r#"{"result":{"tags":["a","b"]}}"#)).await;
    let (h, _dir) = gateway(&[("commerce", &backend.url, "item", None)]).await;
    for _ in 0..20 {
        let body = h.send(&h.call("test.commerce.get")).await.2;
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains(r#""tags":{"tag":["a","b"]}"#), "{text}");
    }
    let accepted = backend.accepted.load(Ordering::SeqCst);
    assert!((1..=2).contains(&accepted), "{accepted} connections");
}

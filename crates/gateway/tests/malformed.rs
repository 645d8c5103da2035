//! Malformed input: each answered cleanly, with a TOP error in the requested format, never a
//! panic, a hang or a dropped connection.

mod support;

use support::*;
use topgate_protocol::parse::{parse, BodyFormat, Outcome};

async fn raw(
    h: &Harness,
    method: &str,
    query: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Vec<u8>) {
    let mut req = h
        .http
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}?{query}", h.url),
        )
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

fn code_of(body: &[u8]) -> (BodyFormat, i64) {
    let parsed = parse(body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)));
    match parsed.outcome {
        Outcome::Error(e) => (parsed.format, e.code),
        Outcome::Success(_) => panic!("expected an error: {}", String::from_utf8_lossy(body)),
    }
}

#[tokio::test]
async fn wrong_http_methods_are_code_9() {
    let h = start().await;
    for m in ["PUT", "DELETE", "PATCH", "get", "post"] {
        let (status, body) = raw(&h, m, "format=json", None, vec![]).await;
        assert_eq!(status, 200, "{m}");
        assert_eq!(code_of(&body), (BodyFormat::Json, 9), "{m}");
    }
}

#[tokio::test]
async fn a_file_on_get_is_code_9() {
    let h = start().await;
    let body = b"--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nPNG\r\n--B--\r\n".to_vec();
    let (_, body) = raw(
        &h,
        "GET",
        "format=json",
        Some("multipart/form-data; boundary=B"),
        body,
    )
    .await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 9));
}

#[tokio::test]
async fn broken_bodies() {
    let h = start().await;
    let form = Some("application/x-www-form-urlencoded");
    // Invalid percent-encoding, in the body and in the query.
    let (_, body) = raw(&h, "POST", "format=json", form, b"nick=%zz".to_vec()).await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 43));
    let (_, body) = raw(&h, "GET", "format=xml&nick=%E4%B8", None, vec![]).await;
    assert_eq!(code_of(&body), (BodyFormat::Xml, 47));
    // Not UTF-8 after decoding.
    let (_, body) = raw(&h, "POST", "format=json", form, b"nick=%FF%FE".to_vec()).await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 47));
    let (_, body) = raw(&h, "POST", "format=json", form, b"nick=\xff".to_vec()).await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 47));
    // Broken multipart: no closing boundary, no boundary at all.
    let mp = b"--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue".to_vec();
    let (_, body) = raw(
        &h,
        "POST",
        "format=json",
        Some("multipart/form-data; boundary=B"),
        mp,
    )
    .await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 43));
    let (_, body) = raw(
        &h,
        "POST",
        "format=json",
        Some("multipart/form-data"),
        b"x".to_vec(),
    )
    .await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 43));
    // The same parameter twice with different values.
    let (_, body) = raw(
        &h,
        "POST",
        "format=json&method=a",
        form,
        b"method=b".to_vec(),
    )
    .await;
    assert_eq!(code_of(&body), (BodyFormat::Json, 43));
    // A broken body still answers in the format the query asked for.
    let (_, body) = raw(&h, "POST", "format=json&v=1.0", form, b"%%%".to_vec()).await;
    let parsed = parse(&body).unwrap();
    assert_eq!(parsed.format, BodyFormat::Json);
    assert_eq!(parsed.form, topgate_protocol::parse::Form::V1);
}

#[tokio::test]
async fn huge_bodies_are_refused_without_reading_them() {
    let h = start().await;
    let big = vec![b'a'; 11 * 1024 * 1024];
    let (status, body) = raw(
        &h,
        "POST",
        "format=json",
        Some("application/x-www-form-urlencoded"),
        big,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(code_of(&body), (BodyFormat::Json, 43));
    // The server is still fine.
    let ok = h.parsed(&h.call("taobao.time.get")).await;
    assert!(ok.error().is_none());
}

#[tokio::test]
async fn unknown_paths_and_health() {
    let h = start().await;
    let base = h.running.base_url();
    let resp = h
        .http
        .get(format!("{base}/router/other"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = h.http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn where_clients_put_parameters() {
    let h = start().await;
    let call = h
        .call("taobao.item.get")
        .set("fields", "num_iid,title")
        .set("num_iid", "1");
    let pairs = call.signed_pairs();
    let query = |pairs: &[(String, String)]| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v, true)))
            .collect::<Vec<_>>()
            .join("&")
    };
    // Everything in the query, GET.
    let (_, body) = raw(&h, "GET", &query(&pairs), None, vec![]).await;
    assert!(
        matches!(parse(&body).unwrap().outcome, Outcome::Success(_)),
        "{}",
        String::from_utf8_lossy(&body)
    );
    // Everything in the query, POST with an empty body and no content type.
    let (_, body) = raw(&h, "POST", &query(&pairs), None, vec![]).await;
    assert!(matches!(parse(&body).unwrap().outcome, Outcome::Success(_)));
    // Everything in a form body, spaces as %20.
    let form: String = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v, false)))
        .collect::<Vec<_>>()
        .join("&");
    let (_, body) = raw(
        &h,
        "POST",
        "",
        Some("application/x-www-form-urlencoded"),
        form.into_bytes(),
    )
    .await;
    assert!(
        matches!(parse(&body).unwrap().outcome, Outcome::Success(_)),
        "{}",
        String::from_utf8_lossy(&body)
    );
    // A body of another type is not read for parameters.
    let (_, body) = raw(
        &h,
        "POST",
        &query(&pairs),
        Some("application/json"),
        b"{\"num_iid\":2}".to_vec(),
    )
    .await;
    assert!(matches!(parse(&body).unwrap().outcome, Outcome::Success(_)));
}

#[tokio::test]
async fn accept_header_never_decides_the_format() {
    let h = start().await;
    let call = h.call("taobao.time.get").set("format", "xml");
    let pairs = call.signed_pairs();
    let resp = h
        .http
        .post(&h.url)
        .header("accept", "application/json")
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/xml;charset=UTF-8");
    let body = resp.bytes().await.unwrap();
    assert!(body.starts_with(b"<?xml"));
}

/// Percent-encodes a value; spaces as `+` or `%20`.
fn urlencode(v: &str, plus: bool) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' if plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

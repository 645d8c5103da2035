//! Each class of error (PROTOCOL.md section 5) as the client reports it.

#![cfg(feature = "client")]

mod common;

use std::time::{Duration, Instant};

use common::{FakeTop, APP_KEY, REQUEST_ID, SECRET};
use topgate_protocol::parse::Outcome;
use topgate_sdk::{BodyFormat, Client, Error, ErrorClass, Format, Request, TransportKind};

async fn call(server: &FakeTop, method: &str) -> Error {
    let client = Client::builder(&server.url, APP_KEY, SECRET)
        .build()
        .unwrap();
    client.call(Request::new(method)).await.unwrap_err()
}

#[tokio::test]
async fn platform_invalid_signature() {
    let server = FakeTop::start();
    let client = Client::builder(&server.url, APP_KEY, "wrong-secret")
        .build()
        .unwrap();
    let err = client
        .call(Request::new("taobao.item.get"))
        .await
        .unwrap_err();
    let Error::Api(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((e.code, e.msg.as_str()), (25, "Invalid signature"));
    assert_eq!((e.class, e.retryable), (ErrorClass::Platform, false));
    assert_eq!(e.request_id.as_deref(), Some(REQUEST_ID));
    assert!(e.remedy(Default::default()).unwrap().contains("signature"));
    assert_eq!(err.class(), Some(ErrorClass::Platform));
    assert!(err.to_string().contains("25"), "{err}");
}

#[tokio::test]
async fn business_error() {
    let server = FakeTop::start();
    let err = call(&server, "taobao.item.missing").await;
    let e = err.api().unwrap();
    assert_eq!(e.code, 530);
    assert_eq!(e.sub_code.as_deref(), Some("isv.missing-parameter"));
    assert_eq!(e.sub_msg.as_deref(), Some("iid和num_iid至少要传入一个"));
    assert_eq!(
        (e.class, e.retryable, e.wait_seconds),
        (ErrorClass::IsvBusiness, false, None)
    );
}

#[tokio::test]
async fn provider_error() {
    let server = FakeTop::start();
    let e = call(&server, "taobao.provider.down").await;
    let e = e.api().unwrap();
    assert_eq!(e.sub_code.as_deref(), Some("isp.item-service-unavailable"));
    assert_eq!((e.class, e.retryable), (ErrorClass::Provider, true));
}

#[tokio::test]
async fn flow_control_ban() {
    let server = FakeTop::start();
    let e = call(&server, "taobao.ban.always").await;
    let e = e.api().unwrap();
    assert_eq!(e.code, 7);
    assert_eq!(
        (e.class, e.retryable, e.wait_seconds),
        (ErrorClass::FlowControl, true, Some(2))
    );
    assert_eq!(
        server.hits("taobao.ban.always"),
        1,
        "no retry without a policy"
    );
}

#[tokio::test]
async fn status_503_is_transport() {
    let server = FakeTop::start();
    let err = call(&server, "taobao.down").await;
    let Error::Transport {
        kind, status, body, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*kind, *status), (TransportKind::Status, Some(503)));
    assert!(String::from_utf8_lossy(body.as_ref().unwrap()).contains("503"));
    assert_eq!(err.class(), Some(ErrorClass::Connection));
    assert_eq!(err.to_string(), "HTTP status 503: Service Unavailable");
}

#[tokio::test]
async fn xml_when_json_asked_is_a_format_mismatch_with_the_parsed_body() {
    let server = FakeTop::start();
    let err = call(&server, "taobao.xml.always").await;
    let Error::FormatMismatch {
        requested,
        actual,
        parsed,
        body,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*requested, *actual), (Format::Json, BodyFormat::Xml));
    assert!(body.starts_with(b"<?xml"));
    let parsed = parsed.as_ref().expect("parsed as XML");
    let Outcome::Success(s) = &parsed.outcome else {
        panic!("{parsed:?}")
    };
    assert_eq!(s.response_key.as_deref(), Some("item_get_response"));
    assert_eq!(err.class(), Some(ErrorClass::FormatMismatch));
}

#[tokio::test]
async fn json_when_xml_asked_is_a_format_mismatch() {
    let server = FakeTop::start();
    let client = Client::builder(&server.url, APP_KEY, SECRET)
        .format(Format::Xml)
        .build()
        .unwrap();
    let err = client
        .call(Request::new("taobao.json.always"))
        .await
        .unwrap_err();
    let Error::FormatMismatch { actual, parsed, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*actual, BodyFormat::Json);
    assert_eq!(parsed.as_ref().unwrap().error().unwrap().code, 27);
}

#[tokio::test]
async fn html_page_is_a_format_mismatch() {
    let server = FakeTop::start();
    let err = call(&server, "taobao.html.page").await;
    let Error::FormatMismatch { actual, parsed, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*actual, parsed.is_none()), (BodyFormat::Html, true));
}

#[tokio::test]
async fn not_a_top_response_is_a_parse_error() {
    let server = FakeTop::start();
    let err = call(&server, "taobao.garbage").await;
    let Error::Parse { error, body } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (error.format, body.as_ref()),
        (BodyFormat::Other, &b"hello"[..])
    );
}

#[tokio::test]
async fn timeout_is_transport_timeout() {
    let server = FakeTop::start();
    let client = Client::builder(&server.url, APP_KEY, SECRET)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.call(Request::new("taobao.slow")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    let Error::Transport { kind, status, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*kind, *status), (TransportKind::Timeout, None));
    // A per-call timeout overrides the client's.
    let err = Client::builder(&server.url, APP_KEY, SECRET)
        .build()
        .unwrap()
        .call(Request::new("taobao.slow").timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Transport {
            kind: TransportKind::Timeout,
            ..
        }
    ));
}

#[tokio::test]
async fn refused_connection_is_transport_connect() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/router/rest");
    let client = Client::builder(url, APP_KEY, SECRET).build().unwrap();
    let err = client
        .call(Request::new("taobao.item.get").session("secret-session-value"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("secret-session-value"), "{err}");
}

#[tokio::test]
async fn usage_errors() {
    let err = Client::builder("not a url", APP_KEY, SECRET)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Usage { .. }));
    let client = Client::builder("http://127.0.0.1:9/router/rest", APP_KEY, SECRET)
        .build()
        .unwrap();
    let err = client
        .call(Request::new("taobao.item.get").param("format", "xml"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Usage { .. }), "{err:?}");
}

//! Opt-in retries against the fake TOP server.

#![cfg(feature = "client")]

mod common;

use std::time::{Duration, Instant};

use common::{FakeTop, APP_KEY, SECRET};
use topgate_sdk::{Client, ErrorClass, Request, RetryPolicy};

fn client(server: &FakeTop, policy: RetryPolicy) -> Client {
    Client::builder(&server.url, APP_KEY, SECRET)
        .retry(policy)
        .build()
        .unwrap()
}

#[tokio::test]
async fn waits_out_a_ban_then_succeeds() {
    let server = FakeTop::start();
    let client = client(
        &server,
        RetryPolicy::new(3).max_wait(Duration::from_secs(5)),
    );
    let started = Instant::now();
    let ok = client
        .call(Request::new("taobao.ban.flaky").param("num_iid", 9))
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
    assert_eq!(ok.attempts, 2);
    assert_eq!(ok.text("item.num_iid").as_deref(), Some("9"));
    assert_eq!(server.hits("taobao.ban.flaky"), 2);
    let seen = server.seen();
    assert!(
        seen.iter().all(|s| s.sign_ok),
        "each attempt is signed afresh"
    );
}

#[tokio::test]
async fn a_ban_longer_than_max_wait_is_returned_at_once() {
    let server = FakeTop::start();
    let client = client(
        &server,
        RetryPolicy::new(3).max_wait(Duration::from_secs(1)),
    );
    let started = Instant::now();
    let err = client
        .call(Request::new("taobao.ban.always"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(err.api().unwrap().class, ErrorClass::FlowControl);
    assert_eq!(server.hits("taobao.ban.always"), 1);
}

#[tokio::test]
async fn provider_errors_back_off_and_retry() {
    let server = FakeTop::start();
    let policy = RetryPolicy::new(3).base_backoff(Duration::from_millis(10));
    let client = client(&server, policy);
    let ok = client
        .call(Request::new("taobao.provider.flaky"))
        .await
        .unwrap();
    assert_eq!(ok.attempts, 2);

    let err = client
        .call(Request::new("taobao.provider.down"))
        .await
        .unwrap_err();
    assert_eq!(err.api().unwrap().class, ErrorClass::Provider);
    assert_eq!(
        server.hits("taobao.provider.down"),
        3,
        "max_attempts counts the first"
    );
}

#[tokio::test]
async fn other_classes_are_never_retried() {
    let server = FakeTop::start();
    let client = client(
        &server,
        RetryPolicy::new(5).base_backoff(Duration::from_millis(1)),
    );
    for method in [
        "taobao.item.missing",
        "taobao.down",
        "taobao.xml.always",
        "taobao.no.such",
    ] {
        client.call(Request::new(method)).await.unwrap_err();
        assert_eq!(server.hits(method), 1, "{method}");
    }
}

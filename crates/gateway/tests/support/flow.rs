//! Helpers of the flow-control tests (`#[path]`-included next to `mod support`).
#![allow(dead_code)]

use topgate_protocol::parse::{parse, Outcome};
use topgate_protocol::render::ErrorBody;
use topgate_store::{Limit, LimitScope};

use super::support::{Call, Harness};

pub fn set_limit(
    h: &Harness,
    scope: LimitScope,
    subject: &str,
    day: Option<u64>,
    sec: Option<u64>,
) {
    let limit = Limit {
        scope,
        subject: subject.into(),
        per_day: day,
        per_second: sec,
    };
    h.running.gateway.registry.store().set_limit(limit).unwrap();
    h.running.gateway.registry.refresh().unwrap();
}

/// Sends a call; `Ok(())` on success, else the error and the `Retry-After` header.
pub async fn outcome(h: &Harness, call: &Call) -> Result<(), (ErrorBody, Option<String>)> {
    let (status, headers, body) = h.send(call).await;
    assert_eq!(status, 200);
    let retry = headers
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    match parse(&body).unwrap().outcome {
        Outcome::Success(_) => {
            assert_eq!(retry, None);
            Ok(())
        }
        Outcome::Error(e) => Err((e, retry)),
    }
}

#[track_caller]
pub fn assert_ban(
    got: Result<(), (ErrorBody, Option<String>)>,
    code: i64,
    msg: &str,
    sub: &str,
    n: u64,
) {
    let (e, retry) = got.expect_err("the call should be refused");
    assert_eq!((e.code, e.msg.as_str()), (code, msg));
    assert_eq!(e.sub_code.as_deref(), Some(sub));
    let sentence = format!("This ban will last for {n} more seconds");
    assert_eq!(e.sub_msg.as_deref(), Some(sentence.as_str()));
    assert_eq!(retry, Some(n.to_string()));
}

pub async fn use_up(h: &Harness, call: &Call, n: usize) {
    for i in 0..n {
        if let Err((e, _)) = outcome(h, call).await {
            panic!("call {} of {n} refused: {e:?}", i + 1);
        }
    }
}

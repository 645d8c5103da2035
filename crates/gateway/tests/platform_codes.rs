//! Every platform code of ERRORS.md section 1 produced under its real condition, in v2 JSON,
//! v2 XML and v1 (JSON and XML).

mod support;

use support::*;
use topgate_protocol::parse::{BodyFormat, Form};
use topgate_protocol::time::format_gmt8;
use topgate_store::{NewApp, NewSession};

/// The forms every case is checked in: (format, v).
const FORMS: [(&str, &str); 4] = [
    ("json", "2.0"),
    ("xml", "2.0"),
    ("json", "1.0"),
    ("xml", "1.0"),
];

async fn expect_code(h: &Harness, call: Call, code: i64, msg: &str) {
    for (format, v) in FORMS {
        let call = call.clone().set("format", format).set("v", v);
        let parsed = h.parsed(&call).await;
        let e = parsed
            .error()
            .unwrap_or_else(|| panic!("{format} v{v}: expected code {code}"))
            .clone();
        assert_eq!(e.code, code, "{format} v{v}: {e:?}");
        assert_eq!(e.msg, msg, "{format} v{v}");
        assert!(e.request_id.as_deref().is_some_and(|id| id.len() == 16));
        let expected = if format == "json" {
            BodyFormat::Json
        } else {
            BodyFormat::Xml
        };
        assert_eq!(parsed.format, expected, "{format} v{v}");
        assert_eq!(parsed.form, if v == "1.0" { Form::V1 } else { Form::V2 });
        // The args echo: in v2, and in v1 XML (v1 JSON has none).
        if v == "2.0" || format == "xml" {
            assert!(
                e.args.iter().any(|(k, _)| k == "format"),
                "args echoed in {format} v{v}"
            );
        }
    }
}

#[tokio::test]
async fn envelope_codes() {
    let h = start().await;
    let item = || {
        h.call("taobao.item.get")
            .set("fields", "num_iid,title")
            .set("num_iid", "1")
    };
    expect_code(&h, item().remove("method"), 21, "Missing method").await;
    expect_code(
        &h,
        item().set("method", "taobao.no.such.api"),
        22,
        "Invalid method",
    )
    .await;
    expect_code(&h, item().remove("app_key"), 28, "Missing app key").await;
    expect_code(&h, item().set("app_key", "99999999"), 29, "Invalid app key").await;
    expect_code(&h, item().remove("timestamp"), 30, "Missing timestamp").await;
    expect_code(
        &h,
        item().set("timestamp", "yesterday"),
        31,
        "Invalid timestamp",
    )
    .await;
    let eleven_minutes_ago = format_gmt8(t0() - 11 * 60_000);
    expect_code(
        &h,
        item().set("timestamp", &eleven_minutes_ago),
        31,
        "Invalid timestamp",
    )
    .await;
    expect_code(
        &h,
        item().unsigned().set("sign", ""),
        24,
        "Missing signature",
    )
    .await;
    expect_code(&h, item().unsigned(), 24, "Missing signature").await;
    expect_code(&h, item().secret("not-the-secret"), 25, "Invalid signature").await;
    expect_code(
        &h,
        item().set("sign_method", "sha1"),
        25,
        "Invalid signature",
    )
    .await;
    expect_code(
        &h,
        item().remove("fields"),
        40,
        "Missing required arguments:fields",
    )
    .await;
    expect_code(
        &h,
        item().set("num_iid", "abc"),
        41,
        "Invalid arguments:num_iid",
    )
    .await;
}

#[tokio::test]
async fn version_and_format_codes() {
    let h = start().await;
    let time = || h.call("taobao.time.get");
    // v is checked in each format the request asked for.
    for format in ["json", "xml"] {
        let e = h.error(&time().set("format", format).remove("v")).await;
        assert_eq!((e.code, e.msg.as_str()), (32, "Missing version"));
        let e = h.error(&time().set("format", format).set("v", "abc")).await;
        assert_eq!((e.code, e.msg.as_str()), (33, "Invalid version"));
        let e = h.error(&time().set("format", format).set("v", "3.0")).await;
        assert_eq!((e.code, e.msg.as_str()), (34, "Unsupported version"));
    }
    // An unknown format is answered in the default, XML.
    let parsed = h.parsed(&time().set("format", "yaml")).await;
    assert_eq!(parsed.format, BodyFormat::Xml);
    assert_eq!(parsed.error().unwrap().code, 23);
    assert_eq!(parsed.error().unwrap().msg, "Invalid format");
}

#[tokio::test]
async fn permission_and_session_codes() {
    let h = start().await;
    let store = h.running.gateway.registry.store().clone();
    let bare = store
        .create_app(
            NewApp {
                name: "no grants".into(),
                grants: vec![],
                partner: None,
                app_key: None,
                secret: None,
            },
            t0(),
        )
        .unwrap();
    let partial = store
        .issue_session(NewSession {
            app_key: APP_KEY.into(),
            user_nick: "tbtest561".into(),
            ttl_ms: 3_600_000,
            grants: vec!["user-basic".into()],
            key: None,
            now_ms: t0(),
        })
        .unwrap();
    let expired = store
        .issue_session(NewSession {
            app_key: APP_KEY.into(),
            user_nick: "tbtest561".into(),
            ttl_ms: 1000,
            grants: vec![],
            key: None,
            now_ms: t0() - 60_000,
        })
        .unwrap();
    let disabled = store
        .create_app(
            NewApp {
                name: "blocked".into(),
                grants: vec!["item-read".into()],
                partner: None,
                app_key: None,
                secret: None,
            },
            t0(),
        )
        .unwrap();
    store.set_app_enabled(&disabled.app_key, false).unwrap();
    h.running.gateway.registry.refresh().unwrap();

    let onsale = || {
        h.call("taobao.items.onsale.get")
            .set("fields", "num_iid,title")
    };
    expect_code(&h, onsale(), 26, "Missing session").await;
    expect_code(
        &h,
        onsale().set("session", "no-such-session"),
        27,
        "Invalid session",
    )
    .await;
    expect_code(
        &h,
        onsale().set("session", &expired.key),
        27,
        "Invalid session",
    )
    .await;
    expect_code(
        &h,
        onsale().set("session", &partial.key),
        12,
        "Insufficient user permissions",
    )
    .await;
    let item = h
        .call("taobao.item.get")
        .set("fields", "num_iid")
        .set("num_iid", "1");
    expect_code(
        &h,
        item.clone()
            .set("app_key", &bare.app_key)
            .secret(&bare.secret),
        11,
        "Insufficient isv permissions",
    )
    .await;
    expect_code(
        &h,
        item.clone()
            .set("app_key", &disabled.app_key)
            .secret(&disabled.secret),
        42,
        "Forbidden request",
    )
    .await;
    // taobao.time.get is open to every app.
    let ok = h
        .parsed(
            &h.call("taobao.time.get")
                .set("app_key", &bare.app_key)
                .secret(&bare.secret),
        )
        .await;
    assert!(ok.error().is_none());
    // The session sub codes, as the real platform sends them.
    let e = h.error(&onsale().set("session", &expired.key)).await;
    assert_eq!(e.sub_code.as_deref(), Some("session-expired"));
    let e = h.error(&onsale().set("session", "no-such-session")).await;
    assert_eq!(e.sub_code.as_deref(), Some("invalid-sessionkey"));
    // Another app's session is not valid for this one.
    let other_app = store
        .create_app(
            NewApp {
                name: "other".into(),
                grants: vec!["item-read".into()],
                partner: None,
                app_key: None,
                secret: None,
            },
            t0(),
        )
        .unwrap();
    h.running.gateway.registry.refresh().unwrap();
    let e = h
        .error(
            &onsale()
                .set("app_key", &other_app.app_key)
                .secret(&other_app.secret)
                .session(),
        )
        .await;
    assert_eq!(e.code, 27);
}

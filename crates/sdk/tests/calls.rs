//! Successful calls against the fake TOP server: the envelope, parsing, files, blocking use.

#![cfg(feature = "client")]

mod common;

use common::{FakeTop, APP_KEY, REQUEST_ID, SECRET, SESSION};
use topgate_protocol::Value;
use topgate_sdk::{Client, Format, Request, Version, DEFAULT_PARTNER_ID};

fn client(server: &FakeTop) -> topgate_sdk::ClientBuilder {
    Client::builder(&server.url, APP_KEY, SECRET).session(SESSION)
}

#[tokio::test]
async fn success_json_and_its_envelope() {
    let server = FakeTop::start();
    let client = client(&server).build().unwrap();
    let req = Request::new("taobao.item.get")
        .param("fields", "num_iid,title")
        .param("num_iid", 42)
        .param("title", "a b+c=d&e 中");
    let ok = client.call(req).await.unwrap();
    assert_eq!(ok.response_key(), Some("item_get_response"));
    assert_eq!(ok.request_id(), Some(REQUEST_ID));
    assert_eq!(ok.get("item.num_iid"), Some(&Value::int(42)));
    assert_eq!(ok.text("item.title").as_deref(), Some("a b+c=d&e 中"));
    assert_eq!(ok.text("tags.1").as_deref(), Some("b"));
    assert_eq!(ok.text("tags.string.0").as_deref(), Some("a"));
    assert_eq!(ok.get("item.nope"), None);
    assert_eq!((ok.status, ok.attempts), (200, 1));
    assert!(ok.body_text().starts_with("{\"item_get_response\""));

    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert!(s.sign_ok);
    assert!(s
        .content_type
        .starts_with("application/x-www-form-urlencoded"));
    // System parameters and sign in the query, business parameters in the body.
    for name in [
        "method",
        "app_key",
        "timestamp",
        "v",
        "sign_method",
        "format",
        "partner_id",
        "session",
        "sign",
    ] {
        assert!(s.query.get(name).is_some(), "{name} not in the query");
        assert!(s.body_params.get(name).is_none(), "{name} in the body");
    }
    assert_eq!(s.body_params.text().len(), 3);
    assert_eq!(s.all.get("sign_method"), Some("md5"));
    assert_eq!(s.all.get("format"), Some("json"));
    assert_eq!(s.all.get("v"), Some("2.0"));
    assert_eq!(s.all.get("partner_id"), Some(DEFAULT_PARTNER_ID));
    assert_eq!(s.all.get("simplify"), None);
    let ts = s.all.get("timestamp").unwrap();
    assert!(topgate_protocol::time::parse_timestamp(ts).is_ok(), "{ts}");
    assert_eq!(ts.len(), "yyyy-MM-dd HH:mm:ss".len());
}

#[tokio::test]
async fn every_sign_method_and_xml_and_v1() {
    let server = FakeTop::start();
    for method in ["md5", "hmac", "hmac-sha256"] {
        let sm = topgate_sdk::SignMethod::parse(Some(method)).unwrap();
        let client = client(&server)
            .sign_method(sm)
            .format(Format::Xml)
            .build()
            .unwrap();
        let ok = client
            .call(Request::new("taobao.item.get").param("num_iid", 7))
            .await
            .unwrap();
        assert_eq!(ok.text("item.num_iid").as_deref(), Some("7"), "{method}");
        assert!(ok.body_text().starts_with("<?xml"));
    }
    assert!(server.seen().iter().all(|s| s.sign_ok));

    let v1 = client(&server).version(Version::V1).build().unwrap();
    let ok = v1
        .call(Request::new("taobao.item.get").param("num_iid", 8))
        .await
        .unwrap();
    assert_eq!(ok.response_key(), Some("rsp"));
    assert_eq!(ok.text("items.0.num_iid").as_deref(), Some("8"));
}

#[tokio::test]
async fn simplify_and_session_overrides() {
    let server = FakeTop::start();
    let client = client(&server)
        .simplify(true)
        .partner_id("")
        .build()
        .unwrap();
    let ok = client
        .call(
            Request::new("taobao.item.get")
                .param("num_iid", 3)
                .session("other-session"),
        )
        .await
        .unwrap();
    assert_eq!(ok.response_key(), None);
    assert_eq!(ok.text("tags.0").as_deref(), Some("a"));
    client
        .call(Request::new("taobao.item.get").without_session())
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].all.get("simplify"), Some("true"));
    assert_eq!(seen[0].all.get("session"), Some("other-session"));
    assert_eq!(seen[0].all.get("partner_id"), None);
    assert_eq!(seen[1].all.get("session"), None);
}

#[tokio::test]
async fn multipart_upload_arrives_with_its_parts() {
    let server = FakeTop::start();
    let client = client(&server).build().unwrap();
    let png: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let req = Request::new("taobao.item.img.upload")
        .param("num_iid", 1)
        .param("position", "第一")
        .file("image", "a.png", png.clone());
    let ok = client.call(req).await.unwrap();
    assert_eq!(ok.get("item_img.size"), Some(&Value::int(3000)));

    let s = &server.seen()[0];
    assert!(s.sign_ok, "files are not signed; text parts are");
    assert!(s.content_type.starts_with("multipart/form-data; boundary="));
    assert!(s.query.get("sign").is_some());
    assert_eq!(s.body_params.get("position"), Some("第一"));
    assert_eq!(s.body_params.get("num_iid"), Some("1"));
    let f = s.body_params.file("image").unwrap();
    assert_eq!(
        (f.filename.as_str(), f.data.as_ref()),
        ("a.png", png.as_slice())
    );
    assert_eq!(f.content_type.as_deref(), Some("image/png"));
    assert_eq!(
        s.dispositions.last().unwrap(),
        "form-data; name=\"image\"; filename=\"a.png\""
    );
}

#[test]
fn blocking_client() {
    let server = FakeTop::start();
    let client = client(&server).build_blocking().unwrap();
    let ok = client
        .call(Request::new("taobao.item.get").param("num_iid", 5))
        .unwrap();
    assert_eq!(ok.text("item.num_iid").as_deref(), Some("5"));
    let err = client
        .call(Request::new("taobao.item.missing"))
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, 530);
}

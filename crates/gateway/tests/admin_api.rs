//! The admin API against a running gateway: the token, every route, changes live at once on
//! `/router/rest`, the archive by request id, and a stop that stops the admin listener too.

#[path = "support/admin.rs"]
mod admin;
mod support;

use admin::Admin;
use reqwest::Method;
use serde_json::{json, Value};
use support::*;
use topgate_gateway::admin::TokenSource;
use topgate_store::archive::CallRecord;

const ITEM: &str = "taobao.item.get";

fn item(h: &Harness) -> Call {
    h.call(ITEM)
        .set("fields", "num_iid,title")
        .set("num_iid", "1")
}

/// The code of a call's answer; 0 for a success.
async fn code(h: &Harness, call: &Call) -> i64 {
    match h.parsed(call).await.outcome {
        topgate_protocol::parse::Outcome::Success(_) => 0,
        topgate_protocol::parse::Outcome::Error(e) => e.code,
    }
}

#[tokio::test]
async fn every_route_but_health_needs_the_token() {
    let h = start().await;
    let admin = Admin::of(&h);
    let server = h.running.admin.as_ref().unwrap();
    assert_eq!(
        server.token_source,
        TokenSource::File(h.running.data_dir.join("admin.token"))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(h.running.data_dir.join("admin.token")).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    for (path, token) in [
        ("/admin/apps", None),
        ("/admin/apps", Some("wrong")),
        ("/admin/requests/x", Some("")),
        ("/metrics", None),
    ] {
        let mut req = admin.http.get(format!("{}{path}", admin.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path} {token:?}");
        assert_eq!(resp.headers()["www-authenticate"], "Bearer");
        let body: Value = resp.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("token"), "{body}");
    }
    let health = admin.http.get(format!("{}/health", admin.base));
    assert_eq!(health.send().await.unwrap().status(), 200);
    let (status, body) = admin.get("/admin/nothing-here").await;
    assert_eq!((status, body["error"].is_string()), (404, true), "{body}");
}

#[tokio::test]
async fn changes_are_live_at_once() {
    let h = start().await;
    let admin = Admin::of(&h);
    assert_eq!(code(&h, &item(&h)).await, 0);

    // Disable and enable.
    let app = admin
        .expect(Method::POST, "/admin/apps/12345678/disable", None, 200)
        .await;
    assert_eq!(
        (app["enabled"].as_bool(), app["secret"].as_str()),
        (Some(false), Some(SECRET))
    );
    assert_eq!(code(&h, &item(&h)).await, 42);
    admin
        .expect(Method::POST, "/admin/apps/12345678/enable", None, 200)
        .await;
    assert_eq!(code(&h, &item(&h)).await, 0);

    // Grants.
    let app = admin
        .expect(
            Method::DELETE,
            "/admin/apps/12345678/grants/item-read",
            None,
            200,
        )
        .await;
    assert!(!app["packages"]
        .as_array()
        .unwrap()
        .contains(&json!("item-read")));
    assert_eq!(code(&h, &item(&h)).await, 11);
    admin
        .expect(
            Method::PUT,
            "/admin/apps/12345678/grants/item-read",
            None,
            200,
        )
        .await;
    assert_eq!(code(&h, &item(&h)).await, 0);

    // Limits and a counter reset.
    let limit = json!({"scope": "app", "subject": APP_KEY, "per_day": 1, "per_second": null});
    admin
        .expect(Method::PUT, "/admin/limits", Some(limit.clone()), 200)
        .await;
    let shown = admin
        .expect(Method::GET, "/admin/limits?scope=app", None, 200)
        .await;
    assert_eq!(shown, json!([limit]));
    assert_eq!(code(&h, &item(&h)).await, 0);
    assert_eq!(code(&h, &item(&h)).await, 7);
    let reset = admin
        .expect(
            Method::POST,
            "/admin/apps/12345678/reset-counters",
            None,
            200,
        )
        .await;
    assert_eq!(reset["app_key"], APP_KEY);
    assert_eq!(code(&h, &item(&h)).await, 0);
    let off = json!({"scope": "app", "subject": APP_KEY, "per_day": null, "per_second": null});
    admin
        .expect(Method::PUT, "/admin/limits", Some(off), 200)
        .await;
    assert_eq!(admin.get("/admin/limits").await.1, json!([]));

    // A new secret.
    let app = admin
        .expect(
            Method::POST,
            "/admin/apps/12345678/rotate-secret",
            None,
            200,
        )
        .await;
    let secret = app["secret"].as_str().unwrap().to_owned();
    assert_ne!(secret, SECRET);
    assert_eq!(code(&h, &item(&h)).await, 25);
    assert_eq!(code(&h, &item(&h).secret(&secret)).await, 0);
}

#[tokio::test]
async fn apps_users_and_sessions() {
    let h = start().await;
    let admin = Admin::of(&h);
    let new = json!({"name": "shop helper", "packages": ["user-basic"], "partner": "p1"});
    let app = admin
        .expect(Method::POST, "/admin/apps", Some(new), 201)
        .await;
    let key = app["app_key"].as_str().unwrap().to_owned();
    let secret = app["secret"].as_str().unwrap().to_owned();
    assert_eq!(app["packages"], json!(["user-basic"]));
    let list = admin.expect(Method::GET, "/admin/apps", None, 200).await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["app_key"] == key.as_str());
    assert!(
        listed.unwrap().get("secret").is_none(),
        "lists carry no secrets"
    );
    let one = admin
        .expect(Method::GET, &format!("/admin/apps/{key}"), None, 200)
        .await;
    assert_eq!(one["secret"], secret.as_str());
    let missing = admin
        .expect(Method::GET, "/admin/apps/nope", None, 404)
        .await;
    assert!(missing["error"].as_str().unwrap().contains("nope"));
    let bad = admin
        .expect(Method::POST, "/admin/apps", Some(json!({"nom": "x"})), 400)
        .await;
    assert!(bad["error"].as_str().unwrap().contains("body"), "{bad}");

    let user = admin
        .expect(
            Method::POST,
            "/admin/users",
            Some(json!({"nick": "buyer9"})),
            201,
        )
        .await;
    assert_eq!(user["nick"], "buyer9");
    let dup = Some(json!({"nick": "buyer9"}));
    admin.expect(Method::POST, "/admin/users", dup, 409).await;
    admin
        .expect(Method::GET, "/admin/users/buyer9", None, 200)
        .await;
    let users = admin.expect(Method::GET, "/admin/users", None, 200).await;
    assert!(users
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["nick"] == "buyer9"));

    // A session issued through the API works at once; revoked, it is refused at once.
    let issue = json!({"app_key": key, "user": "sandbox_c_1", "ttl_ms": 3_600_000});
    let session = admin
        .expect(Method::POST, "/admin/sessions", Some(issue), 201)
        .await;
    let session_key = session["key"].as_str().unwrap().to_owned();
    assert_eq!(
        session["expires_at_ms"],
        t0() + 3_600_000,
        "the gateway's clock"
    );
    let call = h
        .call("taobao.user.get")
        .set("app_key", &key)
        .secret(&secret)
        .set("fields", "nick")
        .set("session", &session_key);
    assert_eq!(code(&h, &call).await, 0);
    let listed = admin
        .expect(
            Method::GET,
            &format!("/admin/sessions?app={key}"),
            None,
            200,
        )
        .await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let path = format!("/admin/sessions/{session_key}");
    let revoked = admin.expect(Method::DELETE, &path, None, 200).await;
    assert_eq!(revoked["revoked"], true);
    assert_eq!(code(&h, &call).await, 27);
    assert_eq!(
        admin.expect(Method::GET, &path, None, 200).await["revoked"],
        true
    );
}

#[tokio::test]
async fn the_archive_by_request_id_and_by_filters() {
    let h = start().await;
    let admin = Admin::of(&h);
    let (_, headers, _) = h.send(&item(&h).secret("not-the-secret")).await;
    let id = headers["x-request-id"].to_str().unwrap().to_owned();
    h.send(&item(&h)).await;
    h.running.archive.as_ref().unwrap().flush();

    let json = admin
        .expect(Method::GET, &format!("/admin/requests/{id}"), None, 200)
        .await;
    let record: CallRecord = serde_json::from_value(json).unwrap();
    assert_eq!(record.request_id, id);
    assert_eq!(
        (record.code, record.failed_check.as_deref()),
        (Some(25), Some("signature"))
    );
    assert!(record
        .string_to_sign
        .unwrap()
        .contains("methodtaobao.item.get"));

    let errors = admin
        .expect(
            Method::GET,
            "/admin/requests?errors=true&app=12345678",
            None,
            200,
        )
        .await;
    assert_eq!(errors.as_array().unwrap().len(), 1);
    assert_eq!(errors[0]["request_id"], id.as_str());
    let all = admin
        .expect(
            Method::GET,
            "/admin/requests?method=taobao.item.get",
            None,
            200,
        )
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let none = admin
        .expect(Method::GET, "/admin/requests?code=7&limit=5", None, 200)
        .await;
    assert_eq!(none, json!([]));
    admin
        .expect(Method::GET, "/admin/requests?errors=maybe", None, 400)
        .await;
    let missing = admin
        .expect(Method::GET, "/admin/requests/nope", None, 404)
        .await;
    assert!(missing["error"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn stopping_the_gateway_stops_the_admin_listener() {
    let h = start().await;
    let admin = Admin::of(&h);
    admin.expect(Method::GET, "/admin/apps", None, 200).await;
    h.running.stop().await.unwrap();
    let after = admin
        .http
        .get(format!("{}/health", admin.base))
        .send()
        .await;
    assert!(after.is_err(), "the admin listener is closed");
}

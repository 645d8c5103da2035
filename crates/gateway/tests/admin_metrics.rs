//! `GET /metrics` on the admin listener after some calls, and the `[admin]` settings.

#[path = "support/admin.rs"]
mod admin;
mod support;

use admin::Admin;
use support::*;
use topgate_gateway::admin::{Listen, TokenSource};
use topgate_gateway::launch::ServeOptions;
use topgate_store::{Limit, LimitScope};

/// The value of the sample `line` (name and labels) in the metrics text.
fn sample(text: &str, line: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(line)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn calls_latency_backends_rejections_and_the_archive_are_counted() {
    let h = start().await;
    let admin = Admin::of(&h);
    let item = h
        .call("taobao.item.get")
        .set("fields", "num_iid,title")
        .set("num_iid", "1");
    h.send(&item).await;
    h.send(&item).await;
    h.send(&item.clone().secret("wrong")).await;
    h.send(&h.call("no.such.api")).await;
    let store = h.running.gateway.registry.store();
    store
        .set_limit(Limit {
            scope: LimitScope::Api,
            subject: "taobao.time.get".into(),
            per_day: None,
            per_second: Some(1),
        })
        .unwrap();
    h.running.gateway.registry.refresh().unwrap();
    h.send(&h.call("taobao.time.get")).await;
    h.send(&h.call("taobao.time.get")).await;
    h.running.archive.as_ref().unwrap().flush();

    let text = admin.metrics().await;
    let calls = |labels: &str| sample(&text, &format!("topgate_calls_total{{{labels}}}"));
    assert_eq!(
        calls(r#"method="taobao.item.get",code="0",class="success""#),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        calls(r#"method="taobao.item.get",code="25",class="platform""#),
        Some(1.0)
    );
    assert_eq!(
        calls(r#"method="unknown",code="22",class="platform""#),
        Some(1.0),
        "a method outside the catalog is not a label value"
    );
    assert_eq!(
        calls(r#"method="taobao.time.get",code="8",class="flow-control""#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"topgate_limiter_rejections_total{code="8"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, "topgate_call_duration_seconds_count"),
        Some(6.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"topgate_backend_duration_seconds_count{backend="demo"}"#
        ),
        Some(3.0)
    );
    assert_eq!(sample(&text, "topgate_archive_written_total"), Some(6.0));
    assert_eq!(sample(&text, "topgate_archive_queue_depth"), Some(0.0));
    for family in [
        "topgate_archive_write_failures_total",
        "topgate_archive_dropped_total",
        "topgate_registry_revision",
    ] {
        assert!(sample(&text, family).is_some(), "{family} in {text}");
    }
    assert!(text.contains("# TYPE topgate_call_duration_seconds histogram"));
}

fn config(dir: &std::path::Path, admin: &str) -> std::path::PathBuf {
    let path = dir.join("topgate.toml");
    std::fs::write(&path, format!("[admin]\n{admin}\n")).unwrap();
    path
}

#[tokio::test]
async fn a_configured_token_and_public_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        data_dir: Some(dir.path().join("data")),
        config: Some(config(
            dir.path(),
            "token = \"a-configured-admin-token\"\nmetrics_public = true",
        )),
        ..Default::default()
    })
    .await;
    let server = h.running.admin.as_ref().unwrap();
    assert_eq!(server.token_source, TokenSource::Config);
    assert!(!h.running.data_dir.join("admin.token").exists());
    let http = reqwest::Client::new();
    let metrics = http.get(format!("{}/metrics", server.base_url()));
    assert_eq!(metrics.send().await.unwrap().status(), 200);
    let apps = http.get(format!("{}/admin/apps", server.base_url()));
    assert_eq!(apps.send().await.unwrap().status(), 401);
    let apps = http
        .get(format!("{}/admin/apps", server.base_url()))
        .bearer_auth("a-configured-admin-token");
    assert_eq!(apps.send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_admin_api_can_be_off() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        config: Some(config(dir.path(), "listen = \"off\"")),
        admin_listen: Some(Listen::Off),
        ..Default::default()
    })
    .await;
    assert!(h.running.admin.is_none());
    h.running.stop().await.unwrap();
}

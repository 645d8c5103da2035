//! Code 13 (partner permissions) and code 10 (a fault of the gateway itself), with a catalog of
//! the operator's own instead of the demo.

mod support;

use support::*;
use topgate_gateway::launch::ServeOptions;
use topgate_store::NewApp;

const CATALOG: &str = r#"
[[api]]
name = "taobao.partner.report.get"
line = "system"
backend = "demo"
partners = ["p-gold"]
"#;

#[tokio::test]
async fn partner_permission_and_gateway_fault() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog.toml"), CATALOG).unwrap();
    std::fs::write(
        dir.path().join("topgate.toml"),
        "catalog = \"catalog.toml\"\n",
    )
    .unwrap();
    let h = start_with(ServeOptions {
        demo: false,
        config: Some(dir.path().join("topgate.toml")),
        ..Default::default()
    })
    .await;
    let store = h.running.gateway.registry.store().clone();
    let new_app = |partner: Option<&str>| NewApp {
        name: "partner test".into(),
        grants: vec![],
        partner: partner.map(str::to_owned),
        app_key: None,
        secret: None,
    };
    let outsider = store.create_app(new_app(None), t0()).unwrap();
    let other = store.create_app(new_app(Some("p-silver")), t0()).unwrap();
    let member = store.create_app(new_app(Some("p-gold")), t0()).unwrap();
    h.running.gateway.registry.refresh().unwrap();

    let call = |app: &topgate_store::App, format: &str| {
        h.call("taobao.partner.report.get")
            .set("app_key", &app.app_key)
            .secret(&app.secret)
            .set("format", format)
    };
    for format in ["json", "xml"] {
        for app in [&outsider, &other] {
            let e = h.error(&call(app, format)).await;
            assert_eq!(
                (e.code, e.msg.as_str()),
                (13, "Insufficient partner permissions")
            );
        }
        // The partner may call it, but this gateway has no demo backend: a configuration fault,
        // answered as code 10, never a dropped connection or a stack trace.
        let e = h.error(&call(&member, format)).await;
        assert_eq!(
            (e.code, e.msg.as_str()),
            (10, "Service Currently Unavailable")
        );
        assert!(e.sub_msg.is_none());
    }
}

//! The SDK against a real `topgate serve --demo`, started in process on 127.0.0.1:0: success,
//! each error class, an upload, and a retry after a ban.

#![cfg(feature = "client")]

use std::time::{Duration, Instant};

use topgate_gateway::admin::Listen;
use topgate_gateway::launch::{self, Running, ServeOptions};
use topgate_sdk::{Client, Error, ErrorClass, Request, RetryPolicy};
use topgate_store::{Limit, LimitScope, NewApp};

const APP_KEY: &str = "12345678";
const SECRET: &str = "helloworld";
const SESSION: &str = "demo-session-tbtest561";

async fn gateway(dir: &tempfile::TempDir, demo_backend_url: Option<&str>) -> Running {
    launch::start(
        ServeOptions {
            demo: true,
            data_dir: Some(dir.path().to_path_buf()),
            listen: Some("127.0.0.1:0".parse().unwrap()),
            admin_listen: Some(Listen::Off),
            demo_backend_url: demo_backend_url.map(str::to_owned),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap()
}

fn client(running: &Running) -> Client {
    Client::builder(
        format!("{}/router/rest", running.base_url()),
        APP_KEY,
        SECRET,
    )
    .build()
    .unwrap()
}

#[tokio::test]
async fn success_and_each_error_class() {
    let dir = tempfile::tempdir().unwrap();
    let running = gateway(&dir, None).await;
    let c = client(&running);

    let ok = c
        .call(
            Request::new("taobao.item.get")
                .param("fields", "num_iid,title,nick")
                .param("num_iid", 1),
        )
        .await
        .unwrap();
    assert_eq!(ok.text("item.nick").as_deref(), Some("tbtest561"));
    assert_eq!(ok.request_id().map(str::len), Some(16));

    // Platform: a wrong secret.
    let wrong = Client::builder(
        format!("{}/router/rest", running.base_url()),
        APP_KEY,
        "nope",
    )
    .build()
    .unwrap();
    let e = wrong
        .call(Request::new("taobao.time.get"))
        .await
        .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(
        (api.code, api.class, api.retryable),
        (25, ErrorClass::Platform, false)
    );

    // ISV business: the seed's missing-parameter example.
    let e = c
        .call(Request::new("taobao.item.get").param("fields", "num_iid"))
        .await
        .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.code, 530);
    assert_eq!(api.sub_code.as_deref(), Some("isv.missing-parameter"));
    assert_eq!(api.sub_msg.as_deref(), Some("iid和num_iid至少要传入一个"));
    assert_eq!(api.class, ErrorClass::IsvBusiness);

    // Session errors are platform errors.
    let e = c
        .call(
            Request::new("taobao.items.onsale.get")
                .param("fields", "num_iid")
                .session("bogus"),
        )
        .await
        .unwrap_err();
    assert_eq!(e.api().unwrap().code, 27);

    // Upload with the session.
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 32]].concat();
    let ok = c
        .call(
            Request::new("taobao.item.img.upload")
                .param("num_iid", 1)
                .file("image", "a.png", png)
                .session(SESSION),
        )
        .await
        .unwrap();
    assert!(ok.get("item_img").is_some());
    running.stop().await.unwrap();
}

#[tokio::test]
async fn provider_errors_come_from_a_dead_backend() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback refuses connections: the backend is down.
    let running = gateway(&dir, Some("http://127.0.0.1:1/")).await;
    let e = client(&running)
        .call(
            Request::new("taobao.item.get")
                .param("fields", "num_iid")
                .param("num_iid", 1),
        )
        .await
        .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.code, 530);
    assert_eq!(api.sub_code.as_deref(), Some("isp.remote-connection-error"));
    assert_eq!((api.class, api.retryable), (ErrorClass::Provider, true));
    running.stop().await.unwrap();
}

#[tokio::test]
async fn waits_out_a_ban_and_retries() {
    let dir = tempfile::tempdir().unwrap();
    let running = gateway(&dir, None).await;
    let store = running.gateway.registry.store().clone();
    let app = store
        .create_app(
            NewApp {
                name: "limited".into(),
                grants: vec!["item-read".into()],
                partner: None,
                app_key: None,
                secret: None,
            },
            0,
        )
        .unwrap();
    store
        .set_limit(Limit {
            scope: LimitScope::App,
            subject: app.app_key.clone(),
            per_day: None,
            per_second: Some(1),
        })
        .unwrap();
    running.gateway.registry.refresh().unwrap();
    let url = format!("{}/router/rest", running.base_url());
    let plain = Client::builder(&url, &app.app_key, &app.secret)
        .build()
        .unwrap();
    let patient = Client::builder(&url, &app.app_key, &app.secret)
        .retry(RetryPolicy::new(3).max_wait(Duration::from_secs(3)))
        .build()
        .unwrap();
    let call = || {
        Request::new("taobao.item.get")
            .param("fields", "num_iid")
            .param("num_iid", 1)
    };

    plain.call(call()).await.unwrap();
    // Without retry: the ban, with the seconds to wait.
    match plain.call(call()).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.code, 8);
            assert_eq!(api.class, ErrorClass::FlowControl);
            assert_eq!(api.wait_seconds, Some(1));
        }
        // The second ticked over between the two calls: the call passed; nothing to check.
        Ok(_) => {}
        Err(other) => panic!("{other:?}"),
    }
    // With retry: banned, waits the second the server gave, then succeeds.
    let started = Instant::now();
    let mut ok = patient.call(call()).await.unwrap();
    if ok.attempts == 1 {
        ok = patient.call(call()).await.unwrap();
    }
    assert_eq!(ok.attempts, 2, "one ban, then success");
    assert!(started.elapsed() < Duration::from_secs(3));
    running.stop().await.unwrap();
}

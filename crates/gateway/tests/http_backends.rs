//! The demo backend over HTTP (`topgate demo-backend`, `serve --demo --demo-backend-url`):
//! the same answers as in process, byte for byte but for the request id, in every form.

mod support;

use std::sync::Arc;

use support::*;
use topgate_demo::DemoService;
use topgate_gateway::demo_backend::{self, DemoBackend};
use topgate_gateway::launch::ServeOptions;
use topgate_protocol::parse::{parse, Outcome};

async fn over_http() -> (DemoBackend, Harness) {
    let service = Arc::new(DemoService::open_in_memory().unwrap());
    let backend = demo_backend::start("127.0.0.1:0".parse().unwrap(), service)
        .await
        .unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        demo_backend_url: Some(backend.url()),
        ..Default::default()
    })
    .await;
    (backend, h)
}

/// The body with its request id replaced, so that two answers can be compared.
async fn body_of(h: &Harness, call: &Call) -> String {
    let (status, headers, body) = h.send(call).await;
    assert_eq!(status, 200);
    let id = headers.get("x-request-id").unwrap().to_str().unwrap();
    String::from_utf8(body).unwrap().replace(id, "RID")
}

#[tokio::test]
async fn the_demo_answers_the_same_over_http() {
    let (backend, remote) = over_http().await;
    let local = start().await;
    let calls = |h: &Harness| {
        vec![
            h.call("taobao.item.get")
                .set("fields", "num_iid,title,price,item_imgs,skus")
                .set("num_iid", "1"),
            h.call("taobao.items.list.get")
                .set("fields", "num_iid,title")
                .set("num_iids", "1,2,3"),
            h.call("taobao.items.onsale.get")
                .session()
                .set("fields", "num_iid,title,price")
                .set("page_size", "5"),
            h.call("taobao.trades.sold.get")
                .session()
                .set("fields", "tid,status,orders"),
            h.call("taobao.user.get")
                .set("fields", "nick,user_id")
                .set("nick", "tbtest561"),
            // Business errors.
            h.call("taobao.trade.get")
                .session()
                .set("fields", "tid")
                .set("tid", "9999"),
            h.call("taobao.user.get")
                .set("fields", "nick")
                .set("nick", "no_such_user"),
            h.call("taobao.trades.sold.get")
                .session()
                .set("fields", "tid")
                .set("start_created", "2026-01-01 00:00:00"),
        ]
    };
    let forms = [
        ("json", "2.0", "false"),
        ("xml", "2.0", "false"),
        ("json", "2.0", "true"),
        ("json", "1.0", "false"),
        ("xml", "1.0", "false"),
    ];
    let mut errors = 0;
    for (r, l) in calls(&remote).into_iter().zip(calls(&local)) {
        for (format, v, simplify) in forms {
            let form = |c: Call| {
                c.set("format", format)
                    .set("v", v)
                    .set("simplify", simplify)
            };
            let over_http = body_of(&remote, &form(r.clone())).await;
            let in_process = body_of(&local, &form(l.clone())).await;
            assert_eq!(over_http, in_process, "{format} {v} {simplify}");
        }
        if parse(body_of(&remote, &r).await.as_bytes())
            .unwrap()
            .error()
            .is_some()
        {
            errors += 1;
        }
    }
    assert_eq!(errors, 3, "the three business errors are errors");
    drop(remote);
    backend.stop().await.unwrap();
}

#[tokio::test]
async fn files_travel_over_http() {
    let (_backend, h) = over_http().await;
    let upload = |data: Vec<u8>| {
        let pairs = h
            .call("taobao.item.img.upload")
            .session()
            .set("num_iid", "1")
            .signed_pairs();
        let form = pairs
            .into_iter()
            .fold(reqwest::multipart::Form::new(), |f, (k, v)| f.text(k, v));
        let form = form.part(
            "image",
            reqwest::multipart::Part::bytes(data)
                .file_name("a.gif")
                .mime_str("image/gif")
                .unwrap(),
        );
        h.http.post(&h.url).multipart(form).send()
    };
    // The backend tells the image type from its first bytes: they arrived intact.
    let gif: Vec<u8> = [b"GIF89a".as_slice(), &[0u8, 0xFF, 0x80, 0x7F]].concat();
    let body = upload(gif).await.unwrap().bytes().await.unwrap();
    let Outcome::Success(s) = parse(&body).unwrap().outcome else {
        panic!("{}", String::from_utf8_lossy(&body))
    };
    let (_, img) = s.fields.iter().find(|(k, _)| k == "item_img").unwrap();
    let url = img.get("url").and_then(|u| u.as_text()).unwrap();
    assert!(url.ends_with(".gif"), "{url}");

    let body = upload(b"not an image".to_vec())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let e = parse(&body).unwrap().error().cloned().unwrap();
    assert_eq!(
        (e.code, e.sub_code.as_deref()),
        (530, Some("isv.invalid-parameter"))
    );
}

#[tokio::test]
async fn a_stopped_demo_backend_is_a_connection_error() {
    let (backend, h) = over_http().await;
    backend.stop().await.unwrap();
    let e = h
        .error(
            &h.call("taobao.item.get")
                .set("fields", "num_iid")
                .set("num_iid", "1"),
        )
        .await;
    assert_eq!(e.code, 530);
    assert_eq!(e.msg, "Remote service error");
    assert_eq!(e.sub_code.as_deref(), Some("isp.remote-connection-error"));
}

#[test]
fn the_demo_catalog_points_at_the_url() {
    let catalog = demo_backend::demo_catalog_over_http("http://127.0.0.1:9100/").unwrap();
    assert_eq!(catalog.backends["demo-http"].url, "http://127.0.0.1:9100/");
    assert!(catalog
        .apis
        .values()
        .all(|a| a.backend.name() == "demo-http"));
    let e = demo_backend::demo_catalog_over_http("https://x/").unwrap_err();
    assert!(e.to_string().contains("https"), "{e}");
}

//! The call archive through a running gateway: complete records for a success, a platform
//! error and a business error; nothing lost by a graceful stop; sampling; retention; disabling.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use support::*;
use topgate_gateway::archive::archive_path;
use topgate_gateway::launch::ServeOptions;
use topgate_protocol::time::format_gmt8;
use topgate_store::archive::{ArchiveQuery, ArchiveStore, CallRecord, SqliteArchive};

/// Sends `call`; returns the request id (from the header) and the body as sent.
async fn send(h: &Harness, call: &Call) -> (String, Vec<u8>) {
    let (status, headers, body) = h.send(call).await;
    assert_eq!(status, 200);
    let id = headers["x-request-id"].to_str().unwrap().to_owned();
    (id, body)
}

/// Stops the gateway (the graceful stop flushes the archive) and opens its archive.db afresh.
/// A macro, so that the harness (and its temporary directory) lives on in the caller.
/// The archive stays referenced (as by an admin API) until the caller is done, so it is the
/// stop that must flush, not the archive's drop.
macro_rules! stop_and_open {
    ($h:ident) => {{
        let data_dir = $h.running.data_dir.clone();
        let held = $h.running.archive.clone().expect("the archive is on");
        $h.running.stop().await.unwrap();
        assert_eq!(held.stats().queued, 0, "the stop flushed the archive");
        (open(&data_dir), held)
    }};
}

fn open(data_dir: &Path) -> SqliteArchive {
    SqliteArchive::open(&archive_path(data_dir)).unwrap()
}

fn get(archive: &SqliteArchive, id: &str) -> CallRecord {
    archive
        .get(id)
        .unwrap()
        .unwrap_or_else(|| panic!("request {id} is not in the archive"))
}

#[tokio::test]
async fn records_are_complete_for_success_platform_and_business_errors() {
    let h = start().await;
    let item = h
        .call("taobao.item.get")
        .set("fields", "num_iid,title")
        .set("num_iid", "1");
    let (ok_id, ok_body) = send(&h, &item).await;
    let (sig_id, sig_body) = send(&h, &item.clone().secret("not-the-secret")).await;
    let late = format_gmt8(t0() - 14 * 60_000);
    let (skew_id, _) = send(&h, &item.clone().set("timestamp", &late)).await;
    let trade = h
        .call("taobao.trade.get")
        .session()
        .set("fields", "tid")
        .set("tid", "9999");
    let (biz_id, biz_body) = send(&h, &trade).await;
    let (archive, _held) = stop_and_open!(h);

    let ok = get(&archive, &ok_id);
    assert_eq!(ok.received_at_ms, t0());
    assert_eq!(ok.client_addr.as_deref(), Some("127.0.0.1"));
    assert_eq!(ok.http_method, "POST");
    assert_eq!(ok.app_key.as_deref(), Some(APP_KEY));
    assert_eq!(ok.method.as_deref(), Some("taobao.item.get"));
    assert_eq!(ok.version.as_deref(), Some("2.0"));
    assert_eq!(ok.format.as_deref(), Some("json"));
    assert_eq!(ok.sign_method.as_deref(), Some("md5"));
    assert!(
        ok.params.contains(&("num_iid".into(), "1".into())),
        "{:?}",
        ok.params
    );
    assert_eq!((ok.code, ok.failed_check.as_deref()), (None, None));
    assert_eq!(ok.response_body.as_bytes(), ok_body, "the body as sent");
    assert_eq!(ok.backend.as_deref(), Some("demo"));
    assert!(ok.backend_latency_ms.is_some_and(|l| l >= 0.0));
    assert!(ok.latency_ms > 0.0);
    assert!(ok.latency_ms >= ok.backend_latency_ms.unwrap());

    let sig = get(&archive, &sig_id);
    assert_eq!(sig.code, Some(25));
    assert_eq!(sig.failed_check.as_deref(), Some("signature"));
    let signed = sig.string_to_sign.as_deref().unwrap();
    assert!(
        signed.contains("app_key12345678") && signed.contains("num_iid1"),
        "{signed}"
    );
    assert!(!signed.contains(SECRET), "never the secret");
    assert_eq!(sig.response_body.as_bytes(), sig_body);
    assert_eq!(sig.backend, None);

    let skew = get(&archive, &skew_id);
    assert_eq!(skew.code, Some(31));
    assert_eq!(skew.failed_check.as_deref(), Some("timestamp"));
    let detail = skew.check_detail.as_deref().unwrap();
    assert!(detail.contains("14 minutes behind the server"), "{detail}");
    assert_eq!(skew.string_to_sign, None);

    let biz = get(&archive, &biz_id);
    assert_eq!(biz.code, Some(520));
    assert_eq!(biz.sub_code.as_deref(), Some("isv.trade-not-exist"));
    assert_eq!(biz.failed_check.as_deref(), Some("backend"));
    assert_eq!(
        biz.backend.as_deref(),
        Some("demo"),
        "the backend that answered"
    );
    assert!(biz.backend_latency_ms.is_some());
    assert_eq!(biz.response_body.as_bytes(), biz_body);
    let session = biz.params.iter().find(|(k, _)| k == "session").unwrap();
    assert_ne!(session.1, SESSION, "the session is masked");
}

#[tokio::test]
async fn a_graceful_stop_loses_no_record() {
    let h = start().await;
    let item = h
        .call("taobao.item.get")
        .set("fields", "num_iid,title")
        .set("num_iid", "1");
    let h = Arc::new(h);
    let calls: Vec<_> = (0..500)
        .map(|i| {
            let h = h.clone();
            // Every fifth call fails its signature: errors and successes both.
            let call = if i % 5 == 0 {
                item.clone().secret("wrong")
            } else {
                item.clone()
            };
            tokio::spawn(async move { send(&h, &call).await.0 })
        })
        .collect();
    let mut ids = Vec::new();
    for c in calls {
        ids.push(c.await.unwrap());
    }
    let h = Arc::into_inner(h).unwrap();
    let (archive, _held) = stop_and_open!(h);
    assert_eq!(ids.len(), 500);
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| archive.get(id).unwrap().is_none())
        .collect();
    assert!(missing.is_empty(), "not archived: {missing:?}");
    assert_eq!(archive.count().unwrap(), 500);
    let errors = ArchiveQuery {
        errors_only: true,
        limit: 1000,
        ..ArchiveQuery::default()
    };
    assert_eq!(archive.search(&errors).unwrap().len(), 100);
}

/// Sends `call` with every parameter in the form body; the request id, or `None` when the
/// call got no answer (the server had stopped accepting).
async fn try_send(http: &reqwest::Client, url: &str, call: &Call) -> Option<String> {
    let resp = http
        .post(url)
        .form(&call.signed_pairs())
        .send()
        .await
        .ok()?;
    let id = resp
        .headers()
        .get("x-request-id")?
        .to_str()
        .ok()?
        .to_owned();
    resp.bytes().await.ok()?;
    Some(id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_during_traffic_archives_every_answered_call() {
    let h = start().await;
    let answered = Arc::new(AtomicUsize::new(0));
    let calls: Vec<_> = (0..1000)
        .map(|i| {
            let call = h
                .call("taobao.item.get")
                .set("fields", "num_iid")
                .set("num_iid", &(i % 7 + 1).to_string());
            let call = if i % 3 == 0 {
                call.secret("wrong")
            } else {
                call
            };
            let (http, url, answered) = (h.http.clone(), h.url.clone(), answered.clone());
            tokio::spawn(async move {
                let id = try_send(&http, &url, &call).await;
                answered.fetch_add(1, Ordering::SeqCst);
                id
            })
        })
        .collect();
    while answered.load(Ordering::SeqCst) < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    let (archive, _held) = stop_and_open!(h);
    let mut ids = Vec::new();
    for c in calls {
        ids.extend(c.await.unwrap());
    }
    assert!(ids.len() >= 100);
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| archive.get(id).unwrap().is_none())
        .collect();
    assert!(missing.is_empty(), "answered but not archived: {missing:?}");
}

fn config(dir: &Path, archive: &str) -> PathBuf {
    let path = dir.join("topgate.toml");
    std::fs::write(&path, format!("[archive]\n{archive}\n")).unwrap();
    path
}

#[tokio::test]
async fn sampling_successes_to_zero_keeps_every_error() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        config: Some(config(dir.path(), "success_sample_rate = 0.0")),
        ..Default::default()
    })
    .await;
    let item = h
        .call("taobao.item.get")
        .set("fields", "num_iid")
        .set("num_iid", "1");
    let (ok_id, _) = send(&h, &item).await;
    let (bad_id, _) = send(&h, &item.clone().secret("wrong")).await;
    let (missing_id, _) = send(&h, &item.clone().remove("num_iid")).await;
    let (archive, _held) = stop_and_open!(h);
    assert_eq!(archive.get(&ok_id).unwrap(), None, "successes sampled out");
    assert_eq!(get(&archive, &bad_id).code, Some(25));
    assert_eq!(
        get(&archive, &missing_id).sub_code.as_deref(),
        Some("isv.missing-parameter")
    );
}

#[tokio::test]
async fn records_older_than_the_retention_are_pruned_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let day = 86_400_000;
    let old = |id: &str, age_days: i64| CallRecord {
        request_id: id.into(),
        received_at_ms: t0() - age_days * day,
        http_method: "GET".into(),
        code: Some(25),
        ..CallRecord::default()
    };
    open(dir.path())
        .write_batch(&[old("ten-days", 10), old("four-days", 4), old("one-day", 1)])
        .unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        data_dir: Some(dir.path().to_path_buf()),
        config: Some(config(dir.path(), "retention_days = 3")),
        ..Default::default()
    })
    .await;
    let (new_id, _) = send(&h, &h.call("taobao.item.get").unsigned()).await;
    let (archive, _held) = stop_and_open!(h);
    assert_eq!(archive.get("ten-days").unwrap(), None);
    assert_eq!(archive.get("four-days").unwrap(), None);
    assert!(archive.get("one-day").unwrap().is_some());
    assert!(archive.get(&new_id).unwrap().is_some());
}

#[tokio::test]
async fn a_disabled_archive_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        data_dir: Some(dir.path().join("data")),
        config: Some(config(dir.path(), "enabled = false")),
        ..Default::default()
    })
    .await;
    assert!(h.running.archive.is_none() && h.running.archive_store.is_none());
    send(&h, &h.call("taobao.item.get").unsigned()).await;
    h.running.stop().await.unwrap();
    assert!(!archive_path(&dir.path().join("data")).exists());
}

#[tokio::test]
async fn bad_archive_settings_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ServeOptions {
        demo: true,
        data_dir: Some(dir.path().join("data")),
        config: Some(config(dir.path(), "success_sample_rate = 1.5")),
        listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Default::default()
    };
    let err = match topgate_gateway::launch::start(opts, None).await {
        Err(e) => e.to_string(),
        Ok(_) => panic!("started with a sample rate of 1.5"),
    };
    assert!(err.contains("success_sample_rate"), "{err}");
}

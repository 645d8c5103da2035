//! The checks every [`ArchiveStore`] backend must pass. The SQLite archive runs them in
//! `tests/archive.rs`, the PostgreSQL one in `tests/postgres.rs`.
//!
//! Each check gets a fresh, empty archive from `make` and panics (like `assert!`) on failure.

use super::{ArchiveQuery, ArchiveStore, CallRecord, DEFAULT_LIMIT};

/// A fixed "now" for records whose times only need to round-trip.
pub const NOW: i64 = 1_700_000_000_000;

type Check = fn(&dyn ArchiveStore);

/// Runs every check, each on a fresh archive from `make`.
pub fn archive_conformance_suite(make: &dyn Fn() -> Box<dyn ArchiveStore>) {
    let checks: &[(&str, Check)] = &[
        ("empty archive", empty),
        ("round trip", round_trip),
        ("minimal record", minimal_record),
        ("rewriting an id replaces it", rewrite_replaces),
        ("filters", filters),
        ("order and limit", order_and_limit),
        ("prune", prune),
        ("large batch", large_batch),
    ];
    for (name, check) in checks {
        eprintln!("archive conformance: {name}");
        check(&*make());
    }
}

/// A successful call with every field a success has.
pub fn success(id: &str, at_ms: i64) -> CallRecord {
    CallRecord {
        request_id: id.into(),
        received_at_ms: at_ms,
        client_addr: Some("127.0.0.1".into()),
        http_method: "POST".into(),
        app_key: Some("12345678".into()),
        method: Some("taobao.item.get".into()),
        version: Some("2.0".into()),
        format: Some("json".into()),
        sign_method: Some("md5".into()),
        params: vec![
            ("app_key".into(), "12345678".into()),
            ("fields".into(), "num_iid,title".into()),
            ("method".into(), "taobao.item.get".into()),
            ("num_iid".into(), "1".into()),
            ("session".into(), "6100****5678".into()),
        ],
        response_body: r#"{"item_get_response":{"item":{"num_iid":1,"title":"连衣裙"}}}"#.into(),
        latency_ms: 1.25,
        backend: Some("demo".into()),
        backend_latency_ms: Some(0.5),
        ..CallRecord::default()
    }
}

/// A platform error (25, a bad signature) with the server's string-to-sign.
pub fn platform_error(id: &str, at_ms: i64) -> CallRecord {
    CallRecord {
        failed_check: Some("signature".into()),
        check_detail: Some("the server signed the string below with md5".into()),
        string_to_sign: Some("app_key12345678methodtaobao.item.get".into()),
        code: Some(25),
        response_body: r#"{"error_response":{"code":25,"msg":"Invalid signature"}}"#.into(),
        backend: None,
        backend_latency_ms: None,
        ..success(id, at_ms)
    }
}

/// A business error (a product line's code and an `isv.*` sub code).
pub fn business_error(id: &str, at_ms: i64) -> CallRecord {
    CallRecord {
        method: Some("taobao.trade.get".into()),
        failed_check: Some("backend".into()),
        check_detail: Some("the backend said so".into()),
        code: Some(530),
        sub_code: Some("isv.trade-not-exist".into()),
        response_body: "<error_response><code>530</code></error_response>\n".into(),
        ..success(id, at_ms)
    }
}

fn empty(a: &dyn ArchiveStore) {
    assert_eq!(a.count().unwrap(), 0);
    assert_eq!(a.get("nope").unwrap(), None);
    assert!(a.search(&ArchiveQuery::default()).unwrap().is_empty());
    assert_eq!(a.prune(i64::MAX).unwrap(), 0);
    a.write_batch(&[]).unwrap();
    assert_eq!(a.count().unwrap(), 0);
}

fn round_trip(a: &dyn ArchiveStore) {
    let mut odd = success("r-odd", NOW + 3);
    odd.params = vec![
        ("b".into(), "2".into()),
        ("a".into(), "=&\"'\\ \u{0}x".into()),
        ("a".into(), "duplicate, kept in order".into()),
        ("名字".into(), "值 ✓".into()),
    ];
    odd.response_body = "line 1\nline 2\t\u{fffd} 中文 …[truncated]".into();
    odd.latency_ms = 0.000_123_456_789;
    let records = [
        success("r-ok", NOW),
        platform_error("r-25", NOW + 1),
        business_error("r-530", NOW + 2),
        odd,
    ];
    a.write_batch(&records).unwrap();
    assert_eq!(a.count().unwrap(), 4);
    for r in &records {
        assert_eq!(a.get(&r.request_id).unwrap().as_ref(), Some(r));
    }
    assert_eq!(a.get("r-missing").unwrap(), None);
}

fn minimal_record(a: &dyn ArchiveStore) {
    let r = CallRecord {
        request_id: "bare".into(),
        received_at_ms: NOW,
        http_method: "PUT".into(),
        code: Some(9),
        ..CallRecord::default()
    };
    a.write_batch(std::slice::from_ref(&r)).unwrap();
    assert_eq!(a.get("bare").unwrap(), Some(r));
}

fn rewrite_replaces(a: &dyn ArchiveStore) {
    a.write_batch(&[success("same", NOW)]).unwrap();
    let again = platform_error("same", NOW + 5);
    a.write_batch(&[again.clone(), success("other", NOW)])
        .unwrap();
    assert_eq!(a.count().unwrap(), 2);
    assert_eq!(a.get("same").unwrap(), Some(again));
}

fn ids(records: Vec<CallRecord>) -> Vec<String> {
    records.into_iter().map(|r| r.request_id).collect()
}

fn filters(a: &dyn ArchiveStore) {
    let mut other_app = success("s-other-app", NOW + 4);
    other_app.app_key = Some("87654321".into());
    a.write_batch(&[
        success("s-ok", NOW),
        platform_error("s-25", NOW + 1),
        business_error("s-530", NOW + 2),
        platform_error("s-25b", NOW + 3),
        other_app,
    ])
    .unwrap();
    let q = |f: &dyn Fn(&mut ArchiveQuery)| {
        let mut q = ArchiveQuery::default();
        f(&mut q);
        let found = a.search(&q).unwrap();
        assert!(found.iter().all(|r| q.matches(r)), "{q:?}");
        ids(found)
    };
    assert_eq!(q(&|q| q.app_key = Some("87654321".into())), ["s-other-app"]);
    assert_eq!(
        q(&|q| q.method = Some("taobao.trade.get".into())),
        ["s-530"]
    );
    assert_eq!(q(&|q| q.code = Some(25)), ["s-25b", "s-25"]);
    assert_eq!(q(&|q| q.errors_only = true), ["s-25b", "s-530", "s-25"]);
    assert_eq!(q(&|q| q.since_ms = Some(NOW + 3)), ["s-other-app", "s-25b"]);
    assert_eq!(q(&|q| q.until_ms = Some(NOW + 1)), ["s-ok"]);
    let window = |q: &mut ArchiveQuery| {
        q.since_ms = Some(NOW + 1);
        q.until_ms = Some(NOW + 3);
    };
    assert_eq!(q(&window), ["s-530", "s-25"]);
    assert_eq!(
        q(&|q| {
            window(q);
            q.code = Some(25);
            q.app_key = Some("12345678".into());
            q.errors_only = true;
        }),
        ["s-25"]
    );
    assert!(q(&|q| q.app_key = Some("nobody".into())).is_empty());
    assert!(q(&|q| q.code = Some(7)).is_empty());
}

fn order_and_limit(a: &dyn ArchiveStore) {
    let records: Vec<CallRecord> = (0..60)
        .map(|i| success(&format!("o-{i:02}"), NOW + i / 2))
        .collect();
    a.write_batch(&records).unwrap();
    let all = a
        .search(&ArchiveQuery {
            limit: 100,
            ..ArchiveQuery::default()
        })
        .unwrap();
    let expected: Vec<String> = (0..60).rev().map(|i| format!("o-{i:02}")).collect();
    assert_eq!(
        ids(all),
        expected,
        "newest first, ties by request id descending"
    );
    let three = a
        .search(&ArchiveQuery {
            limit: 3,
            ..ArchiveQuery::default()
        })
        .unwrap();
    assert_eq!(ids(three), ["o-59", "o-58", "o-57"]);
    for limit in [0, DEFAULT_LIMIT] {
        let page = a
            .search(&ArchiveQuery {
                limit,
                ..ArchiveQuery::default()
            })
            .unwrap();
        assert_eq!(page.len(), DEFAULT_LIMIT, "limit {limit}");
    }
}

fn prune(a: &dyn ArchiveStore) {
    let records: Vec<CallRecord> = (0..10)
        .map(|i| platform_error(&format!("p-{i}"), NOW + i))
        .collect();
    a.write_batch(&records).unwrap();
    assert_eq!(a.prune(NOW).unwrap(), 0, "nothing is older than the oldest");
    assert_eq!(a.prune(NOW + 4).unwrap(), 4, "strictly older than the cut");
    assert_eq!(a.count().unwrap(), 6);
    assert_eq!(a.get("p-3").unwrap(), None);
    assert!(a.get("p-4").unwrap().is_some());
    assert_eq!(a.prune(NOW + 4).unwrap(), 0);
    assert_eq!(a.prune(i64::MAX).unwrap(), 6);
    assert_eq!(a.count().unwrap(), 0);
}

fn large_batch(a: &dyn ArchiveStore) {
    let records: Vec<CallRecord> = (0..12_000)
        .map(|i| success(&format!("l-{i:05}"), NOW + i))
        .collect();
    a.write_batch(&records).unwrap();
    assert_eq!(a.count().unwrap(), 12_000);
    assert_eq!(
        a.prune(NOW + 11_000).unwrap(),
        11_000,
        "prunes across chunks"
    );
    assert_eq!(a.count().unwrap(), 1_000);
    assert_eq!(a.get("l-11999").unwrap(), Some(records[11_999].clone()));
}

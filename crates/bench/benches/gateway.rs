//! The gateway's hot path in process, without HTTP: the benchmark's call (`taobao.item.get`,
//! signed, with the demo session) through the whole pipeline with every counter limited, then
//! handed to the archive; and the limiter's check alone. `cargo bench -p topgate-bench`;
//! the figures go to docs/performance.md beside the protocol's.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use topgate_bench::pool::{now_ms, sign_calls, APP_KEY, METHOD, SESSION_KEY, SESSION_NICK};
use topgate_gateway::inbound::Inbound;
use topgate_gateway::launch::{start, Running, ServeOptions};
use topgate_gateway::server::CallObserver;
use topgate_store::{Limit, LimitScope};

/// A demo gateway on a fresh data directory, every counter of the call limited high.
fn demo_gateway(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Running {
    let opts = ServeOptions {
        demo: true,
        data_dir: Some(dir.to_owned()),
        listen: Some("127.0.0.1:0".parse().unwrap()),
        ..ServeOptions::default()
    };
    let running = rt
        .block_on(start(opts, None))
        .expect("the demo gateway starts");
    let registry = &running.gateway.registry;
    for (scope, subject) in [
        (LimitScope::App, APP_KEY.to_owned()),
        (LimitScope::AppApi, format!("{APP_KEY}|{METHOD}")),
        (LimitScope::Api, METHOD.to_owned()),
        (LimitScope::User, SESSION_NICK.to_owned()),
        (LimitScope::Session, SESSION_KEY.to_owned()),
    ] {
        registry
            .store()
            .set_limit(Limit {
                scope,
                subject,
                per_day: Some(1_000_000_000_000),
                per_second: Some(1_000_000_000),
            })
            .expect("a limit is set");
    }
    registry.refresh().expect("the snapshot follows the store");
    running
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let running = demo_gateway(&rt, dir.path());
    let calls = sign_calls("127.0.0.1", "/router/rest", now_ms(), 1000);
    let inbound: Vec<Inbound> = calls
        .iter()
        .map(|call| Inbound {
            method: http::Method::POST,
            query: call.uri.query().map(str::to_owned),
            content_type: Some("application/x-www-form-urlencoded;charset=utf-8".into()),
            body: call.body.clone(),
        })
        .collect();
    let check = rt.block_on(running.gateway.handle(inbound[0].clone(), None));
    assert!(
        !check.body.starts_with(b"{\"error_response\""),
        "the call fails: {}",
        String::from_utf8_lossy(&check.body)
    );

    let mut i = 0;
    c.bench_function("pipeline/item_get_session_all_counters", |b| {
        b.iter(|| {
            i = (i + 1) % inbound.len();
            let reply = rt.block_on(running.gateway.handle(inbound[i].clone(), None));
            black_box(reply.body.len())
        })
    });
    let archive = running
        .archive
        .clone()
        .expect("the archive is on by default");
    c.bench_function("pipeline/item_get_then_archive", |b| {
        b.iter(|| {
            i = (i + 1) % inbound.len();
            let reply = rt.block_on(running.gateway.handle(inbound[i].clone(), None));
            archive.observe(&reply);
            black_box(reply.body.len())
        })
    });

    let gateway = &running.gateway;
    let snapshot = gateway.registry.snapshot();
    let app = snapshot.apps.get(APP_KEY).expect("the demo app").clone();
    let session = snapshot
        .sessions
        .get(SESSION_KEY)
        .expect("the demo session")
        .clone();
    let catalog = gateway.catalog.current();
    let api = catalog.api(METHOD).expect("the demo API");
    c.bench_function("limits/check_five_counters", |b| {
        b.iter(|| {
            let now = now_ms();
            rt.block_on(
                gateway
                    .limiter
                    .check(&snapshot, &app, api, Some(&session), black_box(now)),
            )
            .is_ok()
        })
    });
    drop(rt);
}

criterion_group!(gateway, benches);
criterion_main!(gateway);

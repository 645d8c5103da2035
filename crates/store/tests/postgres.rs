//! The registry and archive conformance suites against PostgreSQL, plus what only a shared,
//! networked database has: several handles (nodes) on one database, migrations racing, and a
//! server that dies and comes back. Each test starts its own server (`PgServer`); without
//! PostgreSQL installed they print `SKIPPED` and pass.

use std::sync::Arc;

use topgate_store::archive::archive_conformance::{archive_conformance_suite, success, NOW};
use topgate_store::archive::{ArchiveStore, CallRecord};
use topgate_store::conformance::{conformance_suite, new_app};
use topgate_store::postgres::{PG_ARCHIVE_SCHEMA_VERSION, PG_SCHEMA_VERSION};
use topgate_store::testing::PgServer;
use topgate_store::{
    unix_now_ms, NewSession, PgArchive, PgRegistry, Registry, StoreError, SCHEMA_VERSION,
};

#[test]
fn conformance() {
    let Some(pg) = PgServer::start() else { return };
    conformance_suite(&|| Box::new(PgRegistry::open(&pg.fresh_database()).unwrap()));
    archive_conformance_suite(&|| Box::new(PgArchive::open(&pg.fresh_database()).unwrap()));
}

#[test]
fn the_schemas_mirror_sqlite() {
    assert_eq!(PG_SCHEMA_VERSION, SCHEMA_VERSION);
    assert_eq!(
        PG_ARCHIVE_SCHEMA_VERSION,
        topgate_store::archive::ARCHIVE_SCHEMA_VERSION
    );
}

#[test]
fn handles_on_one_database_share_it() {
    let Some(pg) = PgServer::start() else { return };
    let url = pg.url();
    // Nodes starting at once: the migrations take turns.
    let handles: Vec<PgRegistry> = std::thread::scope(|s| {
        let starts: Vec<_> = (0..4)
            .map(|_| s.spawn(|| PgRegistry::open(&url).unwrap()))
            .collect();
        starts.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (a, b) = (&handles[0], &handles[1]);
    let r0 = a.revision().unwrap();
    assert_eq!(b.revision().unwrap(), r0);

    b.create_app(new_app("A", Some("11111111"), &[]), NOW)
        .unwrap();
    let r1 = a.revision().unwrap();
    assert!(r1 > r0);
    assert_eq!(a.app("11111111").unwrap().name, "A");
    a.grant("11111111", "trade").unwrap();
    let r2 = b.revision().unwrap();
    assert!(r2 > r1);
    assert_eq!(b.app("11111111").unwrap().grants, ["trade"]);
    assert_eq!(
        a.load(unix_now_ms()).unwrap(),
        b.load(unix_now_ms()).unwrap()
    );
    assert_eq!(a.load(unix_now_ms()).unwrap().revision, r2);

    // Writers on every node all commit, each with its own revision.
    let start = a.revision().unwrap();
    std::thread::scope(|s| {
        for (i, reg) in handles.iter().enumerate() {
            s.spawn(move || {
                for j in 0..25 {
                    reg.grant("11111111", &format!("p{i}-{j:02}")).unwrap();
                    reg.load(unix_now_ms()).unwrap();
                }
            });
        }
    });
    assert_eq!(b.revision().unwrap(), start + 100);
    assert_eq!(a.app("11111111").unwrap().grants.len(), 101);

    // Two nodes creating the same thing at once: one wins, the other is told it exists.
    let results: Vec<_> = std::thread::scope(|s| {
        let tries: Vec<_> = handles[..2]
            .iter()
            .map(|reg| s.spawn(move || reg.create_user("racer", NOW)))
            .collect();
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .any(|r| matches!(r, Err(StoreError::Conflict(_)))));
}

fn session(key: &str) -> NewSession {
    NewSession {
        app_key: "12345678".into(),
        user_nick: "alice".into(),
        ttl_ms: i64::MAX / 4,
        key: Some(key.into()),
        now_ms: NOW,
        ..NewSession::default()
    }
}

#[test]
fn a_restarted_server_is_reconnected() {
    let Some(pg) = PgServer::start() else { return };
    let reg = PgRegistry::open(&pg.url()).unwrap();
    let archive = PgArchive::open(&pg.url()).unwrap();
    reg.create_app(new_app("Demo", Some("12345678"), &["item"]), NOW)
        .unwrap();
    reg.create_user("alice", NOW).unwrap();
    reg.issue_session(session("6100one")).unwrap();
    archive.write_batch(&[success("before", NOW)]).unwrap();
    let before = reg.load(unix_now_ms()).unwrap();

    pg.kill();
    for r in [reg.revision().map(drop), reg.load(unix_now_ms()).map(drop)] {
        match r {
            Err(StoreError::Backend(msg)) => {
                assert!(
                    msg.contains("unreachable") && msg.contains("127.0.0.1"),
                    "{msg}"
                )
            }
            other => panic!("expected Backend while the server is down, got {other:?}"),
        }
    }
    assert!(matches!(
        reg.revoke_session("6100one"),
        Err(StoreError::Backend(_))
    ));
    assert!(matches!(
        archive.write_batch(&[success("during", NOW)]),
        Err(StoreError::Backend(_))
    ));

    pg.restart();
    // The first call after the restart works: a read, and a write whose BEGIN found the old
    // connection dead, are retried once on a new one.
    assert_eq!(
        reg.load(unix_now_ms()).unwrap(),
        before,
        "nothing was lost, nothing half-done"
    );
    assert!(reg.revoke_session("6100one").unwrap().revoked);
    assert!(reg.revision().unwrap() > before.revision);
    archive.write_batch(&[success("after", NOW)]).unwrap();
    assert_eq!(archive.count().unwrap(), 2);
    assert!(archive.get("before").unwrap().is_some());

    // A clean stop too, and a handle opened while the server was down... cannot migrate.
    pg.stop();
    assert!(matches!(
        PgRegistry::open(&pg.url()),
        Err(StoreError::Backend(_))
    ));
    pg.restart();
    assert!(reg.session("6100one").unwrap().revoked);
}

#[test]
fn schema_and_text_edge_cases() {
    let Some(pg) = PgServer::start() else { return };
    let url = pg.url();
    let archive = PgArchive::open(&url).unwrap();
    // The registry may share the archive's database.
    let reg = Arc::new(PgRegistry::open(&url).unwrap());
    reg.create_user("鲍勃", NOW).unwrap();

    // NUL cannot be stored in PostgreSQL text: it becomes U+FFFD rather than failing the batch.
    let mut r: CallRecord = success("nul", NOW);
    r.response_body = "bin\0ary".into();
    r.string_to_sign = Some("a\0b".into());
    r.params = vec![("x".into(), "\0".into())];
    archive.write_batch(&[r.clone()]).unwrap();
    let back = archive.get("nul").unwrap().unwrap();
    assert_eq!(back.response_body, "bin\u{fffd}ary");
    assert_eq!(back.string_to_sign.as_deref(), Some("a\u{fffd}b"));
    assert_eq!(
        back.params, r.params,
        "params are JSON: NUL is escaped and kept"
    );

    // The same id twice in one batch: the last one wins.
    let mut second = success("twice", NOW + 1);
    second.code = Some(7);
    archive
        .write_batch(&[success("twice", NOW), second.clone()])
        .unwrap();
    assert_eq!(archive.get("twice").unwrap(), Some(second));

    // A database from a newer topgate is refused.
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    raw.execute(
        "UPDATE schema_version SET version = version + 1 WHERE component = 'registry'",
        &[],
    )
    .unwrap();
    match PgRegistry::open(&url) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("upgrade topgate"), "{msg}"),
        Err(e) => panic!("expected Backend, got {e:?}"),
        Ok(_) => panic!("opened a database from the future"),
    }
    PgArchive::open(&url).unwrap();
}

#[test]
fn connection_strings() {
    // Malformed: Invalid, and the message never repeats what was given (it may hold a password).
    match PgRegistry::open("postgres://user:sekrit@[::1") {
        Err(StoreError::Invalid(msg)) => {
            assert!(!msg.contains("sekrit"), "{msg}");
            assert!(msg.contains("postgres://"), "says how to write it: {msg}");
        }
        other => panic!("expected Invalid, got {:?}", other.map(drop)),
    }
    // Nobody listening: Backend, naming where it tried and never the password.
    let port = topgate_store::testing::free_port();
    let url = format!("postgres://topgate:sekrit@127.0.0.1:{port}/registry");
    match PgRegistry::open(&url) {
        Err(StoreError::Backend(msg)) => {
            assert!(!msg.contains("sekrit"), "{msg}");
            assert!(
                msg.contains(&format!("topgate@127.0.0.1:{port}/registry")),
                "{msg}"
            );
        }
        other => panic!("expected Backend, got {:?}", other.map(drop)),
    }
}

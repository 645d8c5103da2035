//! The conformance suite against SQLite (in memory and on disk), plus file-specific checks.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use topgate_store::conformance::{conformance_suite, new_app, NOW};
use topgate_store::{
    unix_now_ms, Limit, LimitScope, NewSession, Registry, SqliteRegistry, StoreError,
    SCHEMA_VERSION,
};

#[test]
fn conformance_in_memory() {
    conformance_suite(&|| Box::new(SqliteRegistry::open_in_memory().unwrap()));
}

#[test]
fn conformance_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    conformance_suite(&|| {
        let path = dir
            .path()
            .join(format!("registry-{}.db", n.fetch_add(1, Ordering::SeqCst)));
        Box::new(SqliteRegistry::open(&path).unwrap())
    });
}

fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("registry.db")
}

fn fill(reg: &dyn Registry) {
    reg.create_app(new_app("Demo", Some("12345678"), &["item"]), NOW)
        .unwrap();
    reg.create_user("alice", NOW).unwrap();
    let new = NewSession {
        app_key: "12345678".into(),
        user_nick: "alice".into(),
        ttl_ms: i64::MAX / 2,
        key: Some("6100demo".into()),
        now_ms: NOW,
        ..NewSession::default()
    };
    reg.issue_session(new).unwrap();
    let limit = Limit {
        scope: LimitScope::App,
        subject: "12345678".into(),
        per_day: Some(100),
        per_second: None,
    };
    reg.set_limit(limit).unwrap();
}

#[test]
fn reopening_the_file_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let (before, revision) = {
        let reg = SqliteRegistry::open(&path).unwrap();
        fill(&reg);
        (reg.load(unix_now_ms()).unwrap(), reg.revision().unwrap())
    };
    let reg = SqliteRegistry::open(&path).unwrap();
    assert_eq!(reg.revision().unwrap(), revision);
    let after = reg.load(unix_now_ms()).unwrap();
    assert_eq!(after, before);
    assert_eq!(after.apps.len(), 1);
    assert_eq!(after.sessions[0].grants, ["item"]);
}

#[test]
fn two_handles_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let server = SqliteRegistry::open(&path).unwrap();
    let cli = SqliteRegistry::open(&path).unwrap();
    let r0 = server.revision().unwrap();
    assert_eq!(cli.revision().unwrap(), r0);

    cli.create_app(new_app("A", Some("11111111"), &[]), NOW)
        .unwrap();
    let r1 = server.revision().unwrap();
    assert!(r1 > r0);
    assert_eq!(server.app("11111111").unwrap().name, "A");

    server.grant("11111111", "trade").unwrap();
    let r2 = cli.revision().unwrap();
    assert!(r2 > r1);
    assert_eq!(cli.app("11111111").unwrap().grants, ["trade"]);
    assert_eq!(
        server.load(unix_now_ms()).unwrap(),
        cli.load(unix_now_ms()).unwrap()
    );
    assert_eq!(server.load(unix_now_ms()).unwrap().revision, r2);
}

#[test]
fn concurrent_writers_on_two_handles_all_commit() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let a = SqliteRegistry::open(&path).unwrap();
    let b = SqliteRegistry::open(&path).unwrap();
    a.create_app(new_app("A", Some("11111111"), &[]), NOW)
        .unwrap();
    let start = a.revision().unwrap();
    std::thread::scope(|s| {
        for (reg, prefix) in [(&a, "a"), (&b, "b")] {
            s.spawn(move || {
                for i in 0..50 {
                    reg.grant("11111111", &format!("{prefix}{i:02}")).unwrap();
                    reg.load(unix_now_ms()).unwrap();
                }
            });
        }
    });
    assert_eq!(b.revision().unwrap(), start + 100);
    assert_eq!(a.app("11111111").unwrap().grants.len(), 100);
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn file_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let reg = SqliteRegistry::open(&path).unwrap();
    fill(&reg);
    let conn = raw(&path);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the registry holds secrets");
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    drop(SqliteRegistry::open(&path).unwrap());
    raw(&path)
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    match SqliteRegistry::open(&path) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("upgrade topgate"), "{msg}"),
        Err(e) => panic!("expected Backend, got {e:?}"),
        Ok(_) => panic!("opened a database from the future"),
    }
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    assert!(matches!(
        SqliteRegistry::open(&path),
        Err(StoreError::Backend(_))
    ));
}

#[test]
fn errors_say_what_to_do() {
    let reg = SqliteRegistry::open_in_memory().unwrap();
    let err = reg.app("99999999").unwrap_err().to_string();
    assert!(
        err.contains("99999999") && err.contains("topgate app list"),
        "{err}"
    );
    reg.create_user("alice", NOW).unwrap();
    let err = reg.create_user("alice", NOW).unwrap_err().to_string();
    assert!(
        err.contains("alice") && err.contains("choose another"),
        "{err}"
    );
}

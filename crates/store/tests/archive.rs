//! The archive conformance suite against SQLite (in memory and on disk), plus file-specific
//! checks.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use topgate_store::archive::archive_conformance::{
    archive_conformance_suite, business_error, platform_error, success, NOW,
};
use topgate_store::archive::{ArchiveQuery, ArchiveStore, SqliteArchive, ARCHIVE_SCHEMA_VERSION};
use topgate_store::StoreError;

#[test]
fn conformance_in_memory() {
    archive_conformance_suite(&|| Box::new(SqliteArchive::open_in_memory().unwrap()));
}

#[test]
fn conformance_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    archive_conformance_suite(&|| {
        let path = dir
            .path()
            .join(format!("archive-{}.db", n.fetch_add(1, Ordering::SeqCst)));
        Box::new(SqliteArchive::open(&path).unwrap())
    });
}

fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("data").join("archive.db")
}

#[test]
fn reopening_the_file_keeps_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let records = [
        success("a", NOW),
        platform_error("b", NOW + 1),
        business_error("c", NOW + 2),
    ];
    SqliteArchive::open(&path)
        .unwrap()
        .write_batch(&records)
        .unwrap();
    let archive = SqliteArchive::open(&path).unwrap();
    assert_eq!(archive.count().unwrap(), 3);
    for r in &records {
        assert_eq!(archive.get(&r.request_id).unwrap().as_ref(), Some(r));
    }
}

#[test]
fn a_second_handle_reads_while_the_first_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let gateway = SqliteArchive::open(&path).unwrap();
    let cli = SqliteArchive::open(&path).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            for batch in 0..20 {
                let records: Vec<_> = (0..50)
                    .map(|i| success(&format!("w-{batch:02}-{i:02}"), NOW + batch))
                    .collect();
                gateway.write_batch(&records).unwrap();
            }
        });
        s.spawn(|| {
            for _ in 0..50 {
                let n = cli.count().unwrap();
                assert!(
                    n <= 1000 && n.is_multiple_of(50),
                    "a batch is seen whole or not at all: {n}"
                );
                cli.search(&ArchiveQuery::default()).unwrap();
            }
        });
    });
    assert_eq!(cli.count().unwrap(), 1000);
    assert!(cli.get("w-19-49").unwrap().is_some());
}

#[test]
fn file_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    drop(SqliteArchive::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, ARCHIVE_SCHEMA_VERSION);
    // Every index costs the writer a b-tree insert per record: exactly these, the error index
    // partial (a success costs it nothing).
    let indexes: Vec<(String, Option<String>)> = conn
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let names: Vec<&str> = indexes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "calls_app_key_received_at",
            "calls_errors",
            "calls_received_at"
        ]
    );
    assert!(indexes[1]
        .1
        .as_deref()
        .is_some_and(|sql| sql.ends_with("WHERE code IS NOT NULL")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the archive holds request parameters");
    }
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    drop(SqliteArchive::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", ARCHIVE_SCHEMA_VERSION + 1)
        .unwrap();
    match SqliteArchive::open(&path) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("upgrade topgate"), "{msg}"),
        Err(e) => panic!("expected Backend, got {e:?}"),
        Ok(_) => panic!("opened an archive from the future"),
    }
}

#[test]
fn a_file_that_is_not_a_database_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive.db");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    match SqliteArchive::open(&path) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("archive"), "{msg}"),
        Err(e) => panic!("expected Backend, got {e:?}"),
        Ok(_) => panic!("opened garbage"),
    }
}

/// What writing costs the archive thread per record on disk, as the gateway writes (batches of
/// 500, time-ordered request ids, a demo-sized body): a measurement, not a check. Run with
/// `cargo test --release -p topgate-store --test archive write_cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn write_cost() {
    let dir = tempfile::tempdir().unwrap();
    let archive = SqliteArchive::open(&db_path(&dir)).unwrap();
    let template = success("", NOW);
    let body = r#"{"item_get_response":{"item":{"num_iid":17,"title":"2025 new white dress","nick":"tbtest561","price":"199.00"},"request_id":"hslta00000000"}}"#;
    let (batches, size) = (400, 500);
    let started = std::time::Instant::now();
    for b in 0..batches {
        let batch: Vec<_> = (0..size)
            .map(|i| {
                let n = (b * size + i) as u64;
                let mut r = template.clone();
                // As the gateway makes them at 20 000 calls a second: the second, the
                // process, a scrambled counter.
                let scrambled = n % 36u64.pow(5) * 0x9E37_79B1 % 36u64.pow(5);
                r.request_id = format!("{:06}ab3de{scrambled:08}", n / 20_000);
                r.received_at_ms = NOW + n as i64;
                r.response_body = body.to_owned();
                r
            })
            .collect();
        archive.write_batch(&batch).unwrap();
    }
    let per = started.elapsed() / (batches * size) as u32;
    let bytes = std::fs::metadata(db_path(&dir)).unwrap().len();
    eprintln!(
        "{} records: {per:?} per record, archive.db {} MiB",
        batches * size,
        bytes >> 20
    );
}

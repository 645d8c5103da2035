//! As a new user would: run the demo, make a failing call, find it with `topgate archive show`
//! by the request id of the response; then stop the server with SIGTERM in the middle of
//! traffic and find every answered call with `topgate archive list`.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use topgate_protocol::params::Params;
use topgate_protocol::sign::{sign, SignMethod};
use topgate_protocol::time::format_gmt8;

const BIN: &str = env!("CARGO_BIN_EXE_topgate");

fn topgate(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("TOPGATE_DATA_DIR")
        .output()
        .unwrap()
}

/// Starts `topgate serve --demo` on a free port; returns the child and the endpoint URL.
fn serve_demo(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .args(["--admin-listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("TOPGATE_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("the banner").unwrap();
        if let Some(rest) = line.split("serving ").nth(1) {
            break rest.trim().to_owned();
        }
    };
    // Keep reading the banner so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

/// A signed `taobao.item.get` by the demo app, signed with `secret`.
fn item_get(secret: &str) -> Vec<(String, String)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let mut p = Params::new();
    let mut pairs: Vec<(String, String)> = [
        ("method", "taobao.item.get"),
        ("app_key", "12345678"),
        ("timestamp", format_gmt8(now).as_str()),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("fields", "num_iid,title"),
        ("num_iid", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in &pairs {
        p.insert(k.clone(), v.clone()).unwrap();
    }
    pairs.push(("sign".into(), sign(SignMethod::Md5, secret, &p, None)));
    pairs
}

/// POSTs a call; the request id the response carries, or `None` without an answer.
async fn call(http: &reqwest::Client, url: &str, form: &[(String, String)]) -> Option<String> {
    let body: Value = http
        .post(url)
        .form(form)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let (_, inner) = body.as_object()?.iter().next()?;
    Some(inner["request_id"].as_str()?.to_owned())
}

#[test]
fn a_failing_call_is_found_by_its_request_id_and_sigterm_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (mut server, url) = serve_demo(data);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = reqwest::Client::new();

    // A call signed with the wrong secret fails with code 25; its request id finds the record.
    let bad_id = rt
        .block_on(call(&http, &url, &item_get("not-the-secret")))
        .expect("an answer");
    let give_up = Instant::now() + Duration::from_secs(20);
    let shown = loop {
        let out = topgate(data, &["archive", "show", &bad_id]);
        if out.status.success() {
            break String::from_utf8(out.stdout).unwrap();
        }
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(
            Instant::now() < give_up,
            "{bad_id} never reached the archive"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    for wanted in [
        bad_id.as_str(),
        "code 25",
        "signature",
        "string to sign",
        "app_key12345678",
    ] {
        assert!(shown.contains(wanted), "{wanted:?} in\n{shown}");
    }
    assert!(!shown.contains("helloworld"), "never the secret:\n{shown}");

    // Traffic, then SIGTERM while it is still going: every answered call is archived.
    // Eight clients call in a loop until the server stops answering; SIGTERM comes after 200
    // answers, with calls in flight.
    let answered = Arc::new(AtomicUsize::new(0));
    let ids: Vec<String> = rt.block_on(async {
        let workers: Vec<_> = (0..8)
            .map(|w| {
                let (http, url, answered) = (http.clone(), url.clone(), answered.clone());
                tokio::spawn(async move {
                    let mut ids = Vec::new();
                    for i in 0.. {
                        let secret = if (w + i) % 4 == 0 {
                            "wrong"
                        } else {
                            "helloworld"
                        };
                        let Some(id) = call(&http, &url, &item_get(secret)).await else {
                            break;
                        };
                        ids.push(id);
                        answered.fetch_add(1, Ordering::SeqCst);
                    }
                    ids
                })
            })
            .collect();
        while answered.load(Ordering::SeqCst) < 200 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let kill = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let mut ids = Vec::new();
        for w in workers {
            ids.extend(w.await.unwrap());
        }
        ids
    });
    assert!(ids.len() >= 200);
    let status = server.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM exits 0 after the flush");

    let out = topgate(data, &["archive", "list", "--json", "--limit", "1000"]);
    assert!(out.status.success(), "{out:?}");
    let listed: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let archived: std::collections::HashSet<&str> = listed
        .iter()
        .map(|r| r["request_id"].as_str().unwrap())
        .collect();
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !archived.contains(id.as_str()))
        .collect();
    assert!(missing.is_empty(), "answered but not archived: {missing:?}");
    assert!(archived.contains(bad_id.as_str()));

    let out = topgate(
        data,
        &["archive", "list", "--errors", "--code", "25", "--json"],
    );
    let errors: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!errors.is_empty() && errors.iter().all(|r| r["code"] == 25));

    let out = topgate(
        data,
        &[
            "archive", "list", "--app", "12345678", "--since", "1h", "--limit", "1000",
        ],
    );
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("TIME (GMT+8)") && table.contains(&bad_id),
        "{table}"
    );

    let out = topgate(data, &["archive", "show", "nosuchrequest"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("nosuchrequest") && err.contains("sampled"),
        "{err}"
    );
}

#[test]
fn no_archive_in_the_data_directory_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = topgate(dir.path(), &["archive", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no archive at") && err.contains("--data-dir"),
        "{err}"
    );
}

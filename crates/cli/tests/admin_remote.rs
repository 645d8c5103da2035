//! Every administration command with `--server`: it goes through a running gateway's admin API
//! and prints what the same command prints on the data directory.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_topgate");

/// `topgate ARGS --data-dir DIR`, with a clean environment for the admin flags.
fn topgate(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("TOPGATE_DATA_DIR")
        .env_remove("TOPGATE_ADMIN_URL")
        .env_remove("TOPGATE_ADMIN_TOKEN")
        .env_remove("TOPGATE_CONFIG")
        .output()
        .unwrap()
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `topgate serve --demo` on free ports; the server, its endpoint and its admin API's URL.
fn serve_demo(data_dir: &Path) -> (Server, String, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .args(["--admin-listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env("TOPGATE_LOG", "warn")
        .env_remove("TOPGATE_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let server = Server(child);
    let (mut endpoint, mut admin) = (None, None);
    while admin.is_none() {
        let line = lines.next().expect("the banner").unwrap();
        if let Some(rest) = line.split("is serving ").nth(1) {
            endpoint = Some(rest.trim().to_owned());
        }
        if let Some(rest) = line.split("--server ").nth(1) {
            admin = Some(rest.trim().to_owned());
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (server, endpoint.expect("the endpoint"), admin.unwrap())
}

fn text(out: &Output) -> String {
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn each_command_prints_the_same_through_the_admin_api() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let (_server, endpoint, url) = serve_demo(data);
    let remote = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--server", url.as_str()]);
        topgate(data, &all)
    };

    // Changes through the API.
    let created = text(&remote(&[
        "app",
        "create",
        "--name",
        "helper",
        "--grant",
        "item-read",
        "--json",
    ]));
    let app: serde_json::Value = serde_json::from_str(&created).unwrap();
    let key = app["app_key"].as_str().unwrap().to_owned();
    assert!(app["secret"].as_str().is_some_and(|s| !s.is_empty()));
    text(&remote(&["user", "create", "--nick", "buyer9"]));
    text(&remote(&["app", "grant", &key, "trade-read"]));
    text(&remote(&["app", "revoke", &key, "item-read"]));
    text(&remote(&["app", "disable", &key]));
    text(&remote(&["app", "limits", &key, "--per-day", "100"]));
    text(&remote(&[
        "app",
        "limits",
        &key,
        "--api",
        "taobao.time.get",
        "--per-second",
        "3",
    ]));
    text(&remote(&[
        "api",
        "limits",
        "taobao.time.get",
        "--per-day",
        "9",
    ]));
    text(&remote(&["partner", "limits", "p1", "--per-second", "2"]));
    text(&remote(&["user", "limits", "buyer9", "--per-day", "7"]));
    let issued = text(&remote(&[
        "session",
        "issue",
        "--app",
        &key,
        "--user",
        "sandbox_c_1",
        "--json",
    ]));
    let session: serde_json::Value = serde_json::from_str(&issued).unwrap();
    let session_key = session["key"].as_str().unwrap().to_owned();
    text(&remote(&[
        "session",
        "limits",
        &session_key,
        "--per-day",
        "5",
    ]));
    text(&remote(&["session", "revoke", &session_key]));
    let reset = text(&remote(&["app", "reset-counters", &key, "--json"]));
    assert!(reset.contains("reset_at_ms"), "{reset}");

    // Every read prints the same either way.
    for args in [
        vec!["app", "list"],
        vec!["app", "list", "--json"],
        vec!["app", "show", &key],
        vec!["app", "show", "12345678", "--json"],
        vec!["app", "limits", &key],
        vec!["app", "limits", &key, "--json"],
        vec!["api", "limits", "taobao.time.get"],
        vec!["partner", "limits", "p1", "--json"],
        vec!["user", "list", "--json"],
        vec!["user", "limits", "buyer9"],
        vec!["session", "list"],
        vec!["session", "list", "--app", &key, "--json"],
        vec!["session", "limits", &session_key, "--json"],
    ] {
        assert_eq!(
            text(&remote(&args)),
            text(&topgate(data, &args)),
            "{args:?}"
        );
    }

    // The archive: a failing call's record (once written), then lists.
    let answer =
        reqwest::blocking::get(format!("{endpoint}?method=taobao.time.get&format=json")).unwrap();
    let id = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let shown = loop {
        let out = remote(&["archive", "show", &id]);
        if out.status.success() {
            break text(&out);
        }
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(shown.contains(&id) && shown.contains("code 28"), "{shown}");
    assert_eq!(shown, text(&topgate(data, &["archive", "show", &id])));
    let bad = remote(&["app", "show", "no-such-app"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(err.contains("no-such-app"), "{err}");
    let missing = remote(&["archive", "show", "nosuchrequest"]);
    assert_eq!(missing.status.code(), Some(1), "{missing:?}");
    for args in [
        vec!["archive", "list", "--json"],
        vec!["archive", "list", "--errors", "--limit", "5"],
    ] {
        assert_eq!(
            text(&remote(&args)),
            text(&topgate(data, &args)),
            "{args:?}"
        );
    }

    // A wrong token is refused, and says what to do.
    let refused = remote(&["app", "list", "--token", "wrong"]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8(refused.stderr).unwrap();
    assert!(
        err.contains("refused the token") && err.contains("--token"),
        "{err}"
    );
}

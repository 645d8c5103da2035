//! Starting the targets A to F, each on the server core, and checking that each answers the
//! pool's calls as it should before it is measured.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::procs::{free_port, Procs};
use crate::pool::{APP_KEY, METHOD, SESSION_KEY, SESSION_NICK};

/// The programs the benchmark runs.
pub struct Bins {
    pub topgate: PathBuf,
    pub load: PathBuf,
    pub bare: PathBuf,
    pub proxy: PathBuf,
    pub nginx: Option<PathBuf>,
}

/// One thing measured.
#[derive(Debug, Clone)]
pub struct Target {
    /// `A` to `F`.
    pub key: char,
    pub what: String,
    /// The endpoint the load generator calls.
    pub url: String,
    /// Every process serving it (their CPU is the target's).
    pub pids: Vec<u32>,
    /// The topgate process, whose memory is reported.
    pub gateway: Option<u32>,
    /// The topgate process's name in the run's logs.
    pub log: Option<String>,
    /// topgate's admin API, whose metrics say what the archive kept of each run.
    pub admin: Option<AdminApi>,
}

/// Where a topgate target's admin API listens, and where its token is.
#[derive(Debug, Clone)]
pub struct AdminApi {
    pub addr: SocketAddr,
    /// The gateway's data directory: it writes the token it generates there (`admin.token`).
    pub data_dir: PathBuf,
}

/// The limits set on every counter of the demo call: high enough never to refuse a call.
pub const LIMIT_PER_DAY: &str = "1000000000";
pub const LIMIT_PER_SECOND: &str = "1000000";

fn endpoint(port: u16) -> String {
    format!("http://127.0.0.1:{port}/router/rest")
}

/// `topgate serve --demo` on a fresh data directory `name`, with `extra` arguments, every
/// counter of the demo call given a high limit. Returns the topgate target (without key).
pub fn topgate(
    procs: &Procs,
    bins: &Bins,
    cpu: usize,
    name: &str,
    extra: &[String],
) -> anyhow::Result<Target> {
    let data = procs.dir.join(name);
    let port = free_port()?;
    let mut args = vec![
        "serve".to_owned(),
        "--demo".to_owned(),
        "--data-dir".to_owned(),
        data.display().to_string(),
        "--listen".to_owned(),
        format!("127.0.0.1:{port}"),
    ];
    let mut admin = None;
    if serve_accepts(&bins.topgate, "--admin-listen") {
        // The admin API (and /metrics) stays on, as by default, on a port of its own.
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()?));
        args.extend(["--admin-listen".to_owned(), addr.to_string()]);
        admin = Some(AdminApi {
            addr,
            data_dir: data.clone(),
        });
    }
    args.extend_from_slice(extra);
    let pid = procs.spawn(name, cpu, &bins.topgate, &args, false)?;
    procs.wait_port(name, pid, port)?;
    set_limits(&bins.topgate, &data)?;
    // The server's registry snapshot follows the store within a second.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    Ok(Target {
        key: '?',
        what: String::new(),
        url: endpoint(port),
        pids: vec![pid],
        gateway: Some(pid),
        log: Some(name.to_owned()),
        admin,
    })
}

/// Whether `topgate serve` has the option `flag` (the benchmark runs on older builds too).
fn serve_accepts(topgate: &Path, flag: &str) -> bool {
    Command::new(topgate)
        .args(["serve", "--help"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(flag))
}

/// Per-second and daily limits on the app, the app×API, the API, the user and the session of
/// the demo call (the demo app has no partner), so that every counter is counted.
fn set_limits(topgate: &Path, data: &Path) -> anyhow::Result<()> {
    let app_api = ["app", "limits", APP_KEY, "--api", METHOD];
    let subjects: [&[&str]; 5] = [
        &["app", "limits", APP_KEY],
        &app_api,
        &["api", "limits", METHOD],
        &["user", "limits", SESSION_NICK],
        &["session", "limits", SESSION_KEY],
    ];
    for subject in subjects {
        let out = Command::new(topgate)
            .args(subject)
            .args(["--per-day", LIMIT_PER_DAY, "--per-second", LIMIT_PER_SECOND])
            .arg("--data-dir")
            .arg(data)
            .env("TOPGATE_LOG", "warn")
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "topgate {} failed: {}",
            subject.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// `topgate demo-backend` on a fresh data directory: the HTTP backend of C, D and E.
pub fn demo_backend(procs: &Procs, bins: &Bins, cpu: usize) -> anyhow::Result<(u32, String)> {
    let port = free_port()?;
    let data = procs.dir.join("backend");
    let args = [
        "demo-backend".to_owned(),
        "--listen".to_owned(),
        format!("127.0.0.1:{port}"),
        "--data-dir".to_owned(),
        data.display().to_string(),
    ];
    let pid = procs.spawn("backend", cpu, &bins.topgate, &args, false)?;
    procs.wait_port("backend", pid, port)?;
    Ok((pid, format!("http://127.0.0.1:{port}/")))
}

/// A reference server of this crate (`bench-bare`, `bench-proxy`) with `args`.
pub fn reference(
    procs: &Procs,
    program: &Path,
    name: &str,
    cpu: usize,
    args: &[String],
) -> anyhow::Result<Target> {
    let port = free_port()?;
    let mut all = vec!["--listen".to_owned(), format!("127.0.0.1:{port}")];
    all.extend_from_slice(args);
    let pid = procs.spawn(name, cpu, program, &all, false)?;
    procs.wait_port(name, pid, port)?;
    Ok(Target {
        key: '?',
        what: String::new(),
        url: endpoint(port),
        pids: vec![pid],
        gateway: None,
        log: None,
        admin: None,
    })
}

/// nginx in the foreground, one worker, `proxy_pass` with keep-alive to `backend`, rewriting
/// each call into the backend-protocol call topgate would send (`proxy_set_body`).
pub fn nginx(procs: &Procs, nginx: &Path, cpu: usize, backend: &str) -> anyhow::Result<Target> {
    let port = free_port()?;
    let dir = procs.dir.join("nginx");
    std::fs::create_dir_all(&dir)?;
    let upstream = backend.trim_start_matches("http://").trim_end_matches('/');
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\nuser root;\npid {dir}/nginx.pid;\n\
         error_log {dir}/error.log warn;\nevents {{ worker_connections 4096; }}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {dir}/body;\nproxy_temp_path {dir}/proxy;\n\
         fastcgi_temp_path {dir}/fastcgi;\nuwsgi_temp_path {dir}/uwsgi;\nscgi_temp_path {dir}/scgi;\n\
         upstream backend {{ server {upstream}; keepalive 64; }}\n\
         server {{\n listen 127.0.0.1:{port};\n location / {{\n  proxy_pass http://backend/;\n\
         proxy_http_version 1.1;\n  proxy_set_header Connection \"\";\n  proxy_method POST;\n\
         proxy_set_header Content-Type \"application/json; charset=utf-8\";\n\
         proxy_set_body '{body}';\n }}\n}}\n}}\n",
        dir = dir.display(),
        body = crate::wire::backend_body(),
    );
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf)?;
    let args = [
        "-p".to_owned(),
        dir.display().to_string(),
        "-e".to_owned(),
        dir.join("error.log").display().to_string(),
        "-c".to_owned(),
        conf_path.display().to_string(),
    ];
    let pid = procs.spawn("nginx", cpu, nginx, &args, false)?;
    procs.wait_port("nginx", pid, port)?;
    Ok(Target {
        key: '?',
        what: String::new(),
        url: endpoint(port),
        pids: vec![pid],
        gateway: None,
        log: None,
        admin: None,
    })
}

/// One call from the pool through `target`: the size of the answer, or why it is not a success.
pub fn probe(procs: &Procs, bins: &Bins, cpu: usize, target: &Target) -> anyhow::Result<usize> {
    let name = format!("probe-{}", target.key);
    let args = ["--url".to_owned(), target.url.clone(), "--probe".to_owned()];
    let pid = procs.spawn(&name, cpu, &bins.load, &args, true)?;
    let status = procs.wait(pid);
    let out = std::fs::read_to_string(procs.dir.join(format!("{name}.out")))?;
    let answer: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_default();
    anyhow::ensure!(
        status.success(),
        "{} ({}) does not answer the benchmark's call with a success: {}\n{}",
        target.key,
        target.what,
        answer["body"].as_str().unwrap_or(out.trim()),
        procs.log_tail(&name)
    );
    Ok(answer["body_bytes"].as_u64().unwrap_or(0) as usize)
}

//! What topgate's archive kept of a run, read from its Prometheus metrics on the admin listener
//! before and after the run. At saturation the archive writer (idle priority) falls behind, its
//! queue fills, and successful calls are dropped and counted instead of archived: a req/s at
//! saturation says nothing of that unless the run also says how many calls were not kept.
//!
//! A failed read never stops the benchmark: it becomes the reason the figures are missing.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use super::targets::AdminApi;

/// How long connecting to the admin listener, and reading its answer, may take. The gateway is
/// idle when it is read (after the catch-up wait), so this is generous.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The archive's counters at one moment, from one `GET /metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    /// Calls answered (`topgate_calls_total`, every label set).
    pub calls: u64,
    /// Records written (`topgate_archive_written_total`).
    pub written: u64,
    /// Successes dropped because the queue was full (`topgate_archive_dropped_total`).
    pub dropped: u64,
    /// Records waiting to be written (`topgate_archive_queue_depth`).
    pub queued: u64,
}

/// The archive over one run: the difference of the readings before and after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArchiveRun {
    pub calls: u64,
    pub written: u64,
    pub dropped: u64,
    /// Still waiting to be written when the run's figures were read (after the catch-up).
    pub queued: u64,
}

impl ArchiveRun {
    /// The change from `before` to `after` (counters only grow while the gateway runs; a
    /// restart would make them go back, which saturates at 0 rather than wrapping).
    pub fn between(before: &Counters, after: &Counters) -> ArchiveRun {
        ArchiveRun {
            calls: after.calls.saturating_sub(before.calls),
            written: after.written.saturating_sub(before.written),
            dropped: after.dropped.saturating_sub(before.dropped),
            queued: after.queued,
        }
    }

    /// The share of the run's calls the archive kept, 0 to 1: every call but the successes
    /// dropped because the queue was full (with `success_sample_rate` below 1 the successes
    /// sampled out are counted as kept: they were not lost to the queue). 1 for no calls.
    pub fn kept_share(&self) -> f64 {
        if self.calls == 0 {
            return 1.0;
        }
        self.calls.saturating_sub(self.dropped) as f64 / self.calls as f64
    }
}

/// `share` (0 to 1) as a percentage that never rounds a loss away: 99.96 % kept is "99.9 %",
/// not "100 %".
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p >= 100.0 {
        "100 %".into()
    } else if p >= 99.0 {
        format!("{:.1} %", (p * 10.0).floor() / 10.0)
    } else {
        format!("{p:.0} %")
    }
}

/// The counters of the gateway behind `admin`, or why they cannot be had.
pub fn read(admin: &AdminApi) -> Result<Counters, String> {
    let token = token(&admin.data_dir);
    let text = get(admin.addr, "/metrics", token.as_deref())?;
    counters(&text)
}

/// The admin token the gateway uses, as it chose it: `$TOPGATE_ADMIN_TOKEN` (which it inherits
/// from the benchmark), else the `admin.token` file it generated in its data directory. `None`
/// when neither is there (then only `[admin] metrics_public = true` lets the read through).
fn token(data_dir: &Path) -> Option<String> {
    let env = std::env::var("TOPGATE_ADMIN_TOKEN").ok();
    env.filter(|t| !t.trim().is_empty())
        .or_else(|| std::fs::read_to_string(data_dir.join("admin.token")).ok())
        .map(|t| t.trim().to_owned())
}

/// `GET path` on `addr` over HTTP/1.1 with `Connection: close`: the body of a 200 answer. A
/// plain socket is enough for one small request to a loopback listener, and it keeps the
/// benchmark's own process free of an async runtime here.
fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Result<String, String> {
    let fail = |what: &str, e: std::io::Error| format!("{what} {addr}: {e}");
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| fail("connect", e))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)))
        .map_err(|e| fail("set timeouts on", e))?;
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| fail("send to", e))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| fail("read from", e))?;
    body(&raw).map_err(|why| format!("GET http://{addr}{path}: {why}"))
}

/// The body of a raw HTTP answer, if it is a 200 with a plain (not chunked) body.
fn body(raw: &[u8]) -> Result<String, String> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut answer = httparse::Response::new(&mut headers);
    let start = match answer.parse(raw) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err("the answer ended in its headers".into()),
        Err(e) => return Err(format!("not an HTTP answer: {e}")),
    };
    let header = |name: &str| {
        answer
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
    };
    let text = String::from_utf8_lossy(&raw[start..]).into_owned();
    match answer.code {
        Some(200) => {}
        Some(401) => {
            return Err(
                "401: the admin token was refused (set TOPGATE_ADMIN_TOKEN to the \
                        gateway's, or [admin] metrics_public = true)"
                    .into(),
            )
        }
        code => return Err(format!("status {code:?}: {}", text.trim())),
    }
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        return Err("a chunked answer (expected a Content-Length)".into());
    }
    Ok(text)
}

/// One sample line of the Prometheus text format, `name value` or `name{labels} value` (a
/// timestamp after the value is ignored): its name, its labels as written (without the braces,
/// empty for none) and its value. `None` for comments (`#`), blank lines and lines that do not
/// parse. Label values with `}` or spaces in them are not expected (topgate's come from the
/// catalog and small fixed sets).
pub fn sample(line: &str) -> Option<(&str, &str, f64)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (name, labels, rest) = match line.split_once('{') {
        Some((name, rest)) => {
            let (labels, rest) = rest.rsplit_once('}')?;
            (name, labels, rest)
        }
        None => {
            let (name, rest) = line.split_once(char::is_whitespace)?;
            (name, "", rest)
        }
    };
    let value = rest.split_whitespace().next()?.parse().ok()?;
    Some((name.trim(), labels, value))
}

/// The sum of the samples of `name` over every label set, `None` when there is none.
fn total(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .filter_map(sample)
        .filter(|(n, _, _)| *n == name)
        .map(|(_, _, v)| v.max(0.0) as u64)
        .reduce(|a, b| a + b)
}

/// The archive's counters in a `/metrics` text; an error when the archive figures are not
/// there (the archive is off, or this topgate predates them).
pub fn counters(text: &str) -> Result<Counters, String> {
    let need = |name: &str| {
        total(text, name).ok_or_else(|| {
            format!(
                "no {name} in /metrics (the archive is off, or this topgate has no such metric)"
            )
        })
    };
    Ok(Counters {
        calls: total(text, "topgate_calls_total").unwrap_or(0),
        written: need("topgate_archive_written_total")?,
        dropped: need("topgate_archive_dropped_total")?,
        queued: total(text, "topgate_archive_queue_depth").unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# HELP topgate_calls Calls answered.
# TYPE topgate_calls counter
topgate_calls_total{method=\"taobao.item.get\",code=\"0\",class=\"success\"} 1200
topgate_calls_total{method=\"unknown\",code=\"22\",class=\"platform\"} 3

# TYPE topgate_archive_queue_depth gauge
topgate_archive_queue_depth 0
topgate_archive_written_total 803
topgate_archive_dropped_total 400 1700000000000
";

    #[test]
    fn samples_of_the_text_format() {
        assert_eq!(
            sample("topgate_archive_written_total 803"),
            Some(("topgate_archive_written_total", "", 803.0))
        );
        assert_eq!(
            sample("topgate_calls_total{code=\"0\",class=\"success\"} 12 1700000000000"),
            Some(("topgate_calls_total", "code=\"0\",class=\"success\"", 12.0))
        );
        assert_eq!(sample("# TYPE x counter"), None);
        assert_eq!(sample("   "), None);
        assert_eq!(sample("no_value"), None);
        assert_eq!(sample("x{unclosed 1"), None);
        assert_eq!(sample("x not-a-number"), None);
    }

    #[test]
    fn counters_sum_label_sets_and_need_the_archive() {
        let c = counters(TEXT).unwrap();
        assert_eq!(
            c,
            Counters {
                calls: 1203,
                written: 803,
                dropped: 400,
                queued: 0
            }
        );
        let off = "topgate_calls_total{code=\"0\"} 5\ntopgate_registry_revision 1\n";
        assert!(counters(off).unwrap_err().contains("archive is off"));
    }

    #[test]
    fn a_run_is_the_difference_and_its_kept_share() {
        let before = Counters {
            calls: 3,
            written: 3,
            dropped: 0,
            queued: 0,
        };
        let run = ArchiveRun::between(&before, &counters(TEXT).unwrap());
        assert_eq!((run.calls, run.written, run.dropped), (1200, 800, 400));
        assert!((run.kept_share() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(percent(run.kept_share()), "67 %");
        assert_eq!(percent(0.9996), "99.9 %");
        assert_eq!(percent(1.0), "100 %");
    }

    #[test]
    fn the_body_of_an_answer() {
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nx 1\n";
        assert_eq!(body(ok).unwrap(), "x 1\n");
        let refused = b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}";
        assert!(body(refused).unwrap_err().starts_with("401"));
        assert!(body(b"HTTP/1.1 200 OK\r\ncontent-").is_err());
    }
}

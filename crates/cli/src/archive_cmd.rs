//! `topgate archive show|list`: read the call archive (`archive.db` in the data directory), the
//! server's evidence of every call, by request id or by filters.
//!
//! With `--server URL` the records come from a running gateway's admin API instead
//! (`GET /admin/requests...`), printed the same way.
//!
//! Exit codes: 0 found; 1 `show` found no such request id; 2 no archive, or a database error.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use topgate_gateway::archive::archive_path;
use topgate_gateway::config;
use topgate_store::archive::{ArchiveQuery, ArchiveStore, CallRecord, SqliteArchive};

use crate::admin_client::{AdminClient, RemoteArgs};
use crate::archive_view;

#[derive(Args, Clone)]
pub struct ArchiveArgs {
    /// Data directory [default: $TOPGATE_DATA_DIR or ~/.local/share/topgate]
    #[arg(long, value_name = "DIR", env = "TOPGATE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON for scripts
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    remote: RemoteArgs,
}

/// Where the records are read: the data directory's archive.db, or the admin API.
enum Archived {
    Local(SqliteArchive),
    Remote(AdminClient),
}

impl Archived {
    fn get(&self, request_id: &str) -> anyhow::Result<Option<CallRecord>> {
        match self {
            Archived::Local(a) => Ok(a.get(request_id)?),
            Archived::Remote(c) => c.find(&["admin", "requests", request_id]),
        }
    }

    fn search(&self, q: &ArchiveQuery) -> anyhow::Result<Vec<CallRecord>> {
        match self {
            Archived::Local(a) => Ok(a.search(q)?),
            Archived::Remote(c) => c.get(&["admin", "requests"], &query_pairs(q)),
        }
    }
}

/// `q` as the admin API's query string.
fn query_pairs(q: &ArchiveQuery) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("limit", q.limit.to_string())];
    pairs.extend(q.app_key.clone().map(|v| ("app", v)));
    pairs.extend(q.method.clone().map(|v| ("method", v)));
    pairs.extend(q.code.map(|v| ("code", v.to_string())));
    pairs.extend(q.since_ms.map(|v| ("since_ms", v.to_string())));
    pairs.extend(q.until_ms.map(|v| ("until_ms", v.to_string())));
    if q.errors_only {
        pairs.push(("errors", "true".into()));
    }
    pairs
}

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Show one archived call in full, by the request id of its response
    Show {
        /// The request id (`request_id` in the body, `X-Request-Id` header)
        request_id: String,
        #[command(flatten)]
        store: ArchiveArgs,
    },
    /// List archived calls, newest first
    List {
        /// Only this app's calls
        #[arg(long, value_name = "KEY")]
        app: Option<String>,
        /// Only calls to this API
        #[arg(long, value_name = "NAME")]
        method: Option<String>,
        /// Only responses with this code (25, 530, ...)
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        code: Option<i64>,
        /// Only error responses
        #[arg(long)]
        errors: bool,
        /// Received at or after: "yyyy-MM-dd HH:mm:ss" (GMT+8), or a duration ago ("1h", "30m", "2d")
        #[arg(long, value_name = "WHEN", value_parser = parse_when)]
        since: Option<i64>,
        /// Received before: "yyyy-MM-dd HH:mm:ss" (GMT+8), or a duration ago
        #[arg(long, value_name = "WHEN", value_parser = parse_when)]
        until: Option<i64>,
        /// At most this many calls
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
        #[command(flatten)]
        store: ArchiveArgs,
    },
}

impl ArchiveArgs {
    /// The archive and where it is (for messages).
    fn open(&self) -> anyhow::Result<(Archived, String)> {
        let dir = self
            .data_dir
            .clone()
            .unwrap_or_else(config::default_data_dir);
        if let Some(client) = self.remote.client(&dir)? {
            let at = format!("the gateway at {}", client.server());
            return Ok((Archived::Remote(client), at));
        }
        let path = archive_path(&dir);
        if !path.exists() {
            anyhow::bail!(
                "no archive at {}: the gateway creates it when it starts on this data directory \
                 (with [archive] enabled); give the gateway's --data-dir or set TOPGATE_DATA_DIR",
                path.display()
            );
        }
        let at = path.display().to_string();
        Ok((Archived::Local(SqliteArchive::open(&path)?), at))
    }
}

pub fn run(cmd: ArchiveCommand) -> anyhow::Result<u8> {
    match cmd {
        ArchiveCommand::Show { request_id, store } => show(&request_id, &store),
        ArchiveCommand::List {
            app,
            method,
            code,
            errors,
            since,
            until,
            limit,
            store,
        } => {
            let query = ArchiveQuery {
                app_key: app,
                method,
                code,
                errors_only: errors,
                since_ms: since,
                until_ms: until,
                limit,
            };
            list(&query, &store)
        }
    }
}

fn show(request_id: &str, args: &ArchiveArgs) -> anyhow::Result<u8> {
    let (archive, path) = args.open()?;
    let Some(record) = archive.get(request_id.trim())? else {
        eprintln!(
            "no call with request id {request_id} in {}.\n\
             Errors are always archived, but successful calls may be sampled out \
             ([archive] success_sample_rate), records older than the retention are pruned \
             ([archive] retention_days, default 7), and a call is only in the archive of the \
             gateway (data directory) that answered it.",
            path
        );
        return Ok(1);
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&record)?);
    } else {
        print!("{}", archive_view::show(&record));
    }
    Ok(0)
}

fn list(query: &ArchiveQuery, args: &ArchiveArgs) -> anyhow::Result<u8> {
    let (archive, path) = args.open()?;
    let records = archive.search(query)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&records)?);
        return Ok(0);
    }
    if records.is_empty() {
        eprintln!("no archived call matches (archive {path})");
        return Ok(0);
    }
    println!("{}", archive_view::list_header());
    for r in &records {
        println!("{}", archive_view::list_line(r));
    }
    if records.len() >= query.effective_limit() {
        eprintln!(
            "(the {} newest; --limit N for more, --since/--until for another window)",
            records.len()
        );
    }
    Ok(0)
}

/// "yyyy-MM-dd HH:mm:ss" (GMT+8), epoch milliseconds, or a duration ago ("90s", "1h",
/// "2d 3h", "1h-ago", "1h ago") into epoch milliseconds.
fn parse_when(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if let Ok(ms) = topgate_protocol::time::parse_timestamp(s) {
        return Ok(ms);
    }
    let ago = s
        .strip_suffix("-ago")
        .or_else(|| s.strip_suffix(" ago"))
        .unwrap_or(s)
        .trim();
    match humantime::parse_duration(ago) {
        Ok(d) => Ok(topgate_store::unix_now_ms() - i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)),
        Err(_) => Err(format!(
            "{s:?} is neither a time \"yyyy-MM-dd HH:mm:ss\" (GMT+8) nor a duration ago like 1h, 30m or 2d"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_when;

    #[test]
    fn times_and_durations_ago() {
        let t = topgate_protocol::time::parse_timestamp("2026-11-25 12:00:00").unwrap();
        assert_eq!(parse_when("2026-11-25 12:00:00"), Ok(t));
        let now = topgate_store::unix_now_ms();
        for s in ["1h", "1h-ago", "1h ago", "60m"] {
            let when = parse_when(s).unwrap();
            assert!((now - 3_700_000..=now - 3_500_000).contains(&when), "{s}");
        }
        assert!(parse_when("yesterday-ish")
            .unwrap_err()
            .contains("duration"));
    }
}

//! The persisted copy of the daily counters: `counters.db` (SQLite) in the data directory.
//!
//! A background thread writes the daily counters that changed, once a second, in one
//! transaction (`synchronous = FULL`: a committed second survives a power loss too); a stop
//! writes them once more. At start the counters of the current GMT+8 day are read back, so a
//! restart does not reset a daily quota. A crash loses at most the counts of the last second
//! (calls counted in memory but not yet written). Per-second counters are not persisted.
//!
//! The file also remembers the last counter reset applied per app, so a reset made while the
//! server was stopped is applied once at the next start, and never again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection};

use super::counters::Changes;

/// How often changed counters are written.
pub const FLUSH_INTERVAL: Duration = Duration::from_secs(1);

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS counters (
        key   TEXT PRIMARY KEY,
        day   BIGINT NOT NULL,
        count BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS applied_resets (
        app_key     TEXT PRIMARY KEY,
        reset_at_ms BIGINT NOT NULL
    );
";

/// What was persisted: the daily counters of one day and the resets applied.
pub type Loaded = (Vec<(String, i64, u64)>, HashMap<String, i64>);

pub struct CounterDb {
    conn: Connection,
    path: PathBuf,
    /// Rows of days before this one have been deleted.
    purged_before: i64,
}

impl CounterDb {
    /// The counters file inside a data directory.
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join("counters.db")
    }

    pub fn open(path: &Path) -> anyhow::Result<CounterDb> {
        let fail = |e: rusqlite::Error| {
            anyhow::anyhow!(
                "counters database {}: {e}; check that the data directory is writable, or \
                 delete the file to start the day's counts again",
                path.display()
            )
        };
        let conn = Connection::open(path).map_err(fail)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(fail)?;
        conn.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()))
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(fail)?;
        conn.execute_batch(SCHEMA).map_err(fail)?;
        Ok(CounterDb {
            conn,
            path: path.to_owned(),
            purged_before: i64::MIN,
        })
    }

    /// Deletes the counters of days before `day` and reads back those of `day`.
    pub fn load(&mut self, day: i64) -> anyhow::Result<Loaded> {
        self.purge(day)?;
        let mut stmt = self
            .conn
            .prepare("SELECT key, day, count FROM counters WHERE day = ?1")?;
        let counts = stmt
            .query_map([day], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT app_key, reset_at_ms FROM applied_resets")?;
        let applied = stmt
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<HashMap<_, _>>>()?;
        Ok((counts, applied))
    }

    fn purge(&mut self, day: i64) -> rusqlite::Result<()> {
        if day > self.purged_before {
            self.conn
                .execute("DELETE FROM counters WHERE day < ?1", [day])?;
            self.purged_before = day;
        }
        Ok(())
    }

    /// Writes the changes in one transaction: the resets first, then the counts.
    pub fn write(&mut self, changes: &Changes) -> anyhow::Result<()> {
        let path = self.path.display().to_string();
        self.write_inner(changes)
            .map_err(|e| anyhow::anyhow!("writing the counters to {path}: {e}"))
    }

    fn write_inner(&mut self, changes: &Changes) -> rusqlite::Result<()> {
        if let Some(day) = changes.counts.iter().map(|c| c.1).max() {
            self.purge(day)?;
        }
        let tx = self.conn.transaction()?;
        for (app_key, reset_at_ms) in &changes.resets {
            let app_api = format!("app-api:{app_key}|");
            tx.prepare_cached(
                "DELETE FROM counters
                 WHERE key = ?1 OR substr(key, 1, length(?2)) = ?2",
            )?
            .execute(params![format!("app:{app_key}"), app_api])?;
            tx.prepare_cached(
                "INSERT INTO applied_resets (app_key, reset_at_ms) VALUES (?1, ?2)
                 ON CONFLICT (app_key) DO UPDATE SET reset_at_ms = excluded.reset_at_ms",
            )?
            .execute(params![app_key, reset_at_ms])?;
        }
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO counters (key, day, count) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET day = excluded.day, count = excluded.count",
            )?;
            for (key, day, count) in &changes.counts {
                upsert.execute(params![
                    &**key,
                    day,
                    i64::try_from(*count).unwrap_or(i64::MAX)
                ])?;
            }
        }
        tx.commit()
    }
}

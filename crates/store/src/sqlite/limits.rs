//! Flow-control limits.

use rusqlite::{params, Connection};

use crate::{Limit, LimitScope, Result, StoreError};

pub(super) fn set(conn: &Connection, limit: &Limit) -> Result<()> {
    let scope = limit.scope.as_str();
    if limit.per_day.is_none() && limit.per_second.is_none() {
        conn.prepare_cached("DELETE FROM limits WHERE scope = ?1 AND subject = ?2")?
            .execute([scope, &limit.subject])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO limits (scope, subject, per_day, per_second) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (scope, subject)
             DO UPDATE SET per_day = excluded.per_day, per_second = excluded.per_second",
        )?
        .execute(params![
            scope,
            limit.subject,
            limit.per_day,
            limit.per_second
        ])?;
    }
    Ok(())
}

/// All limits, by scope (in [`LimitScope::ALL`] order) then subject.
pub(super) fn list(conn: &Connection) -> Result<Vec<Limit>> {
    let mut stmt = conn.prepare_cached("SELECT scope, subject, per_day, per_second FROM limits")?;
    let rows = stmt.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<u64>>(2)?,
            row.get::<_, Option<u64>>(3)?,
        ))
    })?;
    let mut limits = Vec::new();
    for row in rows {
        let (scope, subject, per_day, per_second) = row?;
        let scope = scope.parse::<LimitScope>().map_err(|_| {
            StoreError::Backend(format!(
                "the limits table holds an unknown scope {scope:?}; was it written by a newer \
                 topgate? upgrade topgate or delete that row"
            ))
        })?;
        limits.push(Limit {
            scope,
            subject,
            per_day,
            per_second,
        });
    }
    limits.sort_by(|a, b| {
        let rank = |s: LimitScope| LimitScope::ALL.iter().position(|x| *x == s);
        (rank(a.scope), &a.subject).cmp(&(rank(b.scope), &b.subject))
    });
    Ok(limits)
}

/// Records a counter reset of an app: `now_ms`, or the previous reset + 1 if that is not later.
pub(super) fn reset_counters(conn: &Connection, app_key: &str, now_ms: i64) -> Result<i64> {
    if !super::apps::exists(conn, app_key)? {
        return Err(StoreError::not_found("app", app_key));
    }
    let reset_at: i64 = conn
        .prepare_cached(
            "INSERT INTO counter_resets (app_key, reset_at_ms) VALUES (?1, ?2)
             ON CONFLICT (app_key)
             DO UPDATE SET reset_at_ms = MAX(excluded.reset_at_ms, counter_resets.reset_at_ms + 1)
             RETURNING reset_at_ms",
        )?
        .query_row(params![app_key, now_ms], |row| row.get(0))?;
    Ok(reset_at)
}

/// The last counter reset of each app, by app key.
pub(super) fn counter_resets(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let mut stmt =
        conn.prepare_cached("SELECT app_key, reset_at_ms FROM counter_resets ORDER BY app_key")?;
    let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

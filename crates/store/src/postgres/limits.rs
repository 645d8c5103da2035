//! Flow-control limits and counter resets (PostgreSQL).

use postgres::Transaction;

use super::conn::R;
use crate::{Limit, LimitScope, StoreError};

/// A validated limit value as the column stores it.
fn column(value: Option<u64>) -> R<Option<i64>> {
    value
        .map(|v| {
            i64::try_from(v).map_err(|_| StoreError::invalid(format!("limit {v} is too large")))
        })
        .transpose()
        .map_err(Into::into)
}

pub(super) fn set(tx: &mut Transaction<'_>, limit: &Limit) -> R<()> {
    let scope = limit.scope.as_str();
    if limit.per_day.is_none() && limit.per_second.is_none() {
        tx.execute(
            "DELETE FROM limits WHERE scope = $1 AND subject = $2",
            &[&scope, &limit.subject],
        )?;
    } else {
        tx.execute(
            "INSERT INTO limits (scope, subject, per_day, per_second) VALUES ($1, $2, $3, $4)
             ON CONFLICT (scope, subject)
             DO UPDATE SET per_day = excluded.per_day, per_second = excluded.per_second",
            &[
                &scope,
                &limit.subject,
                &column(limit.per_day)?,
                &column(limit.per_second)?,
            ],
        )?;
    }
    Ok(())
}

/// All limits, by scope (in [`LimitScope::ALL`] order) then subject.
pub(super) fn list(tx: &mut Transaction<'_>) -> R<Vec<Limit>> {
    let rows = tx.query(
        "SELECT scope, subject, per_day, per_second FROM limits",
        &[],
    )?;
    let mut limits = Vec::with_capacity(rows.len());
    for row in rows {
        let scope: String = row.try_get(0)?;
        let scope = scope.parse::<LimitScope>().map_err(|_| {
            StoreError::Backend(format!(
                "the limits table holds an unknown scope {scope:?}; was it written by a newer \
                 topgate? upgrade topgate or delete that row"
            ))
        })?;
        let value = |v: Option<i64>| v.map(|v| u64::try_from(v).unwrap_or(0));
        limits.push(Limit {
            scope,
            subject: row.try_get(1)?,
            per_day: value(row.try_get(2)?),
            per_second: value(row.try_get(3)?),
        });
    }
    limits.sort_by(|a, b| {
        let rank = |s: LimitScope| LimitScope::ALL.iter().position(|x| *x == s);
        (rank(a.scope), &a.subject).cmp(&(rank(b.scope), &b.subject))
    });
    Ok(limits)
}

/// Records a counter reset of an app: `now_ms`, or the previous reset + 1 if that is not later.
pub(super) fn reset_counters(tx: &mut Transaction<'_>, app_key: &str, now_ms: i64) -> R<i64> {
    if !super::apps::exists(tx, app_key)? {
        return Err(StoreError::not_found("app", app_key).into());
    }
    let row = tx.query_one(
        "INSERT INTO counter_resets (app_key, reset_at_ms) VALUES ($1, $2)
         ON CONFLICT (app_key)
         DO UPDATE SET reset_at_ms = GREATEST(excluded.reset_at_ms, counter_resets.reset_at_ms + 1)
         RETURNING reset_at_ms",
        &[&app_key, &now_ms],
    )?;
    Ok(row.try_get(0)?)
}

/// The last counter reset of each app, by app key.
pub(super) fn counter_resets(tx: &mut Transaction<'_>) -> R<Vec<(String, i64)>> {
    tx.query(
        "SELECT app_key, reset_at_ms FROM counter_resets ORDER BY app_key",
        &[],
    )?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
    .collect()
}

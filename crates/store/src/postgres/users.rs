//! Users (PostgreSQL).

use postgres::{Row, Transaction};

use super::conn::R;
use crate::model::check_text;
use crate::{StoreError, User};

fn from_row(row: &Row) -> R<User> {
    Ok(User {
        id: row.try_get(0)?,
        nick: row.try_get(1)?,
        created_at_ms: row.try_get(2)?,
    })
}

pub(super) fn by_nick(tx: &mut Transaction<'_>, nick: &str) -> R<User> {
    let row = tx
        .query_opt(
            "SELECT id, nick, created_at_ms FROM users WHERE nick = $1",
            &[&nick],
        )?
        .ok_or_else(|| StoreError::not_found("user", nick))?;
    from_row(&row)
}

pub(super) fn list(tx: &mut Transaction<'_>) -> R<Vec<User>> {
    tx.query("SELECT id, nick, created_at_ms FROM users ORDER BY id", &[])?
        .iter()
        .map(from_row)
        .collect()
}

pub(super) fn insert(tx: &mut Transaction<'_>, nick: &str, now_ms: i64) -> R<User> {
    check_text("user nick", nick)?;
    if tx
        .query_opt("SELECT 1 FROM users WHERE nick = $1", &[&nick])?
        .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "user nick {nick:?} already exists; choose another nick or use the existing user"
        ))
        .into());
    }
    let id: i64 = tx
        .query_one(
            "INSERT INTO users (nick, created_at_ms) VALUES ($1, $2) RETURNING id",
            &[&nick, &now_ms],
        )?
        .try_get(0)?;
    Ok(User {
        id,
        nick: nick.to_string(),
        created_at_ms: now_ms,
    })
}

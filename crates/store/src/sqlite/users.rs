//! Users.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::check_text;
use crate::{Result, StoreError, User};

fn from_row(row: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        nick: row.get(1)?,
        created_at_ms: row.get(2)?,
    })
}

pub(super) fn by_nick(conn: &Connection, nick: &str) -> Result<User> {
    conn.prepare_cached("SELECT id, nick, created_at_ms FROM users WHERE nick = ?1")?
        .query_row([nick], from_row)
        .optional()?
        .ok_or_else(|| StoreError::not_found("user", nick))
}

pub(super) fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare_cached("SELECT id, nick, created_at_ms FROM users ORDER BY id")?;
    let users = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(users)
}

pub(super) fn insert(conn: &Connection, nick: &str, now_ms: i64) -> Result<User> {
    check_text("user nick", nick)?;
    if conn
        .prepare_cached("SELECT 1 FROM users WHERE nick = ?1")?
        .exists([nick])?
    {
        return Err(StoreError::Conflict(format!(
            "user nick {nick:?} already exists; choose another nick or use the existing user"
        )));
    }
    let id = conn
        .prepare_cached("INSERT INTO users (nick, created_at_ms) VALUES (?1, ?2) RETURNING id")?
        .query_row(params![nick, now_ms], |row| row.get(0))?;
    Ok(User {
        id,
        nick: nick.to_string(),
        created_at_ms: now_ms,
    })
}

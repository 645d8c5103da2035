//! Sessions and the grants they carry.

use std::collections::HashMap;

use rusqlite::{params, Connection, Params, Row};

use super::{apps, users};
use crate::model::new_session;
use crate::{generate_session_key, NewSession, Result, Session, StoreError};

fn from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    Ok(Session {
        key: row.get(0)?,
        app_key: row.get(1)?,
        user_id: row.get(2)?,
        grants: Vec::new(),
        expires_at_ms: row.get(3)?,
        revoked: row.get(4)?,
        created_at_ms: row.get(5)?,
    })
}

/// Sessions matching `filter` (a condition on `s`, the sessions table; written here, never
/// from input), oldest first, with their grants.
fn query(conn: &Connection, filter: &str, args: impl Params + Clone) -> Result<Vec<Session>> {
    let mut grants: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT g.session_key, g.package FROM session_grants g
         JOIN sessions s ON s.session_key = g.session_key
         WHERE {filter} ORDER BY g.session_key, g.package"
    ))?;
    let rows = stmt.query_map(args.clone(), |row| {
        Ok((row.get::<_, String>(0)?, row.get(1)?))
    })?;
    for row in rows {
        let (key, package) = row?;
        grants.entry(key).or_default().push(package);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.session_key, s.app_key, s.user_id, s.expires_at_ms, s.revoked, s.created_at_ms
         FROM sessions s WHERE {filter} ORDER BY s.created_at_ms, s.session_key"
    ))?;
    let sessions = stmt.query_map(args, from_row)?;
    sessions
        .map(|session| {
            let mut session = session?;
            session.grants = grants.remove(&session.key).unwrap_or_default();
            Ok(session)
        })
        .collect()
}

pub(super) fn get(conn: &Connection, key: &str) -> Result<Session> {
    query(conn, "s.session_key = ?1", [key])?
        .pop()
        .ok_or_else(|| StoreError::not_found("session", key))
}

/// Not revoked, and expiring after `min_expiry_ms`.
pub(super) fn live(conn: &Connection, min_expiry_ms: i64) -> Result<Vec<Session>> {
    query(
        conn,
        "s.revoked = FALSE AND s.expires_at_ms > ?1",
        [min_expiry_ms],
    )
}

pub(super) fn of_app(conn: &Connection, app_key: Option<&str>) -> Result<Vec<Session>> {
    match app_key {
        None => query(conn, "TRUE", []),
        Some(app_key) if apps::exists(conn, app_key)? => query(conn, "s.app_key = ?1", [app_key]),
        Some(app_key) => Err(StoreError::not_found("app", app_key)),
    }
}

fn exists(conn: &Connection, key: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM sessions WHERE session_key = ?1")?;
    Ok(stmt.exists([key])?)
}

/// `new` has been validated; `expires_at_ms` is what validation returned.
pub(super) fn issue(conn: &Connection, new: NewSession, expires_at_ms: i64) -> Result<Session> {
    let app = apps::get(conn, &new.app_key)?;
    let user = users::by_nick(conn, &new.user_nick)?;
    let key = match new.key {
        Some(key) if exists(conn, &key)? => {
            return Err(StoreError::Conflict(
                "that session key already exists; omit the key to generate one".to_string(),
            ))
        }
        Some(key) => key,
        None => loop {
            let key = generate_session_key();
            if !exists(conn, &key)? {
                break key;
            }
        },
    };
    let session = new_session(key, app, user.id, &new.grants, expires_at_ms, new.now_ms);
    conn.prepare_cached(
        "INSERT INTO sessions (session_key, app_key, user_id, expires_at_ms, revoked, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        session.key,
        session.app_key,
        session.user_id,
        session.expires_at_ms,
        session.revoked,
        session.created_at_ms
    ])?;
    let mut stmt =
        conn.prepare_cached("INSERT INTO session_grants (session_key, package) VALUES (?1, ?2)")?;
    for package in &session.grants {
        stmt.execute([&session.key, package])?;
    }
    Ok(session)
}

pub(super) fn revoke(conn: &Connection, key: &str) -> Result<Session> {
    let changed = conn
        .prepare_cached("UPDATE sessions SET revoked = TRUE WHERE session_key = ?1")?
        .execute([key])?;
    if changed == 0 {
        return Err(StoreError::not_found("session", key));
    }
    get(conn, key)
}

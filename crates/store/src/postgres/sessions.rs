//! Sessions and the grants they carry (PostgreSQL).

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Row, Transaction};

use super::conn::R;
use super::{apps, users};
use crate::model::new_session;
use crate::{generate_session_key, NewSession, Session, StoreError};

fn from_row(row: &Row) -> R<Session> {
    Ok(Session {
        key: row.try_get(0)?,
        app_key: row.try_get(1)?,
        user_id: row.try_get(2)?,
        grants: Vec::new(),
        expires_at_ms: row.try_get(3)?,
        revoked: row.try_get(4)?,
        created_at_ms: row.try_get(5)?,
    })
}

/// Sessions matching `filter` (a condition on `s`, the sessions table; written here, never
/// from input), oldest first, with their grants.
fn query(tx: &mut Transaction<'_>, filter: &str, args: &[&(dyn ToSql + Sync)]) -> R<Vec<Session>> {
    let mut grants: HashMap<String, Vec<String>> = HashMap::new();
    let rows = tx.query(
        &format!(
            "SELECT g.session_key, g.package FROM session_grants g
             JOIN sessions s ON s.session_key = g.session_key
             WHERE {filter} ORDER BY g.session_key, g.package"
        ),
        args,
    )?;
    for row in rows {
        grants
            .entry(row.try_get(0)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    let rows = tx.query(
        &format!(
            "SELECT s.session_key, s.app_key, s.user_id, s.expires_at_ms, s.revoked, s.created_at_ms
             FROM sessions s WHERE {filter} ORDER BY s.created_at_ms, s.session_key"
        ),
        args,
    )?;
    rows.iter()
        .map(|row| {
            let mut session = from_row(row)?;
            session.grants = grants.remove(&session.key).unwrap_or_default();
            Ok(session)
        })
        .collect()
}

pub(super) fn get(tx: &mut Transaction<'_>, key: &str) -> R<Session> {
    query(tx, "s.session_key = $1", &[&key])?
        .pop()
        .ok_or_else(|| StoreError::not_found("session", key).into())
}

/// Not revoked, and expiring after `min_expiry_ms`.
pub(super) fn live(tx: &mut Transaction<'_>, min_expiry_ms: i64) -> R<Vec<Session>> {
    query(
        tx,
        "s.revoked = FALSE AND s.expires_at_ms > $1",
        &[&min_expiry_ms],
    )
}

pub(super) fn of_app(tx: &mut Transaction<'_>, app_key: Option<&str>) -> R<Vec<Session>> {
    match app_key {
        None => query(tx, "TRUE", &[]),
        Some(app_key) if apps::exists(tx, app_key)? => query(tx, "s.app_key = $1", &[&app_key]),
        Some(app_key) => Err(StoreError::not_found("app", app_key).into()),
    }
}

fn exists(tx: &mut Transaction<'_>, key: &str) -> R<bool> {
    Ok(tx
        .query_opt("SELECT 1 FROM sessions WHERE session_key = $1", &[&key])?
        .is_some())
}

/// `new` has been validated; `expires_at_ms` is what validation returned.
pub(super) fn issue(tx: &mut Transaction<'_>, new: NewSession, expires_at_ms: i64) -> R<Session> {
    let app = apps::get(tx, &new.app_key)?;
    let user = users::by_nick(tx, &new.user_nick)?;
    let key = match new.key {
        Some(key) if exists(tx, &key)? => {
            return Err(StoreError::Conflict(
                "that session key already exists; omit the key to generate one".to_string(),
            )
            .into())
        }
        Some(key) => key,
        None => loop {
            let key = generate_session_key();
            if !exists(tx, &key)? {
                break key;
            }
        },
    };
    let session = new_session(key, app, user.id, &new.grants, expires_at_ms, new.now_ms);
    tx.execute(
        "INSERT INTO sessions (session_key, app_key, user_id, expires_at_ms, revoked, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &session.key,
            &session.app_key,
            &session.user_id,
            &session.expires_at_ms,
            &session.revoked,
            &session.created_at_ms,
        ],
    )?;
    for package in &session.grants {
        tx.execute(
            "INSERT INTO session_grants (session_key, package) VALUES ($1, $2)",
            &[&session.key, package],
        )?;
    }
    Ok(session)
}

pub(super) fn revoke(tx: &mut Transaction<'_>, key: &str) -> R<Session> {
    let changed = tx.execute(
        "UPDATE sessions SET revoked = TRUE WHERE session_key = $1",
        &[&key],
    )?;
    if changed == 0 {
        return Err(StoreError::not_found("session", key).into());
    }
    get(tx, key)
}

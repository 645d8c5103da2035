//! Apps and their permission grants.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{check_text, new_app, normalize_partner};
use crate::{generate_app_key, generate_secret, App, NewApp, Result, StoreError};

const COLUMNS: &str = "app_key, name, secret, enabled, partner, created_at_ms";

fn from_row(row: &Row<'_>) -> rusqlite::Result<App> {
    Ok(App {
        app_key: row.get(0)?,
        name: row.get(1)?,
        secret: row.get(2)?,
        enabled: row.get(3)?,
        partner: row.get(4)?,
        grants: Vec::new(),
        created_at_ms: row.get(5)?,
    })
}

pub(super) fn exists(conn: &Connection, app_key: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM apps WHERE app_key = ?1")?;
    Ok(stmt.exists([app_key])?)
}

pub(super) fn get(conn: &Connection, app_key: &str) -> Result<App> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM apps WHERE app_key = ?1"))?;
    let mut app = stmt
        .query_row([app_key], from_row)
        .optional()?
        .ok_or_else(|| StoreError::not_found("app", app_key))?;
    let mut stmt =
        conn.prepare_cached("SELECT package FROM app_grants WHERE app_key = ?1 ORDER BY package")?;
    app.grants = stmt
        .query_map([app_key], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(app)
}

pub(super) fn list(conn: &Connection) -> Result<Vec<App>> {
    let mut grants: HashMap<String, Vec<String>> = HashMap::new();
    let mut stmt =
        conn.prepare_cached("SELECT app_key, package FROM app_grants ORDER BY app_key, package")?;
    let rows = stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
    for row in rows {
        let (app_key, package) = row?;
        grants.entry(app_key).or_default().push(package);
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM apps ORDER BY created_at_ms, app_key"
    ))?;
    let apps = stmt.query_map([], from_row)?;
    apps.map(|app| {
        let mut app = app?;
        app.grants = grants.remove(&app.app_key).unwrap_or_default();
        Ok(app)
    })
    .collect()
}

pub(super) fn insert(conn: &Connection, new: NewApp, now_ms: i64) -> Result<App> {
    let app_key = match new.app_key {
        Some(key) if exists(conn, &key)? => {
            return Err(StoreError::Conflict(format!(
                "app key {key} already exists; choose another key or omit it to generate one"
            )))
        }
        Some(key) => key,
        None => loop {
            let key = generate_app_key();
            if !exists(conn, &key)? {
                break key;
            }
        },
    };
    let app = new_app(
        app_key,
        new.name,
        new.secret,
        new.partner.as_deref(),
        &new.grants,
        now_ms,
    )?;
    conn.prepare_cached(&format!(
        "INSERT INTO apps ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    ))?
    .execute(params![
        app.app_key,
        app.name,
        app.secret,
        app.enabled,
        app.partner,
        app.created_at_ms
    ])?;
    let mut stmt =
        conn.prepare_cached("INSERT INTO app_grants (app_key, package) VALUES (?1, ?2)")?;
    for package in &app.grants {
        stmt.execute([&app.app_key, package])?;
    }
    Ok(app)
}

/// Runs one `UPDATE apps ... WHERE app_key = ?1` and returns the updated app.
fn update(conn: &Connection, app_key: &str, set: &str, value: &dyn rusqlite::ToSql) -> Result<App> {
    let changed = conn
        .prepare_cached(&format!("UPDATE apps SET {set} = ?2 WHERE app_key = ?1"))?
        .execute(params![app_key, value])?;
    if changed == 0 {
        return Err(StoreError::not_found("app", app_key));
    }
    get(conn, app_key)
}

pub(super) fn set_enabled(conn: &Connection, app_key: &str, enabled: bool) -> Result<App> {
    update(conn, app_key, "enabled", &enabled)
}

pub(super) fn rotate_secret(conn: &Connection, app_key: &str) -> Result<App> {
    update(conn, app_key, "secret", &generate_secret())
}

pub(super) fn set_partner(conn: &Connection, app_key: &str, partner: Option<&str>) -> Result<App> {
    let partner = normalize_partner(partner)?;
    update(conn, app_key, "partner", &partner)
}

pub(super) fn grant(conn: &Connection, app_key: &str, package: &str) -> Result<App> {
    check_text("permission package", package)?;
    if !exists(conn, app_key)? {
        return Err(StoreError::not_found("app", app_key));
    }
    conn.prepare_cached(
        "INSERT INTO app_grants (app_key, package) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    )?
    .execute([app_key, package])?;
    get(conn, app_key)
}

pub(super) fn revoke(conn: &Connection, app_key: &str, package: &str) -> Result<App> {
    check_text("permission package", package)?;
    if !exists(conn, app_key)? {
        return Err(StoreError::not_found("app", app_key));
    }
    conn.prepare_cached("DELETE FROM app_grants WHERE app_key = ?1 AND package = ?2")?
        .execute([app_key, package])?;
    get(conn, app_key)
}

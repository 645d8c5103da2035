//! Apps and their permission grants (PostgreSQL).

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Row, Transaction};

use super::conn::R;
use crate::model::{check_text, new_app, normalize_partner};
use crate::{generate_app_key, generate_secret, App, NewApp, StoreError};

const COLUMNS: &str = "app_key, name, secret, enabled, partner, created_at_ms";

fn from_row(row: &Row) -> R<App> {
    Ok(App {
        app_key: row.try_get(0)?,
        name: row.try_get(1)?,
        secret: row.try_get(2)?,
        enabled: row.try_get(3)?,
        partner: row.try_get(4)?,
        grants: Vec::new(),
        created_at_ms: row.try_get(5)?,
    })
}

pub(super) fn exists(tx: &mut Transaction<'_>, app_key: &str) -> R<bool> {
    Ok(tx
        .query_opt("SELECT 1 FROM apps WHERE app_key = $1", &[&app_key])?
        .is_some())
}

pub(super) fn get(tx: &mut Transaction<'_>, app_key: &str) -> R<App> {
    let row = tx
        .query_opt(
            &format!("SELECT {COLUMNS} FROM apps WHERE app_key = $1"),
            &[&app_key],
        )?
        .ok_or_else(|| StoreError::not_found("app", app_key))?;
    let mut app = from_row(&row)?;
    app.grants = tx
        .query(
            "SELECT package FROM app_grants WHERE app_key = $1 ORDER BY package",
            &[&app_key],
        )?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    Ok(app)
}

pub(super) fn list(tx: &mut Transaction<'_>) -> R<Vec<App>> {
    let mut grants: HashMap<String, Vec<String>> = HashMap::new();
    for row in tx.query(
        "SELECT app_key, package FROM app_grants ORDER BY app_key, package",
        &[],
    )? {
        grants
            .entry(row.try_get(0)?)
            .or_default()
            .push(row.try_get(1)?);
    }
    let rows = tx.query(
        &format!("SELECT {COLUMNS} FROM apps ORDER BY created_at_ms, app_key"),
        &[],
    )?;
    rows.iter()
        .map(|row| {
            let mut app = from_row(row)?;
            app.grants = grants.remove(&app.app_key).unwrap_or_default();
            Ok(app)
        })
        .collect()
}

pub(super) fn insert(tx: &mut Transaction<'_>, new: NewApp, now_ms: i64) -> R<App> {
    let app_key = match new.app_key {
        Some(key) if exists(tx, &key)? => {
            return Err(StoreError::Conflict(format!(
                "app key {key} already exists; choose another key or omit it to generate one"
            ))
            .into())
        }
        Some(key) => key,
        None => loop {
            let key = generate_app_key();
            if !exists(tx, &key)? {
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
    tx.execute(
        &format!("INSERT INTO apps ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
        &[
            &app.app_key,
            &app.name,
            &app.secret,
            &app.enabled,
            &app.partner,
            &app.created_at_ms,
        ],
    )?;
    for package in &app.grants {
        tx.execute(
            "INSERT INTO app_grants (app_key, package) VALUES ($1, $2)",
            &[&app.app_key, package],
        )?;
    }
    Ok(app)
}

/// Runs one `UPDATE apps SET <column> = $2 WHERE app_key = $1` and returns the updated app.
fn update(
    tx: &mut Transaction<'_>,
    app_key: &str,
    column: &str,
    value: &(dyn ToSql + Sync),
) -> R<App> {
    let changed = tx.execute(
        &format!("UPDATE apps SET {column} = $2 WHERE app_key = $1"),
        &[&app_key, value],
    )?;
    if changed == 0 {
        return Err(StoreError::not_found("app", app_key).into());
    }
    get(tx, app_key)
}

pub(super) fn set_enabled(tx: &mut Transaction<'_>, app_key: &str, enabled: bool) -> R<App> {
    update(tx, app_key, "enabled", &enabled)
}

pub(super) fn rotate_secret(tx: &mut Transaction<'_>, app_key: &str) -> R<App> {
    update(tx, app_key, "secret", &generate_secret())
}

pub(super) fn set_partner(
    tx: &mut Transaction<'_>,
    app_key: &str,
    partner: Option<&str>,
) -> R<App> {
    let partner = normalize_partner(partner)?;
    update(tx, app_key, "partner", &partner)
}

pub(super) fn grant(tx: &mut Transaction<'_>, app_key: &str, package: &str) -> R<App> {
    check_text("permission package", package)?;
    if !exists(tx, app_key)? {
        return Err(StoreError::not_found("app", app_key).into());
    }
    tx.execute(
        "INSERT INTO app_grants (app_key, package) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[&app_key, &package],
    )?;
    get(tx, app_key)
}

pub(super) fn revoke(tx: &mut Transaction<'_>, app_key: &str, package: &str) -> R<App> {
    check_text("permission package", package)?;
    if !exists(tx, app_key)? {
        return Err(StoreError::not_found("app", app_key).into());
    }
    tx.execute(
        "DELETE FROM app_grants WHERE app_key = $1 AND package = $2",
        &[&app_key, &package],
    )?;
    get(tx, app_key)
}

//! SQLite persistence: the schema, the first-open seed, loading everything into memory, and the
//! one write the service makes (an uploaded image).
//!
//! Records are stored as JSON in a `data` column beside their key; images, the only records that
//! change, have plain columns.

use anyhow::Context;
use rusqlite::{params, Connection, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::{Data, Item, ItemImg};
use crate::seed::Seed;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (nick TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (num_iid INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS item_extras (num_iid INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS item_imgs (
    id INTEGER PRIMARY KEY,
    num_iid INTEGER NOT NULL,
    url TEXT NOT NULL,
    position INTEGER NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trades (tid INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refunds (refund_id INTEGER PRIMARY KEY, data TEXT NOT NULL);
";

/// Prepares a connection: WAL, the schema, the seed when the database is empty.
pub fn init(conn: &mut Connection, seed: impl FnOnce() -> Seed) -> anyhow::Result<()> {
    // `journal_mode` answers with a row; an in-memory database stays in "memory" mode.
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(SCHEMA)
        .context("creating the demo schema")?;
    let users: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
    if users == 0 {
        let tx = conn.transaction()?;
        write_seed(&tx, &seed())?;
        tx.commit().context("seeding the demo data")?;
    }
    Ok(())
}

fn insert_json<T: Serialize>(
    tx: &Transaction<'_>,
    table: &str,
    key_col: &str,
    rows: impl IntoIterator<Item = (rusqlite::types::Value, T)>,
) -> anyhow::Result<()> {
    let sql = format!("INSERT INTO {table} ({key_col}, data) VALUES (?1, ?2)");
    let mut stmt = tx.prepare(&sql)?;
    for (key, row) in rows {
        stmt.execute(params![key, serde_json::to_string(&row)?])?;
    }
    Ok(())
}

fn write_seed(tx: &Transaction<'_>, s: &Seed) -> anyhow::Result<()> {
    use rusqlite::types::Value as V;
    insert_json(
        tx,
        "users",
        "nick",
        s.users.iter().map(|u| (V::Text(u.nick.clone()), u)),
    )?;
    insert_json(
        tx,
        "items",
        "num_iid",
        s.items.iter().map(|i| (V::Integer(i.num_iid), i)),
    )?;
    insert_json(
        tx,
        "item_extras",
        "num_iid",
        s.extras.iter().map(|e| (V::Integer(e.num_iid), e)),
    )?;
    insert_json(
        tx,
        "trades",
        "tid",
        s.trades.iter().map(|t| (V::Integer(t.tid), t)),
    )?;
    insert_json(
        tx,
        "refunds",
        "refund_id",
        s.refunds.iter().map(|r| (V::Integer(r.refund_id), r)),
    )?;
    for img in &s.imgs {
        insert_img(tx, img)?;
    }
    Ok(())
}

fn load_json<T: DeserializeOwned>(conn: &Connection, table: &str) -> anyhow::Result<Vec<T>> {
    let mut stmt = conn.prepare(&format!("SELECT data FROM {table} ORDER BY rowid"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for row in rows {
        let text = row?;
        out.push(serde_json::from_str(&text).with_context(|| format!("a bad row in {table}"))?);
    }
    Ok(out)
}

/// Reads every record into memory.
pub fn load(conn: &Connection) -> anyhow::Result<Data> {
    let mut stmt =
        conn.prepare("SELECT id, num_iid, url, position, created FROM item_imgs ORDER BY id")?;
    let imgs = stmt
        .query_map([], |r| {
            Ok(ItemImg {
                id: r.get(0)?,
                num_iid: r.get(1)?,
                url: r.get(2)?,
                position: r.get(3)?,
                created: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Data::new(
        load_json(conn, "users")?,
        load_json(conn, "items")?,
        load_json(conn, "item_extras")?,
        imgs,
        load_json(conn, "trades")?,
        load_json(conn, "refunds")?,
    ))
}

pub fn insert_img(tx: &Connection, img: &ItemImg) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO item_imgs (id, num_iid, url, position, created) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![img.id, img.num_iid, img.url, img.position, img.created],
    )?;
    Ok(())
}

pub fn move_img(tx: &Connection, id: i64, position: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE item_imgs SET position = ?1 WHERE id = ?2",
        params![position, id],
    )?;
    Ok(())
}

pub fn update_item(tx: &Connection, item: &Item) -> anyhow::Result<()> {
    tx.execute(
        "UPDATE items SET data = ?1 WHERE num_iid = ?2",
        params![serde_json::to_string(item)?, item.num_iid],
    )?;
    Ok(())
}

/// The id the next image gets: one past the largest in the table.
pub fn next_img_id(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM item_imgs", [], |r| {
        r.get(0)
    })
}

//! The demo commerce backend: a small Taobao-like shop (users, items, item extras, trades,
//! refunds) that `topgate serve --demo` runs in process, behind the gateway.
//!
//! It is a business service in the sense of `topgate_protocol::backend`: it receives a
//! [`BackendRequest`] whose signature, session, permissions and catalog constraints the gateway
//! has already checked, and answers the payload's top-level fields or a [`BusinessError`]. It
//! still validates every parameter it reads: no input makes it panic.
//!
//! - [`fixtures`]: the app, session and users the gateway registers for the demo.
//! - [`CATALOG`]: the demo API catalog (`catalog.toml`).
//! - `api`: one module per product line; `views` turns records into TOP objects, keeping the
//!   fields that `fields` selects (`select`).
//! - `seed`: the deterministic demo data; `db`: its SQLite persistence. Reads are served from
//!   memory; the one write (an image upload) goes to SQLite and memory.

mod api;
mod args;
mod db;
pub mod fixtures;
mod model;
mod seed;
mod select;
mod views;

use std::path::Path;

use anyhow::Context;
use parking_lot::{Mutex, RwLock};
use rusqlite::Connection;
use topgate_protocol::backend::{BackendRequest, BackendResult, BusinessError};

use crate::model::Data;

/// The demo API catalog: every API of [`DemoService::methods`], with its product line,
/// permission package and parameters.
pub const CATALOG: &str = include_str!("../catalog.toml");

const METHODS: &[&str] = &[
    "taobao.time.get",
    "taobao.user.get",
    "taobao.users.get",
    "taobao.item.get",
    "taobao.items.list.get",
    "taobao.items.onsale.get",
    "taobao.item.img.upload",
    "taobao.item.extra.get",
    "taobao.trade.get",
    "taobao.trades.sold.get",
    "taobao.refund.get",
];

/// The demo shop: data in memory, persisted in SQLite.
pub struct DemoService {
    data: RwLock<Data>,
    /// Held by writers for the whole write (SQLite, then memory).
    db: Mutex<Connection>,
}

impl std::fmt::Debug for DemoService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.data.read();
        f.debug_struct("DemoService")
            .field("users", &data.users.len())
            .field("items", &data.items.len())
            .field("trades", &data.trades.len())
            .field("refunds", &data.refunds.len())
            .finish()
    }
}

impl DemoService {
    /// Opens (or creates) the SQLite file at `path` in WAL mode, seeds the demo data when it
    /// is empty, and loads everything into memory.
    pub fn open(path: &Path) -> anyhow::Result<DemoService> {
        let conn = Connection::open(path)
            .with_context(|| format!("opening the demo database {}", path.display()))?;
        Self::with_connection(conn)
    }

    /// A fresh, seeded service whose database lives in memory only.
    pub fn open_in_memory() -> anyhow::Result<DemoService> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> anyhow::Result<DemoService> {
        db::init(&mut conn, seed::seed)?;
        let data = db::load(&conn).context("loading the demo data")?;
        Ok(DemoService {
            data: RwLock::new(data),
            db: Mutex::new(conn),
        })
    }

    /// The API names this service answers.
    pub fn methods() -> &'static [&'static str] {
        METHODS
    }

    /// Answers one business call.
    pub fn call(&self, req: &BackendRequest) -> BackendResult {
        use api::{items, trades, upload, users};
        match req.method.as_str() {
            "taobao.time.get" => return api::time_get(),
            "taobao.item.img.upload" => return upload::item_img_upload(self, req),
            _ => {}
        }
        let data = self.data.read();
        match req.method.as_str() {
            "taobao.user.get" => users::user_get(&data, req),
            "taobao.users.get" => users::users_get(&data, req),
            "taobao.item.get" => items::item_get(&data, req),
            "taobao.items.list.get" => items::items_list_get(&data, req),
            "taobao.items.onsale.get" => items::items_onsale_get(&data, req),
            "taobao.item.extra.get" => items::item_extra_get(&data, req),
            "taobao.trade.get" => trades::trade_get(&data, req),
            "taobao.trades.sold.get" => trades::trades_sold_get(&data, req),
            "taobao.refund.get" => trades::refund_get(&data, req),
            other => Err(BusinessError::new(
                "isp.remote-service-error",
                format!("演示后端不提供该API: {}", api::shorten(other)),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_service_can_be_shared_across_threads() {
        fn shared<T: Send + Sync + 'static>() {}
        shared::<super::DemoService>();
    }
}

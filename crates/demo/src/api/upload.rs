//! `taobao.item.img.upload`: the one API that writes. The record goes to SQLite first, then to
//! memory, both under the database lock, so that memory never holds what the file lacks.

use topgate_protocol::backend::{BackendRequest, BackendResult, BusinessError};
use topgate_protocol::time::format_gmt8;

use super::now_ms;
use crate::args::{
    boolean, id, int_in, invalid, item_not_exist, missing, no_permission, session_user,
};
use crate::model::ItemImg;
use crate::seed::IMG_HOST;
use crate::select::Fields;
use crate::{db, views, DemoService};

/// The largest image accepted, in bytes (the catalog declares the same `max_size`).
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;

/// The image type by magic number: `png`, `jpg` or `gif`.
pub fn image_kind(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

pub fn item_img_upload(svc: &DemoService, req: &BackendRequest) -> BackendResult {
    let user = session_user(req)?;
    let num_iid = id(req, "num_iid")?;
    let position = int_in(req, "position", 0, 99)?;
    let is_major = boolean(req, "is_major")?.unwrap_or(false);
    let file = req.file("image").ok_or_else(|| missing("image"))?;
    {
        let data = svc.data.read();
        let item = data.items.get(&num_iid).ok_or_else(item_not_exist)?;
        if item.nick != user.nick {
            return Err(no_permission("无权操作该商品"));
        }
    }
    if file.data.len() > MAX_IMAGE_BYTES {
        return Err(invalid("图片大小不能超过512KB"));
    }
    let ext =
        image_kind(&file.data).ok_or_else(|| invalid("图片格式不正确，仅支持jpg、png、gif"))?;

    let mut conn = svc.db.lock();
    let now = format_gmt8(now_ms());
    // Plan the change from memory (stable: every writer holds the database lock).
    let (img, moved, item) = {
        let data = svc.data.read();
        let Some(item) = data.items.get(&num_iid) else {
            return Err(item_not_exist());
        };
        let imgs = data.item_imgs(num_iid);
        let mut next = imgs.iter().map(|i| i.position).max().map_or(0, |p| p + 1);
        let major = is_major || position == Some(0) || imgs.is_empty();
        let mut moved = Vec::new();
        if major {
            for old in imgs.iter().filter(|i| i.position == 0) {
                moved.push((old.id, next));
                next += 1;
            }
        }
        let id = db::next_img_id(&conn).map_err(store_failed)?;
        let img = ItemImg {
            id,
            num_iid,
            url: format!("{IMG_HOST}/{id}.{ext}"),
            position: if major { 0 } else { position.unwrap_or(next) },
            created: now.clone(),
        };
        let item = major.then(|| {
            let mut item = item.clone();
            item.pic_url = img.url.clone();
            item.modified = now.clone();
            item
        });
        (img, moved, item)
    };

    let tx = conn.transaction().map_err(store_failed)?;
    let write = || -> anyhow::Result<()> {
        db::insert_img(&tx, &img)?;
        for &(id, position) in &moved {
            db::move_img(&tx, id, position)?;
        }
        if let Some(item) = &item {
            db::update_item(&tx, item)?;
        }
        Ok(())
    };
    write().map_err(store_failed)?;
    tx.commit().map_err(store_failed)?;

    let mut data = svc.data.write();
    if let Some(list) = data.imgs.get_mut(&num_iid) {
        for old in list.iter_mut() {
            if let Some(&(_, p)) = moved.iter().find(|(id, _)| *id == old.id) {
                old.position = p;
            }
        }
        list.sort_by_key(|i| (i.position, i.id));
    }
    data.add_img(img.clone());
    if let Some(item) = item {
        data.items.insert(num_iid, item);
    }
    drop(data);
    drop(conn);
    Ok(vec![(
        "item_img".into(),
        views::item_img(&img, &Fields::All),
    )])
}

fn store_failed(e: impl std::fmt::Display) -> BusinessError {
    BusinessError::new("isp.remote-service-error", format!("图片保存失败: {e}"))
}

//! The item line (`taobao.item.get`, `taobao.items.list.get`, `taobao.items.onsale.get`) and
//! the item extension line (`taobao.item.extra.get`).

use std::cmp::Ordering;

use topgate_protocol::backend::{BackendRequest, BackendResult, BusinessError};
use topgate_protocol::Value;

use crate::args::{
    dedup, fields, id, invalid, item_not_exist, list, missing, opt_id, page, parse_id,
    session_user, text, Res,
};
use crate::model::{Data, Item};
use crate::views;

/// The most ids one `taobao.items.list.get` takes.
pub const MAX_NUM_IIDS: usize = 40;

/// `iid`: the legacy 32-hex id, or a number (taken as `num_iid`).
fn resolve_iid(data: &Data, iid: &str) -> Res<i64> {
    if let Some(&n) = data.iids.get(&iid.to_ascii_lowercase()) {
        return Ok(n);
    }
    iid.parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(item_not_exist)
}

/// `taobao.item.get`: one item by `num_iid` (or the legacy `iid`).
pub fn item_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let sel = fields(req)?;
    let num_iid = match (opt_id(req, "num_iid")?, text(req, "iid")) {
        (Some(n), _) => n,
        (None, Some(iid)) => resolve_iid(data, iid)?,
        (None, None) => {
            return Err(BusinessError::new(
                "isv.missing-parameter",
                "iid和num_iid至少要传入一个",
            ))
        }
    };
    let item = data.items.get(&num_iid).ok_or_else(item_not_exist)?;
    let value = views::item(item, data.item_imgs(num_iid), &sel);
    Ok(vec![("item".into(), value)])
}

/// `taobao.items.list.get`: up to 40 items by id; ids without an item are left out.
pub fn items_list_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let sel = fields(req)?;
    let raw = list(req, "num_iids");
    if raw.is_empty() {
        return Err(missing("num_iids"));
    }
    if raw.len() > MAX_NUM_IIDS {
        return Err(invalid("用户传入的iid不能超过40个"));
    }
    let ids = raw
        .into_iter()
        .map(|v| parse_id("num_iids", v))
        .collect::<Res<Vec<_>>>()?;
    let items = dedup(ids)
        .into_iter()
        .filter_map(|n| data.items.get(&n))
        .map(|i| views::item(i, data.item_imgs(i.num_iid), &sel))
        .collect();
    Ok(vec![("items".into(), Value::list("item", items))])
}

/// `order_by` of `taobao.items.onsale.get`: `column:asc|desc`, by default `list_time:desc`.
fn order_by(req: &BackendRequest) -> Res<impl Fn(&Item, &Item) -> Ordering> {
    let spec = text(req, "order_by").unwrap_or("list_time:desc");
    let (column, dir) = spec.split_once(':').unwrap_or((spec, "desc"));
    let desc = match dir.trim() {
        d if d.eq_ignore_ascii_case("desc") => true,
        d if d.eq_ignore_ascii_case("asc") => false,
        _ => return Err(invalid("order_by格式不正确，应为column:asc或column:desc")),
    };
    let key: fn(&Item, &Item) -> Ordering = match column.trim() {
        "list_time" => |a, b| a.list_time.cmp(&b.list_time),
        "delist_time" => |a, b| a.delist_time.cmp(&b.delist_time),
        "modified" => |a, b| a.modified.cmp(&b.modified),
        "num" => |a, b| a.num.cmp(&b.num),
        "sold_quantity" => |a, b| a.sold_quantity.cmp(&b.sold_quantity),
        _ => {
            return Err(invalid(
                "order_by的排序字段只能是list_time、delist_time、num、modified、sold_quantity",
            ))
        }
    };
    Ok(move |a: &Item, b: &Item| {
        let o = key(a, b);
        let o = if desc { o.reverse() } else { o };
        o.then(a.num_iid.cmp(&b.num_iid))
    })
}

/// `taobao.items.onsale.get`: the session user's items on sale, filtered by `q`, paged.
pub fn items_onsale_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let user = session_user(req)?;
    let sel = fields(req)?;
    let cmp = order_by(req)?;
    let q = text(req, "q").map(str::to_lowercase);
    let mut found: Vec<&Item> = data
        .items
        .values()
        .filter(|i| i.nick == user.nick && i.approve_status == "onsale")
        .filter(|i| {
            q.as_deref()
                .is_none_or(|q| i.title.to_lowercase().contains(q))
        })
        .collect();
    let range = page(req, found.len(), 40, 200)?;
    found.sort_by(|a, b| cmp(a, b));
    let items = found[range]
        .iter()
        .map(|i| views::item(i, data.item_imgs(i.num_iid), &sel))
        .collect();
    Ok(vec![
        ("items".into(), Value::list("item", items)),
        ("total_results".into(), Value::int(found.len() as i64)),
    ])
}

/// `taobao.item.extra.get`: an item's extension information.
pub fn item_extra_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let sel = fields(req)?;
    let num_iid = id(req, "num_iid")?;
    if !data.items.contains_key(&num_iid) {
        return Err(item_not_exist());
    }
    let extra = data
        .extras
        .get(&num_iid)
        .ok_or_else(|| BusinessError::new("isv.item-extra-not-exist", "商品扩展信息不存在"))?;
    Ok(vec![("item_extra".into(), views::item_extra(extra, &sel))])
}

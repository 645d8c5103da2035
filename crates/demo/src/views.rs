//! Records as TOP objects: each function lists the object's fields in canonical order, and the
//! selection keeps the requested ones.

use topgate_protocol::Value;

use crate::model::{Credit, Item, ItemExtra, ItemImg, Order, Refund, Trade, User};
use crate::select::{money, Fields, Obj};

fn credit(c: &Credit, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("level", || Value::int(c.level))
        .put("score", || Value::int(c.score))
        .put("total_num", || Value::int(c.total_num))
        .put("good_num", || Value::int(c.good_num))
        .build()
}

pub fn user(u: &User, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("user_id", || Value::int(u.user_id))
        .put("nick", || Value::str(&u.nick))
        .put("sex", || Value::str(&u.sex))
        .put("type", || Value::str(&u.user_type))
        .put("has_shop", || Value::Bool(u.has_shop))
        .nested("location", |s| {
            Obj::new(s)
                .put("state", || Value::str(&u.state))
                .put("city", || Value::str(&u.city))
                .build()
        })
        .nested("seller_credit", |s| credit(&u.seller_credit, s))
        .nested("buyer_credit", |s| credit(&u.buyer_credit, s))
        .put("created", || Value::str(&u.created))
        .put("last_visit", || Value::str(&u.last_visit))
        .put("avatar", || {
            Value::str(format!(
                "https://img.demo.topgate.local/avatar/{}.jpg",
                u.user_id
            ))
        })
        .build()
}

pub fn item_img(img: &ItemImg, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("id", || Value::int(img.id))
        .put("url", || Value::str(&img.url))
        .put("position", || Value::int(img.position))
        .put("created", || Value::str(&img.created))
        .build()
}

pub fn item(i: &Item, imgs: &[ItemImg], sel: &Fields) -> Value {
    Obj::new(sel)
        .put("num_iid", || Value::int(i.num_iid))
        .put("iid", || Value::str(&i.iid))
        .put("title", || Value::str(&i.title))
        .put("nick", || Value::str(&i.nick))
        .put("type", || Value::str("fixed"))
        .put("cid", || Value::int(i.cid))
        .put("price", || money(i.price))
        .put("num", || Value::int(i.num))
        .put("sold_quantity", || Value::int(i.sold_quantity))
        .put("approve_status", || Value::str(&i.approve_status))
        .put("list_time", || Value::str(&i.list_time))
        .put("delist_time", || Value::str(&i.delist_time))
        .put("created", || Value::str(&i.created))
        .put("modified", || Value::str(&i.modified))
        .nested("location", |s| {
            Obj::new(s)
                .put("state", || Value::str(&i.state))
                .put("city", || Value::str(&i.city))
                .build()
        })
        .put("pic_url", || Value::str(&i.pic_url))
        .nested("item_imgs", |s| {
            Value::list("item_img", imgs.iter().map(|m| item_img(m, s)).collect())
        })
        .put("outer_id", || Value::str(&i.outer_id))
        .put("freight_payer", || Value::str(&i.freight_payer))
        .put("post_fee", || money(i.post_fee))
        .put("has_discount", || Value::Bool(i.has_discount))
        .put("has_invoice", || Value::Bool(i.has_invoice))
        .put("is_virtual", || Value::Bool(i.is_virtual))
        .put("desc", || Value::str(&i.desc))
        .put("detail_url", || {
            Value::str(format!(
                "https://item.demo.topgate.local/item.htm?id={}",
                i.num_iid
            ))
        })
        .build()
}

pub fn item_extra(e: &ItemExtra, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("num_iid", || Value::int(e.num_iid))
        .put("sub_title", || Value::str(&e.sub_title))
        .put("brand", || Value::str(&e.brand))
        .put("material", || Value::str(&e.material))
        .put("weight", || Value::str(&e.weight))
        .nested("features", |s| {
            let items = e
                .features
                .iter()
                .map(|(k, v)| {
                    Obj::new(s)
                        .put("attr_key", || Value::str(k))
                        .put("attr_value", || Value::str(v))
                        .build()
                })
                .collect();
            Value::list("feature", items)
        })
        .put("modified", || Value::str(&e.modified))
        .build()
}

fn order(o: &Order, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("oid", || Value::int(o.oid))
        .put("num_iid", || Value::int(o.num_iid))
        .put("title", || Value::str(&o.title))
        .put("price", || money(o.price))
        .put("num", || Value::int(o.num))
        .put("total_fee", || money(o.price * o.num))
        .put("payment", || money(o.price * o.num))
        .put("status", || Value::str(&o.status))
        .put("refund_status", || Value::str(&o.refund_status))
        .put("pic_path", || Value::str(&o.pic_path))
        .put("sku_properties_name", || Value::str(&o.sku_properties_name))
        .put("outer_iid", || Value::str(&o.outer_iid))
        .build()
}

pub fn trade(t: &Trade, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("tid", || Value::int(t.tid))
        .put("status", || Value::str(&t.status))
        .put("type", || Value::str("fixed"))
        .put("seller_nick", || Value::str(&t.seller_nick))
        .put("buyer_nick", || Value::str(&t.buyer_nick))
        .put("num", || Value::int(t.orders.iter().map(|o| o.num).sum()))
        .put("total_fee", || money(t.total_fee()))
        .put("post_fee", || money(t.post_fee))
        .put("discount_fee", || money(t.discount_fee))
        .put("payment", || money(t.payment()))
        .put("created", || Value::str(&t.created))
        .opt("pay_time", t.pay_time.as_deref())
        .opt("consign_time", t.consign_time.as_deref())
        .opt("end_time", t.end_time.as_deref())
        .put("modified", || Value::str(&t.modified))
        .put("receiver_name", || Value::str(&t.receiver_name))
        .put("receiver_state", || Value::str(&t.receiver_state))
        .put("receiver_city", || Value::str(&t.receiver_city))
        .put("receiver_district", || Value::str(&t.receiver_district))
        .put("receiver_address", || Value::str(&t.receiver_address))
        .put("receiver_mobile", || Value::str(&t.receiver_mobile))
        .put("buyer_message", || Value::str(&t.buyer_message))
        .nested("orders", |s| {
            Value::list("order", t.orders.iter().map(|o| order(o, s)).collect())
        })
        .build()
}

pub fn refund(r: &Refund, sel: &Fields) -> Value {
    Obj::new(sel)
        .put("refund_id", || Value::int(r.refund_id))
        .put("tid", || Value::int(r.tid))
        .put("oid", || Value::int(r.oid))
        .put("num_iid", || Value::int(r.num_iid))
        .put("title", || Value::str(&r.title))
        .put("num", || Value::int(r.num))
        .put("seller_nick", || Value::str(&r.seller_nick))
        .put("buyer_nick", || Value::str(&r.buyer_nick))
        .put("total_fee", || money(r.total_fee))
        .put("payment", || money(r.payment))
        .put("refund_fee", || money(r.refund_fee))
        .put("status", || Value::str(&r.status))
        .put("good_status", || Value::str(&r.good_status))
        .put("has_good_return", || Value::Bool(r.has_good_return))
        .put("reason", || Value::str(&r.reason))
        .put("desc", || Value::str(&r.desc))
        .put("created", || Value::str(&r.created))
        .put("modified", || Value::str(&r.modified))
        .build()
}

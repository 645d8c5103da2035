//! The deterministic demo data, generated in code: five users, sixty items, item extras, ten
//! trades and three refunds. No randomness: every open of an empty database seeds the same shop.
//!
//! Notable records:
//! - tbtest561 sells items 1-50 (1-47 on sale, 48-50 in stock); sandbox_b_2 sells 51-56,
//!   茶香小铺 sells 57-60. Five of tbtest561's items on sale are 连衣裙.
//! - Item extras exist for items 1-8, 51, 52 and 57; not for the others (e.g. 9).
//! - Trades 2001-2007 are sold by tbtest561; 2009 is bought by tbtest561; 2008 and 2010 do not
//!   involve tbtest561.
//! - Refunds 3001 (trade 2003) and 3002 (trade 2005) are on tbtest561's sales; 3003 (trade 2008)
//!   is not.

use md5::{Digest, Md5};
use topgate_protocol::time::{format_gmt8, parse_timestamp};

use crate::model::{Credit, Item, ItemExtra, ItemImg, Order, Refund, Trade, User};

mod shop;

pub use shop::{items, trades};

/// Image host of the demo shop.
pub const IMG_HOST: &str = "https://img.demo.topgate.local/bao/uploaded/i1";
/// Id of the seeded main image of item `n`: `SEED_IMG_BASE + n`.
pub const SEED_IMG_BASE: i64 = 100_000;

/// Everything the seed holds.
pub struct Seed {
    pub users: Vec<User>,
    pub items: Vec<Item>,
    pub extras: Vec<ItemExtra>,
    pub imgs: Vec<ItemImg>,
    pub trades: Vec<Trade>,
    pub refunds: Vec<Refund>,
}

pub fn seed() -> Seed {
    let items = items();
    let imgs = items
        .iter()
        .map(|i| ItemImg {
            id: SEED_IMG_BASE + i.num_iid,
            num_iid: i.num_iid,
            url: i.pic_url.clone(),
            position: 0,
            created: i.created.clone(),
        })
        .collect();
    let extras = extras(&items);
    let trades = trades(&items);
    let refunds = refunds(&trades);
    Seed {
        users: users(),
        items,
        extras,
        imgs,
        trades,
        refunds,
    }
}

/// `base` (GMT+8 text) plus `minutes`, as GMT+8 text.
pub(crate) fn at(base: &str, minutes: i64) -> String {
    let ms = parse_timestamp(base).expect("seed dates are well formed");
    format_gmt8(ms + minutes * 60_000)
}

/// The legacy 32-hex `iid` of an item.
pub(crate) fn legacy_iid(num_iid: i64) -> String {
    hex::encode(Md5::digest(format!("topgate-demo-item-{num_iid}")))
}

fn credit(level: i64, score: i64, total_num: i64) -> Credit {
    Credit {
        level,
        score,
        total_num,
        good_num: total_num * 99 / 100,
    }
}

fn user(id: i64, nick: &str, sex: &str, shop: bool, place: (&str, &str), created: &str) -> User {
    User {
        user_id: id,
        nick: nick.into(),
        sex: sex.into(),
        user_type: if shop { "B" } else { "C" }.into(),
        has_shop: shop,
        state: place.0.into(),
        city: place.1.into(),
        created: created.into(),
        last_visit: at("2025-05-20 20:00:00", id % 1000),
        seller_credit: if shop {
            credit(12, 8765 + id % 100, 9021)
        } else {
            credit(0, 0, 0)
        },
        buyer_credit: credit(5, 321 + id % 50, 330),
    }
}

fn users() -> Vec<User> {
    vec![
        user(
            2206561,
            "tbtest561",
            "f",
            true,
            ("浙江", "杭州"),
            "2012-06-18 10:23:45",
        ),
        user(
            2206001,
            "sandbox_c_1",
            "m",
            false,
            ("上海", "上海"),
            "2013-03-08 08:00:00",
        ),
        user(
            2206002,
            "sandbox_c_2",
            "f",
            false,
            ("北京", "北京"),
            "2014-11-11 00:11:00",
        ),
        user(
            2206102,
            "sandbox_b_2",
            "m",
            true,
            ("广东", "深圳"),
            "2011-09-01 14:30:00",
        ),
        user(
            2206103,
            "茶香小铺",
            "f",
            true,
            ("福建", "福州"),
            "2015-04-20 09:00:00",
        ),
    ]
}

fn extras(items: &[Item]) -> Vec<ItemExtra> {
    let clothing = |n: i64| ItemExtra {
        num_iid: n,
        sub_title: "包邮 7天无理由退换".into(),
        brand: "Demo衣橱".into(),
        material: "棉95% 氨纶5%".into(),
        weight: format!("0.{}", 30 + n),
        features: vec![
            ("适用季节".into(), "夏季".into()),
            ("尺码".into(), "S/M/L/XL".into()),
            ("风格".into(), "通勤".into()),
        ],
        modified: at("2025-03-02 09:00:00", n * 5),
    };
    let mut out: Vec<ItemExtra> = (1..=8).map(clothing).collect();
    out.push(ItemExtra {
        num_iid: 51,
        sub_title: "主动降噪 40小时续航".into(),
        brand: "声悦".into(),
        material: "ABS".into(),
        weight: "0.12".into(),
        features: vec![
            ("蓝牙版本".into(), "5.3".into()),
            ("保修".into(), "一年".into()),
        ],
        modified: "2025-02-20 11:00:00".into(),
    });
    out.push(ItemExtra {
        num_iid: 52,
        sub_title: "三口快充 小巧便携".into(),
        brand: "极充".into(),
        material: "PC阻燃".into(),
        weight: "0.15".into(),
        features: vec![("功率".into(), "65W".into())],
        modified: "2025-02-20 11:05:00".into(),
    });
    out.push(ItemExtra {
        num_iid: 57,
        sub_title: "产地直发 当季新茶".into(),
        brand: "西湖".into(),
        material: "龙井43".into(),
        weight: "0.25".into(),
        features: vec![
            ("产地".into(), "浙江杭州".into()),
            ("保质期".into(), "18个月".into()),
        ],
        modified: "2025-04-01 08:00:00".into(),
    });
    out.retain(|e| items.iter().any(|i| i.num_iid == e.num_iid));
    out
}

fn refunds(trades: &[Trade]) -> Vec<Refund> {
    let make = |refund_id: i64, oid: i64, status: &str, reason: &str, goods: &str| {
        let trade = trades
            .iter()
            .find(|t| t.orders.iter().any(|o| o.oid == oid))
            .expect("seed refunds name seeded orders");
        let order = trade.orders.iter().find(|o| o.oid == oid).expect("order");
        let created = at(&trade.created, 60 * 24 * 3);
        Refund {
            refund_id,
            tid: trade.tid,
            oid,
            num_iid: order.num_iid,
            title: order.title.clone(),
            num: order.num,
            seller_nick: trade.seller_nick.clone(),
            buyer_nick: trade.buyer_nick.clone(),
            total_fee: order.price * order.num,
            payment: order.price * order.num,
            refund_fee: order.price * order.num,
            status: status.into(),
            good_status: goods.into(),
            has_good_return: goods != "BUYER_NOT_RECEIVED",
            reason: reason.into(),
            desc: format!("{reason}，申请退款"),
            modified: at(&created, 90),
            created,
        }
    };
    vec![
        make(
            3001,
            20032,
            "WAIT_SELLER_AGREE",
            "尺码不合适",
            "BUYER_RECEIVED",
        ),
        make(3002, 20051, "SUCCESS", "不想要了", "BUYER_NOT_RECEIVED"),
        make(
            3003,
            20081,
            "CLOSED",
            "商品质量问题",
            "BUYER_RETURNED_GOODS",
        ),
    ]
}

/// The order line of one item in a trade.
pub(crate) fn order(oid: i64, item: &Item, num: i64, status: &str, refund: &str) -> Order {
    Order {
        oid,
        num_iid: item.num_iid,
        title: item.title.clone(),
        price: item.price,
        num,
        status: status.into(),
        refund_status: refund.into(),
        pic_path: item.pic_url.clone(),
        sku_properties_name: if item.nick == "tbtest561" {
            format!(
                "颜色分类:默认;尺码:{}",
                ["S", "M", "L", "XL"][(oid % 4) as usize]
            )
        } else {
            String::new()
        },
        outer_iid: item.outer_id.clone(),
    }
}

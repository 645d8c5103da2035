//! The seeded items and trades.

use super::{at, legacy_iid, order, IMG_HOST, SEED_IMG_BASE};
use crate::model::{Item, Trade};

/// tbtest561's clothes: (noun, category id, base price in cents).
const CLOTHES: [(&str, i64, i64); 10] = [
    ("连衣裙", 50010850, 19900),
    ("T恤", 50000671, 5990),
    ("衬衫", 162104, 8900),
    ("牛仔裤", 162205, 12900),
    ("半身裙", 1623, 9900),
    ("卫衣", 50008898, 13900),
    ("针织开衫", 50000697, 11900),
    ("风衣", 50008901, 29900),
    ("阔腿裤", 162201, 10900),
    ("羽绒服", 50008899, 49900),
];
const STYLES: [&str; 7] = [
    "2025夏季新款",
    "韩版修身",
    "纯棉宽松",
    "法式复古",
    "简约百搭",
    "气质通勤",
    "小清新",
];
const COLOURS: [&str; 5] = ["白色", "黑色", "雾霾蓝", "樱花粉", "米色"];

/// (state, city).
type Place = (&'static str, &'static str);

/// Other sellers' goods: (num_iid, seller, title, category id, price in cents, place).
const OTHERS: [(i64, &str, &str, i64, i64, Place); 10] = [
    (
        51,
        "sandbox_b_2",
        "主动降噪无线蓝牙耳机 入耳式",
        50005050,
        29900,
        ("广东", "深圳"),
    ),
    (
        52,
        "sandbox_b_2",
        "65W氮化镓快充充电器 三口",
        50003850,
        12900,
        ("广东", "深圳"),
    ),
    (
        53,
        "sandbox_b_2",
        "机械键盘 青轴 87键 有线",
        110210,
        19900,
        ("广东", "深圳"),
    ),
    (
        54,
        "sandbox_b_2",
        "2TB移动硬盘 USB3.2 高速",
        110511,
        45900,
        ("广东", "深圳"),
    ),
    (
        55,
        "sandbox_b_2",
        "智能手环 心率血氧监测 防水",
        50012167,
        17900,
        ("广东", "深圳"),
    ),
    (
        56,
        "sandbox_b_2",
        "Type-C数据线 1米 两条装",
        50003853,
        1990,
        ("广东", "深圳"),
    ),
    (
        57,
        "茶香小铺",
        "2025明前龙井茶叶 250g 礼盒装",
        50013061,
        36800,
        ("浙江", "杭州"),
    ),
    (
        58,
        "茶香小铺",
        "福鼎白茶 白牡丹 饼茶 350g",
        50013063,
        15800,
        ("福建", "福鼎"),
    ),
    (
        59,
        "茶香小铺",
        "武夷山大红袍 罐装 125g",
        50013064,
        9800,
        ("福建", "南平"),
    ),
    (
        60,
        "茶香小铺",
        "安溪铁观音 清香型 500g",
        50013062,
        12800,
        ("福建", "泉州"),
    ),
];

const LIST_BASE: &str = "2025-03-01 10:00:00";

fn item(
    num_iid: i64,
    nick: &str,
    title: String,
    cid: i64,
    price: i64,
    place: (&str, &str),
) -> Item {
    let i = num_iid - 1;
    let list_time = at(LIST_BASE, i * 180);
    let clothes = nick == "tbtest561";
    Item {
        num_iid,
        iid: legacy_iid(num_iid),
        title: title.clone(),
        nick: nick.into(),
        cid,
        price,
        num: 100 + (i * 37) % 200,
        sold_quantity: (i * 53) % 500,
        approve_status: if (48..=50).contains(&num_iid) {
            "instock"
        } else {
            "onsale"
        }
        .into(),
        delist_time: at(&list_time, 7 * 24 * 60),
        created: at(&list_time, -2 * 24 * 60),
        modified: at(&list_time, 30 + i),
        list_time,
        state: place.0.into(),
        city: place.1.into(),
        pic_url: format!("{IMG_HOST}/{}.jpg", SEED_IMG_BASE + num_iid),
        outer_id: format!("{}-{num_iid:04}", if clothes { "TB561" } else { "SKU" }),
        freight_payer: if price >= 9900 { "seller" } else { "buyer" }.into(),
        post_fee: if price >= 9900 { 0 } else { 1000 },
        has_discount: num_iid % 3 == 0,
        has_invoice: !clothes,
        is_virtual: false,
        desc: format!("<p>{title}</p><p>实物拍摄，品质保证。</p>"),
    }
}

/// Items 1-60: tbtest561's clothes (1-50), then the other sellers' goods.
pub fn items() -> Vec<Item> {
    let mut out: Vec<Item> = (0..50usize)
        .map(|i| {
            let (noun, cid, base) = CLOTHES[i % 10];
            let title = format!("{}{}{noun}", STYLES[i % 7], COLOURS[i / 10]);
            let price = base + (i as i64 / 10) * 1000;
            item(
                i as i64 + 1,
                "tbtest561",
                title,
                cid,
                price,
                ("浙江", "杭州"),
            )
        })
        .collect();
    out.extend(OTHERS.iter().map(|&(n, nick, title, cid, price, place)| {
        item(n, nick, title.into(), cid, price, place)
    }));
    out
}

struct Buyer {
    nick: &'static str,
    name: &'static str,
    place: [&'static str; 4],
    mobile: &'static str,
}

const BUYERS: [Buyer; 3] = [
    Buyer {
        nick: "sandbox_c_1",
        name: "张三",
        place: ["上海", "上海市", "浦东新区", "张江路100号2号楼501室"],
        mobile: "138****0001",
    },
    Buyer {
        nick: "sandbox_c_2",
        name: "李四",
        place: ["北京", "北京市", "海淀区", "中关村大街27号1203室"],
        mobile: "139****0002",
    },
    Buyer {
        nick: "tbtest561",
        name: "王小二",
        place: ["浙江", "杭州市", "西湖区", "文三路90号"],
        mobile: "137****0561",
    },
];

type TradeRow = (
    i64,
    &'static str,
    usize,
    &'static str,
    &'static [(i64, i64)],
);

/// Trades 2001-2010: (tid, seller, index in `BUYERS`, status, [(num_iid, quantity)]).
const TRADES: [TradeRow; 10] = [
    (
        2001,
        "tbtest561",
        0,
        "WAIT_SELLER_SEND_GOODS",
        &[(1, 1), (2, 2)],
    ),
    (2002, "tbtest561", 1, "TRADE_FINISHED", &[(3, 1)]),
    (
        2003,
        "tbtest561",
        0,
        "WAIT_BUYER_CONFIRM_GOODS",
        &[(11, 1), (21, 1)],
    ),
    (2004, "tbtest561", 1, "WAIT_BUYER_PAY", &[(5, 3)]),
    (2005, "tbtest561", 0, "TRADE_CLOSED", &[(6, 1)]),
    (
        2006,
        "tbtest561",
        1,
        "TRADE_FINISHED",
        &[(10, 1), (20, 1), (30, 1)],
    ),
    (2007, "tbtest561", 0, "WAIT_SELLER_SEND_GOODS", &[(7, 2)]),
    (2008, "sandbox_b_2", 0, "TRADE_FINISHED", &[(51, 1)]),
    (2009, "茶香小铺", 2, "WAIT_SELLER_SEND_GOODS", &[(57, 2)]),
    (2010, "sandbox_b_2", 1, "TRADE_CLOSED_BY_TAOBAO", &[(53, 1)]),
];

/// The refund state of the seeded orders that have a refund (see `refunds`).
fn refund_status(oid: i64) -> &'static str {
    match oid {
        20032 => "WAIT_SELLER_AGREE",
        20051 => "SUCCESS",
        20081 => "CLOSED",
        _ => "NO_REFUND",
    }
}

pub fn trades(items: &[Item]) -> Vec<Trade> {
    TRADES
        .iter()
        .map(|&(tid, seller, buyer, status, lines)| {
            let k = tid - 2000;
            let created = at("2025-05-01 09:15:00", (k - 1) * 24 * 60 + k * 7);
            let paid = status != "WAIT_BUYER_PAY" && status != "TRADE_CLOSED_BY_TAOBAO";
            let consigned = matches!(status, "WAIT_BUYER_CONFIRM_GOODS" | "TRADE_FINISHED");
            let ended = matches!(
                status,
                "TRADE_FINISHED" | "TRADE_CLOSED" | "TRADE_CLOSED_BY_TAOBAO"
            );
            let orders: Vec<_> = lines
                .iter()
                .enumerate()
                .map(|(n, &(num_iid, num))| {
                    let item = items
                        .iter()
                        .find(|i| i.num_iid == num_iid)
                        .expect("seed trades name seeded items");
                    let oid = tid * 10 + n as i64 + 1;
                    order(oid, item, num, status, refund_status(oid))
                })
                .collect();
            let b = &BUYERS[buyer];
            let post_fee = if orders.iter().any(|o| o.price < 9900) {
                1000
            } else {
                0
            };
            let pay_time = paid.then(|| at(&created, 3));
            let consign_time = consigned.then(|| at(&created, 26 * 60));
            let end_time = ended.then(|| at(&created, 10 * 24 * 60));
            let last = [&end_time, &consign_time, &pay_time]
                .into_iter()
                .find_map(Option::as_deref)
                .unwrap_or(&created);
            Trade {
                tid,
                status: status.into(),
                seller_nick: seller.into(),
                buyer_nick: b.nick.into(),
                modified: at(last, 5),
                pay_time,
                consign_time,
                end_time,
                created,
                post_fee,
                discount_fee: if k % 3 == 0 { 500 } else { 0 },
                receiver_name: b.name.into(),
                receiver_state: b.place[0].into(),
                receiver_city: b.place[1].into(),
                receiver_district: b.place[2].into(),
                receiver_address: b.place[3].into(),
                receiver_mobile: b.mobile.into(),
                buyer_message: if k % 2 == 1 {
                    "请尽快发货，谢谢"
                } else {
                    ""
                }
                .into(),
                orders,
            }
        })
        .collect()
}

//! The records of the demo shop, as stored (JSON in SQLite) and held in memory.
//!
//! Money is kept in cents and rendered as `"19.90"`; dates are kept as the protocol writes them,
//! `yyyy-MM-dd HH:mm:ss` in GMT+8.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub level: i64,
    pub score: i64,
    pub total_num: i64,
    pub good_num: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub user_id: i64,
    pub nick: String,
    /// `m` or `f`.
    pub sex: String,
    /// `B` (a shop) or `C` (a buyer).
    pub user_type: String,
    pub has_shop: bool,
    pub state: String,
    pub city: String,
    pub created: String,
    pub last_visit: String,
    pub seller_credit: Credit,
    pub buyer_credit: Credit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub num_iid: i64,
    /// The legacy string id (32 hex digits).
    pub iid: String,
    pub title: String,
    /// The seller's nick.
    pub nick: String,
    pub cid: i64,
    pub price: i64,
    pub num: i64,
    pub sold_quantity: i64,
    /// `onsale` or `instock`.
    pub approve_status: String,
    pub list_time: String,
    pub delist_time: String,
    pub created: String,
    pub modified: String,
    pub state: String,
    pub city: String,
    pub pic_url: String,
    pub outer_id: String,
    /// `seller` or `buyer`.
    pub freight_payer: String,
    pub post_fee: i64,
    pub has_discount: bool,
    pub has_invoice: bool,
    pub is_virtual: bool,
    pub desc: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemImg {
    pub id: i64,
    pub num_iid: i64,
    pub url: String,
    pub position: i64,
    pub created: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemExtra {
    pub num_iid: i64,
    pub sub_title: String,
    pub brand: String,
    pub material: String,
    /// Kilograms, as text: `"0.35"`.
    pub weight: String,
    /// (attr_key, attr_value) pairs.
    pub features: Vec<(String, String)>,
    pub modified: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub oid: i64,
    pub num_iid: i64,
    pub title: String,
    pub price: i64,
    pub num: i64,
    pub status: String,
    pub refund_status: String,
    pub pic_path: String,
    pub sku_properties_name: String,
    pub outer_iid: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub tid: i64,
    pub status: String,
    pub seller_nick: String,
    pub buyer_nick: String,
    pub created: String,
    pub pay_time: Option<String>,
    pub consign_time: Option<String>,
    pub end_time: Option<String>,
    pub modified: String,
    pub post_fee: i64,
    pub discount_fee: i64,
    pub receiver_name: String,
    pub receiver_state: String,
    pub receiver_city: String,
    pub receiver_district: String,
    pub receiver_address: String,
    pub receiver_mobile: String,
    pub buyer_message: String,
    pub orders: Vec<Order>,
}

impl Trade {
    /// The goods' total: the sum of price × quantity over the orders.
    pub fn total_fee(&self) -> i64 {
        self.orders.iter().map(|o| o.price * o.num).sum()
    }

    /// What the buyer pays: goods + postage - discount.
    pub fn payment(&self) -> i64 {
        self.total_fee() + self.post_fee - self.discount_fee
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub refund_id: i64,
    pub tid: i64,
    pub oid: i64,
    pub num_iid: i64,
    pub title: String,
    pub num: i64,
    pub seller_nick: String,
    pub buyer_nick: String,
    pub total_fee: i64,
    pub payment: i64,
    pub refund_fee: i64,
    pub status: String,
    pub good_status: String,
    pub has_good_return: bool,
    pub reason: String,
    pub desc: String,
    pub created: String,
    pub modified: String,
}

/// Everything the service knows, indexed for the reads it serves.
#[derive(Debug, Default)]
pub struct Data {
    pub users: HashMap<String, User>,
    pub items: BTreeMap<i64, Item>,
    /// Legacy `iid` → `num_iid`.
    pub iids: HashMap<String, i64>,
    pub extras: HashMap<i64, ItemExtra>,
    /// Images per item, sorted by (position, id).
    pub imgs: HashMap<i64, Vec<ItemImg>>,
    pub trades: BTreeMap<i64, Trade>,
    pub refunds: BTreeMap<i64, Refund>,
}

impl Data {
    pub fn new(
        users: Vec<User>,
        items: Vec<Item>,
        extras: Vec<ItemExtra>,
        imgs: Vec<ItemImg>,
        trades: Vec<Trade>,
        refunds: Vec<Refund>,
    ) -> Data {
        let mut data = Data {
            users: users.into_iter().map(|u| (u.nick.clone(), u)).collect(),
            iids: items.iter().map(|i| (i.iid.clone(), i.num_iid)).collect(),
            items: items.into_iter().map(|i| (i.num_iid, i)).collect(),
            extras: extras.into_iter().map(|e| (e.num_iid, e)).collect(),
            imgs: HashMap::new(),
            trades: trades.into_iter().map(|t| (t.tid, t)).collect(),
            refunds: refunds.into_iter().map(|r| (r.refund_id, r)).collect(),
        };
        for img in imgs {
            data.add_img(img);
        }
        data
    }

    /// Adds an image record, keeping the item's list sorted by (position, id).
    pub fn add_img(&mut self, img: ItemImg) {
        let list = self.imgs.entry(img.num_iid).or_default();
        let at = list.partition_point(|i| (i.position, i.id) < (img.position, img.id));
        list.insert(at, img);
    }

    pub fn item_imgs(&self, num_iid: i64) -> &[ItemImg] {
        self.imgs.get(&num_iid).map(Vec::as_slice).unwrap_or(&[])
    }
}

//! The trade line (`taobao.trade.get`, `taobao.trades.sold.get`) and the refund line
//! (`taobao.refund.get`).

use topgate_protocol::backend::{BackendRequest, BackendResult, BusinessError};
use topgate_protocol::time::parse_timestamp;
use topgate_protocol::Value;

use crate::args::{fields, id, invalid, no_permission, page, session_user, text, Res};
use crate::model::{Data, Trade};
use crate::views;

/// The trade states `status` may name, with TOP's two groups.
pub const STATUSES: &[&str] = &[
    "TRADE_NO_CREATE_PAY",
    "WAIT_BUYER_PAY",
    "SELLER_CONSIGNED_PART",
    "WAIT_SELLER_SEND_GOODS",
    "WAIT_BUYER_CONFIRM_GOODS",
    "TRADE_BUYER_SIGNED",
    "TRADE_FINISHED",
    "TRADE_CLOSED",
    "TRADE_CLOSED_BY_TAOBAO",
    "PAY_PENDING",
    "WAIT_PRE_AUTH_CONFIRM",
    "ALL_WAIT_PAY",
    "ALL_CLOSED",
];

fn status_matches(wanted: &str, status: &str) -> bool {
    match wanted {
        "ALL_WAIT_PAY" => matches!(
            status,
            "WAIT_BUYER_PAY" | "TRADE_NO_CREATE_PAY" | "PAY_PENDING"
        ),
        "ALL_CLOSED" => matches!(status, "TRADE_CLOSED" | "TRADE_CLOSED_BY_TAOBAO"),
        _ => wanted == status,
    }
}

/// `taobao.trade.get`: one trade of which the session user is the seller or the buyer.
pub fn trade_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let user = session_user(req)?;
    let sel = fields(req)?;
    let tid = id(req, "tid")?;
    let trade = data
        .trades
        .get(&tid)
        .ok_or_else(|| BusinessError::new("isv.trade-not-exist", "交易记录不存在"))?;
    if trade.seller_nick != user.nick && trade.buyer_nick != user.nick {
        return Err(no_permission("无权查看该交易"));
    }
    Ok(vec![("trade".into(), views::trade(trade, &sel))])
}

/// `start_created`/`end_created`: both or neither, as epoch milliseconds.
fn created_range(req: &BackendRequest) -> Res<Option<(i64, i64)>> {
    let parse = |name: &str, v: &str| {
        parse_timestamp(v)
            .map_err(|_| invalid(format!("{name}格式不正确，应为yyyy-MM-dd HH:mm:ss")))
    };
    match (text(req, "start_created"), text(req, "end_created")) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) => {
            let (start, end) = (parse("start_created", start)?, parse("end_created", end)?);
            if start > end {
                return Err(invalid("start_created不能晚于end_created"));
            }
            Ok(Some((start, end)))
        }
        _ => Err(BusinessError::new(
            "isv.parameters-mismatch",
            "start_created和end_created必须同时传入",
        )),
    }
}

/// `taobao.trades.sold.get`: the session user's sales, newest first, paged.
pub fn trades_sold_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let user = session_user(req)?;
    let sel = fields(req)?;
    let status = text(req, "status");
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(invalid("status参数不合法"));
    }
    let range = created_range(req)?;
    let mut found: Vec<&Trade> = data
        .trades
        .values()
        .filter(|t| t.seller_nick == user.nick)
        .filter(|t| status.is_none_or(|s| status_matches(s, &t.status)))
        .filter(|t| {
            range.is_none_or(|(start, end)| {
                parse_timestamp(&t.created).is_ok_and(|c| (start..=end).contains(&c))
            })
        })
        .collect();
    let window = page(req, found.len(), 40, 100)?;
    found.sort_by(|a, b| b.created.cmp(&a.created).then(b.tid.cmp(&a.tid)));
    let trades = found[window]
        .iter()
        .map(|t| views::trade(t, &sel))
        .collect();
    Ok(vec![
        ("trades".into(), Value::list("trade", trades)),
        ("total_results".into(), Value::int(found.len() as i64)),
    ])
}

/// `taobao.refund.get`: one refund of which the session user is the seller or the buyer.
pub fn refund_get(data: &Data, req: &BackendRequest) -> BackendResult {
    let user = session_user(req)?;
    let sel = fields(req)?;
    let refund_id = id(req, "refund_id")?;
    let refund = data
        .refunds
        .get(&refund_id)
        .ok_or_else(|| BusinessError::new("isv.refund-not-exist", "退款记录不存在"))?;
    if refund.seller_nick != user.nick && refund.buyer_nick != user.nick {
        return Err(no_permission("无权查看该退款"));
    }
    Ok(vec![("refund".into(), views::refund(refund, &sel))])
}

//! The trade and refund lines: success shapes, `fields` selection, and their business errors.

mod common;

use common::*;
use topgate_protocol::Value;

#[test]
fn trade_get() {
    let s = svc();
    let fields = "tid,status,seller_nick,buyer_nick,payment,created,pay_time,orders";
    let v = ok(
        &s,
        &as_561("taobao.trade.get", &[("fields", fields), ("tid", "2001")]),
    );
    let t = get(&v, "trade");
    assert_eq!(text(t, "status"), "WAIT_SELLER_SEND_GOODS");
    assert_eq!(text(t, "seller_nick"), "tbtest561");
    assert_eq!(text(t, "buyer_nick"), "sandbox_c_1");
    // 199.00 + 2 × 59.90 + 10.00 postage (the T恤 is under 99.00).
    assert_eq!(get(t, "payment"), &Value::str("328.80"));
    let orders = items(get(t, "orders"), "order");
    assert_eq!(orders.len(), 2);
    assert_eq!(text(&orders[0], "num_iid"), "1");
    assert_eq!(text(&orders[0], "refund_status"), "NO_REFUND");

    let unpaid = ok(
        &s,
        &as_561("taobao.trade.get", &[("fields", fields), ("tid", "2004")]),
    );
    assert!(get(&unpaid, "trade").get("pay_time").is_none());
    let sub = ok(
        &s,
        &as_561(
            "taobao.trade.get",
            &[("fields", "tid,orders.oid"), ("tid", "2001")],
        ),
    );
    let orders = items(get(&sub, "trade.orders"), "order");
    assert_eq!(keys(&orders[0]), ["oid"]);
    // tbtest561 bought 2009: a buyer may see the trade too.
    let bought = ok(
        &s,
        &as_561(
            "taobao.trade.get",
            &[("fields", "seller_nick"), ("tid", "2009")],
        ),
    );
    assert_eq!(text(&bought, "trade.seller_nick"), "茶香小铺");

    let r = as_561("taobao.trade.get", &[("fields", "tid"), ("tid", "9999")]);
    assert_err(&s, &r, "isv.trade-not-exist", "交易记录不存在");
    let r = as_561("taobao.trade.get", &[("fields", "tid"), ("tid", "2008")]);
    assert_err(&s, &r, "isv.invalid-permission", "无权查看该交易");
}

#[test]
fn trades_sold_get() {
    let s = svc();
    let sold = |extra: &[(&str, &str)]| {
        let mut p = vec![("fields", "tid,status,created,orders")];
        p.extend_from_slice(extra);
        s.call(&as_561("taobao.trades.sold.get", &p))
            .map(Value::Object)
    };
    let all = sold(&[]).unwrap();
    assert_eq!(get(&all, "total_results"), &Value::int(7));
    let tids: Vec<String> = items(get(&all, "trades"), "trade")
        .iter()
        .map(|t| text(t, "tid"))
        .collect();
    assert_eq!(
        tids,
        ["2007", "2006", "2005", "2004", "2003", "2002", "2001"]
    );

    let waiting = sold(&[("status", "WAIT_SELLER_SEND_GOODS")]).unwrap();
    assert_eq!(get(&waiting, "total_results"), &Value::int(2));
    let closed = sold(&[("status", "ALL_CLOSED")]).unwrap();
    assert_eq!(get(&closed, "total_results"), &Value::int(1));
    let range = [
        ("start_created", "2025-05-02 00:00:00"),
        ("end_created", "2025-05-04 23:59:59"),
    ];
    let ranged = sold(&range).unwrap();
    assert_eq!(get(&ranged, "total_results"), &Value::int(3));
    let paged = sold(&[("page_no", "2"), ("page_size", "5")]).unwrap();
    assert_eq!(items(get(&paged, "trades"), "trade").len(), 2);
    assert_eq!(get(&paged, "total_results"), &Value::int(7));

    let e = sold(&[("start_created", "2025-05-02 00:00:00")]).unwrap_err();
    assert_eq!(
        (e.sub_code.as_str(), e.sub_msg.as_str()),
        (
            "isv.parameters-mismatch",
            "start_created和end_created必须同时传入"
        )
    );
    assert_eq!(
        sold(&[("status", "SHIPPED")]).unwrap_err().sub_code,
        "isv.invalid-parameter"
    );
}

#[test]
fn refund_get() {
    let s = svc();
    let v = ok(
        &s,
        &as_561(
            "taobao.refund.get",
            &[
                ("fields", "refund_id,tid,status,refund_fee"),
                ("refund_id", "3001"),
            ],
        ),
    );
    let r = get(&v, "refund");
    assert_eq!(keys(r), ["refund_id", "tid", "refund_fee", "status"]);
    assert_eq!(text(r, "tid"), "2003");
    assert_eq!(text(r, "status"), "WAIT_SELLER_AGREE");
    // The buyer of refund 3003 may see it; tbtest561 may not.
    let buyer = req(
        "taobao.refund.get",
        &[("fields", "status"), ("refund_id", "3003")],
        Some("sandbox_c_1"),
    );
    assert_eq!(text(&ok(&s, &buyer), "refund.status"), "CLOSED");
    let r = as_561(
        "taobao.refund.get",
        &[("fields", "status"), ("refund_id", "3003")],
    );
    assert_err(&s, &r, "isv.invalid-permission", "无权查看该退款");
    let r = as_561(
        "taobao.refund.get",
        &[("fields", "status"), ("refund_id", "9")],
    );
    assert_err(&s, &r, "isv.refund-not-exist", "退款记录不存在");
}

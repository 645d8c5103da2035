//! Legacy v1 codes and the v2 to v1 mapping.

use topgate_protocol::errors::*;

use super::check_text;

#[test]
fn legacy_table() {
    let expected: &[(u32, &str)] = &[
        (505, "Missing parameters"),
        (506, "Parameters error"),
        (507, "Parameters format error"),
        (508, "No permission get information"),
        (550, "User service unavailable"),
        (551, "Item service unavailable"),
        (552, "Item image service unavailable"),
        (554, "Item delete failure"),
        (560, "Trade service unavailable"),
        (562, "Trade not exists"),
        (563, "Trade is invalid"),
        (570, "Shipping service unavailable"),
        (580, "Rate service unavailable"),
        (590, "Shop service unavailable"),
        (601, "User not exists"),
        (610, "Product service unavailable"),
        (620, "Postage service unavailable"),
        (650, "Refund service unavailable"),
        (651, "Refund id invalid"),
        (653, "Refund not exists"),
        (654, "No permission to get refund"),
        (660, "Item extra service unavailable"),
        (661, "Item extra not exists"),
        (900, "Remote connection error"),
        (901, "Remote service timeout"),
        (902, "Remote service error"),
    ];
    let table: Vec<(u32, &str)> = LEGACY.iter().map(|c| (c.code, c.wire_msg)).collect();
    assert_eq!(table, expected);
    for c in LEGACY {
        let what = format!("legacy {}", c.code);
        check_text(&what, c.meaning);
        check_text(&what, c.remedy);
        assert_eq!(legacy(i64::from(c.code)), Some(c));
    }
    assert_eq!(legacy(500), None);
    assert_eq!(legacy(-1), None);
    let item = legacy(551).unwrap();
    assert_eq!(
        legacy_msg(item, "获取单个商品失败"),
        "Item service unavailable:获取单个商品失败"
    );
    assert_eq!(legacy_msg(item, ""), "Item service unavailable");
}

#[test]
fn legacy_mapping() {
    use ProductLine::*;
    let cases: &[(ProductLine, &str, u32)] = &[
        (Item, "isv.missing-parameter", 505),
        (Item, "missing-parameter", 505),
        (Trade, "isv.invalid-parameter:trade_id:P07", 506),
        (Item, "isv.parameters-mismatch", 507),
        (Item, "isv.invalid-permission", 508),
        (Refund, "isv.invalid-permission", 654),
        (Refund, "Invalid-permission", 654),
        (User, "isv.user-not-exist", 601),
        (Trade, "isv.trade-not-exist", 562),
        (Refund, "isv.refund-not-exist", 653),
        (ItemExtension, "isv.item-extra-not-exist", 661),
        (Item, "isp.remote-connection-error", 900),
        (Item, "isp.remote-service-timeout", 901),
        (Item, "isp.remote-service-error", 902),
        (User, "isp.user-service-unavailable", 550),
        (Item, "isp.item-service-unavailable", 551),
        (Item, "isv.MOBILE_NUMBER_ILLEGAL", 551),
        (Trade, "whatever", 560),
        (Logistics, "isp.logistics-service-unavailable", 570),
        (Rate, "", 580),
        (Shop, "isv.unknown", 590),
        (Product, "isv.unknown", 610),
        (PostageTemplate, "isv.unknown", 620),
        (Refund, "isp.refund-service-unavailable", 650),
        (ItemExtension, "isv.unknown", 660),
        (Category, "isp.category-service-unavailable", 902),
        (Taobaoke, "isv.unknown", 902),
        (Misc, "accesscontrol.limited-by-app-access-count", 902),
    ];
    for &(line, sub_code, code) in cases {
        assert_eq!(
            legacy_for(line, sub_code).code,
            code,
            "{line:?} {sub_code:?}"
        );
    }
    // Every line and every sub code maps onto a code of the table.
    for &line in ProductLine::ALL {
        for c in SubCode::all() {
            let v1 = legacy_for(line, &c.as_string());
            assert_eq!(legacy(i64::from(v1.code)), Some(v1));
        }
    }
}

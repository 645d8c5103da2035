//! The demo backend's APIs: success shapes, `fields` selection, and every business error with
//! its exact sub code and message.

mod common;

use common::*;
use topgate_protocol::time::parse_timestamp;
use topgate_protocol::Value;

#[test]
fn time_get_is_now_in_gmt8() {
    let v = ok(&svc(), &req("taobao.time.get", &[], None));
    let t = parse_timestamp(&text(&v, "time")).expect("yyyy-MM-dd HH:mm:ss");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!((t - now).abs() < 60_000, "{t} vs {now}");
    assert_eq!(keys(&v), ["time"]);
}

#[test]
fn user_get_session_user_and_nick() {
    let s = svc();
    let v = ok(
        &s,
        &as_561(
            "taobao.user.get",
            &[("fields", "nick,user_id,seller_credit,location.city")],
        ),
    );
    let user = get(&v, "user");
    assert_eq!(keys(user), ["user_id", "nick", "location", "seller_credit"]);
    assert_eq!(text(user, "nick"), "tbtest561");
    assert_eq!(get(user, "user_id"), &Value::int(2206561));
    assert_eq!(keys(get(user, "location")), ["city"]);
    assert_eq!(text(user, "location.city"), "杭州");
    assert_eq!(text(user, "seller_credit.level"), "12");

    let v = ok(
        &s,
        &as_561(
            "taobao.user.get",
            &[("fields", "nick,type"), ("nick", "sandbox_c_1")],
        ),
    );
    assert_eq!(text(&v, "user.nick"), "sandbox_c_1");
    assert_eq!(text(&v, "user.type"), "C");
    let v = ok(
        &s,
        &req(
            "taobao.user.get",
            &[("fields", "nick"), ("nick", "茶香小铺")],
            None,
        ),
    );
    assert_eq!(text(&v, "user.nick"), "茶香小铺");

    let unknown = req(
        "taobao.user.get",
        &[("fields", "nick"), ("nick", "nobody")],
        None,
    );
    assert_err(&s, &unknown, "isv.user-not-exist", "用户不存在");
    let e = err(&s, &req("taobao.user.get", &[("fields", "nick")], None));
    assert_eq!(e.sub_code, "isv.missing-parameter");
}

#[test]
fn users_get_lists_users_and_names_the_unknown() {
    let s = svc();
    let r = req(
        "taobao.users.get",
        &[("fields", "nick"), ("nicks", "sandbox_c_1, tbtest561")],
        None,
    );
    let v = ok(&s, &r);
    let users = items(get(&v, "users"), "user");
    let nicks: Vec<String> = users.iter().map(|u| text(u, "nick")).collect();
    assert_eq!(nicks, ["sandbox_c_1", "tbtest561"]);
    assert_eq!(keys(&users[0]), ["nick"]);
    let r = req(
        "taobao.users.get",
        &[("fields", "nick"), ("nicks", "tbtest561,ghost")],
        None,
    );
    assert_err(&s, &r, "isv.user-not-exist", "用户不存在:ghost");
}

#[test]
fn item_get_by_num_iid_and_iid() {
    let s = svc();
    let all =
        "num_iid,iid,title,nick,price,num,approve_status,list_time,location,item_imgs,post_fee";
    let v = ok(
        &s,
        &req(
            "taobao.item.get",
            &[("fields", all), ("num_iid", "1")],
            None,
        ),
    );
    let item = get(&v, "item");
    assert_eq!(get(item, "num_iid"), &Value::int(1));
    assert_eq!(text(item, "nick"), "tbtest561");
    assert_eq!(text(item, "title"), "2025夏季新款白色连衣裙");
    assert_eq!(get(item, "price"), &Value::str("199.00"));
    assert_eq!(text(item, "approve_status"), "onsale");
    assert_eq!(text(item, "list_time"), "2025-03-01 10:00:00");
    assert_eq!(text(item, "location.state"), "浙江");
    let imgs = items(get(item, "item_imgs"), "item_img");
    assert_eq!(text(&imgs[0], "position"), "0");
    let iid = text(item, "iid");
    assert_eq!(iid.len(), 32);

    // The legacy iid, and a numeric iid, find the same item.
    for id in [iid.as_str(), "1"] {
        let v = ok(
            &s,
            &req(
                "taobao.item.get",
                &[("fields", "num_iid"), ("iid", id)],
                None,
            ),
        );
        assert_eq!(get(&v, "item.num_iid"), &Value::int(1));
    }
}

#[test]
fn fields_select_in_canonical_order() {
    let s = svc();
    let r = req(
        "taobao.item.get",
        &[
            ("fields", "price, bogus,title,num_iid,nick"),
            ("num_iid", "2"),
        ],
        None,
    );
    assert_eq!(
        keys(get(&ok(&s, &r), "item")),
        ["num_iid", "title", "nick", "price"]
    );
    let r = req(
        "taobao.item.get",
        &[("fields", "bogus"), ("num_iid", "2")],
        None,
    );
    assert!(keys(get(&ok(&s, &r), "item")).is_empty());
}

#[test]
fn item_get_errors() {
    let s = svc();
    let neither = req("taobao.item.get", &[("fields", "title")], None);
    assert_err(
        &s,
        &neither,
        "isv.missing-parameter",
        "iid和num_iid至少要传入一个",
    );
    for (k, v) in [("num_iid", "999"), ("iid", "nope"), ("iid", "12345")] {
        let r = req("taobao.item.get", &[("fields", "title"), (k, v)], None);
        assert_err(&s, &r, "isv.item-not-exist", "商品不存在");
    }
}

#[test]
fn items_list_get() {
    let s = svc();
    let r = req(
        "taobao.items.list.get",
        &[("fields", "num_iid,nick"), ("num_iids", "51,1,999,1")],
        None,
    );
    let v = ok(&s, &r);
    let list = items(get(&v, "items"), "item");
    let ids: Vec<String> = list.iter().map(|i| text(i, "num_iid")).collect();
    assert_eq!(ids, ["51", "1"]);
    assert_eq!(text(&list[0], "nick"), "sandbox_b_2");

    let forty_one = (1..=41)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let r = req(
        "taobao.items.list.get",
        &[("fields", "num_iid"), ("num_iids", &forty_one)],
        None,
    );
    assert_err(&s, &r, "isv.invalid-parameter", "用户传入的iid不能超过40个");
    let forty = (1..=40)
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let r = req(
        "taobao.items.list.get",
        &[("fields", "num_iid"), ("num_iids", &forty)],
        None,
    );
    assert_eq!(items(get(&ok(&s, &r), "items"), "item").len(), 40);
}

#[test]
fn items_onsale_get_pages_and_filters() {
    let s = svc();
    let page = |extra: &[(&str, &str)]| {
        let mut p = vec![("fields", "num_iid,title,num")];
        p.extend_from_slice(extra);
        ok(&s, &as_561("taobao.items.onsale.get", &p))
    };
    let first = page(&[]);
    assert_eq!(get(&first, "total_results"), &Value::int(47));
    assert_eq!(keys(&first), ["items", "total_results"]);
    let list = items(get(&first, "items"), "item");
    assert_eq!(list.len(), 40);
    assert_eq!(text(&list[0], "num_iid"), "47", "newest listed first");
    let second = page(&[("page_no", "2")]);
    assert_eq!(items(get(&second, "items"), "item").len(), 7);
    assert_eq!(
        items(get(&page(&[("page_no", "3")]), "items"), "item").len(),
        0
    );
    assert_eq!(
        items(get(&page(&[("page_size", "200")]), "items"), "item").len(),
        47
    );

    let dresses = page(&[("q", "连衣裙")]);
    assert_eq!(get(&dresses, "total_results"), &Value::int(5));
    for item in items(get(&dresses, "items"), "item") {
        assert!(text(item, "title").contains("连衣裙"));
    }
    let by_num = page(&[("order_by", "num:asc"), ("page_size", "47")]);
    let nums: Vec<i64> = items(get(&by_num, "items"), "item")
        .iter()
        .map(|i| text(i, "num").parse().unwrap())
        .collect();
    assert!(nums.windows(2).all(|w| w[0] <= w[1]));

    let other = ok(
        &s,
        &req(
            "taobao.items.onsale.get",
            &[("fields", "nick")],
            Some("sandbox_b_2"),
        ),
    );
    assert_eq!(get(&other, "total_results"), &Value::int(6));
    let bad = as_561(
        "taobao.items.onsale.get",
        &[("fields", "title"), ("order_by", "price:up")],
    );
    assert_eq!(err(&s, &bad).sub_code, "isv.invalid-parameter");
}

#[test]
fn item_extra_get() {
    let s = svc();
    let r = req(
        "taobao.item.extra.get",
        &[("fields", "num_iid,brand,features"), ("num_iid", "1")],
        None,
    );
    let v = ok(&s, &r);
    let extra = get(&v, "item_extra");
    assert_eq!(keys(extra), ["num_iid", "brand", "features"]);
    assert_eq!(text(extra, "brand"), "Demo衣橱");
    assert_eq!(items(get(extra, "features"), "feature").len(), 3);
    let r = req(
        "taobao.item.extra.get",
        &[("fields", "brand"), ("num_iid", "9")],
        None,
    );
    assert_err(&s, &r, "isv.item-extra-not-exist", "商品扩展信息不存在");
    let r = req(
        "taobao.item.extra.get",
        &[("fields", "brand"), ("num_iid", "999")],
        None,
    );
    assert_err(&s, &r, "isv.item-not-exist", "商品不存在");
}

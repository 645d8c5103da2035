//! No input makes the service panic; the catalog names exactly the service's methods; the
//! seed is deterministic and matches the fixtures.

mod common;

use std::collections::BTreeSet;

use common::*;
use topgate_demo::{fixtures, DemoService, CATALOG};
use topgate_protocol::errors::ProductLine;

const JUNK: &[&str] = &[
    "abc",
    "-1",
    "0",
    "1.5",
    "99999999999999999999",
    "9223372036854775807",
    "-9223372036854775808",
    "",
    " ",
    ",,,",
    "1,abc",
    "%00\u{0}",
    "连衣裙",
    "true",
    "2025-13-40 99:99:99",
    ":",
    "list_time:",
];

const PARAMS: &[&str] = &[
    "fields",
    "nick",
    "nicks",
    "num_iid",
    "iid",
    "num_iids",
    "q",
    "page_no",
    "page_size",
    "order_by",
    "position",
    "is_major",
    "tid",
    "status",
    "start_created",
    "end_created",
    "refund_id",
];

#[test]
fn junk_never_panics() {
    let s = svc();
    let base = [("fields", "num_iid,title,tid,orders,nick,item_imgs")];
    let mut calls = 0;
    for method in DemoService::methods() {
        for param in PARAMS {
            for junk in JUNK {
                for nick in [None, Some("tbtest561"), Some("not-a-demo-user")] {
                    let mut params = vec![(*param, *junk)];
                    if *param != "fields" {
                        params.extend_from_slice(&base);
                    }
                    let r = with_file(req(method, &params, nick), "image", junk.as_bytes());
                    let _ = s.call(&r);
                    calls += 1;
                }
            }
        }
        // Huge pages and ids with otherwise valid parameters.
        let huge = [
            ("fields", "num_iid"),
            ("page_no", "9223372036854775807"),
            ("page_size", "200"),
            ("num_iid", "9223372036854775807"),
            ("tid", "9223372036854775807"),
            ("refund_id", "9223372036854775807"),
        ];
        let _ = s.call(&as_561(method, &huge));
    }
    assert!(calls > 1000);
    let r = req("taobao.no.such.api", &[], None);
    assert_eq!(err(&s, &r).sub_code, "isp.remote-service-error");
}

#[test]
fn junk_numbers_are_invalid_parameters() {
    let s = svc();
    for v in ["abc", "-1", "0", "99999999999999999999"] {
        let r = req(
            "taobao.item.get",
            &[("fields", "title"), ("num_iid", v)],
            None,
        );
        assert_eq!(err(&s, &r).sub_code, "isv.invalid-parameter", "{v}");
    }
    for (k, v) in [
        ("page_size", "-1"),
        ("page_size", "201"),
        ("page_no", "0"),
        ("page_no", "x"),
    ] {
        let r = as_561("taobao.items.onsale.get", &[("fields", "title"), (k, v)]);
        assert_eq!(err(&s, &r).sub_code, "isv.invalid-parameter", "{k}={v}");
    }
    let r = req(
        "taobao.items.list.get",
        &[("fields", "title"), ("num_iids", "1,abc")],
        None,
    );
    assert_eq!(err(&s, &r).sub_code, "isv.invalid-parameter");
    let r = req("taobao.item.get", &[("num_iid", "1")], None);
    assert_eq!(err(&s, &r).sub_code, "isv.missing-parameter");
}

#[test]
fn catalog_names_exactly_the_methods() {
    let doc: toml::Table = toml::from_str(CATALOG).expect("catalog.toml is valid TOML");
    let apis = doc["api"].as_array().expect("[[api]] entries");
    let names: Vec<&str> = apis.iter().map(|a| a["name"].as_str().unwrap()).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(unique.len(), names.len(), "no API declared twice");
    let methods: BTreeSet<&str> = DemoService::methods().iter().copied().collect();
    assert_eq!(unique, methods);

    let mut used = BTreeSet::new();
    for api in apis {
        let name = api["name"].as_str().unwrap();
        assert_eq!(api["backend"].as_str(), Some("demo"), "{name}");
        let line = api["line"].as_str().unwrap();
        assert!(
            ProductLine::from_slug(line).is_some(),
            "{name}: line {line}"
        );
        let session = api["session"].as_str().unwrap();
        assert!(
            ["none", "optional", "required"].contains(&session),
            "{name}"
        );
        assert!(api["timeout_ms"].as_integer().unwrap() > 0);
        match api.get("package").and_then(|p| p.as_str()) {
            Some(p) => {
                assert!(fixtures::PACKAGES.contains(&p), "{name}: package {p}");
                used.insert(p);
            }
            None => assert_eq!(name, "taobao.time.get"),
        }
        let params = api.get("params").and_then(|p| p.as_array());
        for p in params.into_iter().flatten() {
            let ty = p["type"].as_str().unwrap();
            assert!(
                ["string", "number", "boolean", "date", "json", "file"].contains(&ty),
                "{name}: type {ty}"
            );
        }
    }
    let packages: BTreeSet<&str> = fixtures::PACKAGES.iter().copied().collect();
    assert_eq!(used, packages, "every package is used");
}

#[test]
fn fixtures_match_the_seed() {
    let s = svc();
    assert_eq!(fixtures::USERS[0], fixtures::SESSION_NICK);
    for nick in fixtures::USERS {
        let r = req(
            "taobao.user.get",
            &[("fields", "nick"), ("nick", nick)],
            None,
        );
        assert_eq!(text(&ok(&s, &r), "user.nick"), *nick);
    }
}

#[test]
fn the_seed_is_deterministic() {
    let fields = "num_iid,iid,title,price,list_time,item_imgs";
    let r = req(
        "taobao.items.list.get",
        &[("fields", fields), ("num_iids", "1,30,60")],
        None,
    );
    assert_eq!(ok(&svc(), &r), ok(&svc(), &r));
    let t = as_561(
        "taobao.trades.sold.get",
        &[("fields", "tid,created,orders,payment")],
    );
    assert_eq!(ok(&svc(), &t), ok(&svc(), &t));
}

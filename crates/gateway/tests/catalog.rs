//! The API catalog: loading with every problem located, validation (pipeline step 7), atomic
//! replacement and reload on edit.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use topgate_gateway::catalog::{
    check_file, validate, watch, BackendRef, Catalog, LiveCatalog, ParamFailure, ParamType, Rule,
    SessionNeed,
};
use topgate_protocol::errors::ProductLine;
use topgate_protocol::Params;

const FULL: &str = r#"
[backends.commerce]
url = "http://127.0.0.1:9100/"
timeout_ms = 2500
max_idle = 16

[[api]]
name = "taobao.item.get"
line = "item"
backend = "demo"
session = "optional"
summary = "获取单个商品"
limits = { per_day = 100000, per_second = 50 }

  [[api.params]]
  name = "fields"
  required = true
  list = true
  max_length = 40
  [[api.params]]
  name = "iid"
  max_length = 32
  [[api.params]]
  name = "num_iid"
  type = "number"
  min = 1
  [[api.rules]]
  at_least_one_of = ["iid", "num_iid"]
  message = "iid和num_iid至少要传入一个"

[[api]]
name = "taobao.items.list.get"
line = "item"
backend = "commerce"
package = "item-read"
timeout_ms = 5000

  [[api.params]]
  name = "num_iids"
  type = "number"
  required = true
  list = true
  max_items = 40
  min = 1
  [[api.params]]
  name = "status"
  enum = ["onsale", "instock"]
  default = "onsale"

[[api]]
name = "taobao.trade.create"
line = "trade"
backend = "commerce"
session = "required"

  [[api.params]]
  name = "sku_ids"
  type = "number"
  list = true
  [[api.params]]
  name = "quantities"
  type = "number"
  list = true
  min = 1
  max = 100
  [[api.params]]
  name = "price"
  type = "number"
  min = 0.01
  max = 99999.99
  [[api.params]]
  name = "gift"
  type = "boolean"
  [[api.params]]
  name = "deliver_at"
  type = "date"
  [[api.params]]
  name = "extra"
  type = "json"
  [[api.params]]
  name = "title"
  min_length = 2
  max_length = 4
  [[api.params]]
  name = "image"
  type = "file"
  max_size = 10
  [[api.rules]]
  same_length = ["sku_ids", "quantities"]
"#;

fn full() -> Catalog {
    Catalog::parse(FULL).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_full_catalog_parses() {
    let c = full();
    assert_eq!(c.len(), 3);
    let b = &c.backends["commerce"];
    assert_eq!(
        (b.url.as_str(), b.timeout, b.max_idle),
        ("http://127.0.0.1:9100/", Duration::from_millis(2500), 16)
    );
    let get = c.api("taobao.item.get").unwrap();
    assert_eq!(get.line, ProductLine::Item);
    assert_eq!(get.backend, BackendRef::Demo);
    assert_eq!(get.session, SessionNeed::Optional);
    assert_eq!(get.package, None);
    assert_eq!(get.limits.unwrap().per_second, Some(50));
    assert_eq!(get.params[0].kind, ParamType::String);
    assert!(get.params[0].required && get.params[0].list);
    assert_eq!(c.timeout_for(get), Duration::from_millis(3000));
    let list = c.api("taobao.items.list.get").unwrap();
    assert_eq!(list.backend, BackendRef::Http("commerce".into()));
    assert_eq!(list.package.as_deref(), Some("item-read"));
    assert_eq!(c.timeout_for(list), Duration::from_millis(5000));
    assert_eq!(list.param("status").unwrap().allowed, ["onsale", "instock"]);
    let trade = c.api("taobao.trade.create").unwrap();
    assert_eq!(c.timeout_for(trade), Duration::from_millis(2500));
    assert_eq!(
        trade.rules[0],
        Rule::SameLength {
            params: vec!["sku_ids".into(), "quantities".into()],
            message: "sku_ids和quantities的个数必须一一对应".into(),
        }
    );
    assert_eq!(
        c.names(),
        [
            "taobao.item.get",
            "taobao.items.list.get",
            "taobao.trade.create"
        ]
    );
}

const BAD: &str = r#"[backends.commerce]
url = "https://127.0.0.1/"
colour = "red"

[[api]]
name = "Taobao.Item.Get"
line = "items"
backend = "demo"

[[api]]
name = "taobao.item.add"
line = "item"
backend = "nowhere"
session = "maybe"
  [[api.params]]
  name = "session"
  [[api.params]]
  name = "title"
  type = "strng"
  [[api.params]]
  name = "num"
  type = "number"
  max_items = 3
  min = 10
  max = 1
  [[api.params]]
  name = "pic"
  max_size = 100
  [[api.rules]]
  at_least_one_of = ["num", "ghost"]

[[api]]
name = "taobao.item.add"
line = "item"
"#;

#[test]
fn every_problem_is_reported_with_its_line() {
    let errors = Catalog::parse(BAD).unwrap_err();
    let got: Vec<(usize, &str)> = errors
        .0
        .iter()
        .map(|p| (p.line, p.message.as_str()))
        .collect();
    let want: &[(usize, &str)] = &[
        (2, "`url` must start with http://"),
        (3, "unknown key `colour`"),
        (6, "is not a valid API name"),
        (
            7,
            "\"items\" is not a product line (valid: user, category, trade",
        ),
        (13, "\"nowhere\" is not a declared backend"),
        (
            14,
            "`session` must be \"none\", \"optional\" or \"required\"",
        ),
        (16, "\"session\" is a system parameter"),
        (19, "\"strng\" is not a parameter type"),
        (23, "`max_items` needs `list = true`"),
        (25, "`max` (1) is less than min (10)"),
        (28, "`max_size` applies to file parameters only"),
        (30, "names `ghost`, which is not a declared parameter"),
        (
            33,
            "duplicate API name `taobao.item.add` (first declared at line 11)",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{errors}");
    for ((line, msg), (want_line, want_msg)) in got.iter().zip(want) {
        assert_eq!(line, want_line, "{msg}");
        assert!(
            msg.contains(want_msg),
            "line {line}: {msg:?} lacks {want_msg:?}"
        );
    }
    let first = errors.to_string().lines().next().unwrap().to_owned();
    assert_eq!(first, "catalog:2:7: [backends.commerce]: `url` must start with http:// (https backends are not supported)");
}

#[test]
fn syntax_errors_and_check_exit_codes() {
    let e = Catalog::parse("[[api]]\nname = \"a.b\"\nname = \"c.d\"\n").unwrap_err();
    assert_eq!((e.0.len(), e.0[0].line, e.0[0].column), (1, 3, 1));
    assert!(e.0[0].message.starts_with("TOML syntax error"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, FULL).unwrap();
    assert_eq!(check_file(&good).0, 0);
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, BAD).unwrap();
    let (code, out) = check_file(&bad);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 13);
    assert!(
        out.starts_with(&format!("{}:2:7: ", bad.display())),
        "{out}"
    );
    assert_eq!(check_file(&dir.path().join("missing.toml")).0, 2);
}

fn params(query: &str) -> Params {
    Params::from_urlencoded(query.as_bytes()).unwrap()
}

fn check(api: &str, p: &Params) -> Result<(), ParamFailure> {
    validate(full().api(api).unwrap(), p)
}

fn business(sub_code: &str, sub_msg: &str) -> Result<(), ParamFailure> {
    Err(ParamFailure::Business {
        sub_code: sub_code.into(),
        sub_msg: sub_msg.into(),
    })
}

#[test]
fn the_seed_examples() {
    let get = "taobao.item.get";
    assert_eq!(
        check(get, &params("fields=title&method=x&unknown=1")),
        business("isv.missing-parameter", "iid和num_iid至少要传入一个")
    );
    assert_eq!(check(get, &params("fields=title,price&num_iid=3")), Ok(()));
    let ids: Vec<String> = (1..=41).map(|i| i.to_string()).collect();
    let list = "taobao.items.list.get";
    let q = format!("num_iids={}", ids.join(","));
    assert_eq!(
        check(list, &params(&q)),
        business("isv.invalid-parameter", "num_iids不能超过40个")
    );
    let q = format!("num_iids={}", ids[..40].join(", "));
    assert_eq!(check(list, &params(&q)), Ok(()));
}

fn versioned(v: usize) -> Catalog {
    let text: String = (0..20)
        .map(|i| format!("[[api]]\nname = \"t.api{i}\"\nline = \"item\"\nbackend = \"demo\"\nsummary = \"{v}\"\n"))
        .collect();
    Catalog::parse(&text).unwrap()
}

#[test]
fn readers_never_see_half_a_catalog() {
    let live = Arc::new(LiveCatalog::new(versioned(0)));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (live, done) = (live.clone(), done.clone());
            std::thread::spawn(move || {
                let mut seen = 0;
                while !done.load(Ordering::Relaxed) {
                    let c = live.current();
                    let v = &c.api("t.api0").unwrap().summary;
                    assert!((1..20).all(|i| &c.api(&format!("t.api{i}")).unwrap().summary == v));
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    for v in 1..=300 {
        live.replace(versioned(v));
    }
    done.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
    assert_eq!(live.api("t.api7").unwrap().summary.as_deref(), Some("300"));
}

fn write(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn watch_takes_good_edits_and_refuses_broken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.toml");
    let one = "[[api]]\nname = \"t.one\"\nline = \"item\"\nbackend = \"demo\"\n";
    write(&path, one);
    let live = Arc::new(LiveCatalog::new(Catalog::load(&path).unwrap()));
    let (tx, rx) = mpsc::channel();
    let handle = watch(path.clone(), live.clone(), move |r| {
        let _ = tx.send(r.map_err(|e| e.to_string()));
    });

    let two = format!("{one}[[api]]\nname = \"t.two\"\nline = \"trade\"\nbackend = \"demo\"\n");
    write(&path, &two);
    assert_eq!(rx.recv_timeout(Duration::from_secs(3)), Ok(Ok(2)));
    assert!(live.api("t.two").is_some());

    write(
        &path,
        &format!("{two}[[api]]\nname = \"t.three\"\nline = \"nope\"\n"),
    );
    let refused = rx
        .recv_timeout(Duration::from_secs(3))
        .unwrap()
        .unwrap_err();
    assert!(
        refused.contains("catalog.toml:11:8: api t.three: `line` \"nope\""),
        "{refused}"
    );
    assert_eq!(live.current().len(), 2);

    handle.stop();
    write(&path, one);
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(live.current().len(), 2, "a stopped watcher reloads nothing");
}

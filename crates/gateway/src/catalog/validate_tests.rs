//! Every way [`validate`] can refuse a request, on a small catalog of its own.

use bytes::Bytes;
use topgate_protocol::{FileParam, Params};

use super::super::Catalog;
use super::{validate, ParamFailure};

const CATALOG: &str = r#"
[backends.commerce]
url = "http://127.0.0.1:9100/"

[[api]]
name = "taobao.items.list.get"
line = "item"
backend = "commerce"
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

[[api]]
name = "taobao.trade.create"
line = "trade"
backend = "commerce"
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

fn params(query: &str) -> Params {
    Params::from_urlencoded(query.as_bytes()).unwrap()
}

fn check(api: &str, p: &Params) -> Result<(), ParamFailure> {
    let catalog = Catalog::parse(CATALOG).unwrap_or_else(|e| panic!("{e}"));
    validate(catalog.api(api).unwrap(), p)
}

fn invalid(name: &str, reason: &str) -> Result<(), ParamFailure> {
    Err(ParamFailure::Invalid {
        name: name.into(),
        reason: reason.into(),
    })
}

fn business(sub_code: &str, sub_msg: &str) -> Result<(), ParamFailure> {
    Err(ParamFailure::Business {
        sub_code: sub_code.into(),
        sub_msg: sub_msg.into(),
    })
}

#[test]
fn every_failure_kind() {
    let list = "taobao.items.list.get";
    let missing = Err(ParamFailure::Missing {
        name: "num_iids".into(),
    });
    assert_eq!(check(list, &params("status=onsale")), missing);
    assert_eq!(check(list, &params("num_iids=")), missing);
    assert_eq!(check(list, &params("num_iids=,")), missing);
    assert_eq!(
        check(list, &params("num_iids=1,x")),
        invalid("num_iids", "item 2 must be a number")
    );
    assert_eq!(
        check(list, &params("num_iids=0")),
        invalid("num_iids", "item 1 must be at least 1")
    );
    assert_eq!(
        check(list, &params("num_iids=1&status=sold")),
        invalid("status", "must be one of onsale, instock")
    );

    let t = "taobao.trade.create";
    assert_eq!(
        check(t, &params("quantities=101")),
        invalid("quantities", "item 1 must be at most 100")
    );
    assert_eq!(
        check(t, &params("price=0.001")),
        invalid("price", "must be at least 0.01")
    );
    assert_eq!(
        check(t, &params("price=1e3")),
        invalid("price", "must be a number")
    );
    assert_eq!(check(t, &params("price=12.50&gift=TRUE")), Ok(()));
    assert_eq!(
        check(t, &params("gift=yes")),
        invalid("gift", "must be true or false")
    );
    assert_eq!(check(t, &params("deliver_at=2024-02-29+23:59:59")), Ok(()));
    assert_eq!(
        check(t, &params("deliver_at=2023-02-29")),
        invalid("deliver_at", "must be yyyy-MM-dd HH:mm:ss or yyyy-MM-dd")
    );
    assert_eq!(check(t, &params("extra=%7B%22a%22%3A1%7D")), Ok(()));
    assert_eq!(
        check(t, &params("extra=%7Ba")),
        invalid("extra", "must be valid JSON")
    );
    assert_eq!(
        check(t, &params("title=a")),
        invalid("title", "must be at least 2 characters long")
    );
    assert_eq!(
        check(t, &params("title=%E4%B8%AD%E6%96%87%E6%A0%87%E9%A2%98")),
        Ok(())
    );
    assert_eq!(
        check(t, &params("title=abcde")),
        invalid("title", "must be at most 4 characters long")
    );
    assert_eq!(
        check(t, &params("image=a.png")),
        invalid("image", "must be a file upload")
    );
    assert_eq!(
        check(t, &params("sku_ids=1,2,3&quantities=1,2")),
        business(
            "isv.parameters-mismatch",
            "sku_ids和quantities的个数必须一一对应"
        )
    );
    assert_eq!(check(t, &params("sku_ids=1,2&quantities=1,2")), Ok(()));
    assert_eq!(check(t, &params("sku_ids=1,2")), Ok(()));

    let file = |name: &str, len: usize| FileParam {
        name: name.into(),
        filename: "a.png".into(),
        content_type: None,
        data: Bytes::from(vec![0u8; len]),
    };
    let mut p = params("");
    p.insert_file(file("image", 11)).unwrap();
    let too_large = check(t, &p).unwrap_err();
    assert_eq!(
        too_large,
        ParamFailure::FileTooLarge {
            name: "image".into(),
            size: 11,
            max: 10
        }
    );
    assert_eq!(too_large.platform_error().map(|e| e.code()), Some(3));
    let mut p = params("");
    p.insert_file(file("image", 10)).unwrap();
    p.insert_file(file("unknown", 10)).unwrap();
    assert_eq!(check(t, &p), Ok(()));
    p.insert_file(file("title", 1)).unwrap();
    assert_eq!(
        check(t, &p),
        invalid("title", "must be a text value, not a file upload")
    );

    let codes = |r: Result<(), ParamFailure>| r.unwrap_err().platform_error().map(|e| e.code());
    assert_eq!(codes(check(list, &params(""))), Some(40));
    assert_eq!(codes(check(list, &params("num_iids=x"))), Some(41));
    assert_eq!(codes(check(t, &params("sku_ids=1&quantities=1,1"))), None);
}

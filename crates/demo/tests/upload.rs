//! `taobao.item.img.upload`: the image record, its checks, and its persistence in SQLite.

mod common;

use common::*;
use topgate_demo::DemoService;
use topgate_protocol::time::parse_timestamp;
use topgate_protocol::Value;

const HOST: &str = "https://img.demo.topgate.local/bao/uploaded/i1/";

fn upload(
    num_iid: &str,
    extra: &[(&str, &str)],
    data: &[u8],
) -> topgate_protocol::backend::BackendRequest {
    let mut p = vec![("num_iid", num_iid)];
    p.extend_from_slice(extra);
    with_file(as_561("taobao.item.img.upload", &p), "image", data)
}

fn item_imgs(s: &DemoService, num_iid: &str) -> Vec<(String, String)> {
    let v = ok(
        s,
        &req(
            "taobao.item.get",
            &[("fields", "item_imgs"), ("num_iid", num_iid)],
            None,
        ),
    );
    items(get(&v, "item.item_imgs"), "item_img")
        .iter()
        .map(|i| (text(i, "id"), text(i, "position")))
        .collect()
}

#[test]
fn uploads_an_image_to_an_own_item() {
    let s = svc();
    let v = ok(&s, &upload("2", &[], PNG));
    let img = get(&v, "item_img");
    assert_eq!(keys(img), ["id", "url", "position", "created"]);
    let id = text(img, "id");
    assert_eq!(text(img, "url"), format!("{HOST}{id}.png"));
    assert_eq!(
        get(img, "position"),
        &Value::int(1),
        "after the seeded main image"
    );
    assert!(parse_timestamp(&text(img, "created")).is_ok());
    assert_eq!(
        item_imgs(&s, "2"),
        [("100002".into(), "0".into()), (id, "1".into())]
    );

    let gif = ok(&s, &upload("2", &[("position", "5")], GIF));
    assert_eq!(get(&gif, "item_img.position"), &Value::int(5));
    assert!(text(&gif, "item_img.url").ends_with(".gif"));
}

#[test]
fn a_major_image_becomes_the_main_picture() {
    let s = svc();
    let v = ok(&s, &upload("3", &[("is_major", "true")], JPEG));
    let url = text(&v, "item_img.url");
    assert!(url.ends_with(".jpg"));
    assert_eq!(get(&v, "item_img.position"), &Value::int(0));
    let item = ok(
        &s,
        &req(
            "taobao.item.get",
            &[("fields", "pic_url"), ("num_iid", "3")],
            None,
        ),
    );
    assert_eq!(text(&item, "item.pic_url"), url);
    let imgs = item_imgs(&s, "3");
    assert_eq!(imgs[0], (text(&v, "item_img.id"), "0".into()));
    assert_eq!(
        imgs[1],
        ("100003".into(), "1".into()),
        "the old main image moved back"
    );
}

#[test]
fn upload_errors() {
    let s = svc();
    assert_err(
        &s,
        &upload("51", &[], PNG),
        "isv.invalid-permission",
        "无权操作该商品",
    );
    let bad = "图片格式不正确，仅支持jpg、png、gif";
    assert_err(
        &s,
        &upload("1", &[], b"not an image at all"),
        "isv.invalid-parameter",
        bad,
    );
    assert_err(&s, &upload("1", &[], b""), "isv.invalid-parameter", bad);
    assert_err(
        &s,
        &upload("1", &[], &PNG[..4]),
        "isv.invalid-parameter",
        bad,
    );
    assert_err(
        &s,
        &upload("999", &[], PNG),
        "isv.item-not-exist",
        "商品不存在",
    );
    let big = [PNG, &vec![0u8; 512 * 1024]].concat();
    assert_eq!(
        err(&s, &upload("1", &[], &big)).sub_code,
        "isv.invalid-parameter"
    );
    for junk in [("position", "-1"), ("position", "x"), ("is_major", "yes")] {
        assert_eq!(
            err(&s, &upload("1", &[junk], PNG)).sub_code,
            "isv.invalid-parameter"
        );
    }
    let no_file = as_561("taobao.item.img.upload", &[("num_iid", "1")]);
    assert_eq!(err(&s, &no_file).sub_code, "isv.missing-parameter");
    let mut no_session = upload("1", &[], PNG);
    no_session.user = None;
    assert_eq!(err(&s, &no_session).sub_code, "isv.missing-parameter");
    // Nothing was stored by the failures.
    assert_eq!(item_imgs(&s, "1").len(), 1);
}

#[test]
fn uploads_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let first = {
        let s = DemoService::open(&path).unwrap();
        assert!(dir.path().join("demo.db-wal").exists(), "WAL mode");
        let v = ok(&s, &upload("4", &[("is_major", "true")], PNG));
        text(&v, "item_img.id")
    };
    let s = DemoService::open(&path).unwrap();
    let imgs = item_imgs(&s, "4");
    assert_eq!(
        imgs,
        [(first.clone(), "0".into()), ("100004".into(), "1".into())]
    );
    let item = ok(
        &s,
        &req(
            "taobao.item.get",
            &[("fields", "pic_url"), ("num_iid", "4")],
            None,
        ),
    );
    assert_eq!(text(&item, "item.pic_url"), format!("{HOST}{first}.png"));
    // Ids go on from the stored ones, and the seed was not written twice.
    let second = ok(&s, &upload("4", &[], GIF));
    let next: i64 = first.parse::<i64>().unwrap() + 1;
    assert_eq!(get(&second, "item_img.id"), &Value::int(next));
    let onsale = ok(
        &s,
        &as_561("taobao.items.onsale.get", &[("fields", "num_iid")]),
    );
    assert_eq!(get(&onsale, "total_results"), &Value::int(47));
}

//! Every business sub code the demo produces, through the gateway, in v2 JSON, v2 XML and v1
//! (where the legacy code and message replace the sub code).

mod support;

use support::*;
use topgate_protocol::parse::{BodyFormat, Outcome};

struct Case {
    call: Call,
    code: i64,
    sub_code: &'static str,
    sub_msg: &'static str,
    legacy_code: i64,
}

async fn check(h: &Harness, case: Case) {
    for format in ["json", "xml"] {
        let e = h.error(&case.call.clone().set("format", format)).await;
        assert_eq!(e.code, case.code, "{format} {e:?}");
        assert_eq!(e.msg, "Remote service error");
        assert_eq!(e.sub_code.as_deref(), Some(case.sub_code), "{format}");
        assert_eq!(e.sub_msg.as_deref(), Some(case.sub_msg), "{format}");
        assert!(e.args.iter().any(|(k, _)| k == "method"));
        if let Some((_, masked)) = e.args.iter().find(|(k, _)| k == "session") {
            assert_ne!(masked, SESSION, "the session is masked in args");
        }
        let legacy = h
            .error(&case.call.clone().set("format", format).set("v", "1.0"))
            .await;
        assert_eq!(legacy.code, case.legacy_code, "{format} v1 {legacy:?}");
        assert!(
            legacy.msg.ends_with(&format!(":{}", case.sub_msg)),
            "{}",
            legacy.msg
        );
        assert_eq!(legacy.sub_code, None);
    }
}

#[tokio::test]
async fn demo_sub_codes() {
    let h = start().await;
    let item = |f: &str| h.call("taobao.item.get").set("fields", f);
    // The seed's own example.
    check(
        &h,
        Case {
            call: item("list_time,delist_time,approve_status").set("nick", "tbtest561"),
            code: 530,
            sub_code: "isv.missing-parameter",
            sub_msg: "iid和num_iid至少要传入一个",
            legacy_code: 505,
        },
    )
    .await;
    let ids: Vec<String> = (1..=41).map(|i| i.to_string()).collect();
    check(
        &h,
        Case {
            call: h
                .call("taobao.items.list.get")
                .set("fields", "num_iid")
                .set("num_iids", &ids.join(",")),
            code: 530,
            sub_code: "isv.invalid-parameter",
            sub_msg: "用户传入的iid不能超过40个",
            legacy_code: 506,
        },
    )
    .await;
    check(
        &h,
        Case {
            call: h
                .call("taobao.user.get")
                .set("fields", "nick")
                .set("nick", "no_such_user"),
            code: 500,
            sub_code: "isv.user-not-exist",
            sub_msg: "用户不存在",
            legacy_code: 601,
        },
    )
    .await;
    check(
        &h,
        Case {
            call: h
                .call("taobao.trades.sold.get")
                .session()
                .set("fields", "tid")
                .set("start_created", "2026-01-01 00:00:00"),
            code: 520,
            sub_code: "isv.parameters-mismatch",
            sub_msg: "start_created和end_created必须同时传入",
            legacy_code: 507,
        },
    )
    .await;
    check(
        &h,
        Case {
            call: h
                .call("taobao.trade.get")
                .session()
                .set("fields", "tid")
                .set("tid", "2008"),
            code: 520,
            sub_code: "isv.invalid-permission",
            sub_msg: "无权查看该交易",
            legacy_code: 508,
        },
    )
    .await;
    check(
        &h,
        Case {
            call: h
                .call("taobao.trade.get")
                .session()
                .set("fields", "tid")
                .set("tid", "9999"),
            code: 520,
            sub_code: "isv.trade-not-exist",
            sub_msg: "交易记录不存在",
            legacy_code: 562,
        },
    )
    .await;
    check(
        &h,
        Case {
            call: h
                .call("taobao.refund.get")
                .session()
                .set("fields", "refund_id")
                .set("refund_id", "9999"),
            code: 521,
            sub_code: "isv.refund-not-exist",
            sub_msg: "退款记录不存在",
            legacy_code: 653,
        },
    )
    .await;
    check(
        &h,
        Case {
            call: h
                .call("taobao.item.extra.get")
                .set("fields", "num_iid")
                .set("num_iid", "9"),
            code: 531,
            sub_code: "isv.item-extra-not-exist",
            sub_msg: "商品扩展信息不存在",
            legacy_code: 661,
        },
    )
    .await;
}

#[tokio::test]
async fn successes_in_every_form() {
    let h = start().await;
    let call = h
        .call("taobao.items.onsale.get")
        .session()
        .set("fields", "num_iid,title,price")
        .set("page_size", "5");
    let p = h.parsed(&call).await;
    let Outcome::Success(s) = p.outcome else {
        panic!()
    };
    assert_eq!(s.response_key.as_deref(), Some("items_onsale_get_response"));
    assert_eq!(
        s.fields
            .iter()
            .find(|(k, _)| k == "total_results")
            .unwrap()
            .1
            .as_text()
            .as_deref(),
        Some("47")
    );
    for (format, v, simplify) in [
        ("xml", "2.0", "false"),
        ("json", "2.0", "true"),
        ("json", "1.0", "false"),
        ("xml", "1.0", "false"),
    ] {
        let p = h
            .parsed(
                &call
                    .clone()
                    .set("format", format)
                    .set("v", v)
                    .set("simplify", simplify),
            )
            .await;
        assert_eq!(
            p.format,
            if format == "json" {
                BodyFormat::Json
            } else {
                BodyFormat::Xml
            }
        );
        assert!(
            matches!(p.outcome, Outcome::Success(_)),
            "{format} {v} {simplify}"
        );
    }
}

#[tokio::test]
async fn image_upload_and_its_size_bound() {
    let h = start().await;
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    let upload = |data: Vec<u8>| {
        let call = h
            .call("taobao.item.img.upload")
            .session()
            .set("num_iid", "1");
        let pairs = call.signed_pairs();
        let form = pairs
            .into_iter()
            .fold(reqwest::multipart::Form::new(), |f, (k, v)| f.text(k, v));
        let form = form.part(
            "image",
            reqwest::multipart::Part::bytes(data)
                .file_name("a.png")
                .mime_str("image/png")
                .unwrap(),
        );
        h.http.post(&h.url).multipart(form).send()
    };
    let body = upload(png).await.unwrap().bytes().await.unwrap();
    let parsed = topgate_protocol::parse::parse(&body).unwrap();
    let Outcome::Success(s) = parsed.outcome else {
        panic!("{}", String::from_utf8_lossy(&body))
    };
    assert!(s.fields.iter().any(|(k, _)| k == "item_img"));
    // Over the catalog's max_size: platform code 3, before the backend sees it.
    let big = vec![0u8; 600 * 1024];
    let body = upload(big).await.unwrap().bytes().await.unwrap();
    let parsed = topgate_protocol::parse::parse(&body).unwrap();
    assert_eq!(
        parsed.error().map(|e| (e.code, e.msg.as_str())),
        Some((3, "Upload Fail"))
    );
}

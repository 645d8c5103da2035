//! Golden files for every response form: success and error, each version and format.
//! `UPDATE_GOLDEN=1 cargo test -p topgate-protocol --test render_golden` rewrites them.

use std::path::PathBuf;

use topgate_protocol::parse::{parse, BodyFormat, Form, Outcome};
use topgate_protocol::render::{
    render_error, render_success, ErrorBody, Format, ResponseForm, Version,
};
use topgate_protocol::value::Value;

const FORMS: [(&str, Format, Version, bool); 5] = [
    ("v2.json", Format::Json, Version::V2, false),
    ("v2.xml", Format::Xml, Version::V2, false),
    ("simplified.json", Format::Json, Version::V2, true),
    ("v1.json", Format::Json, Version::V1, false),
    ("v1.xml", Format::Xml, Version::V1, false),
];

fn golden(name: &str, actual: &[u8]) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("missing golden file {path:?}; run with UPDATE_GOLDEN=1"));
    assert_eq!(
        String::from_utf8_lossy(actual),
        String::from_utf8_lossy(&expected),
        "{name} differs from its golden file"
    );
}

fn item() -> Value {
    Value::object([
        ("num_iid", Value::int(1)),
        ("title", Value::str("测试商品 <Demo> & \"quotes\"")),
        ("price", Value::str("19.90")),
        ("nick", Value::str("tbtest561")),
        ("modified", Value::str("2026-11-25 12:00:00")),
    ])
}

fn onsale() -> Vec<(String, Value)> {
    vec![
        (
            "items".into(),
            Value::list(
                "item",
                vec![
                    Value::object([("num_iid", Value::int(1)), ("title", Value::str("a"))]),
                    Value::object([("num_iid", Value::int(2)), ("title", Value::str("b"))]),
                ],
            ),
        ),
        ("total_results".into(), Value::int(2)),
    ]
}

fn seed_error() -> ErrorBody {
    ErrorBody {
        code: 530,
        msg: "Remote service error".into(),
        sub_code: Some("isv.missing-parameter".into()),
        sub_msg: Some("iid和num_iid至少要传入一个".into()),
        args: vec![
            ("app_key".into(), "15739".into()),
            (
                "fields".into(),
                "list_time,delist_time,approve_status".into(),
            ),
            ("format".into(), "json".into()),
            ("method".into(), "taobao.item.get".into()),
            ("nick".into(), "tbtest561".into()),
            ("partner_id".into(), "TOPTEST".into()),
            ("sign".into(), "668FB4A049F71A1C845EF8C05B1F3E66".into()),
            ("timestamp".into(), "2021-03-05 18:03:06.325".into()),
            ("v".into(), "2.0".into()),
        ],
        request_id: Some("1a2b3c4d5e6f7".into()),
    }
}

#[test]
fn success_item_get() {
    for (suffix, format, version, simplify) in FORMS {
        let form = ResponseForm::new(format, version, simplify);
        let body = render_success(
            form,
            "taobao.item.get",
            &[("item".into(), item())],
            "1a2b3c4d5e6f7",
        );
        golden(&format!("success_item_get.{suffix}"), &body);
        let parsed = parse(&body).unwrap();
        assert!(matches!(parsed.outcome, Outcome::Success(_)), "{suffix}");
        assert_eq!(parsed.request_id(), Some("1a2b3c4d5e6f7"));
    }
}

#[test]
fn success_list() {
    for (suffix, format, version, simplify) in FORMS {
        let form = ResponseForm::new(format, version, simplify);
        let body = render_success(form, "taobao.items.onsale.get", &onsale(), "zt4ivbmkcrt1");
        golden(&format!("success_items_onsale_get.{suffix}"), &body);
    }
}

#[test]
fn error_seed_example() {
    for (suffix, format, version, simplify) in FORMS {
        let form = ResponseForm::new(format, version, simplify);
        let mut error = seed_error();
        if version == Version::V1 {
            error.code = 551;
            error.msg = "Item service unavailable:iid和num_iid至少要传入一个".into();
        }
        let body = render_error(form, &error);
        golden(&format!("error_missing_parameter.{suffix}"), &body);
        let parsed = parse(&body).unwrap();
        let Outcome::Error(e) = parsed.outcome else {
            panic!("{suffix}: not an error")
        };
        assert_eq!(e.code, error.code);
        assert_eq!(e.msg, error.msg);
        assert_eq!(e.request_id, error.request_id);
        if version == Version::V2 {
            assert_eq!(e, error, "{suffix}");
            assert_eq!(parsed.form, Form::V2);
        } else {
            assert_eq!(parsed.form, Form::V1);
        }
    }
}

#[test]
fn platform_error_without_sub_code() {
    let error = ErrorBody {
        code: 25,
        msg: "Invalid signature".into(),
        request_id: Some("1a2b3c4d5e6f7".into()),
        ..ErrorBody::default()
    };
    for (suffix, format, version, simplify) in FORMS {
        let body = render_error(ResponseForm::new(format, version, simplify), &error);
        golden(&format!("error_invalid_signature.{suffix}"), &body);
    }
}

#[test]
fn xml_escaping_any_input() {
    let nasty = "a]]>b <x>&amp; \u{0}\u{1}\u{8}\u{B}\u{C}\u{1F}\u{FFFE}\t\n\r 😀 𠀀";
    let fields = vec![("title".into(), Value::str(nasty))];
    for (suffix, format, version, simplify) in FORMS {
        let form = ResponseForm::new(format, version, simplify);
        let body = render_success(form, "taobao.item.get", &fields, "r1");
        golden(&format!("escaping.{suffix}"), &body);
        let parsed = parse(&body).unwrap();
        let Outcome::Success(s) = parsed.outcome else {
            panic!()
        };
        let Value::Str(title) = &s.fields[0].1 else {
            panic!("{suffix}: {:?}", s.fields)
        };
        if format == Format::Xml {
            assert_eq!(parsed.format, BodyFormat::Xml);
            let expected: String = nasty
                .chars()
                .map(|c| match c {
                    '\u{0}' | '\u{1}' | '\u{8}' | '\u{B}' | '\u{C}' | '\u{1F}' | '\u{FFFE}' => {
                        '\u{FFFD}'
                    }
                    c => c,
                })
                .collect();
            assert_eq!(title, &expected, "{suffix}");
        } else {
            assert_eq!(title, nasty, "{suffix}");
        }
    }
}

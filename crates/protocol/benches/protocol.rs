//! The hot functions of the wire contract: parameter decoding, sign verification, rendering and
//! parsing. `cargo bench -p topgate-protocol`; figures go to docs/performance.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use topgate_protocol::params::Params;
use topgate_protocol::parse::parse;
use topgate_protocol::render::{
    render_error, render_success, ErrorBody, Format, ResponseForm, Version,
};
use topgate_protocol::sign::{sign, verify, SignMethod};
use topgate_protocol::value::Value;

const QUERY: &[u8] = b"method=taobao.item.get&app_key=12345678&session=demo-session-tbtest561&timestamp=2026-11-25+12%3A00%3A00&format=json&v=2.0&sign_method=md5&partner_id=top-sdk-java-20260101&fields=num_iid%2Ctitle%2Cnick%2Cprice%2Cnum&num_iid=11223344";

fn payload() -> Vec<(String, Value)> {
    let item = |i: i64| {
        Value::object([
            ("num_iid", Value::int(i)),
            ("title", Value::str("2025夏季新款白色连衣裙 <限时>")),
            ("nick", Value::str("tbtest561")),
            ("price", Value::str("199.00")),
            ("num", Value::int(42)),
            ("modified", Value::str("2026-11-25 12:00:00")),
        ])
    };
    vec![
        (
            "items".into(),
            Value::list("item", (1..=20).map(item).collect()),
        ),
        ("total_results".into(), Value::int(47)),
    ]
}

fn error() -> ErrorBody {
    ErrorBody {
        code: 530,
        msg: "Remote service error".into(),
        sub_code: Some("isv.missing-parameter".into()),
        sub_msg: Some("iid和num_iid至少要传入一个".into()),
        args: Params::from_urlencoded(QUERY).unwrap().echo(),
        request_id: Some("1a2b3c4d5e6f7".into()),
    }
}

fn benches(c: &mut Criterion) {
    c.bench_function("params/decode_query", |b| {
        b.iter(|| Params::from_urlencoded(black_box(QUERY)).unwrap())
    });

    let params = Params::from_urlencoded(QUERY).unwrap();
    for method in [SignMethod::Md5, SignMethod::Hmac, SignMethod::HmacSha256] {
        let good = sign(method, "helloworld", &params, None);
        c.bench_function(&format!("sign/verify_{}", method.as_str()), |b| {
            b.iter(|| {
                assert!(verify(
                    method,
                    "helloworld",
                    black_box(&params),
                    None,
                    black_box(&good)
                ))
            })
        });
    }

    let fields = payload();
    let json = ResponseForm::new(Format::Json, Version::V2, false);
    let xml = ResponseForm::new(Format::Xml, Version::V2, false);
    c.bench_function("render/success_json_20_items", |b| {
        b.iter(|| {
            render_success(
                json,
                "taobao.items.onsale.get",
                black_box(&fields),
                "1a2b3c4d5e6f7",
            )
        })
    });
    c.bench_function("render/success_xml_20_items", |b| {
        b.iter(|| {
            render_success(
                xml,
                "taobao.items.onsale.get",
                black_box(&fields),
                "1a2b3c4d5e6f7",
            )
        })
    });
    let err = error();
    c.bench_function("render/error_json_with_args", |b| {
        b.iter(|| render_error(json, black_box(&err)))
    });
    c.bench_function("render/error_xml_with_args", |b| {
        b.iter(|| render_error(xml, black_box(&err)))
    });

    let json_body = render_success(json, "taobao.items.onsale.get", &fields, "1a2b3c4d5e6f7");
    let xml_body = render_success(xml, "taobao.items.onsale.get", &fields, "1a2b3c4d5e6f7");
    c.bench_function("parse/success_json_20_items", |b| {
        b.iter(|| parse(black_box(&json_body)).unwrap())
    });
    c.bench_function("parse/success_xml_20_items", |b| {
        b.iter(|| parse(black_box(&xml_body)).unwrap())
    });
    let err_json = render_error(json, &err);
    c.bench_function("parse/error_json_with_args", |b| {
        b.iter(|| parse(black_box(&err_json)).unwrap())
    });
}

criterion_group!(protocol, benches);
criterion_main!(protocol);

//! The published test vectors of PROTOCOL.md section 2: golden, byte for byte.

use topgate_protocol::params::{FileParam, Params};
use topgate_protocol::sign::{sign, string_to_sign, verify, EmptyValues, SignMethod};

const SECRET: &str = "helloworld";
const S: &str = "app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.getnum_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0";

fn vector_params(sign_method: &str) -> Params {
    let mut p = Params::new();
    for (k, v) in [
        ("method", "taobao.item.seller.get"),
        ("app_key", "12345678"),
        ("session", "test"),
        ("timestamp", "2016-01-01 12:00:00"),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", sign_method),
        ("fields", "num_iid,title,nick,price,num"),
        ("num_iid", "11223344"),
    ] {
        p.insert(k.into(), v.into()).unwrap();
    }
    p
}

#[test]
fn canonical_string() {
    let p = vector_params("md5");
    assert_eq!(string_to_sign(&p, EmptyValues::Keep, None), S.as_bytes());
}

#[test]
fn md5_vector() {
    let p = vector_params("md5");
    assert_eq!(
        sign(SignMethod::Md5, SECRET, &p, None),
        "66987CB115214E59E6EC978214934FB8"
    );
}

#[test]
fn hmac_vector() {
    let p = vector_params("hmac");
    assert_eq!(
        sign(SignMethod::Hmac, SECRET, &p, None),
        "D56D7858309C31B6251083A874D48273"
    );
}

#[test]
fn hmac_sha256_vector() {
    let p = vector_params("hmac-sha256");
    assert_eq!(
        sign(SignMethod::HmacSha256, SECRET, &p, None),
        "04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8"
    );
}

#[test]
fn verify_accepts_lower_case_and_rejects_others() {
    let p = vector_params("md5");
    assert!(verify(
        SignMethod::Md5,
        SECRET,
        &p,
        None,
        "66987CB115214E59E6EC978214934FB8"
    ));
    assert!(verify(
        SignMethod::Md5,
        SECRET,
        &p,
        None,
        "66987cb115214e59e6ec978214934fb8"
    ));
    assert!(!verify(
        SignMethod::Md5,
        SECRET,
        &p,
        None,
        "66987CB115214E59E6EC978214934FB9"
    ));
    assert!(!verify(
        SignMethod::Md5,
        "wrong",
        &p,
        None,
        "66987CB115214E59E6EC978214934FB8"
    ));
    assert!(!verify(SignMethod::Md5, SECRET, &p, None, "66987CB1"));
    assert!(!verify(
        SignMethod::Md5,
        SECRET,
        &p,
        None,
        "zz987CB115214E59E6EC978214934FB8"
    ));
    assert!(!verify(SignMethod::Md5, SECRET, &p, None, ""));
}

#[test]
fn sign_param_itself_and_files_are_not_signed() {
    let mut p = vector_params("md5");
    p.insert("sign".into(), "whatever".into()).unwrap();
    p.insert_file(FileParam {
        name: "image".into(),
        filename: "a.png".into(),
        content_type: None,
        data: bytes::Bytes::from_static(b"PNG"),
    })
    .unwrap();
    assert_eq!(string_to_sign(&p, EmptyValues::Keep, None), S.as_bytes());
}

#[test]
fn both_empty_value_conventions_verify() {
    let mut p = vector_params("md5");
    p.insert("nick".into(), String::new()).unwrap();
    let keep = sign(SignMethod::Md5, SECRET, &p, None);
    let dropped_string = string_to_sign(&p, EmptyValues::Drop, None);
    assert_eq!(dropped_string, S.as_bytes());
    let java_style = "66987CB115214E59E6EC978214934FB8"; // the vector: nick dropped
    assert!(verify(SignMethod::Md5, SECRET, &p, None, &keep));
    assert!(verify(SignMethod::Md5, SECRET, &p, None, java_style));
    assert_ne!(keep, java_style);
}

#[test]
fn raw_body_is_appended() {
    let p = vector_params("md5");
    let body = b"{\"batch\":1}";
    let s = string_to_sign(&p, EmptyValues::Keep, Some(body));
    assert!(s.ends_with(body));
    let with_body = sign(SignMethod::Md5, SECRET, &p, Some(body));
    assert!(verify(SignMethod::Md5, SECRET, &p, Some(body), &with_body));
    assert!(!verify(SignMethod::Md5, SECRET, &p, None, &with_body));
}

#[test]
fn sign_method_parsing() {
    assert_eq!(SignMethod::parse(None), Some(SignMethod::Md5));
    assert_eq!(SignMethod::parse(Some("HMAC")), Some(SignMethod::Hmac));
    assert_eq!(
        SignMethod::parse(Some("hmac-sha256")),
        Some(SignMethod::HmacSha256)
    );
    assert_eq!(SignMethod::parse(Some("sha1")), None);
}

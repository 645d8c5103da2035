//! The envelope, without the network: signing, layout, multipart, conflicts.

use topgate_protocol::time::parse_timestamp;
use topgate_protocol::Params;
use topgate_sdk::{fixed_clock, Body, Config, Error, Request, SignMethod};

fn config() -> Config {
    let mut c = Config::new(
        "http://127.0.0.1:8080/router/rest",
        "12345678",
        "helloworld",
    );
    c.session = Some("test".into());
    c.partner_id = None;
    c.clock = fixed_clock(parse_timestamp("2016-01-01 12:00:00").unwrap());
    c
}

fn vector() -> Request {
    Request::new("taobao.item.seller.get")
        .param("fields", "num_iid,title,nick,price,num")
        .param("num_iid", 11223344)
}

#[test]
fn published_vectors() {
    let mut c = config();
    let p = c.prepare(&vector()).unwrap();
    assert_eq!(
        p.string_to_sign,
        "app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.getnum_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0"
    );
    assert_eq!(p.sign, "66987CB115214E59E6EC978214934FB8");
    c.sign_method = SignMethod::Hmac;
    assert_eq!(
        c.prepare(&vector()).unwrap().sign,
        "D56D7858309C31B6251083A874D48273"
    );
    c.sign_method = SignMethod::HmacSha256;
    assert_eq!(
        c.prepare(&vector()).unwrap().sign,
        "04DB15AD0774D5CFCE2C837DE43E3FCEA9011ED74F3038FB6AB5F3C4CEA119E8"
    );
}

#[test]
fn query_and_form_layout() {
    let p = config().prepare(&vector()).unwrap();
    let (base, query) = p.url.split_once('?').unwrap();
    assert_eq!(base, "http://127.0.0.1:8080/router/rest");
    let q = Params::from_urlencoded(query.as_bytes()).unwrap();
    assert_eq!(q.get("timestamp"), Some("2016-01-01 12:00:00"));
    assert!(
        query.contains("timestamp=2016-01-01+12%3A00%3A00"),
        "{query}"
    );
    assert_eq!(q.get("sign"), Some(p.sign.as_str()));
    assert_eq!(q.get("fields"), None);
    let Body::Form(form) = &p.body else { panic!() };
    assert_eq!(
        form,
        "fields=num_iid%2Ctitle%2Cnick%2Cprice%2Cnum&num_iid=11223344"
    );
    assert!(p
        .content_type
        .starts_with("application/x-www-form-urlencoded"));
    assert_eq!(p.params.get("sign"), Some(p.sign.as_str()));
}

#[test]
fn target_app_key_goes_to_the_query() {
    let p = config()
        .prepare(
            &Request::new("a.b")
                .param("target_app_key", "999")
                .param("x", 1),
        )
        .unwrap();
    assert!(p.url.contains("target_app_key=999"));
    assert!(matches!(&p.body, Body::Form(f) if f == "x=1"));
}

#[test]
fn multipart_layout() {
    let req = vector().file("image", "a \"b\".png", &b"PNGDATA"[..]);
    let p = config().prepare(&req).unwrap();
    let Body::Multipart { boundary, .. } = &p.body else {
        panic!()
    };
    assert_eq!(
        p.content_type,
        format!("multipart/form-data; boundary={boundary}")
    );
    let wire = String::from_utf8(p.body.to_bytes().to_vec()).unwrap();
    assert!(wire.starts_with(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"fields\"\r\n"
    )));
    assert!(wire.contains(
        "name=\"image\"; filename=\"a %22b%22.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n"
    ));
    assert!(wire.ends_with(&format!("--{boundary}--\r\n")));
    let shown = p
        .body
        .display(|f| format!("<{} bytes from x>", f.data.len()));
    assert!(shown.contains("\r\n\r\n<7 bytes from x>\r\n"), "{shown}");
    assert_eq!(
        p.sign, "66987CB115214E59E6EC978214934FB8",
        "files are not signed"
    );
}

#[test]
fn conflicts_are_usage_errors() {
    for req in [
        vector().param("v", "1.0"),
        vector().param("sign", "x"),
        vector().param("fields", "other"),
        vector().file("num_iid", "a.png", &b""[..]),
    ] {
        assert!(
            matches!(config().prepare(&req), Err(Error::Usage { .. })),
            "{req:?}"
        );
    }
    // The same value twice is one parameter.
    assert!(config().prepare(&vector().param("format", "json")).is_ok());
}

#[test]
fn http_text_for_people() {
    let p = config().prepare(&vector()).unwrap();
    let text = p.http_text(|_| unreachable!());
    let (head, body) = text.split_once("\n\n").unwrap();
    let lines: Vec<&str> = head.lines().collect();
    assert!(
        lines[0].starts_with("POST /router/rest?app_key=12345678&"),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("&sign=66987CB115214E59E6EC978214934FB8&sign_method=md5&timestamp=2016-01-01+12%3A00%3A00&v=2.0 HTTP/1.1"), "{}", lines[0]);
    assert_eq!(lines[1], "Host: 127.0.0.1:8080");
    assert!(lines.contains(&"Content-Type: application/x-www-form-urlencoded;charset=UTF-8"));
    assert!(lines.contains(&format!("Content-Length: {}", body.len()).as_str()));
    assert_eq!(
        body,
        "fields=num_iid%2Ctitle%2Cnick%2Cprice%2Cnum&num_iid=11223344"
    );
}

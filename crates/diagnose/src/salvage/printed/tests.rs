use super::*;

type Fields<'a> = (
    Option<i64>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn fields(p: &Printed) -> Fields<'_> {
    (
        p.code,
        p.msg.as_deref(),
        p.sub_code.as_deref(),
        p.sub_msg.as_deref(),
        p.request_id.as_deref(),
    )
}

#[test]
fn php_print_r() {
    let text = "SimpleXMLElement Object\n(\n    [code] => 7\n    [msg] => App Call Limited\n    [sub_code] => accesscontrol.limited-by-app-access-count\n    [sub_msg] => This ban will last for 12 more seconds\n    [request_id] => 1mcwz2szplstjm\n)\n";
    let p = scan(text).unwrap();
    assert_eq!(style(text), Style::PhpPrintR);
    assert_eq!(
        fields(&p),
        (
            Some(7),
            Some("App Call Limited"),
            Some("accesscontrol.limited-by-app-access-count"),
            Some("This ban will last for 12 more seconds"),
            Some("1mcwz2szplstjm")
        )
    );
}

#[test]
fn php_print_r_args() {
    let text = "stdClass Object\n(\n    [args] => stdClass Object\n        (\n            [arg] => Array\n                (\n                    [0] => stdClass Object\n                        (\n                            [key] => partner_id\n                            [value] => top-sdk-php\n                        )\n\n                )\n        )\n    [code] => 530\n)\n";
    let p = scan(text).unwrap();
    assert_eq!(p.args, vec![("partner_id".into(), "top-sdk-php".into())]);
    assert_eq!(p.code, Some(530));
}

#[test]
fn php_var_dump() {
    let text = "object(stdClass)#2 (5) {\n  [\"code\"]=>\n  int(27)\n  [\"msg\"]=>\n  string(15) \"Invalid session\"\n  [\"sub_msg\"]=>\n  string(12) \"a \"quoted\" b\"\n}\n";
    let p = scan(text).unwrap();
    assert_eq!(style(text), Style::PhpVarDump);
    assert_eq!(p.code, Some(27));
    assert_eq!(p.msg.as_deref(), Some("Invalid session"));
    assert_eq!(p.sub_msg.as_deref(), Some("a \"quoted\" b"));
}

#[test]
fn python_reprs() {
    let text = r"{u'error_response': {u'sub_msg': u'\u4f1a\u8bdd', u'code': 27, u'msg': u'Invalid session'}}";
    let p = scan(text).unwrap();
    assert_eq!(style(text), Style::PythonRepr);
    assert_eq!(p.wrapper.as_deref(), Some("error_response"));
    assert_eq!(p.sub_msg.as_deref(), Some("会话"));
    assert_eq!(p.code, Some(27));
    let text = "errorcode=7 message=App Call Limited subcode=accesscontrol.x submsg=This ban will last for 45 more seconds application_host=1.2.3.4";
    let p = scan(text).unwrap();
    assert_eq!(style(text), Style::KeyValue);
    assert_eq!(
        fields(&p),
        (
            Some(7),
            Some("App Call Limited"),
            Some("accesscontrol.x"),
            Some("This ban will last for 45 more seconds"),
            None
        )
    );
}

#[test]
fn js_java_json_and_xml() {
    let p = scan("{ code: 25, msg: 'Invalid signature', request_id: 'u4e' }").unwrap();
    assert_eq!(
        fields(&p),
        (Some(25), Some("Invalid signature"), None, None, Some("u4e"))
    );
    let text = "TaobaoResponse[errorCode=27, msg=Invalid session, subCode=invalid-sessionkey, subMsg=SessionKey非法]";
    let p = scan(text).unwrap();
    assert_eq!(style(text), Style::JavaToString);
    assert_eq!(
        fields(&p),
        (
            Some(27),
            Some("Invalid session"),
            Some("invalid-sessionkey"),
            Some("SessionKey非法"),
            None
        )
    );
    let p = scan(r#"{"code":27,"msg":"Invalid session","sub_code":"x"#).unwrap();
    assert_eq!(p.code, Some(27));
    assert_eq!(p.msg.as_deref(), Some("Invalid session"));
    let p = scan("<error_response><code>530</code><msg><![CDATA[a<b]]></msg><args><arg><key>k</key><value>v</value></arg>").unwrap();
    assert_eq!(p.wrapper.as_deref(), Some("error_response"));
    assert_eq!(p.code, Some(530));
    assert_eq!(p.msg.as_deref(), Some("a<b"));
    assert_eq!(p.args, vec![("k".into(), "v".into())]);
}

#[test]
fn nothing_found() {
    assert_eq!(scan("Service Unavailable"), None);
    assert_eq!(scan(""), None);
}

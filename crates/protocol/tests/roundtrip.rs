//! Property: any payload tree and any error, rendered in every form, parses back to the same
//! value, up to what the form itself cannot carry (documented per form in `normalize`).

use proptest::prelude::*;
use topgate_protocol::parse::{parse, Outcome};
use topgate_protocol::render::{
    render_error, render_success, v1_fields, ErrorBody, Format, ResponseForm, Version,
};
use topgate_protocol::value::Value;

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}".prop_filter("reserved", |n| n != "request_id")
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        any::<String>(),
        Just("]]>".to_owned()),
        Just("a\r\nb".to_owned()),
        Just("  ".to_owned()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::int),
        text().prop_map(Value::Str),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec((name(), inner.clone()), 0..5).prop_map(|fields| {
                let mut seen = std::collections::HashSet::new();
                Value::Object(
                    fields
                        .into_iter()
                        .filter(|(k, _)| seen.insert(k.clone()))
                        .collect(),
                )
            }),
            (name(), prop::collection::vec(inner, 0..4))
                .prop_map(|(item, items)| Value::List { item, items }),
        ]
    })
}

fn fields() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec((name(), tree()), 0..5).prop_map(|fields| {
        let mut seen = std::collections::HashSet::new();
        fields
            .into_iter()
            .filter(|(k, _)| seen.insert(k.clone()))
            .collect()
    })
}

/// What each form can carry.
fn normalize(v: &Value, form: ResponseForm) -> Value {
    let xml = form.format == Format::Xml;
    let names_lost = form.simplify || form.version == Version::V1;
    match v {
        // XML has only text: numbers, booleans and null become their text.
        Value::Null if xml => Value::Str(String::new()),
        Value::Bool(b) if xml => Value::Str(b.to_string()),
        Value::Number(n) if xml => Value::Str(n.to_string()),
        Value::Str(s) if xml => Value::Str(
            s.chars()
                .map(|c| if xml_ok(c) { c } else { '\u{FFFD}' })
                .collect(),
        ),
        // An empty element is empty text, whatever it was meant to be.
        Value::Object(f) if xml && f.is_empty() => Value::Str(String::new()),
        Value::Object(f) => Value::Object(
            f.iter()
                .map(|(k, v)| (k.clone(), normalize(v, form)))
                .collect(),
        ),
        Value::List { item, items } => Value::List {
            // Plain arrays (simplified, v1 JSON) drop item names; an empty XML list has no item to name it.
            item: if (names_lost && !xml) || (xml && items.is_empty()) {
                String::new()
            } else {
                item.clone()
            },
            items: items.iter().map(|v| normalize(v, form)).collect(),
        },
        other => other.clone(),
    }
}

fn xml_ok(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn all_forms() -> Vec<ResponseForm> {
    vec![
        ResponseForm::new(Format::Json, Version::V2, false),
        ResponseForm::new(Format::Xml, Version::V2, false),
        ResponseForm::new(Format::Json, Version::V2, true),
        ResponseForm::new(Format::Json, Version::V1, false),
        ResponseForm::new(Format::Xml, Version::V1, false),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn success_round_trips(fields in fields(), rid in "[a-z0-9]{13}") {
        for form in all_forms() {
            let body = render_success(form, "taobao.demo.get", &fields, &rid);
            let parsed = parse(&body).map_err(|e| TestCaseError::fail(format!("{form:?}: {e}\n{}", String::from_utf8_lossy(&body))))?;
            let Outcome::Success(s) = parsed.outcome else { return Err(TestCaseError::fail("not a success")) };
            prop_assert_eq!(s.request_id.as_deref(), Some(rid.as_str()));
            let shaped = if form.version == Version::V1 { v1_fields(&fields) } else { fields.clone() };
            let expected = normalize(&Value::Object(shaped), form);
            let actual = normalize(&Value::Object(s.fields), form);
            prop_assert_eq!(actual, expected, "{:?}\n{}", form, String::from_utf8_lossy(&body));
        }
    }

    #[test]
    fn error_round_trips(
        code in any::<i64>(),
        msg in text(),
        sub_code in proptest::option::of("[a-z.-]{1,30}"),
        sub_msg in proptest::option::of(text()),
        args in prop::collection::vec((name(), text()), 0..6),
        rid in "[a-z0-9]{13}",
    ) {
        let error = ErrorBody { code, msg, sub_code, sub_msg, args, request_id: Some(rid) };
        for form in all_forms() {
            let body = render_error(form, &error);
            let parsed = parse(&body).map_err(|e| TestCaseError::fail(format!("{form:?}: {e}")))?;
            let Outcome::Error(e) = parsed.outcome else { return Err(TestCaseError::fail("not an error")) };
            let fix = |s: &str| if form.format == Format::Xml { s.chars().map(|c| if xml_ok(c) { c } else { '\u{FFFD}' }).collect() } else { s.to_owned() };
            prop_assert_eq!(e.code, error.code);
            prop_assert_eq!(&e.msg, &fix(&error.msg));
            prop_assert_eq!(&e.request_id, &error.request_id);
            if form.version == Version::V2 {
                prop_assert_eq!(&e.sub_code, &error.sub_code);
                prop_assert_eq!(e.sub_msg, error.sub_msg.as_deref().map(fix));
                let args: Vec<_> = error.args.iter().map(|(k, v)| (k.clone(), fix(v))).collect();
                prop_assert_eq!(e.args, args);
            } else if form.format == Format::Xml {
                let args: Vec<_> = error.args.iter().map(|(k, v)| (k.clone(), fix(v))).collect();
                prop_assert_eq!(e.args, args);
            }
        }
    }

    #[test]
    fn garbage_never_panics(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(&body);
    }

    #[test]
    fn xmlish_garbage_never_panics(body in "<[a-z_]{1,5}( list=\"true\")?>(<[a-z]{1,3}>[^<]{0,5}</[a-z]{1,3}>|<!\\[CDATA\\[.{0,5}\\]\\]>|&[a-z#0-9]{0,5};?){0,6}(</[a-z_]{1,5}>)?") {
        let _ = parse(body.as_bytes());
    }
}

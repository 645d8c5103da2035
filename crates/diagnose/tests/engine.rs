//! The engine beyond the corpus: saved files (ban end time, URL, sent parameters), transport
//! errors, archived calls, JSON output, and no panic on any cut of any corpus body.

use topgate_diagnose::{
    diagnose, diagnose_archived, ArchivedCall, Class, Evidence, FindingKind, Lang, MismatchBranch,
};

fn saved(json: &str) -> Evidence {
    Evidence::from_saved_file(json.as_bytes()).expect("saved file")
}

#[test]
fn a_ban_says_when_it_ends() {
    let e = saved(
        r#"{"saved_at":"2026-03-05T18:00:00+08:00","api":"taobao.item.get","status":200,
        "requested_format":"json","body":"{\"error_response\":{\"code\":7,\"msg\":\"App Call Limited\",\"sub_code\":\"accesscontrol.limited-by-app-access-count\",\"sub_msg\":\"This ban will last for 90 more seconds\",\"request_id\":\"abcdefabcdef1\"}}"}"#,
    );
    let d = diagnose(&e);
    assert_eq!(d.class, Class::FlowControl);
    assert_eq!(d.wait_seconds, Some(90));
    assert_eq!(d.retry_at.as_deref(), Some("2026-03-05 18:01:30"));
    assert!(d.render_text(Lang::En).contains("2026-03-05 18:01:30"));
    assert!(d.render_text(Lang::Zh).contains("2026-03-05 18:01:30"));
    let json = d.to_json();
    assert_eq!(json["wait_seconds"], 90);
    assert_eq!(json["retryable"], true);
    assert!(json["remedy"]["en"]
        .as_str()
        .unwrap()
        .contains("90 seconds"));
    assert!(json["cause"]["zh"].is_string());
}

#[test]
fn a_404_names_a_wrong_path() {
    let e = saved(
        r#"{"url":"http://gw.example.com/router/rst?x=1","status":404,"body":"<html><title>404 Not Found</title></html>"}"#,
    );
    let d = diagnose(&e);
    assert_eq!(d.class, Class::Connection);
    assert!(!d.retryable);
    assert!(d.suspicious.contains(&"url".to_string()));
    assert!(d.render_text(Lang::En).contains("/router/rst"));
}

#[test]
fn no_response_at_all() {
    let d = diagnose(&saved(
        r#"{"url":"http://h/router/rest","error":"connection refused"}"#,
    ));
    assert_eq!(d.class, Class::Connection);
    assert!(d.retryable);
    assert!(d.facts.iter().any(|f| f.contains("connection refused")));
}

#[test]
fn sent_parameters_missing_from_the_echo() {
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\" ?><error_response><args list=\"true\"><arg><key>method</key><value>taobao.item.update</value></arg></args><code>41</code><msg>Invalid arguments:num_iid</msg><request_id>abcabcabcabc1</request_id></error_response>";
    let mut e = Evidence::from_body(body);
    e.requested_format = Some(topgate_diagnose::Format::Json);
    e.params = vec![
        ("num_iid".into(), "1".into()),
        ("desc".into(), "x".repeat(5000)),
    ];
    e.files = vec![("image".into(), 3 * 1024 * 1024)];
    let d = diagnose(&e);
    let m = d.mismatch.as_ref().expect("mismatch");
    assert_eq!(m.branch, MismatchBranch::SizeOrNetwork);
    for want in [
        "args lack num_iid",
        "args lack image",
        "large file image",
        "long parameter desc",
    ] {
        assert!(
            m.facts.iter().any(|f| f.contains(want)),
            "{want}: {:?}",
            m.facts
        );
    }
}

#[test]
fn a_timestamp_hours_off_the_saved_time() {
    let e = saved(
        r#"{"saved_at":"2021-03-05 18:03:20","requested_format":"xml","status":200,
        "body":"<error_response><args list=\"true\"><arg><key>timestamp</key><value>2021-03-05 10:03:06</value></arg></args><code>31</code><msg>Invalid timestamp</msg></error_response>"}"#,
    );
    let d = diagnose(&e);
    assert!(
        d.suspicious.contains(&"timestamp".to_string()),
        "{:?}",
        d.findings
    );
    assert!(d.render_text(Lang::En).contains("8 hours behind"));
}

#[test]
fn garbage_without_a_requested_format_is_unknown() {
    let d = diagnose(&Evidence::from_body(
        &b"\x00\x01\x02 nothing here \xff\xfe"[..],
    ));
    assert_eq!(d.class, Class::Unknown);
    assert!(!d.render_text(Lang::En).is_empty());
}

#[test]
fn archived_signature_failure() {
    let record: ArchivedCall = serde_json::from_str(
        r#"{"request_id":"r1","received_at_ms":"1767225600000","client_addr":"10.0.0.8:5555",
        "app_key":"12345678","method":"taobao.time.get","version":"2.0","format":"xml",
        "sign_method":null,"params":{"app_key":"12345678","method":"taobao.time.get"},
        "failed_check":"signature","check_detail":"the sign does not match",
        "string_to_sign":"app_key12345678methodtaobao.time.get","code":25,
        "response_body":"","latency_ms":0.3,"unknown_field":true}"#,
    )
    .expect("record");
    let d = diagnose_archived(&record);
    assert_eq!(d.class, Class::Platform);
    assert_eq!(d.code, Some(25));
    assert_eq!(d.msg.as_deref(), Some("Invalid signature"));
    assert_eq!(d.request_id.as_deref(), Some("r1"));
    assert_eq!(d.args.len(), 2);
    let server: Vec<&str> = d
        .findings_of(FindingKind::Server)
        .map(|f| f.en.as_str())
        .collect();
    assert!(server
        .iter()
        .any(|s| s.contains("app_key12345678methodtaobao.time.get")));
    assert!(server.iter().any(|s| s.contains("the sign does not match")));
    assert!(server.iter().any(|s| s.contains("no backend was called")));
    assert!(d.render_text(Lang::Zh).contains("服务端"));
}

#[test]
fn archived_backend_answer() {
    let record = ArchivedCall {
        request_id: "r2".into(),
        response_body: r#"{"error_response":{"code":530,"msg":"Remote service timeout","sub_code":"isp.remote-service-timeout","request_id":"r2"}}"#.into(),
        backend: Some("http://items:8080".into()),
        backend_latency_ms: Some(3000.0),
        backend_answer: Some("timed out after 3000 ms".into()),
        ..ArchivedCall::default()
    };
    let d = diagnose_archived(&record);
    assert_eq!(d.class, Class::Provider);
    assert!(d.retryable);
    let text = d.render_text(Lang::En);
    assert!(
        text.contains("http://items:8080") && text.contains("3000.0 ms"),
        "{text}"
    );
}

/// Every prefix of every corpus body (a body cut anywhere) is diagnosed without a panic.
#[test]
fn any_cut_of_any_corpus_body() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let Ok(dirs) = std::fs::read_dir(&root) else {
        return;
    };
    for dir in dirs.filter_map(Result::ok) {
        let Ok(body) = std::fs::read(dir.path().join("body")) else {
            continue;
        };
        let step = (body.len() / 150).max(1);
        for n in (0..=body.len()).step_by(step) {
            let e = Evidence::from_body(&body[..n]);
            let d = diagnose(&e);
            let _ = d.render_text(Lang::Zh);
            let _ = d.to_json();
        }
    }
}

//! The human output, in both languages, for representative corpus cases: one golden file per
//! case and language under `tests/golden/<case>.<lang>.txt`. `UPDATE_GOLDEN=1` rewrites them.

use std::path::Path;

use topgate_diagnose::{diagnose, Evidence, Format, Lang};

/// Platform, business, provider, ban, each mismatch branch, connection 404/502, pasted
/// PHP/Python/JS, truncated, legacy v1, unknown code.
const CASES: &[&str] = &[
    "030-platform-31-invalid-timestamp-xml",
    "043-business-530-missing-parameter-seed-bare-json",
    "048-provider-520-remote-service-error-json",
    "005-flow-7-app-access-count-json",
    "087-mismatch-seed-json-asked-xml-success-1115",
    "090-mismatch-json-asked-xml-43-large-upload",
    "092-mismatch-json-asked-xml-23-invalid-format",
    "095-mismatch-json-asked-html-gateway-200",
    "097-connection-404-nginx-html",
    "099-connection-502-tengine-html",
    "109-pasted-php-print-r-stdclass",
    "113-pasted-python2-unicode-repr",
    "115-pasted-node-console-log",
    "104-damaged-json-error-cut-mid-utf8",
    "074-v1-550-user-service-unavailable-json",
    "064-business-777-unknown-code-json",
];

#[derive(serde::Deserialize)]
struct Case {
    requested_format: Option<String>,
    http_status: Option<u16>,
    method: Option<String>,
}

fn evidence(dir: &Path) -> Evidence {
    let case: Case = toml::from_str(&std::fs::read_to_string(dir.join("case.toml")).unwrap())
        .expect("case.toml");
    let mut e = Evidence::from_body(std::fs::read(dir.join("body")).unwrap());
    e.requested_format = case
        .requested_format
        .as_deref()
        .and_then(|f| Format::parse(Some(f)));
    e.http_status = case.http_status;
    e.method = case.method;
    e
}

#[test]
fn golden_text() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for case in CASES {
        let dir = root.join("corpus").join(case);
        if !dir.is_dir() {
            eprintln!("golden: corpus case {case} is missing; skipped");
            continue;
        }
        let d = diagnose(&evidence(&dir));
        for (lang, tag) in [(Lang::Zh, "zh"), (Lang::En, "en")] {
            let text = d.render_text(lang);
            let path = root.join("golden").join(format!("{case}.{tag}.txt"));
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(want) if want == text => {}
                Ok(want) => stale.push(format!(
                    "{}: differs\n--- expected\n{want}\n--- got\n{text}",
                    path.display()
                )),
                Err(_) => stale.push(format!("{}: missing", path.display())),
            }
        }
    }
    assert!(
        stale.is_empty(),
        "golden files out of date (rerun with UPDATE_GOLDEN=1 and review the diff):\n{}",
        stale.join("\n")
    );
}

//! Runs every case of the diagnosis corpus (`tests/corpus/<case>/{body,case.toml}`, schema in
//! `tests/corpus/README.md`) and checks each `[expect]` field against the diagnosis.
//!
//! An omitted field means "none" (README.md): a case without `code` must be diagnosed with no
//! code, one without `request_id` with none recovered, and so on. Each `facts` entry must show
//! in the diagnosis's facts (case-insensitive; for `name=value`, an entry holding both).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use topgate_diagnose::{diagnose, form_name, Diagnosis, Evidence, Format};

#[derive(Debug, Deserialize)]
struct Case {
    #[allow(dead_code)]
    description: String,
    requested_format: Option<String>,
    http_status: Option<u16>,
    method: Option<String>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
struct Expect {
    class: String,
    actual_format: String,
    form: Option<String>,
    code: Option<i64>,
    sub_code: Option<String>,
    sub_msg: Option<String>,
    msg: Option<String>,
    request_id: Option<String>,
    wait_seconds: Option<u64>,
    retryable: bool,
    guessed: bool,
    known: Option<bool>,
    response_key: Option<String>,
    mismatch_inner: Option<String>,
    mismatch_branch: Option<String>,
    #[serde(default)]
    facts: Vec<String>,
}

pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Case directories, sorted.
pub fn cases() -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(corpus_dir()) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("case.toml").is_file() && p.join("body").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn load(dir: &Path) -> (Case, Evidence) {
    let toml_text = std::fs::read_to_string(dir.join("case.toml")).expect("case.toml");
    let case: Case =
        toml::from_str(&toml_text).unwrap_or_else(|e| panic!("{}: case.toml: {e}", dir.display()));
    let mut e = Evidence::from_body(std::fs::read(dir.join("body")).expect("body"));
    e.requested_format = case
        .requested_format
        .as_deref()
        .and_then(|f| Format::parse(Some(f)));
    e.http_status = case.http_status;
    e.method = case.method.clone();
    (case, e)
}

fn fact_shown(fact: &str, d: &Diagnosis) -> bool {
    let facts: Vec<String> = d.facts.iter().map(|f| f.to_lowercase()).collect();
    let fact = fact.to_lowercase();
    if facts.iter().any(|f| f.contains(&fact)) {
        return true;
    }
    match fact.split_once('=') {
        Some((name, value)) => facts
            .iter()
            .any(|f| f.contains(name.trim()) && f.contains(value.trim())),
        None => false,
    }
}

fn check(case: &Case, d: &Diagnosis) -> Vec<String> {
    let x = &case.expect;
    let mut bad = Vec::new();
    let mut eq = |what: &str, want: String, got: String| {
        if want != got {
            bad.push(format!("{what}: expected {want}, got {got}"));
        }
    };
    eq("class", x.class.clone(), d.class.as_str().to_string());
    eq(
        "actual_format",
        x.actual_format.clone(),
        d.actual_format.as_str().to_string(),
    );
    eq(
        "form",
        format!("{:?}", x.form),
        format!("{:?}", d.form.map(form_name)),
    );
    eq("code", format!("{:?}", x.code), format!("{:?}", d.code));
    eq(
        "sub_code",
        format!("{:?}", x.sub_code),
        format!("{:?}", d.sub_code),
    );
    eq(
        "sub_msg",
        format!("{:?}", x.sub_msg),
        format!("{:?}", d.sub_msg),
    );
    eq("msg", format!("{:?}", x.msg), format!("{:?}", d.msg));
    eq(
        "request_id",
        format!("{:?}", x.request_id),
        format!("{:?}", d.request_id),
    );
    eq(
        "wait_seconds",
        format!("{:?}", x.wait_seconds),
        format!("{:?}", d.wait_seconds),
    );
    eq(
        "retryable",
        x.retryable.to_string(),
        d.retryable.to_string(),
    );
    eq("guessed", x.guessed.to_string(), d.guessed.to_string());
    eq(
        "known",
        x.known.unwrap_or(true).to_string(),
        d.known.to_string(),
    );
    eq(
        "response_key",
        format!("{:?}", x.response_key),
        format!("{:?}", d.response_key),
    );
    let inner = d.mismatch.as_ref().map(|m| m.inner.as_str().to_string());
    let branch = d.mismatch.as_ref().map(|m| m.branch.as_str().to_string());
    eq(
        "mismatch_inner",
        format!("{:?}", x.mismatch_inner),
        format!("{inner:?}"),
    );
    eq(
        "mismatch_branch",
        format!("{:?}", x.mismatch_branch),
        format!("{branch:?}"),
    );
    for fact in &x.facts {
        if !fact_shown(fact, d) {
            bad.push(format!("fact {fact:?} not in {:?}", d.facts));
        }
    }
    bad
}

#[test]
fn corpus() {
    let dirs = cases();
    if dirs.is_empty() {
        eprintln!(
            "corpus: no cases under {} yet; nothing to check",
            corpus_dir().display()
        );
        return;
    }
    let mut failures = Vec::new();
    for dir in &dirs {
        let (case, evidence) = load(dir);
        let d = diagnose(&evidence);
        let bad = check(&case, &d);
        if !bad.is_empty() {
            let name = dir.file_name().unwrap_or_default().to_string_lossy();
            failures.push(format!("{name}:\n    {}", bad.join("\n    ")));
        }
        // Every case renders in both languages and as JSON without panicking.
        let _ = d.render_text(topgate_diagnose::Lang::Zh);
        let _ = d.render_text(topgate_diagnose::Lang::En);
        let _ = d.to_json();
    }
    let passed = dirs.len() - failures.len();
    eprintln!("corpus: {passed}/{} cases pass", dirs.len());
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases fail:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

//! How `topgate archive` prints records for people: one call in full, or one line per call.

use std::fmt::Write;

use topgate_protocol::errors::{Lang, PlatformError, ProductLine};
use topgate_protocol::time::format_gmt8;
use topgate_store::archive::CallRecord;

/// "2026-11-25 12:00:00.123" in GMT+8, the platform's clock.
pub fn time(ms: i64) -> String {
    format!("{}.{:03}", format_gmt8(ms), ms.rem_euclid(1000))
}

/// What a code means: "Invalid signature", or the product line of a business error.
fn code_meaning(code: i64) -> String {
    if let Some(p) = PlatformError::from_code(code) {
        return format!("platform error: {}", p.wire_msg(None));
    }
    match ProductLine::from_code(code) {
        Some(line) => format!("business error of the {} line", line.name().get(Lang::En)),
        None => "error".into(),
    }
}

fn or_dash(v: Option<&str>) -> &str {
    v.unwrap_or("-")
}

/// One call in full: who called what, which check failed and why, what the server signed, the
/// parameters it received, the timings, then the response body as sent.
pub fn show(r: &CallRecord) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<15}{value}");
    };
    line("request id", &r.request_id);
    line("time", &format!("{} (GMT+8)", time(r.received_at_ms)));
    line(
        "client",
        &format!(
            "{} (HTTP {})",
            or_dash(r.client_addr.as_deref()),
            r.http_method
        ),
    );
    line("app", or_dash(r.app_key.as_deref()));
    line("method", or_dash(r.method.as_deref()));
    line(
        "envelope",
        &format!(
            "v={}  format={}  sign_method={}",
            or_dash(r.version.as_deref()),
            or_dash(r.format.as_deref()),
            or_dash(r.sign_method.as_deref())
        ),
    );
    match r.code {
        None => line("result", "success"),
        Some(code) => {
            let sub = r
                .sub_code
                .as_deref()
                .map(|s| format!(", sub_code {s}"))
                .unwrap_or_default();
            line(
                "result",
                &format!("code {code}{sub} ({})", code_meaning(code)),
            );
        }
    }
    if let Some(check) = &r.failed_check {
        line("failed check", check);
    }
    if let Some(why) = &r.check_detail {
        line("why", why);
    }
    line("latency", &format!("{:.3} ms", r.latency_ms));
    match (&r.backend, r.backend_latency_ms) {
        (Some(b), Some(ms)) => line("backend", &format!("{b}, {ms:.3} ms")),
        (Some(b), None) => line("backend", b),
        (None, Some(ms)) => line("backend", &format!("(no answer), {ms:.3} ms")),
        (None, None) => line("backend", "- (not called)"),
    }
    if let Some(signed) = &r.string_to_sign {
        let _ = writeln!(
            out,
            "\nstring to sign (what the server signed; compare with yours)"
        );
        let _ = writeln!(out, "  {signed}");
    }
    let _ = writeln!(out, "\nparameters received ({})", r.params.len());
    let width = r
        .params
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in &r.params {
        let _ = writeln!(out, "  {k:<width$}  {v}");
    }
    let _ = writeln!(
        out,
        "\nresponse body ({} bytes as archived)",
        r.response_body.len()
    );
    out.push_str(&r.response_body);
    if !r.response_body.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The header of [`list_line`]'s table.
pub fn list_header() -> String {
    format!(
        "{:<23}  {:<13}  {:<10}  {:<28}  {:<32}  {:>9}",
        "TIME (GMT+8)", "REQUEST ID", "APP", "METHOD", "RESULT", "MS"
    )
}

/// One call on one line: time, request id, app, method, result, latency.
pub fn list_line(r: &CallRecord) -> String {
    let result = match (r.code, &r.sub_code, &r.failed_check) {
        (None, _, _) => "ok".to_owned(),
        (Some(c), Some(sub), _) => format!("{c} {sub}"),
        (Some(c), None, Some(check)) => format!("{c} {check}"),
        (Some(c), None, None) => c.to_string(),
    };
    format!(
        "{:<23}  {:<13}  {:<10}  {:<28}  {:<32}  {:>9.3}",
        time(r.received_at_ms),
        r.request_id,
        or_dash(r.app_key.as_deref()),
        or_dash(r.method.as_deref()),
        result,
        r.latency_ms
    )
}

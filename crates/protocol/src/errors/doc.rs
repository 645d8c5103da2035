//! Renders the catalog as `docs/errors.md`. The test `errors_catalog` keeps the file equal to
//! [`errors_markdown`] (and rewrites it when `UPDATE_GOLDEN=1` is set).

use super::{
    ban_message, legacy, legacy_for, legacy_msg, legacy_unavailable, PlatformError, ProductLine,
    SubCode, SubFamily, LEGACY, REMOTE_SERVICE_ERROR, REMOTE_SERVICE_TIMEOUT,
};

/// The first line of `docs/errors.md`.
pub const ERRORS_MD_HEADER: &str = "Generated from crates/protocol/src/errors by `UPDATE_GOLDEN=1 cargo test -p topgate-protocol --test errors_catalog`; do not edit.";

/// A table cell: `|` escaped, line breaks flattened.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

/// A cell shown as code.
fn code_cell(s: &str) -> String {
    format!("`{}`", cell(s))
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out.push('\n');
}

fn yes_no(b: bool) -> String {
    (if b { "yes" } else { "no" }).to_string()
}

/// Whether a flow-control sub code is topgate's own spelling rather than a documented one.
fn topgate_spelling(code: SubCode) -> bool {
    matches!(
        code,
        SubCode::LimitedByAppFrequency
            | SubCode::LimitedByUserAccessCount
            | SubCode::LimitedBySessionAccessCount
            | SubCode::LimitedByPartnerAccessCount
    )
}

/// The whole of `docs/errors.md`.
pub fn errors_markdown() -> String {
    let mut out = String::new();
    out.push_str(ERRORS_MD_HEADER);
    out.push_str("\n\n# The error catalog\n\n");
    out.push_str(
        "Every error topgate answers or a client can receive. Source: `ERRORS.md` and the seed; \
         the tables below are rendered from `crates/protocol/src/errors`.\n\n",
    );
    platform_section(&mut out);
    lines_section(&mut out);
    sub_codes_section(&mut out);
    flow_control_section(&mut out);
    legacy_section(&mut out);
    mapping_section(&mut out);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn platform_section(out: &mut String) {
    out.push_str("## 1. Platform errors (code < 100)\n\n");
    out.push_str(
        "`msg` is the wire message; codes 40 and 41 append `:<name>` of the parameter. \
         \"retryable\" means the same request may succeed later, unchanged.\n\n",
    );
    let rows: Vec<Vec<String>> = PlatformError::ALL
        .iter()
        .map(|e| {
            let s = e.spec();
            let wire = if s.takes_detail {
                format!("{}:<name>", s.wire_msg)
            } else {
                s.wire_msg.to_string()
            };
            vec![
                s.code.to_string(),
                code_cell(&wire),
                s.class.as_str().to_string(),
                s.fault.as_str().to_string(),
                yes_no(s.retryable),
                cell(s.meaning.zh),
                cell(s.meaning.en),
                cell(s.remedy.zh),
                cell(s.remedy.en),
            ]
        })
        .collect();
    let head = [
        "code",
        "wire msg",
        "class",
        "fault",
        "retryable",
        "含义",
        "meaning",
        "解决方法",
        "remedy",
    ];
    table(out, &head, &rows);
}

fn lines_section(out: &mut String) {
    out.push_str("## 2. Product lines (v2 business codes)\n\n");
    out.push_str(&format!(
        "A business error has `code` = the product line's code, `msg` = `{REMOTE_SERVICE_ERROR}` \
         (`{REMOTE_SERVICE_TIMEOUT}` for a timeout), and the cause in `sub_code`/`sub_msg`.\n\n"
    ));
    let rows: Vec<Vec<String>> = ProductLine::ALL
        .iter()
        .map(|l| {
            vec![
                l.code().to_string(),
                code_cell(l.slug()),
                cell(l.name().zh),
                cell(l.name().en),
                code_cell(&l.unavailable_sub_code()),
            ]
        })
        .collect();
    let head = [
        "code",
        "slug",
        "名称",
        "name",
        "provider unavailable sub code",
    ];
    table(out, &head, &rows);
}

fn sub_codes_section(out: &mut String) {
    out.push_str("## 3. Sub codes\n\n");
    out.push_str(
        "Sent with a family prefix: `isv.` (the caller's fault), `isp.` (the provider's), \
         `accesscontrol.` (flow control). Readers also accept them bare (`missing-parameter`, as \
         the seed writes them), in any case, with `_` for `-`, and with a `:detail` suffix \
         (`isv.invalid-parameter:trade_id:P07`). Backends may add their own \
         `isv.<kebab-name>[:detail]` sub codes; the gateway passes them through. Code 27's two \
         sub codes are sent bare, as TOP sends them (`invalid-sessionkey`, `session-expired`).\n\n",
    );
    let rows: Vec<Vec<String>> = SubCode::all()
        .into_iter()
        .map(|c| {
            let s = c.spec();
            vec![
                code_cell(&c.as_string()),
                cell(s.meaning.zh),
                cell(s.meaning.en),
                cell(s.remedy.zh),
                cell(s.remedy.en),
                s.fault.as_str().to_string(),
                yes_no(s.retryable),
            ]
        })
        .collect();
    let head = [
        "sub_code",
        "含义",
        "meaning",
        "解决方法",
        "remedy",
        "fault",
        "retryable",
    ];
    table(out, &head, &rows);
}

fn flow_control_section(out: &mut String) {
    out.push_str("## 4. Flow control\n\n");
    out.push_str(&format!(
        "Codes 4-8 tell the client when to come back: `sub_msg` is exactly `{}` (N an integer \
         ≥ 1, the seconds left; e.g. `{}`). Clients in the wild parse that sentence. A response \
         is flow control when its code is 4-8, its sub code is `accesscontrol.*`, or its \
         `sub_msg` carries the sentence.\n\n",
        ban_message(1).replace(" 1 ", " N "),
        ban_message(30),
    ));
    let rows: Vec<Vec<String>> = SubCode::all()
        .into_iter()
        .filter(|c| c.family() == SubFamily::AccessControl)
        .map(|c| {
            let (code, wire) = match c.flow_control_code() {
                Some(e) => (e.code().to_string(), code_cell(e.spec().wire_msg)),
                None => (String::new(), String::new()),
            };
            let source = if topgate_spelling(c) {
                "topgate's own spelling"
            } else {
                "ERRORS.md"
            };
            vec![
                code_cell(&c.as_string()),
                code,
                wire,
                cell(c.spec().meaning.en),
                source.to_string(),
            ]
        })
        .collect();
    let head = ["sub_code", "code", "msg", "meaning", "source"];
    table(out, &head, &rows);
}

fn legacy_section(out: &mut String) {
    out.push_str("## 5. Legacy v1 business codes\n\n");
    let example = legacy(551).map(|c| legacy_msg(c, "获取单个商品失败"));
    out.push_str(&format!(
        "v1 has no sub codes: the code itself is specific, and `msg` is the wire message, a colon \
         and the detail (`{}`).\n\n",
        example.unwrap_or_default()
    ));
    let rows: Vec<Vec<String>> = LEGACY
        .iter()
        .map(|c| {
            vec![
                c.code.to_string(),
                code_cell(c.wire_msg),
                cell(c.meaning.zh),
                cell(c.meaning.en),
                cell(c.remedy.zh),
                cell(c.remedy.en),
            ]
        })
        .collect();
    let head = ["code", "wire msg", "含义", "meaning", "解决方法", "remedy"];
    table(out, &head, &rows);
}

fn mapping_section(out: &mut String) {
    out.push_str("## 6. v2 to v1 mapping\n\n");
    out.push_str("A v2 business error answered in the v1 format takes this code:\n\n");
    let mut rows = Vec::new();
    for c in SubCode::all() {
        // Flow-control sub codes, the counter store's and code 27's come with platform codes
        // (4-8, 10, 27), which v1 keeps as they are: no business mapping.
        if matches!(
            c,
            SubCode::ServiceUnavailable(_) | SubCode::CounterStoreUnavailable
        ) || matches!(c.family(), SubFamily::AccessControl | SubFamily::Bare)
        {
            continue;
        }
        let s = c.as_string();
        let default = legacy_for(ProductLine::Item, &s);
        let exceptions: Vec<String> = ProductLine::ALL
            .iter()
            .filter_map(|&l| {
                let v1 = legacy_for(l, &s);
                (v1.code != default.code).then(|| format!("{}: {}", l.slug(), v1.code))
            })
            .collect();
        let code = if exceptions.is_empty() {
            default.code.to_string()
        } else {
            format!("{} ({})", default.code, exceptions.join(", "))
        };
        rows.push(vec![code_cell(&s), code, code_cell(default.wire_msg)]);
    }
    table(out, &["v2 sub code", "v1 code", "v1 msg"], &rows);
    out.push_str(
        "`isp.<x>-service-unavailable`, flow-control and any other or unknown sub code take the \
         \"service unavailable\" code of the call's product line:\n\n",
    );
    let rows: Vec<Vec<String>> = ProductLine::ALL
        .iter()
        .map(|&l| {
            let v1 = legacy_for(l, "isv.not-in-the-catalog");
            let note = if legacy_unavailable(l).is_some() {
                ""
            } else {
                " (no line code)"
            };
            vec![
                format!("{} {}", cell(l.name().en), cell(l.name().zh)),
                l.code().to_string(),
                format!("{}{note}", v1.code),
                code_cell(v1.wire_msg),
            ]
        })
        .collect();
    table(
        out,
        &["product line", "v2 code", "v1 code", "v1 msg"],
        &rows,
    );
}

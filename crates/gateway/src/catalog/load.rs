//! The catalog loader: TOML text to a [`Catalog`], or every problem with its line and column.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use toml_edit::ImDocument;
use topgate_protocol::errors::ProductLine;

use super::model::{
    ApiLimits, ApiSpec, BackendRef, HttpBackendSpec, SessionNeed, DEFAULT_MAX_IDLE, DEFAULT_TIMEOUT,
};
use super::params::{parse_param, parse_rule};
use super::reader::{Fields, Report};
use super::{Catalog, CatalogErrors};

const API_KEYS: &[&str] = &[
    "name",
    "line",
    "backend",
    "session",
    "package",
    "partners",
    "timeout_ms",
    "summary",
    "limits",
    "params",
    "rules",
];

const API_NAME_SYNTAX: &str =
    "use dotted lower-case [a-z0-9_]+ segments, at least two (e.g. taobao.item.get)";

/// Parses a catalog; `file` labels the problems.
pub(super) fn parse(text: &str, file: &str) -> Result<Catalog, CatalogErrors> {
    let mut r = Report::new(text, file);
    let doc = match ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let message = e.message().trim().replace('\n', "; ");
            r.add(&e.span(), format!("TOML syntax error: {message}"));
            return Err(r.into_errors());
        }
    };
    let root = Fields::new(doc.as_table(), Some(0..0), "catalog".into());
    root.only(&["backends", "api"], &mut r);

    let mut backends = BTreeMap::new();
    // Every declared backend name, broken ones included, so that APIs using one are not also
    // reported.
    let mut backend_names = vec!["demo"];
    if let Some(field) = root.get("backends") {
        if let Some(table) = field.table("[backends]".into(), &mut r) {
            backend_names.extend(table.keys());
            parse_backends(&table, &mut r, &mut backends);
        }
    }

    let mut apis = HashMap::new();
    let mut first_line: HashMap<&str, usize> = HashMap::new();
    if let Some(field) = root.get("api") {
        for (i, (table, span)) in field
            .tables(&mut r)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            if let Some((key, name)) = table.get_key_value("name") {
                if let Some(name) = name.as_str() {
                    let at = key.span().or(span.clone());
                    let line = r.position(at.as_ref().map_or(0, |s| s.start)).0;
                    if let Some(first) = first_line.get(name) {
                        r.add(
                            &at,
                            format!("duplicate API name `{name}` (first declared at line {first})"),
                        );
                        continue;
                    }
                    first_line.insert(name, line);
                }
            }
            let fields = Fields::new(table, span, format!("api #{}", i + 1));
            if let Some(api) = parse_api(fields, &backend_names, &mut r) {
                apis.insert(api.name.clone(), Arc::new(api));
            }
        }
    }

    if r.is_empty() {
        Ok(Catalog { apis, backends })
    } else {
        Err(r.into_errors())
    }
}

/// A backend name: lower-case `[a-z0-9_-]+`.
fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// `taobao.item.get`: at least two `[a-z0-9_]+` segments.
fn is_api_name(s: &str) -> bool {
    let segments: Vec<&str> = s.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

fn parse_backends(table: &Fields, r: &mut Report, out: &mut BTreeMap<String, HttpBackendSpec>) {
    for name in table.keys() {
        let Some(field) = table.get(name) else {
            continue;
        };
        if name == "demo" {
            r.add(
                &field.key_span,
                "[backends.demo]: `demo` is the built-in backend's name; choose another",
            );
        } else if !is_slug(name) {
            r.add(
                &field.key_span,
                format!("[backends.{name}]: a backend name must be lower-case [a-z0-9_-]+"),
            );
        }
        let ctx = format!("[backends.{name}]");
        let Some(b) = field.table(ctx, r) else {
            continue;
        };
        b.only(&["url", "timeout_ms", "max_idle"], r);
        let url = b.require("url", r).and_then(|f| {
            let url = f.text(r)?;
            match check_url(url) {
                Ok(()) => Some(url.to_owned()),
                Err(why) => {
                    f.problem(r, why);
                    None
                }
            }
        });
        let timeout = b.get("timeout_ms").map(|f| f.int_at_least(1, r));
        let max_idle = b.get("max_idle").map(|f| f.int_at_least(0, r));
        if let (Some(url), Some(timeout), Some(max_idle)) = (
            url,
            timeout.unwrap_or(Some(DEFAULT_TIMEOUT.as_millis() as u64)),
            max_idle.unwrap_or(Some(DEFAULT_MAX_IDLE as u64)),
        ) {
            out.insert(
                name.to_owned(),
                HttpBackendSpec {
                    name: name.to_owned(),
                    url,
                    timeout: Duration::from_millis(timeout),
                    max_idle: usize::try_from(max_idle).unwrap_or(usize::MAX),
                },
            );
        }
    }
}

/// `http://host[:port][/path]`; https and anything else are refused for now.
fn check_url(url: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("http://") else {
        return Err(if url.starts_with("https://") {
            "must start with http:// (https backends are not supported)".into()
        } else {
            format!("must be an http:// URL, found {url:?}")
        });
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = match authority.strip_prefix('[') {
        // [::1]:9100
        Some(v6) => match v6.split_once(']') {
            Some((h, "")) => (h, None),
            Some((h, p)) => (h, Some(p.strip_prefix(':').unwrap_or(p))),
            None => ("", None),
        },
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if host.is_empty() || url.chars().any(char::is_whitespace) || authority.contains('@') {
        return Err(format!("must be http://host[:port][/path], found {url:?}"));
    }
    if let Some(p) = port {
        if p.parse::<u16>().map_or(true, |p| p == 0) {
            return Err(format!("has an invalid port {p:?}"));
        }
    }
    Ok(())
}

/// One `[[api]]`; `None` when a required part is missing or broken (the problems are reported).
fn parse_api(mut t: Fields, backends: &[&str], r: &mut Report) -> Option<ApiSpec> {
    let name = t.require("name", r).and_then(|f| {
        let name = f.text(r)?;
        if !is_api_name(name) {
            f.problem(
                r,
                format!("{name:?} is not a valid API name: {API_NAME_SYNTAX}"),
            );
        }
        Some(name.to_owned())
    });
    if let Some(name) = &name {
        t.ctx = format!("api {name}");
    }
    t.only(API_KEYS, r);
    let line = t.require("line", r).and_then(|f| {
        let slug = f.text(r)?;
        let line = ProductLine::from_slug(slug);
        if line.is_none() {
            let valid: Vec<&str> = ProductLine::ALL.iter().map(|l| l.slug()).collect();
            let valid = valid.join(", ");
            f.problem(
                r,
                format!("{slug:?} is not a product line (valid: {valid})"),
            );
        }
        line
    });
    let backend = t.require("backend", r).and_then(|f| {
        let b = f.text(r)?;
        if b == "demo" {
            Some(BackendRef::Demo)
        } else if backends.contains(&b) {
            Some(BackendRef::Http(b.to_owned()))
        } else {
            let known = backends.join(", ");
            f.problem(
                r,
                format!("{b:?} is not a declared backend (declared: {known})"),
            );
            None
        }
    });
    let session = match t.get("session") {
        None => Some(SessionNeed::None),
        Some(f) => f.str(r).and_then(|s| {
            let need = SessionNeed::parse(s);
            if need.is_none() {
                f.problem(
                    r,
                    format!("must be \"none\", \"optional\" or \"required\", found {s:?}"),
                );
            }
            need
        }),
    };
    let package = t.get("package").map(|f| f.text(r).map(str::to_owned));
    let partners = t.get("partners").map(|f| {
        f.strings(r)
            .map(|list| list.into_iter().map(|(s, _)| s).collect::<Vec<_>>())
    });
    let timeout = t
        .get("timeout_ms")
        .map(|f| f.int_at_least(1, r).map(Duration::from_millis));
    let summary = t.get("summary").map(|f| f.str(r).map(str::to_owned));
    let limits = t
        .get("limits")
        .map(|f| parse_limits(&f.table(format!("{}: limits", t.ctx), r)?, r));

    // Names of every declared parameter, broken or not, so that rules are not also reported.
    let mut declared: Vec<&str> = Vec::new();
    let mut params = Vec::new();
    if let Some(f) = t.get("params") {
        for (table, span) in f.tables(r).unwrap_or_default() {
            if let Some(name) = table.get("name").and_then(|n| n.as_str()) {
                if declared.contains(&name) {
                    r.add(
                        &span,
                        format!("{}: parameter `{name}` is declared twice", t.ctx),
                    );
                    continue;
                }
                declared.push(name);
            }
            params.extend(parse_param(Fields::new(table, span, t.ctx.clone()), r));
        }
    }
    let mut rules = Vec::new();
    if let Some(f) = t.get("rules") {
        for (table, span) in f.tables(r).unwrap_or_default() {
            let fields = Fields::new(table, span, t.ctx.clone());
            rules.extend(parse_rule(fields, &params, &declared, r));
        }
    }

    Some(ApiSpec {
        name: name?,
        line: line?,
        backend: backend?,
        session: session?,
        package: optional(package)?,
        partners: optional(partners)?.unwrap_or_default(),
        timeout: optional(timeout)?,
        summary: optional(summary)?,
        limits: limits.flatten(),
        params,
        rules,
    })
}

/// An optional key: absent is `Some(None)`, present but broken is `None`.
fn optional<T>(v: Option<Option<T>>) -> Option<Option<T>> {
    match v {
        None => Some(None),
        Some(v) => v.map(Some),
    }
}

fn parse_limits(t: &Fields, r: &mut Report) -> Option<ApiLimits> {
    t.only(&["per_day", "per_second"], r);
    Some(ApiLimits {
        per_day: t.get("per_day").and_then(|f| f.int_at_least(1, r)),
        per_second: t.get("per_second").and_then(|f| f.int_at_least(1, r)),
    })
}

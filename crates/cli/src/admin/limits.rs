//! Flow-control limits and counter resets: `topgate app|user|session|partner|api limits ...`,
//! `topgate app reset-counters KEY`. See `docs/flow-control.md`.

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use topgate_protocol::time::format_gmt8;
use topgate_store::{unix_now_ms, Limit, LimitScope};

use super::{print_json, StoreArgs, Target};

/// A limit value on the command line: a number of calls, or `off` for none.
#[derive(Debug, Clone, Copy)]
pub enum LimitValue {
    Calls(u64),
    Off,
}

fn parse_value(s: &str) -> Result<LimitValue, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(LimitValue::Off);
    }
    s.parse()
        .map(LimitValue::Calls)
        .map_err(|_| format!("{s:?} is not a number of calls (or `off` for no limit)"))
}

/// `--per-day`, `--per-second`, `--clear`; none of them: show the limit.
#[derive(Args, Clone)]
pub struct LimitArgs {
    /// Calls per GMT+8 day (`off`: no daily limit); over it: codes 4-7
    #[arg(long, value_name = "N|off", value_parser = parse_value)]
    per_day: Option<LimitValue>,
    /// Calls per second (`off`: no per-second limit); over it: code 8
    #[arg(long, value_name = "N|off", value_parser = parse_value)]
    per_second: Option<LimitValue>,
    /// Remove both limits
    #[arg(long, conflicts_with_all = ["per_day", "per_second"])]
    clear: bool,
}

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// Show or set the limits on all the apps of a partner together
    Limits {
        partner: String,
        #[command(flatten)]
        limit: LimitArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Subcommand)]
pub enum ApiCommand {
    /// Show or set the limits on an API for all callers together (replaces the catalog's)
    Limits {
        method: String,
        #[command(flatten)]
        limit: LimitArgs,
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub fn run_partner(cmd: PartnerCommand) -> anyhow::Result<u8> {
    let PartnerCommand::Limits {
        partner,
        limit,
        store,
    } = cmd;
    limits(&store, LimitScope::Partner, &partner, &limit)
}

pub fn run_api(cmd: ApiCommand) -> anyhow::Result<u8> {
    let ApiCommand::Limits {
        method,
        limit,
        store,
    } = cmd;
    limits(&store, LimitScope::Api, &method, &limit)
}

/// `topgate app limits KEY [--api METHOD]`.
pub fn app(
    store: &StoreArgs,
    app_key: &str,
    api: Option<&str>,
    limit: &LimitArgs,
) -> anyhow::Result<u8> {
    store.open()?.app(app_key)?;
    match api {
        Some(method) => limits(
            store,
            LimitScope::AppApi,
            &format!("{app_key}|{method}"),
            limit,
        ),
        None => limits(store, LimitScope::App, app_key, limit),
    }
}

/// `topgate user limits NICK`.
pub fn user(store: &StoreArgs, nick: &str, limit: &LimitArgs) -> anyhow::Result<u8> {
    store.open()?.user_by_nick(nick)?;
    limits(store, LimitScope::User, nick, limit)
}

/// `topgate session limits KEY`.
pub fn session(store: &StoreArgs, key: &str, limit: &LimitArgs) -> anyhow::Result<u8> {
    store.open()?.session(key)?;
    limits(store, LimitScope::Session, key, limit)
}

/// Shows, changes or removes the limit of one subject, then shows it (for an app without
/// `--api`, with its per-API limits).
fn limits(
    store: &StoreArgs,
    scope: LimitScope,
    subject: &str,
    args: &LimitArgs,
) -> anyhow::Result<u8> {
    let registry = store.open()?;
    let current = find(&registry, scope, subject)?;
    let changing = args.clear || args.per_day.is_some() || args.per_second.is_some();
    if changing {
        let apply = |old: Option<u64>, new: Option<LimitValue>| match new {
            _ if args.clear => None,
            None => old,
            Some(LimitValue::Off) => None,
            Some(LimitValue::Calls(n)) => Some(n),
        };
        registry.set_limit(Limit {
            scope,
            subject: subject.to_owned(),
            per_day: apply(current.as_ref().and_then(|l| l.per_day), args.per_day),
            per_second: apply(current.as_ref().and_then(|l| l.per_second), args.per_second),
        })?;
    }
    let mut shown = vec![find(&registry, scope, subject)?.unwrap_or(Limit {
        scope,
        subject: subject.to_owned(),
        per_day: None,
        per_second: None,
    })];
    if scope == LimitScope::App {
        let prefix = format!("{subject}|");
        shown.extend(
            registry
                .limits()?
                .into_iter()
                .filter(|l| l.scope == LimitScope::AppApi && l.subject.starts_with(&prefix)),
        );
    }
    if store.json {
        print_json(&Value::Array(shown.iter().map(limit_json).collect()));
        return Ok(0);
    }
    for l in &shown {
        let value = |v: Option<u64>| v.map_or("-".to_owned(), |n| n.to_string());
        println!(
            "{:<8} {:<40} per_day {:<12} per_second {}",
            l.scope,
            l.subject,
            value(l.per_day),
            value(l.per_second)
        );
    }
    if scope == LimitScope::Api && shown[0].per_day.is_none() && shown[0].per_second.is_none() {
        eprintln!("no registry limit on {subject}: the catalog's `limits`, if any, apply");
    }
    Ok(0)
}

fn find(registry: &Target, scope: LimitScope, subject: &str) -> anyhow::Result<Option<Limit>> {
    Ok(registry
        .limits()?
        .into_iter()
        .find(|l| l.scope == scope && l.subject == subject))
}

fn limit_json(l: &Limit) -> Value {
    json!({"scope": l.scope.as_str(), "subject": l.subject, "per_day": l.per_day, "per_second": l.per_second})
}

/// `topgate app reset-counters KEY`.
pub fn reset_counters(store: &StoreArgs, app_key: &str) -> anyhow::Result<u8> {
    let reset_at = store.open()?.reset_counters(app_key, unix_now_ms())?;
    if store.json {
        print_json(
            &json!({"app_key": app_key, "reset_at": format_gmt8(reset_at), "reset_at_ms": reset_at}),
        );
    } else {
        println!(
            "the flow-control counters of app {app_key} (the app's and its per-API ones) are \
             cleared by a running server within a second, or at its next start"
        );
    }
    Ok(0)
}

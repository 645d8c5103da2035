//! Which counters a call hits (keys, windows, limits, in the order they are checked), and the
//! answers flow control gives: a refusal over a limit (codes 4-8), or code 10 when the shared
//! counters are unreachable and `on_failure = "closed"`.

use topgate_protocol::errors::{ban_message, PlatformError, SubCode};
use topgate_protocol::params::mask_secret;
use topgate_protocol::time::format_gmt8;
use topgate_store::LimitScope;

use super::counters::{CounterCheck, Rejected, Window};
use super::table::Rates;
use super::window::{self, ban_seconds, gmt8_day, second_of};
use crate::catalog::ApiSpec;
use crate::failure::Failure;
use crate::registry::{AppEntry, SessionEntry, Snapshot};

/// The scopes in the order their counters are checked (per-second ones, then daily ones).
const ORDER: [LimitScope; 6] = [
    LimitScope::App,
    LimitScope::AppApi,
    LimitScope::Api,
    LimitScope::User,
    LimitScope::Session,
    LimitScope::Partner,
];

const NO_CHECK: CounterCheck<'static> = CounterCheck {
    key: "",
    window: Window::Second(0),
    limit: 0,
};

/// The limits that apply to a call, and their subjects.
pub(super) struct Plan<'a> {
    rates: [Option<Rates>; 6],
    subjects: [&'a str; 6],
    method: &'a str,
}

/// A call's counters, built by [`Plan::checks`].
pub(super) struct Checks<'k> {
    checks: [CounterCheck<'k>; 12],
    scopes: [LimitScope; 12],
    n: usize,
}

impl<'a> Plan<'a> {
    /// The limits of the call; `None` when no limit applies (a call under no limit costs six
    /// lookups and nothing else).
    pub fn new(
        snapshot: &Snapshot,
        app: &'a AppEntry,
        api: &'a ApiSpec,
        session: Option<&'a SessionEntry>,
    ) -> Option<Plan<'a>> {
        let table = &snapshot.limits;
        let method = api.name.as_str();
        let rates: [Option<Rates>; 6] = [
            table.get(LimitScope::App, &app.app_key),
            table.app_api(&app.app_key, method),
            table
                .get(LimitScope::Api, method)
                .or(api.limits.map(Rates::from)),
            session.and_then(|s| table.get(LimitScope::User, &s.user.nick)),
            session.and_then(|s| table.get(LimitScope::Session, &s.key)),
            app.partner
                .as_deref()
                .and_then(|p| table.get(LimitScope::Partner, p)),
        ];
        if rates.iter().all(Option::is_none) {
            return None;
        }
        let subjects: [&str; 6] = [
            &app.app_key,
            &app.app_key,
            method,
            session.map_or("", |s| &s.user.nick),
            session.map_or("", |s| &s.key),
            app.partner.as_deref().unwrap_or(""),
        ];
        Some(Plan {
            rates,
            subjects,
            method,
        })
    }

    /// Writes the counter keys into `buf` (cleared first; reused, so no allocation once it is
    /// large enough) and returns the checks, per-second ones first.
    pub fn checks<'k>(&self, buf: &'k mut String, now_ms: i64) -> Checks<'k> {
        buf.clear();
        let mut spans = [(0, 0); 6];
        for (i, scope) in ORDER.iter().enumerate() {
            if self.rates[i].is_some() {
                let start = buf.len();
                buf.push_str(scope.as_str());
                buf.push(':');
                buf.push_str(self.subjects[i]);
                if *scope == LimitScope::AppApi {
                    buf.push('|');
                    buf.push_str(self.method);
                }
                spans[i] = (start, buf.len());
            }
        }
        let keys: &'k String = buf;
        let mut out = Checks {
            checks: [NO_CHECK; 12],
            scopes: [LimitScope::App; 12],
            n: 0,
        };
        let windows = [
            Window::Second(second_of(now_ms)),
            Window::Day(gmt8_day(now_ms)),
        ];
        for window in windows {
            for (i, r) in self.rates.iter().enumerate() {
                let limit = match (window, r) {
                    (Window::Second(_), Some(r)) => r.per_second,
                    (Window::Day(_), Some(r)) => r.per_day,
                    (_, None) => None,
                };
                if let Some(limit) = limit {
                    let (start, end) = spans[i];
                    out.checks[out.n] = CounterCheck {
                        key: &keys[start..end],
                        window,
                        limit,
                    };
                    out.scopes[out.n] = ORDER[i];
                    out.n += 1;
                }
            }
        }
        out
    }
}

impl Checks<'_> {
    pub fn as_slice(&self) -> &[CounterCheck<'_>] {
        &self.checks[..self.n]
    }

    /// The answer to a call over a limit: the code and sub code of the limit, and the ban.
    pub fn refusal(&self, rejected: Rejected, now_ms: i64) -> Failure {
        let index = rejected.index.min(self.n.saturating_sub(1));
        refusal(self.scopes[index], &self.checks[index], now_ms)
    }
}

pub(super) fn refusal(scope: LimitScope, check: &CounterCheck<'_>, now_ms: i64) -> Failure {
    let secs = ban_seconds(check.window, now_ms);
    let (sub, per) = match (check.window, scope) {
        (Window::Second(_), _) => (SubCode::LimitedByAppFrequency, "second"),
        (Window::Day(_), LimitScope::App) => (SubCode::LimitedByAppAccessCount, "day"),
        (Window::Day(_), LimitScope::AppApi) => (SubCode::LimitedByAppApiAccessCount, "day"),
        (Window::Day(_), LimitScope::Api) => (SubCode::LimitedByApiAccessCount, "day"),
        (Window::Day(_), LimitScope::User) => (SubCode::LimitedByUserAccessCount, "day"),
        (Window::Day(_), LimitScope::Session) => (SubCode::LimitedBySessionAccessCount, "day"),
        (Window::Day(_), LimitScope::Partner) => (SubCode::LimitedByPartnerAccessCount, "day"),
    };
    let ends = format_gmt8(window::window_end_ms(check.window));
    // The archive and the log never see a session key in full.
    let counter = match check.key.strip_prefix("session:") {
        Some(key) => format!("session:{}", mask_secret(key)),
        None => check.key.to_owned(),
    };
    Failure::Platform {
        error: sub
            .flow_control_code()
            .unwrap_or(PlatformError::AppCallLimited),
        detail: None,
        sub: Some((sub.as_string(), ban_message(secs))),
        check: "flow-control",
        why: format!(
            "counter {counter} reached its limit of {} calls per {per}; the window ends at \
             {ends} (GMT+8)",
            check.limit
        ),
        retry_after: Some(secs),
    }
}

/// The answer when the shared counters are unreachable and the deployment fails closed: code
/// 10 (`Service Currently Unavailable`, retryable), HTTP 200 like every TOP error.
pub(super) fn unavailable(why: String) -> Failure {
    Failure::platform(
        PlatformError::ServiceCurrentlyUnavailable,
        "counter-store",
        why,
    )
    .with_catalog_sub(SubCode::CounterStoreUnavailable)
}

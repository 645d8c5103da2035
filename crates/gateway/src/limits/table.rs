//! The registry's limits as a lookup table, built once per snapshot: one map per scope, looked
//! up by `&str` without allocating.

use topgate_store::{Limit, LimitScope};

use super::fxhash::FxHashMap as HashMap;

use crate::catalog::ApiLimits;

/// The two limits a subject may have; `None`: no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rates {
    pub per_day: Option<u64>,
    pub per_second: Option<u64>,
}

impl From<ApiLimits> for Rates {
    fn from(l: ApiLimits) -> Rates {
        Rates {
            per_day: l.per_day,
            per_second: l.per_second,
        }
    }
}

/// Every limit of the registry, by scope.
#[derive(Debug, Default)]
pub struct LimitTable {
    app: HashMap<String, Rates>,
    /// App key, then method.
    app_api: HashMap<String, HashMap<String, Rates>>,
    api: HashMap<String, Rates>,
    user: HashMap<String, Rates>,
    session: HashMap<String, Rates>,
    partner: HashMap<String, Rates>,
    limits: Vec<Limit>,
}

impl LimitTable {
    pub fn build(limits: Vec<Limit>) -> LimitTable {
        let mut t = LimitTable::default();
        for l in &limits {
            let rates = Rates {
                per_day: l.per_day,
                per_second: l.per_second,
            };
            let subject = l.subject.clone();
            match l.scope {
                LimitScope::App => t.app.insert(subject, rates),
                LimitScope::AppApi => {
                    // The store guarantees `APPKEY|method`.
                    let Some((app, method)) = l.subject.split_once('|') else {
                        continue;
                    };
                    t.app_api
                        .entry(app.to_owned())
                        .or_default()
                        .insert(method.to_owned(), rates)
                }
                LimitScope::Api => t.api.insert(subject, rates),
                LimitScope::User => t.user.insert(subject, rates),
                LimitScope::Session => t.session.insert(subject, rates),
                LimitScope::Partner => t.partner.insert(subject, rates),
            };
        }
        t.limits = limits;
        t
    }

    /// The limits of a subject. For [`LimitScope::AppApi`] use [`LimitTable::app_api`].
    pub fn get(&self, scope: LimitScope, subject: &str) -> Option<Rates> {
        let map = match scope {
            LimitScope::App => &self.app,
            LimitScope::Api => &self.api,
            LimitScope::User => &self.user,
            LimitScope::Session => &self.session,
            LimitScope::Partner => &self.partner,
            LimitScope::AppApi => {
                let (app, method) = subject.split_once('|')?;
                return self.app_api(app, method);
            }
        };
        map.get(subject).copied()
    }

    pub fn app_api(&self, app_key: &str, method: &str) -> Option<Rates> {
        self.app_api.get(app_key)?.get(method).copied()
    }

    /// The limits as the store lists them (by scope, then subject).
    pub fn limits(&self) -> &[Limit] {
        &self.limits
    }

    pub fn is_empty(&self) -> bool {
        self.limits.is_empty()
    }
}

//! The checks every [`Registry`] backend must pass. The SQLite backend runs them in
//! `tests/registry.rs`, the PostgreSQL one in `tests/postgres.rs`.
//!
//! Each check gets a fresh, empty registry from `make` and panics (like `assert!`) on failure.

mod sessions;
mod snapshot;

use crate::{App, Limit, LimitScope, NewApp, NewSession, Registry, Result, StoreError};

/// A fixed "now" for records whose times only need to round-trip.
pub const NOW: i64 = 1_700_000_000_000;

pub(crate) const HOUR: i64 = 60 * 60 * 1000;

type Check = fn(&dyn Registry);

/// Runs every check, each on a fresh registry from `make`.
pub fn conformance_suite(make: &dyn Fn() -> Box<dyn Registry>) {
    let checks: &[(&str, Check)] = &[
        ("empty registry", empty_registry),
        ("apps", apps),
        ("app errors", app_errors),
        ("grants", grants),
        ("users", users),
        ("sessions", sessions::sessions),
        ("session errors", sessions::session_errors),
        ("load filters sessions", sessions::load_filters_sessions),
        ("limits", snapshot::limits),
        ("counter resets", snapshot::counter_resets),
        ("revision", snapshot::revision),
        ("load", snapshot::load),
    ];
    for (name, check) in checks {
        eprintln!("conformance: {name}");
        check(&*make());
    }
}

#[track_caller]
pub(crate) fn assert_not_found<T: std::fmt::Debug>(r: Result<T>, kind: &str) {
    match r {
        Err(StoreError::NotFound { kind: k, .. }) if k == kind => {}
        other => panic!("expected NotFound {{ kind: {kind:?} }}, got {other:?}"),
    }
}

#[track_caller]
pub(crate) fn assert_conflict<T: std::fmt::Debug>(r: Result<T>) {
    assert!(
        matches!(r, Err(StoreError::Conflict(_))),
        "expected Conflict, got {r:?}"
    );
}

#[track_caller]
pub(crate) fn assert_invalid<T: std::fmt::Debug>(r: Result<T>) {
    assert!(
        matches!(r, Err(StoreError::Invalid(_))),
        "expected Invalid, got {r:?}"
    );
}

/// A `NewApp` with a name, an optional fixed key and grants.
pub fn new_app(name: &str, key: Option<&str>, grants: &[&str]) -> NewApp {
    NewApp {
        name: name.to_string(),
        grants: grants.iter().map(|g| g.to_string()).collect(),
        app_key: key.map(str::to_string),
        ..NewApp::default()
    }
}

pub(crate) fn new_session(app_key: &str, nick: &str, now_ms: i64, ttl_ms: i64) -> NewSession {
    NewSession {
        app_key: app_key.to_string(),
        user_nick: nick.to_string(),
        ttl_ms,
        now_ms,
        ..NewSession::default()
    }
}

pub(crate) fn limit(
    scope: LimitScope,
    subject: &str,
    per_day: Option<u64>,
    per_second: Option<u64>,
) -> Limit {
    Limit {
        scope,
        subject: subject.to_string(),
        per_day,
        per_second,
    }
}

fn empty_registry(reg: &dyn Registry) {
    let data = reg.load(NOW).unwrap();
    assert!(data.apps.is_empty() && data.users.is_empty());
    assert!(data.sessions.is_empty() && data.limits.is_empty());
    assert!(data.counter_resets.is_empty());
    assert_eq!(data.revision, reg.revision().unwrap());
    assert!(reg.apps().unwrap().is_empty());
    assert!(reg.users().unwrap().is_empty());
    assert!(reg.sessions(None).unwrap().is_empty());
    assert!(reg.limits().unwrap().is_empty());
}

fn apps(reg: &dyn Registry) {
    let generated = reg
        .create_app(new_app("Generated", None, &["b", "a", "b"]), NOW)
        .unwrap();
    assert_eq!(generated.app_key.len(), 8, "{generated:?}");
    assert!(generated.app_key.bytes().all(|b| b.is_ascii_digit()));
    assert!(!generated.app_key.starts_with('0'));
    assert_eq!(generated.secret.len(), 32);
    assert!(generated.enabled);
    assert_eq!(generated.partner, None);
    assert_eq!(generated.grants, ["a", "b"], "sorted, deduplicated");
    assert_eq!(generated.created_at_ms, NOW);
    assert!(
        !format!("{generated:?}").contains(&generated.secret),
        "Debug hides the secret"
    );

    let fixed = NewApp {
        secret: Some("demo-secret".into()),
        partner: Some("p1".into()),
        ..new_app("Demo", Some("12345678"), &[])
    };
    let demo = reg.create_app(fixed, NOW + 1).unwrap();
    assert_eq!(demo.app_key, "12345678");
    assert_eq!(demo.secret, "demo-secret");
    assert_eq!(demo.partner.as_deref(), Some("p1"));
    assert!(demo.grants.is_empty());
    assert_eq!(reg.app("12345678").unwrap(), demo);
    assert_eq!(reg.app(&generated.app_key).unwrap(), generated);
    assert_eq!(
        reg.apps().unwrap(),
        [generated.clone(), demo.clone()],
        "oldest first"
    );

    let disabled = reg.set_app_enabled("12345678", false).unwrap();
    assert!(!disabled.enabled);
    assert_eq!(reg.app("12345678").unwrap(), disabled);
    assert!(reg.set_app_enabled("12345678", true).unwrap().enabled);

    let rotated = reg.rotate_secret("12345678").unwrap();
    assert_ne!(rotated.secret, "demo-secret");
    assert_eq!(rotated.secret.len(), 32);
    assert_eq!(reg.app("12345678").unwrap().secret, rotated.secret);

    let moved = reg.set_partner("12345678", Some("p2")).unwrap();
    assert_eq!(moved.partner.as_deref(), Some("p2"));
    assert_eq!(reg.set_partner("12345678", None).unwrap().partner, None);
    reg.set_partner("12345678", Some("p3")).unwrap();
    assert_eq!(
        reg.set_partner("12345678", Some("")).unwrap().partner,
        None,
        "\"\" clears"
    );
    assert_eq!(reg.app("12345678").unwrap().partner, None);
    // Untouched fields stay.
    let after: App = reg.app("12345678").unwrap();
    assert_eq!(
        (after.name.as_str(), after.created_at_ms),
        ("Demo", NOW + 1)
    );
}

fn app_errors(reg: &dyn Registry) {
    reg.create_app(new_app("One", Some("11111111"), &[]), NOW)
        .unwrap();
    assert_conflict(reg.create_app(new_app("Two", Some("11111111"), &[]), NOW));
    assert_eq!(
        reg.app("11111111").unwrap().name,
        "One",
        "the conflict changed nothing"
    );
    assert_eq!(reg.apps().unwrap().len(), 1);

    assert_not_found(reg.app("99999999"), "app");
    assert_not_found(reg.set_app_enabled("99999999", false), "app");
    assert_not_found(reg.grant("99999999", "pkg"), "app");
    assert_not_found(reg.revoke("99999999", "pkg"), "app");
    assert_not_found(reg.rotate_secret("99999999"), "app");
    assert_not_found(reg.set_partner("99999999", Some("p")), "app");
    assert_not_found(reg.sessions(Some("99999999")), "app");

    assert_invalid(reg.create_app(new_app("", None, &[]), NOW));
    assert_invalid(reg.create_app(new_app("x", Some("has space"), &[]), NOW));
    assert_invalid(reg.create_app(new_app("x", Some("a|b"), &[]), NOW));
    assert_invalid(reg.create_app(new_app("x", None, &[""]), NOW));
    assert_invalid(reg.grant("11111111", ""));
    assert_eq!(
        reg.apps().unwrap().len(),
        1,
        "invalid input created nothing"
    );
}

fn grants(reg: &dyn Registry) {
    let app = reg.create_app(new_app("G", None, &["base"]), NOW).unwrap();
    let key = app.app_key.as_str();
    assert_eq!(reg.grant(key, "trade").unwrap().grants, ["base", "trade"]);
    assert_eq!(
        reg.grant(key, "trade").unwrap().grants,
        ["base", "trade"],
        "idempotent"
    );
    assert_eq!(
        reg.grant(key, "item").unwrap().grants,
        ["base", "item", "trade"]
    );
    assert_eq!(reg.app(key).unwrap().grants, ["base", "item", "trade"]);
    assert_eq!(reg.revoke(key, "base").unwrap().grants, ["item", "trade"]);
    assert_eq!(
        reg.revoke(key, "base").unwrap().grants,
        ["item", "trade"],
        "idempotent"
    );
    assert_eq!(reg.revoke(key, "never").unwrap().grants, ["item", "trade"]);

    let other = reg.create_app(new_app("H", None, &[]), NOW).unwrap();
    reg.grant(&other.app_key, "trade").unwrap();
    reg.revoke(key, "trade").unwrap();
    assert_eq!(reg.app(key).unwrap().grants, ["item"]);
    assert_eq!(
        reg.app(&other.app_key).unwrap().grants,
        ["trade"],
        "grants are per app"
    );
    let listed = reg.apps().unwrap();
    let grants_of = |k: &str| {
        listed
            .iter()
            .find(|a| a.app_key == k)
            .unwrap()
            .grants
            .clone()
    };
    assert_eq!(grants_of(key), ["item"]);
    assert_eq!(grants_of(&other.app_key), ["trade"]);
}

fn users(reg: &dyn Registry) {
    let alice = reg.create_user("alice", NOW).unwrap();
    let bob = reg.create_user("鲍勃", NOW + 5).unwrap();
    assert_ne!(alice.id, bob.id);
    assert_eq!((alice.nick.as_str(), alice.created_at_ms), ("alice", NOW));
    assert_eq!(reg.user_by_nick("alice").unwrap(), alice);
    assert_eq!(reg.user_by_nick("鲍勃").unwrap(), bob);
    assert_conflict(reg.create_user("alice", NOW));
    assert_not_found(reg.user_by_nick("carol"), "user");
    assert_not_found(reg.user_by_nick("Alice"), "user");
    assert_invalid(reg.create_user("", NOW));
    assert_invalid(reg.create_user(" padded ", NOW));
    let mut all = reg.users().unwrap();
    assert_eq!(all.len(), 2);
    all.sort_by_key(|u| u.id);
    assert_eq!(reg.users().unwrap(), all, "users are listed by id");
    assert!(all.contains(&alice) && all.contains(&bob));
}

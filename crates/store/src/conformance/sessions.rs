//! Conformance checks for sessions.

use super::{assert_conflict, assert_invalid, assert_not_found, new_app, new_session, HOUR, NOW};
use crate::{NewSession, Registry, SESSION_GRACE_MS};

pub(super) fn sessions(reg: &dyn Registry) {
    let app = reg
        .create_app(new_app("S", Some("10000001"), &["item", "trade"]), NOW)
        .unwrap();
    let other = reg
        .create_app(new_app("T", Some("10000002"), &[]), NOW)
        .unwrap();
    let alice = reg.create_user("alice", NOW).unwrap();

    let s1 = reg
        .issue_session(new_session(&app.app_key, "alice", NOW, HOUR))
        .unwrap();
    assert!(s1.key.starts_with("6100") && s1.key.len() == 44, "{s1:?}");
    assert_eq!((s1.app_key.as_str(), s1.user_id), ("10000001", alice.id));
    assert_eq!(
        s1.grants,
        ["item", "trade"],
        "empty grants: the app's at issue time"
    );
    assert_eq!((s1.created_at_ms, s1.expires_at_ms), (NOW, NOW + HOUR));
    assert!(!s1.revoked);
    assert!(s1.is_valid_at(NOW + HOUR - 1) && !s1.is_valid_at(NOW + HOUR));
    assert_eq!(reg.session(&s1.key).unwrap(), s1);

    reg.revoke(&app.app_key, "trade").unwrap();
    assert_eq!(
        reg.session(&s1.key).unwrap().grants,
        ["item", "trade"],
        "fixed at issue time"
    );

    let fixed = NewSession {
        grants: vec!["z".into(), "a".into(), "z".into()],
        key: Some("6100demo".into()),
        ..new_session(&other.app_key, "alice", NOW + 1, 2 * HOUR)
    };
    let s2 = reg.issue_session(fixed).unwrap();
    assert_eq!(s2.key, "6100demo");
    assert_eq!(
        s2.grants,
        ["a", "z"],
        "explicit grants, sorted and deduplicated"
    );
    assert_eq!(reg.session("6100demo").unwrap(), s2);

    assert_eq!(
        reg.sessions(None).unwrap(),
        [s1.clone(), s2.clone()],
        "oldest first"
    );
    assert_eq!(
        reg.sessions(Some("10000001")).unwrap(),
        std::slice::from_ref(&s1)
    );
    assert_eq!(
        reg.sessions(Some("10000002")).unwrap(),
        std::slice::from_ref(&s2)
    );

    let revoked = reg.revoke_session(&s1.key).unwrap();
    assert!(revoked.revoked);
    assert_eq!(revoked, reg.session(&s1.key).unwrap());
    assert_eq!(reg.revoke_session(&s1.key).unwrap(), revoked, "idempotent");
    assert_eq!(
        reg.sessions(None).unwrap().len(),
        2,
        "revoked sessions are still listed"
    );
    assert!(!reg.session("6100demo").unwrap().revoked);
}

pub(super) fn session_errors(reg: &dyn Registry) {
    reg.create_app(new_app("S", Some("10000001"), &[]), NOW)
        .unwrap();
    reg.create_user("alice", NOW).unwrap();
    assert_not_found(
        reg.issue_session(new_session("99999999", "alice", NOW, HOUR)),
        "app",
    );
    assert_not_found(
        reg.issue_session(new_session("10000001", "nobody", NOW, HOUR)),
        "user",
    );
    assert_invalid(reg.issue_session(new_session("10000001", "alice", NOW, 0)));
    assert_invalid(reg.issue_session(new_session("10000001", "alice", NOW, -5)));
    assert_invalid(reg.issue_session(new_session("10000001", "alice", i64::MAX - 1, HOUR)));
    let keyed = |key: &str| NewSession {
        key: Some(key.to_string()),
        ..new_session("10000001", "alice", NOW, HOUR)
    };
    assert_invalid(reg.issue_session(keyed("")));
    reg.issue_session(keyed("6100fixed")).unwrap();
    assert_conflict(reg.issue_session(keyed("6100fixed")));
    assert_eq!(
        reg.sessions(None).unwrap().len(),
        1,
        "failed issues created nothing"
    );
    assert_not_found(reg.session("6100missing"), "session");
    assert_not_found(reg.revoke_session("6100missing"), "session");
}

pub(super) fn load_filters_sessions(reg: &dyn Registry) {
    reg.create_app(new_app("S", Some("10000001"), &["p"]), NOW)
        .unwrap();
    reg.create_user("alice", NOW).unwrap();
    // The clock is the caller's: a fixed instant, far from the real one.
    let now = NOW;
    let issue = |key: &str, issued: i64, ttl: i64| {
        let new = NewSession {
            key: Some(key.to_string()),
            ..new_session("10000001", "alice", issued, ttl)
        };
        reg.issue_session(new).unwrap()
    };
    let live = issue("6100live", now, HOUR);
    let recent = issue("6100recent", now - 2 * HOUR, HOUR); // expired 1 hour ago: kept
    issue("6100old", now - SESSION_GRACE_MS - 2 * HOUR, HOUR); // expired over a day ago
    let revoked = issue("6100revoked", now, HOUR);
    reg.revoke_session(&revoked.key).unwrap();

    let mut keys: Vec<String> = reg
        .load(now)
        .unwrap()
        .sessions
        .into_iter()
        .map(|s| s.key)
        .collect();
    keys.sort();
    assert_eq!(keys, [live.key, recent.key]);
    assert_eq!(
        reg.sessions(None).unwrap().len(),
        4,
        "sessions() lists them all"
    );
    let loaded = reg.load(now).unwrap();
    let live_loaded = loaded
        .sessions
        .iter()
        .find(|s| s.key == "6100live")
        .unwrap();
    assert_eq!(
        live_loaded.grants,
        ["p"],
        "loaded sessions carry their grants"
    );
}

//! Conformance checks for limits, revisions and `load`.

use super::{assert_invalid, assert_not_found, limit, new_app, new_session, HOUR, NOW};
use crate::{unix_now_ms, Limit, LimitScope, Registry};

pub(super) fn limits(reg: &dyn Registry) {
    assert!(reg.limits().unwrap().is_empty());
    reg.set_limit(limit(LimitScope::App, "10000001", Some(1000), None))
        .unwrap();
    reg.set_limit(limit(
        LimitScope::AppApi,
        "10000001|taobao.item.get",
        None,
        Some(5),
    ))
    .unwrap();
    reg.set_limit(limit(LimitScope::Api, "taobao.item.get", Some(10), Some(2)))
        .unwrap();
    reg.set_limit(limit(LimitScope::User, "alice", Some(7), None))
        .unwrap();
    reg.set_limit(limit(LimitScope::Session, "6100abc", Some(8), None))
        .unwrap();
    reg.set_limit(limit(
        LimitScope::Partner,
        "p1",
        Some(u64::try_from(i64::MAX).unwrap()),
        None,
    ))
    .unwrap();
    let all = reg.limits().unwrap();
    let scopes: Vec<LimitScope> = all.iter().map(|l| l.scope).collect();
    assert_eq!(scopes, LimitScope::ALL, "ordered by scope");
    assert_eq!(
        all[1],
        limit(
            LimitScope::AppApi,
            "10000001|taobao.item.get",
            None,
            Some(5)
        )
    );
    assert_eq!(all[5].per_day, Some(i64::MAX as u64));

    // The same subject under another scope is another limit.
    reg.set_limit(limit(LimitScope::Api, "10000001", Some(3), None))
        .unwrap();
    assert_eq!(reg.limits().unwrap().len(), 7);
    // Replace.
    reg.set_limit(limit(LimitScope::App, "10000001", None, Some(50)))
        .unwrap();
    let app_limits: Vec<Limit> = reg
        .limits()
        .unwrap()
        .into_iter()
        .filter(|l| l.scope == LimitScope::App)
        .collect();
    assert_eq!(
        app_limits,
        [limit(LimitScope::App, "10000001", None, Some(50))]
    );
    // Remove (twice: removing a missing limit is fine).
    reg.set_limit(limit(LimitScope::App, "10000001", None, None))
        .unwrap();
    reg.set_limit(limit(LimitScope::App, "10000001", None, None))
        .unwrap();
    let all = reg.limits().unwrap();
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|l| l.scope != LimitScope::App));
    assert_eq!(reg.load(NOW).unwrap().limits, all);

    assert_invalid(reg.set_limit(limit(LimitScope::App, "", Some(1), None)));
    assert_invalid(reg.set_limit(limit(LimitScope::AppApi, "10000001", Some(1), None)));
    assert_invalid(reg.set_limit(limit(LimitScope::AppApi, "|m", Some(1), None)));
    assert_invalid(reg.set_limit(limit(LimitScope::User, "u", Some(u64::MAX), None)));
    assert_eq!(reg.limits().unwrap(), all);

    for scope in LimitScope::ALL {
        assert_eq!(scope.as_str().parse::<LimitScope>().unwrap(), scope);
    }
    assert_invalid("app_api".parse::<LimitScope>());
}

pub(super) fn revision(reg: &dyn Registry) {
    let mut last = reg.revision().unwrap();
    let mut step = |what: &str, changed: bool| {
        let now = reg.revision().unwrap();
        if changed {
            assert!(
                now > last,
                "{what}: revision {now} did not increase from {last}"
            );
        } else {
            assert_eq!(now, last, "{what}: revision moved");
        }
        last = now;
    };
    let key = reg
        .create_app(new_app("R", None, &[]), NOW)
        .unwrap()
        .app_key;
    step("create_app", true);
    reg.set_app_enabled(&key, false).unwrap();
    step("set_app_enabled", true);
    reg.grant(&key, "p").unwrap();
    step("grant", true);
    reg.grant(&key, "p").unwrap();
    step("grant again", true);
    reg.revoke(&key, "p").unwrap();
    step("revoke", true);
    reg.rotate_secret(&key).unwrap();
    step("rotate_secret", true);
    reg.set_partner(&key, Some("x")).unwrap();
    step("set_partner", true);
    reg.create_user("u", NOW).unwrap();
    step("create_user", true);
    let session = reg
        .issue_session(new_session(&key, "u", NOW, HOUR))
        .unwrap();
    step("issue_session", true);
    reg.revoke_session(&session.key).unwrap();
    step("revoke_session", true);
    reg.set_limit(limit(LimitScope::App, &key, Some(1), None))
        .unwrap();
    step("set_limit", true);
    reg.set_limit(limit(LimitScope::App, &key, None, None))
        .unwrap();
    step("remove limit", true);
    reg.reset_counters(&key, NOW).unwrap();
    step("reset_counters", true);

    reg.load(NOW).unwrap();
    reg.app(&key).unwrap();
    reg.apps().unwrap();
    reg.user_by_nick("u").unwrap();
    reg.users().unwrap();
    reg.session(&session.key).unwrap();
    reg.sessions(None).unwrap();
    reg.sessions(Some(&key)).unwrap();
    reg.limits().unwrap();
    step("reads", false);

    let _ = reg
        .create_app(new_app("R", Some(&key), &[]), NOW)
        .unwrap_err();
    let _ = reg.create_user("u", NOW).unwrap_err();
    let _ = reg.grant("99999999", "p").unwrap_err();
    let _ = reg.revoke_session("6100missing").unwrap_err();
    let _ = reg
        .issue_session(new_session(&key, "nobody", NOW, HOUR))
        .unwrap_err();
    let _ = reg
        .set_limit(limit(LimitScope::AppApi, "bad", Some(1), None))
        .unwrap_err();
    let _ = reg.reset_counters("99999999", NOW).unwrap_err();
    step("failed writes", false);
}

pub(super) fn load(reg: &dyn Registry) {
    let a = reg
        .create_app(new_app("A", None, &["x", "y"]), NOW)
        .unwrap();
    let b = reg.create_app(new_app("B", None, &[]), NOW + 1).unwrap();
    let u = reg.create_user("u", NOW).unwrap();
    let s = reg
        .issue_session(new_session(&a.app_key, "u", unix_now_ms(), HOUR))
        .unwrap();
    reg.set_limit(limit(LimitScope::User, "u", Some(9), None))
        .unwrap();
    let data = reg.load(NOW).unwrap();
    assert_eq!(data.revision, reg.revision().unwrap());
    assert_eq!(data.apps, [a, b.clone()]);
    assert_eq!(data.users, [u]);
    assert_eq!(data.sessions, [s]);
    assert_eq!(data.limits, [limit(LimitScope::User, "u", Some(9), None)]);
    assert!(data.counter_resets.is_empty());
    reg.reset_counters(&b.app_key, NOW).unwrap();
    assert_eq!(
        reg.load(NOW).unwrap().counter_resets,
        [(b.app_key.clone(), NOW)]
    );
}

pub(super) fn counter_resets(reg: &dyn Registry) {
    let a = reg
        .create_app(new_app("A", Some("20000002"), &[]), NOW)
        .unwrap();
    let b = reg
        .create_app(new_app("B", Some("10000001"), &[]), NOW)
        .unwrap();
    assert_not_found(reg.reset_counters("99999999", NOW), "app");
    assert!(reg.load(NOW).unwrap().counter_resets.is_empty());

    assert_eq!(reg.reset_counters(&a.app_key, NOW).unwrap(), NOW);
    assert_eq!(reg.reset_counters(&b.app_key, NOW + 5).unwrap(), NOW + 5);
    assert_eq!(
        reg.load(NOW).unwrap().counter_resets,
        [(b.app_key.clone(), NOW + 5), (a.app_key.clone(), NOW)],
        "one per app, by app key"
    );
    // Each reset of an app is strictly later than its last, whatever the clock says.
    assert_eq!(reg.reset_counters(&a.app_key, NOW).unwrap(), NOW + 1);
    assert_eq!(reg.reset_counters(&a.app_key, NOW - 1000).unwrap(), NOW + 2);
    assert_eq!(
        reg.reset_counters(&a.app_key, NOW + 100).unwrap(),
        NOW + 100
    );
    let resets = reg.load(NOW).unwrap().counter_resets;
    assert_eq!(
        resets,
        [(b.app_key.clone(), NOW + 5), (a.app_key.clone(), NOW + 100)]
    );
}

//! Flow control (pipeline step 6): each limit answers its code, sub code and ban; windows; what
//! counts and what does not.

#[path = "support/flow.rs"]
mod flow;
mod support;

use std::sync::atomic::Ordering;

use flow::*;
use support::*;
use topgate_gateway::launch::ServeOptions;
use topgate_protocol::time::parse_timestamp;
use topgate_store::LimitScope;

const TIME: &str = "taobao.time.get";
const USER: &str = "taobao.user.get";

#[tokio::test]
async fn each_daily_limit_answers_its_code_and_the_time_to_midnight() {
    let h = start().await;
    h.now.store(
        parse_timestamp("2026-11-25 23:59:30").unwrap(),
        Ordering::SeqCst,
    );
    let time = h.call(TIME);
    let user = h.call(USER).set("fields", "nick").session();
    let store = h.running.gateway.registry.store().clone();
    store.set_partner(APP_KEY, Some("p-gold")).unwrap();
    let app_api = format!("{APP_KEY}|{TIME}");
    let cases: [(LimitScope, &str, &Call, i64, &str, &str); 6] = [
        (
            LimitScope::App,
            APP_KEY,
            &time,
            7,
            "App Call Limited",
            "accesscontrol.limited-by-app-access-count",
        ),
        (
            LimitScope::AppApi,
            &app_api,
            &time,
            7,
            "App Call Limited",
            "accesscontrol.limited-by-app-api-access-count",
        ),
        (
            LimitScope::Api,
            TIME,
            &time,
            7,
            "App Call Limited",
            "accesscontrol.limited-by-api-access-count",
        ),
        (
            LimitScope::User,
            "tbtest561",
            &user,
            4,
            "User Call Limited",
            "accesscontrol.limited-by-user-access-count",
        ),
        (
            LimitScope::Session,
            SESSION,
            &user,
            5,
            "Session Call Limited",
            "accesscontrol.limited-by-session-access-count",
        ),
        (
            LimitScope::Partner,
            "p-gold",
            &user,
            6,
            "Partner Call Limited",
            "accesscontrol.limited-by-partner-access-count",
        ),
    ];
    for (scope, subject, call, code, msg, sub) in cases {
        set_limit(&h, scope, subject, Some(2), None);
        use_up(&h, call, 2).await;
        assert_ban(outcome(&h, call).await, code, msg, sub, 30);
        h.now.fetch_add(400, Ordering::SeqCst);
        assert_ban(outcome(&h, call).await, code, msg, sub, 30);
        h.now.fetch_add(600, Ordering::SeqCst);
        assert_ban(outcome(&h, call).await, code, msg, sub, 29);
        h.now.fetch_sub(1000, Ordering::SeqCst);
        set_limit(&h, scope, subject, None, None);
    }
    // The app made 2 calls today while its limit was counted; a limit of 1 refuses at once.
    // The day turns at midnight GMT+8: every daily count starts again.
    set_limit(&h, LimitScope::App, APP_KEY, Some(1), None);
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        "accesscontrol.limited-by-app-access-count",
        30,
    );
    h.now.store(
        parse_timestamp("2026-11-26 00:00:00").unwrap(),
        Ordering::SeqCst,
    );
    let time = h.call(TIME);
    use_up(&h, &time, 1).await;
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        "accesscontrol.limited-by-app-access-count",
        24 * 3600,
    );
}

#[tokio::test]
async fn frequency_comes_first_and_its_window_is_one_second() {
    let h = start().await;
    let time = h.call(TIME);
    let freq = "accesscontrol.limited-by-app-frequency";
    let msg = "App Call Exceeds Limited Frequency";
    set_limit(&h, LimitScope::App, APP_KEY, Some(3), Some(2));
    use_up(&h, &time, 2).await;
    assert_ban(outcome(&h, &time).await, 8, msg, freq, 1);
    h.now.fetch_add(999, Ordering::SeqCst);
    assert_ban(outcome(&h, &time).await, 8, msg, freq, 1);
    h.now.fetch_add(1, Ordering::SeqCst);
    // A new second; the daily quota (3) is now the one that refuses, after one more call.
    use_up(&h, &time, 1).await;
    let sub = "accesscontrol.limited-by-app-access-count";
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        sub,
        12 * 3600 - 1,
    );
    // The refusal did not count in this second's window either.
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        sub,
        12 * 3600 - 1,
    );
    // Over both: frequency answers first.
    set_limit(&h, LimitScope::App, APP_KEY, Some(3), Some(0));
    assert_ban(outcome(&h, &time).await, 8, msg, freq, 1);

    // Per-second limits at every scope answer 8.
    set_limit(&h, LimitScope::App, APP_KEY, None, None);
    set_limit(&h, LimitScope::Session, SESSION, None, Some(1));
    let user = h.call(USER).set("fields", "nick").session();
    use_up(&h, &user, 1).await;
    assert_ban(outcome(&h, &user).await, 8, msg, freq, 1);
}

#[tokio::test]
async fn refused_and_forged_calls_cost_nothing() {
    let h = start().await;
    set_limit(&h, LimitScope::App, APP_KEY, Some(3), None);
    set_limit(
        &h,
        LimitScope::AppApi,
        &format!("{APP_KEY}|{TIME}"),
        Some(1),
        None,
    );
    let time = h.call(TIME);
    let other = h.call(USER).set("fields", "nick").session();
    use_up(&h, &time, 1).await;
    for _ in 0..5 {
        let (e, _) = outcome(&h, &time).await.unwrap_err();
        assert_eq!(
            e.sub_code.as_deref(),
            Some("accesscontrol.limited-by-app-api-access-count")
        );
    }
    // Forged: a bad signature is refused before flow control.
    for _ in 0..5 {
        let e = h.error(&other.clone().secret("not-the-secret")).await;
        assert_eq!(e.code, 25);
    }
    use_up(&h, &other, 2).await;
    let (e, _) = outcome(&h, &other).await.unwrap_err();
    assert_eq!(
        e.sub_code.as_deref(),
        Some("accesscontrol.limited-by-app-access-count")
    );
}

const CATALOG: &str = r#"
[[api]]
name = "taobao.time.get"
line = "system"
backend = "demo"
limits = { per_day = 3 }
"#;

#[tokio::test]
async fn catalog_limits_and_the_registry_override() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog.toml"), CATALOG).unwrap();
    std::fs::write(
        dir.path().join("topgate.toml"),
        "catalog = \"catalog.toml\"\n",
    )
    .unwrap();
    let h = start_with(ServeOptions {
        demo: true,
        config: Some(dir.path().join("topgate.toml")),
        ..Default::default()
    })
    .await;
    let time = h.call(TIME);
    let sub = "accesscontrol.limited-by-api-access-count";
    use_up(&h, &time, 3).await;
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        sub,
        12 * 3600,
    );
    // The registry's API limit replaces the catalog's.
    set_limit(&h, LimitScope::Api, TIME, Some(5), None);
    use_up(&h, &time, 2).await;
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        sub,
        12 * 3600,
    );
    set_limit(&h, LimitScope::Api, TIME, None, None);
    assert_ban(
        outcome(&h, &time).await,
        7,
        "App Call Limited",
        sub,
        12 * 3600,
    );
}

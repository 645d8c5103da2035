//! `topgate serve --demo`: the fixed demo credentials in the registry, and the example call.
//!
//! The demo app is `12345678` with secret `helloworld` (the values of TOP's published signing
//! example), holding every permission package of the demo catalog; `tbtest561` (the seed's user)
//! has the session `demo-session-tbtest561`. Seeding is idempotent: what exists is kept.

use topgate_demo::fixtures;
use topgate_protocol::params::Params;
use topgate_protocol::sign::{sign, SignMethod};
use topgate_protocol::time::format_gmt8;
use topgate_store::{NewApp, NewSession, Registry, StoreError};

/// Ten years: the demo session does not expire in practice.
const DEMO_SESSION_TTL_MS: i64 = 10 * 365 * 24 * 3600 * 1000;

/// Makes sure the demo app, users and session exist. Nodes sharing a registry may seed at
/// once: whoever loses a race to create something (`Conflict`) seeds again and finds it there;
/// each lost race is over one more thing created, so a few rounds always settle it.
pub fn seed(store: &dyn Registry, now_ms: i64) -> anyhow::Result<()> {
    let mut rounds = 0;
    loop {
        match seed_once(store, now_ms) {
            Err(e) if matches!(e.downcast_ref(), Some(StoreError::Conflict(_))) && rounds < 32 => {
                rounds += 1;
            }
            done => return done,
        }
    }
}

fn seed_once(store: &dyn Registry, now_ms: i64) -> anyhow::Result<()> {
    match store.app(fixtures::APP_KEY) {
        Ok(app) => {
            for package in fixtures::PACKAGES {
                if !app.grants.iter().any(|g| g == package) {
                    store.grant(fixtures::APP_KEY, package)?;
                }
            }
            if app.secret != fixtures::APP_SECRET {
                tracing::warn!("the demo app's secret was changed; the documented secret `helloworld` will not work");
            }
        }
        Err(StoreError::NotFound { .. }) => {
            store.create_app(
                NewApp {
                    name: "topgate demo app".into(),
                    grants: fixtures::PACKAGES.iter().map(|p| p.to_string()).collect(),
                    partner: None,
                    app_key: Some(fixtures::APP_KEY.into()),
                    secret: Some(fixtures::APP_SECRET.into()),
                },
                now_ms,
            )?;
        }
        Err(e) => return Err(e.into()),
    }
    for nick in fixtures::USERS {
        match store.user_by_nick(nick) {
            Ok(_) => {}
            Err(StoreError::NotFound { .. }) => {
                store.create_user(nick, now_ms)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let live = matches!(store.session(fixtures::SESSION_KEY), Ok(s) if !s.revoked && s.expires_at_ms > now_ms);
    if !live {
        if store.session(fixtures::SESSION_KEY).is_ok() {
            tracing::warn!("the demo session was revoked or expired; keeping it as it is");
        } else {
            store.issue_session(NewSession {
                app_key: fixtures::APP_KEY.into(),
                user_nick: fixtures::SESSION_NICK.into(),
                ttl_ms: DEMO_SESSION_TTL_MS,
                grants: Vec::new(),
                key: Some(fixtures::SESSION_KEY.into()),
                now_ms,
            })?;
        }
    }
    Ok(())
}

/// The banner printed at start: credentials and ready-to-paste example calls.
pub fn banner(base_url: &str, now_ms: i64) -> String {
    let timestamp = format_gmt8(now_ms);
    let mut params = Params::new();
    for (k, v) in [
        ("method", "taobao.item.get"),
        ("app_key", fixtures::APP_KEY),
        ("timestamp", timestamp.as_str()),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("fields", "num_iid,title,price,nick"),
        ("num_iid", "1"),
    ] {
        params.insert(k.into(), v.into()).expect("distinct names");
    }
    let signature = sign(SignMethod::Md5, fixtures::APP_SECRET, &params, None);
    let mut query: String = params
        .text()
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace(' ', "+").replace(',', "%2C")))
        .collect::<Vec<_>>()
        .join("&");
    query.push_str("&sign=");
    query.push_str(&signature);
    format!(
        "topgate demo is serving {base_url}/router/rest\n\
         \n  app key     {app}\n  secret      {secret}\n  session     {session}  (user {nick})\n\
         \nTry it (signed now; the timestamp is valid for 10 minutes):\n\
         \n  curl '{base_url}/router/rest?{query}'\n\
         \nOr let topgate sign for you:\n\
         \n  cargo run -q -- call --url {base_url}/router/rest --app-key {app} --secret {secret} taobao.item.get fields=num_iid,title,price,nick num_iid=1\n",
        app = fixtures::APP_KEY,
        secret = fixtures::APP_SECRET,
        session = fixtures::SESSION_KEY,
        nick = fixtures::SESSION_NICK,
    )
}

//! The Redis keys of the counters, their hash tags and TTLs (see [`super::redis`]).

use std::collections::HashMap;
use std::fmt::Write;

use super::counters::{CounterCheck, Window};
use super::window::ban_seconds;

/// Seconds a key outlives its window: a node whose clock is a little behind still finds it.
const DAY_SLACK_S: u64 = 60;
const SECOND_TTL_S: u64 = 2;

/// The Redis key of a counter, with the app's last reset for the app's own counters.
pub(super) fn counter_key(check: &CounterCheck<'_>, resets: &HashMap<String, i64>) -> String {
    let mut key = String::with_capacity(check.key.len() + 40);
    key.push_str("tg:{");
    let own = |app: &str, key: &mut String| {
        push_tag(key, app);
        key.push_str("}:");
        if let Some(at) = resets.get(app) {
            let _ = write!(key, "r:{at}:");
        }
    };
    if let Some(app) = check.key.strip_prefix("app:") {
        own(app, &mut key);
        key.push_str("app");
    } else if let Some(rest) = check.key.strip_prefix("app-api:") {
        let (app, method) = rest.split_once('|').unwrap_or((rest, ""));
        own(app, &mut key);
        key.push_str("app-api:");
        key.push_str(method);
    } else {
        push_tag(&mut key, check.key);
        key.push('}');
    }
    let _ = match check.window {
        Window::Second(s) => write!(key, ":s:{s}"),
        Window::Day(d) => write!(key, ":d:{d}"),
    };
    key
}

/// A key's TTL: the rest of its window, plus some slack.
pub(super) fn ttl_seconds(window: Window, now_ms: i64) -> u64 {
    match window {
        Window::Second(_) => SECOND_TTL_S,
        Window::Day(_) => ban_seconds(window, now_ms) + DAY_SLACK_S,
    }
}

/// Writes a hash tag's text: `{`, `}` and `%` percent-encoded, so the tag ends where we say.
fn push_tag(key: &mut String, subject: &str) {
    for c in subject.chars() {
        match c {
            '{' => key.push_str("%7B"),
            '}' => key.push_str("%7D"),
            '%' => key.push_str("%25"),
            c => key.push(c),
        }
    }
}

/// The keys' positions grouped by hash tag, groups in the order of their first key.
pub(super) fn group_by_tag(keys: &[String]) -> Vec<Vec<usize>> {
    let tag = |k: &str| k.split_once('}').map_or(k, |(t, _)| t).to_string();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let t = tag(key);
        match groups.iter_mut().find(|(g, _)| *g == t) {
            Some((_, idx)) => idx.push(i),
            None => groups.push((t, vec![i])),
        }
    }
    groups.into_iter().map(|(_, idx)| idx).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let check = |key, window| CounterCheck {
            key,
            window,
            limit: 1,
        };
        let mut resets = HashMap::new();
        let key = |c| counter_key(&c, &resets);
        assert_eq!(key(check("app:K", Window::Day(7))), "tg:{K}:app:d:7");
        assert_eq!(
            key(check("app-api:K|a.b", Window::Second(9))),
            "tg:{K}:app-api:a.b:s:9"
        );
        assert_eq!(
            key(check("user:n{}", Window::Day(7))),
            "tg:{user:n%7B%7D}:d:7"
        );
        resets.insert("K".to_string(), 5);
        let key = |c| counter_key(&c, &resets);
        assert_eq!(key(check("app:K", Window::Day(7))), "tg:{K}:r:5:app:d:7");
        assert_eq!(key(check("app:KK", Window::Day(7))), "tg:{KK}:app:d:7");
        assert_eq!(key(check("api:m", Window::Day(7))), "tg:{api:m}:d:7");
    }

    #[test]
    fn keys_group_by_app() {
        let keys: Vec<String> = [
            "tg:{K}:app:s:1",
            "tg:{api:m}:s:1",
            "tg:{K}:app-api:m:d:2",
            "tg:{user:n}:d:2",
            "tg:{api:m}:d:2",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(group_by_tag(&keys), [vec![0, 2], vec![1, 4], vec![3]]);
        let mut tag = String::new();
        push_tag(&mut tag, "a{b}%c");
        assert_eq!(tag, "a%7Bb%7D%25c");
    }
}

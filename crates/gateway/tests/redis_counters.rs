//! The Redis counter store against a real `redis-server` (started by the test on a free port):
//! one Lua script counts a call atomically, refused calls count nowhere, TTLs are set, resets
//! start new counters. Without `redis-server` installed the tests print `SKIPPED` and pass.

use std::sync::Arc;

use topgate_gateway::limits::{
    gmt8_day, second_of, CounterCheck, CounterSettings, OnFailure, RedisCounters, Refused,
    Rejected, RemoteCounters, SharedCounters, Window,
};
use topgate_store::testing::RedisServer;

const T: i64 = 1_795_579_200_000; // 2026-11-25 12:00:00 GMT+8

fn day(key: &str, limit: u64) -> CounterCheck<'_> {
    CounterCheck {
        key,
        window: Window::Day(gmt8_day(T)),
        limit,
    }
}

async fn counters(redis: &RedisServer) -> Arc<RedisCounters> {
    let mut settings = CounterSettings::redis(&redis.url(), OnFailure::Closed, 1);
    // Generous: a loaded 2-core machine runs the test, its runtime and Redis.
    settings.timeout_ms = 2000;
    Arc::new(RedisCounters::connect(&settings).await.unwrap())
}

fn client(redis: &RedisServer) -> redis::Connection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap()
}

fn get(conn: &mut redis::Connection, key: &str) -> Option<i64> {
    redis::cmd("GET").arg(key).query(conn).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_300_simultaneous_calls_under_a_limit_of_100_exactly_100_pass() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let c = counters(&redis).await;
    let calls: Vec<_> = (0..300)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move {
                let checks = [day("app:12345678", 1000), day("api:taobao.time.get", 100)];
                c.hit(&checks, T).await.unwrap()
            })
        })
        .collect();
    let mut passed = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(()) => passed += 1,
            Err(r) => assert_eq!(r, Rejected { index: 1 }),
        }
    }
    assert_eq!(passed, 100);
    let d = gmt8_day(T);
    let mut conn = client(&redis);
    assert_eq!(
        get(&mut conn, &format!("tg:{{12345678}}:app:d:{d}")),
        Some(100),
        "refusals taken back"
    );
    assert_eq!(
        get(&mut conn, &format!("tg:{{api:taobao.time.get}}:d:{d}")),
        Some(100)
    );
}

#[tokio::test]
async fn a_refusal_counts_nowhere_names_the_first_over_and_keys_expire() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let c = counters(&redis).await;
    let sec = CounterCheck {
        key: "app:a",
        window: Window::Second(second_of(T)),
        limit: 10,
    };
    let checks = [sec, day("app:a", 10), day("api:m", 1), day("user:u", 1)];
    c.hit(&checks, T).await.unwrap().unwrap();
    // api:m and user:u are both full: the first in the order given is named.
    assert_eq!(c.hit(&checks, T).await.unwrap(), Err(Rejected { index: 2 }));
    let mut conn = client(&redis);
    let d = gmt8_day(T);
    let s = second_of(T);
    for (key, count) in [
        (format!("tg:{{a}}:app:s:{s}"), 1),
        (format!("tg:{{a}}:app:d:{d}"), 1),
        (format!("tg:{{api:m}}:d:{d}"), 1),
        (format!("tg:{{user:u}}:d:{d}"), 1),
    ] {
        assert_eq!(get(&mut conn, &key), Some(count), "{key}");
    }
    // TTLs: the rest of the window plus a minute for a day (12 h at noon), 2 s for a second.
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("tg:{{a}}:app:d:{d}"))
        .query(&mut conn)
        .unwrap();
    assert!((12 * 3600..=12 * 3600 + 60).contains(&ttl), "{ttl}");
    let ttl: i64 = redis::cmd("TTL")
        .arg(format!("tg:{{a}}:app:s:{s}"))
        .query(&mut conn)
        .unwrap();
    assert!((1..=2).contains(&ttl), "{ttl}");
    // A limit of 0 refuses and leaves nothing counted.
    assert_eq!(
        c.hit(&[day("partner:p", 0)], T).await.unwrap(),
        Err(Rejected { index: 0 })
    );
    assert_eq!(get(&mut conn, &format!("tg:{{partner:p}}:d:{d}")), Some(0));
}

#[tokio::test]
async fn a_reset_starts_the_apps_counters_again_once() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let c = counters(&redis).await;
    let mine = [day("app:a", 2), day("app-api:a|m", 2)];
    let shared = [day("api:m", 5)];
    for _ in 0..2 {
        c.hit(&mine, T).await.unwrap().unwrap();
        c.hit(&shared, T).await.unwrap().unwrap();
    }
    assert!(c.hit(&mine, T).await.unwrap().is_err());
    c.reset_app("a", 100);
    c.hit(&mine, T).await.unwrap().unwrap();
    c.reset_app("a", 100);
    c.reset_app("a", 99);
    c.hit(&mine, T).await.unwrap().unwrap();
    assert_eq!(
        c.hit(&mine, T).await.unwrap(),
        Err(Rejected { index: 0 }),
        "applied once"
    );
    let mut conn = client(&redis);
    let d = gmt8_day(T);
    assert_eq!(
        get(&mut conn, &format!("tg:{{a}}:r:100:app-api:m:d:{d}")),
        Some(2)
    );
    assert_eq!(
        get(&mut conn, &format!("tg:{{api:m}}:d:{d}")),
        Some(2),
        "not the app's"
    );
}

#[tokio::test]
async fn started_while_redis_is_down_it_follows_the_policy_then_counts_when_redis_comes() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    redis.kill();
    let mut settings = CounterSettings::redis(&redis.url(), OnFailure::Closed, 1);
    settings.retry_ms = 100;
    let started = std::time::Instant::now();
    let remote = Arc::new(RedisCounters::connect(&settings).await.unwrap());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let shared = SharedCounters::new(remote, &settings);
    let checks = [day("app:a", 5)];
    assert!(matches!(
        shared.hit(&checks, T).await,
        Err(Refused::Unavailable(_))
    ));
    assert!(!shared.is_up());
    redis.restart();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while shared.hit(&checks, T).await.is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "not counting 5 s after Redis came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(shared.is_up());
    let d = gmt8_day(T);
    assert_eq!(
        get(&mut client(&redis), &format!("tg:{{a}}:app:d:{d}")),
        Some(1)
    );
}

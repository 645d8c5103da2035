//! The test-server helpers themselves (`topgate_store::testing`): each starts on a free port,
//! survives a kill and a restart on the same port, and is gone when dropped.

use std::io::{Read, Write};
use std::net::TcpStream;

use topgate_store::testing::{PgServer, RedisServer};

fn accepts(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

fn redis_ping(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"PING\r\n").unwrap();
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).unwrap();
    String::from_utf8_lossy(&buf).into_owned()
}

#[test]
fn redis_server_kill_and_restart() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let port = redis.port();
    assert_eq!(redis.url(), format!("redis://127.0.0.1:{port}/"));
    assert_eq!(redis_ping(port), "+PONG\r\n");
    redis.kill();
    assert!(!accepts(port), "killed");
    redis.restart();
    assert_eq!(redis.port(), port, "same port");
    assert_eq!(redis_ping(port), "+PONG\r\n");
    drop(redis);
    assert!(!accepts(port), "stopped when dropped");
}

#[test]
fn pg_server_stop_kill_and_restart() {
    let Some(pg) = PgServer::start() else { return };
    let port = pg.port();
    assert!(pg.url().contains(&format!("port={port}")));
    let query = |url: &str| {
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        let v: i32 = c.query_one("SELECT 41 + 1", &[]).unwrap().get(0);
        v
    };
    assert_eq!(query(&pg.url()), 42);
    let other = pg.fresh_database();
    assert_ne!(other, pg.url());
    assert_eq!(query(&other), 42);
    pg.kill();
    assert!(!accepts(port), "killed");
    pg.restart();
    assert_eq!(query(&other), 42, "same port, same data");
    pg.stop();
    assert!(!accepts(port), "stopped");
    pg.restart();
    drop(pg);
    assert!(!accepts(port), "stopped when dropped");
}

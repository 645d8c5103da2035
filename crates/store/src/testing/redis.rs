//! A throwaway Redis server: `redis-server` on a free port of 127.0.0.1, no persistence, its
//! working directory a temporary one. Only the process is managed here; tests bring their own
//! client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{free_port, missing, on_path};

/// A Redis server of the test's own. Killed when dropped.
pub struct RedisServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// More `redis-server` arguments (e.g. the cluster settings).
    args: Vec<String>,
    child: Mutex<Option<Child>>,
}

impl RedisServer {
    /// Starts a server; `None` (after printing `SKIPPED: ...`) when `redis-server` is not
    /// installed. Panics, with its log, when it is installed but does not start.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_with(&[])
    }

    /// [`RedisServer::start`] with more `redis-server` arguments (`["--cluster-enabled", "yes"]`).
    pub fn start_with(args: &[&str]) -> Option<RedisServer> {
        let Some(bin) = on_path("redis-server").or_else(|| {
            let p = PathBuf::from("/usr/bin/redis-server");
            p.is_file().then_some(p)
        }) else {
            return missing("redis-server");
        };
        let dir = tempfile::Builder::new()
            .prefix("topgate-redis-")
            .tempdir()
            .expect("create a temporary directory for Redis");
        let mut server = RedisServer {
            dir,
            bin,
            port: 0,
            args: args.iter().map(|a| a.to_string()).collect(),
            child: Mutex::new(None),
        };
        // A port taken between picking and binding makes the start fail: pick another.
        for _ in 0..5 {
            server.port = free_port();
            if server.try_start() {
                return Some(server);
            }
        }
        panic!("redis-server did not start; its log:\n{}", server.log());
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:PORT/`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server (SIGKILL): connections are cut, the data is gone.
    pub fn kill(&self) {
        if let Some(mut child) = self.child.lock().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (empty: there is no persistence).
    pub fn restart(&self) {
        self.kill();
        assert!(
            self.try_start(),
            "redis-server did not restart; its log:\n{}",
            self.log()
        );
    }

    pub(super) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }

    /// Spawns the server and waits (up to 10 s) until it answers PING.
    fn try_start(&self) -> bool {
        let port = self.port.to_string();
        let log = self.dir.path().join("redis.log");
        let spawned = Command::new(&self.bin)
            .args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .args(&self.args)
            .args(["--daemonize", "no", "--logfile"])
            .arg(&log)
            .arg("--dir")
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .current_dir(self.dir.path())
            .spawn();
        let Ok(mut child) = spawned else {
            return false;
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return false; // exited: most likely the port was taken
            }
            if ping(self.port) {
                *self.child.lock() = Some(child);
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        false
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether a Redis server on the port answers `PING` with `+PONG`.
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut buf = [0u8; 7];
    stream.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

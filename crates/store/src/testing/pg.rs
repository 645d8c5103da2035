//! A throwaway PostgreSQL cluster: `initdb` in a temporary directory, `pg_ctl` on a free port,
//! trust authentication, listening on 127.0.0.1 only.
//!
//! PostgreSQL refuses to run as root, and tests (and CI) run as root: then every server command
//! runs as the `postgres` system user (which the Debian package creates) through
//! `runuser -u postgres --`, in a temporary directory handed over to that user.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{free_port, missing, on_path};

/// A PostgreSQL server of the test's own. Stopped (immediately) and deleted when dropped.
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    /// Run server commands through `runuser -u postgres --`.
    as_postgres: bool,
    databases: AtomicUsize,
}

impl PgServer {
    /// Starts a fresh cluster with an empty database `topgate`; `None` (after printing
    /// `SKIPPED: ...`) when PostgreSQL is not installed. Panics, with the server's log, when it
    /// is installed but does not start.
    pub fn start() -> Option<PgServer> {
        let Some(bin) = bin_dir() else {
            return missing("postgresql");
        };
        let as_postgres = effective_uid() == Some(0);
        let dir = tempfile::Builder::new()
            .prefix("topgate-pg-")
            .tempdir()
            .expect("create a temporary directory for PostgreSQL");
        if as_postgres {
            let (uid, gid) = postgres_user().expect(
                "running as root, PostgreSQL needs the `postgres` system user (the Debian \
                 package creates it)",
            );
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .expect("hand the temporary directory to the postgres user");
        }
        let mut server = PgServer {
            dir,
            bin,
            port: 0,
            as_postgres,
            databases: AtomicUsize::new(0),
        };
        let data = server.data().to_string_lossy().into_owned();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        // A port taken between picking and binding makes the start fail: pick another.
        for attempt in 1..=5 {
            server.port = free_port();
            server.configure();
            if server.try_start() {
                server.create_database("topgate");
                return Some(server);
            }
            eprintln!(
                "PostgreSQL did not start on port {} (attempt {attempt})",
                server.port
            );
        }
        panic!("PostgreSQL did not start; its log:\n{}", server.log());
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The connection string of the database `topgate`.
    pub fn url(&self) -> String {
        self.url_of("topgate")
    }

    /// The connection string of database `dbname` on this server.
    pub fn url_of(&self, dbname: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname={dbname}",
            self.port
        )
    }

    /// Creates a new, empty database and returns its connection string.
    pub fn fresh_database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::SeqCst));
        self.create_database(&name);
        self.url_of(&name)
    }

    /// Creates the database `name`.
    pub fn create_database(&self, name: &str) {
        let port = self.port.to_string();
        let out = Command::new(self.bin.join("createdb"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name])
            .output()
            .expect("run createdb");
        check("createdb", &out);
    }

    /// A clean shutdown (waits for the clients to finish).
    pub fn stop(&self) {
        let data = self.data().to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"]);
    }

    /// An immediate shutdown, as close to a crash as PostgreSQL allows: connections are cut,
    /// and the next start recovers from the write-ahead log.
    pub fn kill(&self) {
        let data = self.data().to_string_lossy().into_owned();
        self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }

    /// Starts the server again after [`PgServer::stop`] or [`PgServer::kill`]: same data, same
    /// port.
    pub fn restart(&self) {
        assert!(
            self.try_start(),
            "PostgreSQL did not restart; its log:\n{}",
            self.log()
        );
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Listen on 127.0.0.1:port only, the socket in the temporary directory, no fsync (the
    /// tests' data is thrown away; a killed server still loses no committed transaction, as
    /// only the operating system's crash would).
    fn configure(&self) {
        use std::io::Write;
        let conf = self.data().join("postgresql.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .expect("open postgresql.conf");
        writeln!(
            file,
            "\n# topgate tests\nlisten_addresses = '127.0.0.1'\nport = {}\n\
             unix_socket_directories = '{}'\nfsync = off\nmax_connections = 200\n\
             shared_buffers = 16MB\n",
            self.port,
            self.dir.path().display()
        )
        .expect("write postgresql.conf");
    }

    fn try_start(&self) -> bool {
        let data = self.data().to_string_lossy().into_owned();
        let log = self.dir.path().join("server.log");
        let log = log.to_string_lossy();
        let out = self.command(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-w", "-t", "60", "start"],
        );
        out.status.success()
    }

    /// Runs a server program (as `postgres` when we are root); panics with its output on
    /// failure.
    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program, args);
        check(program, &out);
    }

    fn command(&self, program: &str, args: &[&str]) -> Output {
        let program = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut cmd = Command::new(runuser());
            cmd.args(["-u", "postgres", "--"]).arg(&program);
            cmd
        } else {
            Command::new(&program)
        };
        // The postgres user may not be allowed into the test's working directory.
        cmd.args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data().to_string_lossy().into_owned();
        let _ = self.command("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
    }
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The directory holding `initdb`, `pg_ctl` and `createdb`: beside `pg_ctl` on `$PATH`, else
/// the newest `/usr/lib/postgresql/*/bin` (Debian keeps them off `$PATH`).
fn bin_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "pg_ctl", "createdb", "postgres"]
            .iter()
            .all(|p| dir.join(p).is_file())
    };
    // `/usr/local/bin/pg_ctl` may be a link into the versioned directory: follow it.
    let pg_ctl = on_path("pg_ctl").map(|p| p.canonicalize().unwrap_or(p));
    if let Some(dir) = pg_ctl.and_then(|p| p.parent().map(Path::to_path_buf)) {
        if complete(&dir) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

fn runuser() -> PathBuf {
    on_path("runuser").unwrap_or_else(|| PathBuf::from("/usr/sbin/runuser"))
}

/// The effective user id, from `/proc/self/status` (`Uid: real effective saved fs`).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The `postgres` user's uid and gid, from `/etc/passwd`.
fn postgres_user() -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.as_slice() {
            ["postgres", _, uid, gid, ..] => Some((uid.parse().ok()?, gid.parse().ok()?)),
            _ => None,
        }
    })
}

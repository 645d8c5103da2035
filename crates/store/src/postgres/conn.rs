//! One PostgreSQL connection on a thread of its own, reconnected after a failure.
//!
//! The sync `postgres` client drives a Tokio runtime of its own: blocking on it, or dropping it,
//! from inside another runtime panics, and the stores are called from async code too (the
//! gateway's start, tests, the admin API). So the client lives on a dedicated thread and every
//! call is a job sent to it; the caller blocks on the answer, as it would on SQLite.
//!
//! When a call fails because the connection broke (the server restarted, the network dropped),
//! the connection is dropped and the next call connects again; while the server is down, every
//! call fails fast with [`StoreError::Backend`]. A job that failed before anything could have
//! been done (its `BEGIN` did not go through), or a read, is retried once on a new connection,
//! so the first call after a database restart does not fail needlessly.

use std::panic::AssertUnwindSafe;
use std::str::FromStr;
use std::sync::mpsc;
use std::time::Duration;

use postgres::config::Host;
use postgres::{Client, Config, NoTls};

use crate::StoreError;

/// How a job failed.
pub(crate) enum Fail {
    /// A store-level answer (not found, conflict, invalid input): passed on as is.
    Store(StoreError),
    /// The database failed.
    Pg(postgres::Error),
    /// The job's transaction could not even start: nothing was done, so it is safe to retry.
    NotStarted(postgres::Error),
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        Fail::Store(e)
    }
}

impl From<postgres::Error> for Fail {
    fn from(e: postgres::Error) -> Self {
        Fail::Pg(e)
    }
}

/// The result of a job.
pub(crate) type R<T> = std::result::Result<T, Fail>;

type Job = Box<dyn FnOnce(&mut Link) + Send>;

/// A handle on the connection thread; dropping it ends the thread (and closes the connection).
pub(crate) struct PgConn {
    jobs: mpsc::Sender<Job>,
}

impl PgConn {
    /// Parses the connection string and starts the thread; connects on the first job.
    /// `what` names the store in errors and the thread's name ("registry", "archive").
    pub fn open(url: &str, what: &'static str) -> crate::Result<PgConn> {
        let mut config = Config::from_str(url).map_err(|e| {
            StoreError::invalid(format!(
                "the {what} connection string is not a PostgreSQL one ({}); write it as \
                 postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME or host=HOST port=PORT user=USER \
                 dbname=DBNAME",
                describe(&e)
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("topgate");
        }
        let target = target(&config);
        let mut link = Link {
            config,
            client: None,
            what,
            target,
        };
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(format!("topgate-pg-{what}"))
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    let run = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut link)));
                    if run.is_err() {
                        // The connection's state is unknown after a panic: start afresh.
                        link.client = None;
                    }
                }
            })
            .map_err(|e| {
                StoreError::Backend(format!("cannot start the PostgreSQL {what} thread: {e}"))
            })?;
        Ok(PgConn { jobs })
    }

    /// Runs `f` on the connection thread and waits for its answer. `idempotent`: `f` may run
    /// twice (a read, or a write that is harmless to repeat), so any broken-connection failure
    /// on a connection that was already open is retried once on a new one.
    pub fn run<T: Send + 'static>(
        &self,
        idempotent: bool,
        mut f: impl FnMut(&mut Client) -> R<T> + Send + 'static,
    ) -> crate::Result<T> {
        let (tx, rx) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |link: &mut Link| {
            let _ = tx.send(link.run(idempotent, &mut f));
        });
        let gone = || {
            StoreError::Backend(
                "the PostgreSQL connection thread stopped unexpectedly (a bug in topgate); \
                 restart topgate"
                    .to_string(),
            )
        };
        self.jobs.send(job).map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?
    }
}

/// The connection thread's state.
struct Link {
    config: Config,
    client: Option<Client>,
    what: &'static str,
    /// Where the database is, for messages (never the password).
    target: String,
}

impl Link {
    fn run<T>(
        &mut self,
        idempotent: bool,
        f: &mut dyn FnMut(&mut Client) -> R<T>,
    ) -> crate::Result<T> {
        let mut retried = false;
        loop {
            let reused = self.client.is_some();
            let client = match self.client.take() {
                Some(client) => client,
                None => self
                    .config
                    .connect(NoTls)
                    .map_err(|e| self.unreachable(&e))?,
            };
            let client = self.client.insert(client);
            let (e, safe_to_retry) = match f(client) {
                Ok(v) => return Ok(v),
                Err(Fail::Store(e)) => return Err(e),
                Err(Fail::NotStarted(e)) => (e, true),
                Err(Fail::Pg(e)) => (e, idempotent),
            };
            if !broken(&e) {
                return Err(self.failed(&e));
            }
            self.client = None;
            if !(reused && safe_to_retry && !retried) {
                return Err(self.unreachable(&e));
            }
            retried = true;
        }
    }

    fn unreachable(&self, e: &postgres::Error) -> StoreError {
        StoreError::Backend(format!(
            "PostgreSQL ({what}, {target}) is unreachable: {detail}; check that the server is up \
             and reachable from this node; topgate reconnects by itself on the next call",
            what = self.what,
            target = self.target,
            detail = describe(e),
        ))
    }

    fn failed(&self, e: &postgres::Error) -> StoreError {
        StoreError::Backend(format!(
            "PostgreSQL ({what}, {target}): {detail}",
            what = self.what,
            target = self.target,
            detail = describe(e),
        ))
    }
}

/// Whether the error leaves the connection unusable: anything the server did not answer with
/// an ordinary error (I/O, a closed connection, a protocol error), or a fatal server error
/// (the server shutting down, the connection terminated by an administrator).
fn broken(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        None => !is_conversion(e),
        Some(db) => {
            matches!(db.severity(), "FATAL" | "PANIC") || db.code().code().starts_with("08")
        }
    }
}

/// Errors converting values between Rust and SQL: the connection is fine.
fn is_conversion(e: &postgres::Error) -> bool {
    let text = e.to_string();
    text.starts_with("error serializing")
        || text.starts_with("error deserializing")
        || text.starts_with("invalid column")
        || text.starts_with("query returned an unexpected number")
        || text.starts_with("expected ")
}

/// The error with its cause (the `postgres` error alone says only "db error").
pub(crate) fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut text = format!(
                "{}: {} (SQLSTATE {})",
                db.severity(),
                db.message(),
                db.code().code()
            );
            if let Some(detail) = db.detail() {
                text.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = db.hint() {
                text.push_str(&format!("; hint: {hint}"));
            }
            text
        }
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

/// `user@host:port/dbname`, for messages.
fn target(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let host = if hosts.is_empty() {
        "localhost".to_string()
    } else {
        hosts.join(",")
    };
    let port = match config.get_ports() {
        [] => "5432".to_string(),
        ports => ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(","),
    };
    let user = config.get_user().unwrap_or("?");
    let dbname = config.get_dbname().unwrap_or(user);
    format!("{user}@{host}:{port}/{dbname}")
}

//! The call archive (DESIGN.md "The archive"): every answered call recorded with its response
//! body, off the request path.
//!
//! [`Archive`] is a [`CallObserver`]: `observe` copies the call's record and its (bounded)
//! response body into a queue and returns; a writer thread writes batches into an
//! [`ArchiveStore`] (`archive.db` in the data directory by default). Errors are always queued;
//! successes may be sampled ([`ArchiveSettings::success_sample_rate`]) and are dropped, and
//! counted, when `queue_capacity` of them are already waiting. [`Archive::flush`] waits until
//! everything queued so far is written; `Running::stop` calls it after the last call in flight.

mod packed;
mod queue;
mod settings;
mod writer;

#[cfg(test)]
mod cost;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use topgate_store::archive::{ArchiveStore, CallRecord, SqliteArchive};

use crate::pipeline::{Clock, Reply};
use crate::server::CallObserver;
pub use settings::ArchiveSettings;
pub(crate) use settings::Tuning;

/// What the archive has done since the gateway started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ArchiveStats {
    /// Records waiting to be written (queued or in the batch being written).
    pub queued: u64,
    /// Records written.
    pub written: u64,
    /// Successes not archived because the queue was full (sampled-out ones are not counted).
    pub dropped_successes: u64,
    /// Failed batch writes (each is retried).
    pub write_failures: u64,
}

/// The archive of a running gateway. Dropping it lets the writer finish what is queued and end.
pub struct Archive {
    queue: Arc<queue::Queue>,
    store: Arc<dyn ArchiveStore>,
    settings: ArchiveSettings,
}

/// The archive file in a data directory.
pub fn archive_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("archive.db")
}

/// Opens `archive.db` in `data_dir` and starts the archive, unless the settings disable it.
pub fn open(
    settings: &ArchiveSettings,
    data_dir: &Path,
    clock: Clock,
) -> anyhow::Result<Option<Arc<Archive>>> {
    if !settings.enabled {
        return Ok(None);
    }
    settings.validate()?;
    let store: Arc<dyn ArchiveStore> = Arc::new(SqliteArchive::open(&archive_path(data_dir))?);
    Archive::start(store, settings.clone(), clock).map(Some)
}

impl Archive {
    /// Starts the writer thread over `store`.
    pub fn start(
        store: Arc<dyn ArchiveStore>,
        settings: ArchiveSettings,
        clock: Clock,
    ) -> anyhow::Result<Arc<Archive>> {
        Archive::start_tuned(store, settings, clock, Tuning::default())
    }

    pub(crate) fn start_tuned(
        store: Arc<dyn ArchiveStore>,
        settings: ArchiveSettings,
        clock: Clock,
        tuning: Tuning,
    ) -> anyhow::Result<Arc<Archive>> {
        settings.validate()?;
        let queue = Arc::new(queue::Queue::new(
            settings.queue_capacity,
            tuning.batch_size,
        ));
        let writer = writer::Writer {
            queue: queue.clone(),
            store: store.clone(),
            clock,
            retention: settings.retention(),
            tuning,
        };
        let low_priority = settings.low_priority;
        std::thread::Builder::new()
            .name("topgate-archive".into())
            .spawn(move || {
                if low_priority {
                    lower_this_threads_priority();
                }
                writer.run()
            })
            .map_err(|e| anyhow::anyhow!("cannot start the archive writer thread: {e}"))?;
        Ok(Arc::new(Archive {
            queue,
            store,
            settings,
        }))
    }

    /// Records one call (the record as the pipeline filled it, its parameters included, and
    /// `body` as sent). Never blocks on the database.
    pub fn record(&self, record: &CallRecord, body: &[u8]) {
        if self.keeps(record.is_error()) {
            self.push(record, &packed::borrowed(&record.params), body);
        }
    }

    /// Queues a kept call, its parameters given apart (as [`topgate_protocol::params::Params::echo_borrowed`] shows them).
    fn push(&self, record: &CallRecord, params: &[(&str, Cow<'_, str>)], body: &[u8]) {
        self.queue.push(packed::Packed::pack(
            record,
            params,
            body,
            self.settings.max_body_bytes,
        ));
    }

    /// Whether a call with this outcome is kept (errors always; successes as sampled, while
    /// the queue has room).
    fn keeps(&self, error: bool) -> bool {
        if error {
            return true;
        }
        let rate = self.settings.success_sample_rate;
        if rate < 1.0 && !(rate > 0.0 && rand::random::<f64>() < rate) {
            return false;
        }
        if self.queue.full_of_successes() {
            self.queue.count_dropped_success();
            return false;
        }
        true
    }

    /// Waits until every call recorded before this one is written (or given up after repeated
    /// failures once the archive is closing).
    pub fn flush(&self) {
        self.queue.flush(None);
    }

    /// [`Archive::flush`] waiting at most `limit`; returns whether everything was written.
    pub fn flush_timeout(&self, limit: Duration) -> bool {
        self.queue.flush(Some(limit))
    }

    pub fn stats(&self) -> ArchiveStats {
        self.queue.stats()
    }

    /// The store the archive writes to (for reading records back).
    pub fn store(&self) -> &Arc<dyn ArchiveStore> {
        &self.store
    }

    pub fn settings(&self) -> &ArchiveSettings {
        &self.settings
    }
}

impl CallObserver for Archive {
    fn observe(&self, reply: &Reply) {
        if !self.keeps(reply.record.is_error()) {
            return;
        }
        // The decoded parameters when there are some (the record's own are left empty on the
        // request path); a call refused before decoding has only what the record holds.
        let params = match &reply.params {
            Some(params) => params.echo_borrowed(),
            None => packed::borrowed(&reply.record.params),
        };
        self.push(&reply.record, &params, &reply.body);
    }
}

impl Drop for Archive {
    fn drop(&mut self) {
        self.queue.close();
    }
}

/// Moves the calling thread (the writer) to the idle scheduling class (`SCHED_IDLE` on Linux;
/// the lowest priority elsewhere): it then runs only when no request needs the core, so a batch
/// being written never delays an answer. At saturation the writer falls behind and the queue's
/// bound applies (successes dropped and counted, errors kept).
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    let result = thread_priority::set_thread_priority_and_policy(
        thread_priority::thread_native_id(),
        thread_priority::ThreadPriority::Min,
        thread_priority::ThreadSchedulePolicy::Normal(
            thread_priority::NormalThreadSchedulePolicy::Idle,
        ),
    );
    #[cfg(not(target_os = "linux"))]
    let result = thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min);
    if let Err(e) = result {
        tracing::warn!(error = ?e, "could not lower the archive writer's priority; it runs at normal priority");
    }
}

/// The body as text (invalid UTF-8 replaced), cut to `max` bytes on a character boundary with
/// a marker saying how much was kept: the `response_body` the archive stores.
pub fn bounded_body(body: &[u8], max: usize) -> String {
    let (text, marker) = packed::cut_body(body, max);
    let mut text = text.into_owned();
    if let Some(marker) = marker {
        text.push_str(&marker);
    }
    text
}

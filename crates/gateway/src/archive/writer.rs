//! The archive's writer thread: takes batches from the queue (up to `batch_size` records, or
//! whatever `batch_wait` gathered), writes each in one transaction, retries failed writes with
//! a growing pause, and prunes old records at start and every `prune_every`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use topgate_store::archive::{ArchiveStore, CallRecord};

use super::packed::Packed;
use super::queue::Queue;
use super::settings::Tuning;
use crate::pipeline::Clock;

pub(super) struct Writer {
    pub queue: Arc<Queue>,
    pub store: Arc<dyn ArchiveStore>,
    pub clock: Clock,
    pub retention: Option<Duration>,
    pub tuning: Tuning,
}

/// Tells flushers when the thread ends, even by a panic.
struct Gone(Arc<Queue>);

impl Drop for Gone {
    fn drop(&mut self) {
        self.0.writer_gone();
    }
}

impl Writer {
    pub fn run(self) {
        let _gone = Gone(self.queue.clone());
        let mut next_prune = Instant::now();
        loop {
            if self.retention.is_some() && Instant::now() >= next_prune {
                next_prune = Instant::now() + self.prune();
            }
            let Some(batch) = self.next_batch(next_prune) else {
                return;
            };
            if !batch.is_empty() {
                let records: Vec<CallRecord> = batch.iter().filter_map(Packed::unpack).collect();
                if records.len() < batch.len() {
                    tracing::error!(
                        lost = batch.len() - records.len(),
                        "archive records could not be unpacked (a bug)"
                    );
                }
                self.write(batch.len(), records);
            }
        }
    }

    /// Waits for a batch worth writing; `None` when the queue is closed and empty. Returns an
    /// empty batch when it is time to prune.
    fn next_batch(&self, next_prune: Instant) -> Option<Vec<Packed>> {
        let mut s = self.queue.lock();
        // When the oldest waiting record was first seen; records left over from the previous
        // batch have waited long enough.
        let mut window: Option<Instant> = (!s.pending.is_empty()).then(Instant::now);
        let leftovers = window.is_some();
        loop {
            if s.pending.is_empty() {
                if s.closed {
                    return None;
                }
                if self.retention.is_some() && Instant::now() >= next_prune {
                    return Some(Vec::new());
                }
                let idle_until = if self.retention.is_some() {
                    next_prune
                } else {
                    Instant::now() + Duration::from_secs(3600)
                };
                self.queue.wait(&mut s, idle_until);
                continue;
            }
            let started = *window.get_or_insert_with(Instant::now);
            let due = started + self.tuning.batch_wait;
            if leftovers || s.urgent(self.tuning.batch_size) || Instant::now() >= due {
                return Some(self.queue.take(&mut s));
            }
            self.queue.wait(&mut s, due);
        }
    }

    /// Writes one batch, retrying until it is written; after the close, gives up after
    /// `retries_after_close` more failures.
    fn write(&self, taken: usize, batch: Vec<CallRecord>) {
        let mut pause = self.tuning.retry_first;
        let mut failures = 0u32;
        let mut failures_after_close = 0u32;
        loop {
            match self.store.write_batch(&batch) {
                Ok(()) => {
                    if failures > 0 {
                        tracing::info!(failures, "archive writes work again");
                    }
                    self.queue.finish(taken, batch.len());
                    return;
                }
                Err(e) => {
                    failures += 1;
                    let total = self.queue.note_write_failure();
                    if self.queue.lock().closed {
                        failures_after_close += 1;
                        if failures_after_close > self.tuning.retries_after_close {
                            let errors = batch.iter().filter(|r| r.is_error()).count();
                            tracing::error!(
                                error = %e, records = batch.len(), errors,
                                "archive records lost: the archive database kept failing while the gateway stopped"
                            );
                            self.queue.finish(taken, 0);
                            return;
                        }
                    }
                    tracing::warn!(
                        error = %e, records = batch.len(), failures = total,
                        retry_in_ms = pause.as_millis() as u64,
                        "archive write failed; the batch is kept and retried"
                    );
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(self.tuning.retry_max);
                }
            }
        }
    }

    /// Deletes records older than the retention; returns when to prune next.
    fn prune(&self) -> Duration {
        let Some(retention) = self.retention else {
            return self.tuning.prune_every;
        };
        let cutoff = (self.clock)().saturating_sub(retention.as_millis() as i64);
        match self.store.prune(cutoff) {
            Ok(0) => self.tuning.prune_every,
            Ok(n) => {
                tracing::info!(
                    pruned = n,
                    "archive: pruned records older than the retention"
                );
                self.tuning.prune_every
            }
            Err(e) => {
                tracing::warn!(error = %e, "archive prune failed; retrying in a minute");
                self.tuning.prune_every.min(Duration::from_secs(60))
            }
        }
    }
}

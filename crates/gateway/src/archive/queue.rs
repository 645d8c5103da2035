//! The queue between the request path and the archive's writer thread.
//!
//! One FIFO under a mutex held only to push or to take a batch. Errors are always accepted;
//! successes only while fewer than the capacity are waiting (a relaxed atomic mirror of that
//! count lets a full queue refuse a success before it is even copied). Records are finished
//! (written, or given up) in the order they were accepted, so "everything accepted so far is
//! finished" is one comparison of two counters: that is what [`Queue::flush`] waits for.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

use super::packed::Packed;
use super::ArchiveStats;

pub(super) struct Queue {
    state: Mutex<State>,
    /// The writer waits here for records, a flush or the close.
    wake: Condvar,
    /// Flushers wait here for the writer's progress.
    progress: Condvar,
    /// Mirrors `State::pending_successes` for the lock-free early refusal.
    successes: AtomicUsize,
    capacity: usize,
    batch_size: usize,
}

#[derive(Default)]
pub(super) struct State {
    pub pending: VecDeque<Packed>,
    pending_successes: usize,
    /// Taken by the writer, not finished yet.
    in_batch: usize,
    /// Records ever accepted; they are numbered 1..=accepted.
    accepted: u64,
    /// Records finished (written or given up); always a prefix of the accepted ones.
    finished: u64,
    written: u64,
    dropped_successes: u64,
    write_failures: u64,
    /// A flusher waits until `finished` reaches this: the writer stops waiting for full batches.
    flush_wanted: u64,
    pub closed: bool,
    writer_gone: bool,
}

impl State {
    /// Whether the writer should write what is pending now rather than wait for more.
    pub fn urgent(&self, batch_size: usize) -> bool {
        self.closed || self.pending.len() >= batch_size || self.flush_wanted > self.finished
    }
}

impl Queue {
    pub fn new(capacity: usize, batch_size: usize) -> Queue {
        Queue {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            progress: Condvar::new(),
            successes: AtomicUsize::new(0),
            capacity,
            batch_size,
        }
    }

    /// Whether a success would be refused now (a hint: [`Queue::push`] decides).
    pub fn full_of_successes(&self) -> bool {
        self.successes.load(Ordering::Relaxed) >= self.capacity
    }

    /// Accepts a record (a success only within the capacity); returns false when it was dropped.
    pub fn push(&self, record: Packed) -> bool {
        let error = record.error;
        let mut s = self.state.lock();
        if !error && s.pending_successes >= self.capacity {
            drop(s);
            self.count_dropped_success();
            return false;
        }
        if !error {
            s.pending_successes += 1;
            self.successes.store(s.pending_successes, Ordering::Relaxed);
        }
        s.pending.push_back(record);
        s.accepted += 1;
        let len = s.pending.len();
        drop(s);
        if len == 1 || len == self.batch_size {
            self.wake.notify_one();
        }
        true
    }

    /// Counts a success refused because the queue was full; logs the first of a run and every
    /// 10 000th.
    pub fn count_dropped_success(&self) {
        let mut s = self.state.lock();
        s.dropped_successes += 1;
        let n = s.dropped_successes;
        drop(s);
        if n % 10_000 == 1 {
            tracing::warn!(
                dropped = n,
                "the archive queue is full: successful calls are not being archived (errors \
                 still are); the archive database is too slow or failing"
            );
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock()
    }

    /// The writer's wait for something to happen, until `deadline`.
    pub fn wait(&self, s: &mut MutexGuard<'_, State>, deadline: Instant) {
        let _ = self.wake.wait_until(s, deadline);
    }

    /// Takes the next batch (oldest first) out of the queue.
    pub fn take(&self, s: &mut MutexGuard<'_, State>) -> Vec<Packed> {
        let n = s.pending.len().min(self.batch_size);
        let batch: Vec<Packed> = s.pending.drain(..n).collect();
        let successes = batch.iter().filter(|r| !r.error).count();
        s.pending_successes -= successes;
        self.successes.store(s.pending_successes, Ordering::Relaxed);
        s.in_batch = n;
        batch
    }

    /// The batch taken last is finished: `written` of its records were written.
    pub fn finish(&self, taken: usize, written: usize) {
        let mut s = self.state.lock();
        s.in_batch = 0;
        s.finished += taken as u64;
        s.written += written as u64;
        drop(s);
        self.progress.notify_all();
    }

    pub fn note_write_failure(&self) -> u64 {
        let mut s = self.state.lock();
        s.write_failures += 1;
        s.write_failures
    }

    /// No more records will come: the writer writes what is left and exits.
    pub fn close(&self) {
        self.state.lock().closed = true;
        self.wake.notify_all();
    }

    /// The writer thread has ended (normally or not): flushers stop waiting.
    pub fn writer_gone(&self) {
        self.state.lock().writer_gone = true;
        self.progress.notify_all();
    }

    /// Waits until every record accepted before the call is finished, or `limit` passes.
    /// Returns whether they all were.
    pub fn flush(&self, limit: Option<Duration>) -> bool {
        let deadline = limit.map(|l| Instant::now() + l);
        let mut s = self.state.lock();
        let target = s.accepted;
        if s.finished >= target {
            return true;
        }
        s.flush_wanted = s.flush_wanted.max(target);
        self.wake.notify_one();
        while s.finished < target && !s.writer_gone {
            match deadline {
                Some(d) => {
                    if self.progress.wait_until(&mut s, d).timed_out() {
                        break;
                    }
                }
                None => self.progress.wait(&mut s),
            }
        }
        s.finished >= target
    }

    pub fn stats(&self) -> ArchiveStats {
        let s = self.state.lock();
        ArchiveStats {
            queued: (s.pending.len() + s.in_batch) as u64,
            written: s.written,
            dropped_successes: s.dropped_successes,
            write_failures: s.write_failures,
        }
    }
}

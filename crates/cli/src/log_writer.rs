//! Log lines batched in memory and written to stderr by a thread of their own, as a busy web
//! server buffers its access log.
//!
//! A call formats its line and appends it to a buffer under a mutex: no system call, no thread
//! woken, nothing that waits for the terminal, pipe or disk behind stderr. The writer thread
//! writes what gathered every [`FLUSH_EVERY`], or as soon as [`WAKE_AT`] bytes wait. A writer
//! woken per line (a channel to a logging thread) cost a context switch per call: 9% of a core
//! at 6 000 calls a second, and the latency that came with it.
//!
//! If stderr stops taking lines (a blocked pipe), at most [`MAX_WAITING`] bytes wait; further
//! lines are dropped and counted, and the count is written once stderr moves again. The
//! archive, not the log, is the evidence of each call. Dropping the [`Guard`] writes what is
//! left.

use std::io::Write;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};
use tracing_subscriber::fmt::MakeWriter;

/// How long a line waits at most before it is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(50);
/// Bytes waiting that wake the writer before [`FLUSH_EVERY`].
pub const WAKE_AT: usize = 64 * 1024;
/// Bytes waiting beyond which lines are dropped.
pub const MAX_WAITING: usize = 8 * 1024 * 1024;

#[derive(Default)]
struct State {
    waiting: Vec<u8>,
    dropped: u64,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

/// The [`MakeWriter`] handed to the subscriber.
#[derive(Clone)]
pub struct BatchedWriter {
    shared: Arc<Shared>,
}

/// Keeps the writer thread; dropping it writes what waits and ends the thread.
pub struct Guard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// A writer over `out` (stderr in `topgate serve`), and the guard of its thread.
pub fn batched(out: impl Write + Send + 'static) -> (BatchedWriter, Guard) {
    let shared = Arc::new(Shared::default());
    let thread = {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("topgate-log".into())
            .spawn(move || write_loop(&shared, out))
            .expect("spawn the log writer thread")
    };
    (
        BatchedWriter {
            shared: shared.clone(),
        },
        Guard {
            shared,
            thread: Some(thread),
        },
    )
}

fn write_loop(shared: &Shared, mut out: impl Write) {
    let mut spare = Vec::new();
    loop {
        let (dropped, closed) = {
            let mut s = shared.state.lock();
            if s.waiting.is_empty() && !s.closed {
                shared.wake.wait_for(&mut s, FLUSH_EVERY);
            }
            std::mem::swap(&mut s.waiting, &mut spare);
            (std::mem::take(&mut s.dropped), s.closed)
        };
        if dropped > 0 {
            let _ = writeln!(
                out,
                "topgate: {dropped} log lines dropped: standard error did not take them fast enough"
            );
        }
        // A failing stderr has nowhere to report to; the lines are lost either way.
        let _ = out.write_all(&spare).and_then(|()| out.flush());
        spare.clear();
        if closed && shared.state.lock().waiting.is_empty() {
            return;
        }
    }
}

impl Write for BatchedWriter {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut s = self.shared.state.lock();
        if s.waiting.len() + line.len() > MAX_WAITING {
            s.dropped += 1;
            return Ok(line.len());
        }
        let before = s.waiting.len();
        s.waiting.extend_from_slice(line);
        let wake = before < WAKE_AT && s.waiting.len() >= WAKE_AT;
        drop(s);
        if wake {
            self.shared.wake.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BatchedWriter {
    type Writer = BatchedWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.shared.state.lock().closed = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects what the writer thread writes; `blocked` holds every write until released.
    #[derive(Clone, Default)]
    struct Sink {
        written: Arc<Mutex<Vec<u8>>>,
        blocked: Arc<Mutex<()>>,
    }

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _held = self.blocked.lock();
            self.written.lock().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_are_written_in_order_within_the_flush_interval_and_at_the_end() {
        let sink = Sink::default();
        let (writer, guard) = batched(sink.clone());
        let mut w = writer.make_writer();
        w.write_all(b"one\n").unwrap();
        std::thread::sleep(FLUSH_EVERY * 4);
        assert_eq!(
            &*sink.written.lock(),
            b"one\n",
            "written within the interval"
        );
        for i in 0..1000 {
            writeln!(writer.make_writer(), "line {i}").unwrap();
        }
        drop(guard);
        let text = String::from_utf8(sink.written.lock().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1001, "every line, the last ones at the drop");
        assert_eq!(lines[1000], "line 999");
    }

    #[test]
    fn a_blocked_stderr_drops_lines_beyond_the_bound_and_says_how_many() {
        let sink = Sink::default();
        let held = sink.blocked.lock();
        let (writer, guard) = batched(sink.clone());
        // One write per line, as the subscriber writes each event.
        let mut line = vec![b'x'; 1023];
        line.push(b'\n');
        let total = 3 * MAX_WAITING / 1024;
        for _ in 0..total {
            let mut w = writer.make_writer();
            w.write_all(&line).unwrap();
        }
        drop(held);
        drop(guard);
        let text = String::from_utf8(sink.written.lock().clone()).unwrap();
        let kept = text.lines().filter(|l| l.starts_with('x')).count();
        assert!(
            kept < total && kept >= MAX_WAITING / 1024,
            "{kept} of {total}"
        );
        assert!(text.contains("log lines dropped"), "the drop is reported");
    }
}

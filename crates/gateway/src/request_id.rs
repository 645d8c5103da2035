//! Request ids: 16 lower-case alphanumeric characters (`0t3k2fab3xq9m1zt`), opaque to clients
//! as TOP's are, and built for the archive, which is keyed by them:
//!
//! - 6 characters: the second the id was made, base 36, counted from 2020-01-01 UTC (good until
//!   2089). Ids sort by time, so the archive's index on them grows at its right edge instead of
//!   at random places: random 13-character ids cost the archive writer 9.9 µs a record at
//!   200 000 records, time-ordered ones 5.9 µs (`docs/archive.md`), and the gap widens as
//!   the archive grows past the page cache.
//! - 5 characters: random, chosen when the process starts, so that nodes sharing an archive
//!   and restarts do not collide (one chance in 60 million per pair of processes).
//! - 5 characters: a counter scrambled by a bijection (multiplication by a constant prime to 36,
//!   modulo 36⁵), so that two ids of one second do not tell how many calls came between them.
//!   Unique within a process up to 60 million ids a second.
//!
//! Generating one is a clock read, an atomic increment, and the string itself.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// 2020-01-01T00:00:00Z in seconds since the Unix epoch.
const EPOCH_2020: u64 = 1_577_836_800;
const TIME_DIGITS: usize = 6;
const PREFIX_DIGITS: usize = 5;
const COUNTER_DIGITS: usize = 5;
const COUNTER_SPACE: u64 = 36u64.pow(COUNTER_DIGITS as u32);
/// Odd and not a multiple of 3, so prime to 36: multiplying by it is a bijection on
/// 0..36⁵. No overflow: `COUNTER_SPACE * SCRAMBLE` < 2⁵⁸.
const SCRAMBLE: u64 = 0x9E37_79B1;
/// The length of every request id.
pub const LEN: usize = TIME_DIGITS + PREFIX_DIGITS + COUNTER_DIGITS;

static COUNTER: AtomicU64 = AtomicU64::new(0);
static PROCESS: OnceLock<Process> = OnceLock::new();

/// What a process chooses once: its prefix, and where its counter starts (so that its first id
/// does not end in `00000`).
struct Process {
    prefix: [u8; PREFIX_DIGITS],
    counter_start: u64,
}

fn process() -> &'static Process {
    PROCESS.get_or_init(|| {
        let mut prefix = [0u8; PREFIX_DIGITS];
        for b in &mut prefix {
            *b = ALPHABET[rand::random::<usize>() % 36];
        }
        Process {
            prefix,
            counter_start: rand::random::<u64>() % COUNTER_SPACE,
        }
    })
}

/// Writes `n` (mod 36^len) in base 36, most significant digit first.
fn base36(mut n: u64, out: &mut [u8]) {
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 36) as usize];
        n /= 36;
    }
}

/// The counter's values, 36⁵ of them, in an order that does not show how far apart two are.
fn scramble(n: u64) -> u64 {
    n % COUNTER_SPACE * SCRAMBLE % COUNTER_SPACE
}

/// A new request id.
pub fn next() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .saturating_sub(EPOCH_2020);
    at(seconds)
}

/// The id made `seconds` after 2020-01-01 UTC.
fn at(seconds: u64) -> String {
    let process = process();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) % COUNTER_SPACE;
    let scrambled = scramble(n + process.counter_start);
    let mut out = [0u8; LEN];
    base36(seconds, &mut out[..TIME_DIGITS]);
    out[TIME_DIGITS..TIME_DIGITS + PREFIX_DIGITS].copy_from_slice(&process.prefix);
    base36(scrambled, &mut out[TIME_DIGITS + PREFIX_DIGITS..]);
    String::from_utf8(out.to_vec()).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_and_uniqueness() {
        let a = next();
        let b = next();
        assert_eq!(a.len(), LEN);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        assert_ne!(a, b);
        assert_eq!(a[6..11], b[6..11], "one process, one prefix");
    }

    #[test]
    fn ids_sort_by_the_second_they_were_made() {
        let day = 86_400;
        let ids: Vec<String> = [0, 1, 59, day, 365 * day, 60 * 365 * day]
            .iter()
            .map(|&s| at(s))
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert!(ids[0].starts_with("000000"));
    }

    #[test]
    fn the_scrambled_counter_is_a_bijection() {
        // Multiplication modulo m is a bijection exactly when the factor is prime to m.
        let gcd = |mut a: u64, mut b: u64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        assert_eq!(gcd(SCRAMBLE, COUNTER_SPACE), 1);
        let mut sample: Vec<u64> = (0..100_000).map(scramble).collect();
        sample.sort_unstable();
        sample.dedup();
        assert_eq!(sample.len(), 100_000);
        assert_eq!(scramble(COUNTER_SPACE + 7), scramble(7), "wraps");
    }
}

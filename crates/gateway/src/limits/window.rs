//! Windows: the epoch second and the GMT+8 day, and how long until one ends.

use super::counters::Window;

const SECOND_MS: i64 = 1000;
const DAY_MS: i64 = 24 * 3600 * SECOND_MS;
const GMT8_MS: i64 = 8 * 3600 * SECOND_MS;

/// The epoch second of `now_ms`.
pub fn second_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(SECOND_MS)
}

/// The GMT+8 day of `now_ms`: days since 1970-01-01 (GMT+8). It changes at midnight GMT+8.
pub fn gmt8_day(now_ms: i64) -> i64 {
    now_ms.saturating_add(GMT8_MS).div_euclid(DAY_MS)
}

/// When the window ends, in epoch milliseconds.
pub fn window_end_ms(window: Window) -> i64 {
    match window {
        Window::Second(s) => s.saturating_add(1).saturating_mul(SECOND_MS),
        Window::Day(d) => d.saturating_add(1).saturating_mul(DAY_MS) - GMT8_MS,
    }
}

/// The whole seconds left in the window at `now_ms`, rounded up, at least 1: the ban a refused
/// call is told about (`This ban will last for N more seconds`, `Retry-After: N`).
pub fn ban_seconds(window: Window, now_ms: i64) -> u64 {
    let left_ms = window_end_ms(window).saturating_sub(now_ms);
    let secs = left_ms.saturating_add(SECOND_MS - 1).div_euclid(SECOND_MS);
    u64::try_from(secs).unwrap_or(0).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use topgate_protocol::time::parse_timestamp;

    fn at(ts: &str) -> i64 {
        parse_timestamp(ts).unwrap()
    }

    #[test]
    fn the_day_turns_at_midnight_gmt8() {
        let before = at("2026-11-25 23:59:59");
        let after = at("2026-11-26 00:00:00");
        assert_eq!(gmt8_day(before) + 1, gmt8_day(after));
        assert_eq!(gmt8_day(at("2026-11-25 00:00:00")), gmt8_day(before));
        // 16:00 UTC is midnight GMT+8.
        assert_eq!(window_end_ms(Window::Day(gmt8_day(before))), after);
    }

    #[test]
    fn bans_are_whole_seconds_rounded_up_at_least_one() {
        let day = |t: i64| Window::Day(gmt8_day(t));
        let t = at("2026-11-25 23:59:30");
        assert_eq!(ban_seconds(day(t), t), 30);
        assert_eq!(ban_seconds(day(t), t + 1), 30, "29.999 s left: 30");
        assert_eq!(ban_seconds(day(t), t + 29_999), 1);
        assert_eq!(ban_seconds(day(t), t + 30_000), 1, "never 0");
        assert_eq!(ban_seconds(day(t), at("2026-11-25 12:00:00")), 12 * 3600);
        let sec = |t: i64| Window::Second(second_of(t));
        assert_eq!(ban_seconds(sec(t), t), 1);
        assert_eq!(ban_seconds(sec(t + 999), t + 999), 1);
        assert_eq!(second_of(-1), -1);
    }
}

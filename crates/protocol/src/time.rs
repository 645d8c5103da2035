//! The `timestamp` system parameter.
//!
//! Two forms are accepted: `yyyy-MM-dd HH:mm:ss` in GMT+8 (an optional `.SSS` fraction too: the
//! seed's own captured request carries one), and epoch milliseconds (what the Python SDK family
//! sends). The skew check takes the clock as an argument, never reading the system clock itself.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

/// The protocol's time zone: GMT+8.
pub fn gmt8() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// The skew the platform allows either way: 10 minutes.
pub const MAX_SKEW_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("not `yyyy-MM-dd HH:mm:ss` (GMT+8) nor epoch milliseconds")]
    Malformed,
    #[error("out of the allowed range")]
    OutOfRange,
}

/// Parses a `timestamp` value into epoch milliseconds.
pub fn parse_timestamp(value: &str) -> Result<i64, TimestampError> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<i64>().map_err(|_| TimestampError::OutOfRange);
    }
    parse_gmt8(v)
}

fn parse_gmt8(v: &str) -> Result<i64, TimestampError> {
    let b = v.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(TimestampError::Malformed);
    }
    let num = |range: std::ops::Range<usize>| -> Result<u32, TimestampError> {
        let s = &b[range];
        if !s.iter().all(u8::is_ascii_digit) {
            return Err(TimestampError::Malformed);
        }
        Ok(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let millis = match &b[19..] {
        [] => 0,
        [b'.', frac @ ..]
            if (1..=3).contains(&frac.len()) && frac.iter().all(u8::is_ascii_digit) =>
        {
            let n = frac
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            n * 10u32.pow(3 - frac.len() as u32)
        }
        _ => return Err(TimestampError::Malformed),
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
        .ok_or(TimestampError::Malformed)?;
    let naive = date
        .and_hms_milli_opt(num(11..13)?, num(14..16)?, num(17..19)?, millis)
        .ok_or(TimestampError::Malformed)?;
    let local = gmt8()
        .from_local_datetime(&naive)
        .single()
        .ok_or(TimestampError::Malformed)?;
    Ok(local.timestamp_millis())
}

/// Formats epoch milliseconds as `yyyy-MM-dd HH:mm:ss` in GMT+8.
pub fn format_gmt8(epoch_ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(epoch_ms) {
        Some(t) => t
            .with_timezone(&gmt8())
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => String::from("invalid time"),
    }
}

/// The result of the skew check: how far the client's clock is from the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skew {
    /// Client time minus server time, in milliseconds (negative: the client is behind).
    pub offset_ms: i64,
}

impl Skew {
    pub fn within_limit(self) -> bool {
        self.offset_ms.unsigned_abs() <= MAX_SKEW_MS as u64
    }

    /// "14 minutes behind the server" / "3 minutes ahead of the server" (English), for diagnosis.
    pub fn describe(self) -> String {
        let abs = self.offset_ms.unsigned_abs() / 1000;
        let amount = if abs >= 86_400 * 2 {
            format!("{} days", abs / 86_400)
        } else if abs >= 7200 {
            format!("{} hours", abs / 3600)
        } else if abs >= 120 {
            format!("{} minutes", abs / 60)
        } else {
            format!("{abs} seconds")
        };
        if self.offset_ms < 0 {
            format!("{amount} behind the server")
        } else {
            format!("{amount} ahead of the server")
        }
    }
}

/// Compares a request's `timestamp` (epoch ms) with the server's clock `now_ms`.
pub fn skew(timestamp_ms: i64, now_ms: i64) -> Skew {
    Skew {
        offset_ms: timestamp_ms.saturating_sub(now_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        // 2016-01-01 12:00:00 GMT+8 = 2016-01-01 04:00:00 UTC
        assert_eq!(
            parse_timestamp("2016-01-01 12:00:00"),
            Ok(1_451_620_800_000)
        );
        assert_eq!(parse_timestamp("1451620800000"), Ok(1_451_620_800_000));
        assert_eq!(
            parse_timestamp("2021-03-05 18:03:06.325").unwrap() % 1000,
            325
        );
        assert_eq!(
            parse_timestamp("2021-03-05 18:03:06.3").unwrap() % 1000,
            300
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2016-01-01",
            "2016-01-01T12:00:00",
            "2016-13-01 12:00:00",
            "2016-02-30 12:00:00",
            "2016-01-01 24:00:00",
            "2016-01-01 12:00:00Z",
            "2016-01-01 12:00:00.1234",
            "yesterday",
            "-5",
            "２０１６-01-01 12:00:00",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_timestamp("99999999999999999999"),
            Err(TimestampError::OutOfRange)
        );
    }

    #[test]
    fn formats_gmt8() {
        assert_eq!(format_gmt8(1_451_620_800_000), "2016-01-01 12:00:00");
    }

    #[test]
    fn skew_limits() {
        let now = 1_451_620_800_000;
        assert!(skew(now + MAX_SKEW_MS, now).within_limit());
        assert!(!skew(now - MAX_SKEW_MS - 1, now).within_limit());
        assert_eq!(
            skew(now - 14 * 60_000, now).describe(),
            "14 minutes behind the server"
        );
        assert_eq!(
            skew(now + 30_000, now).describe(),
            "30 seconds ahead of the server"
        );
        assert!(!skew(i64::MIN, now).within_limit());
    }
}

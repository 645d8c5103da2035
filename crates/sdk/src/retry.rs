//! Opt-in retries: what may be retried, and after how long.

use std::time::Duration;

use rand::Rng;
use topgate_protocol::errors::ErrorClass;

use crate::Error;

/// When and how to retry a failed call. Off unless the client is given one.
///
/// Retried:
/// - provider errors (any `isp.*` sub code) and the platform's own faults, codes 10
///   (Service Currently Unavailable) and 44 (Isp error): after an exponential back-off with
///   jitter, `base_backoff × 2^(n-1)` capped at `max_backoff`, then a random point in its upper
///   half;
/// - flow control (codes 4-8, `accesscontrol.*`) when the server says how long the ban lasts
///   ("This ban will last for N more seconds", or `Retry-After`): after exactly that wait, if it
///   is no longer than `max_wait`; a longer ban, or one without a wait, is returned at once.
///
/// Never retried: every other class (the caller's parameters, credentials, permissions),
/// format mismatches, and transport failures (a `POST` may have been carried out already).
/// `max_attempts` counts the first attempt: 3 means up to two retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms base back-off, 5 s at most; flow-control bans waited out up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The default policy with `max_attempts` attempts.
    pub fn new(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts,
            ..RetryPolicy::default()
        }
    }

    pub fn base_backoff(mut self, base: Duration) -> Self {
        self.base_backoff = base;
        self
    }

    pub fn max_backoff(mut self, max: Duration) -> Self {
        self.max_backoff = max;
        self
    }

    /// The longest flow-control ban the client waits out; beyond it the error is returned.
    pub fn max_wait(mut self, max: Duration) -> Self {
        self.max_wait = max;
        self
    }

    /// After `attempts` attempts ended in `error`: how long to wait before the next one, or
    /// `None` to give up and return the error.
    pub fn decide(&self, error: &Error, attempts: u32) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let api = error.api()?;
        match api.class {
            ErrorClass::FlowControl => {
                let wait = Duration::from_secs(api.wait_seconds?);
                (wait <= self.max_wait).then_some(wait)
            }
            ErrorClass::Provider => Some(self.backoff(attempts)),
            ErrorClass::Platform if matches!(api.code, 10 | 44) => Some(self.backoff(attempts)),
            _ => None,
        }
    }

    /// The back-off after `attempts` attempts, with jitter: in `[d/2, d]` for
    /// `d = min(base × 2^(attempts-1), max_backoff)`.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32 << attempts.saturating_sub(1).min(20);
        let d = self
            .base_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = d / 2;
        let extra = rand::thread_rng().gen_range(0..=(d - half).as_millis() as u64);
        half + Duration::from_millis(extra)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use bytes::Bytes;
    use topgate_protocol::ErrorBody;

    fn api(code: i64, sub_code: Option<&str>, sub_msg: Option<&str>) -> Error {
        let body = ErrorBody {
            code,
            msg: "m".into(),
            sub_code: sub_code.map(Into::into),
            sub_msg: sub_msg.map(Into::into),
            ..ErrorBody::default()
        };
        Error::Api(Box::new(ApiError::from_body(body, None, Bytes::new())))
    }

    #[test]
    fn retries_only_what_may_succeed() {
        let p = RetryPolicy::new(3).max_wait(Duration::from_secs(10));
        assert!(p
            .decide(&api(530, Some("isp.remote-service-error"), None), 1)
            .is_some());
        assert!(p.decide(&api(10, None, None), 1).is_some());
        assert!(p.decide(&api(44, None, None), 2).is_some());
        assert!(
            p.decide(&api(44, None, None), 3).is_none(),
            "attempts used up"
        );
        assert!(p.decide(&api(25, None, None), 1).is_none());
        assert!(p.decide(&api(15, None, None), 1).is_none(), "isv business");
        assert!(p
            .decide(&api(530, Some("isv.missing-parameter"), None), 1)
            .is_none());
        let ban = |n: u64| format!("This ban will last for {n} more seconds");
        assert_eq!(
            p.decide(&api(7, None, Some(&ban(2))), 1),
            Some(Duration::from_secs(2))
        );
        assert_eq!(p.decide(&api(7, None, Some(&ban(11))), 1), None);
        assert_eq!(p.decide(&api(7, None, None), 1), None, "no wait given");
        let usage = Error::Usage {
            message: "x".into(),
        };
        assert_eq!(p.decide(&usage, 1), None);
    }

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let p = RetryPolicy::new(10)
            .base_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..50 {
            let b1 = p.backoff(1);
            assert!(b1 >= Duration::from_millis(50) && b1 <= Duration::from_millis(100));
            let b3 = p.backoff(3);
            assert!(b3 >= Duration::from_millis(200) && b3 <= Duration::from_millis(400));
            assert!(p.backoff(30) <= Duration::from_millis(1000));
        }
    }
}

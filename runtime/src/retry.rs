//! Retries: which failures are worth another attempt, and how long to wait before it.

use std::time::{Duration, SystemTime};

use reqwest::{Method, StatusCode};
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how often a call is tried again.
///
/// Connection errors and the statuses 408, 429, 502, 503 and 504 are retried, for idempotent
/// methods only unless [`RetryPolicy::retry_non_idempotent`] opts in. Waits grow exponentially
/// with full jitter, a `Retry-After` header (seconds or HTTP date) is honoured up to a cap
/// ([`RetryPolicy::max_retry_after`], by default `max_backoff`), and no wait runs past the
/// call's deadline: a server that asks for a longer wait gets its answer returned instead.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 means no retries.
    pub max_attempts: u32,
    /// The wait before the first retry (before jitter).
    pub initial_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// Retry POST and PATCH too (the server must tolerate duplicates).
    pub retry_non_idempotent: bool,
    /// The longest wait a `Retry-After` header can ask for; `None` means `max_backoff`.
    pub retry_after_cap: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            retry_non_idempotent: false,
            retry_after_cap: None,
        }
    }
}

impl RetryPolicy {
    /// No retries.
    pub fn none() -> Self {
        Self { max_attempts: 1, ..Self::default() }
    }

    /// Up to `max_attempts` attempts with the default waits.
    pub fn attempts(max_attempts: u32) -> Self {
        Self { max_attempts: max_attempts.max(1), ..Self::default() }
    }

    /// Sets the first and the longest wait.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// The longest wait a server's `Retry-After` may ask for (default: the longest backoff).
    /// A longer ask is cut to this; the call's deadline still bounds every wait.
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.retry_after_cap = Some(cap);
        self
    }

    /// Also retries methods that are not idempotent.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    pub(crate) fn allows(&self, method: &Method, attempt: u32) -> bool {
        attempt < self.max_attempts && (self.retry_non_idempotent || is_idempotent(method))
    }

    /// The wait before attempt `attempt + 1`: `Retry-After` if the server sent one, else
    /// exponential backoff with full jitter.
    pub(crate) fn wait(&self, attempt: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(after) = headers.and_then(retry_after) {
            // The server's wish, within the cap: it must not park the caller for hours.
            return after.min(self.retry_after_cap.unwrap_or(self.max_backoff));
        }
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self.initial_backoff.saturating_mul(1u32 << exponent).min(self.max_backoff);
        // Checked: `mul_f64` panics where the product does not fit.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * jitter()).map_or(ceiling, |wait| wait.min(ceiling))
    }
}

/// Statuses that mean "try again later".
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

fn is_idempotent(method: &Method) -> bool {
    matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE" | "QUERY")
}

/// `Retry-After`: delay-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// A number in [0, 1) that differs between calls, without a random-number crate: the standard
/// library seeds `RandomState` randomly per instance.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let policy = RetryPolicy::attempts(5).backoff(Duration::from_millis(100), Duration::from_millis(250));
        for attempt in 1..6 {
            let wait = policy.wait(attempt, None);
            let ceiling = Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_millis(250));
            assert!(wait <= ceiling, "attempt {attempt}: {wait:?} > {ceiling:?}");
        }
    }

    #[test]
    fn retry_after_in_seconds_and_as_an_http_date() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&in_a_minute).unwrap_or(HeaderValue::from_static("0")));
        let wait = retry_after(&headers).unwrap_or_default();
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60), "{wait:?}");
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn retry_after_is_capped_even_when_it_is_absurd() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("18446744073709551615"));
        let policy = RetryPolicy::default();
        assert_eq!(policy.wait(1, Some(&headers)), policy.max_backoff);
        let policy = policy.max_retry_after(Duration::from_millis(30));
        assert_eq!(policy.wait(1, Some(&headers)), Duration::from_millis(30));
        let huge = RetryPolicy::attempts(3).backoff(Duration::MAX, Duration::MAX);
        assert!(huge.wait(5, None) <= Duration::MAX);
    }

    #[test]
    fn only_idempotent_methods_unless_opted_in() {
        let policy = RetryPolicy::default();
        assert!(policy.allows(&Method::GET, 1));
        assert!(!policy.allows(&Method::POST, 1));
        assert!(!policy.allows(&Method::GET, 3));
        assert!(policy.clone().retry_non_idempotent(true).allows(&Method::POST, 1));
    }
}

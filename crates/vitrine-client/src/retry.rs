//! [`RetryPolicy`]: how often and how patiently a failed request is repeated.
//!
//! The waits follow the `vlmrun` SDK: up to five attempts with exponential
//! waits of 1, 2, 4, 8 s (capped at 10 s, and a server's `Retry-After` within
//! that cap). What is retried is narrower than the SDK's "429, 5xx and
//! timeouts": only what the server did not take (no connection, 429, 502,
//! 503), plus timeouts and broken connections for idempotent calls and for
//! uploads, which first ask whether the server already has the bytes
//! ([`crate::ClientError::is_retryable`]). A 501 (provider not configured) or
//! 504 (the work timed out) comes back at once. A stream is only retried
//! before its first byte.

use std::time::Duration;

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 disables retries).
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub initial_delay: Duration,
    /// Upper bound on any single wait (also caps a server's `Retry-After`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait after failed attempt number `attempt` (1-based), honouring a
    /// `Retry-After` the server sent, within `max_delay`.
    pub(crate) fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let backoff = self.initial_delay.saturating_mul(1u32 << exponent);
        retry_after.unwrap_or(backoff).min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_and_stop_at_the_cap() {
        let policy = RetryPolicy::default();
        let waits: Vec<u64> = (1..=5)
            .map(|attempt| policy.delay(attempt, None).as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 10]);
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(60))),
            Duration::from_secs(10)
        );
    }
}

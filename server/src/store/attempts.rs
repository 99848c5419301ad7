//! Abuse-limit counters kept in the database (`AttemptStore`), so that copies sharing it
//! share one budget: N copies must not give an attacker N times the guesses.

use async_trait::async_trait;

use super::StoreResult;

/// One window's budget: at most `max` failures (judged or in progress) in `window` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    pub max: u32,
    pub window: i64,
}

/// One key's window as the database holds it after a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Failures judged in the window, by every copy.
    pub failures: u32,
    /// When the window began (seconds since the epoch).
    pub start: i64,
}

#[async_trait]
pub trait AttemptStore: Send + Sync {
    /// Whether counters should live here: true when several copies may share the database
    /// (PostgreSQL); a single SQLite process counts in memory instead.
    fn counts_attempts(&self) -> bool;

    /// Reserves one attempt under every key of `limiter`, all or none: `Ok(Err(retry_after))`
    /// when some key has no budget left in its window.
    async fn reserve_attempt(
        &self,
        limiter: &str,
        keys: &[String],
        budget: Budget,
        now: i64,
    ) -> StoreResult<Result<(), u64>>;

    /// Ends a reservation; with `failed` the attempt counts. Returns each key's window
    /// afterwards, in the order of `keys` (`None` for a key without one).
    async fn judge_attempt(
        &self,
        limiter: &str,
        keys: &[String],
        failed: bool,
        budget: Budget,
    ) -> StoreResult<Vec<Option<Window>>>;

    /// Counts one failure under every key for an attempt that was not reserved (checked
    /// first, see `runtime::failure_limit`), starting a new window where the last one ended. Returns each key's window, in the order of `keys`.
    async fn add_failure(
        &self,
        limiter: &str,
        keys: &[String],
        budget: Budget,
        now: i64,
    ) -> StoreResult<Vec<Window>>;

    /// Each key's failures in its current window, in the order of `keys` (none counted, or
    /// the window ended: zero failures from `now`).
    async fn read_failures(
        &self,
        limiter: &str,
        keys: &[String],
        budget: Budget,
        now: i64,
    ) -> StoreResult<Vec<Window>>;

    /// Forgets `key`'s failures (the right password for that username and address).
    async fn forget_attempts(&self, limiter: &str, key: &str) -> StoreResult<()>;
}

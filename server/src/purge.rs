//! Bounded storage: the background purge of protocol state that has outlived its use.
//! Each server copy runs one (`spawn`, from `portico serve`); deletes are idempotent, so
//! copies sharing a database need no coordination.

use std::time::Duration;

// A time budget is elapsed running time, not protocol time: tokio's monotonic clock.
use tokio::time::Instant;

use crate::state::AppState;
use crate::store::{PurgeTable, StoreError};

/// How often each copy purges.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(60);
/// Rows per DELETE statement: short statements, so other writers never wait long.
pub const BATCH: u32 = 1_000;
/// Time spent on one table per run at most; what is left waits for the next run.
pub const TABLE_BUDGET: Duration = Duration::from_secs(1);

/// Authorization codes are kept this long after they expire, so that a code replayed in
/// that time is still recognised and revokes what it issued (RFC 6749 §4.1.2: "If an
/// authorization code is used more than once, the authorization server … SHOULD revoke
/// all tokens previously issued based on that authorization code"). Later, a replay is
/// refused as an unknown code, without revoking.
pub const CODE_RETENTION: i64 = 3_600;
/// Refresh tokens rotated away are kept this long: a retired token presented again is
/// how theft is detected (RFC 9700 §4.14.2), which then revokes the whole family. A token
/// retired longer ago is still refused, but no longer detected as theft.
pub const RETIRED_REFRESH_RETENTION: i64 = 30 * 86_400;
/// Refresh tokens of a grant revoked this long ago go (revocation normally removes them
/// at once; this catches any left behind).
pub const REVOKED_GRANT_RETENTION: i64 = 86_400;
/// Replay-cache entries (revoked access tokens, used assertion `jti`s) outlive their
/// token's expiry by this much, more than any clock difference between copies allowed
/// when checking `exp` (RFC 7519 §4.1.4).
pub const EXPIRY_MARGIN: i64 = 60;
/// End users' audit entries (sign-ins, consents, revocations) and the server's protective
/// ones (lockouts, refresh token reuse) are kept this long: their number grows with traffic
/// and with what strangers try, so they cannot be kept for ever as administrators' changes
/// are.
pub const AUDIT_EVENT_RETENTION: i64 = 90 * 86_400;

/// Rows removed by one run, per table (in `PurgeTable::ALL` order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub removed: Vec<(PurgeTable, u64)>,
    /// Tables whose time budget ran out before they were clean.
    pub unfinished: Vec<PurgeTable>,
}

impl PurgeReport {
    pub fn total(&self) -> u64 {
        self.removed.iter().map(|(_, n)| n).sum()
    }

    /// Rows removed from `table`.
    pub fn removed_from(&self, table: PurgeTable) -> u64 {
        self.removed
            .iter()
            .filter(|(t, _)| *t == table)
            .map(|(_, n)| n)
            .sum()
    }
}

impl std::fmt::Display for PurgeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for (t, n) in &self.removed {
            if !first {
                f.write_str(", ")?;
            }
            first = false;
            write!(f, "{}={n}", t.name())?;
        }
        Ok(())
    }
}

/// Before which time (Unix seconds) a row of `table` is dead at `now`.
pub fn cutoff(table: PurgeTable, now: i64) -> i64 {
    match table {
        PurgeTable::Interactions | PurgeTable::BrowserSessions => now,
        PurgeTable::AuthorizationCodes => now - CODE_RETENTION,
        PurgeTable::RevokedAccessTokens | PurgeTable::UsedAssertions => now - EXPIRY_MARGIN,
        PurgeTable::RefreshTokensOfRevokedGrants => now - REVOKED_GRANT_RETENTION,
        PurgeTable::RetiredRefreshTokens => now - RETIRED_REFRESH_RETENTION,
        // The longest abuse-limit window is 5 minutes; a day leaves no doubt it has ended.
        PurgeTable::AttemptWindows => now - 86_400,
        PurgeTable::AuditEvents => now - AUDIT_EVENT_RETENTION,
    }
}

/// One purge of every table, in batches of `BATCH` rows, each table until it is clean or
/// its `TABLE_BUDGET` is spent.
pub async fn run_once(state: &AppState) -> Result<PurgeReport, StoreError> {
    let now = state.now();
    let mut report = PurgeReport::default();
    for table in PurgeTable::ALL {
        let started = Instant::now();
        let cut = cutoff(table, now);
        let mut removed = 0;
        loop {
            let n = state.stores.purge.purge_batch(table, cut, BATCH).await?;
            removed += n;
            if n < u64::from(BATCH) {
                break;
            }
            if started.elapsed() >= TABLE_BUDGET {
                report.unfinished.push(table);
                break;
            }
            // Let requests queued for the writer go between batches.
            tokio::task::yield_now().await;
        }
        report.removed.push((table, removed));
    }
    Ok(report)
}

/// Runs `run_once` every `PURGE_INTERVAL` for as long as the process lives.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&state).await {
                Ok(r) if r.total() > 0 || !r.unfinished.is_empty() => {
                    tracing::info!(
                        removed = r.total(),
                        unfinished = r.unfinished.len(),
                        "purge: {r}"
                    )
                }
                Ok(r) => tracing::debug!("purge: nothing to remove ({r})"),
                Err(e) => tracing::warn!(error = %e, "purge failed; retrying next interval"),
            }
        }
    })
}

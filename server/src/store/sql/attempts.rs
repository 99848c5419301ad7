//! `AttemptStore`: abuse-limit windows in `attempt_windows`, one row per limiter and key.
//! A reservation upserts each key's row (resetting a window that has ended), which locks the
//! row until commit, so reservations of the same key from any copy queue there and each
//! sees the attempts the previous ones left pending.

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::store::{AttemptStore, Budget, StoreResult, Window};

#[async_trait]
impl AttemptStore for SqlStore {
    fn counts_attempts(&self) -> bool {
        self.shares_pools()
    }

    async fn reserve_attempt(
        &self,
        limiter: &str,
        keys: &[String],
        budget: Budget,
        now: i64,
    ) -> StoreResult<Result<(), u64>> {
        // One order for every copy, so two reservations over the same keys cannot deadlock.
        let mut keys: Vec<&String> = keys.iter().collect();
        keys.sort();
        keys.dedup();
        let mut tx = self.writer().begin().await?;
        let mut retry: Option<u64> = None;
        for key in &keys {
            let row = sqlx::query(
                "INSERT INTO attempt_windows (limiter, attempt_key, window_start, failures, pending)
                 VALUES ($1, $2, $3, 0, 0)
                 ON CONFLICT (limiter, attempt_key) DO UPDATE SET
                   failures = CASE WHEN attempt_windows.window_start <= $4 THEN 0
                                   ELSE attempt_windows.failures END,
                   pending = CASE WHEN attempt_windows.window_start <= $4 THEN 0
                                  ELSE attempt_windows.pending END,
                   window_start = CASE WHEN attempt_windows.window_start <= $4 THEN $3
                                       ELSE attempt_windows.window_start END
                 RETURNING failures, pending, window_start",
            )
            .bind(limiter)
            .bind(key.as_str())
            .bind(now)
            .bind(now - budget.window)
            .fetch_one(&mut *tx)
            .await?;
            let failures = count(&row, 0)?;
            let pending = count(&row, 1)?;
            let start: i64 = row.try_get(2)?;
            if failures + pending >= i64::from(budget.max) {
                let wait = u64::try_from((start + budget.window - now).max(1)).unwrap_or(1);
                retry = Some(retry.map_or(wait, |r| r.max(wait)));
            }
        }
        if let Some(r) = retry {
            // Rolled back: a refused reservation charges nothing.
            return Ok(Err(r));
        }
        for key in &keys {
            sqlx::query(
                "UPDATE attempt_windows SET pending = pending + 1
                 WHERE limiter = $1 AND attempt_key = $2",
            )
            .bind(limiter)
            .bind(key.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn judge_attempt(
        &self,
        limiter: &str,
        keys: &[String],
        failed: bool,
        _budget: Budget,
    ) -> StoreResult<Vec<Option<Window>>> {
        let mut windows = Vec::with_capacity(keys.len());
        for key in keys {
            let row = sqlx::query(
                "UPDATE attempt_windows
                 SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END,
                     failures = failures + $3
                 WHERE limiter = $1 AND attempt_key = $2
                 RETURNING failures, window_start",
            )
            .bind(limiter)
            .bind(key)
            .bind(i32::from(failed))
            .fetch_optional(self.writer())
            .await?;
            windows.push(row.map(|row| window(&row)).transpose()?);
        }
        Ok(windows)
    }

    async fn add_failure(
        &self,
        limiter: &str,
        keys: &[String],
        budget: Budget,
        now: i64,
    ) -> StoreResult<Vec<Window>> {
        // One statement per key, each its own atomic increment: no lock is held across
        // keys, so no order is needed, and of concurrent failures exactly one reads the
        // count that reaches the budget.
        let mut windows = Vec::with_capacity(keys.len());
        for key in keys {
            let row = sqlx::query(
                "INSERT INTO attempt_windows (limiter, attempt_key, window_start, failures, pending)
                 VALUES ($1, $2, $3, 1, 0)
                 ON CONFLICT (limiter, attempt_key) DO UPDATE SET
                   failures = CASE WHEN attempt_windows.window_start <= $4 THEN 1
                                   ELSE attempt_windows.failures + 1 END,
                   pending = CASE WHEN attempt_windows.window_start <= $4 THEN 0
                                  ELSE attempt_windows.pending END,
                   window_start = CASE WHEN attempt_windows.window_start <= $4 THEN $3
                                       ELSE attempt_windows.window_start END
                 RETURNING failures, window_start",
            )
            .bind(limiter)
            .bind(key.as_str())
            .bind(now)
            .bind(now - budget.window)
            .fetch_one(self.writer())
            .await?;
            windows.push(window(&row)?);
        }
        Ok(windows)
    }

    async fn read_failures(
        &self,
        limiter: &str,
        keys: &[String],
        budget: Budget,
        now: i64,
    ) -> StoreResult<Vec<Window>> {
        let mut windows = Vec::with_capacity(keys.len());
        for key in keys {
            let row = sqlx::query(
                "SELECT failures, window_start FROM attempt_windows
                 WHERE limiter = $1 AND attempt_key = $2 AND window_start > $3",
            )
            .bind(limiter)
            .bind(key.as_str())
            .bind(now - budget.window)
            .fetch_optional(self.writer())
            .await?;
            windows.push(match row {
                Some(row) => window(&row)?,
                None => Window {
                    failures: 0,
                    start: now,
                },
            });
        }
        Ok(windows)
    }

    async fn forget_attempts(&self, limiter: &str, key: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE attempt_windows SET failures = 0 WHERE limiter = $1 AND attempt_key = $2",
        )
        .bind(limiter)
        .bind(key)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}

/// A `RETURNING failures, window_start` row.
fn window(row: &sqlx::any::AnyRow) -> StoreResult<Window> {
    Ok(Window {
        failures: u32::try_from(count(row, 0)?).unwrap_or(u32::MAX),
        start: row.try_get(1)?,
    })
}

/// An INTEGER column of `attempt_windows`: PostgreSQL returns it as INT4, SQLite as INT8.
fn count(row: &sqlx::any::AnyRow, column: usize) -> StoreResult<i64> {
    Ok(row
        .try_get::<i32, _>(column)
        .map(i64::from)
        .or_else(|_| row.try_get::<i64, _>(column))?)
}

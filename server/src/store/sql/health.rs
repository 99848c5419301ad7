//! What the management listener asks the database: does it answer, are this build's
//! migrations applied, how busy are the connection pools.

use sqlx::{Connection, Row};

use super::SqlStore;
use crate::store::StoreResult;

/// One pool's connections at the moment of asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// `reader` or `writer`; on PostgreSQL one pool serves both and is reported once.
    pub pool: &'static str,
    pub in_use: u32,
    pub idle: u32,
    pub max: u32,
    /// Tasks waiting for one of its connections (see `pool.rs`).
    pub waiting: u32,
}

impl SqlStore {
    /// Checks the database answers (for readiness probes).
    pub async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.pool().acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    /// Whether every migration this build brings is recorded as applied. Another copy of a
    /// newer build may have applied more; that does not make this one unready.
    pub async fn migrations_applied(&self) -> StoreResult<bool> {
        let Some(latest) = self.migrator().iter().map(|m| m.version).max() else {
            return Ok(true);
        };
        let row =
            sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations WHERE version = $1 AND success")
                .bind(latest)
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// SQLite writer jobs sent and not yet answered (group commit); `None` where there is
    /// no writer thread (PostgreSQL, SQLite in memory).
    pub fn writer_jobs(&self) -> Option<usize> {
        self.group_commit().map(|gc| gc.pending())
    }

    pub fn pool_stats(&self) -> Vec<PoolStats> {
        let stats = |pool: &'static str, p: &super::Pool| {
            let size = p.size();
            let idle = u32::try_from(p.num_idle()).unwrap_or(size);
            PoolStats {
                pool,
                in_use: size.saturating_sub(idle),
                idle,
                max: p.max_connections(),
                waiting: p.waiting(),
            }
        };
        let mut out = vec![stats("writer", self.writer())];
        if !self.shares_pools() {
            out.push(stats("reader", self.pool()));
        }
        out
    }
}

//! The first-start lock: copies started at the same instant on an empty database must agree
//! on one set of signing keys and one first administrator, so the steps that create them
//! run one copy at a time. On PostgreSQL that is a session-level advisory lock held on a
//! connection of its own (if the process dies the session ends and the lock goes with it);
//! migrations are already serialised the same way by sqlx. SQLite serves one process, whose
//! writes already queue on its single writer connection.

use sqlx::{Connection, Executor};

use super::SqlStore;
use crate::store::StoreResult;

/// An arbitrary, fixed advisory-lock key ("portico" in ASCII), the same in every copy.
const FIRST_START_LOCK: i64 = 0x0070_6f72_7469_636f;

/// Held while a copy creates what must exist once; `release` ends it.
#[must_use = "the lock is released by `release` (or when the process ends)"]
pub struct StartupLock(Option<sqlx::AnyConnection>);

impl std::fmt::Debug for StartupLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StartupLock")
    }
}

impl SqlStore {
    /// Waits until no other copy is starting, then holds the first-start lock.
    pub async fn startup_lock(&self) -> StoreResult<StartupLock> {
        if !self.shares_pools() {
            return Ok(StartupLock(None));
        }
        // Detached from the pool: a pooled connection would go back to the pool still
        // holding the lock if a release were skipped; a detached one closes instead.
        let mut conn = self.writer().acquire().await?.detach();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(FIRST_START_LOCK)
            .execute(&mut conn)
            .await?;
        Ok(StartupLock(Some(conn)))
    }
}

impl StartupLock {
    pub async fn release(self) -> StoreResult<()> {
        if let Some(mut conn) = self.0 {
            conn.execute("SELECT pg_advisory_unlock_all()").await?;
            conn.close().await?;
        }
        Ok(())
    }
}

//! The connection pools, counting who waits for a connection: sqlx reports a pool's
//! connections in use and idle but not its waiters, and a queue at the pool is what an
//! operator scaling a fleet needs to see first (`/metrics`, `db_pool_connections`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use sqlx::any::{Any, AnyQueryResult, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::{AnyPool, Database, Describe, Either, Execute, Executor, Transaction};

/// An sqlx pool that counts the tasks waiting in `acquire`. Used as an executor exactly
/// like the pool it wraps.
#[derive(Debug, Clone)]
pub struct Pool {
    inner: AnyPool,
    waiting: Arc<AtomicU32>,
}

/// One waiter, counted until it has a connection or gives up (its future dropped).
struct Waiter<'a>(&'a AtomicU32);

impl<'a> Waiter<'a> {
    fn new(count: &'a AtomicU32) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count)
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Pool {
    pub fn new(inner: AnyPool) -> Self {
        Self {
            inner,
            waiting: Arc::default(),
        }
    }

    /// The pool itself, for what needs sqlx's own type (migrations).
    pub fn sqlx(&self) -> &AnyPool {
        &self.inner
    }

    pub async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        // Counted for the whole of sqlx's acquire: the wait for a free connection, and the
        // check sqlx makes of it before handing it out (`test_before_acquire`).
        let _waiting = Waiter::new(&self.waiting);
        self.inner.acquire().await
    }

    /// Begins a transaction on a task of its own, so that a caller cancelled meanwhile (a
    /// client that disconnects drops its request's handler) cannot stop it between sending
    /// `BEGIN` and sqlx counting the transaction: sqlx 0.8.6 on PostgreSQL would then return
    /// the connection to the pool inside a transaction nobody ends, where the next borrower's
    /// writes run and are never committed (transact-rs/sqlx#4393; seen here as "there is
    /// already a transaction in progress" notices under load). A transaction begun for a
    /// caller that is gone is dropped by the task, which rolls it back.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        let conn = self.acquire().await?;
        tokio::spawn(Transaction::begin(conn, None))
            .await
            .map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    /// Tasks waiting for a connection at this moment.
    pub fn waiting(&self) -> u32 {
        self.waiting.load(Ordering::Relaxed)
    }

    pub fn size(&self) -> u32 {
        self.inner.size()
    }

    pub fn num_idle(&self) -> usize {
        self.inner.num_idle()
    }

    pub fn max_connections(&self) -> u32 {
        self.inner.options().get_max_connections()
    }

    pub async fn close(&self) {
        self.inner.close().await;
    }
}

/// As sqlx's `impl Executor for &Pool`: one connection for the statement, then back. Rows
/// of a multi-row statement are read before they are handed on (every query here reads a
/// bounded set).
impl<'p> Executor<'p> for &'_ Pool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        stream::once(async move {
            let mut conn = pool.acquire().await?;
            conn.fetch_many(query).try_collect::<Vec<_>>().await
        })
        .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.fetch_optional(query).await })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [<Any as Database>::TypeInfo],
    ) -> BoxFuture<'e, Result<<Any as Database>::Statement<'q>, sqlx::Error>> {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.prepare_with(sql, parameters).await })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>> {
        let pool = self.clone();
        Box::pin(async move { pool.acquire().await?.describe(sql).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_are_counted_until_served_or_gone() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("p.db").display());
        let inner = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let pool = Pool::new(inner);
        let held = pool.acquire().await.unwrap();
        assert_eq!(pool.waiting(), 0, "served at once");

        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { sqlx::query("SELECT 1").execute(&pool).await.map(|_| ()) }
        });
        let gave_up = tokio::spawn({
            let pool = pool.clone();
            async move { pool.begin().await.map(|_| ()) }
        });
        while pool.waiting() < 2 {
            tokio::task::yield_now().await;
        }
        gave_up.abort();
        let _ = gave_up.await;
        assert_eq!(pool.waiting(), 1, "a cancelled wait is no longer counted");
        drop(held);
        queued.await.unwrap().unwrap();
        assert_eq!(pool.waiting(), 0);
    }
}

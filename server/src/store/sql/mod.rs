//! The SQL store: one implementation for SQLite and PostgreSQL over sqlx's `Any` driver.
//! Queries use `$n` placeholders, which both databases accept, and only SQL both speak;
//! each database has its own migrations folder. This file opens the database; each
//! capability's SQL is in the file named after it.

mod access_tokens;
mod apps;
mod assertions;
mod attempts;
mod audit;
mod audited;
mod changes;
mod checkpoint;
mod codes;
mod consents;
mod grants;
mod group_commit;
mod health;
mod interactions;
mod logos;
mod pool;
mod public_keys;
mod purge;
mod refresh;
mod secrets;
mod server_secrets;
mod sessions;
mod signing_keys;
mod startup;
mod users;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::Executor;

pub use changes::{Change, ChangeListener, Heard, Notice};
pub use health::PoolStats;
use pool::Pool;
pub use startup::StartupLock;

use super::{StoreError, StoreResult};

/// Which database the URL named; decides migrations and connection set-up only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

pub struct SqlStore {
    /// Reads. SQLite in WAL mode lets these run beside the writer.
    pool: Pool,
    /// Writes and transactions. For SQLite a pool of one connection: SQLite allows one
    /// writer at a time, and concurrent write transactions on several connections meet
    /// `SQLITE_BUSY` and sleep in the busy handler (measured: p99 of hundreds of ms at 16
    /// connections); with one connection they queue on the pool instead, without sleeps.
    /// For PostgreSQL the same pool as `pool`: row locks let writers run side by side.
    writer: Pool,
    /// See `GrantStore::revocation_epoch`; bumped after each such commit.
    revocations: std::sync::atomic::AtomicU64,
    backend: Backend,
    /// The PostgreSQL URL, for the change listener's own connection (see `changes`).
    postgres_url: Option<String>,
    /// This copy's name in its change announcements (random per process).
    copy_id: String,
    /// SQLite files: the token endpoint's writes, as whole jobs on one thread (see
    /// `group_commit`); `None` on PostgreSQL and for SQLite in memory.
    group_commit: Option<group_commit::GroupCommit>,
    /// SQLite files: WAL checkpoints on a thread of their own (see `checkpoint`).
    _checkpointer: Option<checkpoint::Checkpointer>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqlStore")
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The file an `sqlite:` URL names (`sqlite://data/portico.db` → `data/portico.db`); `None`
/// for any other database, or SQLite in memory.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|p| p == "mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(path))
}

/// Opens the database named by `url` (`sqlite://path` or `postgres://…`), creating an
/// SQLite file and its folder when missing, and runs the embedded migrations.
pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
    sqlx::any::install_default_drivers();
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Backend::Postgres
    } else {
        return Err(StoreError::Corrupt(format!(
            "unsupported database URL scheme in {:?}: use sqlite:// or postgres://",
            url.split(':').next().unwrap_or_default()
        )));
    };
    let mut url = url.to_owned();
    if backend == Backend::Sqlite {
        if let Some(parent) = sqlite_file(&url)
            .as_deref()
            .and_then(std::path::Path::parent)
        {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    StoreError::Corrupt(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
        }
        if !url.contains("mode=") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("mode=rwc");
        }
    }
    let options = AnyConnectOptions::from_str(&url)?;
    let pool_options = || {
        AnyPoolOptions::new().after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the single writer; foreign keys make
                    // deletes cascade; a writer in another process (the `portico user`
                    // commands, a second copy) is waited for, not failed. `synchronous =
                    // NORMAL` in WAL mode: a commit survives a crash of the process, and
                    // a power loss can lose only the last commits (never corrupts).
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    // After a burst, a WAL file larger than this is cut back when it
                    // restarts (see `checkpoint`).
                    conn.execute("PRAGMA journal_size_limit = 67108864").await?;
                }
                Ok(())
            })
        })
    };
    let (pool, writer) = match backend {
        Backend::Sqlite => {
            // The writer first: it creates the file and switches it to WAL before the
            // readers open it.
            // No ping before each use: a connection to a local file does not go stale, and
            // each ping is a round trip to the connection's worker thread (two context
            // switches), as costly as the query itself.
            let writer = pool_options()
                .max_connections(1)
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            let readers = pool_options()
                .max_connections(4)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            (readers, writer)
        }
        Backend::Postgres => {
            // sqlx pings a connection before every acquire by default: one more round trip
            // per statement outside a transaction and per transaction. As
            // HikariCP does (its 500 ms "alive bypass"), only a connection idle for a while
            // is checked; one in steady use has just proved itself.
            let pool = pool_options()
                .max_connections(16)
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= std::time::Duration::from_secs(1) {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(options)
                .await?;
            (pool.clone(), pool)
        }
    };
    let mut store = SqlStore {
        pool: Pool::new(pool),
        writer: Pool::new(writer),
        revocations: std::sync::atomic::AtomicU64::new(0),
        backend,
        postgres_url: (backend == Backend::Postgres).then(|| url.clone()),
        copy_id: crate::crypto::random::id()
            .map_err(|e| StoreError::Corrupt(format!("no randomness for the copy id: {e}")))?,
        group_commit: None,
        _checkpointer: None,
    };
    store
        .migrator()
        .run(store.writer.sqlx())
        .await
        .map_err(|e| StoreError::Db(sqlx::Error::Migrate(Box::new(e))))?;
    // After the migrations: the writer thread's statements name their tables.
    if backend == Backend::Sqlite {
        if let Some(file) = sqlite_file(&url) {
            store.group_commit = Some(group_commit::GroupCommit::open(&file)?);
            store._checkpointer = Some(checkpoint::Checkpointer::start(&file)?);
        }
    }
    Ok(store)
}

impl SqlStore {
    fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The pool for writes and transactions (see `writer`).
    fn writer(&self) -> &Pool {
        &self.writer
    }

    /// The SQLite writer thread, for the token endpoint's writes (see `group_commit`).
    fn group_commit(&self) -> Option<&group_commit::GroupCommit> {
        self.group_commit.as_ref()
    }

    /// Called after a committed change that may have ended live access tokens: bumps the
    /// revocation epoch (after the commit, so whoever reads the new epoch also reads the
    /// change).
    fn revoked(&self) {
        self.revocations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// PostgreSQL reads and writes through one pool (see `writer`), and is shared by copies.
    fn shares_pools(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// The migrations this build brings for the database in use.
    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    fn postgres_url(&self) -> Option<&str> {
        self.postgres_url.as_deref()
    }

    fn copy_id(&self) -> &str {
        &self.copy_id
    }

    fn revocation_epoch_now(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

/// Fails with `NotFound` when an UPDATE or DELETE touched no row.
fn one_row(r: sqlx::any::AnyQueryResult) -> StoreResult<()> {
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

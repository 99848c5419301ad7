//! Group commit for SQLite: the token endpoint's writes run as whole jobs on one thread that
//! owns a write connection, and the jobs waiting when a transaction starts share it.
//!
//! Why: through sqlx every statement is a round trip between the async task and the
//! connection's worker thread (two thread wake-ups), and a code exchange is six of them
//! plus BEGIN and COMMIT — measured at about 600 µs of CPU per exchange on a 2-core VM, most
//! of it waking threads, and SQLite has one writer at a time, so the writes of every
//! request queued behind those round trips. Here a job (say: burn the code, store the grant
//! and its refresh token) is one hand-off to the thread, its statements run back to back
//! from a prepared-statement cache, and the jobs queued meanwhile commit in the same
//! transaction (one WAL append instead of one per request). No job waits for company: a
//! lone job commits at once.
//!
//! Durability is unchanged: a job's caller hears of its result only after the COMMIT that
//! holds it returned, with the same `journal_mode = WAL`, `synchronous = NORMAL` as every
//! other connection (a commit survives the process being killed). Each job runs inside a
//! SAVEPOINT, so a job that fails leaves nothing behind and does not undo the others of its
//! batch; a failed COMMIT fails every job of the batch.
//!
//! Only SQLite files use it (`SqlStore::group_commit`); PostgreSQL has concurrent writers
//! and keeps the sqlx path, as does SQLite in memory, which a second connection could not
//! see. The rest of the writes (admin, revocations) keep the sqlx writer connection: the two
//! take turns through SQLite's file lock, with the same busy timeout.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{mpsc, oneshot};

use crate::store::{StoreError, StoreResult};

/// A job's answer, sent once the batch's COMMIT has returned.
type Reply = Box<dyn FnOnce(Result<(), rusqlite::Error>) + Send>;
/// A job: runs on the writer thread; says whether it succeeded (else its savepoint is
/// rolled back) and how to answer after the commit.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;

/// At most this many jobs share a transaction, so a steady stream of jobs still commits
/// (and answers) regularly.
const MAX_BATCH: usize = 64;
/// Jobs waiting for the thread; senders wait (asynchronously) beyond that.
const QUEUE: usize = 1024;

/// The handle the store keeps; the thread stops when it is dropped.
pub(super) struct GroupCommit {
    jobs: mpsc::Sender<Job>,
    /// Jobs sent and not yet answered (queued, running or waiting for their COMMIT), for
    /// `/metrics`: a number that stays high says the single writer is the bottleneck.
    pending: Arc<AtomicUsize>,
}

impl GroupCommit {
    /// Opens a write connection to the SQLite file at `path` (already migrated) and starts
    /// its thread.
    pub(super) fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // The same settings as the sqlx connections (see `connect`).
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;
             PRAGMA journal_size_limit = 67108864;",
        )?;
        conn.set_prepared_statement_cache_capacity(32);
        let (jobs, queue) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || writer_thread(&conn, queue))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the SQLite writer: {e}")))?;
        Ok(Self {
            jobs,
            pending: Arc::default(),
        })
    }

    /// Jobs sent and not yet answered.
    pub(super) fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// Runs `f` on the writer thread inside a transaction, and answers once that
    /// transaction is committed. An `Err` from `f` undoes what `f` wrote.
    pub(super) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let pending = Pending::count(&self.pending);
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let reply: Reply = Box::new(move |commit| {
                drop(pending);
                let _ = answer.send(commit.map_err(StoreError::from).and(result));
            });
            (ok, reply)
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::WriteLost)?;
        answered.await.map_err(|_| StoreError::WriteLost)?
    }
}

/// One job in `GroupCommit::pending`, counted until dropped — also when the job is dropped
/// unrun (a panic, a savepoint that could not be taken, the thread gone).
struct Pending(Arc<AtomicUsize>);

impl Pending {
    fn count(counter: &Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(counter))
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn writer_thread(conn: &Connection, mut queue: mpsc::Receiver<Job>) {
    while let Some(first) = queue.blocking_recv() {
        // IMMEDIATE: take the write lock now (waiting out another writer under the busy
        // timeout) rather than fail half-way through a job on a lock upgrade.
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let (_, reply) = run_job(conn, first);
            reply(Err(e));
            continue;
        }
        let mut replies = Vec::with_capacity(8);
        replies.push(run_job(conn, first).1);
        while replies.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => replies.push(run_job(conn, job).1),
                Err(_) => break,
            }
        }
        let commit = conn.execute_batch("COMMIT");
        if commit.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        for reply in replies {
            reply(commit.as_ref().map(|_| ()).map_err(copy_error));
        }
    }
}

/// Runs one job inside its own savepoint (SQLite's nested transaction), rolled back when
/// the job fails or panics. A job whose savepoint cannot be taken is dropped unrun, and its
/// caller hears that the write did not complete.
fn run_job(conn: &Connection, job: Job) -> (bool, Reply) {
    if conn.execute_batch("SAVEPOINT job").is_err() {
        return (false, Box::new(|_| {}));
    }
    let (ok, reply) = match catch_unwind(AssertUnwindSafe(|| job(conn))) {
        Ok(done) => done,
        // The job's answer channel went with the panic: its caller hears the same.
        Err(_) => (false, Box::new(|_| {}) as Reply),
    };
    if !ok {
        let _ = conn.execute_batch("ROLLBACK TO job");
    }
    match conn.execute_batch("RELEASE job") {
        Ok(()) => (ok, reply),
        Err(e) => {
            // Not known to be committed or undone: the caller is told it failed.
            reply(Err(e));
            (false, Box::new(|_| {}))
        }
    }
}

/// One batch's COMMIT error, for each of its jobs (`rusqlite::Error` is not `Clone`).
fn copy_error(e: &rusqlite::Error) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

/// Whether a statement failed on a UNIQUE or PRIMARY KEY constraint.
pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_table(dir: &tempfile::TempDir) -> (std::path::PathBuf, GroupCommit) {
        let path = dir.path().join("gc.db");
        let setup = Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER);",
            )
            .unwrap();
        (path.clone(), GroupCommit::open(&path).unwrap())
    }

    fn count(path: &Path) -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    #[tokio::test]
    async fn a_failed_job_leaves_nothing_and_its_batch_mates_commit() {
        let dir = tempfile::tempdir().unwrap();
        let (path, gc) = open_table(&dir);
        let gc = std::sync::Arc::new(gc);
        // Many at once, so that they share transactions; every third fails after writing.
        let jobs = (0..60).map(|i| {
            let gc = gc.clone();
            tokio::spawn(async move {
                gc.run(move |db| {
                    db.execute(
                        "INSERT INTO t (k, v) VALUES (?1, ?2)",
                        rusqlite::params![format!("k{i}"), i],
                    )?;
                    if i % 3 == 0 {
                        return Err(StoreError::Conflict);
                    }
                    Ok(i)
                })
                .await
            })
        });
        let mut failed = 0;
        for j in jobs {
            match j.await.unwrap() {
                Ok(_) => {}
                Err(StoreError::Conflict) => failed += 1,
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(failed, 20);
        // Read by another connection: committed, and only the jobs that succeeded.
        assert_eq!(count(&path), 40);
    }

    #[tokio::test]
    async fn a_constraint_violation_is_reported_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let (path, gc) = open_table(&dir);
        let insert = |k: &'static str| {
            gc.run(move |db| {
                Ok(
                    match db.execute("INSERT INTO t (k, v) VALUES (?1, 1)", [k]) {
                        Ok(_) => true,
                        Err(e) if is_unique_violation(&e) => false,
                        Err(e) => return Err(e.into()),
                    },
                )
            })
        };
        assert!(insert("a").await.unwrap());
        assert!(!insert("a").await.unwrap());
        assert!(insert("b").await.unwrap());
        assert_eq!(count(&path), 2);
    }

    #[tokio::test]
    async fn a_job_that_panics_fails_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (path, gc) = open_table(&dir);
        let r: StoreResult<()> = gc
            .run(|db| {
                db.execute("INSERT INTO t (k, v) VALUES ('p', 1)", [])?;
                panic!("a bug in a job");
            })
            .await;
        assert!(matches!(r, Err(StoreError::WriteLost)));
        gc.run(|db| Ok(db.execute("INSERT INTO t (k, v) VALUES ('q', 1)", [])?))
            .await
            .unwrap();
        assert_eq!(count(&path), 1);
    }
}

//! An admin change and its audit entry, committed together: begin, lock, write (the
//! caller's statements), audit, commit — in that order, written once here. The entry goes
//! into the change's own transaction so that the log and the data never disagree, and
//! the only way to commit a change is `AuditedWrite::commit`, which writes the entry
//! first. Dropping the guard (an early `?` or `return Err`) rolls back both.

use std::ops::{Deref, DerefMut};

use sqlx::{Any, AnyConnection, Transaction};

use super::audit::insert_audit;
use super::{one_row, Change, SqlStore};
use crate::store::{AuditRecord, StoreResult};

/// What a change locks before it reads what it checks (a count, the app it belongs to).
/// Each lock is an UPDATE, which both databases accept: it takes SQLite's write lock
/// and PostgreSQL's row lock, so concurrent changes queue here, each seeing what the
/// previous one committed.
pub(super) enum Lock<'a> {
    /// No lock beyond the rows the change itself writes first.
    Nothing,
    /// The app-creation counter row: concurrent creations queue here, and each counts
    /// the apps the previous one left (`--max-apps`).
    AppCreation,
    /// `App(client_id, at)`: the row of a non-built-in app, its `updated_at` set to `at`;
    /// fails with `NotFound` when there is no such app.
    App(&'a str, i64),
}

/// An open transaction holding its lock, which commits only with its audit entry. It
/// derefs to the connection, so statements run on `&mut *tx` as in any transaction.
pub(super) struct AuditedWrite<'a> {
    tx: Transaction<'static, Any>,
    audit: AuditRecord,
    store: &'a SqlStore,
    /// Announced to the other copies inside the transaction (see `changes`).
    changes: Vec<Change>,
}

impl SqlStore {
    /// Begins an audited change on the writer and takes `lock`.
    pub(super) async fn audited<'a>(
        &'a self,
        lock: Lock<'_>,
        audit: &AuditRecord,
    ) -> StoreResult<AuditedWrite<'a>> {
        let mut tx = self.writer.begin().await?;
        let mut changes = Vec::new();
        match lock {
            Lock::Nothing => {}
            Lock::AppCreation => {
                sqlx::query("UPDATE app_create_lock SET ticks = ticks + 1 WHERE id = 1")
                    .execute(&mut *tx)
                    .await?;
            }
            Lock::App(client_id, at) => {
                let r = sqlx::query(
                    "UPDATE apps SET updated_at = $1 WHERE client_id = $2 AND builtin = 0",
                )
                .bind(at)
                .bind(client_id)
                .execute(&mut *tx)
                .await?;
                one_row(r)?;
                // Everything under an app's lock changes what copies cache of that app.
                changes.push(Change::App(client_id.to_owned()));
            }
        }
        Ok(AuditedWrite {
            tx,
            audit: audit.clone(),
            store: self,
            changes,
        })
    }
}

impl AuditedWrite<'_> {
    /// Announces `change` to the other copies when this write commits.
    pub(super) fn announces(&mut self, change: Change) {
        if !self.changes.contains(&change) {
            self.changes.push(change);
        }
    }

    /// Adds to the entry's detail what only the write itself learnt (how many rows it
    /// ended), so the entry says what happened, not what was asked.
    pub(super) fn detail_ends_with(&mut self, tail: &str) {
        self.audit.detail.push_str(tail);
    }

    /// Writes the audit entry and the announcements, then commits the change with them.
    /// Returns whether the change revoked something (the caller then bumps the epoch).
    pub(super) async fn commit(mut self) -> StoreResult<()> {
        insert_audit(&mut *self.tx, &self.audit).await?;
        for change in std::mem::take(&mut self.changes) {
            self.store.announce(&mut *self.tx, change).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for AuditedWrite<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for AuditedWrite<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

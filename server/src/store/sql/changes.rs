//! Change notification between copies on PostgreSQL (`LISTEN`/`NOTIFY`).
//!
//! Every write that makes some copy's cached view stale announces a `Change` with
//! `pg_notify` inside its own transaction: PostgreSQL delivers it when, and only if, the
//! transaction commits, to every connection that `LISTEN`s on the channel. Each copy keeps
//! one such connection (`ChangeListener`) and drops what the change affects, so a
//! revocation or an app deletion made through one copy is honoured by the others within
//! milliseconds instead of the caches' 5 s expiry (which stays as the safety net).
//! SQLite serves one process and announces nothing.

use sqlx::Executor;

use super::SqlStore;
use crate::store::StoreResult;

/// The channel every copy listens on.
pub const CHANNEL: &str = "portico_changes";

/// What changed, as much as a copy needs to drop exactly the affected cache entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// An app, its secrets, keys or logo changed, or it was created or deleted.
    App(String),
    /// Tokens, grants or consents were revoked, or a user disabled or deleted: every access
    /// token a copy verified earlier must be checked against the database again.
    Revoked,
    /// New signing keys (`portico keys rotate`).
    SigningKeys,
}

/// A change as another copy announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub change: Change,
    /// The announcing copy (`SqlStore::copy_id`); a copy skips its own announcements, having
    /// already applied them.
    pub copy: String,
    /// The announcer's wall clock at the write, in Unix milliseconds (for the lag metric).
    pub sent_at_ms: i64,
}

impl Notice {
    /// `<copy> <unix ms> app <client_id>` | `… revoked` | `… keys`: short, and client IDs
    /// are server-generated tokens without spaces.
    pub fn encode(&self) -> String {
        let what = match &self.change {
            Change::App(id) => format!("app {id}"),
            Change::Revoked => "revoked".to_owned(),
            Change::SigningKeys => "keys".to_owned(),
        };
        format!("{} {} {what}", self.copy, self.sent_at_ms)
    }

    pub fn decode(payload: &str) -> Option<Notice> {
        let mut parts = payload.splitn(4, ' ');
        let copy = parts.next()?.to_owned();
        let sent_at_ms = parts.next()?.parse().ok()?;
        let change = match (parts.next()?, parts.next()) {
            ("app", Some(id)) if !id.is_empty() => Change::App(id.to_owned()),
            ("revoked", None) => Change::Revoked,
            ("keys", None) => Change::SigningKeys,
            _ => return None,
        };
        Some(Notice {
            change,
            copy,
            sent_at_ms,
        })
    }
}

impl SqlStore {
    /// Announces `change` through `exec` — the write's own transaction, so that the
    /// announcement is delivered exactly when the write commits. Nothing on SQLite.
    pub(super) async fn announce<'c, E>(&self, exec: E, change: Change) -> StoreResult<()>
    where
        E: Executor<'c, Database = sqlx::Any>,
    {
        if !self.shares_pools() {
            return Ok(());
        }
        let notice = Notice {
            change,
            copy: self.copy_id().to_owned(),
            sent_at_ms: crate::clock::unix_millis(),
        };
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(notice.encode())
            .execute(exec)
            .await?;
        Ok(())
    }

    /// Commits a change that may have ended live access tokens: announces it inside the
    /// transaction, commits, then bumps this copy's revocation epoch (after the commit, so
    /// whoever reads the new epoch also reads the change).
    pub(super) async fn commit_revocation(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
    ) -> StoreResult<()> {
        self.announce(&mut *tx, Change::Revoked).await?;
        tx.commit().await?;
        self.revoked();
        Ok(())
    }

    /// Whether writes are announced to other copies (PostgreSQL).
    pub fn announces_changes(&self) -> bool {
        self.shares_pools()
    }

    /// Opens this copy's listening connection; `None` on SQLite.
    pub async fn listen(&self) -> StoreResult<Option<ChangeListener>> {
        let Some(url) = self.postgres_url() else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(ChangeListener {
            listener,
            copy: self.copy_id().to_owned(),
        }))
    }

    /// A change heard from another copy that the store itself must apply: a revocation
    /// elsewhere bumps this copy's revocation epoch, as a local one does.
    pub fn heard(&self, change: &Change) {
        if *change == Change::Revoked {
            self.revoked();
        }
    }
}

/// What the listening connection brought.
#[derive(Debug)]
pub enum Heard {
    /// Another copy's change.
    Change(Notice),
    /// The connection was lost: announcements may have been missed, so everything cached
    /// must go, and the caller listens on a new connection.
    Lost,
}

pub struct ChangeListener {
    listener: sqlx::postgres::PgListener,
    copy: String,
}

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeListener")
    }
}

impl ChangeListener {
    /// Waits for the next change from another copy, or for the connection to drop. An
    /// error means the reconnection failed; the caller waits and calls again.
    pub async fn next(&mut self) -> StoreResult<Heard> {
        loop {
            // `try_recv` reports a lost connection as `None`, where `recv` would reconnect
            // silently and hide the gap.
            let Some(n) = self.listener.try_recv().await? else {
                return Ok(Heard::Lost);
            };
            match Notice::decode(n.payload()) {
                Some(notice) if notice.copy == self.copy => continue,
                Some(notice) => return Ok(Heard::Change(notice)),
                None => {
                    tracing::warn!(payload = n.payload(), "ignored an unreadable change notice");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_survive_the_round_trip_and_garbage_is_refused() {
        for change in [
            Change::App("abc_DEF-123".into()),
            Change::Revoked,
            Change::SigningKeys,
        ] {
            let n = Notice {
                change,
                copy: "copy1".into(),
                sent_at_ms: 1_800_000_000_123,
            };
            assert_eq!(Notice::decode(&n.encode()), Some(n));
        }
        for bad in [
            "",
            "copy1",
            "copy1 x revoked",
            "copy1 1 app",
            "copy1 1 app ",
            "copy1 1 nope",
        ] {
            assert_eq!(Notice::decode(bad), None, "{bad:?}");
        }
    }
}

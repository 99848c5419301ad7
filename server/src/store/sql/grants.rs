//! Grants (`GrantStore`): what a user (or, for client credentials, an app) granted an app,
//! and everything that hangs from a grant. The codes, refresh tokens, assertion `jti`s and
//! revoked access tokens of this capability have their SQL in their own files.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::audited::Lock;
use super::refresh::{insert_refresh, insert_refresh_on};
use super::{access_tokens, assertions, codes, refresh, Change, SqlStore};
use crate::store::{
    AppRevocation, AuditRecord, CodeExchange, CodeRecord, GrantDecision, GrantRecord, GrantStore,
    RefreshLookup, RefreshRecord, Rotation, StoreResult,
};

const GRANT_COLUMNS: &str =
    "id, user_id, client_id, scope, auth_time, created_at, last_used_at, revoked_at";
/// Shared by sqlx and the SQLite writer thread. `$N` parameters appear in order, which is
/// how SQLite numbers them for rusqlite's positional binding.
pub(super) const INSERT_GRANT: &str = "INSERT INTO grants (id, user_id, client_id, scope, auth_time, created_at, last_used_at, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
pub(super) const REVOKE_GRANT: &str =
    "UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
pub(super) const DELETE_GRANT_REFRESH: &str = "DELETE FROM refresh_tokens WHERE grant_id = $1";

fn grant_from_row(r: &AnyRow) -> StoreResult<GrantRecord> {
    Ok(GrantRecord {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        client_id: r.try_get("client_id")?,
        scope: r.try_get("scope")?,
        auth_time: r.try_get("auth_time")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

pub(super) async fn insert_grant(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    g: &GrantRecord,
) -> StoreResult<()> {
    sqlx::query(INSERT_GRANT)
        .bind(&g.id)
        .bind(g.user_id.as_deref())
        .bind(&g.client_id)
        .bind(&g.scope)
        .bind(g.auth_time)
        .bind(g.created_at)
        .bind(g.last_used_at)
        .bind(g.revoked_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `insert_grant` on the SQLite writer thread.
pub(super) fn insert_grant_on(db: &rusqlite::Connection, g: &GrantRecord) -> StoreResult<()> {
    db.prepare_cached(INSERT_GRANT)?.execute(rusqlite::params![
        g.id,
        g.user_id,
        g.client_id,
        g.scope,
        g.auth_time,
        g.created_at,
        g.last_used_at,
        g.revoked_at
    ])?;
    Ok(())
}

pub(super) async fn revoke_grant_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(REVOKE_GRANT)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    // The family's refresh tokens go at once; access tokens die by the grant check.
    sqlx::query(DELETE_GRANT_REFRESH)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl GrantStore for SqlStore {
    async fn create_code(&self, c: &CodeRecord) -> StoreResult<()> {
        codes::create(self, c).await
    }

    async fn exchange_code(
        &self,
        code_hash: &[u8],
        now: i64,
        decide: GrantDecision,
    ) -> StoreResult<CodeExchange> {
        codes::exchange(self, code_hash, now, decide).await
    }

    async fn create_grant(
        &self,
        grant: &GrantRecord,
        refresh: Option<&RefreshRecord>,
    ) -> StoreResult<()> {
        if let Some(gc) = self.group_commit() {
            let (grant, refresh) = (grant.clone(), refresh.cloned());
            return gc
                .run(move |db| {
                    insert_grant_on(db, &grant)?;
                    if let Some(r) = &refresh {
                        insert_refresh_on(db, r)?;
                    }
                    Ok(())
                })
                .await;
        }
        let mut tx = self.writer().begin().await?;
        insert_grant(&mut tx, grant).await?;
        if let Some(r) = refresh {
            insert_refresh(&mut *tx, r).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn get_grant(&self, id: &str) -> StoreResult<Option<GrantRecord>> {
        let row = sqlx::query(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(grant_from_row).transpose()
    }

    async fn revoke_grant(&self, id: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        revoke_grant_in(&mut tx, id, now).await?;
        self.commit_revocation(tx).await
    }

    async fn revoke_grants_of_app(
        &self,
        client_id: &str,
        audit: &AuditRecord,
    ) -> StoreResult<AppRevocation> {
        let mut tx = self.audited(Lock::Nothing, audit).await?;
        let consents = sqlx::query("DELETE FROM consents WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // Access tokens die by the grant check (`oauth::resource`), refresh tokens here.
        let grants = sqlx::query(
            "UPDATE grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(audit.at)
        .bind(client_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        for table in ["refresh_tokens", "authorization_codes"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE client_id = $1"))
                .bind(client_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.detail_ends_with(&format!(
            ": {consents} users' consents withdrawn, {grants} grants ended"
        ));
        // Other copies recheck the access tokens they verified, as for any revocation.
        tx.announces(Change::Revoked);
        tx.commit().await?;
        self.revoked();
        Ok(AppRevocation { consents, grants })
    }

    async fn revoke_grants_of_user(
        &self,
        user_id: &str,
        client_id: Option<&str>,
        now: i64,
    ) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        let ids: Vec<String> = sqlx::query(
            "SELECT id FROM grants WHERE user_id = $1 AND ($2 = '' OR client_id = $2) AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(client_id.unwrap_or(""))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        for id in ids {
            revoke_grant_in(&mut tx, &id, now).await?;
        }
        sqlx::query(
            "DELETE FROM authorization_codes WHERE user_id = $1 AND ($2 = '' OR client_id = $2)",
        )
        .bind(user_id)
        .bind(client_id.unwrap_or(""))
        .execute(&mut *tx)
        .await?;
        self.commit_revocation(tx).await
    }

    async fn list_user_grants(&self, user_id: &str) -> StoreResult<Vec<GrantRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {GRANT_COLUMNS} FROM grants WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(grant_from_row).collect()
    }

    async fn find_refresh(&self, token_hash: &[u8]) -> StoreResult<RefreshLookup> {
        refresh::find(self, token_hash).await
    }

    async fn rotate_refresh(
        &self,
        old_hash: &[u8],
        new: &RefreshRecord,
        now: i64,
        touch_grant: bool,
        grace: u64,
    ) -> StoreResult<Rotation> {
        refresh::rotate(self, old_hash, new, now, touch_grant, grace).await
    }

    async fn touch_refresh(&self, token_hash: &[u8], grant_id: &str, now: i64) -> StoreResult<()> {
        refresh::touch(self, token_hash, grant_id, now).await
    }

    async fn use_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        _now: i64,
    ) -> StoreResult<bool> {
        assertions::use_jti(self, client_id, jti, expires_at).await
    }

    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        access_tokens::revoke(self, jti, expires_at).await
    }

    async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool> {
        access_tokens::is_revoked(self, jti).await
    }

    fn revocation_epoch(&self) -> u64 {
        self.revocation_epoch_now()
    }
}

//! SQL implementation of the OAuth2 protocol store (see `oauth.rs`), on the same
//! `SqlStore` and with the same portable SQL as `sql.rs`.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::oauth::*;
use super::sql::{is_unique_violation, SqlStore};
use super::{StoreError, StoreResult, UserRecord};

const GRANT_COLUMNS: &str =
    "id, user_id, client_id, scope, auth_time, created_at, last_used_at, revoked_at";

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

const REFRESH_COLUMNS: &str =
    "token_hash, grant_id, client_id, scope, created_at, last_used_at, rotated_at";

fn refresh_from_row(r: &AnyRow) -> StoreResult<RefreshRecord> {
    Ok(RefreshRecord {
        token_hash: r.try_get("token_hash")?,
        grant_id: r.try_get("grant_id")?,
        client_id: r.try_get("client_id")?,
        scope: r.try_get("scope")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        rotated_at: r.try_get("rotated_at")?,
    })
}

async fn insert_grant(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    g: &GrantRecord,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO grants ({GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
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

async fn insert_refresh<'c, E>(exec: E, r: &RefreshRecord) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(&format!(
        "INSERT INTO refresh_tokens ({REFRESH_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))
    .bind(&r.token_hash)
    .bind(&r.grant_id)
    .bind(&r.client_id)
    .bind(&r.scope)
    .bind(r.created_at)
    .bind(r.last_used_at)
    .bind(r.rotated_at)
    .execute(exec)
    .await?;
    Ok(())
}

async fn revoke_grant_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    // The family's refresh tokens go at once; access tokens die by the grant check.
    sqlx::query("DELETE FROM refresh_tokens WHERE grant_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, s: &BrowserSession) -> StoreResult<()> {
        sqlx::query("INSERT INTO browser_sessions (id_hash, user_id, auth_time, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&s.id_hash)
            .bind(&s.user_id)
            .bind(s.auth_time)
            .bind(s.expires_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn get_session(&self, id_hash: &[u8], now: i64) -> StoreResult<Option<BrowserSession>> {
        let row = sqlx::query(
            "SELECT s.id_hash, s.user_id, s.auth_time, s.expires_at FROM browser_sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(BrowserSession {
                id_hash: r.try_get("id_hash")?,
                user_id: r.try_get("user_id")?,
                auth_time: r.try_get("auth_time")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM browser_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl InteractionStore for SqlStore {
    async fn create_interaction(&self, i: &InteractionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO interactions (id, browser_hash, client_id, request, user_id, auth_time, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&i.id)
        .bind(&i.browser_hash)
        .bind(&i.client_id)
        .bind(&i.request)
        .bind(i.user_id.as_deref())
        .bind(i.auth_time)
        .bind(i.created_at)
        .bind(i.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn get_interaction(&self, id: &str, now: i64) -> StoreResult<Option<InteractionRecord>> {
        let row = sqlx::query(
            "SELECT id, browser_hash, client_id, request, user_id, auth_time, created_at, expires_at
             FROM interactions WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(InteractionRecord {
                id: r.try_get("id")?,
                browser_hash: r.try_get("browser_hash")?,
                client_id: r.try_get("client_id")?,
                request: r.try_get("request")?,
                user_id: r.try_get("user_id")?,
                auth_time: r.try_get("auth_time")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn set_interaction_user(
        &self,
        id: &str,
        user_id: &str,
        auth_time: i64,
    ) -> StoreResult<()> {
        let r = sqlx::query("UPDATE interactions SET user_id = $1, auth_time = $2 WHERE id = $3")
            .bind(user_id)
            .bind(auth_time)
            .bind(id)
            .execute(self.writer())
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn take_interaction(&self, id: &str) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM interactions WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn delete_browser_interactions(&self, browser_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM interactions WHERE browser_hash = $1")
            .bind(browser_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl ConsentStore for SqlStore {
    async fn get_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<ConsentRecord>> {
        let row = sqlx::query(
            "SELECT scope, created_at FROM consents WHERE user_id = $1 AND client_id = $2",
        )
        .bind(user_id)
        .bind(client_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(ConsentRecord {
                user_id: user_id.to_owned(),
                client_id: client_id.to_owned(),
                scope: r.try_get("scope")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }

    async fn put_consent(&self, c: &ConsentRecord) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(&c.user_id)
            .bind(&c.client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO consents (user_id, client_id, scope, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.user_id)
        .bind(&c.client_id)
        .bind(&c.scope)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl GrantStore for SqlStore {
    async fn create_code(&self, c: &CodeRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, nonce,
                                              auth_time, expires_at, used_at, replayed_at, grant_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL)",
        )
        .bind(&c.code_hash)
        .bind(&c.client_id)
        .bind(&c.user_id)
        .bind(&c.redirect_uri)
        .bind(&c.scope)
        .bind(c.code_challenge.as_deref())
        .bind(c.nonce.as_deref())
        .bind(c.auth_time)
        .bind(c.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn redeem_code(&self, code_hash: &[u8], now: i64) -> StoreResult<CodeRedemption> {
        // The conditional UPDATE is the single-use gate: of concurrent redemptions exactly
        // one changes the row, and RETURNING hands it the code in the same round trip
        // (SQLite 3.35+, PostgreSQL), without holding the write connection for a
        // transaction.
        let row = sqlx::query(
            "UPDATE authorization_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL
             RETURNING code_hash, client_id, user_id, redirect_uri, scope, code_challenge, nonce,
                       auth_time, expires_at",
        )
        .bind(now)
        .bind(code_hash)
        .fetch_optional(self.writer())
        .await?;
        if let Some(r) = row {
            return Ok(CodeRedemption::Fresh(CodeRecord {
                code_hash: r.try_get("code_hash")?,
                client_id: r.try_get("client_id")?,
                user_id: r.try_get("user_id")?,
                redirect_uri: r.try_get("redirect_uri")?,
                scope: r.try_get("scope")?,
                code_challenge: r.try_get("code_challenge")?,
                nonce: r.try_get("nonce")?,
                auth_time: r.try_get("auth_time")?,
                expires_at: r.try_get("expires_at")?,
            }));
        }
        let mut tx = self.writer().begin().await?;
        // RFC 6749 §4.1.2: a code used twice SHOULD revoke the tokens it issued.
        let r = sqlx::query("UPDATE authorization_codes SET replayed_at = $1 WHERE code_hash = $2")
            .bind(now)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        if r.rows_affected() == 0 {
            return Ok(CodeRedemption::Unknown);
        }
        let grant: Option<String> =
            sqlx::query("SELECT grant_id FROM authorization_codes WHERE code_hash = $1")
                .bind(code_hash)
                .fetch_one(&mut *tx)
                .await?
                .try_get(0)?;
        if let Some(g) = grant {
            revoke_grant_in(&mut tx, &g, now).await?;
        }
        tx.commit().await?;
        self.revoked();
        Ok(CodeRedemption::Replayed)
    }

    async fn create_grant_for_code(
        &self,
        code_hash: &[u8],
        grant: &GrantRecord,
        refresh: Option<&RefreshRecord>,
    ) -> StoreResult<bool> {
        let mut tx = self.writer().begin().await?;
        // Lock the code row first, so a replay either ran before (and is seen here) or
        // runs after (and finds the grant to revoke).
        let replayed: Option<i64> = sqlx::query(
            "UPDATE authorization_codes SET grant_id = $1 WHERE code_hash = $2 RETURNING replayed_at",
        )
        .bind(&grant.id)
        .bind(code_hash)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        insert_grant(&mut tx, grant).await?;
        if let Some(at) = replayed {
            revoke_grant_in(&mut tx, &grant.id, at).await?;
            tx.commit().await?;
            return Ok(false);
        }
        if let Some(r) = refresh {
            insert_refresh(&mut *tx, r).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn create_grant(
        &self,
        grant: &GrantRecord,
        refresh: Option<&RefreshRecord>,
    ) -> StoreResult<()> {
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
        tx.commit().await?;
        self.revoked();
        Ok(())
    }

    async fn revoke_grants_of_app(&self, client_id: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "UPDATE grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM refresh_tokens WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM authorization_codes WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.revoked();
        Ok(())
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
        tx.commit().await?;
        self.revoked();
        Ok(())
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
        // One query for the token, its grant and the grant's user: every refresh starts
        // here, and each query is a round trip to the connection's thread.
        let row = sqlx::query(
            "SELECT r.token_hash, r.grant_id, r.client_id, r.scope, r.created_at, r.last_used_at,
                    r.rotated_at, g.id AS g_id, g.user_id AS g_user_id, g.client_id AS g_client_id,
                    g.scope AS g_scope, g.auth_time AS g_auth_time, g.created_at AS g_created_at,
                    g.last_used_at AS g_last_used_at, g.revoked_at AS g_revoked_at,
                    u.id AS u_id, u.username AS u_username, u.password_hash AS u_password_hash,
                    u.email AS u_email, u.name AS u_name, u.is_admin AS u_is_admin,
                    u.disabled AS u_disabled, u.created_at AS u_created_at
             FROM refresh_tokens r LEFT JOIN grants g ON g.id = r.grant_id
             LEFT JOIN users u ON u.id = g.user_id
             WHERE r.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            return Ok(RefreshLookup::Invalid);
        };
        let refresh = refresh_from_row(&row)?;
        if refresh.rotated_at.is_some() {
            return Ok(RefreshLookup::Reused {
                grant_id: refresh.grant_id,
                client_id: refresh.client_id,
            });
        }
        let grant_id: Option<String> = row.try_get("g_id")?;
        let Some(id) = grant_id else {
            return Ok(RefreshLookup::Invalid);
        };
        let grant = GrantRecord {
            id,
            user_id: row.try_get("g_user_id")?,
            client_id: row.try_get("g_client_id")?,
            scope: row.try_get("g_scope")?,
            auth_time: row.try_get("g_auth_time")?,
            created_at: row.try_get("g_created_at")?,
            last_used_at: row.try_get("g_last_used_at")?,
            revoked_at: row.try_get("g_revoked_at")?,
        };
        if grant.revoked_at.is_some() {
            return Ok(RefreshLookup::Invalid);
        }
        let user_id: Option<String> = row.try_get("u_id")?;
        let user = match user_id {
            Some(id) => Some(UserRecord {
                id,
                username: row.try_get("u_username")?,
                password_hash: row.try_get("u_password_hash")?,
                email: row.try_get("u_email")?,
                name: row.try_get("u_name")?,
                is_admin: row.try_get::<i64, _>("u_is_admin")? != 0,
                disabled: row.try_get::<i64, _>("u_disabled")? != 0,
                created_at: row.try_get("u_created_at")?,
            }),
            None => None,
        };
        Ok(RefreshLookup::Active(refresh, grant, user))
    }

    async fn rotate_refresh(
        &self,
        old_hash: &[u8],
        new: &RefreshRecord,
        now: i64,
        touch_grant: bool,
    ) -> StoreResult<bool> {
        // Single statements, not one transaction: each holds the (SQLite: single) write
        // connection for one round trip, where a transaction held it across four and
        // across the scheduling of the task in between, which capped every refresh chain
        // on the copy. Atomic all the same where it matters, by the order: the new token
        // is stored first, then the conditional UPDATE retires the old one — of
        // concurrent rotations exactly one wins (RFC 9700 §4.14.2) — and a loser removes
        // the token it stored, which nobody was given. Whatever fails in between, the old
        // token either still works or its successor is stored; a token stored and never
        // handed out is unreachable (256 random bits) and goes with its grant.
        insert_refresh(self.writer(), new).await?;
        let won = sqlx::query(
            "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL",
        )
        .bind(now)
        .bind(old_hash)
        .execute(self.writer())
        .await?
        .rows_affected()
            == 1;
        if !won {
            sqlx::query("DELETE FROM refresh_tokens WHERE token_hash = $1")
                .bind(&new.token_hash)
                .execute(self.writer())
                .await?;
            return Ok(false);
        }
        if touch_grant {
            sqlx::query("UPDATE grants SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&new.grant_id)
                .execute(self.writer())
                .await?;
        }
        Ok(true)
    }

    async fn touch_refresh(&self, token_hash: &[u8], grant_id: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("UPDATE refresh_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE grants SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn use_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        _now: i64,
    ) -> StoreResult<bool> {
        // Expired entries go in the background purge (`crate::purge`): their assertions are
        // refused for being expired anyway.
        let r = sqlx::query(
            "INSERT INTO used_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(client_id)
        .bind(jti)
        .bind(expires_at)
        .execute(self.writer())
        .await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()> {
        let r = sqlx::query("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2)")
            .bind(jti)
            .bind(expires_at)
            .execute(self.writer())
            .await;
        let r = match r {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Ok(()),
            Err(e) => Err(e.into()),
        };
        self.revoked();
        r
    }

    async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool> {
        Ok(
            sqlx::query("SELECT 1 FROM revoked_access_tokens WHERE jti = $1")
                .bind(jti)
                .fetch_optional(self.pool())
                .await?
                .is_some(),
        )
    }

    fn revocation_epoch(&self) -> u64 {
        self.revocation_epoch_now()
    }
}

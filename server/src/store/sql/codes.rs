//! Authorization codes (RFC 6749 §4.1.2): stored as hashes, burnt on first use; a code
//! presented again revokes the grant it issued.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::grants::{insert_grant, insert_grant_on, revoke_grant_in};
use super::refresh::{insert_refresh, insert_refresh_on};
use super::users::{user_by_id_in, user_by_id_on};
use super::SqlStore;
use crate::store::{CodeExchange, CodeRecord, GrantDecision, StoreResult};

/// Shared by sqlx and the SQLite writer thread (`$N` in order, see `grants::INSERT_GRANT`).
const INSERT: &str = "INSERT INTO authorization_codes (code_hash, client_id, user_id, redirect_uri, scope, code_challenge, nonce,
                                      auth_time, expires_at, used_at, replayed_at, grant_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL)";
const REDEEM: &str =
    "UPDATE authorization_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL
     RETURNING code_hash, client_id, user_id, redirect_uri, scope, code_challenge, nonce,
               auth_time, expires_at";
const BIND_GRANT: &str = "UPDATE authorization_codes SET grant_id = $1 WHERE code_hash = $2";

pub(super) async fn create(store: &SqlStore, c: &CodeRecord) -> StoreResult<()> {
    if let Some(gc) = store.group_commit() {
        let c = c.clone();
        return gc
            .run(move |db| {
                db.prepare_cached(INSERT)?.execute(rusqlite::params![
                    c.code_hash,
                    c.client_id,
                    c.user_id,
                    c.redirect_uri,
                    c.scope,
                    c.code_challenge,
                    c.nonce,
                    c.auth_time,
                    c.expires_at
                ])?;
                Ok(())
            })
            .await;
    }
    sqlx::query(INSERT)
        .bind(&c.code_hash)
        .bind(&c.client_id)
        .bind(&c.user_id)
        .bind(&c.redirect_uri)
        .bind(&c.scope)
        .bind(c.code_challenge.as_deref())
        .bind(c.nonce.as_deref())
        .bind(c.auth_time)
        .bind(c.expires_at)
        .execute(store.writer())
        .await?;
    Ok(())
}

/// One code exchange, one write: burn the code (the conditional UPDATE is the single-use
/// gate: of concurrent redemptions exactly one changes the row, and RETURNING hands it the
/// code), read its user, and store the grant `decide` returns. A replay cannot slip in
/// between: on SQLite the writer runs the job alone, and on PostgreSQL the UPDATE holds the
/// code row's lock until COMMIT, so a second use waits and then finds the grant to revoke.
pub(super) async fn exchange(
    store: &SqlStore,
    code_hash: &[u8],
    now: i64,
    decide: GrantDecision,
) -> StoreResult<CodeExchange> {
    let fresh = match store.group_commit() {
        Some(gc) => {
            let hash = code_hash.to_vec();
            gc.run(move |db| {
                let Some(code) = redeem_on(db, &hash, now)? else {
                    return Ok(None);
                };
                let user = user_by_id_on(db, &code.user_id)?;
                let granted = match decide(&code, user.as_ref()) {
                    Some((grant, refresh)) => {
                        db.prepare_cached(BIND_GRANT)?
                            .execute(rusqlite::params![grant.id, hash])?;
                        insert_grant_on(db, &grant)?;
                        if let Some(r) = &refresh {
                            insert_refresh_on(db, r)?;
                        }
                        true
                    }
                    None => false,
                };
                Ok(Some((code, user, granted)))
            })
            .await?
        }
        None => {
            let mut tx = store.writer().begin().await?;
            let code = sqlx::query(REDEEM)
                .bind(now)
                .bind(code_hash)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| code_from_row(&r))
                .transpose()?;
            let fresh = match code {
                Some(code) => {
                    let user = user_by_id_in(&mut tx, &code.user_id).await?;
                    let granted = match decide(&code, user.as_ref()) {
                        Some((grant, refresh)) => {
                            sqlx::query(BIND_GRANT)
                                .bind(&grant.id)
                                .bind(code_hash)
                                .execute(&mut *tx)
                                .await?;
                            insert_grant(&mut tx, &grant).await?;
                            if let Some(r) = &refresh {
                                insert_refresh(&mut *tx, r).await?;
                            }
                            true
                        }
                        None => false,
                    };
                    Some((code, user, granted))
                }
                None => None,
            };
            tx.commit().await?;
            fresh
        }
    };
    if let Some((code, user, granted)) = fresh {
        return Ok(CodeExchange::Fresh {
            code,
            user,
            granted,
        });
    }
    // Used before, or unknown: rare, so the revocation (which announces itself to other
    // copies) goes through the sqlx writer on every database.
    let mut tx = store.writer().begin().await?;
    // RFC 6749 §4.1.2: a code used twice SHOULD revoke the tokens it issued.
    let r = sqlx::query("UPDATE authorization_codes SET replayed_at = $1 WHERE code_hash = $2")
        .bind(now)
        .bind(code_hash)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Ok(CodeExchange::Unknown);
    }
    let grant: Option<String> =
        sqlx::query("SELECT grant_id FROM authorization_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
    // The first use wrote its grant in the same commit that burnt the code, so no grant
    // here means that use was refused and issued nothing.
    let Some(g) = grant else {
        tx.commit().await?;
        return Ok(CodeExchange::SpentByRefusal);
    };
    revoke_grant_in(&mut tx, &g, now).await?;
    store.commit_revocation(tx).await?;
    Ok(CodeExchange::Replayed)
}

fn redeem_on(db: &rusqlite::Connection, hash: &[u8], now: i64) -> StoreResult<Option<CodeRecord>> {
    let mut redeem = db.prepare_cached(REDEEM)?;
    let mut rows = redeem.query(rusqlite::params![now, hash])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    Ok(Some(CodeRecord {
        code_hash: r.get(0)?,
        client_id: r.get(1)?,
        user_id: r.get(2)?,
        redirect_uri: r.get(3)?,
        scope: r.get(4)?,
        code_challenge: r.get(5)?,
        nonce: r.get(6)?,
        auth_time: r.get(7)?,
        expires_at: r.get(8)?,
    }))
}

fn code_from_row(r: &AnyRow) -> StoreResult<CodeRecord> {
    Ok(CodeRecord {
        code_hash: r.try_get("code_hash")?,
        client_id: r.try_get("client_id")?,
        user_id: r.try_get("user_id")?,
        redirect_uri: r.try_get("redirect_uri")?,
        scope: r.try_get("scope")?,
        code_challenge: r.try_get("code_challenge")?,
        nonce: r.try_get("nonce")?,
        auth_time: r.try_get("auth_time")?,
        expires_at: r.try_get("expires_at")?,
    })
}

//! Refresh tokens (RFC 6749 §6), stored as hashes; rotation retires the presented token
//! and a retired one that comes back is reported as reuse (RFC 9700 §4.14.2), or, within
//! the app's reuse grace, gets a sibling token of the same family.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::SqlStore;
use crate::store::{GrantRecord, RefreshLookup, RefreshRecord, Rotation, StoreResult, UserRecord};

/// Shared by sqlx and the SQLite writer thread (`$N` in order, see `grants::INSERT_GRANT`).
const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens (token_hash, grant_id, client_id, scope, created_at, last_used_at, rotated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
const RETIRE: &str =
    "UPDATE refresh_tokens SET rotated_at = $1 WHERE token_hash = $2 AND rotated_at IS NULL";
/// Whether the token was rotated after `$2` (the start of the grace window). A rotated token
/// exists only while its family lives: revoking a grant deletes its refresh tokens.
const ROTATED_SINCE: &str = "SELECT rotated_at FROM refresh_tokens WHERE token_hash = $1 AND rotated_at IS NOT NULL AND rotated_at > $2";
const TOUCH_REFRESH: &str = "UPDATE refresh_tokens SET last_used_at = $1 WHERE token_hash = $2";
const TOUCH_GRANT: &str = "UPDATE grants SET last_used_at = $1 WHERE id = $2";

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

pub(super) async fn insert_refresh<'c, E>(exec: E, r: &RefreshRecord) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(INSERT_REFRESH)
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

/// `insert_refresh` on the SQLite writer thread.
pub(super) fn insert_refresh_on(db: &rusqlite::Connection, r: &RefreshRecord) -> StoreResult<()> {
    db.prepare_cached(INSERT_REFRESH)?
        .execute(rusqlite::params![
            r.token_hash,
            r.grant_id,
            r.client_id,
            r.scope,
            r.created_at,
            r.last_used_at,
            r.rotated_at
        ])?;
    Ok(())
}

pub(super) async fn find(store: &SqlStore, token_hash: &[u8]) -> StoreResult<RefreshLookup> {
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
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else {
        return Ok(RefreshLookup::Invalid);
    };
    let refresh = refresh_from_row(&row)?;
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
            password_hash: row.try_get::<String, _>("u_password_hash")?.into(),
            email: row.try_get("u_email")?,
            name: row.try_get("u_name")?,
            is_admin: row.try_get::<i64, _>("u_is_admin")? != 0,
            disabled: row.try_get::<i64, _>("u_disabled")? != 0,
            created_at: row.try_get("u_created_at")?,
        }),
        None => None,
    };
    if refresh.rotated_at.is_some() {
        return Ok(RefreshLookup::Rotated(refresh, grant, user));
    }
    Ok(RefreshLookup::Active(refresh, grant, user))
}

/// The start of the grace window: a rotation after it is within the grace. `None` when
/// there is no grace, so that grace 0 is today's rule exactly, whatever the clocks say.
fn grace_start(now: i64, grace: u64) -> Option<i64> {
    (grace > 0).then(|| now.saturating_sub(grace as i64))
}

pub(super) async fn rotate(
    store: &SqlStore,
    old_hash: &[u8],
    new: &RefreshRecord,
    now: i64,
    touch_grant: bool,
    grace: u64,
) -> StoreResult<Rotation> {
    let since = grace_start(now, grace);
    if let Some(gc) = store.group_commit() {
        // One job, so one transaction: the conditional UPDATE retires the old token — of
        // concurrent rotations exactly one changes the row (RFC 9700 §4.14.2) — and only
        // the winner stores the successor, or, within the reuse grace, each loser a
        // sibling (the rotation it lost to is committed before it, in this same thread).
        let (old, new) = (old_hash.to_vec(), new.clone());
        return gc
            .run(move |db| {
                let retired = db
                    .prepare_cached(RETIRE)?
                    .execute(rusqlite::params![now, old])?
                    == 1;
                let outcome = if retired {
                    Rotation::Rotated
                } else {
                    match since {
                        Some(since) => {
                            let mut q = db.prepare_cached(ROTATED_SINCE)?;
                            if q.exists(rusqlite::params![old, since])? {
                                Rotation::Sibling
                            } else {
                                Rotation::Lost
                            }
                        }
                        None => Rotation::Lost,
                    }
                };
                if outcome == Rotation::Lost {
                    return Ok(outcome);
                }
                insert_refresh_on(db, &new)?;
                if touch_grant {
                    db.prepare_cached(TOUCH_GRANT)?
                        .execute(rusqlite::params![now, new.grant_id])?;
                }
                Ok(outcome)
            })
            .await;
    }
    // PostgreSQL: single statements, not one transaction: each holds the (SQLite: single) write
    // connection for one round trip, where a transaction held it across four and
    // across the scheduling of the task in between, which capped every refresh chain
    // on the copy. Atomic all the same where it matters, by the order: the new token
    // is stored first, then the conditional UPDATE retires the old one — of
    // concurrent rotations exactly one wins (RFC 9700 §4.14.2) — and a loser removes
    // the token it stored, which nobody was given. Whatever fails in between, the old
    // token either still works or its successor is stored; a token stored and never
    // handed out is unreachable (256 random bits) and goes with its grant.
    // Within the reuse grace a loser keeps its token as a sibling when the old token's
    // rotation is recent; that check comes after its own token is stored, so a family
    // revoked in between (which deletes every token of the grant) takes the sibling too,
    // or is seen by the check.
    insert_refresh(store.writer(), new).await?;
    let won = sqlx::query(RETIRE)
        .bind(now)
        .bind(old_hash)
        .execute(store.writer())
        .await?
        .rows_affected()
        == 1;
    let outcome = if won {
        Rotation::Rotated
    } else {
        match since {
            Some(since) => {
                let recent = sqlx::query(ROTATED_SINCE)
                    .bind(old_hash)
                    .bind(since)
                    .fetch_optional(store.writer())
                    .await?
                    .is_some();
                if recent {
                    Rotation::Sibling
                } else {
                    Rotation::Lost
                }
            }
            None => Rotation::Lost,
        }
    };
    if outcome == Rotation::Lost {
        sqlx::query("DELETE FROM refresh_tokens WHERE token_hash = $1")
            .bind(&new.token_hash)
            .execute(store.writer())
            .await?;
        return Ok(outcome);
    }
    if touch_grant {
        sqlx::query(TOUCH_GRANT)
            .bind(now)
            .bind(&new.grant_id)
            .execute(store.writer())
            .await?;
    }
    Ok(outcome)
}

pub(super) async fn touch(
    store: &SqlStore,
    token_hash: &[u8],
    grant_id: &str,
    now: i64,
) -> StoreResult<()> {
    if let Some(gc) = store.group_commit() {
        let (token, grant) = (token_hash.to_vec(), grant_id.to_owned());
        return gc
            .run(move |db| {
                db.prepare_cached(TOUCH_REFRESH)?
                    .execute(rusqlite::params![now, token])?;
                db.prepare_cached(TOUCH_GRANT)?
                    .execute(rusqlite::params![now, grant])?;
                Ok(())
            })
            .await;
    }
    let mut tx = store.writer().begin().await?;
    sqlx::query(TOUCH_REFRESH)
        .bind(now)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
    sqlx::query(TOUCH_GRANT)
        .bind(now)
        .bind(grant_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

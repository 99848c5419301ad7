//! Users (`UserStore`): disabling or deleting one ends everything they hold.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{is_unique_violation, SqlStore};
use crate::store::{StoreError, StoreResult, UserRecord, UserStore};

/// A macro so that the queries below can be built with `concat!` at compile time.
macro_rules! user_columns {
    () => {
        "id, username, password_hash, email, name, is_admin, disabled, created_at"
    };
}
const USER_COLUMNS: &str = user_columns!();
/// Shared by sqlx and the SQLite writer thread (columns in `user_columns!` order).
const USER_BY_ID: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = $1");

fn user_from_row(r: &AnyRow) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        password_hash: r.try_get::<String, _>("password_hash")?.into(),
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        is_admin: r.try_get::<i64, _>("is_admin")? != 0,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

/// By id, inside a write that already holds a connection (a code exchange reads the code's
/// user in the transaction that burns the code).
pub(super) async fn user_by_id_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> StoreResult<Option<UserRecord>> {
    let row = sqlx::query(USER_BY_ID)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// By id, on the SQLite writer thread.
pub(super) fn user_by_id_on(
    db: &rusqlite::Connection,
    id: &str,
) -> StoreResult<Option<UserRecord>> {
    let mut query = db.prepare_cached(USER_BY_ID)?;
    let mut rows = query.query([id])?;
    let Some(r) = rows.next()? else {
        return Ok(None);
    };
    Ok(Some(UserRecord {
        id: r.get(0)?,
        username: r.get(1)?,
        password_hash: r.get::<_, String>(2)?.into(),
        email: r.get(3)?,
        name: r.get(4)?,
        is_admin: r.get::<_, i64>(5)? != 0,
        disabled: r.get::<_, i64>(6)? != 0,
        created_at: r.get(7)?,
    }))
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(&self, u: &UserRecord) -> StoreResult<()> {
        let r = sqlx::query(&format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&u.id)
        .bind(&u.username)
        .bind(u.password_hash.expose())
        .bind(u.email.as_deref())
        .bind(u.name.as_deref())
        .bind(i64::from(u.is_admin))
        .bind(i64::from(u.disabled))
        .bind(u.created_at)
        .execute(&self.writer)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict),
            r => r.map(|_| ()).map_err(Into::into),
        }
    }

    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let row = sqlx::query(USER_BY_ID)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn set_user_disabled(&self, username: &str, disabled: bool, now: i64) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let id = user_id_by_name(&mut tx, username).await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_user_access(&mut tx, &id, now).await?;
        }
        self.commit_revocation(tx).await
    }

    async fn delete_user(&self, username: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let id = user_id_by_name(&mut tx, username).await?;
        end_user_access(&mut tx, &id, now).await?;
        for table in ["consents", "interactions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        self.commit_revocation(tx).await
    }
}

async fn user_id_by_name(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    username: &str,
) -> StoreResult<String> {
    let row = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get(0)?)
}

/// Ends everything a user holds: sessions, codes, refresh tokens; grants are revoked.
async fn end_user_access(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE grants SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "DELETE FROM refresh_tokens WHERE grant_id IN (SELECT id FROM grants WHERE user_id = $1)",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    for table in ["authorization_codes", "browser_sessions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

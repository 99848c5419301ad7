//! Apps (`AppStore`): the registered OAuth2 clients and the `--max-apps` limit.

use async_trait::async_trait;
use portico_proto::app::AppSettings;
use portico_proto::AppType;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::audited::Lock;
use super::secrets::insert_secret;
use super::{corrupt, is_unique_violation, one_row, Change, SqlStore};
use crate::store::{AppRecord, AppStore, AuditRecord, SecretRecord, StoreError, StoreResult};

const APP_COLUMNS: &str =
    "client_id, app_type, settings, builtin, created_at, updated_at, last_used_at, logo_version";

fn app_from_row(row: &AnyRow) -> StoreResult<AppRecord> {
    let app_type: String = row.try_get("app_type")?;
    let settings: String = row.try_get("settings")?;
    Ok(AppRecord {
        client_id: row.try_get("client_id")?,
        app_type: AppType::parse(&app_type).ok_or_else(|| corrupt("app_type"))?,
        settings: serde_json::from_str::<AppSettings>(&settings)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        builtin: row.try_get::<i64, _>("builtin")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_used_at: row.try_get("last_used_at")?,
        logo_version: row.try_get("logo_version")?,
    })
}

fn settings_json(s: &AppSettings) -> StoreResult<String> {
    serde_json::to_string(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The app as stored, read inside a transaction that holds its lock (`Lock::App`).
async fn locked_app(conn: &mut sqlx::AnyConnection, client_id: &str) -> StoreResult<AppRecord> {
    let row = sqlx::query(&format!(
        "SELECT {APP_COLUMNS} FROM apps WHERE client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    app_from_row(&row)
}

impl SqlStore {
    /// Deletes one row an app holds (a secret, a public key), audited: `delete` names it
    /// by the app (`$1`) and the row's own key (`$2`). `NotFound` when the app or the row
    /// does not exist.
    pub(super) async fn delete_app_row(
        &self,
        delete: &str,
        client_id: &str,
        key: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.audited(Lock::App(client_id, audit.at), audit).await?;
        let r = sqlx::query(delete)
            .bind(client_id)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        tx.commit().await
    }
}

#[async_trait]
impl AppStore for SqlStore {
    async fn create_app(
        &self,
        app: &AppRecord,
        first_secret: Option<&SecretRecord>,
        max_apps: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.audited(Lock::AppCreation, audit).await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM apps WHERE builtin = 0")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if count >= i64::from(max_apps) && !app.builtin {
            return Err(StoreError::LimitReached(max_apps));
        }
        let r = sqlx::query(
            "INSERT INTO apps (client_id, app_type, settings, builtin, created_at, updated_at, last_used_at, logo_version)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL)",
        )
        .bind(&app.client_id)
        .bind(app.app_type.as_str())
        .bind(settings_json(&app.settings)?)
        .bind(i64::from(app.builtin))
        .bind(app.created_at)
        .bind(app.updated_at)
        .execute(&mut *tx)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict),
            r => r?,
        };
        if let Some(s) = first_secret {
            insert_secret(&mut *tx, s).await?;
        }
        // A new single-page app brings CORS origins the other copies must allow.
        tx.announces(Change::App(app.client_id.clone()));
        tx.commit().await
    }

    async fn list_apps(&self) -> StoreResult<Vec<AppRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {APP_COLUMNS} FROM apps WHERE builtin = 0 ORDER BY created_at, client_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(app_from_row).collect()
    }

    async fn get_app(&self, client_id: &str) -> StoreResult<Option<AppRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {APP_COLUMNS} FROM apps WHERE client_id = $1"
        ))
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(app_from_row).transpose()
    }

    async fn update_app(
        &self,
        client_id: &str,
        settings: &AppSettings,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        // The app's lock first, then its stored admin API access: a settings update
        // (read before this transaction) never writes back an `admin_api_access` that
        // `set_admin_api_access` changed meanwhile, so an app cannot get it back by racing
        // its own PATCH against the administrator turning it off.
        let mut tx = self.audited(Lock::App(client_id, now), audit).await?;
        let stored = locked_app(&mut tx, client_id).await?.settings;
        let mut settings = settings.clone();
        settings.admin_api_access = stored.admin_api_access;
        settings.admin_api_access_since = stored.admin_api_access_since;
        let r = sqlx::query(
            "UPDATE apps SET settings = $1, updated_at = $2 WHERE client_id = $3 AND builtin = 0",
        )
        .bind(settings_json(&settings)?)
        .bind(now)
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        one_row(r)?;
        tx.commit().await
    }

    async fn set_admin_api_access(
        &self,
        client_id: &str,
        on: bool,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<AppRecord> {
        let mut tx = self.audited(Lock::App(client_id, now), audit).await?;
        let mut app = locked_app(&mut tx, client_id).await?;
        // Turned on now: tokens issued before this moment (while it was off, or before an
        // earlier off) stay refused. Already on: its tokens keep working.
        let s = &mut app.settings;
        s.admin_api_access_since = match (on, s.admin_api_access) {
            (false, _) => None,
            (true, true) => s.admin_api_access_since,
            (true, false) => Some(now),
        };
        s.admin_api_access = on;
        let r = sqlx::query("UPDATE apps SET settings = $1 WHERE client_id = $2 AND builtin = 0")
            .bind(settings_json(&app.settings)?)
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        tx.commit().await?;
        Ok(app)
    }

    async fn delete_app(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.audited(Lock::Nothing, audit).await?;
        // Children first: this does not rely on the connection's foreign-key setting.
        for table in [
            "client_secrets",
            "app_public_keys",
            "app_logos",
            "consents",
            "interactions",
            "refresh_tokens",
            "authorization_codes",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE client_id = $1"))
                .bind(client_id)
                .execute(&mut *tx)
                .await?;
        }
        // Deleting an app revokes everything it was granted.
        sqlx::query(
            "UPDATE grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
        )
        .bind(audit.at)
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        let r = sqlx::query("DELETE FROM apps WHERE client_id = $1 AND builtin = 0")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        tx.announces(Change::App(client_id.to_owned()));
        tx.announces(Change::Revoked);
        tx.commit().await?;
        self.revoked();
        Ok(())
    }

    async fn touch_app(&self, client_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE apps SET last_used_at = $1 WHERE client_id = $2")
            .bind(now)
            .bind(client_id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn upsert_builtin_app(&self, app: &AppRecord) -> StoreResult<()> {
        let r = sqlx::query(
            "UPDATE apps SET settings = $1, updated_at = $2 WHERE client_id = $3 AND builtin = 1",
        )
        .bind(settings_json(&app.settings)?)
        .bind(app.updated_at)
        .bind(&app.client_id)
        .execute(&self.writer)
        .await?;
        if r.rows_affected() == 0 {
            let r = sqlx::query(
                "INSERT INTO apps (client_id, app_type, settings, builtin, created_at, updated_at, last_used_at, logo_version)
                 VALUES ($1, $2, $3, 1, $4, $5, NULL, NULL)",
            )
            .bind(&app.client_id)
            .bind(app.app_type.as_str())
            .bind(settings_json(&app.settings)?)
            .bind(app.created_at)
            .bind(app.updated_at)
            .execute(&self.writer)
            .await;
            match r {
                // Another copy inserted it at the same moment.
                Err(e) if is_unique_violation(&e) => {}
                r => {
                    r?;
                }
            }
        }
        Ok(())
    }
}

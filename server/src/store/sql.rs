//! The SQL store: one implementation for SQLite and PostgreSQL over sqlx's `Any` driver.
//! Queries use `$n` placeholders, which both databases accept, and only SQL both speak;
//! each database has its own migrations folder.

use std::str::FromStr;

use async_trait::async_trait;
use portico_proto::app::AppSettings;
use portico_proto::{AppType, KeyAlg};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

use super::*;

/// Which database the URL named; decides migrations and connection set-up only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

pub struct SqlStore {
    /// Reads. SQLite in WAL mode lets these run beside the writer.
    pool: AnyPool,
    /// Writes and transactions. For SQLite a pool of one connection: SQLite allows one
    /// writer at a time, and concurrent write transactions on several connections meet
    /// `SQLITE_BUSY` and sleep in the busy handler (measured: p99 of hundreds of ms at 16
    /// connections); with one connection they queue on the pool instead, without sleeps.
    /// For PostgreSQL the same pool as `pool`: row locks let writers run side by side.
    writer: AnyPool,
    /// See `GrantStore::revocation_epoch`; bumped after each such commit.
    revocations: std::sync::atomic::AtomicU64,
    backend: Backend,
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
            let pool = pool_options()
                .max_connections(16)
                .connect_with(options)
                .await?;
            (pool.clone(), pool)
        }
    };
    let store = SqlStore {
        pool,
        writer,
        revocations: std::sync::atomic::AtomicU64::new(0),
        backend,
    };
    store
        .migrator()
        .run(&store.writer)
        .await
        .map_err(|e| StoreError::Db(sqlx::Error::Migrate(Box::new(e))))?;
    Ok(store)
}

impl SqlStore {
    pub(super) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for writes and transactions (see `writer`).
    pub(super) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Called after a committed change that may have ended live access tokens: bumps the
    /// revocation epoch (after the commit, so whoever reads the new epoch also reads the
    /// change).
    pub(super) fn revoked(&self) {
        self.revocations
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// PostgreSQL reads and writes through one pool (see `writer`).
    pub(super) fn shares_pools(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// The migrations this build brings for the database in use.
    pub(super) fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    pub(super) fn revocation_epoch_now(&self) -> u64 {
        self.revocations.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

async fn insert_audit<'c, E>(exec: E, a: &AuditRecord) -> StoreResult<()>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, client_id, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(a.at)
    .bind(&a.actor)
    .bind(a.action)
    .bind(a.client_id.as_deref())
    .bind(&a.detail)
    .execute(exec)
    .await?;
    Ok(())
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

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

/// Fails with `NotFound` when an UPDATE or DELETE touched no row.
fn one_row(r: sqlx::any::AnyQueryResult) -> StoreResult<()> {
    if r.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
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
        let mut tx = self.writer.begin().await?;
        // Writing first takes SQLite's write lock and PostgreSQL's row lock, so concurrent
        // creations queue here and each counts the apps the previous one left.
        sqlx::query("UPDATE app_create_lock SET ticks = ticks + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
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
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
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
        let mut tx = self.writer.begin().await?;
        let r = sqlx::query(
            "UPDATE apps SET settings = $1, updated_at = $2 WHERE client_id = $3 AND builtin = 0",
        )
        .bind(settings_json(settings)?)
        .bind(now)
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        one_row(r)?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_app(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
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
        insert_audit(&mut *tx, audit).await?;
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

async fn insert_secret<'c, E>(exec: E, s: &SecretRecord) -> StoreResult<()>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO client_secrets (id, client_id, secret_hash, hint, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, NULL)",
    )
    .bind(&s.id)
    .bind(&s.client_id)
    .bind(&s.secret_hash)
    .bind(&s.hint)
    .bind(s.created_at)
    .execute(exec)
    .await?;
    Ok(())
}

/// Locks the app's row for the rest of the transaction (SQLite: takes the write lock),
/// failing with `NotFound` when there is no such (non-built-in) app.
async fn lock_app(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    client_id: &str,
    now: i64,
) -> StoreResult<()> {
    let r = sqlx::query("UPDATE apps SET updated_at = $1 WHERE client_id = $2 AND builtin = 0")
        .bind(now)
        .bind(client_id)
        .execute(&mut **tx)
        .await?;
    one_row(r)
}

#[async_trait]
impl SecretStore for SqlStore {
    async fn add_secret(
        &self,
        secret: &SecretRecord,
        max: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_app(&mut tx, &secret.client_id, secret.created_at).await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM client_secrets WHERE client_id = $1")
            .bind(&secret.client_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if count >= i64::from(max) {
            return Err(StoreError::LimitReached(max));
        }
        insert_secret(&mut *tx, secret).await?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_secrets(&self, client_id: &str) -> StoreResult<Vec<SecretRecord>> {
        let rows = sqlx::query(
            "SELECT id, client_id, secret_hash, hint, created_at, last_used_at
             FROM client_secrets WHERE client_id = $1 ORDER BY created_at, id",
        )
        .bind(client_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SecretRecord {
                    id: r.try_get("id")?,
                    client_id: r.try_get("client_id")?,
                    secret_hash: r.try_get("secret_hash")?,
                    hint: r.try_get("hint")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    async fn delete_secret(
        &self,
        client_id: &str,
        id: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_app(&mut tx, client_id, audit.at).await?;
        let r = sqlx::query("DELETE FROM client_secrets WHERE client_id = $1 AND id = $2")
            .bind(client_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn touch_secret(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE client_secrets SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl PublicKeyStore for SqlStore {
    async fn add_public_key(&self, key: &PublicKeyRecord, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_app(&mut tx, &key.client_id, key.created_at).await?;
        let r = sqlx::query(
            "INSERT INTO app_public_keys (client_id, kid, alg, thumbprint, jwk, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.client_id)
        .bind(&key.kid)
        .bind(key.alg.as_str())
        .bind(&key.thumbprint)
        .bind(&key.jwk)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict),
            r => r?,
        };
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn list_public_keys(&self, client_id: &str) -> StoreResult<Vec<PublicKeyRecord>> {
        let rows = sqlx::query(
            "SELECT client_id, kid, alg, thumbprint, jwk, created_at
             FROM app_public_keys WHERE client_id = $1 ORDER BY created_at, kid",
        )
        .bind(client_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let alg: String = r.try_get("alg")?;
                Ok(PublicKeyRecord {
                    client_id: r.try_get("client_id")?,
                    kid: r.try_get("kid")?,
                    alg: KeyAlg::parse(&alg).ok_or_else(|| corrupt("key alg"))?,
                    thumbprint: r.try_get("thumbprint")?,
                    jwk: r.try_get("jwk")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn delete_public_key(
        &self,
        client_id: &str,
        kid: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_app(&mut tx, client_id, audit.at).await?;
        let r = sqlx::query("DELETE FROM app_public_keys WHERE client_id = $1 AND kid = $2")
            .bind(client_id)
            .bind(kid)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl LogoStore for SqlStore {
    async fn set_logo(&self, client_id: &str, logo: &Logo, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_app(&mut tx, client_id, logo.updated_at).await?;
        sqlx::query("DELETE FROM app_logos WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO app_logos (client_id, content_type, bytes, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(client_id)
            .bind(&logo.content_type)
            .bind(&logo.bytes)
            .bind(logo.updated_at)
            .execute(&mut *tx)
            .await?;
        // The version only grows, so a new logo is never hidden behind a cached old one.
        sqlx::query(
            "UPDATE apps SET logo_version = COALESCE(logo_version, 0) + 1 WHERE client_id = $1",
        )
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_logo(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        lock_app(&mut tx, client_id, audit.at).await?;
        let r = sqlx::query("DELETE FROM app_logos WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        sqlx::query("UPDATE apps SET logo_version = NULL WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_logo(&self, client_id: &str) -> StoreResult<Option<Logo>> {
        let row = sqlx::query(
            "SELECT content_type, bytes, updated_at FROM app_logos WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Logo {
                content_type: r.try_get("content_type")?,
                bytes: r.try_get("bytes")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }
}

const USER_COLUMNS: &str =
    "id, username, password_hash, email, name, is_admin, disabled, created_at";

fn user_from_row(r: &AnyRow) -> StoreResult<UserRecord> {
    Ok(UserRecord {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        password_hash: r.try_get("password_hash")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        is_admin: r.try_get::<i64, _>("is_admin")? != 0,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
    })
}

#[async_trait]
impl UserStore for SqlStore {
    async fn create_user(&self, u: &UserRecord) -> StoreResult<()> {
        let r = sqlx::query(&format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
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
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
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
        tx.commit().await?;
        self.revoked();
        Ok(())
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
        tx.commit().await?;
        self.revoked();
        Ok(())
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

#[async_trait]
impl SigningKeyStore for SqlStore {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        let rows = sqlx::query(
            "SELECT kid, alg, pkcs8, created_at, retired_at FROM signing_keys ORDER BY created_at, kid",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SigningKeyRecord {
                    kid: r.try_get("kid")?,
                    alg: r.try_get("alg")?,
                    pkcs8: r.try_get("pkcs8")?,
                    created_at: r.try_get("created_at")?,
                    retired_at: r.try_get("retired_at")?,
                })
            })
            .collect()
    }

    async fn rotate_signing_keys(&self, keys: &[SigningKeyRecord]) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let now = keys.iter().map(|k| k.created_at).max().unwrap_or_default();
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for k in keys {
            insert_key(&mut tx, k).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn insert_signing_key(&self, k: &SigningKeyRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        insert_key(&mut tx, k).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_key(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    k: &SigningKeyRecord,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO signing_keys (kid, alg, pkcs8, created_at, retired_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(&k.pkcs8)
        .bind(k.created_at)
        .bind(k.retired_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl ServerSecretStore for SqlStore {
    async fn server_secret(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>> {
        // Two copies starting at once both try; the key wins once, and both read it back.
        let _ = sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(
            sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, a: &AuditRecord) -> StoreResult<()> {
        insert_audit(self.writer(), a).await
    }

    async fn list_audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, client_id, detail FROM audit_log
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    client_id: r.try_get("client_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}

//! End users and administrators: creation with argon2id passwords, and the first admin.

use std::path::{Path, PathBuf};

use crate::crypto::{password, random};
use crate::store::Stores;
use crate::store::{StoreError, UserRecord};

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("{0}")]
    Invalid(String),
    #[error("a user named {0:?} already exists")]
    Exists(String),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error(transparent)]
    Random(#[from] random::RandomError),
    /// The first administrator cannot be created as configured.
    #[error("first administrator: {0}")]
    Bootstrap(String),
}

#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub password: portico_proto::Secret,
    pub email: Option<String>,
    pub name: Option<String>,
    pub is_admin: bool,
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 1_024;

/// Usernames: the rule `proto` shares with the console.
pub fn check_username(u: &str) -> Result<(), String> {
    portico_proto::validate::username(u)
}

pub fn check_password(p: &str) -> Result<(), String> {
    let n = p.chars().count();
    if n < PASSWORD_MIN {
        return Err(format!(
            "Password must be at least {PASSWORD_MIN} characters."
        ));
    }
    if n > PASSWORD_MAX {
        return Err(format!(
            "Password must be at most {PASSWORD_MAX} characters."
        ));
    }
    Ok(())
}

pub async fn create_user(stores: &Stores, now: i64, new: NewUser) -> Result<UserRecord, UserError> {
    check_username(&new.username).map_err(UserError::Invalid)?;
    check_password(new.password.expose()).map_err(UserError::Invalid)?;
    if let Some(e) = &new.email {
        portico_proto::validate::email(e).map_err(UserError::Invalid)?;
    }
    let user = UserRecord {
        id: random::id()?,
        username: new.username.clone(),
        password_hash: password::hash(new.password.into_exposed()).await?.into(),
        email: new.email,
        name: new.name,
        is_admin: new.is_admin,
        disabled: false,
        created_at: now,
    };
    match stores.users.create_user(&user).await {
        Ok(()) => Ok(user),
        Err(StoreError::Conflict) => Err(UserError::Exists(new.username)),
        Err(e) => Err(UserError::Store(e)),
    }
}

/// Where the first administrator's password comes from on a first start.
#[derive(Debug)]
pub enum AdminPassword {
    /// Chosen by the operator (`PORTICO_BOOTSTRAP_ADMIN_PASSWORD`).
    Given(String),
    /// Generated, and written only to this new file (mode 0600), never to a log stream.
    GenerateInto(PathBuf),
    /// Neither is possible (no local file to write, e.g. PostgreSQL): a first start is
    /// refused with this explanation.
    Required(String),
}

/// What the first start did about the first administrator.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users exist already; nothing was done.
    NotNeeded,
    /// `admin` was created with the password from the environment.
    FromEnvironment,
    /// `admin` was created with a generated password, written only to this file.
    WrittenTo(PathBuf),
}

/// The file that receives a generated admin password for the SQLite database `db`: beside
/// it, named after it (`data/portico.db` → `data/portico-admin-password.txt`), so that
/// several databases in one folder do not share one.
pub fn password_file_for(db: &Path) -> PathBuf {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "portico".to_owned());
    db.with_file_name(format!("{stem}-admin-password.txt"))
}

/// Creates `path` with `contents`, readable and writable by this user only; an existing
/// file is never overwritten (it may hold an earlier password, or be a planted link).
fn write_private_file(path: &Path, contents: &str) -> Result<(), UserError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let failed = |e: std::io::Error| {
        UserError::Bootstrap(if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} exists: it may hold an earlier generated admin password, so it is not \
                 overwritten. Move it away, or set PORTICO_BOOTSTRAP_ADMIN_PASSWORD",
                path.display()
            )
        } else {
            format!("cannot write the admin password to {}: {e}", path.display())
        })
    };
    let mut file = options.open(path).map_err(failed)?;
    let written = file
        .write_all(contents.as_bytes())
        .and_then(|()| file.sync_all());
    if let Err(e) = written {
        // A partial file would block the next start and hold no usable password.
        let _ = std::fs::remove_file(path);
        return Err(failed(e));
    }
    Ok(())
}

/// On first start with no users, creates `admin` with the password from `source`.
pub async fn bootstrap_admin(
    stores: &Stores,
    now: i64,
    source: AdminPassword,
) -> Result<Bootstrap, UserError> {
    if stores.users.count_users().await.map_err(UserError::Store)? > 0 {
        return Ok(Bootstrap::NotNeeded);
    }
    let (password, outcome) = match source {
        AdminPassword::Given(p) if !p.is_empty() => (p, Bootstrap::FromEnvironment),
        AdminPassword::Given(_) => {
            return Err(UserError::Bootstrap(
                "PORTICO_BOOTSTRAP_ADMIN_PASSWORD is empty".to_owned(),
            ))
        }
        AdminPassword::GenerateInto(path) => {
            let p = random::token::<18>()?;
            // Written before the user exists: a failed write leaves no admin whose
            // password nobody knows.
            write_private_file(&path, &format!("{p}\n"))?;
            (p, Bootstrap::WrittenTo(path))
        }
        AdminPassword::Required(why) => return Err(UserError::Bootstrap(why)),
    };
    let result = create_user(
        stores,
        now,
        NewUser {
            username: "admin".to_owned(),
            password: password.into(),
            email: None,
            name: Some("Administrator".to_owned()),
            is_admin: true,
        },
    )
    .await;
    match (result, outcome) {
        (Ok(_), outcome) => Ok(outcome),
        (Err(e), outcome) => {
            // The password file would name a password no account has.
            if let Bootstrap::WrittenTo(path) = &outcome {
                let _ = std::fs::remove_file(path);
            }
            match e {
                // Another server copy bootstrapped at the same moment.
                UserError::Exists(_) => Ok(Bootstrap::NotNeeded),
                e => Err(e),
            }
        }
    }
}

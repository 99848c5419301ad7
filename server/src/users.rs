//! End users and administrators: creation with argon2id passwords, and the first admin.

use crate::crypto::{password, random};
use crate::state::Stores;
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
}

pub struct NewUser {
    pub username: String,
    pub password: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub is_admin: bool,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .field("is_admin", &self.is_admin)
            .finish()
    }
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
    check_password(&new.password).map_err(UserError::Invalid)?;
    if let Some(e) = &new.email {
        portico_proto::validate::email(e).map_err(UserError::Invalid)?;
    }
    let user = UserRecord {
        id: random::id()?,
        username: new.username.clone(),
        password_hash: password::hash(new.password).await?,
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

/// What the first start did about the first administrator.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users exist already; nothing was done.
    NotNeeded,
    /// `admin` was created with the password from the environment.
    FromEnvironment,
    /// `admin` was created with this generated password, to print once.
    Generated(String),
}

/// On first start with no users, creates `admin` with `password` or a random one.
pub async fn bootstrap_admin(
    stores: &Stores,
    now: i64,
    password: Option<String>,
) -> Result<Bootstrap, UserError> {
    if stores.users.count_users().await.map_err(UserError::Store)? > 0 {
        return Ok(Bootstrap::NotNeeded);
    }
    let (password, outcome) = match password.filter(|p| !p.is_empty()) {
        Some(p) => (p, Bootstrap::FromEnvironment),
        None => {
            let p = random::token::<18>()?;
            (p.clone(), Bootstrap::Generated(p))
        }
    };
    let result = create_user(
        stores,
        now,
        NewUser {
            username: "admin".to_owned(),
            password,
            email: None,
            name: Some("Administrator".to_owned()),
            is_admin: true,
        },
    )
    .await;
    match result {
        Ok(_) => Ok(outcome),
        // Another server copy bootstrapped at the same moment.
        Err(UserError::Exists(_)) => Ok(Bootstrap::NotNeeded),
        Err(e) => Err(e),
    }
}

//! The audit log: administrators' changes, end users' sign-ins and decisions, and what the
//! server noticed, each entry of one kind (`AuditKind`) decided by its action
//! (`AuditAction::kind`), so the server records and the console filters by the same list.

use serde::{Deserialize, Serialize};

/// The longest `actor` or `client_id` a filter may name (longer matches nothing stored).
pub const MAX_FILTER_LEN: usize = 200;
/// Page size when none is asked for, and the most one page holds.
pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// Who caused an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AuditKind {
    /// A change made by an administrator (admin API) or a `portico` command (`cli`).
    Admin,
    /// An end user's sign-in, consent decision or revocation of an app's access.
    User,
    /// Something the server did to protect a user: a sign-in lockout, a refresh token reuse
    /// that ended its family.
    Security,
}

impl AuditKind {
    pub const ALL: [AuditKind; 3] = [AuditKind::Admin, AuditKind::User, AuditKind::Security];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Admin => "admin",
            AuditKind::User => "user",
            AuditKind::Security => "security",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

macro_rules! actions {
    ($($variant:ident = $name:literal, $kind:ident;)*) => {
        /// Every action the log records, by its dotted name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum AuditAction {
            $($variant,)*
        }

        impl AuditAction {
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $name,)*
                }
            }

            pub fn kind(self) -> AuditKind {
                match self {
                    $(AuditAction::$variant => AuditKind::$kind,)*
                }
            }
        }
    };
}

actions! {
    AppCreate = "app.create", Admin;
    AppUpdate = "app.update", Admin;
    AppDelete = "app.delete", Admin;
    AppGrantsRevoke = "app.grants_revoke", Admin;
    AdminApiEnable = "app.admin_api_enable", Admin;
    AdminApiDisable = "app.admin_api_disable", Admin;
    SecretCreate = "secret.create", Admin;
    SecretDelete = "secret.delete", Admin;
    SecretNote = "secret.note", Admin;
    KeyAdd = "key.add", Admin;
    KeyGenerate = "key.generate", Admin;
    KeyDelete = "key.delete", Admin;
    LogoSet = "logo.set", Admin;
    LogoDelete = "logo.delete", Admin;
    UserAdd = "user.add", Admin;
    UserDisable = "user.disable", Admin;
    UserEnable = "user.enable", Admin;
    UserDelete = "user.delete", Admin;
    KeysRotate = "keys.rotate", Admin;
    AdminTokenIssue = "admin_token.issue", Security;
    SigninSucceeded = "signin.succeeded", User;
    SigninFailed = "signin.failed", User;
    ConsentGiven = "consent.given", User;
    ConsentDenied = "consent.denied", User;
    ConsentRevoked = "consent.revoked", User;
    SigninLockout = "signin.lockout", Security;
    RefreshReuseDetected = "refresh.reuse_detected", Security;
}

impl AuditAction {
    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub kind: AuditKind,
    /// Who: an administrator's username, `app:<client_id>` for a machine-to-machine app
    /// using the admin API (its name at the time is in `detail`), or `cli` (admin); the user's
    /// username, or `address:<ip>` for a sign-in with an unknown username (user);
    /// `address:<ip>`, `client:<client_id>` or `cli` for `portico admin-token` (security).
    pub actor: String,
    /// Dotted action name, e.g. `app.create`, `signin.failed`.
    pub action: String,
    pub client_id: Option<String>,
    /// The app's current name, when `client_id` names an app that still exists.
    pub app_name: Option<String>,
    /// `client_id` names an app that has since been deleted.
    #[serde(default)]
    pub app_deleted: bool,
    /// `client_id` is Portico's own console, which has no page under `/apps`.
    #[serde(default)]
    pub app_builtin: bool,
    /// Human-readable summary; never contains a secret or a password.
    pub detail: String,
}

/// One page of the log, newest first. `next_before` fetches the following (older) page with
/// the same filters, and is null when no older entry matches; `prev_after` fetches the page
/// just newer than this one (`after=`), and is null when no newer entry matches (always on
/// the newest page, which is asked for without a cursor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<i64>,
    #[serde(default)]
    pub prev_after: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_parse_back() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
        }
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(AuditAction::parse("app.nope"), None);
        assert_eq!(AuditKind::parse("Admin"), None);
    }
}

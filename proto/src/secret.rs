//! Client secrets as the admin API shows them.

use serde::{Deserialize, Serialize};

/// A value that must never reach a log line: a client secret, a private key, a password,
/// a token. It serialises as the plain string (the wire format is unchanged) but `Debug`
/// prints `[redacted]`; reading it takes an explicit `expose()`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "A secret value (client secret, private key or password), as a plain string."
    )
)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A stored secret: never the secret itself, only a short hint to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretInfo {
    pub id: String,
    /// Prefix and last four characters, e.g. `pcs_…x3Fq`.
    pub hint: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last successful authentication with this secret, recorded at
    /// most once a minute; null when never used.
    pub last_used_at: Option<i64>,
    /// The administrator's note (what uses this secret), at most 64
    /// characters; empty when none.
    #[serde(default)]
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_serialises_plainly_and_never_prints() {
        let s = Secret::new("pcs_abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"pcs_abc\"");
        assert_eq!(format!("{s:?}"), "[redacted]");
        let n = NewSecret {
            id: "s1".into(),
            client_secret: s,
            hint: "pcs_…_abc".into(),
            created_at: 1,
            note: String::new(),
        };
        assert!(!format!("{n:?}").contains("pcs_abc"));
    }

    #[test]
    fn notes_are_short_single_lines() {
        assert!(validate_note("").is_ok());
        assert!(validate_note(&"é".repeat(SECRET_NOTE_MAX)).is_ok());
        assert!(validate_note(&"x".repeat(SECRET_NOTE_MAX + 1)).is_err());
        assert!(validate_note("a\nb").is_err());
    }
}

/// The answer to creating a secret: the only time `client_secret` is ever sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSecret {
    pub id: String,
    pub client_secret: Secret,
    pub hint: String,
    pub created_at: i64,
    #[serde(default)]
    pub note: String,
}

/// The optional body of `POST /api/v1/apps/{client_id}/secrets`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSecretInput {
    /// What the secret is for, at most 64 characters.
    #[serde(default)]
    pub note: String,
}

/// The body of `PATCH /api/v1/apps/{client_id}/secrets/{secret_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecretPatch {
    /// The new note; empty removes it.
    pub note: String,
}

/// Longest note a secret may carry, in characters: a label, not a document.
pub const SECRET_NOTE_MAX: usize = 64;

/// A secret's note: at most `SECRET_NOTE_MAX` characters, no control characters (it is
/// shown in the console and written to the audit log on one line).
pub fn validate_note(note: &str) -> Result<(), String> {
    if note.chars().count() > SECRET_NOTE_MAX {
        return Err(format!(
            "Note must be at most {SECRET_NOTE_MAX} characters."
        ));
    }
    if note.chars().any(char::is_control) {
        return Err("Note must not contain control characters.".to_owned());
    }
    Ok(())
}

/// Most active secrets an app may hold, so it can rotate without downtime.
pub const MAX_SECRETS_PER_APP: usize = 5;

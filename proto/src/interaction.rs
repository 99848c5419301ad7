//! The interaction API behind the sign-in and consent pages.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/interactions/{id}`: what the sign-in and consent pages show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionView {
    pub id: String,
    pub app: InteractionApp,
    pub scopes: Vec<ScopeView>,
    /// True until the user signs in.
    pub login_required: bool,
    /// The signed-in user, once known.
    pub username: Option<String>,
    /// The app's `login_hint` (OIDC Core §3.1.2.1), while the user still has to sign in:
    /// the sign-in page pre-fills the username with it.
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// The app asking, as the consent page presents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionApp {
    pub client_id: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub app_type: String,
    pub logo_url: Option<String>,
    pub developer_name: Option<String>,
    pub developer_email: Option<String>,
    pub privacy_policy_url: Option<String>,
    pub app_description_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeView {
    pub name: String,
    /// The scope in plain words.
    pub description: String,
}

/// `POST /api/v1/interactions/{id}/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: crate::secret::Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Deny,
}

/// `POST /api/v1/interactions/{id}/consent`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub decision: Decision,
}

/// Where the browser goes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Next {
    pub redirect_to: String,
}

/// `GET /api/v1/account/apps`: an app the signed-in user allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedApp {
    pub client_id: String,
    pub name: String,
    pub logo_url: Option<String>,
    pub scopes: Vec<ScopeView>,
    /// Unix seconds: when the user first allowed it (or signed in through it).
    pub allowed_at: i64,
    pub last_used_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedApps {
    pub apps: Vec<ConnectedApp>,
}

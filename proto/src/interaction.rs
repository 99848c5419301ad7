//! The interaction API behind the sign-in and consent pages.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/interactions/{id}`: what the sign-in and consent pages show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeView {
    pub name: String,
    /// The scope in plain words.
    pub description: String,
}

/// `POST /api/v1/interactions/{id}/login`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: crate::secret::Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allow,
    Deny,
}

/// `POST /api/v1/interactions/{id}/consent`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    pub decision: Decision,
}

/// What an end-session request (OpenID Connect RP-Initiated Logout 1.0 §2) carried to the
/// console's confirmation page: the app (when identified), where to return, and `state`.
/// The query of `GET /api/v1/logout` and the body of `POST /api/v1/logout`; the server
/// checks it again each time, so a changed URL gains nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_logout_redirect_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// `GET /api/v1/logout`: what the confirmation page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogoutView {
    /// The app that asked, when the request named one.
    pub app_name: Option<String>,
    /// Who is signed in to Portico in this browser; null when nobody is.
    pub username: Option<String>,
}

/// Where the browser goes next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Next {
    pub redirect_to: String,
}

/// `GET /api/v1/account/apps`: an app the signed-in user allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectedApps {
    pub apps: Vec<ConnectedApp>,
}

/// `GET /api/v1/apps/{client_id}/public?redirect_uri=…`: a single-page app's name, for a
/// client that checks its client ID and redirect URL before sending the browser away (the
/// PKCE demo). Only what the sign-in page already shows anyone who follows that link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicApp {
    pub client_id: String,
    pub name: String,
}

//! Apps (OAuth2 clients) as the admin API shows and accepts them.

use serde::{Deserialize, Deserializer, Serialize};

use crate::keys::PublicKeyInfo;
use crate::problem::FieldError;
use crate::secret::SecretInfo;
use crate::validate;

/// The three app types (docs/architecture.md has the product table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "The app's type, which decides how it authenticates and which fields it has: `machine_to_machine` (client secrets or `private_key_jwt`, no browser), `web` (authorization code with a client secret), `single_page` (authorization code with PKCE, no secret)."
    )
)]
pub enum AppType {
    /// CLIs, daemons, scripts: client secret(s) + registered keys, JWT assertions.
    MachineToMachine,
    /// Server-side apps: authorization code + client secret.
    Web,
    /// Browser and mobile apps: authorization code + PKCE, no secret.
    SinglePage,
}

impl AppType {
    pub const ALL: [AppType; 3] = [AppType::MachineToMachine, AppType::Web, AppType::SinglePage];

    pub fn as_str(self) -> &'static str {
        match self {
            AppType::MachineToMachine => "machine_to_machine",
            AppType::Web => "web",
            AppType::SinglePage => "single_page",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Words for messages: "machine-to-machine apps".
    pub fn label(self) -> &'static str {
        match self {
            AppType::MachineToMachine => "machine-to-machine",
            AppType::Web => "web",
            AppType::SinglePage => "single-page",
        }
    }

    /// Confidential clients hold secrets; single-page apps are public (RFC 6749 §2.1).
    pub fn has_secrets(self) -> bool {
        !matches!(self, AppType::SinglePage)
    }

    /// Types that use the authorization code flow and so have redirect URIs.
    pub fn uses_redirects(self) -> bool {
        !matches!(self, AppType::MachineToMachine)
    }
}

/// How an app's ID tokens are signed: OpenID Connect Dynamic Client Registration 1.0 §2
/// `id_token_signed_response_alg`, by its RFC 7518 §3.1 name. RS256 unless the admin says
/// otherwise, since OpenID Connect Core §15.1 makes it the one every client can verify; ES256
/// costs the server a small fraction of an RSA-2048 signature and gives a shorter token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "How the app's ID tokens are signed (`id_token_signed_response_alg`, OpenID Connect Dynamic Client Registration 1.0 §2): `RS256` (the default, which every OpenID Connect client can verify) or `ES256` (shorter tokens)."
    )
)]
pub enum IdTokenAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    #[default]
    RS256,
    /// ECDSA with P-256 and SHA-256 (RFC 7518 §3.4).
    ES256,
}

impl IdTokenAlg {
    pub const ALL: [IdTokenAlg; 2] = [IdTokenAlg::RS256, IdTokenAlg::ES256];

    pub fn as_str(self) -> &'static str {
        match self {
            IdTokenAlg::RS256 => "RS256",
            IdTokenAlg::ES256 => "ES256",
        }
    }

    /// The algorithm named exactly `s` (JOSE names are case-sensitive, RFC 7515 §4.1.1).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for IdTokenAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every editable setting of an app, whatever its type; fields of other types stay at
/// their empty value. The server stores this; the console edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSettings {
    pub name: String,
    pub description: String,
    pub redirect_uris: Vec<String>,
    pub rotate_refresh_token: bool,
    /// Seconds from the original sign-in; `None` = never.
    pub refresh_token_absolute_lifetime: Option<u64>,
    /// Seconds since the last use; `None` = never.
    pub refresh_token_inactivity_lifetime: Option<u64>,
    /// Seconds after a refresh token's rotation during which presenting it again gets a
    /// sibling token of the same family instead of revoking the family (0 = never). It
    /// matters only while the app rotates. Settings stored before it read as 0.
    #[serde(default)]
    pub refresh_token_reuse_grace: u64,
    /// Seconds.
    pub access_token_lifetime: u64,
    pub app_description_url: Option<String>,
    pub developer_name: Option<String>,
    pub developer_email: Option<String>,
    pub privacy_policy_url: Option<String>,
    /// Machine to machine only: the users (by username) this app may name as `sub` in the
    /// RFC 7523 JWT-bearer grant. Empty by default, so a new app acts only as itself
    /// (`client_credentials`); an administrator is never listed.
    #[serde(default)]
    pub jwt_bearer_users: Vec<String>,
    /// How the app's ID tokens are signed. Settings stored before this field existed read
    /// as RS256, the only algorithm Portico signed ID tokens with then.
    #[serde(default)]
    pub id_token_signed_response_alg: IdTokenAlg,
    /// Web and single-page apps: where the browser may return after signing out
    /// (OpenID Connect RP-Initiated Logout 1.0 §3.1 `post_logout_redirect_uris`), matched
    /// exactly. Empty for settings stored before this field existed.
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// Machine to machine only: the app may call the admin API with its own
    /// `client_credentials` token (scope `admin`), as an administrator would. Off by default
    /// (and for settings stored before it); only a person signed in to the console may turn
    /// it on or off (`server/src/oauth/authority.rs`).
    #[serde(default)]
    pub admin_api_access: bool,
    /// Set by the server, never by a request: when `admin_api_access` was last turned on
    /// (Unix seconds). Tokens issued before it stay refused, so turning access off ends the
    /// tokens of that time for good, even once it is turned on again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_api_access_since: Option<i64>,
}

pub const DAY: u64 = 86_400;
/// Access tokens are short-lived: one hour unless the admin says otherwise.
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: u64 = 3_600;

impl AppSettings {
    /// The settings a new app of type `t` starts with.
    pub fn defaults(t: AppType) -> Self {
        // RFC 9700 §4.14.2: refresh tokens of public clients must be sender-constrained
        // or rotated, so single-page apps rotate and expire by default.
        let (rotate, absolute, inactivity) = match t {
            AppType::SinglePage => (true, Some(30 * DAY), Some(7 * DAY)),
            AppType::Web => (false, None, Some(30 * DAY)),
            AppType::MachineToMachine => (false, None, None),
        };
        Self {
            name: String::new(),
            description: String::new(),
            redirect_uris: Vec::new(),
            rotate_refresh_token: rotate,
            refresh_token_absolute_lifetime: absolute,
            refresh_token_inactivity_lifetime: inactivity,
            refresh_token_reuse_grace: 0,
            access_token_lifetime: DEFAULT_ACCESS_TOKEN_LIFETIME,
            app_description_url: None,
            developer_name: None,
            developer_email: None,
            privacy_policy_url: None,
            jwt_bearer_users: Vec::new(),
            id_token_signed_response_alg: IdTokenAlg::default(),
            post_logout_redirect_uris: Vec::new(),
            admin_api_access: false,
            admin_api_access_since: None,
        }
    }

    /// Applies a create or update body to these settings for an app of type `t`.
    ///
    /// A field that does not belong to `t` is rejected with its name, never dropped;
    /// the merged result is validated as a whole (e.g. inactivity ≤ absolute expiry).
    /// On error `self` is left unchanged.
    pub fn apply(&mut self, t: AppType, input: &AppInput) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(given) = input.app_type {
            if given != t {
                errors.push(FieldError::new(
                    "type",
                    "The app type cannot be changed; create a new app instead.",
                ));
            }
        }
        for field in input.present_fields() {
            if field == "admin_api_access" && !field_applies(field, t) {
                errors.push(FieldError::new(field, validate::ADMIN_API_ACCESS_M2M_ONLY));
            } else if !field_applies(field, t) {
                errors.push(FieldError::new(
                    field,
                    format!("`{field}` does not apply to {} apps.", t.label()),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut next = self.clone();
        if let Some(alg) = &input.id_token_signed_response_alg {
            match validate::id_token_signed_response_alg(alg) {
                Ok(a) => next.id_token_signed_response_alg = a,
                Err(m) => errors.push(FieldError::new("id_token_signed_response_alg", m)),
            }
        }
        if let Some(name) = &input.name {
            next.name = name.trim().to_owned();
        }
        if let Some(d) = &input.description {
            next.description = d.trim().to_owned();
        }
        if let Some(uris) = &input.redirect_uris {
            next.redirect_uris = uris.clone();
        }
        if let Some(uris) = &input.post_logout_redirect_uris {
            next.post_logout_redirect_uris = uris.clone();
        }
        if let Some(r) = input.rotate_refresh_token {
            next.rotate_refresh_token = r;
        }
        if let Some(a) = input.refresh_token_absolute_lifetime {
            next.refresh_token_absolute_lifetime = a;
        }
        if let Some(i) = input.refresh_token_inactivity_lifetime {
            next.refresh_token_inactivity_lifetime = i;
        }
        if let Some(g) = input.refresh_token_reuse_grace {
            next.refresh_token_reuse_grace = g;
        }
        if let Some(l) = input.access_token_lifetime {
            next.access_token_lifetime = l;
        }
        let opt = |v: &Option<Option<String>>, cur: &mut Option<String>| {
            if let Some(v) = v {
                *cur = v
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned);
            }
        };
        opt(&input.app_description_url, &mut next.app_description_url);
        opt(&input.developer_name, &mut next.developer_name);
        opt(&input.developer_email, &mut next.developer_email);
        opt(&input.privacy_policy_url, &mut next.privacy_policy_url);
        if let Some(users) = &input.jwt_bearer_users {
            next.jwt_bearer_users = users.iter().map(|u| u.trim().to_owned()).collect();
        }
        if let Some(on) = input.admin_api_access {
            next.admin_api_access = on;
        }

        errors.extend(validate::settings(&next, t));
        if errors.is_empty() {
            *self = next;
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Which JSON fields an app of type `t` has (the product table in docs/architecture.md).
pub fn field_applies(field: &str, t: AppType) -> bool {
    match field {
        "name" | "description" | "access_token_lifetime" => true,
        "redirect_uris"
        | "post_logout_redirect_uris"
        | "rotate_refresh_token"
        | "refresh_token_absolute_lifetime"
        | "refresh_token_inactivity_lifetime"
        | "refresh_token_reuse_grace" => t.uses_redirects(),
        "app_description_url" => t == AppType::Web,
        "developer_name" | "developer_email" | "privacy_policy_url" => t == AppType::SinglePage,
        "jwt_bearer_users" => t == AppType::MachineToMachine,
        // Only an app that authenticates as itself, with no user and no browser, may be
        // given the admin API (`client_credentials`, RFC 6749 §4.4).
        "admin_api_access" => t == AppType::MachineToMachine,
        // Every type can receive an ID token: web and single-page apps from the code and
        // refresh grants, machine-to-machine apps from the JWT-bearer grant with `openid`
        // (server/src/oauth/issue.rs signs one whenever a user and `openid` are present).
        "id_token_signed_response_alg" => true,
        _ => false,
    }
}

/// Body of `POST /api/v1/apps` (with `type` and `name`) and `PATCH /api/v1/apps/{id}`.
///
/// Absent fields stay as they are; for nullable fields `null` clears the value
/// (for refresh-token expiries, `null` means "never").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppInput {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub app_type: Option<AppType>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub redirect_uris: Option<Vec<String>>,
    /// Web and single-page apps: where the browser may return after an end-session request
    /// (replaces the whole list; `[]` empties it). Same rules as `redirect_uris`.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub post_logout_redirect_uris: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub rotate_refresh_token: Option<bool>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token_absolute_lifetime: Option<Option<u64>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_token_inactivity_lifetime: Option<Option<u64>>,
    /// Web and single-page apps: seconds (0–60) after a rotation during which the rotated
    /// refresh token, presented again, gets a new token of the same family instead of
    /// revoking it. 0 (the default) revokes at once. Kept, without effect, while a web app
    /// does not rotate.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(maximum = 60))]
    pub refresh_token_reuse_grace: Option<u64>,
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub access_token_lifetime: Option<u64>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub app_description_url: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub developer_name: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub developer_email: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub privacy_policy_url: Option<Option<String>>,
    /// Machine to machine: the usernames the app may act as in the JWT-bearer grant
    /// (replaces the whole list; `[]` empties it).
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub jwt_bearer_users: Option<Vec<String>>,
    /// How the app's ID tokens are signed: `RS256` (the default) or `ES256`.
    // Read as text, so that another value gets the rule's message naming the choices
    // (`validate::id_token_signed_response_alg`) rather than serde's.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<IdTokenAlg>))]
    pub id_token_signed_response_alg: Option<String>,
    /// Machine to machine: whether the app may call the admin API with a
    /// `client_credentials` token of scope `admin`. Only an administrator signed in to the
    /// console may change it, in a request that changes nothing else (it is audited as its
    /// own action); a new app starts without it.
    #[serde(
        default,
        deserialize_with = "not_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub admin_api_access: Option<bool>,
}

/// A field that may be absent but, when present, must not be `null`.
fn not_null<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// Tells a field sent as `null` (`Some(None)`) from an absent one (`None`).
fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl AppInput {
    /// Names of the setting fields present in this body (not `type`).
    pub fn present_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut push = |present: bool, name: &'static str| {
            if present {
                out.push(name)
            }
        };
        push(self.name.is_some(), "name");
        push(self.description.is_some(), "description");
        push(self.redirect_uris.is_some(), "redirect_uris");
        push(
            self.post_logout_redirect_uris.is_some(),
            "post_logout_redirect_uris",
        );
        push(self.rotate_refresh_token.is_some(), "rotate_refresh_token");
        push(
            self.refresh_token_absolute_lifetime.is_some(),
            "refresh_token_absolute_lifetime",
        );
        push(
            self.refresh_token_inactivity_lifetime.is_some(),
            "refresh_token_inactivity_lifetime",
        );
        push(
            self.refresh_token_reuse_grace.is_some(),
            "refresh_token_reuse_grace",
        );
        push(
            self.access_token_lifetime.is_some(),
            "access_token_lifetime",
        );
        push(self.app_description_url.is_some(), "app_description_url");
        push(self.developer_name.is_some(), "developer_name");
        push(self.developer_email.is_some(), "developer_email");
        push(self.privacy_policy_url.is_some(), "privacy_policy_url");
        push(self.jwt_bearer_users.is_some(), "jwt_bearer_users");
        push(
            self.id_token_signed_response_alg.is_some(),
            "id_token_signed_response_alg",
        );
        push(self.admin_api_access.is_some(), "admin_api_access");
        out
    }

    /// Checks a create body: `type` and `name` are required; returns the type.
    pub fn for_create(&self) -> Result<AppType, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.is_none() {
            errors.push(FieldError::new("name", validate::NAME_REQUIRED));
        }
        match self.app_type {
            Some(t) if errors.is_empty() => Ok(t),
            Some(_) => Err(errors),
            None => {
                errors.insert(
                    0,
                    FieldError::new(
                        "type",
                        "Choose an app type: machine_to_machine, web or single_page.",
                    ),
                );
                Err(errors)
            }
        }
    }
}

/// An app as the admin API returns it; `type` and the type's own fields come from `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "openapi",
    schema(
        description = "An app as the admin API returns it: the fields every app has, its `type`, and the fields of that type."
    )
)]
pub struct App {
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub access_token_lifetime: u64,
    /// How the app's ID tokens are signed (OIDC Dynamic Client Registration 1.0 §2).
    pub id_token_signed_response_alg: IdTokenAlg,
    /// Where the logo is served (no token needed), when one was uploaded.
    pub logo_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    #[serde(flatten)]
    pub kind: AppKind,
}

impl App {
    pub fn app_type(&self) -> AppType {
        match self.kind {
            AppKind::MachineToMachine { .. } => AppType::MachineToMachine,
            AppKind::Web { .. } => AppType::Web,
            AppKind::SinglePage { .. } => AppType::SinglePage,
        }
    }
}

/// The fields that only some app types have, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AppKind {
    MachineToMachine {
        secrets: Vec<SecretInfo>,
        public_keys: Vec<PublicKeyInfo>,
        /// The users this app may act as in the JWT-bearer grant (RFC 7523 §2.1).
        jwt_bearer_users: Vec<String>,
        /// The app may call the admin API with its own `client_credentials` token (scope
        /// `admin`): full admin power over Portico. Only an administrator may change it.
        #[serde(default)]
        admin_api_access: bool,
    },
    Web {
        secrets: Vec<SecretInfo>,
        redirect_uris: Vec<String>,
        /// Where the browser may return after signing out (RP-Initiated Logout 1.0 §3.1).
        #[serde(default)]
        post_logout_redirect_uris: Vec<String>,
        rotate_refresh_token: bool,
        refresh_token_absolute_lifetime: Option<u64>,
        refresh_token_inactivity_lifetime: Option<u64>,
        /// Seconds after a rotation in which the rotated token still works once more.
        #[serde(default)]
        refresh_token_reuse_grace: u64,
        app_description_url: Option<String>,
    },
    SinglePage {
        redirect_uris: Vec<String>,
        /// Where the browser may return after signing out (RP-Initiated Logout 1.0 §3.1).
        #[serde(default)]
        post_logout_redirect_uris: Vec<String>,
        rotate_refresh_token: bool,
        refresh_token_absolute_lifetime: Option<u64>,
        refresh_token_inactivity_lifetime: Option<u64>,
        /// Seconds after a rotation in which the rotated token still works once more.
        #[serde(default)]
        refresh_token_reuse_grace: u64,
        developer_name: Option<String>,
        developer_email: Option<String>,
        privacy_policy_url: Option<String>,
    },
}

/// A refresh-token policy, read from an app of a type that has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefreshPolicy {
    pub rotate_refresh_token: bool,
    pub refresh_token_absolute_lifetime: Option<u64>,
    pub refresh_token_inactivity_lifetime: Option<u64>,
}

/// `GET /api/v1/apps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppList {
    pub apps: Vec<App>,
    /// Most apps that may exist at once.
    pub limit: u32,
}

/// `POST /api/v1/apps` answer: the app, and for types with secrets the first secret,
/// shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApp {
    #[serde(flatten)]
    pub app: App,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<crate::secret::Secret>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> AppInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn null_is_told_from_absent() {
        let i = input(r#"{"refresh_token_absolute_lifetime": null}"#);
        assert_eq!(i.refresh_token_absolute_lifetime, Some(None));
        assert_eq!(i.refresh_token_inactivity_lifetime, None);
    }

    #[test]
    fn null_is_refused_where_a_value_is_required() {
        assert!(serde_json::from_str::<AppInput>(r#"{"name": null}"#).is_err());
        assert!(serde_json::from_str::<AppInput>(r#"{"access_token_lifetime": null}"#).is_err());
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<AppInput>(r#"{"logo": "x"}"#).is_err());
    }

    #[test]
    fn a_field_of_another_type_is_named() {
        let mut s = AppSettings::defaults(AppType::MachineToMachine);
        s.name = "cli".into();
        let err = s
            .apply(
                AppType::MachineToMachine,
                &input(r#"{"redirect_uris": []}"#),
            )
            .unwrap_err();
        assert_eq!(err[0].field, "redirect_uris");
        assert!(err[0].message.contains("machine-to-machine"));
    }

    #[test]
    fn failed_apply_changes_nothing() {
        let mut s = AppSettings::defaults(AppType::Web);
        s.name = "ok".into();
        let before = s.clone();
        let err = s.apply(
            AppType::Web,
            &input(r#"{"name": "new", "redirect_uris": ["ftp://x"]}"#),
        );
        assert!(err.is_err());
        assert_eq!(s, before);
    }

    #[test]
    fn app_json_is_flat_and_tagged() {
        let app = App {
            client_id: "c".into(),
            name: "n".into(),
            description: String::new(),
            access_token_lifetime: 3600,
            id_token_signed_response_alg: IdTokenAlg::ES256,
            logo_url: None,
            created_at: 1,
            updated_at: 1,
            last_used_at: None,
            kind: AppKind::SinglePage {
                redirect_uris: vec!["https://a.example/cb".into()],
                post_logout_redirect_uris: vec!["https://a.example/bye".into()],
                rotate_refresh_token: true,
                refresh_token_absolute_lifetime: None,
                refresh_token_inactivity_lifetime: Some(60),
                refresh_token_reuse_grace: 0,
                developer_name: None,
                developer_email: None,
                privacy_policy_url: None,
            },
        };
        let v = serde_json::to_value(&app).unwrap();
        assert_eq!(v["type"], "single_page");
        assert_eq!(v["redirect_uris"][0], "https://a.example/cb");
        assert_eq!(v["post_logout_redirect_uris"][0], "https://a.example/bye");
        assert_eq!(v["id_token_signed_response_alg"], "ES256");
        assert!(v.get("secrets").is_none());
        let back: App = serde_json::from_value(v).unwrap();
        assert_eq!(back, app);
    }

    #[test]
    fn id_token_alg_defaults_to_rs256_also_for_settings_stored_before_it() {
        for t in AppType::ALL {
            assert_eq!(
                AppSettings::defaults(t).id_token_signed_response_alg,
                IdTokenAlg::RS256
            );
        }
        let mut stored = serde_json::to_value(AppSettings::defaults(AppType::Web)).unwrap();
        stored
            .as_object_mut()
            .unwrap()
            .remove("id_token_signed_response_alg");
        let s: AppSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(s.id_token_signed_response_alg, IdTokenAlg::RS256);
    }

    #[test]
    fn id_token_alg_is_set_for_every_type_and_refused_by_name_otherwise() {
        for t in AppType::ALL {
            let mut s = AppSettings::defaults(t);
            s.name = "app".into();
            s.apply(t, &input(r#"{"id_token_signed_response_alg": "ES256"}"#))
                .unwrap();
            assert_eq!(s.id_token_signed_response_alg, IdTokenAlg::ES256);
            s.apply(t, &input(r#"{"id_token_signed_response_alg": "RS256"}"#))
                .unwrap();
            assert_eq!(s.id_token_signed_response_alg, IdTokenAlg::RS256);
            for bad in ["HS256", "none", "", "es256", " ES256"] {
                let body = serde_json::json!({ "id_token_signed_response_alg": bad });
                let err = s
                    .apply(t, &serde_json::from_value(body).unwrap())
                    .unwrap_err();
                assert_eq!(err.len(), 1, "{bad:?}");
                assert_eq!(err[0].field, "id_token_signed_response_alg");
                assert!(err[0].message.contains("RS256") && err[0].message.contains("ES256"));
                assert_eq!(s.id_token_signed_response_alg, IdTokenAlg::RS256);
            }
        }
        assert!(
            serde_json::from_str::<AppInput>(r#"{"id_token_signed_response_alg": null}"#).is_err()
        );
    }

    #[test]
    fn post_logout_redirect_uris_belong_to_web_and_single_page_apps_and_follow_the_redirect_rules()
    {
        for t in [AppType::Web, AppType::SinglePage] {
            let mut s = AppSettings::defaults(t);
            s.name = "app".into();
            s.apply(
                t,
                &input(r#"{"post_logout_redirect_uris": ["https://a.example/bye"]}"#),
            )
            .unwrap();
            assert_eq!(s.post_logout_redirect_uris, ["https://a.example/bye"]);
            let err = s
                .apply(
                    t,
                    &input(r#"{"post_logout_redirect_uris": ["http://a.example/bye"]}"#),
                )
                .unwrap_err();
            assert_eq!(err[0].field, "post_logout_redirect_uris");
            assert_eq!(
                Some(err[0].message.clone()),
                validate::redirect_uris(&["http://a.example/bye".to_owned()]).err()
            );
            assert_eq!(s.post_logout_redirect_uris, ["https://a.example/bye"]);
        }
        let mut m = AppSettings::defaults(AppType::MachineToMachine);
        m.name = "cli".into();
        let err = m
            .apply(
                AppType::MachineToMachine,
                &input(r#"{"post_logout_redirect_uris": []}"#),
            )
            .unwrap_err();
        assert_eq!(err[0].field, "post_logout_redirect_uris");
        // Stored before the field existed: none registered.
        let mut stored = serde_json::to_value(AppSettings::defaults(AppType::Web)).unwrap();
        stored
            .as_object_mut()
            .unwrap()
            .remove("post_logout_redirect_uris");
        let s: AppSettings = serde_json::from_value(stored).unwrap();
        assert!(s.post_logout_redirect_uris.is_empty());
    }

    #[test]
    fn reuse_grace_is_0_to_60_for_apps_that_refresh_and_0_when_stored_before_it() {
        for t in [AppType::Web, AppType::SinglePage] {
            let mut s = AppSettings::defaults(t);
            s.name = "app".into();
            assert_eq!(s.refresh_token_reuse_grace, 0);
            s.apply(t, &input(r#"{"refresh_token_reuse_grace": 60}"#))
                .unwrap();
            assert_eq!(s.refresh_token_reuse_grace, 60);
            let err = s
                .apply(t, &input(r#"{"refresh_token_reuse_grace": 61}"#))
                .unwrap_err();
            assert_eq!(err[0].field, "refresh_token_reuse_grace");
            assert_eq!(s.refresh_token_reuse_grace, 60);
        }
        let mut m = AppSettings::defaults(AppType::MachineToMachine);
        m.name = "cli".into();
        let err = m
            .apply(
                AppType::MachineToMachine,
                &input(r#"{"refresh_token_reuse_grace": 10}"#),
            )
            .unwrap_err();
        assert_eq!(err[0].field, "refresh_token_reuse_grace");
        assert!(serde_json::from_str::<AppInput>(r#"{"refresh_token_reuse_grace": -1}"#).is_err());
        assert!(
            serde_json::from_str::<AppInput>(r#"{"refresh_token_reuse_grace": null}"#).is_err()
        );
        let mut stored = serde_json::to_value(AppSettings::defaults(AppType::Web)).unwrap();
        stored
            .as_object_mut()
            .unwrap()
            .remove("refresh_token_reuse_grace");
        let s: AppSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(s.refresh_token_reuse_grace, 0);
    }

    #[test]
    fn admin_api_access_is_for_machine_to_machine_apps_only_and_off_when_stored_before_it() {
        let mut m = AppSettings::defaults(AppType::MachineToMachine);
        m.name = "cli".into();
        assert!(!m.admin_api_access);
        m.apply(
            AppType::MachineToMachine,
            &input(r#"{"admin_api_access": true}"#),
        )
        .unwrap();
        assert!(m.admin_api_access);
        for t in [AppType::Web, AppType::SinglePage] {
            let mut s = AppSettings::defaults(t);
            s.name = "app".into();
            let err = s
                .apply(t, &input(r#"{"admin_api_access": true}"#))
                .unwrap_err();
            assert_eq!(err.len(), 1);
            assert_eq!(err[0].field, "admin_api_access");
            assert_eq!(err[0].message, validate::ADMIN_API_ACCESS_M2M_ONLY);
            assert!(!s.admin_api_access);
        }
        let mut stored =
            serde_json::to_value(AppSettings::defaults(AppType::MachineToMachine)).unwrap();
        stored.as_object_mut().unwrap().remove("admin_api_access");
        let s: AppSettings = serde_json::from_value(stored).unwrap();
        assert!(!s.admin_api_access);
    }

    #[test]
    fn a_bad_id_token_alg_is_reported_with_the_other_fields() {
        let mut s = AppSettings::defaults(AppType::Web);
        s.name = "ok".into();
        let err = s
            .apply(
                AppType::Web,
                &input(r#"{"name": " ", "id_token_signed_response_alg": "none"}"#),
            )
            .unwrap_err();
        let fields: Vec<_> = err.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["id_token_signed_response_alg", "name"]);
    }
}

//! A validated authorization request (RFC 6749 §4.1.1), kept in the interaction while the
//! user signs in and decides.

use serde::{Deserialize, Serialize};

/// RFC 6749 §3.1.2.2 / OIDC Core §3.1.2.1 `prompt` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// What the checks accepted; serialised as JSON into the interaction record, so its field
/// names are part of the stored format.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    /// Where the answer goes (the registered URI that matched).
    pub redirect_uri: String,
    /// Whether `redirect_uri` was sent: RFC 6749 §4.1.3 then requires it at the token endpoint.
    pub redirect_uri_sent: bool,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Prompt,
    /// OIDC Core §3.1.2.1 `max_age`: a sign-in older than this many seconds is asked again.
    /// (`default`: interactions stored before the field existed have none.)
    #[serde(default)]
    pub max_age: Option<u64>,
    /// OIDC Core §3.1.2.1 `login_hint`: pre-fills the sign-in page's username.
    #[serde(default)]
    pub login_hint: Option<String>,
}

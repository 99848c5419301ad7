//! Public keys of machine-to-machine apps (RFC 7517 JWK, RFC 7638 thumbprints).

use serde::{Deserialize, Serialize};

/// JWS algorithms accepted for app keys (RFC 7518 §3, RFC 8037 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum KeyAlg {
    RS256,
    ES256,
    /// Ed25519 (RFC 8037 §3.1). Also read as `Ed25519`, its fully-specified name (RFC 9864
    /// §2), which assertions and discovery accept too; written as `EdDSA`.
    #[serde(alias = "Ed25519")]
    EdDSA,
}

impl KeyAlg {
    pub const ALL: [KeyAlg; 3] = [KeyAlg::ES256, KeyAlg::RS256, KeyAlg::EdDSA];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlg::RS256 => "RS256",
            KeyAlg::ES256 => "ES256",
            KeyAlg::EdDSA => "EdDSA",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Display for KeyAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registered public key as listed by the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicKeyInfo {
    pub kid: String,
    pub alg: KeyAlg,
    /// RFC 7638 JWK SHA-256 thumbprint, base64url.
    pub thumbprint: String,
    pub created_at: i64,
}

/// Body of `POST /apps/{id}/public-keys`: exactly one of `pem` or `jwk`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicKeyInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
    /// A public key as a JWK object (RFC 7517 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub jwk: Option<serde_json::Value>,
}

/// Body of `POST /apps/{id}/key-pairs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyPairRequest {
    pub alg: KeyAlg,
}

/// A key pair made by the server: the private key is returned once and never stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeneratedKeyPair {
    pub kid: String,
    pub alg: KeyAlg,
    pub thumbprint: String,
    pub private_key_pem: crate::secret::Secret,
}

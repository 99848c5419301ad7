//! The stored form of an app key: one canonical public JWK (required members plus `alg`, `kid`
//! and `"use":"sig"`, in lexicographic order, without whitespace), whatever form was pasted.

use portico_proto::KeyAlg;

use super::material::Material;
use super::thumbprint::{compact_json, thumbprint_of};
use super::KeyError;

/// A validated public key of an app, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPublicKey {
    pub kid: String,
    pub alg: KeyAlg,
    /// RFC 7638 SHA-256 thumbprint, base64url without padding.
    pub thumbprint: String,
    /// Canonical public JWK JSON (lexicographic members, no whitespace) with kid, alg and
    /// `"use":"sig"`.
    pub jwk: String,
}

/// Checks the key with aws-lc-rs and builds the stored form; kid defaults to the thumbprint.
pub(super) fn finish(material: Material, kid: Option<String>) -> Result<AppPublicKey, KeyError> {
    material.verifier()?;
    let alg = material.alg();
    let required = material.required_members();
    let thumbprint = thumbprint_of(&required);
    let kid = kid.unwrap_or_else(|| thumbprint.clone());
    let mut members = required;
    members.push(("alg", alg.as_str().to_owned()));
    members.push(("kid", kid.clone()));
    members.push(("use", "sig".to_owned()));
    members.sort_by(|a, b| a.0.cmp(b.0));
    Ok(AppPublicKey {
        kid,
        alg,
        thumbprint,
        jwk: compact_json(&members),
    })
}

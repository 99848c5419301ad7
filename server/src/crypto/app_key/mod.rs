//! Public keys of machine-to-machine apps.
//!
//! An administrator registers a public key for an app by pasting a PEM (RFC 7468 §13
//! SubjectPublicKeyInfo, or PKCS#1 `RSAPublicKey`, RFC 8017 §A.1.1) or a JWK (RFC 7517), or asks
//! the server to generate a key pair whose private half is returned once and never stored. Every
//! accepted key is normalised to one canonical public JWK (members in lexicographic order, no
//! whitespace) that the store keeps and that [`VerifyingKey::from_jwk_json`] turns back into a key
//! ready to verify JWS signatures (RFC 7515 §5.2) of JWT assertions (RFC 7523).
//!
//! Accepted keys: RSA 2048–8192 bits for RS256 (RFC 7518 §3.3), EC P-256 for ES256 (RFC 7518
//! §3.4) and Ed25519 for EdDSA (RFC 8037 §3.1). Nothing here panics, whatever the input.
//!
//! One job per module: `pem` and `spki` read a pasted PEM, `jwk` reads a pasted or stored JWK,
//! `material` checks the key itself, `canonical` builds the stored form, `thumbprint` computes
//! RFC 7638 thumbprints, `generate` makes key pairs and `verify` checks signatures.

mod canonical;
mod error;
pub mod generate;
pub mod jwk;
mod material;
pub mod pem;
mod spki;
pub mod thumbprint;
pub mod verify;

#[cfg(test)]
mod fixtures;

pub use canonical::AppPublicKey;
pub use error::KeyError;
pub use generate::{generate, GeneratedKey};
pub use jwk::import_jwk;
pub use pem::import_pem;
pub use thumbprint::jwk_thumbprint;
pub use verify::VerifyingKey;

/// Largest PEM or JWK text accepted; an 8192-bit RSA public key needs about 1.5 KiB.
const MAX_TEXT_LEN: usize = 16 * 1024;

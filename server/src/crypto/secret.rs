//! Client secrets: 256 random bits with a recognisable prefix, stored only as
//! HMAC-SHA-256 under a server key and compared in constant time.

use aws_lc_rs::hmac;
use portico_proto::Secret;

use super::random::{self, RandomError};

/// Prefix that makes a leaked Portico client secret recognisable to secret scanners.
pub const SECRET_PREFIX: &str = "pcs_";

/// A newly generated client secret; prints as `ClientSecret([redacted])`.
#[derive(Debug)]
pub struct ClientSecret(Secret);

impl ClientSecret {
    pub fn generate() -> Result<Self, RandomError> {
        Ok(Self(Secret::new(format!(
            "{SECRET_PREFIX}{}",
            random::token::<32>()?
        ))))
    }

    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    pub fn into_secret(self) -> Secret {
        self.0
    }

    /// What the admin sees later to recognise it: prefix and the last four characters.
    pub fn hint(&self) -> String {
        let tail: String = self
            .expose()
            .chars()
            .rev()
            .take(4)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("{SECRET_PREFIX}…{tail}")
    }
}

/// Keyed hash for high-entropy generated values (client secrets, refresh tokens, codes).
/// A fast keyed hash suffices because the inputs carry 256 random bits; the key means
/// a stolen database alone does not let anyone test guesses.
#[derive(Clone)]
pub struct SecretHasher {
    key: hmac::Key,
}

impl std::fmt::Debug for SecretHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretHasher([redacted])")
    }
}

impl SecretHasher {
    pub fn new(key: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, key),
        }
    }

    pub fn hash(&self, value: &str) -> Vec<u8> {
        hmac::sign(&self.key, value.as_bytes()).as_ref().to_vec()
    }

    /// Constant-time check of `value` against a stored hash.
    pub fn verify(&self, value: &str, stored: &[u8]) -> bool {
        hmac::verify(&self.key, value.as_bytes(), stored).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_have_prefix_and_256_bits() {
        let s = ClientSecret::generate().unwrap();
        assert!(s.expose().starts_with(SECRET_PREFIX));
        assert_eq!(s.expose().len(), SECRET_PREFIX.len() + 43);
        assert!(s.hint().starts_with("pcs_…"));
        assert_eq!(format!("{s:?}"), "ClientSecret([redacted])");
    }

    #[test]
    fn hash_verifies_only_the_right_value() {
        let h = SecretHasher::new(b"k");
        let stored = h.hash("pcs_abc");
        assert!(h.verify("pcs_abc", &stored));
        assert!(!h.verify("pcs_abd", &stored));
        assert!(!SecretHasher::new(b"other").verify("pcs_abc", &stored));
    }
}

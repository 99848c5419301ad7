//! Verifying JWS signatures (RFC 7515 §5.2 step 8) with an app's registered key.

use aws_lc_rs::signature::ParsedPublicKey;
use portico_proto::KeyAlg;
use serde_json::Value;

use super::jwk::parse_jwk;
use super::{KeyError, MAX_TEXT_LEN};

/// A stored app key, parsed once and ready to verify JWS signatures (RFC 7515 §5.2 step 8).
///
/// The caller checks that the JWS header "alg" equals [`VerifyingKey::alg`] before verifying
/// (RFC 8725 §3.1: never let the token choose the algorithm).
#[derive(Debug, Clone)]
pub struct VerifyingKey {
    alg: KeyAlg,
    key: ParsedPublicKey,
}

impl VerifyingKey {
    /// Parses a stored JWK (normally [`super::AppPublicKey::jwk`]); it is checked as on import.
    pub fn from_jwk_json(s: &str) -> Result<Self, KeyError> {
        if s.len() > MAX_TEXT_LEN {
            return Err(KeyError::TooLong);
        }
        let value: Value = serde_json::from_str(s).map_err(|_| KeyError::NotJson)?;
        let (material, _) = parse_jwk(&value)?;
        Ok(VerifyingKey {
            alg: material.alg(),
            key: material.verifier()?,
        })
    }

    pub fn alg(&self) -> KeyAlg {
        self.alg
    }

    /// Verifies a JWS signature over the ASCII signing input `BASE64URL(header) '.'
    /// BASE64URL(payload)` (RFC 7515 §5.2 step 8). ES256 signatures are the 64-byte R || S
    /// (RFC 7518 §3.4).
    pub fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        self.key.verify_sig(signing_input, signature).is_ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{RFC7638_N, RFC8037_X};
    use super::super::import_jwk;
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::json;

    #[test]
    fn rfc8037_a4_ed25519_signature_verifies() {
        let key = import_jwk(&json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X})).unwrap();
        let verifier = VerifyingKey::from_jwk_json(&key.jwk).unwrap();
        assert_eq!(verifier.alg(), KeyAlg::EdDSA);
        let jws = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
        let (input, sig) = jws.rsplit_once('.').unwrap();
        let sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
        assert!(verifier.verify(input.as_bytes(), &sig));
        assert!(!verifier.verify(
            b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmG",
            &sig
        ));
    }

    #[test]
    fn from_jwk_json_refuses_bad_input() {
        assert_eq!(
            VerifyingKey::from_jwk_json("not json").unwrap_err(),
            KeyError::NotJson
        );
        assert_eq!(
            VerifyingKey::from_jwk_json("[1]").unwrap_err(),
            KeyError::JwkNotObject
        );
        let jwk = json!({"kty": "RSA", "n": RFC7638_N, "e": "AQAB", "d": "AQAB"}).to_string();
        assert_eq!(
            VerifyingKey::from_jwk_json(&jwk).unwrap_err(),
            KeyError::PrivateJwkMember("d".to_owned())
        );
    }
}

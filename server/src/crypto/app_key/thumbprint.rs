//! RFC 7638 JWK thumbprints: the SHA-256 of a key's required members in a fixed JSON form.
//! They are the default kid of an app key and the kid of the server's own signing keys.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::jwk::string_member;
use super::KeyError;

/// Serialises members as a JSON object in the given order, without whitespace
/// (RFC 7638 §3.3 for thumbprints; the same form is used for the stored JWK).
pub(super) fn compact_json(members: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(*name).to_string());
        out.push(':');
        out.push_str(&Value::from(value.as_str()).to_string());
    }
    out.push('}');
    out
}

/// RFC 7638 §3.1 step 3: SHA-256 of the UTF-8 JSON, base64url without padding.
pub(super) fn thumbprint_of(required_members: &[(&str, String)]) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(compact_json(required_members).as_bytes()))
}

/// RFC 7638 JWK SHA-256 thumbprint (base64url, no padding) of a public JWK.
///
/// Only the required members of the key type are hashed (RFC 7638 §3.2; RFC 8037 §2 for OKP),
/// in lexicographic order and without whitespace; their values are used as given.
pub fn jwk_thumbprint(jwk: &Value) -> Result<String, KeyError> {
    let obj = jwk.as_object().ok_or(KeyError::JwkNotObject)?;
    let names: &[&'static str] = match string_member(obj, "kty")? {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        _ => return Err(KeyError::UnsupportedKeyType),
    };
    let mut members = Vec::with_capacity(names.len());
    for name in names {
        members.push((*name, string_member(obj, name)?.to_owned()));
    }
    Ok(thumbprint_of(&members))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{RFC7638_N, RFC8037_X};
    use super::super::{import_jwk, VerifyingKey};
    use super::*;
    use portico_proto::KeyAlg;
    use serde_json::json;

    #[test]
    fn rfc7638_section_3_1_rsa_thumbprint() {
        let jwk = json!({
            "kty": "RSA",
            "n": RFC7638_N,
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        let expected = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
        assert_eq!(jwk_thumbprint(&jwk).unwrap(), expected);
        let key = import_jwk(&jwk).unwrap();
        assert_eq!(key.thumbprint, expected);
        assert_eq!(key.kid, "2011-04-29");
        assert_eq!(key.alg, KeyAlg::RS256);
        assert_eq!(
            key.jwk,
            format!(
                r#"{{"alg":"RS256","e":"AQAB","kid":"2011-04-29","kty":"RSA","n":"{RFC7638_N}","use":"sig"}}"#
            )
        );
        // The stored JWK has the same thumbprint and loads as a verifying key.
        let stored: Value = serde_json::from_str(&key.jwk).unwrap();
        assert_eq!(jwk_thumbprint(&stored).unwrap(), expected);
        assert_eq!(
            VerifyingKey::from_jwk_json(&key.jwk).unwrap().alg(),
            KeyAlg::RS256
        );
    }

    #[test]
    fn rfc8037_a3_ed25519_thumbprint() {
        let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X});
        let expected = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";
        assert_eq!(jwk_thumbprint(&jwk).unwrap(), expected);
        let key = import_jwk(&jwk).unwrap();
        assert_eq!(key.thumbprint, expected);
        assert_eq!(key.kid, expected);
        assert_eq!(key.alg, KeyAlg::EdDSA);
    }
}

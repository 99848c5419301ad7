//! Reading a public JWK (RFC 7517 §4), pasted by an administrator or loaded from the store:
//! refuses private keys, checks `alg`, `use`, `key_ops` and `kid`, and extracts the material.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use portico_proto::KeyAlg;
use serde_json::{Map, Value};

use super::canonical::{finish, AppPublicKey};
use super::material::Material;
use super::{KeyError, MAX_TEXT_LEN};

/// JWK members that only a private (or symmetric) key has: RFC 7518 §6.2.2, §6.3.2, §6.4.1 and
/// RFC 8037 §2.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A member that must be a string (RFC 7517 §4: every member used here is one).
pub(super) fn string_member<'a>(
    obj: &'a Map<String, Value>,
    name: &'static str,
) -> Result<&'a str, KeyError> {
    match obj.get(name) {
        None => Err(KeyError::MissingMember(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(KeyError::MemberNotString(name)),
    }
}

/// RFC 7515 §2: base64url without padding (trailing '=' is tolerated).
fn base64url_member(obj: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, KeyError> {
    let text = string_member(obj, name)?;
    if text.len() > MAX_TEXT_LEN {
        return Err(KeyError::TooLong);
    }
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| KeyError::MemberNotBase64(name))
}

/// RFC 7517 §4.5: a kid we keep must be short and safe to show and to put in URLs.
fn valid_kid(kid: &str) -> bool {
    (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Checks a JWK and extracts its public material and optional kid.
pub(super) fn parse_jwk(jwk: &Value) -> Result<(Material, Option<String>), KeyError> {
    let obj = jwk.as_object().ok_or(KeyError::JwkNotObject)?;
    // Refuse private keys before anything else, so the message says what went wrong.
    if let Some(name) = PRIVATE_MEMBERS.iter().find(|m| obj.contains_key(**m)) {
        return Err(KeyError::PrivateJwkMember((*name).to_owned()));
    }
    // RFC 7517 §4.1: "kty" is required.
    let material = match string_member(obj, "kty")? {
        // RFC 7518 §6.3.1.
        "RSA" => Material::rsa(&base64url_member(obj, "n")?, &base64url_member(obj, "e")?)?,
        // RFC 7518 §6.2.1.
        "EC" => match string_member(obj, "crv")? {
            "P-256" => Material::ec(&base64url_member(obj, "x")?, &base64url_member(obj, "y")?)?,
            other => return Err(KeyError::UnsupportedEcCurve(short(other))),
        },
        // RFC 8037 §2.
        "OKP" => match string_member(obj, "crv")? {
            "Ed25519" => Material::ed25519(&base64url_member(obj, "x")?)?,
            other => return Err(KeyError::UnsupportedOkpCurve(short(other))),
        },
        _ => return Err(KeyError::UnsupportedKeyType),
    };
    // RFC 7517 §4.4: when present, "alg" names the algorithm the key is meant for.
    if let Some(alg) = obj.get("alg") {
        let expected = material.alg();
        match alg {
            Value::String(s) if s == expected.as_str() => {}
            // RFC 9864 §2: `Ed25519` is the fully-specified name of the same algorithm.
            Value::String(s) if s == "Ed25519" && expected == KeyAlg::EdDSA => {}
            Value::String(s) => {
                return Err(KeyError::AlgMismatch {
                    found: short(s),
                    expected,
                })
            }
            _ => return Err(KeyError::MemberNotString("alg")),
        }
    }
    // RFC 7517 §4.2: "sig" is the only use for a key that verifies client assertions.
    match obj.get("use") {
        None => {}
        Some(Value::String(u)) if u == "sig" => {}
        Some(_) => return Err(KeyError::UseNotSig),
    }
    // RFC 7517 §4.3: if "key_ops" is present it must allow "verify".
    if let Some(ops) = obj.get("key_ops") {
        let allows_verify = ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
        if !allows_verify {
            return Err(KeyError::KeyOps);
        }
    }
    let kid = match obj.get("kid") {
        None => None,
        Some(Value::String(kid)) if valid_kid(kid) => Some(kid.clone()),
        Some(_) => return Err(KeyError::InvalidKid),
    };
    Ok((material, kid))
}

/// Keeps user-supplied text in error messages short.
fn short(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Imports a public JWK (RFC 7517 §4): RSA, EC P-256 or OKP Ed25519.
pub fn import_jwk(jwk: &Value) -> Result<AppPublicKey, KeyError> {
    let (material, kid) = parse_jwk(jwk)?;
    finish(material, kid)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{p256_jwk, RFC8037_X};
    use super::*;
    use portico_proto::KeyAlg;
    use serde_json::json;

    #[test]
    fn refuses_private_jwk() {
        let jwk = json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x": RFC8037_X
        });
        let err = import_jwk(&jwk).unwrap_err();
        assert_eq!(err, KeyError::PrivateJwkMember("d".to_owned()));
        assert_eq!(
            err.to_string(),
            "This JWK contains the private member \"d\"; paste the public key only."
        );
        let oct = json!({"kty": "oct", "k": "c2VjcmV0"});
        assert_eq!(
            import_jwk(&oct),
            Err(KeyError::PrivateJwkMember("k".to_owned()))
        );
    }

    #[test]
    fn refuses_wrong_alg_use_ops_and_kid_in_jwk() {
        let mut jwk = p256_jwk();
        jwk["alg"] = json!("RS256");
        let err = import_jwk(&jwk).unwrap_err();
        assert_eq!(
            err,
            KeyError::AlgMismatch {
                found: "RS256".to_owned(),
                expected: KeyAlg::ES256
            }
        );
        assert_eq!(
            err.to_string(),
            "The JWK \"alg\" is \"RS256\", but this key can only be used with \"ES256\"."
        );
        let okp = |extra: Value| {
            let mut jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X});
            for (k, v) in extra.as_object().unwrap() {
                jwk[k] = v.clone();
            }
            import_jwk(&jwk)
        };
        assert!(matches!(
            okp(json!({"alg": "ES256"})),
            Err(KeyError::AlgMismatch { .. })
        ));
        assert!(matches!(
            okp(json!({"alg": 7})),
            Err(KeyError::MemberNotString("alg"))
        ));
        assert!(okp(json!({"alg": "EdDSA", "use": "sig", "key_ops": ["verify"]})).is_ok());
        assert!(okp(json!({"alg": "Ed25519"})).is_ok());
        assert_eq!(okp(json!({"use": "enc"})), Err(KeyError::UseNotSig));
        assert_eq!(okp(json!({"key_ops": ["encrypt"]})), Err(KeyError::KeyOps));
        assert_eq!(okp(json!({"kid": ""})), Err(KeyError::InvalidKid));
        assert_eq!(okp(json!({"kid": "a b"})), Err(KeyError::InvalidKid));
        assert_eq!(
            okp(json!({"kid": "x".repeat(65)})),
            Err(KeyError::InvalidKid)
        );
        assert_eq!(okp(json!({"kid": 5})), Err(KeyError::InvalidKid));
        assert_eq!(
            okp(json!({"kid": "my-key_1.v2"})).unwrap().kid,
            "my-key_1.v2"
        );
        assert_eq!(
            okp(json!({"crv": "X25519"})),
            Err(KeyError::UnsupportedOkpCurve("X25519".to_owned()))
        );
        assert_eq!(okp(json!({"x": "AAAA"})), Err(KeyError::InvalidEd25519));
        assert_eq!(
            okp(json!({"x": "***"})),
            Err(KeyError::MemberNotBase64("x"))
        );
        assert_eq!(
            okp(json!({"kty": "oct"})),
            Err(KeyError::UnsupportedKeyType)
        );
        assert_eq!(import_jwk(&json!([])), Err(KeyError::JwkNotObject));
        assert_eq!(import_jwk(&json!({})), Err(KeyError::MissingMember("kty")));
        assert_eq!(
            import_jwk(&json!({"kty": "RSA", "e": "AQAB"})),
            Err(KeyError::MissingMember("n"))
        );
    }
}

//! RFC 7523 assertion validation: every refusal, with real and forged signatures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::crypto::app_key::{self, GeneratedKey};
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::json;

const NOW: i64 = 1_750_000_000;
const CLIENT: &str = "client-123";
const ISSUER: &str = "https://portico.example";
const TOKEN_ENDPOINT: &str = "https://portico.example/oauth/token";
const AUDIENCES: &[&str] = &[ISSUER, TOKEN_ENDPOINT];

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn pkcs8(key: &GeneratedKey) -> Vec<u8> {
    let body: String = key
        .private_key_pem
        .expose()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body).unwrap()
}

/// Signs `signing_input` with the generated key's private half.
fn sign_raw(key: &GeneratedKey, signing_input: &str) -> Vec<u8> {
    let der = pkcs8(key);
    let rng = SystemRandom::new();
    match key.public.alg {
        KeyAlg::ES256 => EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
            .unwrap()
            .sign(&rng, signing_input.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec(),
        KeyAlg::EdDSA => Ed25519KeyPair::from_pkcs8(&der)
            .unwrap()
            .sign(signing_input.as_bytes())
            .as_ref()
            .to_vec(),
        KeyAlg::RS256 => {
            let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
            let mut out = vec![0; pair.public_modulus_len()];
            pair.sign(
                &sig::RSA_PKCS1_SHA256,
                &rng,
                signing_input.as_bytes(),
                &mut out,
            )
            .unwrap();
            out
        }
    }
}

/// A compact JWS of `header` and `claims`, signed by `key`.
fn sign(key: &GeneratedKey, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature = sign_raw(key, &input);
    format!("{input}.{}", b64(signature))
}

fn header(key: &GeneratedKey) -> Value {
    json!({"alg": key.public.alg.as_str(), "kid": key.public.kid, "typ": "JWT"})
}

fn claims() -> Value {
    json!({
        "iss": CLIENT,
        "sub": CLIENT,
        "aud": TOKEN_ENDPOINT,
        "exp": NOW + 300,
        "iat": NOW,
        "jti": "jti-1",
    })
}

fn with(mut claims: Value, name: &str, value: Value) -> Value {
    claims[name] = value;
    claims
}

fn without(mut claims: Value, name: &str) -> Value {
    claims.as_object_mut().unwrap().remove(name);
    claims
}

fn registered(keys: &[&GeneratedKey]) -> Vec<(String, String)> {
    keys.iter()
        .map(|k| (k.public.kid.clone(), k.public.jwk.clone()))
        .collect()
}

/// Registered keys as the client cache holds them: parsed once, a broken one without a verifier.
fn parsed(keys: &[(String, String)]) -> Vec<RegisteredKey> {
    keys.iter()
        .map(|(kid, jwk)| RegisteredKey {
            kid: kid.clone(),
            verifier: VerifyingKey::from_jwk_json(jwk).ok(),
        })
        .collect()
}

fn check_as(
    token: &str,
    keys: &[(String, String)],
    purpose: Purpose,
) -> Result<AssertionClaims, AssertionError> {
    let keys = parsed(keys);
    let expect = Expectations {
        client_id: CLIENT,
        audiences: AUDIENCES,
        now: NOW,
        purpose,
    };
    validate(token, &keys, &expect)
}

fn check(token: &str, keys: &[(String, String)]) -> Result<AssertionClaims, AssertionError> {
    check_as(token, keys, Purpose::ClientAuthentication)
}

fn es256() -> GeneratedKey {
    app_key::generate(KeyAlg::ES256).unwrap()
}

/// Asserts that the message is a valid RFC 6749 §5.2 error_description.
fn assert_client_safe(err: &AssertionError) {
    let message = err.to_string();
    assert!(
        message
            .bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
        "{message}"
    );
}

fn refused(result: Result<AssertionClaims, AssertionError>) -> AssertionError {
    let err = result.unwrap_err();
    assert_client_safe(&err);
    err
}

#[test]
fn valid_es256_rs256_eddsa_assertions_are_accepted() {
    for alg in KeyAlg::ALL {
        let key = app_key::generate(alg).unwrap();
        let other = es256();
        let keys = registered(&[&other, &key]);
        let token = sign(&key, &header(&key), &claims());
        let got = check(&token, &keys).unwrap();
        assert_eq!(
            got,
            AssertionClaims {
                iss: CLIENT.to_owned(),
                sub: CLIENT.to_owned(),
                jti: "jti-1".to_owned(),
                exp: NOW + 300,
                iat: Some(NOW),
                kid: key.public.kid.clone(),
            },
            "{alg}"
        );
        assert_eq!(inspect(&token), Ok(Some(CLIENT.to_owned())));
    }
}

#[test]
fn rfc9864_ed25519_alg_name_is_accepted_for_an_ed25519_key() {
    let key = app_key::generate(KeyAlg::EdDSA).unwrap();
    let token = sign(
        &key,
        &json!({"alg": "Ed25519", "kid": key.public.kid, "typ": "JWT"}),
        &claims(),
    );
    assert!(check(&token, &registered(&[&key])).is_ok());
    let ec = es256();
    let token = sign(
        &ec,
        &json!({"alg": "Ed25519", "kid": ec.public.kid}),
        &claims(),
    );
    assert!(check(&token, &registered(&[&ec])).is_err());
}

#[test]
fn header_without_kid_uses_the_only_key_of_that_alg() {
    let ec = es256();
    let ed = app_key::generate(KeyAlg::EdDSA).unwrap();
    let keys = registered(&[&ec, &ed]);
    for (key, typ) in [(&ec, json!("jwt")), (&ed, json!("application/JWT"))] {
        let token = sign(
            key,
            &json!({"alg": key.public.alg.as_str(), "typ": typ}),
            &claims(),
        );
        assert_eq!(check(&token, &keys).unwrap().kid, key.public.kid);
    }
    // No typ at all is fine too.
    let token = sign(&ec, &json!({"alg": "ES256"}), &claims());
    assert!(check(&token, &keys).is_ok());
}

#[test]
fn header_without_kid_is_refused_when_several_keys_share_the_alg() {
    let a = es256();
    let b = es256();
    let keys = registered(&[&a, &b]);
    let token = sign(&a, &json!({"alg": "ES256"}), &claims());
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::KidRequired(KeyAlg::ES256)
    );
    // Naming the key resolves it.
    assert!(check(&sign(&a, &header(&a), &claims()), &keys).is_ok());
}

#[test]
fn header_without_kid_and_no_key_of_that_alg_is_refused() {
    let ec = es256();
    let ed = app_key::generate(KeyAlg::EdDSA).unwrap();
    let token = sign(&ed, &json!({"alg": "EdDSA"}), &claims());
    assert_eq!(
        refused(check(&token, &registered(&[&ec]))),
        AssertionError::NoKeyForAlg(KeyAlg::EdDSA)
    );
    assert_eq!(
        refused(check(&token, &[])),
        AssertionError::NoKeyForAlg(KeyAlg::EdDSA)
    );
}

#[test]
fn alg_none_unsigned_token_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for alg in ["none", "None", "NONE"] {
        let input = format!(
            "{}.{}",
            b64(json!({"alg": alg, "kid": key.public.kid}).to_string()),
            b64(claims().to_string())
        );
        let token = format!("{input}.");
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::UnsupportedAlg,
            "{alg}"
        );
        // An unsigned token without kid neither.
        let input = format!(
            "{}.{}",
            b64(json!({"alg": alg}).to_string()),
            b64(claims().to_string())
        );
        assert_eq!(
            refused(check(&format!("{input}."), &keys)),
            AssertionError::UnsupportedAlg
        );
    }
}

/// The classic algorithm confusion: an HMAC "signature" keyed with the public key, which
/// a library that lets the token choose the algorithm would accept.
#[test]
fn hs256_keyed_with_the_public_jwk_or_pem_is_refused() {
    let rsa = app_key::generate(KeyAlg::RS256).unwrap();
    let keys = registered(&[&rsa]);
    let pair = RsaKeyPair::from_pkcs8(&pkcs8(&rsa)).unwrap();
    let spki: PublicKeyX509Der<'_> = pair.public_key().as_der().unwrap();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(spki.as_ref())
    );
    for (alg, hmac_alg) in [
        ("HS256", hmac::HMAC_SHA256),
        ("HS384", hmac::HMAC_SHA384),
        ("HS512", hmac::HMAC_SHA512),
    ] {
        for secret in [rsa.public.jwk.as_bytes(), pem.as_bytes()] {
            for header in [
                json!({"alg": alg, "kid": rsa.public.kid}),
                json!({"alg": alg}),
            ] {
                let input = format!("{}.{}", b64(header.to_string()), b64(claims().to_string()));
                let tag = hmac::sign(&hmac::Key::new(hmac_alg, secret), input.as_bytes());
                let token = format!("{input}.{}", b64(tag.as_ref()));
                assert_eq!(
                    refused(check(&token, &keys)),
                    AssertionError::UnsupportedAlg
                );
            }
        }
    }
    // Other names and spellings of the algorithms are not accepted either.
    for alg in ["rs256", "es256", "PS256", "ES384", "RS512", "ed25519", ""] {
        let token = sign(&rsa, &json!({"alg": alg}), &claims());
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::UnsupportedAlg,
            "{alg}"
        );
    }
}

#[test]
fn unknown_kid_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for kid in ["other", "", &key.public.kid.to_lowercase()] {
        if kid == key.public.kid {
            continue;
        }
        let token = sign(&key, &json!({"alg": "ES256", "kid": kid}), &claims());
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::UnknownKid,
            "{kid}"
        );
    }
}

#[test]
fn duplicate_registered_kid_is_refused() {
    let a = es256();
    let b = es256();
    let keys = vec![
        ("same".to_owned(), a.public.jwk.clone()),
        ("same".to_owned(), b.public.jwk.clone()),
    ];
    let token = sign(&a, &json!({"alg": "ES256", "kid": "same"}), &claims());
    assert_eq!(refused(check(&token, &keys)), AssertionError::DuplicateKid);
}

#[test]
fn kid_of_a_key_with_another_alg_is_refused() {
    let ec = es256();
    let rsa = app_key::generate(KeyAlg::RS256).unwrap();
    let ed = app_key::generate(KeyAlg::EdDSA).unwrap();
    let keys = registered(&[&ec, &rsa, &ed]);
    // RS256 header (signed with the RSA key) that names the EC key.
    let token = sign(
        &rsa,
        &json!({"alg": "RS256", "kid": ec.public.kid}),
        &claims(),
    );
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::KeyAlgMismatch {
            header: KeyAlg::RS256,
            key: KeyAlg::ES256
        }
    );
    // EdDSA signature under an ES256 header naming the Ed25519 key.
    let input = format!(
        "{}.{}",
        b64(json!({"alg": "ES256", "kid": ed.public.kid}).to_string()),
        b64(claims().to_string())
    );
    let token = format!("{input}.{}", b64(sign_raw(&ed, &input)));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::KeyAlgMismatch {
            header: KeyAlg::ES256,
            key: KeyAlg::EdDSA
        }
    );
}

#[test]
fn unusable_registered_key_is_refused() {
    let key = es256();
    let keys = vec![(key.public.kid.clone(), "{not json".to_owned())];
    let token = sign(&key, &header(&key), &claims());
    assert_eq!(refused(check(&token, &keys)), AssertionError::UnusableKey);
    // Without a kid, broken keys are skipped.
    let token = sign(&key, &json!({"alg": "ES256"}), &claims());
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::NoKeyForAlg(KeyAlg::ES256)
    );
}

#[test]
fn tampered_payload_is_refused() {
    for alg in KeyAlg::ALL {
        let key = app_key::generate(alg).unwrap();
        let keys = registered(&[&key]);
        let genuine = sign(&key, &header(&key), &claims());
        let forged_claims = with(claims(), "sub", json!("admin"));
        let parts: Vec<&str> = genuine.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(forged_claims.to_string()),
            parts[2]
        );
        assert_eq!(
            refused(check(&forged, &keys)),
            AssertionError::BadSignature,
            "{alg}"
        );
        // Signed by another key of the same alg under the registered kid.
        let stranger = app_key::generate(alg).unwrap();
        let token = sign(&stranger, &header(&key), &claims());
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::BadSignature,
            "{alg}"
        );
        // Empty signature.
        let unsigned = format!("{}.{}.", parts[0], parts[1]);
        assert_eq!(
            refused(check(&unsigned, &keys)),
            AssertionError::BadSignature,
            "{alg}"
        );
    }
}

#[test]
fn signature_is_checked_before_claims() {
    // A forged token with bad claims reports the signature, not the claims.
    let key = es256();
    let keys = registered(&[&key]);
    let genuine = sign(&key, &header(&key), &claims());
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], b64("not json"), parts[2]);
    assert_eq!(refused(check(&forged, &keys)), AssertionError::BadSignature);
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(without(claims(), "exp").to_string()),
        parts[2]
    );
    assert_eq!(refused(check(&forged, &keys)), AssertionError::BadSignature);
}

#[test]
fn typ_of_another_jwt_kind_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for typ in [json!("at+jwt"), json!("dpop+jwt"), json!("JOSE"), json!("")] {
        let token = sign(
            &key,
            &json!({"alg": "ES256", "kid": key.public.kid, "typ": typ}),
            &claims(),
        );
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::UnsupportedTyp,
            "{typ}"
        );
    }
    // A non-string typ is a malformed header.
    let token = sign(&key, &json!({"alg": "ES256", "typ": 1}), &claims());
    assert!(matches!(
        refused(check(&token, &keys)),
        AssertionError::Malformed(_)
    ));
}

#[test]
fn crit_header_is_refused() {
    let key = es256();
    let token = sign(
        &key,
        &json!({"alg": "ES256", "crit": ["exp"], "exp": 1}),
        &claims(),
    );
    assert_eq!(
        refused(check(&token, &registered(&[&key]))),
        AssertionError::Malformed(JwsError::Crit)
    );
}

#[test]
fn expired_assertion_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for exp in [
        json!(NOW - 5),
        json!(NOW - 3600),
        json!(0),
        json!(-1),
        json!(i64::MIN),
        json!(-1e300),
    ] {
        let token = sign(&key, &header(&key), &with(claims(), "exp", exp.clone()));
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::Expired,
            "{exp}"
        );
    }
    // Within the 5 s leeway.
    let token = sign(&key, &header(&key), &with(claims(), "exp", json!(NOW - 4)));
    assert_eq!(check(&token, &keys).unwrap().exp, NOW - 4);
    // Fractional NumericDate values are floored (RFC 7519 §2).
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "exp", json!(NOW as f64 - 4.5)),
    );
    assert_eq!(refused(check(&token, &keys)), AssertionError::Expired);
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "exp", json!(NOW as f64 + 10.9)),
    );
    assert_eq!(check(&token, &keys).unwrap().exp, NOW + 10);
}

#[test]
fn exp_more_than_one_hour_ahead_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for exp in [
        json!(NOW + 3601),
        json!(NOW + 86_400),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(1e300),
    ] {
        let token = sign(&key, &header(&key), &with(claims(), "exp", exp.clone()));
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::ExpiryTooFar,
            "{exp}"
        );
    }
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "exp", json!(NOW + 3600)),
    );
    assert!(check(&token, &keys).is_ok());
}

#[test]
fn iat_two_minutes_in_the_future_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "iat", json!(NOW + 120)),
    );
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::IssuedInFuture
    );
    // Small clock skew is tolerated, and iat is optional.
    let token = sign(&key, &header(&key), &with(claims(), "iat", json!(NOW + 60)));
    assert_eq!(check(&token, &keys).unwrap().iat, Some(NOW + 60));
    let token = sign(&key, &header(&key), &without(claims(), "iat"));
    assert_eq!(check(&token, &keys).unwrap().iat, None);
}

#[test]
fn nbf_in_the_future_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "nbf", json!(NOW + 120)),
    );
    assert_eq!(refused(check(&token, &keys)), AssertionError::NotYetValid);
    let token = sign(&key, &header(&key), &with(claims(), "nbf", json!(NOW + 30)));
    assert!(check(&token, &keys).is_ok());
    let token = sign(&key, &header(&key), &with(claims(), "nbf", json!("soon")));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::ClaimType {
            claim: "nbf",
            expected: "a number (NumericDate)"
        }
    );
}

#[test]
fn missing_empty_or_overlong_jti_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    let token = sign(&key, &header(&key), &without(claims(), "jti"));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::MissingClaim("jti")
    );
    let token = sign(&key, &header(&key), &with(claims(), "jti", json!("")));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::EmptyClaim("jti")
    );
    let token = sign(&key, &header(&key), &with(claims(), "jti", json!(42)));
    assert!(matches!(
        refused(check(&token, &keys)),
        AssertionError::ClaimType { claim: "jti", .. }
    ));
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "jti", json!("j".repeat(257))),
    );
    assert_eq!(refused(check(&token, &keys)), AssertionError::JtiTooLong);
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "jti", json!("é".repeat(256))),
    );
    assert_eq!(check(&token, &keys).unwrap().jti, "é".repeat(256));
}

#[test]
fn missing_or_non_numeric_exp_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    let token = sign(&key, &header(&key), &without(claims(), "exp"));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::MissingClaim("exp")
    );
    for exp in [
        json!((NOW + 300).to_string()),
        json!(null),
        json!(true),
        json!([NOW + 300]),
    ] {
        let token = sign(&key, &header(&key), &with(claims(), "exp", exp.clone()));
        assert!(
            matches!(
                refused(check(&token, &keys)),
                AssertionError::ClaimType { claim: "exp", .. }
            ),
            "{exp}"
        );
    }
    let token = sign(&key, &header(&key), &with(claims(), "iat", json!("0")));
    assert!(matches!(
        refused(check(&token, &keys)),
        AssertionError::ClaimType { claim: "iat", .. }
    ));
}

#[test]
fn wrong_or_missing_aud_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for aud in [
        json!("https://evil.example/oauth/token"),
        json!("https://portico.example/"),
        json!("https://PORTICO.example"),
        json!([]),
        json!(["https://evil.example"]),
    ] {
        let token = sign(&key, &header(&key), &with(claims(), "aud", aud.clone()));
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::AudienceMismatch,
            "{aud}"
        );
    }
    let token = sign(&key, &header(&key), &without(claims(), "aud"));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::MissingClaim("aud")
    );
    for aud in [json!(1), json!({"aud": ISSUER}), json!([ISSUER, 1])] {
        let token = sign(&key, &header(&key), &with(claims(), "aud", aud.clone()));
        assert!(
            matches!(
                refused(check(&token, &keys)),
                AssertionError::ClaimType { claim: "aud", .. }
            ),
            "{aud}"
        );
    }
}

#[test]
fn aud_array_containing_the_token_endpoint_is_accepted() {
    let key = es256();
    let keys = registered(&[&key]);
    for aud in [
        json!(["https://other.example", TOKEN_ENDPOINT]),
        json!([ISSUER]),
        json!(ISSUER),
    ] {
        let token = sign(&key, &header(&key), &with(claims(), "aud", aud.clone()));
        assert!(check(&token, &keys).is_ok(), "{aud}");
    }
}

#[test]
fn iss_other_than_client_id_is_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for purpose in [Purpose::ClientAuthentication, Purpose::AuthorizationGrant] {
        let token = sign(
            &key,
            &header(&key),
            &with(claims(), "iss", json!("client-456")),
        );
        assert_eq!(
            refused(check_as(&token, &keys, purpose)),
            AssertionError::IssuerMismatch
        );
        let token = sign(&key, &header(&key), &without(claims(), "iss"));
        assert_eq!(
            refused(check_as(&token, &keys, purpose)),
            AssertionError::MissingClaim("iss")
        );
        let token = sign(&key, &header(&key), &with(claims(), "iss", json!([CLIENT])));
        assert!(matches!(
            refused(check_as(&token, &keys, purpose)),
            AssertionError::ClaimType { claim: "iss", .. }
        ));
    }
}

#[test]
fn sub_other_than_client_id_is_refused_for_client_authentication() {
    let key = es256();
    let keys = registered(&[&key]);
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "sub", json!("user-42")),
    );
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::SubjectMismatch
    );
    let token = sign(&key, &header(&key), &without(claims(), "sub"));
    assert_eq!(
        refused(check(&token, &keys)),
        AssertionError::MissingClaim("sub")
    );
}

#[test]
fn sub_of_a_user_is_accepted_for_the_grant() {
    let key = es256();
    let keys = registered(&[&key]);
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "sub", json!("user-42")),
    );
    let got = check_as(&token, &keys, Purpose::AuthorizationGrant).unwrap();
    assert_eq!(got.sub, "user-42");
    assert_eq!(got.iss, CLIENT);
    // Still required and non-empty.
    let token = sign(&key, &header(&key), &with(claims(), "sub", json!("")));
    assert_eq!(
        refused(check_as(&token, &keys, Purpose::AuthorizationGrant)),
        AssertionError::EmptyClaim("sub")
    );
}

#[test]
fn claims_that_are_not_an_object_are_refused() {
    let key = es256();
    let keys = registered(&[&key]);
    for payload in ["[]", "null", "\"x\"", "not json", ""] {
        let input = format!("{}.{}", b64(header(&key).to_string()), b64(payload));
        let token = format!("{input}.{}", b64(sign_raw(&key, &input)));
        assert_eq!(
            refused(check(&token, &keys)),
            AssertionError::ClaimsNotObject,
            "{payload}"
        );
    }
}

#[test]
fn oversized_token_is_refused() {
    let key = es256();
    let token = sign(
        &key,
        &header(&key),
        &with(claims(), "pad", json!("x".repeat(16 * 1024))),
    );
    assert_eq!(
        refused(check(&token, &registered(&[&key]))),
        AssertionError::Malformed(JwsError::TooLong)
    );
}

#[test]
fn inspect_checks_what_needs_no_key_and_reads_the_unverified_issuer() {
    let key = es256();
    let es = |payload: &str| format!("{}.{}.AA", b64(r#"{"alg":"ES256"}"#), b64(payload));
    // Not a JWS, or a JWS with an alg no registered key can have: refused, whatever it says.
    for token in [
        "",
        ".",
        "..",
        "junk",
        "a.b.c",
        "é.é.é",
        "e30.e30.",
        &format!(
            "{}.{}.",
            b64(r#"{"alg":"none"}"#),
            b64(r#"{"iss":"someone"}"#)
        ),
        &format!(
            "{}.{}.",
            b64(r#"{"alg":"HS256"}"#),
            b64(r#"{"iss":"someone"}"#)
        ),
        &"A".repeat(20_000),
    ] {
        let err = inspect(token).unwrap_err();
        assert!(!err.is_about_the_signature(), "{token}: {err}");
    }
    assert_eq!(
        inspect(&format!(
            "{}.{}.AA",
            b64(r#"{"alg":"ES256","typ":"at+jwt"}"#),
            b64("{}")
        )),
        Err(AssertionError::UnsupportedTyp)
    );
    for payload in ["[]", "{", "null"] {
        assert_eq!(
            inspect(&es(payload)),
            Err(AssertionError::ClaimsNotObject),
            "{payload}"
        );
    }
    // No usable iss: nothing to look the client up by.
    for payload in [r#"{"iss":5}"#, r#"{"iss":""}"#, r#"{"sub":"x"}"#] {
        assert_eq!(inspect(&es(payload)), Ok(None), "{payload}");
    }
    // It verifies nothing: a broken signature still names its issuer.
    assert_eq!(
        inspect(&es(r#"{"iss":"someone"}"#)),
        Ok(Some("someone".to_owned()))
    );
    let token = sign(&key, &header(&key), &claims());
    assert_eq!(inspect(&token), Ok(Some(CLIENT.to_owned())));
}

#[test]
fn descriptions_name_the_accepted_audiences_and_the_server_time() {
    let expect = Expectations {
        client_id: CLIENT,
        audiences: &[ISSUER, TOKEN_ENDPOINT, TOKEN_ENDPOINT],
        now: NOW,
        purpose: Purpose::ClientAuthentication,
    };
    assert_eq!(
        AssertionError::AudienceMismatch.describe(&expect),
        format!("The assertion aud must contain one of: {ISSUER}, {TOKEN_ENDPOINT}.")
    );
    for e in [
        AssertionError::Expired,
        AssertionError::ExpiryTooFar,
        AssertionError::NotYetValid,
        AssertionError::IssuedInFuture,
    ] {
        let said = e.describe(&expect);
        assert!(said.starts_with(&e.to_string()), "{said}");
        assert!(said.ends_with(&format!("The server's time is {NOW} (seconds since 1970).")));
    }
    assert_eq!(
        AssertionError::MissingClaim("jti").describe(&expect),
        "The assertion has no jti claim."
    );
    // What a forgery fails on is told apart from what the key's holder can fix.
    assert!(AssertionError::BadSignature.is_about_the_signature());
    assert!(AssertionError::UnknownKid.is_about_the_signature());
    assert!(!AssertionError::Expired.is_about_the_signature());
    assert!(!AssertionError::UnsupportedAlg.is_about_the_signature());
}

#[test]
fn odd_inputs_never_panic() {
    let key = es256();
    let keys = registered(&[&key]);
    let junk_keys = vec![
        (String::new(), String::new()),
        ("k".to_owned(), "[]".to_owned()),
    ];
    let tokens = [
        String::new(),
        ".".to_owned(),
        "..".to_owned(),
        "...".to_owned(),
        "\u{0}.\u{0}.\u{0}".to_owned(),
        "e30.e30.e30".to_owned(),
        format!("{}.{}.AA", b64(r#"{"alg":"ES256","kid":"k"}"#), b64("{}")),
        format!("{}.{}.", b64(r#"{"alg":"EdDSA"}"#), b64("{}")),
    ];
    for now in [NOW, 0, i64::MIN, i64::MAX] {
        for keys in [&keys, &junk_keys] {
            for token in &tokens {
                let ks = parsed(&keys[..]);
                let expect = Expectations {
                    client_id: CLIENT,
                    audiences: &[],
                    now,
                    purpose: Purpose::AuthorizationGrant,
                };
                assert_client_safe(&validate(token, &ks, &expect).unwrap_err());
            }
        }
        // Extreme claim values with an extreme clock.
        for value in [
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(-1e300),
            json!(1e300),
            json!(0.5),
        ] {
            let mut c = claims();
            for name in ["exp", "iat", "nbf"] {
                c[name] = value.clone();
            }
            let token = sign(&key, &header(&key), &c);
            let ks = parsed(&keys[..]);
            let expect = Expectations {
                client_id: CLIENT,
                audiences: AUDIENCES,
                now,
                purpose: Purpose::ClientAuthentication,
            };
            if let Err(err) = validate(&token, &ks, &expect) {
                assert_client_safe(&err);
            }
        }
    }
}

#[test]
fn malformed_messages_are_client_safe() {
    // JwsError messages contain quotes and a section sign; they are made safe.
    let err = AssertionError::Malformed(JwsError::NotThreeParts);
    assert_client_safe(&err);
    assert!(err.to_string().contains("three parts"));
    assert_client_safe(&AssertionError::Malformed(JwsError::Crit));
    assert_client_safe(&AssertionError::Malformed(JwsError::Header(
        "\"x\\y\u{7f}é".to_owned(),
    )));
}

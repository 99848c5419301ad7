//! Compact JWS (RFC 7515 §7.1): parsing of incoming tokens, and ES256 signing (RFC 7518 §3.4)
//! of the tokens the server issues.
//!
//! Parsing checks only the form; the caller verifies the signature with the key the token claims
//! to be from ([`super::app_key::VerifyingKey`] for apps, [`SigningKey::verify`] for the server's own
//! tokens) and then checks the claims. Nothing here panics, whatever the input.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{Map, Value};

/// Largest compact JWS accepted; client assertions and ID tokens are far smaller.
pub const MAX_JWS_LEN: usize = 16 * 1024;

/// Why a JWS was refused or could not be made. Messages are safe to send to clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsError {
    #[error("The JWT is too long (at most 16 KiB).")]
    TooLong,
    #[error("The JWT must have three parts separated by dots (compact JWS, RFC 7515 §7.1).")]
    NotThreeParts,
    #[error("The JWT {0} is not valid base64url without padding.")]
    Base64(&'static str),
    #[error("The JWT header is not a JSON object.")]
    HeaderNotObject,
    #[error("The JWT header is not valid: {0}")]
    Header(String),
    #[error("The JWT header has \"crit\" extensions, which are not supported.")]
    Crit,
    #[error("The JWT claims could not be encoded.")]
    Claims,
    #[error("The signing key could not be used.")]
    Key,
}

/// The JOSE header of a JWS (RFC 7515 §4.1). Other header parameters are ignored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Header {
    pub alg: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub typ: Option<String>,
}

/// A compact JWS split into its parts; the signature is not yet verified.
#[derive(Debug, Clone)]
pub struct Jws<'a> {
    pub header: Header,
    /// The decoded payload (the JWT claims set, not yet parsed).
    pub claims_json: Vec<u8>,
    /// `BASE64URL(header) '.' BASE64URL(payload)`, the input of the signature (RFC 7515 §5.1).
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

fn decode_part(part: &str, name: &'static str) -> Result<Vec<u8>, JwsError> {
    // RFC 7515 §2: base64url "with all trailing '=' characters omitted".
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwsError::Base64(name))
}

/// Splits and decodes a compact JWS (RFC 7515 §5.2 steps 1–7).
pub fn parse(token: &str) -> Result<Jws<'_>, JwsError> {
    if token.len() > MAX_JWS_LEN {
        return Err(JwsError::TooLong);
    }
    // RFC 7515 §7.1: exactly three parts (a JWE, RFC 7516 §7.1, has five).
    let (signing_input, signature_b64) = token.rsplit_once('.').ok_or(JwsError::NotThreeParts)?;
    let (header_b64, payload_b64) = signing_input
        .split_once('.')
        .ok_or(JwsError::NotThreeParts)?;
    if payload_b64.contains('.') {
        return Err(JwsError::NotThreeParts);
    }
    let header_json = decode_part(header_b64, "header")?;
    let claims_json = decode_part(payload_b64, "payload")?;
    let signature = decode_part(signature_b64, "signature")?;

    // RFC 7515 §5.2 step 3: the header must be a JSON object.
    let header_value: Value =
        serde_json::from_slice(&header_json).map_err(|_| JwsError::HeaderNotObject)?;
    let Value::Object(header_obj) = header_value else {
        return Err(JwsError::HeaderNotObject);
    };
    // RFC 7515 §4.1.11: a recipient MUST reject a JWS whose "crit" lists extensions it does not
    // understand; we understand none.
    if header_obj.contains_key("crit") {
        return Err(JwsError::Crit);
    }
    let header: Header = serde_json::from_value(Value::Object(header_obj))
        .map_err(|e| JwsError::Header(e.to_string()))?;
    Ok(Jws {
        header,
        claims_json,
        signing_input,
        signature,
    })
}

/// The algorithms the server signs its own tokens with, by their RFC 7518 §3.1 names (which is
/// also how they serialise, in JOSE headers and in the store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SigningAlg {
    /// ECDSA with P-256 and SHA-256 (RFC 7518 §3.4): access tokens, and the ID tokens of
    /// apps that chose it.
    ES256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3): ID tokens by default (OIDC Core §15.1).
    RS256,
}

impl SigningAlg {
    /// Every algorithm the server keeps an active key for.
    pub const ALL: [Self; 2] = [Self::ES256, Self::RS256];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::RS256 => "RS256",
        }
    }

    /// The algorithm named `s`, as stored beside a key; `None` for any other name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == s)
    }
}

impl std::fmt::Display for SigningAlg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A server token signing key: ES256 (RFC 7518 §3.4) for access tokens and the ID tokens of
/// apps that chose it, RS256 (§3.3) for the other ID tokens, which OpenID Connect Core §15.1
/// requires every provider to support.
pub struct SigningKey {
    pair: Pair,
    kid: String,
}

enum Pair {
    Es256 {
        pair: EcdsaKeyPair,
        verifier: ParsedPublicKey,
    },
    Rs256 {
        pair: RsaKeyPair,
        jwk: Map<String, Value>,
    },
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg())
            .field("private_key", &"[redacted]")
            .finish()
    }
}

#[derive(serde::Serialize)]
struct SignedHeader<'a> {
    alg: SigningAlg,
    typ: &'a str,
    kid: &'a str,
}

impl SigningKey {
    /// Generates a P-256 key; returns it with its PKCS#8 DER (RFC 5208 §5) to store. The kid is
    /// the RFC 7638 thumbprint of the public JWK.
    pub fn generate() -> Result<(Self, Vec<u8>), JwsError> {
        let pair = EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| JwsError::Key)?;
        let pkcs8 = pair
            .to_pkcs8v1()
            .map_err(|_| JwsError::Key)?
            .as_ref()
            .to_vec();
        let kid = thumbprint(pair.public_key().as_ref())?;
        Ok((Self::new_es256(pair, kid)?, pkcs8))
    }

    /// Generates an RSA-2048 key for RS256, with its PKCS#8 DER to store.
    pub fn generate_rs256() -> Result<(Self, Vec<u8>), JwsError> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| JwsError::Key)?;
        let pkcs8: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| JwsError::Key)?;
        let der = pkcs8.as_ref().to_vec();
        let jwk = rsa_members(&pair)?;
        let kid = super::app_key::jwk_thumbprint(&Value::Object(jwk.clone()))
            .map_err(|_| JwsError::Key)?;
        Ok((
            SigningKey {
                pair: Pair::Rs256 { pair, jwk },
                kid,
            },
            der,
        ))
    }

    /// Loads a stored ES256 key (PKCS#8 DER of a P-256 key) with the kid stored next to it.
    pub fn from_pkcs8(der: &[u8], kid: String) -> Result<Self, JwsError> {
        let pair = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map_err(|_| JwsError::Key)?;
        Self::new_es256(pair, kid)
    }

    /// Loads a stored key of algorithm `alg`.
    pub fn from_stored(alg: SigningAlg, der: &[u8], kid: String) -> Result<Self, JwsError> {
        match alg {
            SigningAlg::ES256 => Self::from_pkcs8(der, kid),
            SigningAlg::RS256 => {
                let pair = RsaKeyPair::from_pkcs8(der).map_err(|_| JwsError::Key)?;
                let jwk = rsa_members(&pair)?;
                Ok(SigningKey {
                    pair: Pair::Rs256 { pair, jwk },
                    kid,
                })
            }
        }
    }

    fn new_es256(pair: EcdsaKeyPair, kid: String) -> Result<Self, JwsError> {
        let verifier =
            ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, pair.public_key().as_ref())
                .map_err(|_| JwsError::Key)?;
        Ok(SigningKey {
            pair: Pair::Es256 { pair, verifier },
            kid,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn alg(&self) -> SigningAlg {
        match self.pair {
            Pair::Es256 { .. } => SigningAlg::ES256,
            Pair::Rs256 { .. } => SigningAlg::RS256,
        }
    }

    /// The ES256 public key as an uncompressed SEC 1 point, 0x04 || X || Y (65 bytes); empty
    /// for an RSA key.
    pub fn verifying_key(&self) -> &[u8] {
        match &self.pair {
            Pair::Es256 { pair, .. } => pair.public_key().as_ref(),
            Pair::Rs256 { .. } => &[],
        }
    }

    /// The public JWK for the JWKS endpoint (RFC 7517 §5, RFC 7518 §6.2.1 and §6.3.1).
    pub fn public_jwk(&self) -> Value {
        let mut jwk = match &self.pair {
            Pair::Es256 { pair, .. } => coordinates(pair.public_key().as_ref()),
            Pair::Rs256 { jwk, .. } => jwk.clone(),
        };
        jwk.insert("kid".to_owned(), Value::from(self.kid.as_str()));
        jwk.insert("alg".to_owned(), Value::from(self.alg().as_str()));
        jwk.insert("use".to_owned(), Value::from("sig"));
        Value::Object(jwk)
    }

    /// Signs `claims` as a compact JWS with the header {alg, typ, kid}.
    pub fn sign(&self, typ: &str, claims: &impl serde::Serialize) -> Result<String, JwsError> {
        let payload = serde_json::to_vec(claims).map_err(|_| JwsError::Claims)?;
        self.sign_payload(typ, &payload)
    }

    /// Signs an already serialized claims set (`payload`) as [`SigningKey::sign`] does.
    pub fn sign_payload(&self, typ: &str, payload: &[u8]) -> Result<String, JwsError> {
        let header = serde_json::to_vec(&SignedHeader {
            alg: self.alg(),
            typ,
            kid: &self.kid,
        })
        .map_err(|_| JwsError::Claims)?;
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(payload));
        let signature = match &self.pair {
            // RFC 7518 §3.4: the JWS signature is R || S, 32 bytes each.
            Pair::Es256 { pair, .. } => pair
                .sign(&SystemRandom::new(), token.as_bytes())
                .map_err(|_| JwsError::Key)?
                .as_ref()
                .to_vec(),
            // RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256.
            Pair::Rs256 { pair, .. } => {
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(
                    &sig::RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    token.as_bytes(),
                    &mut out,
                )
                .map_err(|_| JwsError::Key)?;
                out
            }
        };
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(token)
    }

    /// Verifies an access token this key issued: "alg" must be ES256 (RFC 8725 §3.1), a "kid",
    /// if present, must be this key's, and the signature must verify (RFC 7515 §5.2 step 8).
    /// An ES256 key also signs the ID tokens of apps that chose ES256, so the caller must
    /// check `typ` too (`at+jwt`, RFC 9068 §4). RS256 keys sign only ID tokens, which the
    /// server never takes back: always false.
    pub fn verify(&self, jws: &Jws) -> bool {
        match &self.pair {
            Pair::Es256 { verifier, .. } => {
                jws.header.alg == SigningAlg::ES256.as_str()
                    && jws.header.kid.as_deref().is_none_or(|kid| kid == self.kid)
                    && verifier
                        .verify_sig(jws.signing_input.as_bytes(), &jws.signature)
                        .is_ok()
            }
            Pair::Rs256 { .. } => false,
        }
    }

    /// Verifies a token this key signed with its own algorithm, whatever the token is: the
    /// "alg" header must be this key's (RFC 8725 §3.1, no algorithm switching), a "kid", if
    /// present, must be this key's, and the signature must verify (RFC 7515 §5.2 step 8). For
    /// the ID tokens an app hands back as `id_token_hint` (OpenID Connect RP-Initiated Logout
    /// 1.0 §2); the caller checks `typ` and the claims.
    pub fn verify_own(&self, jws: &Jws) -> bool {
        if jws.header.alg != self.alg().as_str()
            || jws.header.kid.as_deref().is_some_and(|kid| kid != self.kid)
        {
            return false;
        }
        match &self.pair {
            Pair::Es256 { verifier, .. } => verifier
                .verify_sig(jws.signing_input.as_bytes(), &jws.signature)
                .is_ok(),
            Pair::Rs256 { pair, .. } => sig::UnparsedPublicKey::new(
                &sig::RSA_PKCS1_2048_8192_SHA256,
                pair.public_key().as_ref(),
            )
            .verify(jws.signing_input.as_bytes(), &jws.signature)
            .is_ok(),
        }
    }
}

/// RFC 7518 §6.3.1: the members e, kty and n of an RSA public key.
fn rsa_members(pair: &RsaKeyPair) -> Result<Map<String, Value>, JwsError> {
    use pkcs1::der::Decode;
    // The public key is a PKCS#1 RSAPublicKey (RFC 8017 §A.1.1).
    let public =
        pkcs1::RsaPublicKey::from_der(pair.public_key().as_ref()).map_err(|_| JwsError::Key)?;
    let mut jwk = Map::new();
    jwk.insert("kty".to_owned(), Value::from("RSA"));
    jwk.insert(
        "n".to_owned(),
        Value::from(URL_SAFE_NO_PAD.encode(public.modulus.as_bytes())),
    );
    jwk.insert(
        "e".to_owned(),
        Value::from(URL_SAFE_NO_PAD.encode(public.public_exponent.as_bytes())),
    );
    Ok(jwk)
}

/// RFC 7518 §6.2.1: the members crv, kty, x and y of a P-256 public key given as 0x04 || X || Y.
fn coordinates(point: &[u8]) -> Map<String, Value> {
    let (x, y) = match point.split_first() {
        Some((0x04, xy)) if xy.len() == 64 => xy.split_at(32),
        _ => (&[][..], &[][..]),
    };
    let mut jwk = Map::new();
    jwk.insert("kty".to_owned(), Value::from("EC"));
    jwk.insert("crv".to_owned(), Value::from("P-256"));
    jwk.insert("x".to_owned(), Value::from(URL_SAFE_NO_PAD.encode(x)));
    jwk.insert("y".to_owned(), Value::from(URL_SAFE_NO_PAD.encode(y)));
    jwk
}

/// RFC 7638 thumbprint of a P-256 public key, used as the kid of server signing keys.
fn thumbprint(point: &[u8]) -> Result<String, JwsError> {
    super::app_key::jwk_thumbprint(&Value::Object(coordinates(point))).map_err(|_| JwsError::Key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use serde_json::json;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn verify_own_takes_each_keys_own_tokens_only() {
        let (es, _) = SigningKey::generate().unwrap();
        let (rs, _) = SigningKey::generate_rs256().unwrap();
        let (other, _) = SigningKey::generate().unwrap();
        let claims = json!({"sub": "u"});
        for key in [&es, &rs] {
            let token = key.sign("JWT", &claims).unwrap();
            assert!(key.verify_own(&parse(&token).unwrap()), "{:?}", key.alg());
            // Another key, or a payload changed under the signature, does not verify.
            let foreign = if key.alg() == SigningAlg::ES256 {
                &rs
            } else {
                &es
            };
            assert!(!foreign.verify_own(&parse(&token).unwrap()));
            let (head, rest) = token.split_once('.').unwrap();
            let sig = rest.rsplit_once('.').unwrap().1;
            let changed = format!("{head}.{}.{sig}", b64(r#"{"sub":"v"}"#));
            assert!(!key.verify_own(&parse(&changed).unwrap()));
        }
        let token = other.sign("JWT", &claims).unwrap();
        assert!(!es.verify_own(&parse(&token).unwrap()), "another ES256 key");
        // RS256 keys still never verify access tokens.
        let token = rs.sign("at+jwt", &claims).unwrap();
        assert!(!rs.verify(&parse(&token).unwrap()));
    }

    #[test]
    fn parse_rejects_wrong_part_counts() {
        let h = b64(r#"{"alg":"ES256"}"#);
        let p = b64("{}");
        assert_eq!(
            parse(&format!("{h}.{p}")).unwrap_err(),
            JwsError::NotThreeParts
        );
        assert_eq!(
            parse(&format!("{h}.{p}.AA.AA")).unwrap_err(),
            JwsError::NotThreeParts
        );
        assert_eq!(
            parse(&format!("{h}.{p}.AA.AA.AA")).unwrap_err(),
            JwsError::NotThreeParts
        );
        assert_eq!(parse("").unwrap_err(), JwsError::NotThreeParts);
        assert_eq!(parse("..").unwrap_err(), JwsError::HeaderNotObject);
        assert!(parse(&format!("{h}.{p}.AA")).is_ok());
    }

    #[test]
    fn parse_rejects_bad_base64() {
        let h = b64(r#"{"alg":"ES256"}"#);
        let p = b64("{}");
        assert_eq!(
            parse(&format!("{h}=.{p}.AA")).unwrap_err(),
            JwsError::Base64("header")
        );
        assert_eq!(
            parse(&format!("{h}.{p}+.AA")).unwrap_err(),
            JwsError::Base64("payload")
        );
        assert_eq!(
            parse(&format!("{h}.{p}.A")).unwrap_err(),
            JwsError::Base64("signature")
        );
        assert_eq!(
            parse(&format!("{h}.{p}.AA==")).unwrap_err(),
            JwsError::Base64("signature")
        );
        assert_eq!(
            parse(&format!("{h}.{p}.A/")).unwrap_err(),
            JwsError::Base64("signature")
        );
    }

    #[test]
    fn parse_rejects_bad_headers() {
        let p = b64("{}");
        for header in ["[]", "\"ES256\"", "null", "{", "not json", ""] {
            assert_eq!(
                parse(&format!("{}.{p}.AA", b64(header))).unwrap_err(),
                JwsError::HeaderNotObject,
                "{header}"
            );
        }
        let crit = b64(r#"{"alg":"ES256","crit":["exp"],"exp":1}"#);
        assert_eq!(
            parse(&format!("{crit}.{p}.AA")).unwrap_err(),
            JwsError::Crit
        );
        let no_alg = b64(r#"{"typ":"JWT"}"#);
        assert!(matches!(
            parse(&format!("{no_alg}.{p}.AA")),
            Err(JwsError::Header(_))
        ));
        let bad_kid = b64(r#"{"alg":"ES256","kid":5}"#);
        assert!(matches!(
            parse(&format!("{bad_kid}.{p}.AA")),
            Err(JwsError::Header(_))
        ));
        let long = "A".repeat(MAX_JWS_LEN + 1);
        assert_eq!(parse(&long).unwrap_err(), JwsError::TooLong);
    }

    #[test]
    fn parse_keeps_header_fields_and_ignores_unknown_ones() {
        let h = b64(r#"{"alg":"RS256","kid":"k1","typ":"JWT","x5t":"abc"}"#);
        let token = format!("{h}.{}.AQID", b64(r#"{"sub":"a"}"#));
        let jws = parse(&token).unwrap();
        assert_eq!(
            jws.header,
            Header {
                alg: "RS256".to_owned(),
                kid: Some("k1".to_owned()),
                typ: Some("JWT".to_owned())
            }
        );
        assert_eq!(jws.claims_json, br#"{"sub":"a"}"#);
        assert_eq!(jws.signature, [1, 2, 3]);
        assert_eq!(jws.signing_input, &token[..token.len() - 5]);
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let (key, pkcs8) = SigningKey::generate().unwrap();
        let claims = json!({"iss": "https://portico.example", "sub": "user-1", "exp": 1});
        let token = key.sign("at+jwt", &claims).unwrap();
        let jws = parse(&token).unwrap();
        assert_eq!(jws.header.alg, "ES256");
        assert_eq!(jws.header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(jws.header.kid.as_deref(), Some(key.kid()));
        assert_eq!(jws.signature.len(), 64);
        let decoded: Value = serde_json::from_slice(&jws.claims_json).unwrap();
        assert_eq!(decoded, claims);
        assert!(key.verify(&jws));

        // The same key reloaded from storage verifies it too.
        let reloaded = SigningKey::from_pkcs8(&pkcs8, key.kid().to_owned()).unwrap();
        assert!(reloaded.verify(&jws));
        assert_eq!(reloaded.verifying_key(), key.verifying_key());

        // Another key does not.
        let (other, _) = SigningKey::generate().unwrap();
        assert!(!other.verify(&jws));
        let other_same_kid = SigningKey::from_pkcs8(&pkcs8, "other".to_owned()).unwrap();
        assert!(!other_same_kid.verify(&jws));

        // An app verifier built from the public JWK agrees (RFC 7518 §3.4 R || S form).
        let jwk = key.public_jwk().to_string();
        let verifier = super::super::app_key::VerifyingKey::from_jwk_json(&jwk).unwrap();
        assert!(verifier.verify(jws.signing_input.as_bytes(), &jws.signature));
    }

    #[test]
    fn tampered_tokens_fail_verify() {
        let (key, _) = SigningKey::generate().unwrap();
        let token = key.sign("JWT", &json!({"sub": "user-1"})).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_payload = b64(r#"{"sub":"admin"}"#);
        parts[1] = &forged_payload;
        let forged = parts.join(".");
        assert!(!key.verify(&parse(&forged).unwrap()));

        // alg confusion: same signature, header claiming another alg.
        let mut jws = parse(&token).unwrap();
        jws.header.alg = "none".to_owned();
        assert!(!key.verify(&jws));

        // Flipped signature bit.
        let mut jws = parse(&token).unwrap();
        jws.signature[10] ^= 1;
        assert!(!key.verify(&jws));
    }

    #[test]
    fn public_jwk_and_kid() {
        let (key, _) = SigningKey::generate().unwrap();
        let jwk = key.public_jwk();
        assert_eq!(jwk["kty"], "EC");
        assert_eq!(jwk["crv"], "P-256");
        assert_eq!(jwk["alg"], "ES256");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], key.kid());
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(jwk["x"].as_str().unwrap())
                .unwrap()
                .len(),
            32
        );
        assert_eq!(
            key.kid(),
            super::super::app_key::jwk_thumbprint(&jwk).unwrap()
        );
        let imported = super::super::app_key::import_jwk(&jwk).unwrap();
        assert_eq!(imported.thumbprint, key.kid());
        assert_eq!(key.verifying_key().len(), 65);
        assert!(!format!("{key:?}").contains("pair"));
        assert!(SigningKey::from_pkcs8(b"garbage", "k".to_owned()).is_err());
    }

    #[test]
    fn never_panics_on_odd_tokens() {
        for token in [
            ".",
            "..",
            "...",
            "a.b.c",
            "é.é.é",
            "\u{0}.\u{0}.\u{0}",
            "e30.e30.",
            "e30..AA",
        ] {
            let _ = parse(token);
        }
        assert!(parse("e30..").is_err()); // header {} has no alg
    }
}

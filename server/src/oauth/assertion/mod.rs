//! JWT assertions (RFC 7523): the `urn:ietf:params:oauth:grant-type:jwt-bearer` authorization
//! grant (RFC 7523 §2.1) and `private_key_jwt` client authentication (RFC 7523 §2.2, OIDC Core
//! §9), both checked by [`validate`] against the public keys registered for the client.
//!
//! The order follows RFC 8725 §3: the algorithm is chosen by the registered key, never by the
//! token (§3.1); only asymmetric algorithms are accepted (§3.2), so a token "signed" with HMAC
//! keyed by the public key is refused; the signature is verified before any claim is read
//! (RFC 7515 §5.2 step 8); then the claims are checked as RFC 7523 §3 requires. The caller keeps
//! each `jti` until `exp` to refuse replays (RFC 7523 §3 point 7, OIDC Core §9).
//!
//! Every refusal is an [`AssertionError`] whose message is safe to send as an RFC 6749 §5.2
//! `error_description` (printable ASCII without `"` or `\`). Nothing here panics, whatever the
//! input.

use std::sync::Arc;

use portico_proto::KeyAlg;
use serde_json::{Map, Number, Value};

use crate::crypto::app_key::VerifyingKey;
use crate::crypto::jws::{self, JwsError};
use crate::runtime::clients::{Client, RegisteredKey};

/// Clock skew allowed when checking `exp` (RFC 7519 §4.1.4: "some small leeway").
const EXP_LEEWAY_SECS: i64 = 5;
/// How far ahead `exp` may be (RFC 7523 §3 point 4: the server "MAY reject JWTs with an "exp"
/// claim value that is unreasonably far in the future").
const MAX_LIFETIME_SECS: i64 = 3600;
/// Clock skew allowed for `iat` and `nbf` in the future (RFC 7519 §4.1.5, §4.1.6).
const FUTURE_LEEWAY_SECS: i64 = 60;
/// Longest `jti` accepted; the caller stores it until `exp`.
const MAX_JTI_CHARS: usize = 256;

/// A client's registered public keys as `validate` takes them, parsed when the client was
/// loaded into the cache.
pub fn registered_keys(client: &Client) -> Arc<[RegisteredKey]> {
    client.keys.clone()
}

/// What the assertion is used for; RFC 7523 §3 point 2 constrains `sub` differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `private_key_jwt` (RFC 7523 §2.2, §3 point 2): `sub` MUST be the client_id.
    ClientAuthentication,
    /// The JWT bearer grant (RFC 7523 §2.1, §3 point 2): `sub` names the principal for whom
    /// access is requested.
    AuthorizationGrant,
}

/// What a valid assertion must say.
#[derive(Debug, Clone, Copy)]
pub struct Expectations<'a> {
    /// `iss` must equal this; for client authentication `sub` must too.
    pub client_id: &'a str,
    /// Accepted `aud` values: the issuer identifier and the token endpoint URL. At least one
    /// element of `aud` (a string or an array) must equal one of them.
    pub audiences: &'a [&'a str],
    /// Unix seconds.
    pub now: i64,
    pub purpose: Purpose,
}

/// The claims of a verified assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertionClaims {
    pub iss: String,
    pub sub: String,
    /// Unique identifier; the caller refuses it a second time until `exp`.
    pub jti: String,
    pub exp: i64,
    pub iat: Option<i64>,
    /// The kid of the registered key that verified the signature.
    pub kid: String,
}

/// Why an assertion was refused. Messages are safe to send to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssertionError {
    #[error("The assertion is not a well-formed JWT: {}", client_safe(&.0.to_string()))]
    Malformed(JwsError),
    #[error(
        "The assertion alg must be RS256, ES256, EdDSA or Ed25519 (none and HMAC are refused)."
    )]
    UnsupportedAlg,
    #[error("The assertion typ header must be JWT or be left out.")]
    UnsupportedTyp,
    #[error("The assertion kid does not match any public key registered for this client.")]
    UnknownKid,
    #[error("Several public keys registered for this client have the assertion kid.")]
    DuplicateKid,
    #[error("No public key registered for this client verifies {0} signatures.")]
    NoKeyForAlg(KeyAlg),
    #[error("Several public keys registered for this client use {0}; name one in the kid header.")]
    KidRequired(KeyAlg),
    #[error("The assertion alg is {header}, but the key named by its kid is a {key} key.")]
    KeyAlgMismatch { header: KeyAlg, key: KeyAlg },
    #[error("The public key registered for this client could not be loaded.")]
    UnusableKey,
    #[error("The assertion signature is not valid.")]
    BadSignature,
    #[error("The assertion claims are not a JSON object.")]
    ClaimsNotObject,
    #[error("The assertion has no {0} claim.")]
    MissingClaim(&'static str),
    #[error("The assertion {0} claim is empty.")]
    EmptyClaim(&'static str),
    #[error("The assertion {claim} claim must be {expected}.")]
    ClaimType {
        claim: &'static str,
        expected: &'static str,
    },
    #[error("The assertion iss must be the client_id.")]
    IssuerMismatch,
    #[error("The assertion sub must be the client_id for client authentication.")]
    SubjectMismatch,
    #[error("The assertion aud must contain the issuer or the token endpoint URL of this server.")]
    AudienceMismatch,
    #[error("The assertion has expired (5 s of clock skew are allowed).")]
    Expired,
    #[error("The assertion exp is more than 1 hour in the future: make assertions short-lived.")]
    ExpiryTooFar,
    #[error("The assertion iat is more than 60 s in the future.")]
    IssuedInFuture,
    #[error("The assertion is not valid yet (its nbf is more than 60 s in the future).")]
    NotYetValid,
    #[error("The assertion jti is longer than 256 characters.")]
    JtiTooLong,
}

/// RFC 6749 §5.2: `error_description` is limited to %x20-21 / %x23-5B / %x5D-7E.
fn client_safe(message: &str) -> String {
    message
        .chars()
        .filter_map(|c| match c {
            '"' => Some('\''),
            '\\' => Some('/'),
            ' '..='~' => Some(c),
            _ => None,
        })
        .take(200)
        .collect()
}

/// Validates a JWT assertion signed by the client `expect.client_id` with one of `keys`
/// (RFC 7523 §3), and returns its claims.
pub fn validate(
    token: &str,
    keys: &[RegisteredKey],
    expect: &Expectations<'_>,
) -> Result<AssertionClaims, AssertionError> {
    // RFC 7515 §5.2 steps 1-7 (and the 16 KiB cap, and refusal of "crit", RFC 7515 §4.1.11).
    let jws = jws::parse(token).map_err(AssertionError::Malformed)?;
    let alg = check_header(&jws)?;

    let (kid, key) = select_key(jws.header.kid.as_deref(), alg, keys)?;

    // RFC 7523 §3 point 9: "The authorization server MUST reject JWTs with an invalid
    // signature". Nothing in the payload is read before this.
    if !key.verify(jws.signing_input.as_bytes(), &jws.signature) {
        return Err(AssertionError::BadSignature);
    }

    // RFC 7519 §7.2 step 10: the claims set is a JSON object. Duplicate member names take the
    // lexically last value (RFC 7519 §4).
    let claims = match serde_json::from_slice::<Value>(&jws.claims_json) {
        Ok(Value::Object(claims)) => claims,
        _ => return Err(AssertionError::ClaimsNotObject),
    };
    check_claims(&claims, kid, expect)
}

/// The header's algorithm, when it is one a registered key can have, and its `typ`.
fn check_header(jws: &jws::Jws) -> Result<KeyAlg, AssertionError> {
    // RFC 8725 §3.1, §3.2: only the asymmetric algorithms a registered key can have; "none"
    // and HS256/384/512 (whose key could be taken to be the public key) are refused here.
    let alg = header_alg(&jws.header.alg).ok_or(AssertionError::UnsupportedAlg)?;

    // RFC 7519 §5.1 / RFC 7515 §4.1.9: "typ" is optional; when present it must say JWT
    // (compared case-insensitively, "application/" implied), so that other JWT kinds such as
    // access tokens (at+jwt) are not accepted as assertions (RFC 8725 §3.11).
    if let Some(typ) = &jws.header.typ {
        let typ = typ.to_ascii_lowercase();
        if typ != "jwt" && typ != "application/jwt" {
            return Err(AssertionError::UnsupportedTyp);
        }
    }
    Ok(alg)
}

/// Picks the registered key that must verify the signature (RFC 7515 §4.1.4, RFC 8725 §3.1).
fn select_key<'k>(
    header_kid: Option<&str>,
    alg: KeyAlg,
    keys: &'k [RegisteredKey],
) -> Result<(&'k str, &'k VerifyingKey), AssertionError> {
    match header_kid {
        // RFC 7515 §4.1.4: the kid names the key; it is compared exactly (RFC 7517 §4.5).
        Some(kid) => {
            let mut named = keys.iter().filter(|k| k.kid == kid);
            let Some(registered) = named.next() else {
                return Err(AssertionError::UnknownKid);
            };
            if named.next().is_some() {
                return Err(AssertionError::DuplicateKid);
            }
            let key = registered
                .verifier
                .as_ref()
                .ok_or(AssertionError::UnusableKey)?;
            // RFC 8725 §3.1: the key decides the algorithm; never verify, say, an RS256
            // header with an EC key.
            if key.alg() != alg {
                return Err(AssertionError::KeyAlgMismatch {
                    header: alg,
                    key: key.alg(),
                });
            }
            Ok((&registered.kid, key))
        }
        // Without a kid, the one registered key of this algorithm, if there is exactly one.
        None => {
            let mut candidates = keys.iter().filter_map(|registered| {
                registered
                    .verifier
                    .as_ref()
                    .filter(|key| key.alg() == alg)
                    .map(|key| (registered.kid.as_str(), key))
            });
            let Some(found) = candidates.next() else {
                return Err(AssertionError::NoKeyForAlg(alg));
            };
            if candidates.next().is_some() {
                return Err(AssertionError::KidRequired(alg));
            }
            Ok(found)
        }
    }
}

/// RFC 7523 §3 points 1-7, on a claims set whose signature is already verified.
fn check_claims(
    claims: &Map<String, Value>,
    kid: &str,
    expect: &Expectations<'_>,
) -> Result<AssertionClaims, AssertionError> {
    // RFC 7523 §3 point 1: "The JWT MUST contain an "iss" (issuer) claim"; for both uses the
    // issuer is the client (RFC 7523 §2.2; for the grant, a self-issued assertion).
    let iss = required_string(claims, "iss")?;
    if iss != expect.client_id {
        return Err(AssertionError::IssuerMismatch);
    }

    // RFC 7523 §3 point 2: "The JWT MUST contain a "sub" (subject) claim"; "For client
    // authentication, the subject MUST be the "client_id" of the OAuth client."
    let sub = required_string(claims, "sub")?;
    if expect.purpose == Purpose::ClientAuthentication && sub != expect.client_id {
        return Err(AssertionError::SubjectMismatch);
    }

    // RFC 7523 §3 point 3: "The authorization server MUST reject any JWT that does not contain
    // its own identity as the intended audience." RFC 7519 §4.1.3: a string or an array.
    if !audience_matches(claims, expect.audiences)? {
        return Err(AssertionError::AudienceMismatch);
    }

    // RFC 7523 §3 point 4: "The JWT MUST contain an "exp" (expiration time) claim"; expired
    // JWTs are rejected "subject to allowable clock skew", and one "unreasonably far in the
    // future" may be.
    let exp = numeric_claim(claims, "exp")?.ok_or(AssertionError::MissingClaim("exp"))?;
    if exp <= expect.now.saturating_sub(EXP_LEEWAY_SECS) {
        return Err(AssertionError::Expired);
    }
    if exp > expect.now.saturating_add(MAX_LIFETIME_SECS) {
        return Err(AssertionError::ExpiryTooFar);
    }

    // RFC 7523 §3 point 5: "The authorization server MUST reject a JWT with an "nbf" claim
    // whose value is in the future", with a small leeway (RFC 7519 §4.1.5).
    if let Some(nbf) = numeric_claim(claims, "nbf")? {
        if nbf > expect.now.saturating_add(FUTURE_LEEWAY_SECS) {
            return Err(AssertionError::NotYetValid);
        }
    }

    // RFC 7523 §3 point 6: "iat" is optional; one from the future is not a real issue time.
    let iat = numeric_claim(claims, "iat")?;
    if iat.is_some_and(|iat| iat > expect.now.saturating_add(FUTURE_LEEWAY_SECS)) {
        return Err(AssertionError::IssuedInFuture);
    }

    // RFC 7523 §3 point 7 and OIDC Core §9: "jti" is REQUIRED for private_key_jwt; Portico
    // requires it for both uses so that every assertion is single-use.
    let jti = required_string(claims, "jti")?;
    if jti.chars().count() > MAX_JTI_CHARS {
        return Err(AssertionError::JtiTooLong);
    }

    Ok(AssertionClaims {
        iss: iss.to_owned(),
        sub: sub.to_owned(),
        jti: jti.to_owned(),
        exp,
        iat,
        kid: kid.to_owned(),
    })
}

/// A required, non-empty string claim (RFC 7519 §4.1: StringOrURI values are strings).
fn required_string<'c>(
    claims: &'c Map<String, Value>,
    name: &'static str,
) -> Result<&'c str, AssertionError> {
    match claims.get(name) {
        None => Err(AssertionError::MissingClaim(name)),
        Some(Value::String(s)) if s.is_empty() => Err(AssertionError::EmptyClaim(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(AssertionError::ClaimType {
            claim: name,
            expected: "a string",
        }),
    }
}

/// An optional NumericDate claim (RFC 7519 §2: seconds, possibly non-integer), floored to whole
/// seconds; values beyond the range of `i64` saturate.
fn numeric_claim(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<i64>, AssertionError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(Some(numeric_date(n))),
        Some(_) => Err(AssertionError::ClaimType {
            claim: name,
            expected: "a number (NumericDate)",
        }),
    }
}

fn numeric_date(n: &Number) -> i64 {
    if let Some(i) = n.as_i64() {
        i
    } else if n.as_u64().is_some() {
        // Larger than i64::MAX.
        i64::MAX
    } else {
        // `as` saturates at the bounds of i64 (NaN cannot come from JSON).
        n.as_f64().map_or(0, |f| f.floor() as i64)
    }
}

/// RFC 7519 §4.1.3: "aud" is one string or an array of strings; one must be accepted.
fn audience_matches(
    claims: &Map<String, Value>,
    accepted: &[&str],
) -> Result<bool, AssertionError> {
    const EXPECTED: &str = "a string or an array of strings";
    match claims.get("aud") {
        None => Err(AssertionError::MissingClaim("aud")),
        Some(Value::String(aud)) => Ok(accepted.contains(&aud.as_str())),
        Some(Value::Array(auds)) => {
            let mut found = false;
            for aud in auds {
                let Value::String(aud) = aud else {
                    return Err(AssertionError::ClaimType {
                        claim: "aud",
                        expected: EXPECTED,
                    });
                };
                found |= accepted.contains(&aud.as_str());
            }
            Ok(found)
        }
        Some(_) => Err(AssertionError::ClaimType {
            claim: "aud",
            expected: EXPECTED,
        }),
    }
}

/// The checks of [`validate`] that need no key: the assertion is a well-formed JWS with an
/// accepted `alg` and `typ`, and its claims are a JSON object. Returns its `iss`, read
/// WITHOUT verifying it, only to find which client's keys to load before calling
/// [`validate`] (RFC 7523 §3 point 1); `None` when there is no non-empty string `iss`.
///
/// Every refusal here depends only on what the caller sent, never on a client or a key, so
/// it may be told to anyone (`client_auth` relies on this).
pub fn inspect(token: &str) -> Result<Option<String>, AssertionError> {
    let jws = jws::parse(token).map_err(AssertionError::Malformed)?;
    check_header(&jws)?;
    match serde_json::from_slice::<Value>(&jws.claims_json) {
        Ok(Value::Object(mut claims)) => Ok(match claims.remove("iss") {
            Some(Value::String(iss)) if !iss.is_empty() => Some(iss),
            _ => None,
        }),
        _ => Err(AssertionError::ClaimsNotObject),
    }
}

/// RFC 7523 §3 point 7: a `jti` seen before, in either use.
pub const JTI_REUSED: &str = "The assertion jti was already used: every assertion needs a new \
     jti (RFC 7523 section 3).";

impl AssertionError {
    /// Whether the refusal is about which registered key verifies the signature, or the
    /// signature itself (RFC 8725 §3.1, RFC 7523 §3 point 9): what an assertion forged by a
    /// stranger fails on. Everything else is checked on claims the signature vouches for, or
    /// on the token's shape.
    pub fn is_about_the_signature(&self) -> bool {
        matches!(
            self,
            AssertionError::UnknownKid
                | AssertionError::DuplicateKid
                | AssertionError::NoKeyForAlg(_)
                | AssertionError::KidRequired(_)
                | AssertionError::KeyAlgMismatch { .. }
                | AssertionError::UnusableKey
                | AssertionError::BadSignature
        )
    }

    /// The `error_description` for this refusal under `expect`: the message, with the values
    /// accepted for `aud`, and the server's time for the time checks, so that the caller
    /// sees which rule of RFC 7523 §3 it broke and by how much.
    pub fn describe(&self, expect: &Expectations<'_>) -> String {
        match self {
            AssertionError::AudienceMismatch => {
                let mut accepted: Vec<&str> = Vec::new();
                for aud in expect.audiences {
                    if !accepted.contains(aud) {
                        accepted.push(aud);
                    }
                }
                client_safe(&format!(
                    "The assertion aud must contain one of: {}.",
                    accepted.join(", ")
                ))
            }
            AssertionError::Expired
            | AssertionError::ExpiryTooFar
            | AssertionError::NotYetValid
            | AssertionError::IssuedInFuture => format!(
                "{self} The server's time is {} (seconds since 1970).",
                expect.now
            ),
            other => other.to_string(),
        }
    }
}

/// The JWS `alg` header as a key algorithm. RFC 9864 §2 names the Ed25519 signature
/// `Ed25519` and deprecates the polymorphic `EdDSA`; clients send either, so both map to an
/// Ed25519 key.
fn header_alg(alg: &str) -> Option<KeyAlg> {
    match alg {
        "Ed25519" => Some(KeyAlg::EdDSA),
        other => KeyAlg::parse(other),
    }
}

#[cfg(test)]
mod tests;

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

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
    RsaPublicKeyComponents,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use portico_proto::KeyAlg;
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use spki::der::Decode as _;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

/// Largest PEM or JWK text accepted; an 8192-bit RSA public key needs about 1.5 KiB.
const MAX_TEXT_LEN: usize = 16 * 1024;
const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 8192;

/// RFC 8017 §A.1: rsaEncryption.
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// RFC 5480 §2.1.1: id-ecPublicKey.
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// RFC 5480 §2.1.1.1: named curves.
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
/// RFC 8410 §3: X25519, Ed25519, Ed448.
const OID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const OID_X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");

/// JWK members that only a private (or symmetric) key has: RFC 7518 §6.2.2, §6.3.2, §6.4.1 and
/// RFC 8037 §2.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Why a key was refused. The messages are shown to administrators as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("The key is too long (at most 16 KiB of text).")]
    TooLong,
    #[error("The PEM is not a public key (expected -----BEGIN PUBLIC KEY-----).")]
    NotPublicKeyPem,
    #[error("This is a private key; paste the public key only.")]
    PrivateKey,
    #[error("This JWK contains the private member \"{0}\"; paste the public key only.")]
    PrivateJwkMember(String),
    #[error(
        "This is a certificate; paste its public key instead \
         (openssl x509 -pubkey -noout -in cert.pem prints it)."
    )]
    Certificate,
    #[error(
        "This is an OpenSSH public key; convert it first \
         (ssh-keygen -e -m PKCS8 -f key.pub prints -----BEGIN PUBLIC KEY-----)."
    )]
    OpenSshKey,
    #[error("The PEM could not be read: {0}")]
    InvalidPem(&'static str),
    #[error("The public key could not be read: {0}")]
    Malformed(&'static str),
    #[error("Only RSA, EC P-256 and Ed25519 keys are accepted.")]
    UnsupportedKeyType,
    #[error("Only the P-256 curve is accepted for EC keys (this key uses {0}).")]
    UnsupportedEcCurve(String),
    #[error("Only Ed25519 is accepted for OKP keys (this key uses {0}).")]
    UnsupportedOkpCurve(String),
    #[error("RSA keys must be at least 2048 bits.")]
    RsaTooSmall,
    #[error("RSA keys must be at most 8192 bits.")]
    RsaTooLarge,
    #[error(
        "The RSA public exponent must be an odd number from 3 to 4294967295 (65537 is usual)."
    )]
    RsaExponent,
    #[error("The RSA modulus is not valid (it must be odd).")]
    RsaModulus,
    #[error("The EC public key is not a valid point on the P-256 curve.")]
    InvalidEcPoint,
    #[error(
        "Compressed EC points are not accepted; export the key with an uncompressed point \
         (the default of openssl ec -pubout)."
    )]
    CompressedEcPoint,
    #[error("The Ed25519 public key must be exactly 32 bytes.")]
    InvalidEd25519,
    #[error("The JWK is not valid JSON.")]
    NotJson,
    #[error("The JWK must be a JSON object.")]
    JwkNotObject,
    #[error("The JWK has no \"{0}\" member.")]
    MissingMember(&'static str),
    #[error("The JWK member \"{0}\" must be a string.")]
    MemberNotString(&'static str),
    #[error("The JWK member \"{0}\" is not valid base64url (RFC 7515 §2).")]
    MemberNotBase64(&'static str),
    #[error("The JWK \"alg\" is \"{found}\", but this key can only be used with \"{expected}\".")]
    AlgMismatch { found: String, expected: KeyAlg },
    #[error("The JWK \"use\" must be \"sig\" for a signing key.")]
    UseNotSig,
    #[error("The JWK \"key_ops\" must be a list that includes \"verify\".")]
    KeyOps,
    #[error("The key ID (kid) must be 1 to 64 characters of letters, digits, '.', '_' or '-'.")]
    InvalidKid,
    #[error("The key pair could not be generated; please try again.")]
    Generate,
}

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

/// A key pair made by the server. The private key is returned to the caller once and never
/// stored.
#[derive(Clone)]
pub struct GeneratedKey {
    pub public: AppPublicKey,
    /// PKCS#8 (RFC 5208 §5) in PEM, "-----BEGIN PRIVATE KEY-----" (RFC 7468 §10).
    pub private_key_pem: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("public", &self.public)
            .field("private_key_pem", &"[redacted]")
            .finish()
    }
}

/// The public material of an accepted key, already checked for size and form.
enum Material {
    /// Big-endian, without leading zeros (RFC 7518 §6.3.1).
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Full-size 32-byte coordinates (RFC 7518 §6.2.1.2, §6.2.1.3).
    Ec { x: Vec<u8>, y: Vec<u8> },
    /// RFC 8037 §2: the 32-byte public key.
    Ed25519 { x: Vec<u8> },
}

impl Material {
    fn rsa(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let Some(&first) = n.first() else {
            return Err(KeyError::RsaModulus);
        };
        let bits = (n.len() - 1) * 8 + (8 - first.leading_zeros() as usize);
        if bits < MIN_RSA_BITS {
            return Err(KeyError::RsaTooSmall);
        }
        if bits > MAX_RSA_BITS {
            return Err(KeyError::RsaTooLarge);
        }
        if n.last().is_none_or(|b| b & 1 == 0) {
            return Err(KeyError::RsaModulus);
        }
        // An odd exponent of at least 3 that fits in 32 bits (what RSA libraries accept).
        let e_value = if e.len() > 4 {
            0
        } else {
            e.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
        };
        if e_value < 3 || e_value & 1 == 0 {
            return Err(KeyError::RsaExponent);
        }
        Ok(Material::Rsa {
            n: n.to_vec(),
            e: e.to_vec(),
        })
    }

    fn ec(x: &[u8], y: &[u8]) -> Result<Self, KeyError> {
        // RFC 7518 §6.2.1.2: "The length of this octet string MUST be the full size of a
        // coordinate for the curve specified in the "crv" parameter."
        if x.len() != 32 || y.len() != 32 {
            return Err(KeyError::InvalidEcPoint);
        }
        Ok(Material::Ec {
            x: x.to_vec(),
            y: y.to_vec(),
        })
    }

    fn ed25519(x: &[u8]) -> Result<Self, KeyError> {
        if x.len() != 32 {
            return Err(KeyError::InvalidEd25519);
        }
        Ok(Material::Ed25519 { x: x.to_vec() })
    }

    fn alg(&self) -> KeyAlg {
        match self {
            Material::Rsa { .. } => KeyAlg::RS256,
            Material::Ec { .. } => KeyAlg::ES256,
            Material::Ed25519 { .. } => KeyAlg::EdDSA,
        }
    }

    /// RFC 7638 §3.2: the required members, in lexicographic order, with base64url values
    /// (RFC 8037 §2 for OKP).
    fn required_members(&self) -> Vec<(&'static str, String)> {
        match self {
            Material::Rsa { n, e } => vec![
                ("e", URL_SAFE_NO_PAD.encode(e)),
                ("kty", "RSA".to_owned()),
                ("n", URL_SAFE_NO_PAD.encode(n)),
            ],
            Material::Ec { x, y } => vec![
                ("crv", "P-256".to_owned()),
                ("kty", "EC".to_owned()),
                ("x", URL_SAFE_NO_PAD.encode(x)),
                ("y", URL_SAFE_NO_PAD.encode(y)),
            ],
            Material::Ed25519 { x } => vec![
                ("crv", "Ed25519".to_owned()),
                ("kty", "OKP".to_owned()),
                ("x", URL_SAFE_NO_PAD.encode(x)),
            ],
        }
    }

    /// Builds the aws-lc-rs key; for EC this is where a point off the curve is refused.
    fn verifier(&self) -> Result<ParsedPublicKey, KeyError> {
        match self {
            // RFC 7518 §3.3: RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 bits or more.
            Material::Rsa { n, e } => RsaPublicKeyComponents {
                n: n.as_slice(),
                e: e.as_slice(),
            }
            .to_parsed_public_key(&sig::RSA_PKCS1_2048_8192_SHA256)
            .map_err(|_| KeyError::Malformed("the RSA key components are not consistent.")),
            // RFC 7518 §3.4: the signature is the 64-byte R || S, not DER.
            Material::Ec { x, y } => {
                let mut point = Vec::with_capacity(65);
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                ParsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point)
                    .map_err(|_| KeyError::InvalidEcPoint)
            }
            // RFC 8037 §3.1: EdDSA with Ed25519.
            Material::Ed25519 { x } => ParsedPublicKey::new(&sig::ED25519, x.as_slice())
                .map_err(|_| KeyError::InvalidEd25519),
        }
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Serialises members as a JSON object in the given order, without whitespace
/// (RFC 7638 §3.3 for thumbprints; the same form is used for the stored JWK).
fn compact_json(members: &[(&str, String)]) -> String {
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
fn thumbprint_of(required_members: &[(&str, String)]) -> String {
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

fn string_member<'a>(obj: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, KeyError> {
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
fn parse_jwk(jwk: &Value) -> Result<(Material, Option<String>), KeyError> {
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

/// Checks the key with aws-lc-rs and builds the stored form; kid defaults to the thumbprint.
fn finish(material: Material, kid: Option<String>) -> Result<AppPublicKey, KeyError> {
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

/// Imports a public JWK (RFC 7517 §4): RSA, EC P-256 or OKP Ed25519.
pub fn import_jwk(jwk: &Value) -> Result<AppPublicKey, KeyError> {
    let (material, kid) = parse_jwk(jwk)?;
    finish(material, kid)
}

/// Imports a PEM public key: SubjectPublicKeyInfo "PUBLIC KEY" (RFC 7468 §13) or PKCS#1
/// "RSA PUBLIC KEY" (RFC 8017 §A.1.1). The kid is the RFC 7638 thumbprint.
pub fn import_pem(pem: &str) -> Result<AppPublicKey, KeyError> {
    if pem.len() > MAX_TEXT_LEN {
        return Err(KeyError::TooLong);
    }
    if pem.contains("PRIVATE KEY-----") || pem.contains("PuTTY-User-Key-File") {
        return Err(KeyError::PrivateKey);
    }
    let trimmed = pem.trim_start();
    if ["ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-"]
        .iter()
        .any(|p| trimmed.starts_with(p))
        || pem.contains("BEGIN SSH2 PUBLIC KEY")
    {
        return Err(KeyError::OpenSshKey);
    }
    let (label, der) = decode_pem(pem)?;
    match label {
        "PUBLIC KEY" => material_from_spki(&der).and_then(|m| finish(m, None)),
        "RSA PUBLIC KEY" => {
            let key = pkcs1::RsaPublicKey::from_der(&der)
                .map_err(|_| KeyError::Malformed("its DER encoding is not a PKCS#1 RSA key."))?;
            finish(
                Material::rsa(key.modulus.as_bytes(), key.public_exponent.as_bytes())?,
                None,
            )
        }
        "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => Err(KeyError::Certificate),
        _ => Err(KeyError::NotPublicKeyPem),
    }
}

/// Finds the first PEM block and returns its label and decoded body (RFC 7468 §2, §3: the
/// base64 lines may be wrapped at any width and surrounded by whitespace).
fn decode_pem(pem: &str) -> Result<(&str, Vec<u8>), KeyError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let start = pem.find(BEGIN).ok_or(KeyError::NotPublicKeyPem)?;
    let after_begin = pem
        .get(start + BEGIN.len()..)
        .ok_or(KeyError::NotPublicKeyPem)?;
    let label_len = after_begin
        .find(DASHES)
        .ok_or(KeyError::InvalidPem("the BEGIN line is incomplete."))?;
    let label = after_begin
        .get(..label_len)
        .ok_or(KeyError::InvalidPem("the BEGIN line is incomplete."))?;
    if label.contains('\n') {
        return Err(KeyError::InvalidPem("the BEGIN line is incomplete."));
    }
    let rest = after_begin
        .get(label_len + DASHES.len()..)
        .ok_or(KeyError::InvalidPem("the BEGIN line is incomplete."))?;
    let end_line = format!("-----END {label}-----");
    let body_len = rest.find(&end_line).ok_or(KeyError::InvalidPem(
        "the END line is missing or does not match the BEGIN line.",
    ))?;
    let body = rest.get(..body_len).ok_or(KeyError::InvalidPem(
        "the END line is missing or does not match the BEGIN line.",
    ))?;
    if body.contains(':') {
        // RFC 7468 §2: headers (RFC 1421) are not part of a public key PEM.
        return Err(KeyError::InvalidPem(
            "it has headers, which public keys never have.",
        ));
    }
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = STANDARD
        .decode(b64.as_bytes())
        .map_err(|_| KeyError::InvalidPem("the text between BEGIN and END is not valid base64."))?;
    if der.is_empty() {
        return Err(KeyError::InvalidPem(
            "there is nothing between BEGIN and END.",
        ));
    }
    Ok((label, der))
}

/// RFC 5280 §4.1.2.7 SubjectPublicKeyInfo, with the key forms of RFC 8017 (RSA), RFC 5480 (EC)
/// and RFC 8410 (Ed25519).
fn material_from_spki(der: &[u8]) -> Result<Material, KeyError> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|_| KeyError::Malformed("its DER encoding is not a SubjectPublicKeyInfo."))?;
    let key_bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or(KeyError::Malformed(
            "the key bit string is not whole bytes.",
        ))?;
    let oid = spki.algorithm.oid;
    if oid == OID_RSA_ENCRYPTION {
        let key = pkcs1::RsaPublicKey::from_der(key_bytes)
            .map_err(|_| KeyError::Malformed("the RSA key inside is not valid DER."))?;
        Material::rsa(key.modulus.as_bytes(), key.public_exponent.as_bytes())
    } else if oid == OID_EC_PUBLIC_KEY {
        // RFC 5480 §2.1.1: the parameters name the curve.
        let curve = spki
            .algorithm
            .parameters_oid()
            .map_err(|_| KeyError::Malformed("the EC key does not name its curve."))?;
        if curve != OID_P256 {
            let name = match curve {
                c if c == OID_P384 => "P-384".to_owned(),
                c if c == OID_P521 => "P-521".to_owned(),
                c if c == OID_SECP256K1 => "secp256k1".to_owned(),
                c => format!("the curve {c}"),
            };
            return Err(KeyError::UnsupportedEcCurve(name));
        }
        // RFC 5480 §2.2 / SEC 1 §2.3.3: 0x04 || X || Y.
        match key_bytes.split_first() {
            Some((0x04, xy)) if xy.len() == 64 => {
                let (x, y) = xy.split_at(32);
                Material::ec(x, y)
            }
            Some((0x02 | 0x03, _)) => Err(KeyError::CompressedEcPoint),
            _ => Err(KeyError::InvalidEcPoint),
        }
    } else if oid == OID_ED25519 {
        // RFC 8410 §4: the raw 32-byte public key.
        Material::ed25519(key_bytes)
    } else if oid == OID_X25519 {
        Err(KeyError::UnsupportedOkpCurve("X25519".to_owned()))
    } else if oid == OID_X448 {
        Err(KeyError::UnsupportedOkpCurve("X448".to_owned()))
    } else if oid == OID_ED448 {
        Err(KeyError::UnsupportedOkpCurve("Ed448".to_owned()))
    } else {
        Err(KeyError::UnsupportedKeyType)
    }
}

/// RFC 7468 §2: base64 lines of 64 characters between BEGIN and END lines.
fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for (i, c) in b64.chars().enumerate() {
        if i > 0 && i % 64 == 0 {
            out.push('\n');
        }
        out.push(c);
    }
    out.push_str(&format!("\n-----END {label}-----\n"));
    out
}

/// Generates a key pair: ES256 (P-256), EdDSA (Ed25519) or RS256 (RSA 2048). The kid is the
/// RFC 7638 thumbprint; the PKCS#8 private key is only returned, never stored.
pub fn generate(alg: KeyAlg) -> Result<GeneratedKey, KeyError> {
    let (material, pkcs8) = match alg {
        KeyAlg::ES256 => {
            let pair = EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING)
                .map_err(|_| KeyError::Generate)?;
            let pkcs8 = pair.to_pkcs8v1().map_err(|_| KeyError::Generate)?;
            let material = match pair.public_key().as_ref().split_first() {
                Some((0x04, xy)) if xy.len() == 64 => {
                    let (x, y) = xy.split_at(32);
                    Material::ec(x, y)?
                }
                _ => return Err(KeyError::Generate),
            };
            (material, pkcs8.as_ref().to_vec())
        }
        KeyAlg::EdDSA => {
            let pair = Ed25519KeyPair::generate().map_err(|_| KeyError::Generate)?;
            let pkcs8 = pair.to_pkcs8v1().map_err(|_| KeyError::Generate)?;
            let material = Material::ed25519(pair.public_key().as_ref())?;
            (material, pkcs8.as_ref().to_vec())
        }
        KeyAlg::RS256 => {
            let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| KeyError::Generate)?;
            let pkcs8: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| KeyError::Generate)?;
            // The public key is a PKCS#1 RSAPublicKey (RFC 8017 §A.1.1).
            let public = pkcs1::RsaPublicKey::from_der(pair.public_key().as_ref())
                .map_err(|_| KeyError::Generate)?;
            let material =
                Material::rsa(public.modulus.as_bytes(), public.public_exponent.as_bytes())?;
            (material, pkcs8.as_ref().to_vec())
        }
    };
    Ok(GeneratedKey {
        public: finish(material, None)?,
        private_key_pem: pem_encode("PRIVATE KEY", &pkcs8),
    })
}

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
    /// Parses a stored JWK (normally [`AppPublicKey::jwk`]); it is checked as on import.
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
    use super::*;
    use aws_lc_rs::encoding::PublicKeyX509Der;
    use aws_lc_rs::rand::SystemRandom;
    use serde_json::json;

    /// RFC 7638 §3.1.
    const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    /// RFC 8037 §A.2.
    const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    /// A 1024-bit RSA public key (openssl genrsa 1024 | openssl rsa -pubout).
    const RSA_1024_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCqLmUwofhP842U9bdeThs5cKXw
qpMjx6THkh4ZTUVltj21ZwzeoGx0+4Y/ftKBTQu9gbxo9tBjh7AxZg7x+pzQHNgS
wOnUeO1uONBda2hmGTC7/7Qydoq1SjVzBeZNHUk+T0Gdr2p/Nmja2kAzVxDSJoZP
aF9jQvOtlU8ETIhGswIDAQAB
-----END PUBLIC KEY-----
";

    /// A P-384 public key (openssl ecparam -name secp384r1 -genkey | openssl ec -pubout).
    const P384_PEM: &str = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAExdmzrOYb0s9vyZHJwNLxB/ieWXBgZgrE
dZca3Nhk2NrdwlcScC1TTSPvbVZHrRjdBggPnLsr5BD9JuIQrMG8LadwIbJvw1rZ
Zbk/iv+cXsvesqUKKrqF4lROFuCQQTuH
-----END PUBLIC KEY-----
";

    /// A P-256 public key with a compressed point (openssl ec -pubout -conv_form compressed).
    const P256_COMPRESSED_PEM: &str = "-----BEGIN PUBLIC KEY-----
MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADnvfKfCfhNg5j5/f5bWJe8HRwcA32
+DTf3ezVOSc43mY=
-----END PUBLIC KEY-----
";

    fn pem_body(pem: &str, label: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(pem.starts_with(&format!("-----BEGIN {label}-----\n")));
        STANDARD.decode(body).unwrap()
    }

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

    fn sign_with_pem(alg: KeyAlg, private_pem: &str, msg: &[u8]) -> Vec<u8> {
        let der = pem_body(private_pem, "PRIVATE KEY");
        let rng = SystemRandom::new();
        match alg {
            KeyAlg::ES256 => EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                .unwrap()
                .sign(&rng, msg)
                .unwrap()
                .as_ref()
                .to_vec(),
            KeyAlg::EdDSA => Ed25519KeyPair::from_pkcs8(&der)
                .unwrap()
                .sign(msg)
                .as_ref()
                .to_vec(),
            KeyAlg::RS256 => {
                let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
                let mut out = vec![0; pair.public_modulus_len()];
                pair.sign(&sig::RSA_PKCS1_SHA256, &rng, msg, &mut out)
                    .unwrap();
                out
            }
        }
    }

    /// The SPKI DER of the public half of a generated PKCS#8 key, built with aws-lc-rs.
    fn spki_der(alg: KeyAlg, private_pem: &str) -> Vec<u8> {
        let der = pem_body(private_pem, "PRIVATE KEY");
        let spki: PublicKeyX509Der<'static> = match alg {
            KeyAlg::ES256 => EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                .unwrap()
                .public_key()
                .as_der()
                .unwrap(),
            KeyAlg::EdDSA => Ed25519KeyPair::from_pkcs8(&der)
                .unwrap()
                .public_key()
                .as_der()
                .unwrap(),
            KeyAlg::RS256 => RsaKeyPair::from_pkcs8(&der)
                .unwrap()
                .public_key()
                .as_der()
                .unwrap(),
        };
        spki.as_ref().to_vec()
    }

    #[test]
    fn generate_sign_verify_and_pem_round_trip() {
        for alg in KeyAlg::ALL {
            let generated = generate(alg).unwrap();
            let public = &generated.public;
            assert_eq!(public.alg, alg);
            assert_eq!(public.kid, public.thumbprint);
            assert!(!format!("{generated:?}").contains("BEGIN PRIVATE KEY"));

            // Sign with the private key the admin downloads; verify with the stored JWK.
            let verifier = VerifyingKey::from_jwk_json(&public.jwk).unwrap();
            assert_eq!(verifier.alg(), alg);
            let msg = b"eyJhbGciOiJ4In0.eyJzdWIiOiJhcHAifQ";
            let signature = sign_with_pem(alg, &generated.private_key_pem, msg);
            assert!(verifier.verify(msg, &signature), "{alg}");
            assert!(!verifier.verify(b"eyJhbGciOiJ4In0.eyJzdWIiOiJhcHBifQ", &signature));
            let mut bad = signature.clone();
            bad[0] ^= 1;
            assert!(!verifier.verify(msg, &bad));

            // The SPKI PEM of the same public key gives the same thumbprint.
            let spki_pem = pem_encode("PUBLIC KEY", &spki_der(alg, &generated.private_key_pem));
            let from_pem = import_pem(&spki_pem).unwrap();
            assert_eq!(from_pem.thumbprint, public.thumbprint);
            assert_eq!(from_pem.jwk, public.jwk);

            // And the JWK import of the stored JWK agrees too.
            let stored: Value = serde_json::from_str(&public.jwk).unwrap();
            let from_jwk = import_jwk(&stored).unwrap();
            assert_eq!(from_jwk, *public);
            assert_eq!(jwk_thumbprint(&stored).unwrap(), public.thumbprint);
        }
    }

    #[test]
    fn pkcs1_rsa_public_key_pem_is_accepted() {
        let generated = generate(KeyAlg::RS256).unwrap();
        let der = pem_body(&generated.private_key_pem, "PRIVATE KEY");
        let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
        // CRLF line ends and 76-column lines, as some tools write them.
        let b64 = STANDARD.encode(pair.public_key().as_ref());
        let lines: Vec<String> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let pem = format!(
            "  -----BEGIN RSA PUBLIC KEY-----\r\n{}\r\n-----END RSA PUBLIC KEY-----\r\n",
            lines.join("\r\n")
        );
        let key = import_pem(&pem).unwrap();
        assert_eq!(key.thumbprint, generated.public.thumbprint);
    }

    #[test]
    fn refuses_rsa_1024() {
        assert_eq!(import_pem(RSA_1024_PEM), Err(KeyError::RsaTooSmall));
        assert_eq!(
            KeyError::RsaTooSmall.to_string(),
            "RSA keys must be at least 2048 bits."
        );
        // The same modulus as a JWK.
        let spki = SubjectPublicKeyInfoRef::from_der(&pem_body(RSA_1024_PEM, "PUBLIC KEY"))
            .unwrap()
            .subject_public_key
            .as_bytes()
            .unwrap()
            .to_vec();
        let rsa = pkcs1::RsaPublicKey::from_der(&spki).unwrap();
        let jwk = json!({
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(rsa.modulus.as_bytes()),
            "e": "AQAB",
        });
        assert_eq!(import_jwk(&jwk), Err(KeyError::RsaTooSmall));
    }

    #[test]
    fn refuses_bad_rsa_exponent_and_modulus() {
        let jwk = |e: &str| json!({"kty": "RSA", "n": RFC7638_N, "e": e});
        for e in ["AQ", "Ag", "AAE", "AQAAAAAB", "AA"] {
            assert_eq!(import_jwk(&jwk(e)), Err(KeyError::RsaExponent), "{e}");
        }
        // A leading zero byte in n is tolerated and normalised away (RFC 7518 §6.3.1.1).
        let mut n = vec![0u8];
        n.extend(URL_SAFE_NO_PAD.decode(RFC7638_N).unwrap());
        let padded = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&n), "e": "AQAB"});
        assert_eq!(
            import_jwk(&padded).unwrap().thumbprint,
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        // An even modulus is not an RSA modulus.
        let mut even = URL_SAFE_NO_PAD.decode(RFC7638_N).unwrap();
        *even.last_mut().unwrap() &= 0xfe;
        let even = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&even), "e": "AQAB"});
        assert_eq!(import_jwk(&even), Err(KeyError::RsaModulus));
        // Too large.
        let huge = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode([0xffu8; 1025]), "e": "AQAB"});
        assert_eq!(import_jwk(&huge), Err(KeyError::RsaTooLarge));
    }

    fn p256_jwk() -> Value {
        let generated = generate(KeyAlg::ES256).unwrap();
        serde_json::from_str(&generated.public.jwk).unwrap()
    }

    #[test]
    fn refuses_p384_jwk_and_pem() {
        let mut jwk = p256_jwk();
        jwk["crv"] = json!("P-384");
        let err = import_jwk(&jwk).unwrap_err();
        assert_eq!(err, KeyError::UnsupportedEcCurve("P-384".to_owned()));
        assert_eq!(
            err.to_string(),
            "Only the P-256 curve is accepted for EC keys (this key uses P-384)."
        );
        assert_eq!(
            import_pem(P384_PEM),
            Err(KeyError::UnsupportedEcCurve("P-384".to_owned()))
        );
        assert_eq!(
            import_pem(P256_COMPRESSED_PEM),
            Err(KeyError::CompressedEcPoint)
        );
    }

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
    fn refuses_private_key_pem() {
        let generated = generate(KeyAlg::EdDSA).unwrap();
        let err = import_pem(&generated.private_key_pem).unwrap_err();
        assert_eq!(err, KeyError::PrivateKey);
        assert_eq!(
            err.to_string(),
            "This is a private key; paste the public key only."
        );
        let rsa = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(import_pem(rsa), Err(KeyError::PrivateKey));
    }

    #[test]
    fn refuses_garbage_pem() {
        let not_public = KeyError::NotPublicKeyPem;
        assert_eq!(
            not_public.to_string(),
            "The PEM is not a public key (expected -----BEGIN PUBLIC KEY-----)."
        );
        assert_eq!(import_pem(""), Err(not_public.clone()));
        assert_eq!(import_pem("hello"), Err(not_public.clone()));
        assert_eq!(
            import_pem("-----BEGIN FOO-----\nAAAA\n-----END FOO-----"),
            Err(not_public)
        );
        assert!(matches!(
            import_pem("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----"),
            Err(KeyError::InvalidPem(_))
        ));
        assert!(matches!(
            import_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
            Err(KeyError::Malformed(_))
        ));
        assert!(matches!(
            import_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n"),
            Err(KeyError::InvalidPem(_))
        ));
        assert!(matches!(
            import_pem("-----BEGIN PUBLIC KEY"),
            Err(KeyError::InvalidPem(_))
        ));
        assert!(matches!(
            import_pem("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----"),
            Err(KeyError::InvalidPem(_))
        ));
        assert_eq!(
            import_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"),
            Err(KeyError::Certificate)
        );
        assert_eq!(
            import_pem("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI user@host"),
            Err(KeyError::OpenSshKey)
        );
        assert_eq!(
            import_pem(&"A".repeat(MAX_TEXT_LEN + 1)),
            Err(KeyError::TooLong)
        );
        // Truncated DER of a real key.
        let der = pem_body(RSA_1024_PEM, "PUBLIC KEY");
        for len in 0..der.len() {
            let pem = pem_encode("PUBLIC KEY", &der[..len]);
            assert!(import_pem(&pem).is_err());
        }
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

    #[test]
    fn refuses_invalid_ec_point() {
        let mut jwk = p256_jwk();
        let mut y = URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap();
        y[31] ^= 1;
        jwk["y"] = json!(URL_SAFE_NO_PAD.encode(&y));
        assert_eq!(import_jwk(&jwk), Err(KeyError::InvalidEcPoint));
        jwk["y"] = json!(URL_SAFE_NO_PAD.encode([0u8; 31]));
        assert_eq!(import_jwk(&jwk), Err(KeyError::InvalidEcPoint));
        let zero = json!({
            "kty": "EC", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode([0u8; 32]),
            "y": URL_SAFE_NO_PAD.encode([0u8; 32]),
        });
        assert_eq!(import_jwk(&zero), Err(KeyError::InvalidEcPoint));
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

    #[test]
    fn never_panics_on_odd_text() {
        let inputs = [
            "-----BEGIN ",
            "-----BEGIN -----",
            "-----BEGIN PUBLIC KEY----------END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\n====\n-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----\nPrüfung\n-----END PUBLIC KEY-----",
            "é-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----é",
            "-----BEGIN PUBLIC KEY-----\nProc-Type: 4\n-----END PUBLIC KEY-----",
        ];
        for input in inputs {
            assert!(import_pem(input).is_err(), "{input}");
            let _ = VerifyingKey::from_jwk_json(input);
        }
    }
}

//! JWT assertions (RFC 7523): `portico::crypto::jws::parse` and
//! `portico::oauth::assertion::validate` against a fixed set of registered keys (Ed25519,
//! ES256, RS256).
//!
//! Raw tokens exercise the parser; "signed" inputs are built from fuzzed headers and claims
//! and really signed with a registered key (or forged: HS256 keyed with a public key, or a
//! bad signature), so the claim checks behind the signature are fuzzed too. Whatever the
//! input, nothing panics, every refusal message is safe for `error_description`, and an
//! accepted assertion satisfies RFC 7523 §3.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING,
};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use portico::crypto::app_key::{self, VerifyingKey};
use portico::crypto::jws;
use portico::oauth::assertion::{self, Expectations, Purpose};
use portico::runtime::clients::RegisteredKey;
use serde_json::{json, Map, Value};

const NOW: i64 = 1_800_000_000;
const CLIENT: &str = "fuzz-client";
const ISSUER: &str = "https://portico.example";
const TOKEN_ENDPOINT: &str = "https://portico.example/oauth2/token";

struct Keys {
    ed: Ed25519KeyPair,
    ec: EcdsaKeyPair,
    /// (kid, canonical public JWK JSON) as the store holds them.
    registered: Vec<(String, String)>,
    /// The same keys parsed, as the client cache holds them.
    parsed: Vec<RegisteredKey>,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let ed = Ed25519KeyPair::from_seed_unchecked(&[7; 32]).expect("seed");
        let ed_jwk = json!({"kty": "OKP", "crv": "Ed25519", "kid": "ed",
            "x": URL_SAFE_NO_PAD.encode(ed.public_key().as_ref())});
        let pem = include_str!("../../server/tests/api/fixtures/p256.private.pem");
        let der: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let ec = EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            &STANDARD.decode(der).expect("pem"),
        )
        .expect("p256");
        let mut ec_jwk: Value = serde_json::from_str(include_str!(
            "../../server/tests/api/fixtures/p256.jwk.json"
        ))
        .expect("jwk");
        ec_jwk["kid"] = json!("ec");
        let mut rsa_jwk: Value = serde_json::from_str(include_str!(
            "../../server/tests/api/fixtures/rsa2048.jwk.json"
        ))
        .expect("jwk");
        rsa_jwk["kid"] = json!("rsa");
        let registered = [ed_jwk, ec_jwk, rsa_jwk]
            .iter()
            .map(|j| {
                let k = app_key::import_jwk(j).expect("fixture key imports");
                (k.kid, k.jwk)
            })
            .collect::<Vec<_>>();
        let parsed = registered
            .iter()
            .map(|(kid, jwk)| RegisteredKey {
                kid: kid.clone(),
                verifier: VerifyingKey::from_jwk_json(jwk).ok(),
            })
            .collect();
        Keys {
            ed,
            ec,
            registered,
            parsed,
        }
    })
}

#[derive(Arbitrary, Debug)]
enum Alg {
    EdDsa,
    Ed25519,
    Es256,
    Rs256,
    None,
    Hs256,
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Kid {
    Ed,
    Ec,
    Rsa,
    Other(String),
    Number(i64),
}

#[derive(Arbitrary, Debug)]
enum HeaderIn {
    Raw(String),
    Built {
        alg: Alg,
        kid: Option<Kid>,
        typ: Option<String>,
        crit: bool,
    },
}

#[derive(Arbitrary, Debug)]
enum Str {
    Client,
    Other(String),
    Absent,
    Number(i64),
    Null,
}

#[derive(Arbitrary, Debug)]
enum Aud {
    Issuer,
    TokenEndpoint,
    Other(String),
    Array(Vec<Aud>),
    Absent,
    Number(i64),
}

#[derive(Arbitrary, Debug)]
enum Time {
    Absent,
    Offset(i32),
    Float(f64),
    Big(u64),
    Text(String),
}

#[derive(Arbitrary, Debug)]
enum ClaimsIn {
    Raw(String),
    Built {
        iss: Str,
        sub: Str,
        aud: Aud,
        exp: Time,
        iat: Time,
        nbf: Time,
        jti: Str,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
enum Signer {
    Ed25519,
    Es256,
    /// HS256 keyed with a registered public key's JWK JSON (RFC 8725 §2.1 key confusion).
    HmacWithPublicJwk(u8),
    /// A valid Ed25519 signature with one bit flipped.
    FlippedBit(u16),
    Empty,
}

#[derive(Arbitrary, Debug)]
enum Input {
    Token(String),
    Signed {
        header: HeaderIn,
        claims: ClaimsIn,
        signer: Signer,
        grant: bool,
    },
}

fn set(map: &mut Map<String, Value>, name: &str, v: Option<Value>) {
    if let Some(v) = v {
        map.insert(name.to_owned(), v);
    }
}

fn str_claim(s: &Str) -> Option<Value> {
    match s {
        Str::Client => Some(json!(CLIENT)),
        Str::Other(o) => Some(json!(o)),
        Str::Absent => None,
        Str::Number(n) => Some(json!(n)),
        Str::Null => Some(Value::Null),
    }
}

fn aud_claim(a: &Aud, depth: u8) -> Option<Value> {
    match a {
        Aud::Issuer => Some(json!(ISSUER)),
        Aud::TokenEndpoint => Some(json!(TOKEN_ENDPOINT)),
        Aud::Other(o) => Some(json!(o)),
        Aud::Array(items) if depth < 2 => Some(Value::Array(
            items
                .iter()
                .filter_map(|i| aud_claim(i, depth + 1))
                .collect(),
        )),
        Aud::Array(_) => Some(json!([])),
        Aud::Absent => None,
        Aud::Number(n) => Some(json!(n)),
    }
}

fn time_claim(t: &Time) -> Option<Value> {
    match t {
        Time::Absent => None,
        Time::Offset(o) => Some(json!(NOW + i64::from(*o))),
        Time::Float(f) => serde_json::Number::from_f64(*f).map(Value::Number),
        Time::Big(b) => Some(json!(b)),
        Time::Text(s) => Some(json!(s)),
    }
}

fn header_json(h: &HeaderIn) -> String {
    match h {
        HeaderIn::Raw(raw) => raw.clone(),
        HeaderIn::Built {
            alg,
            kid,
            typ,
            crit,
        } => {
            let mut m = Map::new();
            let alg = match alg {
                Alg::EdDsa => "EdDSA".to_owned(),
                Alg::Ed25519 => "Ed25519".to_owned(),
                Alg::Es256 => "ES256".to_owned(),
                Alg::Rs256 => "RS256".to_owned(),
                Alg::None => "none".to_owned(),
                Alg::Hs256 => "HS256".to_owned(),
                Alg::Other(o) => o.clone(),
            };
            m.insert("alg".to_owned(), json!(alg));
            let kid = kid.as_ref().map(|k| match k {
                Kid::Ed => json!("ed"),
                Kid::Ec => json!("ec"),
                Kid::Rsa => json!("rsa"),
                Kid::Other(o) => json!(o),
                Kid::Number(n) => json!(n),
            });
            set(&mut m, "kid", kid);
            set(&mut m, "typ", typ.as_ref().map(|t| json!(t)));
            if *crit {
                m.insert("crit".to_owned(), json!(["exp"]));
            }
            Value::Object(m).to_string()
        }
    }
}

fn claims_json(c: &ClaimsIn) -> String {
    match c {
        ClaimsIn::Raw(raw) => raw.clone(),
        ClaimsIn::Built {
            iss,
            sub,
            aud,
            exp,
            iat,
            nbf,
            jti,
        } => {
            let mut m = Map::new();
            set(&mut m, "iss", str_claim(iss));
            set(&mut m, "sub", str_claim(sub));
            set(&mut m, "aud", aud_claim(aud, 0));
            set(&mut m, "exp", time_claim(exp));
            set(&mut m, "iat", time_claim(iat));
            set(&mut m, "nbf", time_claim(nbf));
            set(&mut m, "jti", str_claim(jti));
            Value::Object(m).to_string()
        }
    }
}

fn sign(signer: Signer, input: &str) -> Vec<u8> {
    let k = keys();
    match signer {
        Signer::Ed25519 => k.ed.sign(input.as_bytes()).as_ref().to_vec(),
        Signer::Es256 => {
            k.ec.sign(&SystemRandom::new(), input.as_bytes())
                .map(|s| s.as_ref().to_vec())
                .unwrap_or_default()
        }
        Signer::HmacWithPublicJwk(i) => {
            let (_, jwk) = &k.registered[usize::from(i) % k.registered.len()];
            let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, jwk.as_bytes());
            aws_lc_rs::hmac::sign(&key, input.as_bytes())
                .as_ref()
                .to_vec()
        }
        Signer::FlippedBit(bit) => {
            let mut sig = k.ed.sign(input.as_bytes()).as_ref().to_vec();
            let bit = usize::from(bit) % (sig.len() * 8);
            sig[bit / 8] ^= 1 << (bit % 8);
            sig
        }
        Signer::Empty => Vec::new(),
    }
}

/// RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
fn client_safe(message: &str) -> bool {
    message
        .bytes()
        .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')
}

fn check(token: &str, purpose: Purpose, honest: bool) {
    let k = keys();
    let expect = Expectations {
        client_id: CLIENT,
        audiences: &[ISSUER, TOKEN_ENDPOINT],
        now: NOW,
        purpose,
    };
    match assertion::validate(token, &k.parsed, &expect) {
        Ok(claims) => {
            // Only a real signature by a registered key gets here (RFC 8725 §3.1, §3.2).
            assert!(honest, "forged assertion accepted: {token}");
            let parsed = jws::parse(token).expect("accepted token parses");
            let alg = parsed.header.alg.as_str();
            assert!(
                matches!(alg, "EdDSA" | "Ed25519" | "ES256" | "RS256"),
                "alg {alg}"
            );
            assert!(k.registered.iter().any(|(kid, _)| *kid == claims.kid));
            // RFC 7523 §3 points 1, 2, 4, 7.
            assert_eq!(claims.iss, CLIENT);
            if purpose == Purpose::ClientAuthentication {
                assert_eq!(claims.sub, CLIENT);
            }
            assert!(!claims.sub.is_empty() && !claims.jti.is_empty());
            assert!(claims.jti.chars().count() <= 256);
            assert!(
                claims.exp > NOW - 60 && claims.exp <= NOW + 3600,
                "exp {}",
                claims.exp
            );
            assert!(claims.iat.is_none_or(|iat| iat <= NOW + 60));
            // An accepted assertion has an accepted audience.
            let body: Value = serde_json::from_slice(&parsed.claims_json).expect("claims JSON");
            let auds: Vec<&Value> = match &body["aud"] {
                Value::Array(a) => a.iter().collect(),
                one => vec![one],
            };
            assert!(auds.iter().any(|a| *a == ISSUER || *a == TOKEN_ENDPOINT));
        }
        Err(e) => {
            let message = e.to_string();
            assert!(
                client_safe(&message),
                "unsafe error_description {message:?}"
            );
            assert!(!message.is_empty() && message.len() <= 400);
        }
    }
}

fuzz_target!(|input: Input| {
    match input {
        Input::Token(token) => {
            let _ = jws::parse(&token);
            let _ = assertion::inspect(&token);
            check(&token, Purpose::ClientAuthentication, false);
            check(&token, Purpose::AuthorizationGrant, false);
        }
        Input::Signed {
            header,
            claims,
            signer,
            grant,
        } => {
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header_json(&header)),
                URL_SAFE_NO_PAD.encode(claims_json(&claims))
            );
            let sig = sign(signer, &signing_input);
            let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig));
            let honest = matches!(signer, Signer::Ed25519 | Signer::Es256);
            let purpose = if grant {
                Purpose::AuthorizationGrant
            } else {
                Purpose::ClientAuthentication
            };
            check(&token, purpose, honest);
            if let Ok(parsed) = jws::parse(&token) {
                assert_eq!(parsed.signing_input, signing_input);
            }
        }
    }
});

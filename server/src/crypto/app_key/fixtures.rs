//! Test vectors and helpers shared by the app key tests: RFC 7638 and RFC 8037 examples, keys
//! made with openssl that the server must refuse, and signing with a generated private key.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use portico_proto::KeyAlg;
use serde_json::Value;

use super::generate;

/// RFC 7638 §3.1.
pub(super) const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

/// RFC 8037 §A.2.
pub(super) const RFC8037_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// A 1024-bit RSA public key (openssl genrsa 1024 | openssl rsa -pubout).
pub(super) const RSA_1024_PEM: &str = "-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCqLmUwofhP842U9bdeThs5cKXw
qpMjx6THkh4ZTUVltj21ZwzeoGx0+4Y/ftKBTQu9gbxo9tBjh7AxZg7x+pzQHNgS
wOnUeO1uONBda2hmGTC7/7Qydoq1SjVzBeZNHUk+T0Gdr2p/Nmja2kAzVxDSJoZP
aF9jQvOtlU8ETIhGswIDAQAB
-----END PUBLIC KEY-----
";

/// A P-384 public key (openssl ecparam -name secp384r1 -genkey | openssl ec -pubout).
pub(super) const P384_PEM: &str = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAExdmzrOYb0s9vyZHJwNLxB/ieWXBgZgrE
dZca3Nhk2NrdwlcScC1TTSPvbVZHrRjdBggPnLsr5BD9JuIQrMG8LadwIbJvw1rZ
Zbk/iv+cXsvesqUKKrqF4lROFuCQQTuH
-----END PUBLIC KEY-----
";

/// A P-256 public key with a compressed point (openssl ec -pubout -conv_form compressed).
pub(super) const P256_COMPRESSED_PEM: &str = "-----BEGIN PUBLIC KEY-----
MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADnvfKfCfhNg5j5/f5bWJe8HRwcA32
+DTf3ezVOSc43mY=
-----END PUBLIC KEY-----
";

pub(super) fn pem_body(pem: &str, label: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(pem.starts_with(&format!("-----BEGIN {label}-----\n")));
    STANDARD.decode(body).unwrap()
}

pub(super) fn sign_with_pem(alg: KeyAlg, private_pem: &str, msg: &[u8]) -> Vec<u8> {
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
pub(super) fn spki_der(alg: KeyAlg, private_pem: &str) -> Vec<u8> {
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

pub(super) fn p256_jwk() -> Value {
    let generated = generate(KeyAlg::ES256).unwrap();
    serde_json::from_str(&generated.public.jwk).unwrap()
}

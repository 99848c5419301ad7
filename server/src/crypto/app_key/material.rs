//! The public material of an app key, checked for size and form (RFC 7518 §6.2.1, §6.3.1;
//! RFC 8037 §2), whichever way it arrived (PEM, JWK or a generated pair).

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, RsaPublicKeyComponents};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use portico_proto::KeyAlg;

use super::KeyError;

const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 8192;

/// The public material of an accepted key, already checked for size and form.
pub(super) enum Material {
    /// Big-endian, without leading zeros (RFC 7518 §6.3.1).
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Full-size 32-byte coordinates (RFC 7518 §6.2.1.2, §6.2.1.3).
    Ec { x: Vec<u8>, y: Vec<u8> },
    /// RFC 8037 §2: the 32-byte public key.
    Ed25519 { x: Vec<u8> },
}

impl Material {
    pub(super) fn rsa(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
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

    pub(super) fn ec(x: &[u8], y: &[u8]) -> Result<Self, KeyError> {
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

    pub(super) fn ed25519(x: &[u8]) -> Result<Self, KeyError> {
        if x.len() != 32 {
            return Err(KeyError::InvalidEd25519);
        }
        Ok(Material::Ed25519 { x: x.to_vec() })
    }

    pub(super) fn alg(&self) -> KeyAlg {
        match self {
            Material::Rsa { .. } => KeyAlg::RS256,
            Material::Ec { .. } => KeyAlg::ES256,
            Material::Ed25519 { .. } => KeyAlg::EdDSA,
        }
    }

    /// RFC 7638 §3.2: the required members, in lexicographic order, with base64url values
    /// (RFC 8037 §2 for OKP).
    pub(super) fn required_members(&self) -> Vec<(&'static str, String)> {
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
    pub(super) fn verifier(&self) -> Result<ParsedPublicKey, KeyError> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{p256_jwk, pem_body, RFC7638_N, RSA_1024_PEM};
    use super::super::{import_jwk, import_pem, KeyError};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    use serde_json::json;
    use spki::der::Decode as _;
    use spki::SubjectPublicKeyInfoRef;

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
}

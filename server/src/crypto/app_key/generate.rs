//! Key pairs made by the server for an app (ES256, EdDSA or RS256): the public half is stored
//! like a pasted key, the PKCS#8 private half is handed to the administrator once.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use portico_proto::KeyAlg;
use spki::der::Decode as _;

use super::canonical::{finish, AppPublicKey};
use super::material::Material;
use super::pem::pem_encode;
use super::KeyError;

/// A key pair made by the server. The private key is returned to the caller once and never
/// stored.
#[derive(Debug, Clone)]
pub struct GeneratedKey {
    pub public: AppPublicKey,
    /// PKCS#8 (RFC 5208 §5) in PEM, "-----BEGIN PRIVATE KEY-----" (RFC 7468 §10).
    pub private_key_pem: portico_proto::Secret,
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
        private_key_pem: pem_encode("PRIVATE KEY", &pkcs8).into(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{sign_with_pem, spki_der};
    use super::super::{import_jwk, import_pem, jwk_thumbprint, VerifyingKey};
    use super::*;
    use serde_json::Value;

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
            let signature = sign_with_pem(alg, generated.private_key_pem.expose(), msg);
            assert!(verifier.verify(msg, &signature), "{alg}");
            assert!(!verifier.verify(b"eyJhbGciOiJ4In0.eyJzdWIiOiJhcHBifQ", &signature));
            let mut bad = signature.clone();
            bad[0] ^= 1;
            assert!(!verifier.verify(msg, &bad));

            // The SPKI PEM of the same public key gives the same thumbprint.
            let spki_pem = pem_encode(
                "PUBLIC KEY",
                &spki_der(alg, generated.private_key_pem.expose()),
            );
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
}

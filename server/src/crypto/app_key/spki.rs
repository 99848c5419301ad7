//! The key inside a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): RSA (RFC 8017), EC P-256
//! (RFC 5480) or Ed25519 (RFC 8410); other algorithms and curves are named in the refusal.

use spki::der::Decode as _;
use spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

use super::material::Material;
use super::KeyError;

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

/// RFC 5280 §4.1.2.7 SubjectPublicKeyInfo, with the key forms of RFC 8017 (RSA), RFC 5480 (EC)
/// and RFC 8410 (Ed25519).
pub(super) fn material_from_spki(der: &[u8]) -> Result<Material, KeyError> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{p256_jwk, P256_COMPRESSED_PEM, P384_PEM};
    use super::super::{import_jwk, import_pem, KeyError};
    use serde_json::json;

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
}

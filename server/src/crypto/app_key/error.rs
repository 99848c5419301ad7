//! Why a key was refused: one message per rule, shown to administrators as it is.

use portico_proto::KeyAlg;

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

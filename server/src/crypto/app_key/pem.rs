//! Reading a pasted PEM (RFC 7468): SubjectPublicKeyInfo "PUBLIC KEY" (§13) or PKCS#1
//! "RSA PUBLIC KEY" (RFC 8017 §A.1.1), with a clear refusal for the private keys, certificates
//! and OpenSSH keys administrators paste by mistake; and writing the PKCS#8 PEM of a generated
//! private key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use spki::der::Decode as _;

use super::canonical::{finish, AppPublicKey};
use super::material::Material;
use super::spki::material_from_spki;
use super::{KeyError, MAX_TEXT_LEN};

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

/// RFC 7468 §2: base64 lines of 64 characters between BEGIN and END lines.
pub(super) fn pem_encode(label: &str, der: &[u8]) -> String {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::super::fixtures::{pem_body, RSA_1024_PEM};
    use super::super::{generate, VerifyingKey};
    use super::*;
    use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
    use portico_proto::KeyAlg;

    #[test]
    fn pkcs1_rsa_public_key_pem_is_accepted() {
        let generated = generate(KeyAlg::RS256).unwrap();
        let der = pem_body(generated.private_key_pem.expose(), "PRIVATE KEY");
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
    fn refuses_private_key_pem() {
        let generated = generate(KeyAlg::EdDSA).unwrap();
        let err = import_pem(generated.private_key_pem.expose()).unwrap_err();
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

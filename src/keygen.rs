//! Key pairs made in the browser with WebCrypto (W3C Web Cryptography API §14.3.6,
//! `SubtleCrypto.generateKey`), for machine-to-machine apps that sign RFC 7523 JWT
//! assertions. The private key is exported as PKCS #8 PEM (RFC 5958, RFC 7468 §10) and
//! handed to the user as a file; it is never sent anywhere. Only the public key, as
//! SubjectPublicKeyInfo PEM (RFC 5280 §4.1, RFC 7468 §13), is registered with the server.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use js_sys::{Array, Object, Reflect, Uint8Array};
use portico_proto::KeyAlg;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, CryptoKeyPair, SubtleCrypto};

/// The algorithms offered, recommended first.
pub const ALGS: [KeyAlg; 3] = [KeyAlg::ES256, KeyAlg::EdDSA, KeyAlg::RS256];

/// What each algorithm is, for the picker.
pub fn alg_label(alg: KeyAlg) -> &'static str {
    match alg {
        KeyAlg::ES256 => "ES256 — ECDSA P-256 (recommended)",
        KeyAlg::EdDSA => "EdDSA — Ed25519",
        KeyAlg::RS256 => "RS256 — RSA 2048",
    }
}

/// A freshly generated pair, both halves as PEM. `Debug` hides the private key.
#[derive(Debug)]
pub struct KeyPairPem {
    pub alg: KeyAlg,
    pub private_pem: portico_proto::Secret,
    pub public_pem: String,
}

/// RFC 7468 §2: base64 body wrapped at 64 columns between BEGIN and END lines.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A file name for the downloaded private key: `<client id>-<first 8 of kid>.private.pem`.
pub fn private_key_file_name(client_id: &str, kid: &str) -> String {
    let safe = |s: &str, n: usize| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .take(n)
            .collect()
    };
    format!("{}-{}.private.pem", safe(client_id, 64), safe(kid, 8))
}

/// A readable message from a rejected promise or thrown exception.
pub fn js_error(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    e.as_string()
        .unwrap_or_else(|| "an unknown browser error".to_owned())
}

fn subtle() -> Result<SubtleCrypto, String> {
    let crypto = web_sys::window()
        .ok_or("There is no browser window.")?
        .crypto()
        .map_err(|e| js_error(&e))?;
    let subtle = crypto.subtle();
    // `crypto.subtle` exists only in secure contexts (HTTPS, or http on localhost).
    if subtle.is_undefined() {
        return Err(
            "This page is not a secure context (HTTPS or localhost), so the browser offers no WebCrypto."
                .to_owned(),
        );
    }
    Ok(subtle)
}

fn set(obj: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(obj, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| js_error(&e))
}

/// The `AlgorithmIdentifier` for `generateKey` (WebCrypto §23 ECDSA, §25 Ed25519,
/// §20 RSASSA-PKCS1-v1_5).
fn algorithm(alg: KeyAlg) -> Result<Object, String> {
    let o = Object::new();
    match alg {
        KeyAlg::ES256 => {
            set(&o, "name", &"ECDSA".into())?;
            set(&o, "namedCurve", &"P-256".into())?;
        }
        KeyAlg::EdDSA => set(&o, "name", &"Ed25519".into())?,
        KeyAlg::RS256 => {
            set(&o, "name", &"RSASSA-PKCS1-v1_5".into())?;
            set(&o, "modulusLength", &JsValue::from(2048))?;
            let e = Uint8Array::from(&[1u8, 0, 1][..]);
            set(&o, "publicExponent", &e.into())?;
            set(&o, "hash", &"SHA-256".into())?;
        }
    }
    Ok(o)
}

async fn export(subtle: &SubtleCrypto, format: &str, key: &CryptoKey) -> Result<Vec<u8>, String> {
    let promise = subtle.export_key(format, key).map_err(|e| js_error(&e))?;
    let buf = JsFuture::from(promise).await.map_err(|e| js_error(&e))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

/// Generates a signing key pair in the browser and exports both halves as PEM.
pub async fn generate(alg: KeyAlg) -> Result<KeyPairPem, String> {
    let subtle = subtle()?;
    let usages = Array::of2(&"sign".into(), &"verify".into());
    // Extractable, so the private key can be exported once for the download.
    let promise = subtle
        .generate_key_with_object(&algorithm(alg)?, true, &usages)
        .map_err(|e| js_error(&e))?;
    let pair: CryptoKeyPair = JsFuture::from(promise)
        .await
        .map_err(|e| {
            format!(
                "This browser could not generate an {alg} key pair ({}).",
                js_error(&e)
            )
        })?
        .unchecked_into();
    let private_der = export(&subtle, "pkcs8", &pair.get_private_key()).await?;
    let public_der = export(&subtle, "spki", &pair.get_public_key()).await?;
    Ok(KeyPairPem {
        alg,
        private_pem: pem("PRIVATE KEY", &private_der).into(),
        public_pem: pem("PUBLIC KEY", &public_der),
    })
}

/// Offers `text` as a file download (Blob + object URL + `<a download>`); nothing leaves
/// the browser.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)
        .map_err(|e| js_error(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("There is no document.")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error(&e))?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // Revoked a moment later: revoking at once can cancel the download.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_wraps_at_64() {
        let p = pem("PUBLIC KEY", &[0u8; 100]);
        let lines: Vec<&str> = p.lines().collect();
        assert_eq!(lines[0], "-----BEGIN PUBLIC KEY-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[2].len(), 64);
        assert_eq!(lines[3].len(), 136 - 128);
        assert_eq!(lines[4], "-----END PUBLIC KEY-----");
        assert!(p.ends_with('\n'));
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(
            private_key_file_name("pc_abc", "Xy_-1234567"),
            "pc_abc-Xy_-1234.private.pem"
        );
        assert_eq!(private_key_file_name("../x", "a/b"), "x-ab.private.pem");
    }
}

//! The admin API's JSON bodies: `portico::http::json::parse` into `AppInput` (then
//! `AppSettings::apply` for every app type) and `PublicKeyInput` (then `import_pem` /
//! `import_jwk`), and the key importers on their own, fed the same bytes as a PEM text, as a
//! JWK, and as the DER inside a "PUBLIC KEY" and an "RSA PUBLIC KEY" PEM.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use portico::http::json::parse;
use portico::http::problem::ApiError;
use portico::crypto::app_key::{self, AppPublicKey, VerifyingKey};
use portico_proto::app::AppSettings;
use portico_proto::{validate, AppInput, AppType, PublicKeyInput};

/// A key the importer accepted is stored as canonical JWK JSON: it must load again as a
/// verifier and import to exactly the same key.
fn check_imported(key: &AppPublicKey) {
    let verifier = VerifyingKey::from_jwk_json(&key.jwk).expect("stored JWK loads");
    assert_eq!(verifier.alg(), key.alg);
    let value: serde_json::Value = serde_json::from_str(&key.jwk).expect("stored JWK is JSON");
    let again = app_key::import_jwk(&value).expect("stored JWK imports again");
    assert_eq!(&again, key);
    assert!(!key.kid.is_empty() && key.kid.len() <= 64);
}

/// Body parsing fails only as a 400 (syntax) or a 422 (shape), never anything else.
fn check_error(e: &ApiError) {
    match e {
        ApiError::BadRequest(_) => {}
        ApiError::Validation(errors) => assert!(!errors.is_empty()),
        other => panic!("unexpected parse error {other:?}"),
    }
}

fn import_pem_text(pem: &str) {
    if let Ok(key) = app_key::import_pem(pem) {
        check_imported(&key);
    }
}

fuzz_target!(|data: &[u8]| {
    match parse::<AppInput>(data) {
        Ok(input) => {
            let _ = input.for_create();
            for t in AppType::ALL {
                let mut settings = AppSettings::defaults(t);
                let before = settings.clone();
                match settings.apply(t, &input) {
                    // Applied: the result is valid as a whole.
                    Ok(()) => assert!(validate::settings(&settings, t).is_empty()),
                    // Refused: nothing changed, and the refusal says why.
                    Err(errors) => {
                        assert!(!errors.is_empty());
                        assert_eq!(settings, before);
                    }
                }
            }
        }
        Err(e) => check_error(&e),
    }

    match parse::<PublicKeyInput>(data) {
        Ok(input) => {
            if let Some(pem) = &input.pem {
                import_pem_text(pem);
            }
            if let Some(jwk) = &input.jwk {
                if let Ok(key) = app_key::import_jwk(jwk) {
                    check_imported(&key);
                }
            }
        }
        Err(e) => check_error(&e),
    }

    // The importers on the raw bytes: as PEM text, as a JWK, and as DER in both PEM kinds.
    if let Ok(text) = std::str::from_utf8(data) {
        import_pem_text(text);
        if let Ok(jwk) = serde_json::from_str::<serde_json::Value>(text) {
            if let Ok(key) = app_key::import_jwk(&jwk) {
                check_imported(&key);
            }
        }
    }
    let b64 = STANDARD.encode(data);
    for label in ["PUBLIC KEY", "RSA PUBLIC KEY"] {
        import_pem_text(&format!(
            "-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n"
        ));
    }
});

//! The console's logic, run in headless Chromium by wasm-bindgen-test:
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test -p portico-console --target wasm32-unknown-unknown`.
//!
//! They use the console library as the app does, and mount its components on the page.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(target_arch = "wasm32")]

use portico_console::components::SecretDialog;
use portico_console::pages::app_detail::draft;
use portico_console::pkce_client::steps as pkce;
use portico_console::{format, keygen};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portico_proto::{validate, App, AppKind, AppType, KeyAlg};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

// --- duration fields -------------------------------------------------------------------

#[wasm_bindgen_test]
fn durations_parse_and_format() {
    assert_eq!(format::parse_duration("30d"), Ok(30 * 86_400));
    assert_eq!(format::parse_duration("12h"), Ok(43_200));
    assert_eq!(format::parse_duration("90m"), Ok(5_400));
    assert_eq!(format::parse_duration("1d 12h"), Ok(129_600));
    assert!(format::parse_duration("30").is_err(), "a unit is required");
    assert!(format::parse_duration("").is_err());
    assert_eq!(format::format_duration(5_400), "1h 30m");
    assert_eq!(format::duration_words(86_400), "1 day");
    for s in [60, 3_599, 86_400, 90_061, 315_360_000] {
        assert_eq!(format::parse_duration(&format::format_duration(s)), Ok(s));
    }
}

#[wasm_bindgen_test]
fn dates_are_utc() {
    assert_eq!(format::date(951_782_400), "2000-02-29");
    assert_eq!(format::date_time(1_800_000_000), "2027-01-15 08:00 UTC");
}

#[wasm_bindgen_test]
fn logo_is_checked_before_upload() {
    assert!(format::check_logo_file("image/png", 10_000).is_ok());
    assert_eq!(
        format::check_logo_file("image/svg+xml", 100),
        Err(format::LOGO_TYPE_MESSAGE.to_owned())
    );
    assert!(format::check_logo_file("image/png", format::LOGO_MAX_BYTES + 1).is_err());
    assert_eq!(format::sniff_image(b"GIF89a"), None);
}

// --- validation messages: the server's own, from proto ----------------------------------

fn web_app() -> App {
    App {
        client_id: "c".into(),
        name: "Billing".into(),
        description: String::new(),
        access_token_lifetime: 3_600,
        id_token_signed_response_alg: Default::default(),
        logo_url: None,
        created_at: 0,
        updated_at: 0,
        last_used_at: None,
        kind: AppKind::Web {
            secrets: vec![],
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            rotate_refresh_token: false,
            refresh_token_absolute_lifetime: None,
            refresh_token_inactivity_lifetime: Some(30 * 86_400),
            refresh_token_reuse_grace: 0,
            app_description_url: None,
        },
    }
}

#[wasm_bindgen_test]
fn form_shows_the_servers_messages() {
    let app = web_app();
    let stored = draft::settings_of(&app);
    let original = draft::Draft::from_app(&app);
    let mut d = original.clone();
    d.name = String::new();
    d.redirect_uris = "https://billing.example/cb#x".into();
    d.app_description_url = "not a url".into();
    let errors = d.check(&original, &stored, AppType::Web);
    assert_eq!(
        draft::message_for(&errors, "name").as_deref(),
        Some(validate::NAME_REQUIRED)
    );
    assert_eq!(
        draft::message_for(&errors, "redirect_uris"),
        validate::redirect_uris(&["https://billing.example/cb#x".to_owned()]).err()
    );
    assert_eq!(
        draft::message_for(&errors, "app_description_url"),
        validate::web_url("App description URL", "not a url").err()
    );
}

#[wasm_bindgen_test]
fn form_sends_only_changes_and_null_for_never() {
    let app = web_app();
    let original = draft::Draft::from_app(&app);
    let mut d = original.clone();
    d.inactivity.never = true;
    d.rotate_refresh_token = true;
    let (input, errors) = d.changes(&original, AppType::Web);
    assert!(errors.is_empty());
    let json = serde_json::to_value(&input).unwrap_or_default();
    assert_eq!(
        json,
        serde_json::json!({"rotate_refresh_token": true, "refresh_token_inactivity_lifetime": null})
    );
}

// --- PKCE helpers (RFC 7636) -------------------------------------------------------------

#[wasm_bindgen_test]
fn pkce_s256_matches_rfc7636_appendix_b() {
    assert_eq!(
        pkce::s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
}

#[wasm_bindgen_test]
fn pkce_verifier_uses_the_browsers_csprng() {
    let a = pkce::CodeVerifier::generate().map(|v| v.secret().to_owned());
    let b = pkce::CodeVerifier::generate().map(|v| v.secret().to_owned());
    let (Ok(a), Ok(b)) = (a, b) else {
        panic!("getrandom failed in the browser");
    };
    assert_eq!(a.len(), 43, "RFC 7636 §4.1: 43 to 128 characters");
    assert_ne!(a, b);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
}

// --- key pairs made with WebCrypto ------------------------------------------------------

fn pem_body(pem: &str, label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    assert!(pem.starts_with(&begin), "{pem}");
    assert!(pem.trim_end().ends_with(&end), "{pem}");
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .inspect(|l| assert!(l.len() <= 64))
        .collect();
    STANDARD.decode(body).unwrap_or_default()
}

#[wasm_bindgen_test]
async fn generates_an_es256_key_pair_in_the_browser() {
    let pair = match keygen::generate(KeyAlg::ES256).await {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    // SubjectPublicKeyInfo of a P-256 key: 91 bytes, ending in the 65-byte point 04‖x‖y.
    let spki = pem_body(&pair.public_pem, "PUBLIC KEY");
    assert_eq!(spki.len(), 91);
    assert_eq!(spki[26], 0x04);
    let pkcs8 = pem_body(pair.private_pem.expose(), "PRIVATE KEY");
    assert!(pkcs8.len() > 60);
    assert!(!format!("{pair:?}").contains("PRIVATE"), "Debug hides it");
}

#[wasm_bindgen_test]
async fn generates_an_ed25519_key_pair_in_the_browser() {
    match keygen::generate(KeyAlg::EdDSA).await {
        Ok(pair) => {
            // SubjectPublicKeyInfo of an Ed25519 key: 12-byte header + 32-byte key.
            assert_eq!(pem_body(&pair.public_pem, "PUBLIC KEY").len(), 44);
            assert_eq!(pem_body(pair.private_pem.expose(), "PRIVATE KEY").len(), 48);
        }
        // Older browsers lack Ed25519; the console then says so.
        Err(e) => assert!(e.contains("could not generate"), "{e}"),
    }
}

// --- the secret dialog: shown once, closes only after "I have stored it" -----------------

#[wasm_bindgen_test]
async fn secret_dialog_closes_only_after_confirmation() {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        panic!("no document");
    };
    let Some(body) = document.body() else {
        panic!("no body");
    };
    let secret = RwSignal::new(None::<String>);
    let done = RwSignal::new(0);
    let _mounted = leptos::mount::mount_to(body, move || {
        view! { <SecretDialog secret=secret client_id="app_client_example".to_owned() on_done=Callback::new(move |()| done.update(|n| *n += 1))/> }
    });
    let find = |sel: &str| -> web_sys::Element {
        match document.query_selector(sel) {
            Ok(Some(e)) => e,
            _ => panic!("{sel} is not on the page"),
        }
    };
    let dialog: web_sys::HtmlDialogElement = find("dialog.modal").unchecked_into();
    leptos::task::tick().await;
    assert!(!dialog.open());

    secret.set(Some("pcs_example_secret".to_owned()));
    leptos::task::tick().await;
    assert!(dialog.open(), "the secret is shown in a modal dialog");
    let input: web_sys::HtmlTextAreaElement = find("#new-secret").unchecked_into();
    assert_eq!(input.value(), "pcs_example_secret");
    // The client ID is beside it: the app needs both.
    let id_line = find("dialog.modal .client-id-line code");
    assert_eq!(
        id_line.text_content().as_deref(),
        Some("app_client_example")
    );
    let done_button: web_sys::HtmlButtonElement =
        find("dialog.modal button.primary").unchecked_into();
    assert!(done_button.disabled(), "Done waits for the confirmation");

    // Escape (a `cancel` event) does not close it before the confirmation.
    let cancel = web_sys::Event::new_with_event_init_dict("cancel", &{
        let init = web_sys::EventInit::new();
        init.set_cancelable(true);
        init
    });
    if let Ok(ev) = cancel {
        let _ = dialog.dispatch_event(&ev);
        assert!(ev.default_prevented());
    }
    assert!(dialog.open());

    let check: web_sys::HtmlInputElement =
        find("dialog.modal input[type=checkbox]").unchecked_into();
    check.click();
    leptos::task::tick().await;
    assert!(!done_button.disabled());
    done_button.click();
    leptos::task::tick().await;
    assert!(!dialog.open());
    assert_eq!(
        secret.get_untracked(),
        None,
        "the secret is dropped on close"
    );
    assert_eq!(done.get_untracked(), 1);
    assert_eq!(input.value(), "");
}

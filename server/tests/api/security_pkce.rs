//! Security suite, PKCE (RFC 7636; RFC 9700 §2.1.1, §4.8): S256 only, no downgrade either way,
//! verifiers exactly as RFC 7636 §4.1 defines them, and a wrong verifier burns the code.

use portico::oauth::pkce::s256_challenge;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{pkce_pair, post_form, Browser};
use crate::oauth_code::{spa_app, web_app, web_code, SPA_CB, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    verifier_without_challenge_is_a_downgrade,
    challenge_without_verifier_is_refused_and_burns_the_code,
    plain_and_malformed_challenges_are_refused_at_authorize,
    malformed_verifiers_are_refused_even_when_they_match,
    wrong_verifier_burns_the_code,
    verifier_length_bounds_are_inclusive,
);

/// Runs a single-page app authorization with `challenge` and returns the code.
async fn spa_code(b: &Browser<'_>, client_id: &str, challenge: &str) -> String {
    let params = b
        .run(
            &[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", SPA_CB),
                ("scope", "openid"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await;
    params
        .get("code")
        .unwrap_or_else(|| panic!("{params:?}"))
        .clone()
}

async fn spa_exchange(
    s: &TestServer,
    client_id: &str,
    code: &str,
    verifier: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", SPA_CB),
        ("client_id", client_id),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    let (status, body, _) = post_form(s, "/oauth2/token", &form, None).await;
    (status, body)
}

fn assert_invalid_grant(what: &str, (status, body): (StatusCode, Value)) {
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{what}: {body}"
    );
}

async fn verifier_without_challenge_is_a_downgrade(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    // A confidential client may skip PKCE, but then no verifier may appear at the token
    // endpoint (RFC 9700 §4.8.2: PKCE downgrade).
    let code = web_code(&browser, &app, "openid").await;
    let (verifier, _) = pkce_pair();
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", &verifier),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_invalid_grant("verifier without challenge", (status, body));
    let (status, body) = crate::oauth_code::exchange_web(&s, &app, &code).await;
    assert_invalid_grant("and the code is burnt", (status, body));
}

async fn challenge_without_verifier_is_refused_and_burns_the_code(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    let code = spa_code(&browser, &spa, &challenge).await;
    assert_invalid_grant(
        "challenge without verifier",
        spa_exchange(&s, &spa, &code, None).await,
    );
    assert_invalid_grant(
        "empty verifier",
        spa_exchange(&s, &spa, &code, Some("")).await,
    );
    assert_invalid_grant(
        "the right verifier after the attempt",
        spa_exchange(&s, &spa, &code, Some(&verifier)).await,
    );
    // The same for a confidential client that used PKCE.
    let app = web_app(&s).await;
    let code = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", "openid"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await["code"]
        .clone();
    assert_invalid_grant(
        "confidential client, challenge without verifier",
        crate::oauth_code::exchange_web(&s, &app, &code).await,
    );
}

async fn plain_and_malformed_challenges_are_refused_at_authorize(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    let long = "A".repeat(44);
    let short = "A".repeat(42);
    let bad_charset = format!("{}+", "A".repeat(42));
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("no PKCE for a single-page app", vec![]),
        (
            "plain",
            vec![
                ("code_challenge", verifier.as_str()),
                ("code_challenge_method", "plain"),
            ],
        ),
        (
            "method left out (plain by default, RFC 7636 §4.3)",
            vec![("code_challenge", challenge.as_str())],
        ),
        (
            "lowercase s256",
            vec![
                ("code_challenge", challenge.as_str()),
                ("code_challenge_method", "s256"),
            ],
        ),
        (
            "method without challenge",
            vec![("code_challenge_method", "S256")],
        ),
        (
            "42-character challenge",
            vec![
                ("code_challenge", short.as_str()),
                ("code_challenge_method", "S256"),
            ],
        ),
        (
            "44-character challenge",
            vec![
                ("code_challenge", long.as_str()),
                ("code_challenge_method", "S256"),
            ],
        ),
        (
            "challenge outside base64url",
            vec![
                ("code_challenge", bad_charset.as_str()),
                ("code_challenge_method", "S256"),
            ],
        ),
    ];
    for (what, extra) in cases {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", spa.as_str()),
            ("redirect_uri", SPA_CB),
            ("scope", "openid"),
            ("state", "p"),
        ];
        params.extend(extra);
        let landing = browser.authorize(&params).await;
        let p = landing.client_params();
        assert_eq!(p["error"], "invalid_request", "{what}: {p:?}");
        assert_eq!(p["state"], "p", "{what}");
        assert!(!p.contains_key("code"), "{what}");
    }
}

async fn malformed_verifiers_are_refused_even_when_they_match(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    // Each challenge is the real S256 of the malformed verifier, so only RFC 7636 §4.1
    // (`code-verifier = 43*128unreserved`) refuses it.
    let cases = [
        ("42 characters", "a".repeat(42)),
        ("129 characters", "a".repeat(129)),
        ("plus sign", format!("{}+", "a".repeat(43))),
        ("slash", format!("{}/", "a".repeat(43))),
        ("padding", format!("{}=", "a".repeat(43))),
        ("space", format!("{} a", "a".repeat(42))),
        ("percent", format!("{}%", "a".repeat(43))),
        ("non-ASCII", format!("{}é", "a".repeat(42))),
        ("NUL", format!("{}\u{0}", "a".repeat(43))),
    ];
    for (what, verifier) in cases {
        let code = spa_code(&browser, &spa, &s256_challenge(&verifier)).await;
        assert_invalid_grant(what, spa_exchange(&s, &spa, &code, Some(&verifier)).await);
    }
}

async fn wrong_verifier_burns_the_code(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    let (other, _) = pkce_pair();
    let code = spa_code(&browser, &spa, &challenge).await;
    assert_invalid_grant(
        "wrong verifier",
        spa_exchange(&s, &spa, &code, Some(&other)).await,
    );
    assert_invalid_grant(
        "the right verifier after a wrong one",
        spa_exchange(&s, &spa, &code, Some(&verifier)).await,
    );
    // The challenge itself is not the verifier (plain is never used).
    let code = spa_code(&browser, &spa, &challenge).await;
    assert_invalid_grant(
        "the challenge as verifier",
        spa_exchange(&s, &spa, &code, Some(&challenge)).await,
    );
    // Control: a fresh code with the right verifier works.
    let code = spa_code(&browser, &spa, &challenge).await;
    let (status, body) = spa_exchange(&s, &spa, &code, Some(&verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn verifier_length_bounds_are_inclusive(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    for verifier in [
        "a".repeat(43),
        "Az09-._~".repeat(16), // 128 characters, every unreserved class
    ] {
        let code = spa_code(&browser, &spa, &s256_challenge(&verifier)).await;
        let (status, body) = spa_exchange(&s, &spa, &code, Some(&verifier)).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", verifier.len());
    }
}

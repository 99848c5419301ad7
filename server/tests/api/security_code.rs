//! Security suite, authorization codes (RFC 6749 §4.1.2, §4.1.3, §10.5; RFC 9700 §4.5): a code is
//! single-use, short-lived and bound to its client and redirect URI; a replay revokes what the
//! first exchange issued, and a failed attempt by anyone burns it.

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{introspect_active, me_status, pkce_pair, post_form, Browser};
use crate::oauth_code::{
    exchange_web, refresh_web, spa_app, web_app, web_code, WebApp, SPA_CB, WEB_CB,
};
use crate::on_both_databases;

on_both_databases!(
    code_replay_revokes_the_tokens_of_the_first_exchange,
    code_redeemed_by_another_client_is_refused_and_burnt,
    code_redeemed_with_another_redirect_uri_is_refused_and_burnt,
    code_expiry_and_forged_codes,
    public_client_code_needs_the_public_client,
    a_refused_exchange_then_the_right_one_are_told_the_truth,
    the_right_exchange_then_a_wrong_one_revokes_the_tokens,
    concurrent_right_and_wrong_exchanges_never_give_two_token_sets,
);

fn assert_error(what: &str, got: (StatusCode, &Value), status: StatusCode, error: &str) {
    assert_eq!(got.0, status, "{what}: {}", got.1);
    assert_eq!(got.1["error"], error, "{what}: {}", got.1);
}

async fn code_replay_revokes_the_tokens_of_the_first_exchange(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid offline_access").await;
    let (status, first) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let at = first["access_token"].as_str().unwrap();
    let rt = first["refresh_token"].as_str().unwrap();
    assert_eq!(me_status(&s, at).await, StatusCode::OK);
    // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
    // server MUST deny the request and SHOULD revoke (when possible) all tokens previously
    // issued based on that authorization code."
    let (status, again) = exchange_web(&s, &app, &code).await;
    assert_error(
        "replay",
        (status, &again),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
    assert!(!introspect_active(&s, at, (&app.client_id, &app.secret)).await);
    assert!(!introspect_active(&s, rt, (&app.client_id, &app.secret)).await);
    let (status, body) = refresh_web(&s, &app, rt, None).await;
    assert_error(
        "refresh from a replayed code",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // A third try is refused the same way.
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_error(
        "third use",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // Other grants of the same user and client are untouched.
    let other = web_code(&browser, &app, "openid").await;
    let (status, body) = exchange_web(&s, &app, &other).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn code_redeemed_by_another_client_is_refused_and_burnt(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let attacker = web_app(&s).await; // same redirect URI registered, its own secret
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid offline_access").await;
    let (status, body) = exchange_web(&s, &attacker, &code).await;
    assert_error(
        "another client",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // The attempt burnt the code: the rightful client gets nothing either.
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_error(
        "after another client tried",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // Another client naming the code's client in the body is caught by authentication.
    let code = web_code(&browser, &app, "openid").await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("client_id", &app.client_id),
        ],
        Some((&attacker.client_id, &attacker.secret)),
    )
    .await;
    assert_error(
        "client_id differs from Basic",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // And the code's client_id with the attacker's secret is a failed authentication.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &attacker.secret)),
    )
    .await;
    assert_error(
        "the code's client_id, another secret",
        (status, &body),
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    // Authentication failed before the code was looked at: it still works.
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn code_redeemed_with_another_redirect_uri_is_refused_and_burnt(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    for (what, redirect_uri) in [
        ("another path", Some("https://web.example.com/other")),
        ("trailing slash", Some("https://web.example.com/callback/")),
        ("http for https", Some("http://web.example.com/callback")),
        ("added query", Some("https://web.example.com/callback?x=1")),
        // RFC 6749 §4.1.3: required when it was in the authorization request.
        ("left out", None),
    ] {
        let code = web_code(&browser, &app, "openid").await;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
        ];
        if let Some(r) = redirect_uri {
            form.push(("redirect_uri", r));
        }
        let (status, body, _) = post_form(
            &s,
            "/oauth2/token",
            &form,
            Some((&app.client_id, &app.secret)),
        )
        .await;
        assert_error(
            what,
            (status, &body),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        );
        let (status, body) = exchange_web(&s, &app, &code).await;
        assert_error(
            &format!("{what}, then the right URI"),
            (status, &body),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        );
    }
}

async fn code_expiry_and_forged_codes(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    // A code lives 60 s (RFC 6749 §4.1.2: "a maximum authorization code lifetime of 10
    // minutes is RECOMMENDED").
    let code = web_code(&browser, &app, "openid").await;
    s.clock.advance(61);
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_error(
        "expired",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    let code = web_code(&browser, &app, "openid").await;
    for (what, forged) in [
        ("garbage", "not-a-code".to_owned()),
        ("truncated", code[..code.len() - 1].to_owned()),
        ("extended", format!("{code}A")),
        ("case changed", code.to_uppercase()),
        ("huge", "A".repeat(8_000)),
    ] {
        let (status, body) = exchange_web(&s, &app, &forged).await;
        assert_error(
            what,
            (status, &body),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        );
    }
    // No code at all is a malformed request.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_error(
        "no code",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
    // The forged attempts did not spoil the real code.
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn public_client_code_needs_the_public_client(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let web = web_app(&s).await;
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    let code = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &spa),
                ("redirect_uri", SPA_CB),
                ("scope", "openid"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await["code"]
        .clone();
    // A confidential client holding the stolen code and verifier cannot redeem it.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("code_verifier", &verifier),
        ],
        Some((&web.client_id, &web.secret)),
    )
    .await;
    assert_error(
        "a web app redeems a single-page app's code",
        (status, &body),
        StatusCode::BAD_REQUEST,
        "invalid_grant",
    );
    // And a confidential client cannot pose as public by leaving its secret out.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("client_id", &web.client_id),
        ],
        None,
    )
    .await;
    assert_error(
        "a confidential client without its secret",
        (status, &body),
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
}

/// The token request for `code` by `app`, with `redirect_uri` and `code_verifier` as given.
async fn exchange_with(
    s: &TestServer,
    app: &WebApp,
    code: &str,
    redirect_uri: &str,
    verifier: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &form,
        Some((&app.client_id, &app.secret)),
    )
    .await;
    (status, body)
}

/// A web app's code for alice bound to the S256 challenge of `verifier`.
async fn pkce_code(browser: &Browser<'_>, app: &WebApp, challenge: &str) -> String {
    browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", "openid"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await["code"]
        .clone()
}

fn description(body: &Value) -> &str {
    body["error_description"].as_str().unwrap_or_default()
}

/// The answer to a refused exchange, which burnt the code, says what was wrong and that
/// the code is used up.
fn assert_refused_and_spent(what: &str, got: (StatusCode, &Value), names: &str) {
    assert_error(what, got, StatusCode::BAD_REQUEST, "invalid_grant");
    let d = description(got.1);
    assert!(d.contains(names), "{what}: {d}");
    assert!(
        d.contains("now used up: start a new authorization request"),
        "{what}: {d}"
    );
    assert!(!d.contains("revoked"), "{what}: {d}");
}

/// A later use of a code a refused exchange burnt: no tokens were issued, none revoked.
fn assert_spent_by_refusal(what: &str, got: (StatusCode, &Value)) {
    assert_error(what, got, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        description(got.1),
        "The code was used up by an earlier token request that was refused; no tokens were \
         issued for it. Start a new authorization request to get a new code.",
        "{what}"
    );
}

fn assert_replayed(what: &str, got: (StatusCode, &Value)) {
    assert_error(what, got, StatusCode::BAD_REQUEST, "invalid_grant");
    assert_eq!(
        description(got.1),
        "The code was already used; the tokens it issued are revoked.",
        "{what}"
    );
}

/// RFC 6749 §4.1.2, §10.5: a refused exchange burns the code, and both it and the client's
/// corrected retry say so truthfully (nothing was issued, so nothing is "revoked").
async fn a_refused_exchange_then_the_right_one_are_told_the_truth(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    // A wrong redirect_uri, then the right one.
    let code = web_code(&browser, &app, "openid").await;
    let other = "https://web.example.com/other";
    let (status, body) = exchange_with(&s, &app, &code, other, None).await;
    assert_refused_and_spent("wrong redirect_uri", (status, &body), "redirect_uri");
    assert!(description(&body).contains(other), "{body}");
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_spent_by_refusal("the right redirect_uri after a wrong one", (status, &body));
    // Still the same on a third try.
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_spent_by_refusal("third try", (status, &body));
    // A wrong PKCE verifier, then the right one.
    let (verifier, challenge) = pkce_pair();
    let code = pkce_code(&browser, &app, &challenge).await;
    let wrong = "x".repeat(43);
    let (status, body) = exchange_with(&s, &app, &code, WEB_CB, Some(&wrong)).await;
    assert_refused_and_spent("wrong verifier", (status, &body), "code_verifier");
    let (status, body) = exchange_with(&s, &app, &code, WEB_CB, Some(&verifier)).await;
    assert_spent_by_refusal("the right verifier after a wrong one", (status, &body));
    // No verifier at all, then the right one.
    let code = pkce_code(&browser, &app, &challenge).await;
    let (status, body) = exchange_with(&s, &app, &code, WEB_CB, None).await;
    assert_refused_and_spent("no verifier", (status, &body), "code_verifier");
    let (status, body) = exchange_with(&s, &app, &code, WEB_CB, Some(&verifier)).await;
    assert_spent_by_refusal("the verifier after none", (status, &body));
    // Control: a fresh code with the right values works.
    let code = pkce_code(&browser, &app, &challenge).await;
    let (status, body) = exchange_with(&s, &app, &code, WEB_CB, Some(&verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// The other order: tokens issued, then the code again with a wrong redirect_uri or
/// verifier. That is a replay (RFC 6749 §4.1.2): the tokens are revoked, and it says so.
async fn the_right_exchange_then_a_wrong_one_revokes_the_tokens(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid offline_access").await;
    let (status, first) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let at = first["access_token"].as_str().unwrap();
    let (status, body) =
        exchange_with(&s, &app, &code, "https://web.example.com/other", None).await;
    assert_replayed("a wrong redirect_uri after tokens", (status, &body));
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
    let (verifier, challenge) = pkce_pair();
    let code = pkce_code(&browser, &app, &challenge).await;
    let (status, first) = exchange_with(&s, &app, &code, WEB_CB, Some(&verifier)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let at = first["access_token"].as_str().unwrap();
    let (status, body) = exchange_with(&s, &app, &code, WEB_CB, Some(&"y".repeat(43))).await;
    assert_replayed("a wrong verifier after tokens", (status, &body));
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
}

/// Two exchanges of one code at once, one with a wrong redirect_uri: whichever the store
/// takes first, at most one answer carries tokens, and when one does they are revoked by
/// the other (RFC 6749 §4.1.2); never two token sets.
async fn concurrent_right_and_wrong_exchanges_never_give_two_token_sets(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    for round in 0..8 {
        let code = web_code(&browser, &app, "openid").await;
        let ((rs, right), (ws, wrong)) = tokio::join!(
            exchange_web(&s, &app, &code),
            exchange_with(&s, &app, &code, "https://web.example.com/other", None),
        );
        assert_ne!(ws, StatusCode::OK, "round {round}: {wrong}");
        if rs == StatusCode::OK {
            // The right one went first; the wrong one replayed the code.
            assert_replayed(&format!("round {round}: wrong second"), (ws, &wrong));
            let at = right["access_token"].as_str().unwrap();
            assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
        } else {
            // The wrong one went first and burnt the code.
            assert_refused_and_spent(
                &format!("round {round}: wrong first"),
                (ws, &wrong),
                "redirect_uri",
            );
            assert_spent_by_refusal(&format!("round {round}: right second"), (rs, &right));
        }
    }
}

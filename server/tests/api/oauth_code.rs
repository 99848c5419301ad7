//! The authorization code flow end to end: authorize, sign-in, consent, code exchange.

use portico::clock::Clock;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{me_status, pkce_pair, post_form, Browser, Landing, PASSWORD};
use crate::on_both_databases;

on_both_databases!(
    web_app_code_flow_with_basic_and_post_secrets,
    single_page_app_code_flow_with_pkce,
    consent_is_remembered_and_deny_returns_access_denied,
    prompt_none_and_prompt_login,
    unknown_client_or_redirect_uri_gets_an_error_page_never_a_redirect,
    a_machine_to_machine_app_is_told_it_does_not_use_sign_in,
    request_errors_redirect_with_state_and_iss,
    code_is_single_use_and_a_replay_revokes_its_tokens,
    code_is_bound_to_client_redirect_uri_and_pkce,
    interaction_is_bound_to_the_browser_and_origin,
    login_failures_are_rate_limited_but_never_forever,
    admin_scope_only_for_admins,
    console_app_skips_consent_and_authorize_accepts_post,
    consent_and_connected_apps_list_identity_first_and_offline_access_last,
);

pub const WEB_CB: &str = "https://web.example.com/callback";
pub const SPA_CB: &str = "https://spa.example.com:5173/callback";

pub struct WebApp {
    pub client_id: String,
    pub secret: String,
}

pub async fn web_app(s: &TestServer) -> WebApp {
    let app = s.create_app("web", "Billing").await;
    let client_id = app["client_id"].as_str().unwrap().to_owned();
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{client_id}"),
            json!({"redirect_uris": [WEB_CB]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    WebApp {
        client_id,
        secret: app["client_secret"].as_str().unwrap().to_owned(),
    }
}

pub async fn spa_app(s: &TestServer, rotate: bool) -> String {
    let app = s.create_app("single_page", "Dashboard").await;
    let client_id = app["client_id"].as_str().unwrap().to_owned();
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{client_id}"),
            json!({"redirect_uris": [SPA_CB], "rotate_refresh_token": rotate}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    client_id
}

/// Runs a full web-app authorization for `alice` and returns the code.
pub async fn web_code(b: &Browser<'_>, app: &WebApp, scope: &str) -> String {
    let params = b
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", scope),
                ("state", "s1"),
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

/// Exchanges the code in `redirect_to` (the answer of the sign-in or consent step, the
/// browser's way back to the app) as `app`.
pub async fn exchange_redirect(
    s: &TestServer,
    app: &WebApp,
    redirect_to: &str,
) -> (StatusCode, Value) {
    assert!(redirect_to.starts_with(WEB_CB), "{redirect_to}");
    let code = crate::flows::query_params(redirect_to)
        .remove("code")
        .unwrap_or_else(|| panic!("no code in {redirect_to}"));
    exchange_web(s, app, &code).await
}

/// The refresh-token grant for `app`'s `token`, narrowed to `scope` when given (RFC 6749 §6).
pub async fn refresh_web(
    s: &TestServer,
    app: &WebApp,
    token: &str,
    scope: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if let Some(scope) = scope {
        form.push(("scope", scope));
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

pub async fn exchange_web(s: &TestServer, app: &WebApp, code: &str) -> (StatusCode, Value) {
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    (status, body)
}

async fn web_app_code_flow_with_basic_and_post_secrets(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let params = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", "openid profile email offline_access"),
                ("state", "xyz"),
                ("nonce", "n-0S6"),
            ],
            "alice",
            "allow",
        )
        .await;
    // RFC 6749 §4.1.2 and RFC 9207: code, the state unchanged, and iss.
    assert_eq!(params["state"], "xyz");
    assert_eq!(params["iss"], s.base);
    let (status, body, headers) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &params["code"]),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "email offline_access openid profile");
    assert!(body["refresh_token"].as_str().unwrap().starts_with("prt_"));
    let id_token = body["id_token"].as_str().unwrap();
    let claims = crate::flows::jwt_claims(id_token);
    assert_eq!(claims["aud"], app.client_id);
    assert_eq!(claims["nonce"], "n-0S6");
    assert_eq!(claims["preferred_username"], "alice");
    // The access token opens /api/v1/me as alice.
    let me: Value = s
        .http
        .get(s.url("/api/v1/me"))
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], "alice");
    assert_eq!(me["kind"], "user");

    // Second run: signed in and consented, so straight back with a code; client_secret_post.
    let code = web_code(&browser, &app, "openid").await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("client_id", &app.client_id),
            ("client_secret", &app.secret),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
}

async fn single_page_app_code_flow_with_pkce(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let client_id = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    // Without PKCE a single-page app is refused.
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", SPA_CB),
        ])
        .await;
    assert_eq!(landing.client_params()["error"], "invalid_request");
    let params = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &client_id),
                ("redirect_uri", SPA_CB),
                ("scope", "openid offline_access"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("state", "st"),
            ],
            "alice",
            "allow",
        )
        .await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &params["code"]),
            ("redirect_uri", SPA_CB),
            ("client_id", &client_id),
            ("code_verifier", &verifier),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].is_string());
}

async fn consent_is_remembered_and_deny_returns_access_denied(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let base = [
        ("response_type", "code"),
        ("client_id", app.client_id.as_str()),
        ("redirect_uri", WEB_CB),
        ("state", "s"),
    ];
    // Deny: access_denied with the state.
    let mut p = base.to_vec();
    p.push(("scope", "openid"));
    let params = browser.run(&p, "alice", "deny").await;
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "s");
    assert_eq!(params["iss"], s.base);
    // Allow once; the same scopes later skip the consent page.
    browser.run(&p, "alice", "allow").await;
    assert!(browser
        .authorize(&p)
        .await
        .client_params()
        .contains_key("code"));
    // More scopes than consented: asked again, and the page shows them in plain words.
    let mut wider = base.to_vec();
    wider.push(("scope", "openid email"));
    let landing = browser.authorize(&wider).await;
    let (status, view) = browser.show(landing.interaction()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["app"]["name"], "Billing");
    assert_eq!(view["login_required"], false);
    assert_eq!(view["username"], "alice");
    let names: Vec<&str> = view["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Who the user is first, then what else (the consent page's order).
    assert_eq!(names, ["openid", "email"]);
    assert!(view["scopes"][1]["description"]
        .as_str()
        .unwrap()
        .contains("e-mail"));
    // prompt=consent asks even when covered.
    let mut forced = p.clone();
    forced.push(("prompt", "consent"));
    assert!(
        matches!(browser.authorize(&forced).await, Landing::Page { ref page, .. } if page == "consent")
    );
}

async fn prompt_none_and_prompt_login(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let p = |prompt: &'static str| {
        vec![
            ("response_type", "code"),
            ("client_id", app.client_id.clone().leak() as &str),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
            ("state", "q"),
            ("prompt", prompt),
        ]
    };
    assert_eq!(
        browser.authorize(&p("none")).await.client_params()["error"],
        "login_required"
    );
    // Signed in but not consented: consent_required.
    let landing = browser.authorize(&p("")).await;
    browser
        .login(landing.interaction(), "alice", PASSWORD)
        .await;
    assert_eq!(
        browser.authorize(&p("none")).await.client_params()["error"],
        "consent_required"
    );
    let landing = browser.authorize(&p("")).await;
    browser.decide(landing.interaction(), "allow").await;
    assert!(browser
        .authorize(&p("none"))
        .await
        .client_params()
        .contains_key("code"));
    // prompt=login asks for the password again.
    assert!(
        matches!(browser.authorize(&p("login")).await, Landing::Page { ref page, .. } if page == "login")
    );
    assert_eq!(
        browser.authorize(&p("none login")).await.client_params()["error"],
        "invalid_request"
    );
}

async fn unknown_client_or_redirect_uri_gets_an_error_page_never_a_redirect(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    for params in [
        vec![
            ("response_type", "code"),
            ("client_id", "nope"),
            ("redirect_uri", WEB_CB),
        ],
        vec![("response_type", "code"), ("redirect_uri", WEB_CB)],
        vec![
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "https://evil.example/cb"),
        ],
        vec![
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "https://web.example.com/callback/"),
        ],
        vec![
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "https://WEB.example.com/callback"),
        ],
        vec![
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "https://web.example.com/callback?x=1"),
        ],
    ] {
        match browser.authorize(&params).await {
            Landing::ErrorPage { status, body } => {
                assert_eq!(status, StatusCode::BAD_REQUEST);
                assert!(body.contains("<h1>"), "{body}");
                // A way back, and for the developer what Portico received (escaped).
                assert!(body.contains("<a href=\"/\">"), "{body}");
                for (name, value) in &params[1..] {
                    assert!(
                        body.contains(&format!("<dt>{name}</dt><dd><code>{value}</code></dd>")),
                        "{name} missing: {body}"
                    );
                }
            }
            other => panic!("{params:?} must not redirect: {other:?}"),
        }
    }
    // With one registered URI, redirect_uri may be left out.
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("scope", "openid"),
        ])
        .await;
    assert!(matches!(landing, Landing::Page { .. }));
}

async fn request_errors_redirect_with_state_and_iss(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![], "invalid_request"),
        (
            vec![("response_type", "code"), ("scope", "openid write:all")],
            "invalid_scope",
        ),
        (
            vec![
                ("response_type", "code"),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
                ("code_challenge_method", "plain"),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("response_type", "code"),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("response_type", "code"),
                ("code_challenge", "short"),
                ("code_challenge_method", "S256"),
            ],
            "invalid_request",
        ),
        (
            vec![("response_type", "code"), ("prompt", "select_account")],
            "invalid_request",
        ),
    ];
    for (extra, error) in cases {
        let mut params = vec![
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", WEB_CB),
            ("state", "keep me"),
        ];
        params.extend(extra.iter().copied());
        let landing = browser.authorize(&params).await;
        let p = landing.client_params();
        assert_eq!(p["error"], error, "{extra:?}");
        assert_eq!(p["state"], "keep me");
        assert_eq!(p["iss"], s.base);
        assert!(p.contains_key("error_description"));
    }
    // A repeated parameter is refused (RFC 6749 §3.1); the client is not trusted yet.
    let url = format!(
        "{}?client_id={}&client_id={}&response_type=code",
        s.url("/oauth2/authorize"),
        app.client_id,
        app.client_id
    );
    let res = browser.http.get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // The authorize endpoint sends no CORS headers.
    let res = browser
        .http
        .get(s.url("/oauth2/authorize"))
        .header("origin", "https://spa.example.com:5173")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

async fn code_is_single_use_and_a_replay_revokes_its_tokens(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid offline_access").await;
    let (status, first) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(again["error"], "invalid_grant");
    // RFC 6749 §4.1.2: what the first exchange issued is revoked.
    assert_eq!(
        me_status(&s, first["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // A code lives 60 s.
    let code = web_code(&browser, &app, "openid").await;
    s.clock.advance(61);
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    assert!(s.clock.now() > 0);
}

async fn code_is_bound_to_client_redirect_uri_and_pkce(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let other = web_app(&s).await;
    let browser = Browser::new(&s);
    // Another client cannot redeem it.
    let code = web_code(&browser, &app, "openid").await;
    let (status, body) = exchange_web(&s, &other, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // Another redirect URI cannot.
    let code = web_code(&browser, &app, "openid").await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://web.example.com/other"),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // With a challenge: the verifier is required, must match, and a wrong one burns the code.
    let (verifier, challenge) = pkce_pair();
    let run = |challenge: String| {
        let browser = &browser;
        let app = &app;
        async move {
            browser
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
                .clone()
        }
    };
    let code = run(challenge.clone()).await;
    let exchange = |code: String, verifier: Option<String>| {
        let s = &s;
        let app = &app;
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", code),
                ("redirect_uri", WEB_CB.to_owned()),
            ];
            if let Some(v) = verifier {
                form.push(("code_verifier", v));
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, body, _) = post_form(
                s,
                "/oauth2/token",
                &form,
                Some((&app.client_id, &app.secret)),
            )
            .await;
            (status, body["error"].as_str().map(str::to_owned))
        }
    };
    assert_eq!(
        exchange(code.clone(), Some("x".repeat(43)))
            .await
            .1
            .as_deref(),
        Some("invalid_grant")
    );
    assert_eq!(
        exchange(code, Some(verifier.clone())).await.1.as_deref(),
        Some("invalid_grant"),
        "burnt by the wrong verifier"
    );
    let code = run(challenge.clone()).await;
    assert_eq!(
        exchange(code, None).await.1.as_deref(),
        Some("invalid_grant")
    );
    let code = run(challenge.clone()).await;
    assert_eq!(
        exchange(code, Some(verifier.clone())).await,
        (StatusCode::OK, None)
    );
    // A verifier without a challenge is a downgrade attempt.
    let code = web_code(&browser, &app, "openid").await;
    assert_eq!(
        exchange(code, Some(verifier)).await.1.as_deref(),
        Some("invalid_grant")
    );
}

async fn interaction_is_bound_to_the_browser_and_origin(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let victim = Browser::new(&s);
    let landing = victim
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await;
    let id = landing.interaction().to_owned();
    let cookie = victim.cookie("portico_browser").unwrap();
    // Another browser (the attacker holding only the id) gets 403.
    let attacker = Browser::new(&s);
    let (status, _) = attacker.show(&id).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = attacker.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A cross-site page posting from the victim's browser is refused by Origin.
    let (status, _, _) = victim
        .interaction_post(
            &format!("/api/v1/interactions/{id}/login"),
            json!({"username": "alice", "password": PASSWORD}),
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = victim
        .interaction_post(
            &format!("/api/v1/interactions/{id}/login"),
            json!({"username": "alice", "password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The real page signs in; consent without the browser cookie fails; with it, works once.
    let (status, body, _) = victim.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(victim.cookie("portico_session").is_some());
    let (status, _) = attacker.decide(&id, "allow").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = victim.decide(&id, "allow").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["redirect_to"].as_str().unwrap().starts_with(WEB_CB));
    let (status, _) = victim.decide(&id, "allow").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an interaction completes once"
    );
    assert!(!cookie.is_empty());
    // The session cookie is HttpOnly and SameSite=Lax.
    let landing = Browser::new(&s)
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
        ])
        .await;
    assert!(matches!(landing, Landing::Page { .. }));
}

async fn login_failures_are_rate_limited_but_never_forever(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await;
    let id = landing.interaction().to_owned();
    let (status, body, _) = browser.login(&id, "alice", "wrong password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["detail"], "Wrong username or password.");
    let (_, unknown, _) = browser.login(&id, "nobody", "wrong password").await;
    assert_eq!(
        unknown["detail"], body["detail"],
        "unknown users look like wrong passwords"
    );
    for _ in 0..4 {
        browser.login(&id, "alice", "wrong password").await;
    }
    let (status, body, retry) = browser.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let retry: i64 = retry.unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 300);
    // Once the window passes, the right password works.
    s.clock.advance(retry);
    let (status, body, _) = browser.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn admin_scope_only_for_admins(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    s.add_user("boss", true).await;
    // Through the console: dropped for a non-admin, granted to an admin.
    let alice = crate::flows::console_tokens(&Browser::new(&s), "alice", "openid admin").await;
    assert_eq!(alice["scope"], "openid", "admin is dropped for a non-admin");
    let boss = crate::flows::console_tokens(&Browser::new(&s), "boss", "openid admin").await;
    assert_eq!(boss["scope"], "admin openid");
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(boss["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "a signed-in admin's console token opens the admin API"
    );
}

async fn console_app_skips_consent_and_authorize_accepts_post(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    let callback = s.url("/auth/callback");
    let params = [
        ("response_type", "code"),
        ("client_id", "portico-console"),
        ("redirect_uri", callback.as_str()),
        ("scope", "openid profile offline_access"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "c"),
    ];
    // Sign-in only: the built-in console never asks for consent.
    let landing = browser.authorize(&params).await;
    let (status, body, _) = browser
        .login(landing.interaction(), "alice", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK);
    let to = body["redirect_to"].as_str().unwrap();
    assert!(to.starts_with(&callback), "{to}");
    let code = crate::flows::query_params(to)["code"].clone();
    let (status, tokens, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &callback),
            ("client_id", "portico-console"),
            ("code_verifier", &verifier),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    // The console app is not listed, counted or editable as an admin app.
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["apps"], json!([]));
    let (status, _) = s.get("/api/v1/apps/portico-console").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // POST /oauth2/authorize (form) works like GET; the signed-in user goes straight back.
    let res = browser
        .http
        .post(s.url("/oauth2/authorize"))
        .header(
            "cookie",
            format!(
                "portico_session={}; portico_browser={}",
                browser.cookie("portico_session").unwrap(),
                browser.cookie("portico_browser").unwrap()
            ),
        )
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .contains("code="));
    // The session cookie is HttpOnly and SameSite=Lax (Secure only on an https issuer).
    let fresh = Browser::new(&s);
    let landing = fresh.authorize(&params).await;
    let res = fresh
        .http
        .post(s.url(&format!(
            "/api/v1/interactions/{}/login",
            landing.interaction()
        )))
        .header(
            "cookie",
            format!(
                "portico_browser={}",
                fresh.cookie("portico_browser").unwrap()
            ),
        )
        .header("origin", s.base.clone())
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("portico_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
}

async fn consent_and_connected_apps_list_identity_first_and_offline_access_last(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let params = [
        ("response_type", "code"),
        ("client_id", app.client_id.as_str()),
        ("redirect_uri", WEB_CB),
        ("scope", "offline_access email profile openid"),
    ];
    let landing = browser.authorize(&params).await;
    let (status, body, _) = browser
        .login(landing.interaction(), "alice", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, view) = browser.show(landing.interaction()).await;
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let order = ["openid", "profile", "email", "offline_access"];
    assert_eq!(names(&view["scopes"]), order);
    let (_, body) = browser.decide(landing.interaction(), "allow").await;
    // Connected apps lists the apps holding a grant: redeem the code.
    let to = body["redirect_to"].as_str().unwrap();
    assert_eq!(exchange_redirect(&s, &app, to).await.0, StatusCode::OK);
    let res = browser
        .http
        .get(browser.url("/api/v1/account/apps"))
        .bearer_auth(
            crate::flows::console_tokens(&browser, "alice", "openid").await["access_token"]
                .as_str()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let apps: Value = res.json().await.unwrap();
    let billing = apps["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == app.client_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(names(&billing["scopes"]), order);
}

/// A machine-to-machine app sent to the authorization endpoint: it has no redirect URI to
/// send an error to (RFC 6749 §4.1.2.1), so Portico's page says, in plain words, that this
/// type of app gets tokens at the token endpoint, and shows its developer the client_id.
async fn a_machine_to_machine_app_is_told_it_does_not_use_sign_in(b: Backend) {
    let s = TestServer::start(b).await;
    let m2m = s.create_app("machine_to_machine", "Worker").await["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Browser::new(&s);
    for extra in [
        vec![],
        vec![("redirect_uri", "https://evil.example/cb")],
        vec![
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
            ("state", "s1"),
        ],
    ] {
        let mut params = vec![("response_type", "code"), ("client_id", m2m.as_str())];
        params.extend(extra);
        match browser.authorize(&params).await {
            Landing::ErrorPage { status, body } => {
                assert_eq!(status, StatusCode::BAD_REQUEST);
                assert!(
                    body.contains(
                        "This app is a machine-to-machine app: it gets tokens with \
                         client_credentials or a JWT assertion at the token endpoint, not \
                         through sign-in."
                    ),
                    "{body}"
                );
                assert!(
                    body.contains(&format!("<dt>client_id</dt><dd><code>{m2m}</code></dd>")),
                    "{body}"
                );
                // No login form, and no other error than this one.
                assert!(!body.contains("Unregistered redirect URL"), "{body}");
                assert!(!body.contains("<form"), "{body}");
            }
            other => panic!("{params:?} must not redirect: {other:?}"),
        }
    }
}

//! Security suite, authority boundaries: a token carries exactly what an admin or a user
//! granted, to the app it was issued to; abuse limits hold under parallel requests and cannot
//! be turned against someone else. Each test is one attack, tried as a stranger would against
//! the real server, and refused.

use portico::clock::Clock;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, Options, TestServer};
use crate::flows::{
    allow_jwt_bearer, assertion_claims, console_tokens, m2m_app, post_form, sign_jwt, Browser,
    PASSWORD,
};
use crate::oauth_code::{exchange_web, spa_app, web_app, web_code, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    a_third_party_app_cannot_obtain_admin_power,
    a_demoted_or_disabled_admin_loses_the_admin_api_on_the_next_request,
    a_third_party_token_cannot_list_or_revoke_connected_apps,
    an_m2m_app_acts_only_as_the_users_an_admin_listed,
    parallel_wrong_passwords_get_at_most_the_budget,
    a_stranger_elsewhere_cannot_lock_a_user_out,
    forwarded_headers_count_only_from_trusted_proxies,
    strangers_cannot_lock_out_a_public_client,
    strangers_cannot_lock_out_a_confidential_client,
    single_page_apps_cannot_switch_rotation_off,
    a_consent_page_left_open_after_sign_out_issues_nothing,
    an_expired_refresh_token_introspects_inactive,
    an_https_issuer_pins_https_and_host_prefixes_its_cookies,
);

async fn get_with(s: &TestServer, path: &str, token: &str) -> (StatusCode, Value) {
    let res = s
        .http
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    crate::common::read(res).await
}

async fn delete_with(s: &TestServer, path: &str, token: &str) -> StatusCode {
    s.http
        .delete(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// Attack 1: an ordinary web app sends an administrator through the authorization endpoint
/// asking for `admin`. Refused at once with `invalid_scope`; and a token of that app, even one
/// minted claiming `admin`, opens no admin route.
async fn a_third_party_app_cannot_obtain_admin_power(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid admin offline_access"),
            ("state", "s"),
        ])
        .await;
    let params = landing.client_params();
    assert_eq!(params["error"], "invalid_scope", "{params:?}");
    assert!(!params.contains_key("code"));
    // The same app with an honest scope works, and its token is no admin token.
    let code = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", "openid"),
            ],
            "boss",
            "allow",
        )
        .await["code"]
        .clone();
    let (status, t) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(
        get_with(&s, "/api/v1/apps", at).await.0,
        StatusCode::FORBIDDEN
    );
    // Even a validly signed token of that app claiming `admin` (as an older grant might):
    // the admin API looks at whom the token was issued to.
    let boss = s
        .state
        .stores
        .users
        .user_by_username("boss")
        .await
        .unwrap()
        .unwrap();
    let forged = s
        .state
        .tokens
        .issue_access_token(
            &portico::signing::AccessGrant {
                subject: &boss.id,
                client_id: &app.client_id,
                scope: "openid admin",
                lifetime: 600,
                grant_id: None,
            },
            s.clock.now(),
        )
        .unwrap()
        .0;
    for path in ["/api/v1/apps", "/api/v1/audit"] {
        let (status, body) = get_with(&s, path, &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains("console"),
            "{body}"
        );
    }
    let (status, _) = {
        let res = s
            .http
            .patch(s.url(&format!("/api/v1/apps/{}", app.client_id)))
            .bearer_auth(&forged)
            .json(&json!({"redirect_uris": ["https://evil.example/cb"]}))
            .send()
            .await
            .unwrap();
        crate::common::read(res).await
    };
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, app_now) = s.get(&format!("/api/v1/apps/{}", app.client_id)).await;
    assert_eq!(app_now["redirect_uris"], json!([WEB_CB]), "nothing changed");
    // Discovery does not offer `admin` to apps.
    let (_, meta) = {
        let res = s
            .http
            .get(s.url("/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap();
        crate::common::read(res).await
    };
    assert!(!meta["scopes_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("admin")));
}

/// Attack 1, continued: an administrator's console token outlives their role. Demoted (by
/// another process, straight in the database) or disabled, the next admin request fails,
/// even though this copy verified and cached the token a moment before.
async fn a_demoted_or_disabled_admin_loses_the_admin_api_on_the_next_request(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    s.add_user("chief", true).await;
    let t = console_tokens(&Browser::new(&s), "boss", "openid admin").await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(get_with(&s, "/api/v1/apps", at).await.0, StatusCode::OK);
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET is_admin = 0 WHERE username = 'boss'")
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, body) = get_with(&s, "/api/v1/apps", at).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "demoted: {body}");
    // Disabled through the CLI's store call, same thing.
    let t = console_tokens(&Browser::new(&s), "chief", "openid admin").await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(get_with(&s, "/api/v1/apps", at).await.0, StatusCode::OK);
    sqlx::query("UPDATE users SET disabled = 1 WHERE username = 'chief'")
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, body) = get_with(&s, "/api/v1/apps", at).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "disabled: {body}");
}

/// Attack 2: a token a third-party app obtained with `openid` lists the user's other apps
/// and revokes them (signing the user out of the console).
async fn a_third_party_token_cannot_list_or_revoke_connected_apps(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    let third_party = t["access_token"].as_str().unwrap();
    let (status, body) = get_with(&s, "/api/v1/account/apps", third_party).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.get("apps").is_none());
    for target in ["portico-console", app.client_id.as_str()] {
        let path = format!("/api/v1/account/apps/{target}");
        assert_eq!(
            delete_with(&s, &path, third_party).await,
            StatusCode::FORBIDDEN,
            "{target}"
        );
    }
    // The console's token still sees the app: nothing was revoked by the attempts.
    let console = console_tokens(&browser, "alice", "openid").await;
    let own = console["access_token"].as_str().unwrap();
    let (status, list) = get_with(&s, "/api/v1/account/apps", own).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["apps"][0]["client_id"], app.client_id.as_str());
    // The console is not a connected app to revoke; the user signs out instead.
    assert_eq!(
        delete_with(&s, "/api/v1/account/apps/portico-console", own).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get_with(&s, "/api/v1/me", own).await.0, StatusCode::OK);
    // And the user revokes the third-party app from the console.
    let path = format!("/api/v1/account/apps/{}", app.client_id);
    assert_eq!(delete_with(&s, &path, own).await, StatusCode::NO_CONTENT);
    assert_eq!(
        get_with(&s, "/api/v1/me", third_party).await.0,
        StatusCode::UNAUTHORIZED
    );
}

/// A JWT-bearer grant by `client_id` (authenticated with its secret) about `sub`.
async fn jwt_bearer(
    s: &TestServer,
    client: &(String, String),
    kid: &str,
    pem: &str,
    sub: &str,
) -> (StatusCode, Value) {
    let jti = portico::crypto::random::id().unwrap();
    let assertion = sign_jwt(
        pem,
        "ES256",
        Some(kid),
        &assertion_claims(s, &client.0, sub, &jti),
    );
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion),
            ("scope", "openid email"),
        ],
        Some((&client.0, &client.1)),
    )
    .await;
    (status, body)
}

/// Attack 3: with nothing but its own registered key, an M2M app asserts `sub=<admin>` or any
/// user and gets their token. Only the users an admin listed work; admins can never be listed
/// (and one promoted after being listed stops working).
async fn an_m2m_app_acts_only_as_the_users_an_admin_listed(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    s.add_user("bob", false).await;
    let client = m2m_app(&s, "Worker").await;
    let (status, pair) = s
        .post(
            &format!("/api/v1/apps/{}/key-pairs", client.0),
            json!({"alg": "ES256"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pair}");
    let (kid, pem) = (
        pair["kid"].as_str().unwrap(),
        pair["private_key_pem"].as_str().unwrap(),
    );
    // A new app lists nobody: it acts only as itself.
    let (_, app) = s.get(&format!("/api/v1/apps/{}", client.0)).await;
    assert_eq!(app["jwt_bearer_users"], json!([]));
    for sub in ["root", "alice", alice.id.as_str()] {
        let (status, body) = jwt_bearer(&s, &client, kid, pem, sub).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{sub}: {body}"
        );
    }
    // Admins and unknown users cannot be listed.
    for bad in [
        json!(["root"]),
        json!(["nobody"]),
        json!(["alice", "alice"]),
    ] {
        let (status, body) = s
            .patch(
                &format!("/api/v1/apps/{}", client.0),
                json!({ "jwt_bearer_users": bad }),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["errors"][0]["field"], "jwt_bearer_users", "{body}");
    }
    // Listed: alice (by username or id) works, bob still does not.
    allow_jwt_bearer(&s, &client.0, &["alice"]).await;
    for sub in ["alice", alice.id.as_str()] {
        let (status, body) = jwt_bearer(&s, &client, kid, pem, sub).await;
        assert_eq!(status, StatusCode::OK, "{sub}: {body}");
    }
    let (status, _) = jwt_bearer(&s, &client, kid, pem, "bob").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The change is in the audit log with the list.
    let (_, audit) = s.get("/api/v1/audit").await;
    assert!(
        audit.to_string().contains("jwt_bearer_users = [alice]"),
        "{audit}"
    );
    // Promoted after being listed: an admin is never a JWT-bearer subject.
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET is_admin = 1 WHERE username = 'alice'")
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, body) = jwt_bearer(&s, &client, kid, pem, "alice").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Other app types have no such field.
    let web = web_app(&s).await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", web.client_id),
            json!({"jwt_bearer_users": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

/// Starts an authorization for a web app and returns the sign-in interaction id.
async fn sign_in_page(browser: &Browser<'_>, client_id: &str) -> String {
    browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await
        .interaction()
        .to_owned()
}

/// Sends one sign-in from `browser`, optionally as coming from `forwarded_for`.
async fn login_from(
    s: &TestServer,
    browser: &Browser<'_>,
    interaction: &str,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> StatusCode {
    let mut r = s
        .http
        .post(s.url(&format!("/api/v1/interactions/{interaction}/login")))
        .header(
            "cookie",
            format!(
                "portico_browser={}",
                browser.cookie("portico_browser").unwrap()
            ),
        )
        .header("origin", s.base.clone())
        .json(&json!({"username": username, "password": password}));
    if let Some(addr) = forwarded_for {
        r = r.header("x-forwarded-for", addr);
    }
    r.send().await.unwrap().status()
}

/// Attack 4: 40 wrong passwords sent at once on one interaction. At most the budget (5) is
/// judged; the rest are refused at once with 429, before any password is hashed.
async fn parallel_wrong_passwords_get_at_most_the_budget(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let id = sign_in_page(&browser, &app.client_id).await;
    let url = s.url(&format!("/api/v1/interactions/{id}/login"));
    let cookie = format!(
        "portico_browser={}",
        browser.cookie("portico_browser").unwrap()
    );
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let (http, url, cookie, origin) =
            (s.http.clone(), url.clone(), cookie.clone(), s.base.clone());
        tasks.spawn(async move {
            http.post(url)
                .header("cookie", cookie)
                .header("origin", origin)
                .json(&json!({"username": "alice", "password": format!("guess {i}")}))
                .send()
                .await
                .unwrap()
                .status()
        });
    }
    let (mut judged, mut limited) = (0, 0);
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            StatusCode::UNAUTHORIZED => judged += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(judged <= 5, "{judged} guesses judged");
    assert_eq!(judged + limited, 40);
    // The lockout is in the audit log.
    let (_, audit) = s.get("/api/v1/audit").await;
    assert!(audit.to_string().contains("signin.lockout"), "{audit}");
}

fn behind_proxy() -> Options {
    Options {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..Options::default()
    }
}

/// Attack 5 (sign-in): an attacker elsewhere exhausts alice's budget; alice, at her own
/// address, still signs in. Behind a trusted proxy, each client is told apart by the
/// forwarded address.
async fn a_stranger_elsewhere_cannot_lock_a_user_out(b: Backend) {
    let s = TestServer::start_with(b, behind_proxy()).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let attacker = Browser::new(&s);
    let id = sign_in_page(&attacker, &app.client_id).await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(login_from(&s, &attacker, &id, "alice", "wrong", Some("203.0.113.5")).await);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 3]);
    let victim = Browser::new(&s);
    let id = sign_in_page(&victim, &app.client_id).await;
    let status = login_from(&s, &victim, &id, "alice", PASSWORD, Some("198.51.100.7")).await;
    assert_eq!(status, StatusCode::OK, "the user is not locked out");
}

/// Attack 5 (spoofing): without `--trusted-proxies`, a client naming a new address in
/// `X-Forwarded-For` with every guess is still one address.
async fn forwarded_headers_count_only_from_trusted_proxies(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let id = sign_in_page(&browser, &app.client_id).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        let addr = format!("192.0.2.{i}");
        statuses.push(login_from(&s, &browser, &id, "alice", "wrong", Some(&addr)).await);
    }
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

/// Attack 5 (public clients): 25 token requests with `client_id=portico-console` and a
/// made-up secret. Each is `invalid_client`, none counts, and the console's own refresh still
/// works; the same for a registered single-page app.
async fn strangers_cannot_lock_out_a_public_client(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    for client_id in ["portico-console", spa.as_str()] {
        for _ in 0..25 {
            let (status, body, _) = post_form(
                &s,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", "x"),
                    ("client_id", client_id),
                    ("client_secret", "x"),
                ],
                None,
            )
            .await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{client_id}: {body}");
            assert_eq!(body["error"], "invalid_client");
        }
    }
    let t = console_tokens(&Browser::new(&s), "alice", "openid offline_access").await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
            ("client_id", "portico-console"),
        ],
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the console still refreshes: {body}"
    );
}

/// Attack 5 (confidential clients): a stranger guessing a web app's secret from their own
/// address is slowed down (429); the app, from its own address, still authenticates.
async fn strangers_cannot_lock_out_a_confidential_client(b: Backend) {
    let s = TestServer::start_with(b, behind_proxy()).await;
    let app = web_app(&s).await;
    let token_request = |secret: String, from: &'static str| {
        let (s, id) = (&s, app.client_id.clone());
        async move {
            s.http
                .post(s.url("/oauth2/token"))
                .basic_auth(id, Some(secret))
                .header("x-forwarded-for", from)
                .form(&[("grant_type", "authorization_code"), ("code", "x")])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let mut last = StatusCode::OK;
    for i in 0..25 {
        last = token_request(format!("guess-{i}"), "203.0.113.5").await;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // The app itself: authenticated (then refused only for the made-up code).
    let status = token_request(app.secret.clone(), "198.51.100.7").await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "invalid_grant, not 401/429"
    );
}

/// Attack 6: a single-page app's rotation switched off (RFC 9700 §4.14.2).
async fn single_page_apps_cannot_switch_rotation_off(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = spa_app(&s, true).await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{spa}"),
            json!({"rotate_refresh_token": false, "refresh_token_absolute_lifetime": null}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "rotate_refresh_token");
    assert!(body.to_string().contains("RFC 9700"), "{body}");
    let (status, body) = s
        .post(
            "/api/v1/apps",
            json!({"type": "single_page", "name": "x", "rotate_refresh_token": false}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, app) = s.get(&format!("/api/v1/apps/{spa}")).await;
    assert_eq!(app["rotate_refresh_token"], true);
}

/// Attack 7: on a shared computer, alice signs in on the consent page, then signs out; the
/// next person POSTs Allow on the still-open page. Nothing is issued.
async fn a_consent_page_left_open_after_sign_out_issues_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let id = sign_in_page(&browser, &app.client_id).await;
    let (status, body, _) = browser.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["redirect_to"]
        .as_str()
        .unwrap()
        .starts_with("/consent"));
    // A second consent page, opened while signed in (no sign-in step).
    let second = sign_in_page(&browser, &app.client_id).await;
    let (status, _) = browser.sign_out(&s.base).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for interaction in [&id, &second] {
        let (status, body) = browser.decide(interaction, "allow").await;
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{status}: {body}"
        );
        assert!(!body.to_string().contains("code="), "{body}");
    }
}

/// Item 8: introspecting a refresh token past its inactivity or absolute expiry said
/// `active: true` with no `exp`.
async fn an_expired_refresh_token_introspects_inactive(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"refresh_token_inactivity_lifetime": 600, "refresh_token_absolute_lifetime": 3600}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let introspect = |token: String| {
        let (s, app) = (&s, &app);
        async move {
            post_form(
                s,
                "/oauth2/introspect",
                &[("token", &token), ("token_type_hint", "refresh_token")],
                Some((&app.client_id, &app.secret)),
            )
            .await
            .1
        }
    };
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid offline_access").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    let rt = t["refresh_token"].as_str().unwrap().to_owned();
    let issued = s.clock.now();
    let body = introspect(rt.clone()).await;
    assert_eq!(body["active"], true, "{body}");
    assert_eq!(body["exp"], issued + 600, "the earlier of the two expiries");
    s.clock.advance(601);
    let body = introspect(rt).await;
    assert_eq!(body, json!({"active": false}));
}

/// Behind a TLS proxy (`--issuer https://…`): HSTS on every answer, and the browser cookies
/// `__Host-` prefixed and Secure, so no sibling subdomain or plain-http page can plant them.
async fn an_https_issuer_pins_https_and_host_prefixes_its_cookies(b: Backend) {
    let s = TestServer::start_with(
        b,
        Options {
            issuer: Some("https://login.example.org".to_owned()),
            ..Options::default()
        },
    )
    .await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let res = browser
        .http
        .get(s.url("/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["strict-transport-security"]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Host-portico_browser="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    // On plain http (the test server's own issuer), neither.
    let plain = TestServer::start(b).await;
    let res = plain
        .http
        .get(plain.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());
}

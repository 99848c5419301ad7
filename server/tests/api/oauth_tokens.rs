//! The token endpoint's other grants, refresh policies, revocation, introspection, the
//! resource endpoints, discovery and JWKS, and the endpoint's hygiene.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{me_status, post_form, sign_jwt, Browser};
use crate::oauth_code::{
    exchange_web, refresh_web as refresh, spa_app, web_app, web_code, WebApp, SPA_CB,
};
use crate::on_both_databases;

on_both_databases!(
    refresh_rotation_and_reuse_revokes_the_family,
    refresh_without_rotation_and_scope_narrowing,
    refresh_absolute_and_inactivity_expiry,
    fifty_concurrent_refreshes_give_exactly_one_success,
    client_credentials_with_secret_and_private_key_jwt,
    jwt_bearer_grant,
    introspection_and_revocation,
    deleting_an_app_revokes_its_grants,
    token_endpoint_hygiene,
    client_authentication_failures,
    discovery_and_jwks,
    cors_only_for_registered_single_page_origins,
);

async fn rotating_web_app(s: &TestServer) -> WebApp {
    let app = web_app(s).await;
    s.patch(
        &format!("/api/v1/apps/{}", app.client_id),
        json!({"rotate_refresh_token": true}),
    )
    .await;
    app
}

async fn tokens_for(s: &TestServer, app: &WebApp, scope: &str) -> Value {
    let browser = Browser::new(s);
    let code = web_code(&browser, app, scope).await;
    let (status, body) = exchange_web(s, app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn refresh_rotation_and_reuse_revokes_the_family(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = rotating_web_app(&s).await;
    let first = tokens_for(&s, &app, "openid offline_access").await;
    let rt1 = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&s, &app, rt1, None).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    let rt2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(rt1, rt2, "rotation returns a new refresh token");
    assert_eq!(
        me_status(&s, second["access_token"].as_str().unwrap()).await,
        StatusCode::OK
    );
    // The rotated token comes back: invalid_grant, and the whole family dies.
    let (status, body) = refresh(&s, &app, rt1, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, _) = refresh(&s, &app, rt2, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        me_status(&s, second["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        me_status(&s, first["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    // Another client's refresh token is refused.
    let fresh = tokens_for(&s, &app, "openid offline_access").await;
    let other = web_app(&s).await;
    let (status, body) = refresh(&s, &other, fresh["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // Still revoked after a restart.
    let rt = fresh["refresh_token"].as_str().unwrap().to_owned();
    let (status, rotated) = refresh(&s, &app, &rt, None).await;
    assert_eq!(status, StatusCode::OK);
    let s = s.restart().await;
    let (status, _) = refresh(&s, &app, &rt, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = refresh(&s, &app, rotated["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the family stayed revoked across the restart"
    );
}

async fn refresh_without_rotation_and_scope_narrowing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await; // web apps do not rotate by default
    let t = tokens_for(&s, &app, "openid profile offline_access").await;
    let rt = t["refresh_token"].as_str().unwrap();
    let (status, body) = refresh(&s, &app, rt, Some("openid")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid", "narrowed");
    assert!(
        body.get("refresh_token").is_none(),
        "no rotation: keep using the same token"
    );
    let (status, body) = refresh(&s, &app, rt, Some("openid email")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope"))
    );
    let (status, body) = refresh(&s, &app, rt, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["scope"], "offline_access openid profile",
        "the original scope when none is asked"
    );
}

async fn refresh_absolute_and_inactivity_expiry(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = rotating_web_app(&s).await;
    s.patch(
        &format!("/api/v1/apps/{}", app.client_id),
        json!({"refresh_token_absolute_lifetime": 3600, "refresh_token_inactivity_lifetime": 600}),
    )
    .await;
    // Inactivity: unused for 600 s → expired.
    let t = tokens_for(&s, &app, "offline_access").await;
    s.clock.advance(601);
    let (status, _) = refresh(&s, &app, t["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Absolute: used every 500 s, still dead 3600 s after sign-in; rotation never extends it.
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "offline_access").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    let mut rt = t["refresh_token"].as_str().unwrap().to_owned();
    for _ in 0..7 {
        s.clock.advance(500);
        let (status, body) = refresh(&s, &app, &rt, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        rt = body["refresh_token"].as_str().unwrap().to_owned();
    }
    s.clock.advance(200); // 3700 s after sign-in
    let (status, body) = refresh(&s, &app, &rt, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // null = never.
    s.patch(
        &format!("/api/v1/apps/{}", app.client_id),
        json!({"refresh_token_absolute_lifetime": null, "refresh_token_inactivity_lifetime": null}),
    )
    .await;
    let code = web_code(&browser, &app, "offline_access").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    s.clock.advance(400 * 86_400);
    let (status, body) = refresh(&s, &app, t["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn fifty_concurrent_refreshes_give_exactly_one_success(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = rotating_web_app(&s).await;
    let t = tokens_for(&s, &app, "offline_access").await;
    let rt = t["refresh_token"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let req = s
            .http
            .post(s.url("/oauth2/token"))
            .basic_auth(&app.client_id, Some(&app.secret))
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", rt.as_str()),
            ]);
        tasks.push(tokio::spawn(
            async move { req.send().await.unwrap().status() },
        ));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::OK => ok += 1,
            StatusCode::BAD_REQUEST => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 1);
}

async fn m2m_with_key(s: &TestServer, alg: &str) -> (String, String, String, String) {
    let app = s.create_app("machine_to_machine", "Worker").await;
    let id = app["client_id"].as_str().unwrap().to_owned();
    let (_, pair) = s
        .post(&format!("/api/v1/apps/{id}/key-pairs"), json!({"alg": alg}))
        .await;
    (
        id,
        app["client_secret"].as_str().unwrap().to_owned(),
        pair["kid"].as_str().unwrap().to_owned(),
        pair["private_key_pem"].as_str().unwrap().to_owned(),
    )
}

fn assertion_claims(s: &TestServer, iss: &str, sub: &str, jti: &str, now: i64) -> Value {
    json!({"iss": iss, "sub": sub, "aud": s.url("/oauth2/token"), "exp": now + 300, "iat": now, "jti": jti})
}

async fn client_credentials_with_secret_and_private_key_jwt(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret, kid, pem) = m2m_with_key(&s, "ES256").await;
    let (status, body, headers) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
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
    assert_eq!(me["kind"], "app");
    assert_eq!(me["client_id"], id);
    assert_eq!(me["name"], "Worker");
    // private_key_jwt (RFC 7523 §2.2).
    let now = portico::clock::Clock::now(s.clock.as_ref());
    let assertion = sign_jwt(
        &pem,
        "ES256",
        Some(&kid),
        &assertion_claims(&s, &id, &id, "cc-1", now),
    );
    let form = [
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
    ];
    let (status, body, _) = post_form(&s, "/oauth2/token", &form, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same assertion again: its jti was used.
    let (status, body, _) = post_form(&s, "/oauth2/token", &form, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    // User scopes are not for an app's own token; web apps may not use this grant.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials"), ("scope", "openid")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope"))
    );
    let web = web_app(&s).await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&web.client_id, &web.secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
}

async fn jwt_bearer_grant(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    for alg in ["ES256", "RS256", "EdDSA"] {
        let (id, secret, kid, pem) = m2m_with_key(&s, alg).await;
        crate::flows::allow_jwt_bearer(&s, &id, &["alice"]).await;
        let now = portico::clock::Clock::now(s.clock.as_ref());
        let grant = |assertion: String| {
            let (id, secret, s) = (id.clone(), secret.clone(), &s);
            async move {
                let (status, body, _) = post_form(
                    s,
                    "/oauth2/token",
                    &[
                        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                        ("assertion", &assertion),
                        ("scope", "openid profile"),
                    ],
                    Some((&id, &secret)),
                )
                .await;
                (status, body)
            }
        };
        let good = sign_jwt(
            &pem,
            alg,
            Some(&kid),
            &assertion_claims(&s, &id, "alice", &format!("j-{alg}"), now),
        );
        let (status, body) = grant(good.clone()).await;
        assert_eq!(status, StatusCode::OK, "{alg}: {body}");
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
        assert_eq!(me["sub"], alice.id);
        assert_eq!(me["username"], "alice");
        let (status, body) = grant(good).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "replayed jti"
        );
        s.delete(&format!("/api/v1/apps/{id}")).await;
    }
    let (id, secret, kid, pem) = m2m_with_key(&s, "ES256").await;
    crate::flows::allow_jwt_bearer(&s, &id, &["alice"]).await;
    let now = portico::clock::Clock::now(s.clock.as_ref());
    let claims = |f: &dyn Fn(&mut Value)| {
        let mut c = assertion_claims(
            &s,
            &id,
            "alice",
            &portico::crypto::random::id().unwrap(),
            now,
        );
        f(&mut c);
        c
    };
    let unsigned = {
        let t = sign_jwt(&pem, "ES256", Some(&kid), &claims(&|_| {}));
        let mut parts: Vec<&str> = t.split('.').collect();
        let none_header = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"alg":"none","typ":"JWT"}"#,
        );
        parts[0] = &none_header;
        format!("{}.{}.", parts[0], parts[1])
    };
    let tampered = {
        let t = sign_jwt(&pem, "ES256", Some(&kid), &claims(&|_| {}));
        let other = sign_jwt(
            &pem,
            "ES256",
            Some(&kid),
            &claims(&|c| c["sub"] = json!("root")),
        );
        let p: Vec<&str> = t.split('.').collect();
        let o: Vec<&str> = other.split('.').collect();
        format!("{}.{}.{}", p[0], o[1], p[2])
    };
    let cases: Vec<(&str, String)> = vec![
        ("alg none", unsigned),
        ("tampered payload", tampered),
        (
            "unknown kid",
            sign_jwt(&pem, "ES256", Some("nope"), &claims(&|_| {})),
        ),
        (
            "expired",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| c["exp"] = json!(now - 60)),
            ),
        ),
        (
            "too far ahead",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| c["exp"] = json!(now + 7200)),
            ),
        ),
        (
            "iat in the future",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| c["iat"] = json!(now + 120)),
            ),
        ),
        (
            "no jti",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| {
                    c.as_object_mut().unwrap().remove("jti");
                }),
            ),
        ),
        (
            "wrong aud",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| c["aud"] = json!("https://other.example")),
            ),
        ),
        (
            "iss mismatch",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| c["iss"] = json!("someone-else")),
            ),
        ),
        (
            "unknown user",
            sign_jwt(
                &pem,
                "ES256",
                Some(&kid),
                &claims(&|c| c["sub"] = json!("nobody")),
            ),
        ),
    ];
    for (what, assertion) in cases {
        let (status, body, _) = post_form(
            &s,
            "/oauth2/token",
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &assertion),
            ],
            Some((&id, &secret)),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{what}: {body}"
        );
    }
    // admin and offline_access are not granted by assertion.
    for scope in ["admin", "offline_access"] {
        let a = sign_jwt(&pem, "ES256", Some(&kid), &claims(&|_| {}));
        let (status, body, _) = post_form(
            &s,
            "/oauth2/token",
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &a),
                ("scope", scope),
            ],
            Some((&id, &secret)),
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_scope"))
        );
    }
    // Web and single-page apps may not use it.
    let web = web_app(&s).await;
    let a = sign_jwt(&pem, "ES256", Some(&kid), &claims(&|_| {}));
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &a),
        ],
        Some((&web.client_id, &web.secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
}

async fn introspection_and_revocation(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let t = tokens_for(&s, &app, "openid offline_access").await;
    let at = t["access_token"].as_str().unwrap();
    let rt = t["refresh_token"].as_str().unwrap();
    let introspect = |token: String| {
        let (s, app) = (&s, &app);
        async move {
            post_form(
                s,
                "/oauth2/introspect",
                &[("token", &token)],
                Some((&app.client_id, &app.secret)),
            )
            .await
            .1
        }
    };
    let info = introspect(at.to_owned()).await;
    assert_eq!(info["active"], true);
    assert_eq!(info["client_id"], app.client_id);
    assert_eq!(info["username"], "alice");
    assert_eq!(info["token_type"], "Bearer");
    let rinfo = introspect(rt.to_owned()).await;
    assert_eq!(rinfo["active"], true);
    assert_eq!(rinfo["client_id"], app.client_id);
    assert_eq!(introspect("garbage".into()).await, json!({"active": false}));
    // Public clients may not introspect; unauthenticated callers neither.
    let spa = spa_app(&s, true).await;
    let (status, _, _) = post_form(
        &s,
        "/oauth2/introspect",
        &[("token", at), ("client_id", &spa)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Revoking the refresh token ends the grant: the access token is inactive at once.
    let (status, _, headers) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", rt)],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(introspect(at.to_owned()).await["active"], false);
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
    // Revoking an access token works too, and unknown tokens are answered 200.
    let t = tokens_for(&s, &app, "openid").await;
    let at = t["access_token"].as_str().unwrap();
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", at), ("token_type_hint", "access_token")],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", "unknown")],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A single-page app revokes its own tokens with just its client_id.
    let (verifier, challenge) = crate::flows::pkce_pair();
    let browser = Browser::new(&s);
    let code = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &spa),
                ("redirect_uri", SPA_CB),
                ("scope", "offline_access"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await["code"]
        .clone();
    let (_, t, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("client_id", &spa),
            ("code_verifier", &verifier),
        ],
        None,
    )
    .await;
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[
            ("token", t["refresh_token"].as_str().unwrap()),
            ("client_id", &spa),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
            ("client_id", &spa),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Client-credentials tokens are revoked one by one.
    let (id, secret, _, _) = m2m_with_key(&s, "ES256").await;
    let (_, cc, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    let cc = cc["access_token"].as_str().unwrap();
    post_form(&s, "/oauth2/revoke", &[("token", cc)], Some((&id, &secret))).await;
    assert_eq!(me_status(&s, cc).await, StatusCode::UNAUTHORIZED);
    // userinfo needs openid.
    let t = tokens_for(&s, &app, "openid email").await;
    let res = s
        .http
        .get(s.url("/oauth2/userinfo"))
        .bearer_auth(t["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let info: Value = res.json().await.unwrap();
    assert!(info["sub"].is_string());
    assert!(info.get("preferred_username").is_none(), "no profile scope");
    let res = s.http.get(s.url("/oauth2/userinfo")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
}

async fn deleting_an_app_revokes_its_grants(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let t = tokens_for(&s, &app, "openid offline_access").await;
    s.delete(&format!("/api/v1/apps/{}", app.client_id)).await;
    assert_eq!(
        me_status(&s, t["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = refresh(&s, &app, t["refresh_token"].as_str().unwrap(), None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
}

async fn token_endpoint_hygiene(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret, _, _) = m2m_with_key(&s, "ES256").await;
    let token = s.url("/oauth2/token");
    // No connection reuse: the server may answer an oversized body early and close.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let cases: Vec<(reqwest::RequestBuilder, &str)> = vec![
        (http.get(&token), "GET"),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .json(&json!({"grant_type": "client_credentials"})),
            "JSON body",
        ),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials&grant_type=client_credentials"),
            "duplicate",
        ),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=%FF%FE"),
            "bad utf-8",
        ),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("grant_type=%G1"),
            "bad percent",
        ),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "grant_type=client_credentials&x={}",
                    "a".repeat(1 << 20)
                )),
            "1 MiB",
        ),
        (
            s.http
                .post(format!("{token}?client_secret={secret}"))
                .basic_auth(&id, Some(&secret))
                .form(&[("grant_type", "client_credentials")]),
            "query string",
        ),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .form(&[("grant_type", "password")]),
            "unsupported grant",
        ),
        (
            s.http
                .post(&token)
                .basic_auth(&id, Some(&secret))
                .form(&[("scope", "x")]),
            "no grant_type",
        ),
    ];
    for (req, what) in cases {
        let res = req.send().await.unwrap();
        let status = res.status();
        let cc = res
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        let connection = res
            .headers()
            .get("connection")
            .map(|v| v.to_str().unwrap().to_owned());
        let body: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_client_error(), "{what}: {status}");
        assert_eq!(cc.as_deref(), Some("no-store"), "{what}");
        // Refused with the body unread: the client is told not to reuse the connection
        // (the next case then cannot fail with a broken pipe on a dropped one).
        if matches!(what, "1 MiB" | "query string" | "JSON body") {
            assert_eq!(connection.as_deref(), Some("close"), "{what}");
        }
        let expected = if what == "unsupported grant" {
            "unsupported_grant_type"
        } else {
            "invalid_request"
        };
        assert_eq!(body["error"], expected, "{what}: {body}");
    }
}

async fn client_authentication_failures(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret, _, _) = m2m_with_key(&s, "ES256").await;
    let cc = [("grant_type", "client_credentials")];
    let (status, wrong, headers) =
        post_form(&s, "/oauth2/token", &cc, Some((&id, "pcs_wrong"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(headers["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    let (status, unknown, _) =
        post_form(&s, "/oauth2/token", &cc, Some(("nope", "pcs_wrong"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong, unknown,
        "an unknown client looks exactly like a wrong secret"
    );
    // Basic and body credentials together.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_secret", &secret),
        ],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    // No credentials at all from a confidential client.
    let (status, _, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials"), ("client_id", &id)],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Brute force: 429 with Retry-After, for this client even with the right secret.
    let mut limited = false;
    for _ in 0..25 {
        let (status, _, headers) =
            post_form(&s, "/oauth2/token", &cc, Some((&id, "pcs_guess"))).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert!(headers.contains_key("retry-after"));
            limited = true;
            break;
        }
    }
    assert!(limited);
    let (status, _, _) = post_form(&s, "/oauth2/token", &cc, Some((&id, &secret))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    s.clock.advance(61);
    let (status, _, _) = post_form(&s, "/oauth2/token", &cc, Some((&id, &secret))).await;
    assert_eq!(status, StatusCode::OK);
}

async fn discovery_and_jwks(b: Backend) {
    let s = TestServer::start(b).await;
    for path in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let d: Value = s
            .http
            .get(s.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["issuer"], s.base);
        assert_eq!(d["token_endpoint"], s.url("/oauth2/token"));
        assert_eq!(d["response_types_supported"], json!(["code"]));
        assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(d["authorization_response_iss_parameter_supported"], true);
        assert_eq!(
            d["token_endpoint_auth_methods_supported"],
            json!([
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
                "none"
            ])
        );
        let grants = d["grant_types_supported"].as_array().unwrap();
        assert!(grants.contains(&json!("urn:ietf:params:oauth:grant-type:jwt-bearer")));
        // Every advertised endpoint exists.
        for key in [
            "authorization_endpoint",
            "token_endpoint",
            "revocation_endpoint",
            "introspection_endpoint",
            "userinfo_endpoint",
            "jwks_uri",
        ] {
            let url = d[key].as_str().unwrap();
            let status = s.http.get(url).send().await.unwrap().status();
            assert_ne!(status, StatusCode::NOT_FOUND, "{key}");
        }
    }
    // The JWKS verifies the access tokens the server issues.
    let jwks: Value = s
        .http
        .get(s.url("/oauth2/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    let key = keys.iter().find(|k| k["kty"] == "EC").unwrap();
    assert_eq!(key["alg"], "ES256");
    assert!(
        keys.iter()
            .any(|k| k["kty"] == "RSA" && k["alg"] == "RS256"),
        "ID tokens are RS256 (OIDC Core §15.1)"
    );
    let kid = key["kid"].as_str().unwrap();
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            s.admin_token.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(header["kid"], kid);
    assert_eq!(header["typ"], "at+jwt");
    let vk =
        portico::crypto::app_key::VerifyingKey::from_jwk_json(&serde_json::to_string(key).unwrap())
            .unwrap();
    let (input, sig) = s.admin_token.rsplit_once('.').unwrap();
    let sig =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    assert!(vk.verify(input.as_bytes(), &sig));
}

async fn cors_only_for_registered_single_page_origins(b: Backend) {
    let s = TestServer::start(b).await;
    spa_app(&s, true).await; // registers https://spa.example.com:5173/callback
    web_app(&s).await; // a web app's origin gets nothing
    for path in [
        "/oauth2/token",
        "/oauth2/revoke",
        "/oauth2/userinfo",
        "/oauth2/jwks",
        "/.well-known/openid-configuration",
        "/api/v1/me",
    ] {
        let pre = s
            .http
            .request(reqwest::Method::OPTIONS, s.url(path))
            .header("origin", "https://spa.example.com:5173")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(pre.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(
            pre.headers()["access-control-allow-origin"],
            "https://spa.example.com:5173"
        );
        assert!(pre
            .headers()
            .get("access-control-allow-credentials")
            .is_none());
        let res = s
            .http
            .get(s.url(path))
            .header("origin", "https://spa.example.com:5173")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            "https://spa.example.com:5173",
            "{path}"
        );
        for origin in [
            "https://web.example.com",
            "https://evil.example",
            "https://spa.example.com:5174",
        ] {
            let res = s
                .http
                .get(s.url(path))
                .header("origin", origin)
                .send()
                .await
                .unwrap();
            assert!(
                res.headers().get("access-control-allow-origin").is_none(),
                "{path} {origin}"
            );
        }
    }
    // Not on the authorization or introspection endpoints.
    for path in ["/oauth2/authorize", "/oauth2/introspect"] {
        let res = s
            .http
            .get(s.url(path))
            .header("origin", "https://spa.example.com:5173")
            .send()
            .await
            .unwrap();
        assert!(
            res.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
    }
}

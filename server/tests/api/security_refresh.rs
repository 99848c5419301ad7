//! Security suite, refresh tokens (RFC 6749 §6, §10.4; RFC 9700 §4.14): bound to their client,
//! never widened, expiring by inactivity and absolutely, rotated tokens that come back revoke
//! the whole family, and revocation survives a restart.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{introspect_active, me_status, pkce_pair, post_form, Browser};
use crate::oauth_code::{
    exchange_web, refresh_web as refresh, spa_app, web_app, web_code, WebApp, SPA_CB,
};
use crate::on_both_databases;

on_both_databases!(
    reuse_after_rotation_revokes_the_family,
    another_clients_refresh_token_is_refused,
    scope_cannot_be_widened,
    inactivity_and_absolute_expiry,
    revocation_survives_a_restart,
    tokens_are_not_interchangeable,
);

async fn set_policy(s: &TestServer, app: &WebApp, policy: Value) {
    let (status, body) = s
        .patch(&format!("/api/v1/apps/{}", app.client_id), policy)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn tokens(s: &TestServer, browser: &Browser<'_>, app: &WebApp, scope: &str) -> Value {
    let code = web_code(browser, app, scope).await;
    let (status, body) = exchange_web(s, app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn assert_refused(what: &str, (status, body): (StatusCode, Value), error: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some(error)),
        "{what}: {body}"
    );
}

fn str_of<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

async fn reuse_after_rotation_revokes_the_family(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    set_policy(&s, &app, json!({"rotate_refresh_token": true})).await;
    let browser = Browser::new(&s);
    let t1 = tokens(&s, &browser, &app, "openid offline_access").await;
    let (status, t2) = refresh(&s, &app, str_of(&t1, "refresh_token"), None).await;
    assert_eq!(status, StatusCode::OK, "{t2}");
    let (status, t3) = refresh(&s, &app, str_of(&t2, "refresh_token"), None).await;
    assert_eq!(status, StatusCode::OK, "{t3}");
    // An unrelated family of the same user and client.
    let other = tokens(&s, &browser, &app, "openid offline_access").await;
    // The first, long rotated, token comes back (RFC 9700 §4.14.2): refused, and the whole
    // family (every refresh and access token of this grant) dies.
    assert_refused(
        "reused rotated token",
        refresh(&s, &app, str_of(&t1, "refresh_token"), None).await,
        "invalid_grant",
    );
    assert_refused(
        "the newest token of the family",
        refresh(&s, &app, str_of(&t3, "refresh_token"), None).await,
        "invalid_grant",
    );
    for t in [&t1, &t2, &t3] {
        assert_eq!(
            me_status(&s, str_of(t, "access_token")).await,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            !introspect_active(&s, str_of(t, "access_token"), (&app.client_id, &app.secret)).await
        );
    }
    assert!(
        !introspect_active(
            &s,
            str_of(&t3, "refresh_token"),
            (&app.client_id, &app.secret)
        )
        .await
    );
    // The other family is untouched.
    assert_eq!(
        me_status(&s, str_of(&other, "access_token")).await,
        StatusCode::OK
    );
    let (status, body) = refresh(&s, &app, str_of(&other, "refresh_token"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The detection is in the audit log, naming the app.
    let (_, audit) = s.get("/api/v1/audit").await;
    let entry = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "refresh.reuse_detected")
        .unwrap_or_else(|| panic!("{audit}"));
    assert_eq!(entry["client_id"], app.client_id.as_str());
    // The same holds for a single-page app, which rotates by default.
    let spa = spa_app(&s, true).await;
    let (verifier, challenge) = pkce_pair();
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
    let (_, first, _) = post_form(
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
    let spa_refresh = |rt: String| {
        let (s, spa) = (&s, spa.clone());
        async move {
            let (status, body, _) = post_form(
                s,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &rt),
                    ("client_id", &spa),
                ],
                None,
            )
            .await;
            (status, body)
        }
    };
    let (status, second) = spa_refresh(str_of(&first, "refresh_token").to_owned()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_refused(
        "single-page app, reused",
        spa_refresh(str_of(&first, "refresh_token").to_owned()).await,
        "invalid_grant",
    );
    assert_refused(
        "single-page app, the newest",
        spa_refresh(str_of(&second, "refresh_token").to_owned()).await,
        "invalid_grant",
    );
}

async fn another_clients_refresh_token_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let thief = web_app(&s).await;
    let spa = spa_app(&s, true).await;
    let browser = Browser::new(&s);
    let t = tokens(&s, &browser, &app, "openid offline_access").await;
    let rt = str_of(&t, "refresh_token");
    // RFC 6749 §6: "the refresh token was issued to the authenticated client".
    assert_refused(
        "another confidential client",
        refresh(&s, &thief, rt, None).await,
        "invalid_grant",
    );
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", &spa),
        ],
        None,
    )
    .await;
    assert_refused("a public client", (status, body), "invalid_grant");
    // Naming the owner without its secret is not authentication.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", &app.client_id),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "{body}"
    );
    // The thief's attempts gave it nothing, and cannot be used to revoke the owner's grant.
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", rt)],
        Some((&thief.client_id, &thief.secret)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "RFC 7009 §2.2: answered 200 whatever"
    );
    let (status, body) = refresh(&s, &app, rt, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn scope_cannot_be_widened(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    s.add_user("boss", true).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let t = tokens(&s, &browser, &app, "openid offline_access").await;
    let rt = str_of(&t, "refresh_token");
    // RFC 6749 §6: the scope "MUST NOT include any scope not originally granted".
    for (what, scope) in [
        ("one more scope", "openid offline_access email"),
        ("admin", "openid admin"),
        ("an unknown scope", "openid write:all"),
        ("only a new scope", "profile"),
    ] {
        assert_refused(
            what,
            refresh(&s, &app, rt, Some(scope)).await,
            "invalid_scope",
        );
    }
    // Narrowing works and the next refresh still has the full original scope.
    let (status, body) = refresh(&s, &app, rt, Some("openid")).await;
    assert_eq!(
        (status, body["scope"].as_str()),
        (StatusCode::OK, Some("openid")),
        "{body}"
    );
    let (status, body) = refresh(&s, &app, rt, None).await;
    assert_eq!(
        (status, body["scope"].as_str()),
        (StatusCode::OK, Some("offline_access openid")),
        "{body}"
    );
    // Even an admin's grant without `admin` cannot gain it by refreshing.
    let boss_browser = Browser::new(&s);
    let code = boss_browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", crate::oauth_code::WEB_CB),
                ("scope", "openid offline_access"),
            ],
            "boss",
            "allow",
        )
        .await["code"]
        .clone();
    let (_, bt) = exchange_web(&s, &app, &code).await;
    assert_refused(
        "an admin's token widened to admin",
        refresh(
            &s,
            &app,
            str_of(&bt, "refresh_token"),
            Some("openid offline_access admin"),
        )
        .await,
        "invalid_scope",
    );
}

async fn inactivity_and_absolute_expiry(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    set_policy(
        &s,
        &app,
        json!({"rotate_refresh_token": true, "refresh_token_absolute_lifetime": 3600, "refresh_token_inactivity_lifetime": 600}),
    )
    .await;
    let browser = Browser::new(&s);
    // Inactivity: used at 599 s it lives on; unused for 600 s it is dead.
    let t = tokens(&s, &browser, &app, "offline_access").await;
    s.clock.advance(599);
    let (status, t) = refresh(&s, &app, str_of(&t, "refresh_token"), None).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    s.clock.advance(600);
    assert_refused(
        "idle for 600 s",
        refresh(&s, &app, str_of(&t, "refresh_token"), None).await,
        "invalid_grant",
    );
    // Absolute: used every 500 s, dead 3600 s after sign-in (a fresh browser signs in now);
    // rotation never extends it.
    let t = tokens(&s, &Browser::new(&s), &app, "offline_access").await;
    let mut rt = str_of(&t, "refresh_token").to_owned();
    for _ in 0..7 {
        s.clock.advance(500);
        let (status, body) = refresh(&s, &app, &rt, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        rt = str_of(&body, "refresh_token").to_owned();
    }
    s.clock.advance(100); // 3600 s after sign-in
    assert_refused(
        "at the absolute expiry",
        refresh(&s, &app, &rt, None).await,
        "invalid_grant",
    );
    // Without rotation the same limits hold.
    set_policy(&s, &app, json!({"rotate_refresh_token": false})).await;
    let t = tokens(&s, &Browser::new(&s), &app, "offline_access").await;
    let rt = str_of(&t, "refresh_token").to_owned();
    for _ in 0..7 {
        s.clock.advance(500);
        let (status, body) = refresh(&s, &app, &rt, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    s.clock.advance(100);
    assert_refused(
        "non-rotating, absolute",
        refresh(&s, &app, &rt, None).await,
        "invalid_grant",
    );
    // Shortening the policy applies to tokens already issued.
    let t = tokens(&s, &browser, &app, "offline_access").await;
    set_policy(&s, &app, json!({"refresh_token_inactivity_lifetime": 60})).await;
    s.clock.advance(61);
    assert_refused(
        "policy shortened after issue",
        refresh(&s, &app, str_of(&t, "refresh_token"), None).await,
        "invalid_grant",
    );
}

async fn revocation_survives_a_restart(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    set_policy(&s, &app, json!({"rotate_refresh_token": true})).await;
    let (rotated_away, newest, revoked, revoked_at) = {
        let browser = Browser::new(&s);
        // A family ended by reuse.
        let t1 = tokens(&s, &browser, &app, "openid offline_access").await;
        let (_, t2) = refresh(&s, &app, str_of(&t1, "refresh_token"), None).await;
        assert_refused(
            "reuse",
            refresh(&s, &app, str_of(&t1, "refresh_token"), None).await,
            "invalid_grant",
        );
        // A family ended by RFC 7009 revocation.
        let t3 = tokens(&s, &browser, &app, "openid offline_access").await;
        let (status, _, _) = post_form(
            &s,
            "/oauth2/revoke",
            &[("token", str_of(&t3, "refresh_token"))],
            Some((&app.client_id, &app.secret)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        (
            str_of(&t1, "refresh_token").to_owned(),
            t2,
            str_of(&t3, "refresh_token").to_owned(),
            str_of(&t3, "access_token").to_owned(),
        )
    };
    let s = s.restart().await;
    assert_refused(
        "rotated-away token after restart",
        refresh(&s, &app, &rotated_away, None).await,
        "invalid_grant",
    );
    assert_refused(
        "newest token of the reused family after restart",
        refresh(&s, &app, str_of(&newest, "refresh_token"), None).await,
        "invalid_grant",
    );
    assert_eq!(
        me_status(&s, str_of(&newest, "access_token")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_refused(
        "revoked token after restart",
        refresh(&s, &app, &revoked, None).await,
        "invalid_grant",
    );
    assert_eq!(me_status(&s, &revoked_at).await, StatusCode::UNAUTHORIZED);
    // And the server works normally after the restart.
    let browser = Browser::new(&s);
    let t = tokens(&s, &browser, &app, "openid offline_access").await;
    let (status, body) = refresh(&s, &app, str_of(&t, "refresh_token"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn tokens_are_not_interchangeable(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let t = tokens(&s, &browser, &app, "openid offline_access").await;
    let code = web_code(&browser, &app, "openid").await;
    for (what, token) in [
        (
            "an access token as refresh token",
            str_of(&t, "access_token").to_owned(),
        ),
        (
            "an ID token as refresh token",
            str_of(&t, "id_token").to_owned(),
        ),
        ("a code as refresh token", code.clone()),
        (
            "a truncated refresh token",
            str_of(&t, "refresh_token")[..20].to_owned(),
        ),
        (
            "a made-up refresh token",
            "prt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        ),
    ] {
        assert_refused(what, refresh(&s, &app, &token, None).await, "invalid_grant");
    }
    // A refresh token or ID token is not a bearer access token.
    assert_eq!(
        me_status(&s, str_of(&t, "refresh_token")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        me_status(&s, str_of(&t, "id_token")).await,
        StatusCode::UNAUTHORIZED
    );
    // The code was not spoilt by being tried as a refresh token.
    let (status, body) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

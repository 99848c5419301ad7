//! Users disabled or deleted lose every grant; signing keys rotate without breaking tokens.

use portico::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{introspect_active, me_status, post_form, Browser, Landing};
use crate::oauth_code::{exchange_web, web_app, web_code, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    disabling_or_deleting_a_user_revokes_their_grants,
    signing_key_rotation_keeps_old_tokens_valid_until_they_expire,
    user_disable_from_the_command_line,
    connected_apps_list_and_revoke,
    tokens_already_checked_are_refused_at_once_after_any_revocation,
);

async fn disabling_or_deleting_a_user_revokes_their_grants(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid offline_access").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    let at = t["access_token"].as_str().unwrap();
    let now = s.clock.now();
    s.state
        .stores
        .users
        .set_user_disabled("alice", true, now)
        .await
        .unwrap();
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
    let (status, _, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The browser session ended too: the next authorization asks to sign in, and a
    // disabled user cannot.
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await;
    let Landing::Page { page, interaction } = landing else {
        panic!("{landing:?}")
    };
    assert_eq!(page, "login");
    let (status, _, _) = browser
        .login(&interaction, "alice", crate::flows::PASSWORD)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Enabled again, alice signs in; old tokens stay dead.
    s.state
        .stores
        .users
        .set_user_disabled("alice", false, now)
        .await
        .unwrap();
    let (status, _, _) = browser
        .login(&interaction, "alice", crate::flows::PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me_status(&s, at).await, StatusCode::UNAUTHORIZED);
    // Deleting her revokes the new grant as well.
    let code = web_code(&browser, &app, "openid").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    s.state
        .stores
        .users
        .delete_user("alice", now)
        .await
        .unwrap();
    assert_eq!(
        me_status(&s, t["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(s
        .state
        .stores
        .users
        .user_by_username("alice")
        .await
        .unwrap()
        .is_none());
}

async fn signing_key_rotation_keeps_old_tokens_valid_until_they_expire(b: Backend) {
    let s = TestServer::start(b).await;
    let old_token = s.admin_token.clone();
    let jwks = |s: &TestServer| {
        let url = s.url("/oauth2/jwks");
        let http = s.http.clone();
        async move {
            let v = http
                .get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap();
            let mut kids: Vec<(String, String)> = v["keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| {
                    (
                        k["alg"].as_str().unwrap().to_owned(),
                        k["kid"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            kids.sort();
            kids
        }
    };
    // One ES256 key for access tokens, one RS256 key for ID tokens (OIDC Core §15.1).
    let before = jwks(&s).await;
    let algs: Vec<&str> = before.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(algs, ["ES256", "RS256"]);
    let new_kids = portico::signing::rotate(s.state.stores.signing_keys.as_ref(), s.clock.now())
        .await
        .unwrap();
    s.state
        .tokens
        .reload(s.state.stores.signing_keys.as_ref(), s.clock.now())
        .await
        .unwrap();
    let after = jwks(&s).await;
    assert_eq!(after.len(), 4, "old keys stay published: {after:?}");
    for (_, kid) in &before {
        assert!(after.iter().any(|(_, k)| k == kid));
    }
    // New tokens use the new ES256 key; the old token still works.
    let fresh = s.token_for(&s.admin.clone(), "admin");
    let header: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            fresh.split('.').next().unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(new_kids.contains(&header["kid"].as_str().unwrap().to_owned()));
    assert_eq!(header["alg"], "ES256");
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // Once the longest token lifetime has passed, the old keys leave the JWKS.
    s.clock.advance(portico::signing::MAX_TOKEN_LIFETIME + 60);
    s.state
        .tokens
        .reload(s.state.stores.signing_keys.as_ref(), s.clock.now())
        .await
        .unwrap();
    let later = jwks(&s).await;
    let mut remaining: Vec<String> = later.into_iter().map(|(_, k)| k).collect();
    let mut expected = new_kids.clone();
    remaining.sort();
    expected.sort();
    assert_eq!(remaining, expected);
}

async fn user_disable_from_the_command_line(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("carol", false).await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(args)
            .args(["--database-url", &s.db.url])
            .output()
            .unwrap()
    };
    let out = run(&["user", "disable", "carol"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        s.state
            .stores
            .users
            .user_by_username("carol")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    let out = run(&["user", "enable", "carol"]);
    assert!(out.status.success());
    assert!(
        !s.state
            .stores
            .users
            .user_by_username("carol")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    let out = run(&["user", "disable", "nobody"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user named"));
    let out = run(&["keys", "rotate"]);
    assert!(out.status.success());
    assert_eq!(
        s.state
            .stores
            .signing_keys
            .list_signing_keys()
            .await
            .unwrap()
            .len(),
        4
    );
    let out = run(&["user", "delete", "carol"]);
    assert!(out.status.success());
    assert!(s
        .state
        .stores
        .users
        .user_by_username("carol")
        .await
        .unwrap()
        .is_none());
}

async fn connected_apps_list_and_revoke(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    s.add_user("bob", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid email offline_access").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    // Alice's own token (as the console holds it) lists and revokes.
    let alice_token = s.token_for(&alice, "openid profile");
    let list: Value = s
        .http
        .get(s.url("/api/v1/account/apps"))
        .bearer_auth(&alice_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let apps = list["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 1, "{list}");
    assert_eq!(apps[0]["client_id"], app.client_id);
    assert_eq!(apps[0]["name"], "Billing");
    let scopes: Vec<&str> = apps[0]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // Who the user is first, staying connected last (as the consent page lists them).
    assert_eq!(scopes, ["openid", "email", "offline_access"]);
    assert!(apps[0]["allowed_at"].as_i64().unwrap() > 0);
    // Bob sees nothing of Alice's.
    let bob = s
        .state
        .stores
        .users
        .user_by_username("bob")
        .await
        .unwrap()
        .unwrap();
    let bob_list: Value = s
        .http
        .get(s.url("/api/v1/account/apps"))
        .bearer_auth(s.token_for(&bob, "openid"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(bob_list["apps"], serde_json::json!([]));
    // Without a token: 401.
    let res = s
        .http
        .get(s.url("/api/v1/account/apps"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Revoke: every grant and token of Alice for the app ends; consent is asked again.
    let res = s
        .http
        .delete(s.url(&format!("/api/v1/account/apps/{}", app.client_id)))
        .bearer_auth(&alice_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        me_status(&s, t["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let list: Value = s
        .http
        .get(s.url("/api/v1/account/apps"))
        .bearer_auth(&alice_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["apps"], serde_json::json!([]));
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await;
    assert!(
        matches!(landing, Landing::Page { ref page, .. } if page == "consent"),
        "{landing:?}"
    );
}

/// The server remembers access tokens it has verified (`oauth::resource`); each token here is
/// used first, so that it is remembered, and each kind of revocation made through this server
/// must still end it on the very next request.
async fn tokens_already_checked_are_refused_at_once_after_any_revocation(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let basic = (app.client_id.as_str(), app.secret.as_str());
    let browser = Browser::new(&s);
    let tokens = || async {
        let code = web_code(&browser, &app, "openid offline_access").await;
        let (status, t) = exchange_web(&s, &app, &code).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        t
    };
    let checked = |at: String| {
        let s = &s;
        async move {
            assert_eq!(me_status(s, &at).await, StatusCode::OK);
            assert!(introspect_active(s, &at, basic).await);
            at
        }
    };
    let dead = |at: String, what: &'static str| {
        let s = &s;
        async move {
            assert_eq!(me_status(s, &at).await, StatusCode::UNAUTHORIZED, "{what}");
            assert!(!introspect_active(s, &at, basic).await, "{what}");
        }
    };

    // RFC 7009: revoking the refresh token ends the grant and its access tokens.
    let t = tokens().await;
    let at = checked(t["access_token"].as_str().unwrap().to_owned()).await;
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", t["refresh_token"].as_str().unwrap())],
        Some(basic),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    dead(at, "refresh token revoked").await;

    // Revoking the access token itself.
    let t = tokens().await;
    let at = checked(t["access_token"].as_str().unwrap().to_owned()).await;
    post_form(&s, "/oauth2/revoke", &[("token", &at)], Some(basic)).await;
    dead(at, "access token revoked").await;

    // The user revokes the app in Connected apps.
    let t = tokens().await;
    let at = checked(t["access_token"].as_str().unwrap().to_owned()).await;
    let res = s
        .http
        .delete(s.url(&format!("/api/v1/account/apps/{}", app.client_id)))
        .bearer_auth(s.token_for(&alice, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    dead(at, "connected app revoked").await;

    // A token without a grant (revoked by its jti), and the user disabled.
    let own = checked(s.token_for(&alice, "openid")).await;
    let t = tokens().await;
    let at = checked(t["access_token"].as_str().unwrap().to_owned()).await;
    s.state
        .stores
        .users
        .set_user_disabled("alice", true, s.clock.now())
        .await
        .unwrap();
    assert_eq!(me_status(&s, &own).await, StatusCode::UNAUTHORIZED);
    dead(at, "user disabled").await;

    // The app deleted: its own client-credentials tokens end with it.
    let m2m = s.create_app("machine_to_machine", "Worker").await;
    let (id, secret) = (
        m2m["client_id"].as_str().unwrap(),
        m2m["client_secret"].as_str().unwrap(),
    );
    let (status, cc, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((id, secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cc}");
    let cc = cc["access_token"].as_str().unwrap().to_owned();
    assert_eq!(me_status(&s, &cc).await, StatusCode::OK);
    let (status, _) = s.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(me_status(&s, &cc).await, StatusCode::UNAUTHORIZED);
}

//! Security suite, the admin API (RFC 6750 §3.1): 401 without a valid access token (forged,
//! altered, expired, revoked or of the wrong kind), 403 for a valid token without the rights
//! (a non-admin user, an admin token without the `admin` scope, an app's own token), and a
//! refused request changes nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{m2m_app, post_form, sign_hs256, Browser};
use crate::oauth_code::{exchange_web, web_app, web_code};
use crate::on_both_databases;

on_both_databases!(
    no_token_is_401_on_every_route,
    forged_altered_and_stale_tokens_are_401,
    non_admin_token_is_403_on_every_route,
    admin_token_without_the_admin_scope_is_403_on_every_route,
    an_apps_own_token_is_403,
);

/// Every admin operation (the paths need not exist: authorization comes first).
const ROUTES: [(&str, &str); 17] = [
    ("GET", "/api/v1/apps"),
    ("POST", "/api/v1/apps"),
    ("GET", "/api/v1/apps/x"),
    ("PATCH", "/api/v1/apps/x"),
    ("DELETE", "/api/v1/apps/x"),
    ("GET", "/api/v1/apps/x/grants"),
    ("DELETE", "/api/v1/apps/x/grants"),
    ("POST", "/api/v1/apps/x/secrets"),
    ("DELETE", "/api/v1/apps/x/secrets/y"),
    ("PATCH", "/api/v1/apps/x/secrets/y"),
    ("POST", "/api/v1/apps/x/public-keys"),
    ("DELETE", "/api/v1/apps/x/public-keys/y"),
    ("POST", "/api/v1/apps/x/key-pairs"),
    ("PUT", "/api/v1/apps/x/logo"),
    ("DELETE", "/api/v1/apps/x/logo"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit?limit=5"),
];

/// Calls every route with `token` (or none) and a plausible body, and asserts `want`, the
/// RFC 6750 §3 challenge (`None`: no WWW-Authenticate at all), and that nothing changed.
async fn every_route(
    s: &TestServer,
    token: Option<&str>,
    want: StatusCode,
    challenge: Option<&str>,
) {
    let (_, before) = s.get("/api/v1/apps").await;
    for (method, path) in ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = s
            .http
            .request(method.clone(), s.url(path))
            .json(&json!({"type": "web", "name": "Injected", "alg": "ES256"}));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), want, "{method} {path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        let www = res
            .headers()
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(www.as_deref(), challenge, "{method} {path}");
        let (_, problem) = crate::common::read(res).await;
        assert_eq!(problem["status"], want.as_u16(), "{method} {path}");
    }
    let (_, after) = s.get("/api/v1/apps").await;
    assert_eq!(before, after, "a refused request changed the apps");
}

fn parts(token: &str) -> (Value, Value) {
    (
        crate::flows::jwt_header(token),
        crate::flows::jwt_claims(token),
    )
}

fn b64json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

async fn no_token_is_401_on_every_route(b: Backend) {
    let s = TestServer::start(b).await;
    s.create_app("web", "Existing").await;
    every_route(
        &s,
        None,
        StatusCode::UNAUTHORIZED,
        Some("Bearer realm=\"portico\""),
    )
    .await;
    // Authorization headers that carry no bearer token are the same as none.
    for value in [
        "",
        "Bearer",
        "Bearer ",
        "Basic cm9vdDpjb3JyZWN0IGhvcnNlIGJhdHRlcnk=",
    ] {
        let res = s
            .http
            .get(s.url("/api/v1/apps"))
            .header("authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{value:?}");
    }
    // A token in the query string is not accepted (RFC 9700 §4.3.2 discourages it).
    let res = s
        .http
        .get(format!(
            "{}?access_token={}",
            s.url("/api/v1/apps"),
            s.admin_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn forged_altered_and_stale_tokens_are_401(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    let real = s.admin_token.clone();
    let (header, claims) = parts(&real);
    let sig = real.rsplit('.').next().unwrap().to_owned();
    let jwks: Value = s
        .http
        .get(s.url("/oauth2/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let server_jwk = jwks["keys"][0].to_string();
    // Alice's real token, payload changed to the admin's identity and scope.
    let alice_token = s.token_for(&alice, "openid");
    let mut elevated = parts(&alice_token).1;
    elevated["sub"] = claims["sub"].clone();
    elevated["scope"] = json!("openid admin");
    let alice_sig = alice_token.rsplit('.').next().unwrap().to_owned();
    let other = TestServer::start(Backend::Sqlite).await;
    let mut tokens: Vec<(&str, String)> = vec![
        ("garbage", "garbage".to_owned()),
        ("three empty parts", "..".to_owned()),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64json(&json!({"alg": "none", "typ": "at+jwt", "kid": header["kid"]})),
                b64json(&claims)
            ),
        ),
        (
            "alg none keeping the signature",
            format!(
                "{}.{}.{sig}",
                b64json(&json!({"alg": "none", "typ": "at+jwt", "kid": header["kid"]})),
                b64json(&claims)
            ),
        ),
        (
            "HS256 keyed with the server's public JWK",
            sign_hs256(
                &json!({"alg": "HS256", "typ": "at+jwt", "kid": header["kid"]}),
                &claims,
                server_jwk.as_bytes(),
            ),
        ),
        (
            "a non-admin's token, elevated",
            format!(
                "{}.{}.{alice_sig}",
                alice_token.split('.').next().unwrap(),
                b64json(&elevated)
            ),
        ),
        (
            "signature cut",
            real.rsplit_once('.').unwrap().0.to_owned() + ".",
        ),
        ("another server's token", other.admin_token.clone()),
    ];
    // Expired: issued with a 60 s lifetime, two minutes ago.
    let grant = portico::signing::AccessGrant {
        subject: &s.admin.id,
        client_id: "portico-console",
        scope: "openid admin",
        lifetime: 60,
        grant_id: None,
    };
    let now = portico::clock::Clock::now(s.clock.as_ref());
    let expired = s
        .state
        .tokens
        .issue_access_token(&grant, now - 120)
        .unwrap()
        .0;
    tokens.push(("expired", expired));
    for (what, token) in &tokens {
        let res = s
            .http
            .get(s.url("/api/v1/apps"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{what}");
        let www = res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(www.contains("error=\"invalid_token\""), "{what}: {www}");
    }
    // Tokens of the other kinds a sign-in yields: ID and refresh tokens are not access tokens.
    s.add_user("boss", true).await;
    let browser = Browser::new(&s);
    let t = crate::flows::console_tokens(&browser, "boss", "openid admin offline_access").await;
    assert_eq!(t["scope"], "admin offline_access openid");
    for kind in ["id_token", "refresh_token"] {
        let res = s
            .http
            .get(s.url("/api/v1/apps"))
            .bearer_auth(t[kind].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{kind}");
    }
    // The access token works, until it is revoked; then it is 401 at once.
    let at = t["access_token"].as_str().unwrap();
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", at), ("client_id", "portico-console")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(at)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "revoked");
    // A disabled administrator's token is dead too.
    let boss_token = {
        let boss = s
            .state
            .stores
            .users
            .user_by_username("boss")
            .await
            .unwrap()
            .unwrap();
        s.token_for(&boss, "openid admin")
    };
    s.state
        .stores
        .users
        .set_user_disabled("boss", true, now)
        .await
        .unwrap();
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&boss_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "disabled admin");
}

async fn non_admin_token_is_403_on_every_route(b: Backend) {
    let s = TestServer::start(b).await;
    s.create_app("web", "Existing").await;
    let alice = s.add_user("alice", false).await;
    // Even a token that (somehow) carries the admin scope: the user is no administrator.
    let token = s.token_for(&alice, "openid admin");
    every_route(&s, Some(&token), StatusCode::FORBIDDEN, None).await;
    // The token alice really gets from the console's sign-in never carries admin.
    let browser = Browser::new(&s);
    let t = crate::flows::console_tokens(&browser, "alice", "openid admin").await;
    assert_eq!(t["scope"], "openid");
    every_route(&s, t["access_token"].as_str(), StatusCode::FORBIDDEN, None).await;
}

async fn admin_token_without_the_admin_scope_is_403_on_every_route(b: Backend) {
    let s = TestServer::start(b).await;
    s.create_app("web", "Existing").await;
    let token = s.token_for(&s.admin.clone(), "openid profile email offline_access");
    every_route(
        &s,
        Some(&token),
        StatusCode::FORBIDDEN,
        Some("Bearer realm=\"portico\", error=\"insufficient_scope\", scope=\"admin\""),
    )
    .await;
    // Scopes are whole words: nothing that merely contains "admin" counts.
    for scope in ["administrator", "admin:read", "openid admins", "ADMIN"] {
        let token = s.token_for(&s.admin.clone(), scope);
        let res = s
            .http
            .get(s.url("/api/v1/apps"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{scope}");
    }
}

async fn an_apps_own_token_is_403(b: Backend) {
    let s = TestServer::start(b).await;
    s.create_app("web", "Existing").await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    let (status, t, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    every_route(&s, t["access_token"].as_str(), StatusCode::FORBIDDEN, None).await;
    // Asking for admin in client_credentials is refused outright.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials"), ("scope", "admin")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope")),
        "{body}"
    );
    // A web app's token for a signed-in non-admin user is no better.
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let code = web_code(&browser, &app, "openid").await;
    let (_, t) = exchange_web(&s, &app, &code).await;
    every_route(&s, t["access_token"].as_str(), StatusCode::FORBIDDEN, None).await;
}

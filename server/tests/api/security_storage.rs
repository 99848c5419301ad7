//! Security suite, what is kept and where: answers carrying a secret, a private key or a
//! token are never cached (RFC 6749 §5.1); unauthenticated requests cannot grow storage
//! without bound, and expired protocol state is purged; the first administrator's
//! generated password never reaches a log stream; CLI changes are audited.

use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::binary::{open, sigterm_and_wait, start_binary, user_add, BIN};
use crate::common::{Backend, TestDb, TestServer};
use crate::flows::{
    allow_jwt_bearer, assertion_claims, m2m_app, post_form, sign_jwt, Browser, Landing, PASSWORD,
};
use crate::logo_audit::PNG_1X1;
use crate::oauth_code::{web_app, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    answers_carrying_secrets_keys_or_tokens_cannot_be_cached,
    over_long_free_text_authorization_parameters_are_refused_and_nothing_is_stored,
    expired_protocol_state_is_purged_and_live_state_kept,
    the_generated_admin_password_is_written_to_a_private_file_never_to_a_log,
    cli_user_and_key_changes_are_audited,
);

/// Status, headers and JSON body (Null when not JSON).
async fn send(r: RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let res = r.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// How many rows `from` (a table, optionally with a WHERE clause) holds, read directly.
async fn count(s: &TestServer, from: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&s.db.url).await.unwrap();
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {from}"))
        .fetch_one(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    n
}

async fn answers_carrying_secrets_keys_or_tokens_cannot_be_cached(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    let mut seen: Vec<(&str, StatusCode, HeaderMap)> = Vec::new();

    // Admin answers holding a client secret or a private key.
    let (status, h, m2m) = send(
        s.req(reqwest::Method::POST, "/api/v1/apps")
            .json(&json!({"type": "machine_to_machine", "name": "Worker"})),
    )
    .await;
    assert!(m2m["client_secret"].is_string(), "{m2m}");
    seen.push(("create app", status, h));
    let id = m2m["client_id"].as_str().unwrap().to_owned();
    let secret = m2m["client_secret"].as_str().unwrap().to_owned();
    let (status, h, body) = send(
        s.req(reqwest::Method::POST, &format!("/api/v1/apps/{id}/secrets"))
            .json(&json!({})),
    )
    .await;
    assert!(
        body["secret"].is_string() || body["client_secret"].is_string(),
        "{body}"
    );
    seen.push(("add secret", status, h));
    let (status, h, pair) = send(
        s.req(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{id}/key-pairs"),
        )
        .json(&json!({"alg": "ES256"})),
    )
    .await;
    assert!(pair["private_key_pem"].is_string(), "{pair}");
    seen.push(("key pair", status, h));
    let (status, h, _) = send(s.req(reqwest::Method::GET, &format!("/api/v1/apps/{id}"))).await;
    seen.push(("read app", status, h));
    let (status, h, _) = send(s.req(reqwest::Method::GET, "/api/v1/audit")).await;
    seen.push(("audit", status, h));

    // The token endpoint, each grant.
    let (status, cc, h) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("client_credentials", status, h));
    allow_jwt_bearer(&s, &id, &["alice"]).await;
    let assertion = sign_jwt(
        pair["private_key_pem"].as_str().unwrap(),
        "ES256",
        pair["kid"].as_str(),
        &assertion_claims(&s, &id, "alice", "cache-1"),
    );
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion),
        ],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("jwt-bearer", status, h));

    // The interaction API, step by step as the console drives it, then the code.
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let http = &browser.http;
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid offline_access"),
            ("state", "st"),
        ])
        .await;
    let interaction = landing.interaction().to_owned();
    let res = http
        .get(s.url(&format!("/api/v1/interactions/{interaction}")))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    seen.push(("interaction", res.status(), res.headers().clone()));
    let res = http
        .post(s.url(&format!("/api/v1/interactions/{interaction}/login")))
        .header("cookie", browser.cookie_header())
        .header("origin", &s.base)
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    browser.keep_cookies(&res);
    seen.push(("interaction login", res.status(), res.headers().clone()));
    let res = http
        .post(s.url(&format!("/api/v1/interactions/{interaction}/consent")))
        .header("cookie", browser.cookie_header())
        .header("origin", &s.base)
        .json(&json!({"decision": "allow"}))
        .send()
        .await
        .unwrap();
    seen.push(("interaction consent", res.status(), res.headers().clone()));
    let next: Value = res.json().await.unwrap();
    let code = crate::flows::query_params(next["redirect_to"].as_str().unwrap())["code"].clone();
    let (status, tokens, h) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("authorization_code", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("refresh_token", status, h));
    let access = tokens["access_token"].as_str().unwrap();
    let (status, _, h) = post_form(
        &s,
        "/oauth2/introspect",
        &[("token", access)],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("introspection", status, h));

    // Resources answered with a bearer token.
    let (status, h, _) = send(s.http.get(s.url("/oauth2/userinfo")).bearer_auth(access)).await;
    seen.push(("userinfo", status, h));
    let (status, h, _) = send(s.http.get(s.url("/api/v1/me")).bearer_auth(access)).await;
    seen.push(("me", status, h));
    let console = s.token_for(&alice, "openid");
    let (status, h, _) = send(
        s.http
            .get(s.url("/api/v1/account/apps"))
            .bearer_auth(&console),
    )
    .await;
    seen.push(("account apps", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", cc["access_token"].as_str().unwrap())],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("revocation", status, h));

    for (what, status, h) in &seen {
        assert!(status.is_success(), "{what}: {status}");
        assert_eq!(
            h.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
        assert_eq!(
            h.get("pragma").map(|v| v.to_str().unwrap()),
            Some("no-cache"),
            "{what}"
        );
    }

    // Public documents keep their own caching, with no Pragma to contradict it.
    let (status, _) = {
        let res = s
            .req(reqwest::Method::PUT, &format!("/api/v1/apps/{id}/logo"))
            .header("content-type", "image/png")
            .body(PNG_1X1.to_vec())
            .send()
            .await
            .unwrap();
        (res.status(), ())
    };
    assert!(status.is_success());
    for path in [
        "/.well-known/openid-configuration".to_owned(),
        "/oauth2/jwks".to_owned(),
        format!("/api/v1/apps/{id}/logo"),
    ] {
        let (status, h, _) = send(s.http.get(s.url(&path))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(h["cache-control"], "public, max-age=300", "{path}");
        assert!(h.get("pragma").is_none(), "{path}");
    }
}

async fn over_long_free_text_authorization_parameters_are_refused_and_nothing_is_stored(
    b: Backend,
) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let long_state = "s".repeat(1025);
    let long_nonce = "n".repeat(513);
    let long_hint = "h".repeat(257);
    for (what, name, value) in [
        ("state", "state", long_state.as_str()),
        ("nonce", "nonce", long_nonce.as_str()),
        ("login_hint", "login_hint", long_hint.as_str()),
    ] {
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ];
        if name != "state" {
            params.push(("state", "short"));
        }
        params.push((name, value));
        let landing = browser.authorize(&params).await;
        let got = landing.client_params();
        assert_eq!(got["error"], "invalid_request", "{what}: {got:?}");
        assert!(got["error_description"].contains(name), "{what}: {got:?}");
        // The over-long state is not echoed; a valid one is (RFC 6749 §4.1.2.1).
        if name == "state" {
            assert!(!got.contains_key("state"), "{what}");
        } else {
            assert_eq!(got["state"], "short", "{what}");
        }
    }
    assert_eq!(count(&s, "interactions").await, 0);

    // At the limits, the request is kept as an interaction.
    let at_limit = ["s".repeat(1024), "n".repeat(512), "h".repeat(256)];
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
            ("state", &at_limit[0]),
            ("nonce", &at_limit[1]),
            ("login_hint", &at_limit[2]),
        ])
        .await;
    assert!(matches!(landing, Landing::Page { .. }), "{landing:?}");
    assert_eq!(count(&s, "interactions").await, 1);
}

/// Signs `username` in and through consent in a new browser; returns the tokens.
async fn tokens(s: &TestServer, app: &crate::oauth_code::WebApp, username: &str) -> Value {
    let browser = Browser::new(s);
    let got = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", "openid offline_access"),
                ("state", "x"),
            ],
            username,
            "allow",
        )
        .await;
    let (status, tokens, _) = post_form(
        s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &got["code"]),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

/// Starts an authorization in a new browser, which leaves an interaction pending.
async fn pending_interaction(s: &TestServer, app: &crate::oauth_code::WebApp) {
    let landing = Browser::new(s)
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await;
    assert!(matches!(landing, Landing::Page { .. }), "{landing:?}");
}

async fn purge(s: &TestServer) -> portico::purge::PurgeReport {
    portico::purge::run_once(&s.state).await.unwrap()
}

async fn expired_protocol_state_is_purged_and_live_state_kept(b: Backend) {
    use portico::store::PurgeTable;
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"rotate_refresh_token": true, "refresh_token_inactivity_lifetime": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (m2m, m2m_secret) = m2m_app(&s, "Worker").await;
    let (_, pair) = s
        .post(
            &format!("/api/v1/apps/{m2m}/key-pairs"),
            json!({"alg": "ES256"}),
        )
        .await;
    let pem = pair["private_key_pem"].as_str().unwrap();

    // t0: a signed-in browser (session), a used code, a rotated refresh token and its
    // live successor; a pending interaction; a used assertion; a revoked access token.
    let rotated = tokens(&s, &app, "alice").await;
    let (status, live, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rotated["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{live}");
    // A second grant, revoked directly in the database with its refresh token left behind
    // (as an older version or an interrupted revocation could leave it).
    let orphan = tokens(&s, &app, "alice").await;
    let orphan_hash = s
        .state
        .hasher
        .hash(orphan["refresh_token"].as_str().unwrap());
    pending_interaction(&s, &app).await;
    let assertion = sign_jwt(
        pem,
        "ES256",
        pair["kid"].as_str(),
        &assertion_claims(&s, &m2m, &m2m, "purge-1"),
    );
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, cc, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&m2m, &m2m_secret)),
    )
    .await;
    post_form(
        &s,
        "/oauth2/revoke",
        &[("token", cc["access_token"].as_str().unwrap())],
        Some((&m2m, &m2m_secret)),
    )
    .await;
    {
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&s.db.url).await.unwrap();
        sqlx::query(
            "UPDATE grants SET revoked_at = $1 WHERE id IN
             (SELECT grant_id FROM refresh_tokens WHERE token_hash = $2)",
        )
        .bind(portico::clock::Clock::now(s.clock.as_ref()))
        .bind(orphan_hash)
        .execute(&mut c)
        .await
        .unwrap();
        c.close().await.unwrap();
    }
    assert_eq!(count(&s, "browser_sessions").await, 2);
    assert_eq!(count(&s, "interactions").await, 1);
    assert_eq!(count(&s, "authorization_codes").await, 2);
    assert_eq!(count(&s, "used_assertions").await, 1);
    assert_eq!(count(&s, "revoked_access_tokens").await, 1);
    assert_eq!(count(&s, "refresh_tokens").await, 3);
    assert_eq!(
        count(&s, "refresh_tokens WHERE rotated_at IS NOT NULL").await,
        1
    );

    // Nothing is dead yet.
    assert_eq!(purge(&s).await.total(), 0);

    // +11 min: the interaction (10 min) and the assertion (5 min) are dead; the codes are
    // expired but kept an hour so that a replay still revokes what they issued.
    s.clock.advance(660);
    pending_interaction(&s, &app).await;
    let r = purge(&s).await;
    assert_eq!(r.removed_from(PurgeTable::Interactions), 1, "{r}");
    assert_eq!(r.removed_from(PurgeTable::UsedAssertions), 1, "{r}");
    assert_eq!(r.total(), 2, "{r}");
    assert_eq!(count(&s, "interactions").await, 1, "the live one stays");
    assert_eq!(count(&s, "used_assertions").await, 0);
    assert_eq!(count(&s, "authorization_codes").await, 2);

    // +1 h 12 min: codes past expiry and retention, and the revoked token's entry (1 h).
    s.clock.advance(3600);
    let r = purge(&s).await;
    assert_eq!(r.removed_from(PurgeTable::AuthorizationCodes), 2, "{r}");
    assert_eq!(r.removed_from(PurgeTable::RevokedAccessTokens), 1, "{r}");
    assert_eq!(r.removed_from(PurgeTable::Interactions), 1, "{r}");
    assert_eq!(count(&s, "authorization_codes").await, 0);
    assert_eq!(count(&s, "revoked_access_tokens").await, 0);

    // +9 h: the browser sessions (8 h) are dead; one signed in now stays.
    s.clock.advance(8 * 3600);
    let fresh = tokens(&s, &app, "alice").await;
    assert!(fresh["refresh_token"].is_string());
    assert_eq!(count(&s, "browser_sessions").await, 3);
    let r = purge(&s).await;
    assert_eq!(r.removed_from(PurgeTable::BrowserSessions), 2, "{r}");
    assert_eq!(count(&s, "browser_sessions").await, 1);
    assert_eq!(
        count(&s, "refresh_tokens").await,
        4,
        "revoked a day ago: not yet"
    );

    // +1 day: the refresh token of the grant revoked a day ago goes.
    s.clock.advance(86_400);
    let r = purge(&s).await;
    assert_eq!(
        r.removed_from(PurgeTable::RefreshTokensOfRevokedGrants),
        1,
        "{r}"
    );
    assert_eq!(count(&s, "refresh_tokens").await, 3);

    // +30 days: the rotated refresh token goes; the live ones stay, and still work.
    s.clock.advance(29 * 86_400);
    let r = purge(&s).await;
    assert_eq!(r.removed_from(PurgeTable::RetiredRefreshTokens), 1, "{r}");
    assert_eq!(count(&s, "refresh_tokens").await, 2);
    assert_eq!(
        count(&s, "refresh_tokens WHERE rotated_at IS NOT NULL").await,
        0
    );
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", live["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The retired token, no longer remembered, is refused (though not detected as theft).
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rotated["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
}

/// Signs `username` in through the console's own client against a running server, as the
/// console's sign-in page would; returns the status and body of the login answer.
async fn sign_in(base: &str, username: &str, password: &str) -> (StatusCode, Value) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let (_, challenge) = crate::flows::pkce_pair();
    let callback = format!("{base}/auth/callback");
    let url = reqwest::Url::parse_with_params(
        &format!("{base}/oauth2/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", "portico-console"),
            ("redirect_uri", callback.as_str()),
            ("scope", "openid"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap();
    let res = http.get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let interaction = location.split("interaction=").nth(1).unwrap().to_owned();
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let res = http
        .post(format!("{base}/api/v1/interactions/{interaction}/login"))
        .header("cookie", cookies.join("; "))
        .header("origin", base)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    crate::common::read(res).await
}

/// Runs `portico serve` where it is expected to refuse to start; returns its output.
fn serve_refused(db: &str) -> std::process::Output {
    let mut child = std::process::Command::new(BIN)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--management-addr",
            "127.0.0.1:0",
        ])
        .args(["--database-url", db])
        .args(["--console-dir", "/nonexistent"])
        .env_remove("PORTICO_BOOTSTRAP_ADMIN_PASSWORD")
        .env("PORTICO_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("portico serve started instead of refusing");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

async fn user_count(db: &str) -> i64 {
    let (store, stores) = open(db).await;
    let n = stores.users.count_users().await.unwrap();
    store.close().await;
    n
}

async fn the_generated_admin_password_is_written_to_a_private_file_never_to_a_log(b: Backend) {
    let db = TestDb::new(b).await;
    let Some(db_file) = portico::store::sqlite_file(&db.url) else {
        // PostgreSQL: no local file to write a generated password to, so a first start
        // without PORTICO_BOOTSTRAP_ADMIN_PASSWORD is refused, saying what to set.
        let out = serve_refused(&db.url);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("PORTICO_BOOTSTRAP_ADMIN_PASSWORD"), "{err}");
        assert_eq!(
            user_count(&db.url).await,
            0,
            "no admin without a known password"
        );
        return;
    };
    let file = portico::users::password_file_for(&db_file);
    assert_eq!(
        file.file_name().unwrap().to_str().unwrap(),
        "portico-admin-password.txt"
    );
    let running = start_binary(&db.url, None).await;
    let base = running.base.clone();
    let password = std::fs::read_to_string(&file)
        .unwrap()
        .trim_end()
        .to_owned();
    assert!(password.len() >= 20, "{password:?}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    // The password signs `admin` in; a wrong one does not.
    let (status, body) = sign_in(&base, "admin", &password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["redirect_to"].as_str().unwrap().contains("code="),
        "{body}"
    );
    let (status, _) = sign_in(&base, "admin", "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (out, err) = sigterm_and_wait(running);
    assert!(!out.contains(&password), "stdout: {out}");
    assert!(!err.contains(&password), "stderr: {err}");
    // Only the path is shown, on the terminal (stderr), not through the log.
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(!out.contains(&file.display().to_string()), "{out}");

    // A fresh database whose password file already exists: refused, the file untouched,
    // no admin created.
    let other = TestDb::new(b).await;
    let other_file =
        portico::users::password_file_for(&portico::store::sqlite_file(&other.url).unwrap());
    std::fs::write(&other_file, "an earlier password\n").unwrap();
    let out = serve_refused(&other.url);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&other_file.display().to_string()), "{err}");
    assert_eq!(
        std::fs::read_to_string(&other_file).unwrap(),
        "an earlier password\n"
    );
    assert_eq!(user_count(&other.url).await, 0);
}

/// Runs a `portico` command against `db`; it must succeed.
fn cli(db: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(BIN)
        .args(args)
        .args(["--database-url", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn cli_user_and_key_changes_are_audited(b: Backend) {
    let s = TestServer::start(b).await;
    let db = s.db.url.clone();
    for (args, password) in [
        (&["bob", "--admin"][..], "bob's long password"),
        (&["carol"][..], "carol's long password"),
    ] {
        let out = user_add(&db, args, password);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    cli(&db, &["user", "disable", "carol"]);
    cli(&db, &["user", "enable", "carol"]);
    cli(&db, &["user", "delete", "bob"]);
    let rotated = cli(&db, &["keys", "rotate"]);
    // A command that changes nothing records nothing.
    let out = std::process::Command::new(BIN)
        .args(["user", "disable", "nobody", "--database-url", &db])
        .output()
        .unwrap();
    assert!(!out.status.success());

    let (status, page) = s.get("/api/v1/audit").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let cli_entries: Vec<(String, String)> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "cli")
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let actions: Vec<&str> = cli_entries.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "keys.rotate",
            "user.delete",
            "user.enable",
            "user.disable",
            "user.add",
            "user.add"
        ],
        "{page}"
    );
    assert_eq!(cli_entries[1].1, "bob (admin)");
    assert_eq!(cli_entries[2].1, "carol (not admin)");
    assert_eq!(cli_entries[3].1, "carol (not admin)");
    assert_eq!(cli_entries[4].1, "carol (not admin)");
    assert_eq!(cli_entries[5].1, "bob (admin)");
    // The rotation names the new kids, as the command printed them.
    let kids = rotated
        .trim()
        .strip_prefix("new signing keys ")
        .and_then(|r| r.split(" are active").next())
        .unwrap();
    assert!(!kids.is_empty());
    assert_eq!(cli_entries[0].1, format!("new signing keys {kids}"));
}

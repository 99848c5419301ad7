//! Who uses an app: `GET /api/v1/apps/{client_id}/grants` lists the users who allowed it
//! (counted, paged by offset), `DELETE` on the same path ends every consent, grant and token
//! of the app for all users at once (audited), and keeps the app and its credentials.

use portico::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{introspect_active, me_status, post_form, Browser, Landing};
use crate::oauth_code::{exchange_web, web_app, WebApp, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    the_users_who_allowed_an_app_are_counted_and_paged,
    revoke_for_all_users_ends_every_grant_and_token_and_keeps_the_app,
    only_admins_may_list_or_revoke_and_never_the_console,
);

/// `username` signs in to `app` through a fresh browser and allows `scope`; the tokens.
async fn signs_in(s: &TestServer, app: &WebApp, username: &str, scope: &str) -> Value {
    signs_in_with(s, &Browser::new(s), app, username, scope).await
}

async fn signs_in_with(
    s: &TestServer,
    browser: &Browser<'_>,
    app: &WebApp,
    username: &str,
    scope: &str,
) -> Value {
    let params = browser
        .run(&authorize_params(app, scope), username, "allow")
        .await;
    let code = params
        .get("code")
        .unwrap_or_else(|| panic!("{params:?}"))
        .clone();
    let (status, body) = exchange_web(s, app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn authorize_params<'a>(app: &'a WebApp, scope: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("response_type", "code"),
        ("client_id", &app.client_id),
        ("redirect_uri", WEB_CB),
        ("scope", scope),
        ("state", "s1"),
    ]
}

fn str_of<'v>(v: &'v Value, k: &str) -> &'v str {
    v[k].as_str().unwrap_or_else(|| panic!("{k} in {v}"))
}

async fn refresh(s: &TestServer, app: &WebApp, token: &str) -> (StatusCode, Value) {
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    (status, body)
}

fn usernames(page: &Value) -> Vec<&str> {
    page["users"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|u| str_of(u, "username"))
        .collect()
}

async fn the_users_who_allowed_an_app_are_counted_and_paged(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let other = web_app(&s).await;
    let path = format!("/api/v1/apps/{}/grants", app.client_id);
    let (status, empty) = s.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{empty}");
    assert_eq!(empty["total"], 0);
    assert_eq!(empty["users"], serde_json::json!([]));
    assert!(empty["last_used_at"].is_null() && empty["next_offset"].is_null());

    for (i, name) in ["ann", "ben", "cat"].into_iter().enumerate() {
        s.add_user(name, false).await;
        s.clock.advance(60);
        let scope = if i == 0 { "openid" } else { "openid email" };
        signs_in(&s, &app, name, scope).await;
    }
    s.add_user("dan", false).await;
    signs_in(&s, &other, "dan", "openid").await;

    // Newest first, two per page; the total on every page; the app's other users are not its.
    let (status, first) = s.get(&format!("{path}?limit=2")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["total"], 3);
    assert_eq!(usernames(&first), ["cat", "ben"]);
    assert_eq!(first["next_offset"], 2);
    let cat = &first["users"][0];
    assert_eq!(cat["scopes"], serde_json::json!(["email", "openid"]));
    assert_eq!(cat["granted_at"], s.clock.now());
    assert_eq!(cat["last_used_at"], s.clock.now());
    assert!(!str_of(cat, "user_id").is_empty());
    assert_eq!(first["last_used_at"], s.clock.now());
    let (_, second) = s.get(&format!("{path}?limit=2&offset=2")).await;
    assert_eq!(usernames(&second), ["ann"]);
    assert_eq!(second["users"][0]["scopes"], serde_json::json!(["openid"]));
    assert!(second["next_offset"].is_null(), "{second}");
    assert_eq!(second["total"], 3);
    let (_, all) = s.get(&path).await;
    assert_eq!(usernames(&all), ["cat", "ben", "ann"]);
    // Past the end: an empty page, still counted.
    let (status, past) = s.get(&format!("{path}?offset=10")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(past["total"], 3);
    assert_eq!(past["users"], serde_json::json!([]));
    // A limit out of range is brought within 1–100; one that is no number is a 400 problem.
    let (_, one) = s.get(&format!("{path}?limit=0")).await;
    assert_eq!(usernames(&one), ["cat"]);
    let (status, problem) = s.get(&format!("{path}?limit=many")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    // Each app counts its own users.
    let (_, other_page) = s
        .get(&format!("/api/v1/apps/{}/grants", other.client_id))
        .await;
    assert_eq!(usernames(&other_page), ["dan"]);
}

async fn revoke_for_all_users_ends_every_grant_and_token_and_keeps_the_app(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let other = web_app(&s).await;
    s.add_user("ann", false).await;
    s.add_user("ben", false).await;
    let ann_browser = Browser::new(&s);
    let ann = signs_in_with(&s, &ann_browser, &app, "ann", "openid offline_access").await;
    let ben = signs_in(&s, &app, "ben", "openid offline_access").await;
    let ann_again = signs_in_with(&s, &ann_browser, &app, "ann", "openid offline_access").await;
    let ann_other = signs_in(&s, &other, "ann", "openid offline_access").await;
    // Verified once before, so that a cached verdict would show.
    for t in [&ann, &ben, &ann_again] {
        assert_eq!(
            me_status(&s, str_of(t, "access_token")).await,
            StatusCode::OK
        );
    }

    let path = format!("/api/v1/apps/{}/grants", app.client_id);
    let (status, ended) = s.delete(&path).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended, serde_json::json!({"users": 2, "grants": 3}));

    for (t, who) in [
        (&ann, "ann"),
        (&ben, "ben"),
        (&ann_again, "ann, second sign-in"),
    ] {
        let (status, body) = refresh(&s, &app, str_of(t, "refresh_token")).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{who}: {body}"
        );
        let access = str_of(t, "access_token");
        assert!(
            !introspect_active(&s, access, (&app.client_id, &app.secret)).await,
            "{who}"
        );
        assert_eq!(
            me_status(&s, access).await,
            StatusCode::UNAUTHORIZED,
            "{who}"
        );
    }
    // Another app of the same user is untouched.
    assert_eq!(
        me_status(&s, str_of(&ann_other, "access_token")).await,
        StatusCode::OK
    );
    let (status, body) = refresh(&s, &other, str_of(&ann_other, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The app, its secret and settings stay; nobody is listed any more.
    let (status, kept) = s.get(&format!("/api/v1/apps/{}", app.client_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kept["secrets"].as_array().map(Vec::len), Some(1));
    let (_, page) = s.get(&path).await;
    assert_eq!(page["total"], 0);
    // Ann's browser is still signed in to Portico, but the app must ask her again.
    match ann_browser
        .authorize(&authorize_params(&app, "openid offline_access"))
        .await
    {
        Landing::Page { page, .. } => assert_eq!(page, "consent"),
        other => panic!("expected the consent page, got {other:?}"),
    }
    // A new sign-in works.
    let fresh = signs_in(&s, &app, "ben", "openid offline_access").await;
    assert_eq!(
        me_status(&s, str_of(&fresh, "access_token")).await,
        StatusCode::OK
    );
    let (status, body) = refresh(&s, &app, str_of(&fresh, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, page) = s.get(&path).await;
    assert_eq!(usernames(&page), ["ben"]);

    // One audit entry, naming the app and what ended.
    let (_, audit) = s.get("/api/v1/audit").await;
    let entries: Vec<&Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "app.grants_revoke")
        .collect();
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(entries[0]["client_id"], app.client_id.as_str());
    assert_eq!(entries[0]["actor"], s.admin.username.as_str());
    let detail = str_of(entries[0], "detail");
    assert!(
        detail.contains("2 users' consents withdrawn, 3 grants ended"),
        "{detail}"
    );
    // Revoking again ends nothing more but ben's new grant, and says so.
    let (status, ended) = s.delete(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ended, serde_json::json!({"users": 1, "grants": 1}));
}

async fn only_admins_may_list_or_revoke_and_never_the_console(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let alice = s.add_user("alice", false).await;
    let t = signs_in(&s, &app, "alice", "openid offline_access").await;
    let path = format!("/api/v1/apps/{}/grants", app.client_id);
    // A user who is no administrator, even with a token that (somehow) says admin.
    let token = s.token_for(&alice, "openid admin");
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let res = s
            .http
            .request(method.clone(), s.url(&path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    assert_eq!(
        me_status(&s, str_of(&t, "access_token")).await,
        StatusCode::OK,
        "nothing was revoked"
    );
    // An unknown app: 404 problem+json naming it.
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let res = s
            .req(method.clone(), "/api/v1/apps/no-such-app/grants")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{method}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let (_, problem) = crate::common::read(res).await;
        assert_eq!(problem["status"], 404);
    }
    // Portico's own console is not an app of the admin API: its users' sessions cannot be
    // ended this way (they sign out), and the admin's own token keeps working.
    let browser = Browser::new(&s);
    let console = crate::flows::console_tokens(&browser, "alice", "openid offline_access").await;
    let (status, problem) = s.delete("/api/v1/apps/portico-console/grants").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _) = s.get("/api/v1/apps/portico-console/grants").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        me_status(&s, str_of(&console, "access_token")).await,
        StatusCode::OK
    );
    let (_, audit) = s.get("/api/v1/audit").await;
    assert!(
        !audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "app.grants_revoke"),
        "{audit}"
    );
}

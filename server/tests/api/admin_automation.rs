//! Admin automation: an administrator lets a chosen machine-to-machine app call the admin API
//! with its own `client_credentials` token (scope `admin`). Who may turn that on, what the
//! app may then do and not do, and how fast turning it off or deleting the app ends its
//! tokens — each attack tried against the real server.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{error_fields, read, Backend, TestServer};
use crate::flows::{allow_jwt_bearer, m2m_app, post_form};
use crate::oauth_code::web_app;
use crate::on_both_databases;

on_both_databases!(
    an_allowed_app_uses_the_admin_api_and_the_log_names_it,
    only_machine_to_machine_apps_may_get_admin_api_access_and_only_on_its_own,
    an_app_using_the_admin_api_cannot_widen_its_power,
    turning_access_off_or_deleting_the_app_ends_its_tokens_at_once,
    requests_racing_the_switch_never_outlive_it,
);

/// `client_credentials` with `scope`, as the app would ask.
async fn app_token(s: &TestServer, id: &str, secret: &str, scope: &str) -> (StatusCode, Value) {
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[("grant_type", "client_credentials"), ("scope", scope)],
        Some((id, secret)),
    )
    .await;
    (status, body)
}

/// An admin token for an app an administrator just gave admin API access.
async fn admin_app(s: &TestServer, name: &str) -> (String, String, String) {
    let (id, secret) = m2m_app(s, name).await;
    set_access(s, &id, true).await;
    let (status, body) = app_token(s, &id, &secret, "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"].as_str().unwrap().to_owned();
    (id, secret, token)
}

/// The administrator (console token) turns the app's admin API access on or off.
async fn set_access(s: &TestServer, id: &str, on: bool) {
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{id}"),
            json!({ "admin_api_access": on }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["admin_api_access"], on, "{body}");
}

async fn call_as(
    s: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = s.http.request(method, s.url(path)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    read(r.send().await.unwrap()).await
}

async fn access_of(s: &TestServer, id: &str) -> bool {
    let (status, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{app}");
    app["admin_api_access"].as_bool().unwrap()
}

/// The entries of `action`, newest first.
async fn audit_of(s: &TestServer, action: &str) -> Vec<Value> {
    let (status, page) = s.get(&format!("/api/v1/audit?action={action}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["entries"].as_array().unwrap().clone()
}

async fn an_allowed_app_uses_the_admin_api_and_the_log_names_it(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Deployer").await;
    // Off by default: `admin` is refused as before, and the app shows it off.
    assert!(!access_of(&s, &id).await);
    let (status, body) = app_token(&s, &id, &secret, "admin").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope")),
        "{body}"
    );

    set_access(&s, &id, true).await;
    let enabled = audit_of(&s, "app.admin_api_enable").await;
    assert_eq!(enabled.len(), 1);
    assert_eq!(enabled[0]["actor"], s.admin.username);
    assert_eq!(enabled[0]["client_id"], id);
    assert_eq!(enabled[0]["kind"], "admin");
    // Its own action, not an ordinary update.
    assert!(audit_of(&s, "app.update").await.is_empty());

    let (status, body) = app_token(&s, &id, &secret, "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "admin");
    assert!(body.get("refresh_token").is_none());
    let token = body["access_token"].as_str().unwrap();
    // User scopes are still not for an app's own token.
    let (status, body) = app_token(&s, &id, &secret, "admin openid").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope")),
        "{body}"
    );

    let (status, list) = call_as(&s, token, Method::GET, "/api/v1/apps", None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["apps"][0]["client_id"], id);
    // A change the app makes is in the log under the app's name.
    let (status, created) = call_as(
        &s,
        token,
        Method::POST,
        "/api/v1/apps",
        Some(json!({"type": "machine_to_machine", "name": "Nightly export"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, _) = call_as(
        &s,
        token,
        Method::PATCH,
        &format!("/api/v1/apps/{}", created["client_id"].as_str().unwrap()),
        Some(json!({"description": "made by the deployer"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for action in ["app.create", "app.update"] {
        let entries = audit_of(&s, action).await;
        let entry = entries
            .iter()
            .find(|e| e["client_id"] == created["client_id"])
            .unwrap_or_else(|| panic!("no {action}: {entries:?}"));
        assert_eq!(entry["actor"], format!("app:{id}"));
        assert!(
            entry["detail"]
                .as_str()
                .unwrap()
                .contains("(by app \"Deployer\")"),
            "{entry}"
        );
    }
    let (status, page) = s.get(&format!("/api/v1/audit?actor=app:{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["entries"].as_array().unwrap().len(), 2, "{page}");
    // The audit log itself is readable with the app's token.
    let (status, _) = call_as(&s, token, Method::GET, "/api/v1/audit", None).await;
    assert_eq!(status, StatusCode::OK);

    // A user's token issued to this app (as a JWT-bearer grant would mint) opens nothing,
    // even for an administrator and even claiming `admin`: only the app's own token does.
    let forged = s
        .state
        .tokens
        .issue_access_token(
            &portico::signing::AccessGrant {
                subject: &s.admin.id,
                client_id: &id,
                scope: "openid admin",
                lifetime: 600,
                grant_id: None,
            },
            portico::clock::Clock::now(s.clock.as_ref()),
        )
        .unwrap()
        .0;
    let (status, body) = call_as(&s, &forged, Method::GET, "/api/v1/apps", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // An app token without `admin` is told what it lacks.
    let (status, body) = app_token(&s, &id, &secret, "").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call_as(
        &s,
        body["access_token"].as_str().unwrap(),
        Method::GET,
        "/api/v1/apps",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("admin"), "{body}");
}

async fn only_machine_to_machine_apps_may_get_admin_api_access_and_only_on_its_own(b: Backend) {
    let s = TestServer::start(b).await;
    let web = web_app(&s).await;
    let spa = s.create_app("single_page", "Spa").await;
    for id in [web.client_id.as_str(), spa["client_id"].as_str().unwrap()] {
        let (status, body) = s
            .patch(
                &format!("/api/v1/apps/{id}"),
                json!({"admin_api_access": true}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&body), ["admin_api_access"]);
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("machine-to-machine"),
            "{body}"
        );
        let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
        assert!(app.get("admin_api_access").is_none(), "{app}");
    }
    let (status, body) = s
        .post(
            "/api/v1/apps",
            json!({"type": "web", "name": "W", "redirect_uris": ["https://w.example/cb"], "admin_api_access": false}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["admin_api_access"]);
    // Not given at creation (it would hide in `app.create`), nor with other changes.
    let (status, body) = s
        .post(
            "/api/v1/apps",
            json!({"type": "machine_to_machine", "name": "M", "admin_api_access": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["admin_api_access"]);
    let (id, _) = m2m_app(&s, "Bot").await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{id}"),
            json!({"admin_api_access": true, "name": "Renamed"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["admin_api_access"]);
    assert!(!access_of(&s, &id).await);
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{id}"),
            json!({"admin_api_access": null}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // On, then off: two entries, each its own action; ordinary updates keep the flag.
    set_access(&s, &id, true).await;
    let (status, body) = s
        .patch(&format!("/api/v1/apps/{id}"), json!({"name": "Renamed"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["admin_api_access"], true, "{body}");
    set_access(&s, &id, false).await;
    assert_eq!(audit_of(&s, "app.admin_api_enable").await.len(), 1);
    let disabled = audit_of(&s, "app.admin_api_disable").await;
    assert_eq!(disabled.len(), 1);
    assert!(
        disabled[0]["detail"].as_str().unwrap().contains("Renamed"),
        "{disabled:?}"
    );
}

/// Each escalation an app holding the admin API might try: giving itself or another app the
/// admin API (or taking it away), minting users' tokens by listing users it may act as or
/// by taking the credentials of an app that may, and taking over another admin app.
async fn an_app_using_the_admin_api_cannot_widen_its_power(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let (me, _, token) = admin_app(&s, "Automation").await;
    let (other_admin, _, _) = admin_app(&s, "Other automation").await;
    let (plain, _) = m2m_app(&s, "Plain").await;
    let (acts_as_users, _) = m2m_app(&s, "Acts as alice").await;
    allow_jwt_bearer(&s, &acts_as_users, &["alice"]).await;
    let t = token.as_str();
    let forbidden = |what: &str, (status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    };

    // The flag, on any app, either way, at creation or later.
    for (id, on) in [
        (&me, false),
        (&me, true),
        (&plain, true),
        (&other_admin, false),
    ] {
        forbidden(
            "admin_api_access",
            call_as(
                &s,
                t,
                Method::PATCH,
                &format!("/api/v1/apps/{id}"),
                Some(json!({ "admin_api_access": on })),
            )
            .await,
        );
    }
    for on in [true, false] {
        forbidden(
            "create with admin_api_access",
            call_as(
                &s,
                t,
                Method::POST,
                "/api/v1/apps",
                Some(json!({"type": "machine_to_machine", "name": "Mine", "admin_api_access": on})),
            )
            .await,
        );
    }
    assert!(access_of(&s, &me).await);
    assert!(!access_of(&s, &plain).await);
    assert!(access_of(&s, &other_admin).await);

    // Users' tokens: no app may be given users to act as, by an app.
    for id in [&me, &plain, &acts_as_users] {
        forbidden(
            "jwt_bearer_users",
            call_as(
                &s,
                t,
                Method::PATCH,
                &format!("/api/v1/apps/{id}"),
                Some(json!({"jwt_bearer_users": ["alice"]})),
            )
            .await,
        );
    }
    forbidden(
        "create with jwt_bearer_users",
        call_as(
            &s,
            t,
            Method::POST,
            "/api/v1/apps",
            Some(json!({"type": "machine_to_machine", "name": "As alice", "jwt_bearer_users": ["alice"]})),
        )
        .await,
    );
    // Nor the credentials of an app that may act as users, or of another admin app.
    for id in [&acts_as_users, &other_admin] {
        forbidden(
            "secret",
            call_as(
                &s,
                t,
                Method::POST,
                &format!("/api/v1/apps/{id}/secrets"),
                None,
            )
            .await,
        );
        forbidden(
            "key pair",
            call_as(
                &s,
                t,
                Method::POST,
                &format!("/api/v1/apps/{id}/key-pairs"),
                Some(json!({"alg": "ES256"})),
            )
            .await,
        );
    }
    // Another admin app is not the app's to change or delete.
    forbidden(
        "rename another admin app",
        call_as(
            &s,
            t,
            Method::PATCH,
            &format!("/api/v1/apps/{other_admin}"),
            Some(json!({"name": "Taken over"})),
        )
        .await,
    );
    forbidden(
        "delete another admin app",
        call_as(
            &s,
            t,
            Method::DELETE,
            &format!("/api/v1/apps/{other_admin}"),
            None,
        )
        .await,
    );
    let (_, other) = s.get(&format!("/api/v1/apps/{other_admin}")).await;
    assert_eq!(other["name"], "Other automation");
    assert_eq!(other["secrets"].as_array().unwrap().len(), 1);
    let (_, alice_app) = s.get(&format!("/api/v1/apps/{acts_as_users}")).await;
    assert_eq!(alice_app["secrets"].as_array().unwrap().len(), 1);
    assert!(alice_app["public_keys"].as_array().unwrap().is_empty());
    // None of it reached the log as a change by the app.
    let (_, page) = s.get(&format!("/api/v1/audit?actor=app:{me}")).await;
    assert!(page["entries"].as_array().unwrap().is_empty(), "{page}");

    // What it may do: manage an app without such power, and its own secrets; a secret it
    // adds to a plain app carries no admin power.
    let (status, added) = call_as(
        &s,
        t,
        Method::POST,
        &format!("/api/v1/apps/{plain}/secrets"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (status, body) = app_token(
        &s,
        &plain,
        added["client_secret"].as_str().unwrap(),
        "admin",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope")),
        "{body}"
    );
    let (status, body) = call_as(
        &s,
        t,
        Method::POST,
        &format!("/api/v1/apps/{me}/secrets"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = call_as(
        &s,
        t,
        Method::PATCH,
        &format!("/api/v1/apps/{me}"),
        Some(json!({"description": "rotates its own secrets"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["admin_api_access"], true);
}

async fn turning_access_off_or_deleting_the_app_ends_its_tokens_at_once(b: Backend) {
    let s = TestServer::start(b).await;
    let other = s.another_copy().await;
    let (id, secret, token) = admin_app(&s, "Deployer").await;
    for copy in [&s, &other] {
        let (status, _) = call_as(copy, &token, Method::GET, "/api/v1/apps", None).await;
        assert_eq!(status, StatusCode::OK);
    }
    set_access(&s, &id, false).await;
    // The next request, on this copy and on another (whose caches have not expired).
    for copy in [&s, &other] {
        let (status, body) = call_as(copy, &token, Method::GET, "/api/v1/apps", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, body) = app_token(&s, &id, &secret, "admin").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope")),
        "{body}"
    );
    // Turned on again later: the token cut off stays refused; a new one works.
    s.clock.advance(1);
    set_access(&s, &id, true).await;
    let (status, body) = call_as(&s, &token, Method::GET, "/api/v1/apps", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = app_token(&s, &id, &secret, "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fresh = body["access_token"].as_str().unwrap().to_owned();
    // Turning it on while on changes nothing for the tokens already issued.
    s.clock.advance(1);
    set_access(&s, &id, true).await;
    let (status, _) = call_as(&s, &fresh, Method::GET, "/api/v1/apps", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for copy in [&s, &other] {
        let (status, body) = call_as(copy, &fresh, Method::GET, "/api/v1/apps", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
}

/// Requests in flight while the administrator turns access off: each gets a whole answer
/// (200 before, 403 after, never a 5xx), every request sent after the switch returns is
/// refused, and the app's own settings writes racing the switch never turn it back on.
async fn requests_racing_the_switch_never_outlive_it(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, _, token) = admin_app(&s, "Racer").await;
    let path = format!("/api/v1/apps/{id}");
    let mut racing = Vec::new();
    for i in 0..16 {
        let (s, token, path) = (&s, token.as_str(), path.as_str());
        racing.push(async move {
            if i % 2 == 0 {
                call_as(s, token, Method::GET, "/api/v1/apps", None).await.0
            } else {
                call_as(
                    s,
                    token,
                    Method::PATCH,
                    path,
                    Some(json!({ "description": format!("write {i}") })),
                )
                .await
                .0
            }
        });
    }
    let switch = async {
        tokio::task::yield_now().await;
        set_access(&s, &id, false).await;
    };
    let (answers, ()) = tokio::join!(futures_util::future::join_all(racing), switch);
    for status in &answers {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::FORBIDDEN,
            "{answers:?}"
        );
    }
    assert!(
        !access_of(&s, &id).await,
        "a racing write turned access back on"
    );
    let after = futures_util::future::join_all((0..8).map(|_| {
        let (s, token) = (&s, token.as_str());
        async move { call_as(s, token, Method::GET, "/api/v1/apps", None).await.0 }
    }))
    .await;
    assert!(
        after.iter().all(|s| *s == StatusCode::FORBIDDEN),
        "{after:?}"
    );
}

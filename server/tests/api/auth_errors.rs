//! Who may call the admin API, and the error shapes of bad requests.

use portico::clock::Clock;
use portico::signing::AccessGrant;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, Options, TestServer};
use crate::on_both_databases;

on_both_databases!(
    no_token_or_a_bad_one_is_401_with_a_challenge,
    non_admins_and_tokens_without_the_admin_scope_are_403,
    expired_tokens_are_refused,
    tokens_of_unknown_users_are_refused,
    malformed_bodies_get_problem_json_not_5xx,
    api_paths_never_fall_back_to_the_console,
    openapi_document_matches_the_routes,
);

const ADMIN_ROUTES: [(&str, &str); 17] = [
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
    ("GET", "/api/v1/apps/x"),
];

async fn no_token_or_a_bad_one_is_401_with_a_challenge(b: Backend) {
    let s = TestServer::start(b).await;
    for (method, path) in ADMIN_ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let res = s
            .http
            .request(method.clone(), s.url(path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            res.headers()["www-authenticate"],
            "Bearer realm=\"portico\""
        );
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
    for bad in [
        "garbage",
        "a.b.c",
        &format!("{}x", s.admin_token),
        "Basic dXNlcjpwYXNz",
    ] {
        let res = s
            .http
            .get(s.url("/api/v1/apps"))
            .bearer_auth(bad)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{bad}");
        let challenge = res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    }
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .header("authorization", format!("Basic {}", s.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The scheme is case-insensitive (RFC 9110 §11.1).
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .header("authorization", format!("bearer {}", s.admin_token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    // A token signed by another server's key is refused.
    let other = TestServer::start(Backend::Sqlite).await;
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&other.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn non_admins_and_tokens_without_the_admin_scope_are_403(b: Backend) {
    let s = TestServer::start(b).await;
    let user = s.add_user("alice", false).await;
    let token = s.token_for(&user, "openid admin");
    for (method, path) in ADMIN_ROUTES {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let res = s
            .http
            .request(method.clone(), s.url(path))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    let admin_without_scope = s.token_for(&s.admin.clone(), "openid profile");
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&admin_without_scope)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        challenge.contains("insufficient_scope") && challenge.contains("scope=\"admin\""),
        "{challenge}"
    );
    let (_, problem) = crate::common::read(res).await;
    assert!(problem["detail"].as_str().unwrap().contains("admin"));
    // A 403 changed nothing.
    let res = s
        .http
        .post(s.url("/api/v1/apps"))
        .bearer_auth(&token)
        .json(&json!({"type": "web", "name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["apps"], json!([]));
}

async fn expired_tokens_are_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let grant = AccessGrant {
        subject: &s.admin.id,
        client_id: "portico-console",
        scope: "admin",
        lifetime: 60,
        grant_id: None,
    };
    let (token, _) = s
        .state
        .tokens
        .issue_access_token(&grant, s.clock.now())
        .unwrap();
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    s.clock.advance(120);
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
}

async fn tokens_of_unknown_users_are_refused(b: Backend) {
    let s = TestServer::start(b).await;
    // A token whose subject is no user at all (e.g. deleted) is refused.
    let ghost = portico::store::UserRecord {
        id: "no-such-user".into(),
        ..s.admin.clone()
    };
    let token = s.token_for(&ghost, "admin");
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn raw(
    s: &TestServer,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value, String) {
    let res = s
        .req(method, path)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let (status, body) = crate::common::read(res).await;
    (status, body, ct)
}

async fn malformed_bodies_get_problem_json_not_5xx(b: Backend) {
    let s = TestServer::start(b).await;
    let id = s.create_app("web", "W").await["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let app_path = format!("/api/v1/apps/{id}");
    let cases: Vec<(Method, String, &str, Vec<u8>, StatusCode)> = vec![
        (
            Method::POST,
            "/api/v1/apps".into(),
            "application/json",
            b"{\"type\": \"web\",".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/apps".into(),
            "application/json",
            b"".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/apps".into(),
            "application/json",
            b"\xff\xfe{}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/apps".into(),
            "application/json",
            b"[1,2]".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/api/v1/apps".into(),
            "application/json",
            b"null".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/api/v1/apps".into(),
            "text/plain",
            br#"{"type":"web","name":"x"}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Method::POST,
            "/api/v1/apps".into(),
            "application/x-www-form-urlencoded",
            b"type=web&name=x".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            format!("{{\"name\": \"{}\"}}", "x".repeat(70_000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            b"{\"name\": \"\\ud800\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            b"{\"access_token_lifetime\": 1e999}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            b"{\"access_token_lifetime\": 18446744073709551616}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            b"{\"name\": \"a\", \"name\": \"b\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            b"{\"redirect_uris\": \"https://a.example/cb\"}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::PATCH,
            app_path.clone(),
            "application/json",
            b"{\"name\": \"x\x00\"}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            format!("{app_path}/key-pairs"),
            "application/json",
            b"{\"alg\": 1}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    let (_, before) = s.get(&app_path).await;
    for (method, path, ct, body, want) in cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let (status, problem, content_type) = raw(&s, method.clone(), &path, ct, body).await;
        assert_eq!(status, want, "{method} {path} {ct} {shown}: {problem}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(problem["status"], want.as_u16());
        assert!(problem["title"].is_string());
    }
    let (_, after) = s.get(&app_path).await;
    assert_eq!(before, after, "no refused request changed the app");
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["apps"].as_array().unwrap().len(), 1);
}

async fn api_paths_never_fall_back_to_the_console(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Portico console</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.js"), "console.log(1)").unwrap();
    let s = TestServer::start_with(
        b,
        Options {
            console_dir: Some(dir.path().to_owned()),
            ..Options::default()
        },
    )
    .await;
    for path in ["/", "/apps", "/apps/abc/settings", "/login?interaction=1"] {
        let res = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert!(res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert!(
            res.text().await.unwrap().contains("Portico console"),
            "{path}"
        );
    }
    let res = s.http.get(s.url("/app.js")).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "console.log(1)");
    for path in [
        "/api",
        "/api/v1",
        "/api/v1/nope",
        "/api/v2/apps",
        "/oauth2/nope",
        "/.well-known/nope",
    ] {
        let res = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
}

async fn openapi_document_matches_the_routes(b: Backend) {
    let s = TestServer::start(b).await;
    let res = s
        .http
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = Vec::new();
    // The admin API's routes; `openapi.rs` checks the rest of the document.
    let admin_api = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(path, _)| path.starts_with("/api/v1/apps") || *path == "/api/v1/audit");
    for (path, item) in admin_api {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    documented.sort();
    let mut expected: Vec<(String, String)> = ADMIN_ROUTES
        .iter()
        .map(|(m, p)| {
            let p = p
                .replace("/apps/x/secrets/y", "/apps/{client_id}/secrets/{secret_id}")
                .replace(
                    "/apps/x/public-keys/y",
                    "/apps/{client_id}/public-keys/{kid}",
                )
                .replace("/apps/x", "/apps/{client_id}");
            (m.to_string(), p)
        })
        .collect();
    expected.push(("GET".into(), "/api/v1/apps/{client_id}/logo".into()));
    expected.push(("GET".into(), "/api/v1/apps/{client_id}/public".into()));
    expected.sort();
    expected.dedup();
    assert_eq!(documented, expected);
    // Every documented operation is served (never 404/405 without a token).
    for (method, path) in &documented {
        let concrete = path
            .replace("{client_id}", "x")
            .replace("{secret_id}", "y")
            .replace("{kid}", "y");
        let res = s
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(&concrete),
            )
            .send()
            .await
            .unwrap();
        assert!(
            res.status() == StatusCode::UNAUTHORIZED
                || res.status() == StatusCode::NOT_FOUND && concrete.ends_with("/logo")
                // Public too: without `redirect_uri` it names nothing.
                || res.status() == StatusCode::BAD_REQUEST && concrete.ends_with("/public"),
            "{method} {concrete}: {}",
            res.status()
        );
    }
    assert!(doc["components"]["schemas"]["App"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

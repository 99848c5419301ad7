//! Apps: the three types, every field rule, the app limit, updates and deletes.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, Options, TestServer};
use crate::on_both_databases;

on_both_databases!(
    creates_each_type_with_its_own_fields,
    name_rules,
    redirect_uri_rules,
    fields_of_another_type_are_named_not_dropped,
    refresh_and_lifetime_rules,
    single_page_developer_fields,
    web_app_description_url,
    patch_null_means_never_and_absent_means_unchanged,
    failed_update_changes_nothing,
    type_cannot_change,
    eleventh_app_is_refused_naming_the_limit,
    twenty_concurrent_creates_leave_exactly_ten,
    max_apps_flag_is_honoured,
    delete_removes_app_and_frees_a_slot,
    unknown_app_is_404,
    data_survives_a_restart,
);

async fn creates_each_type_with_its_own_fields(b: Backend) {
    let s = TestServer::start(b).await;

    let m2m = s.create_app("machine_to_machine", "Nightly export").await;
    assert_eq!(m2m["type"], "machine_to_machine");
    assert!(m2m["client_secret"].as_str().unwrap().starts_with("pcs_"));
    assert_eq!(m2m["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(m2m["public_keys"], json!([]));
    assert!(m2m.get("redirect_uris").is_none(), "{m2m}");

    let web = s.create_app("web", "  Billing portal  ").await;
    assert_eq!(web["name"], "Billing portal", "name is trimmed");
    assert!(web["client_secret"].as_str().unwrap().starts_with("pcs_"));
    assert_eq!(web["redirect_uris"], json!([]));
    assert_eq!(web["rotate_refresh_token"], false);
    assert_eq!(web["refresh_token_absolute_lifetime"], Value::Null);
    assert!(web.get("app_description_url").is_some());
    assert!(web.get("developer_email").is_none());

    let spa = s.create_app("single_page", "Dashboard").await;
    assert!(
        spa.get("client_secret").is_none(),
        "public clients get no secret"
    );
    assert!(spa.get("secrets").is_none());
    assert_eq!(
        spa["rotate_refresh_token"], true,
        "RFC 9700: SPAs rotate by default"
    );
    assert_eq!(spa["access_token_lifetime"], 3600);
    assert!(spa.get("developer_email").is_some());

    let ids: Vec<&str> = [&m2m, &web, &spa]
        .iter()
        .map(|a| a["client_id"].as_str().unwrap())
        .collect();
    assert!(
        ids[0] != ids[1] && ids[1] != ids[2],
        "server-generated client IDs are distinct"
    );

    let (status, list) = s.get("/api/v1/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["limit"], 10);
    assert_eq!(list["apps"].as_array().unwrap().len(), 3);

    // Create with fields in the same request.
    let (status, body) = s
        .post(
            "/api/v1/apps",
            json!({"type": "web", "name": "CRM", "description": "Sales",
                   "redirect_uris": ["https://crm.example.com/cb"], "access_token_lifetime": 600}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["redirect_uris"], json!(["https://crm.example.com/cb"]));
    assert_eq!(body["access_token_lifetime"], 600);
}

async fn expect_422(s: &TestServer, path: &str, body: Value, field: &str) -> Value {
    let (status, problem) = if path == "/api/v1/apps" {
        s.post(path, body.clone()).await
    } else {
        s.patch(path, body.clone()).await
    };
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{body} -> {problem}"
    );
    assert!(
        error_fields(&problem).contains(&field.to_owned()),
        "{body} -> {problem}"
    );
    assert!(!problem["errors"][0]["message"].as_str().unwrap().is_empty());
    problem
}

async fn name_rules(b: Backend) {
    let s = TestServer::start(b).await;
    let p = expect_422(&s, "/api/v1/apps", json!({"type": "web"}), "name").await;
    assert_eq!(
        p["errors"][0]["message"],
        portico_proto::validate::NAME_REQUIRED
    );
    expect_422(
        &s,
        "/api/v1/apps",
        json!({"type": "web", "name": "   "}),
        "name",
    )
    .await;
    expect_422(
        &s,
        "/api/v1/apps",
        json!({"type": "web", "name": "x".repeat(101)}),
        "name",
    )
    .await;
    expect_422(&s, "/api/v1/apps", json!({"name": "no type"}), "type").await;
    expect_422(
        &s,
        "/api/v1/apps",
        json!({"type": "desktop", "name": "x"}),
        "type",
    )
    .await;
    let ok = s.create_app("web", &"é".repeat(100)).await;
    let id = ok["client_id"].as_str().unwrap();
    expect_422(
        &s,
        &format!("/api/v1/apps/{id}"),
        json!({"name": ""}),
        "name",
    )
    .await;
    // The message is the one proto gives the console.
    let p = expect_422(
        &s,
        &format!("/api/v1/apps/{id}"),
        json!({"name": "x".repeat(101)}),
        "name",
    )
    .await;
    assert_eq!(
        p["errors"][0]["message"],
        portico_proto::validate::name(&"x".repeat(101)).unwrap_err()
    );
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(
        list["apps"].as_array().unwrap().len(),
        1,
        "refused creates stored nothing"
    );
}

async fn redirect_uri_rules(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let path = format!("/api/v1/apps/{}", web["client_id"].as_str().unwrap());
    for bad in [
        "/relative",
        "http://app.example.com/cb",
        "https://app.example.com/cb#fragment",
        "https://*.example.com/cb",
        "https://user:pw@app.example.com/cb",
        "https://user@app.example.com/cb",
        "ftp://app.example.com/cb",
        "javascript:alert(1)",
        "http://localhost.evil.com/cb",
        "not a url",
    ] {
        expect_422(&s, &path, json!({"redirect_uris": [bad]}), "redirect_uris").await;
    }
    let eleven: Vec<String> = (0..11)
        .map(|i| format!("https://app.example.com/cb{i}"))
        .collect();
    expect_422(&s, &path, json!({"redirect_uris": eleven}), "redirect_uris").await;
    expect_422(
        &s,
        &path,
        json!({"redirect_uris": ["https://a.example/cb", "https://a.example/cb"]}),
        "redirect_uris",
    )
    .await;

    let good = json!([
        "https://app.example.com/callback",
        "https://app.example.com:8443/cb?tenant=1",
        "http://localhost:3000/cb",
        "http://127.0.0.1/cb",
        "http://[::1]:8080/cb"
    ]);
    let (status, body) = s.patch(&path, json!({"redirect_uris": good})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["redirect_uris"], good,
        "stored exactly as given, byte for byte"
    );
    let ten: Vec<String> = (0..10)
        .map(|i| format!("https://app.example.com/cb{i}"))
        .collect();
    let (status, _) = s.patch(&path, json!({"redirect_uris": ten})).await;
    assert_eq!(status, StatusCode::OK);
}

async fn fields_of_another_type_are_named_not_dropped(b: Backend) {
    let s = TestServer::start(b).await;
    let m2m = s.create_app("machine_to_machine", "M").await;
    let web = s.create_app("web", "W").await;
    let spa = s.create_app("single_page", "S").await;
    let p = |a: &Value| format!("/api/v1/apps/{}", a["client_id"].as_str().unwrap());
    for field in [
        "redirect_uris",
        "rotate_refresh_token",
        "refresh_token_absolute_lifetime",
        "refresh_token_inactivity_lifetime",
        "app_description_url",
        "developer_name",
        "developer_email",
        "privacy_policy_url",
    ] {
        let value = match field {
            "redirect_uris" => json!(["https://a.example/cb"]),
            "rotate_refresh_token" => json!(true),
            f if f.ends_with("lifetime") => json!(3600),
            "developer_email" => json!("dev@example.com"),
            "developer_name" => json!("Dev"),
            _ => json!("https://example.com/page"),
        };
        let problem = expect_422(&s, &p(&m2m), json!({ field: value }), field).await;
        assert!(problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(field));
    }
    for field in ["developer_name", "developer_email", "privacy_policy_url"] {
        expect_422(
            &s,
            &p(&web),
            json!({ field: "https://example.com/x" }),
            field,
        )
        .await;
    }
    expect_422(
        &s,
        &p(&spa),
        json!({"app_description_url": "https://example.com"}),
        "app_description_url",
    )
    .await;
    // On create too.
    expect_422(
        &s,
        "/api/v1/apps",
        json!({"type": "machine_to_machine", "name": "x", "redirect_uris": []}),
        "redirect_uris",
    )
    .await;
    // A field no type has.
    let problem = expect_422(&s, &p(&web), json!({"logo": "x.png"}), "logo").await;
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("logo"));
    // Client IDs and secrets are the server's to make.
    expect_422(
        &s,
        "/api/v1/apps",
        json!({"type": "web", "name": "x", "client_id": "mine"}),
        "client_id",
    )
    .await;
    expect_422(
        &s,
        &p(&web),
        json!({"client_secret": "pcs_mine"}),
        "client_secret",
    )
    .await;
}

async fn refresh_and_lifetime_rules(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let path = format!("/api/v1/apps/{}", web["client_id"].as_str().unwrap());
    expect_422(
        &s,
        &path,
        json!({"refresh_token_absolute_lifetime": 3600, "refresh_token_inactivity_lifetime": 7200}),
        "refresh_token_inactivity_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"refresh_token_absolute_lifetime": 0}),
        "refresh_token_absolute_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"refresh_token_absolute_lifetime": -5}),
        "refresh_token_absolute_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"refresh_token_absolute_lifetime": "30d"}),
        "refresh_token_absolute_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"access_token_lifetime": 59}),
        "access_token_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"access_token_lifetime": 86_401}),
        "access_token_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"access_token_lifetime": null}),
        "access_token_lifetime",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"rotate_refresh_token": "yes"}),
        "rotate_refresh_token",
    )
    .await;
    // Lowering the absolute expiry below the current inactivity one is refused too.
    let (status, _) = s
        .patch(&path, json!({"refresh_token_absolute_lifetime": 86_400 * 60, "refresh_token_inactivity_lifetime": 86_400 * 30}))
        .await;
    assert_eq!(status, StatusCode::OK);
    expect_422(
        &s,
        &path,
        json!({"refresh_token_absolute_lifetime": 86_400}),
        "refresh_token_inactivity_lifetime",
    )
    .await;
    let (status, body) = s
        .patch(&path, json!({"rotate_refresh_token": true, "refresh_token_absolute_lifetime": 86_400, "refresh_token_inactivity_lifetime": 3_600, "access_token_lifetime": 300}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["rotate_refresh_token"], true);
    assert_eq!(body["refresh_token_absolute_lifetime"], 86_400);
    assert_eq!(body["refresh_token_inactivity_lifetime"], 3_600);
    assert_eq!(body["access_token_lifetime"], 300);
}

async fn single_page_developer_fields(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = s.create_app("single_page", "S").await;
    let path = format!("/api/v1/apps/{}", spa["client_id"].as_str().unwrap());
    expect_422(
        &s,
        &path,
        json!({"developer_email": "not-an-email"}),
        "developer_email",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"developer_name": "x".repeat(101)}),
        "developer_name",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"privacy_policy_url": "javascript:alert(1)"}),
        "privacy_policy_url",
    )
    .await;
    expect_422(
        &s,
        &path,
        json!({"privacy_policy_url": "/privacy"}),
        "privacy_policy_url",
    )
    .await;
    let (status, body) = s
        .patch(
            &path,
            json!({"developer_name": "Ada", "developer_email": "ada@example.com",
                   "privacy_policy_url": "https://example.com/privacy", "description": "Reports"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["developer_name"], "Ada");
    assert_eq!(body["developer_email"], "ada@example.com");
    assert_eq!(body["privacy_policy_url"], "https://example.com/privacy");
    assert_eq!(body["description"], "Reports");
    // null and "" clear an optional field.
    let (_, body) = s
        .patch(
            &path,
            json!({"developer_name": null, "developer_email": ""}),
        )
        .await;
    assert_eq!(body["developer_name"], Value::Null);
    assert_eq!(body["developer_email"], Value::Null);
    assert_eq!(body["privacy_policy_url"], "https://example.com/privacy");
}

async fn web_app_description_url(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let path = format!("/api/v1/apps/{}", web["client_id"].as_str().unwrap());
    expect_422(
        &s,
        &path,
        json!({"app_description_url": "ftp://example.com"}),
        "app_description_url",
    )
    .await;
    let (status, body) = s
        .patch(
            &path,
            json!({"app_description_url": "https://example.com/about"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["app_description_url"], "https://example.com/about");
    expect_422(
        &s,
        &path,
        json!({"description": "d".repeat(1001)}),
        "description",
    )
    .await;
}

async fn patch_null_means_never_and_absent_means_unchanged(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = s.create_app("single_page", "S").await;
    let path = format!("/api/v1/apps/{}", spa["client_id"].as_str().unwrap());
    assert_eq!(spa["refresh_token_absolute_lifetime"], 30 * 86_400);
    let (status, body) = s
        .patch(&path, json!({"refresh_token_absolute_lifetime": null}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["refresh_token_absolute_lifetime"],
        Value::Null,
        "null = never"
    );
    assert_eq!(
        body["refresh_token_inactivity_lifetime"],
        7 * 86_400,
        "absent = unchanged"
    );
    let (_, fetched) = s.get(&path).await;
    assert_eq!(fetched["refresh_token_absolute_lifetime"], Value::Null);
    // An empty patch changes nothing.
    let (status, same) = s.patch(&path, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(same["name"], "S");
}

async fn failed_update_changes_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "Before").await;
    let path = format!("/api/v1/apps/{}", web["client_id"].as_str().unwrap());
    let (_, before) = s.get(&path).await;
    let (status, _) = s
        .patch(
            &path,
            json!({"name": "After", "redirect_uris": ["http://evil.example/cb"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, after) = s.get(&path).await;
    assert_eq!(before, after);
    let (_, audit) = s.get("/api/v1/audit").await;
    assert_eq!(
        audit["entries"].as_array().unwrap().len(),
        1,
        "only the create is logged: {audit}"
    );
}

async fn type_cannot_change(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let path = format!("/api/v1/apps/{}", web["client_id"].as_str().unwrap());
    expect_422(&s, &path, json!({"type": "single_page"}), "type").await;
    let (status, _) = s
        .patch(&path, json!({"type": "web", "name": "Same type is fine"}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn eleventh_app_is_refused_naming_the_limit(b: Backend) {
    let s = TestServer::start(b).await;
    for i in 0..10 {
        s.create_app(
            ["web", "single_page", "machine_to_machine"][i % 3],
            &format!("App {i}"),
        )
        .await;
    }
    let (status, problem) = s
        .post("/api/v1/apps", json!({"type": "web", "name": "Eleventh"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"].as_str().unwrap().contains("10"),
        "{problem}"
    );
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["apps"].as_array().unwrap().len(), 10);
    assert!(list["apps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["name"] != "Eleventh"));
}

async fn twenty_concurrent_creates_leave_exactly_ten(b: Backend) {
    let s = TestServer::start(b).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let r = s
            .req(reqwest::Method::POST, "/api/v1/apps")
            .json(&json!({"type": "web", "name": format!("Concurrent {i}")}));
        tasks.push(tokio::spawn(
            async move { r.send().await.unwrap().status() },
        ));
    }
    let mut created = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((created, refused), (10, 10));
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["apps"].as_array().unwrap().len(), 10);
}

async fn max_apps_flag_is_honoured(b: Backend) {
    let s = TestServer::start_with(
        b,
        Options {
            max_apps: 2,
            ..Options::default()
        },
    )
    .await;
    s.create_app("web", "a").await;
    s.create_app("web", "b").await;
    let (status, problem) = s
        .post("/api/v1/apps", json!({"type": "web", "name": "c"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"].as_str().unwrap().contains('2'));
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["limit"], 2);
}

async fn delete_removes_app_and_frees_a_slot(b: Backend) {
    let s = TestServer::start_with(
        b,
        Options {
            max_apps: 1,
            ..Options::default()
        },
    )
    .await;
    let m2m = s.create_app("machine_to_machine", "M").await;
    let id = m2m["client_id"].as_str().unwrap();
    let (status, _) = s
        .post(
            &format!("/api/v1/apps/{id}/key-pairs"),
            json!({"alg": "ES256"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = s.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(s
        .state
        .stores
        .secrets
        .list_secrets(id)
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .state
        .stores
        .public_keys
        .list_public_keys(id)
        .await
        .unwrap()
        .is_empty());
    s.create_app("web", "Fits again").await;
}

async fn unknown_app_is_404(b: Backend) {
    let s = TestServer::start(b).await;
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/apps/nope"),
        (reqwest::Method::PATCH, "/api/v1/apps/nope"),
        (reqwest::Method::DELETE, "/api/v1/apps/nope"),
        (reqwest::Method::POST, "/api/v1/apps/nope/secrets"),
        (reqwest::Method::DELETE, "/api/v1/apps/nope/secrets/x"),
        (reqwest::Method::POST, "/api/v1/apps/nope/public-keys"),
        (reqwest::Method::POST, "/api/v1/apps/nope/key-pairs"),
        (reqwest::Method::DELETE, "/api/v1/apps/nope/public-keys/k"),
        (reqwest::Method::GET, "/api/v1/apps/nope/logo"),
    ] {
        let body = match path {
            p if p.ends_with("public-keys") => Some(json!({"pem": "x"})),
            p if p.ends_with("key-pairs") => Some(json!({"alg": "ES256"})),
            p if method == reqwest::Method::PATCH && p.ends_with("nope") => {
                Some(json!({"name": "x"}))
            }
            _ => None,
        };
        let (status, problem) = s.call(method.clone(), path, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {problem}");
        assert_eq!(problem["status"], 404);
    }
}

async fn data_survives_a_restart(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "Persistent").await;
    let id = web["client_id"].as_str().unwrap().to_owned();
    let secret = web["client_secret"].as_str().unwrap().to_owned();
    s.patch(
        &format!("/api/v1/apps/{id}"),
        json!({"redirect_uris": ["https://p.example/cb"]}),
    )
    .await;
    let m2m = s.create_app("machine_to_machine", "Keys").await;
    let mid = m2m["client_id"].as_str().unwrap().to_owned();
    let (_, key) = s
        .post(
            &format!("/api/v1/apps/{mid}/key-pairs"),
            json!({"alg": "EdDSA"}),
        )
        .await;
    let old_token = s.admin_token.clone();
    let (_, before) = s.get("/api/v1/apps").await;

    let s = s.restart().await;
    let (status, after) = s.get("/api/v1/apps").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(before, after);
    let keys_app = after["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == mid.as_str())
        .unwrap();
    assert_eq!(keys_app["public_keys"][0]["kid"], key["kid"]);
    // The signing keys and the secret-hashing key were kept: old tokens and secrets hold.
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth(&old_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let stored = s.state.stores.secrets.list_secrets(&id).await.unwrap();
    assert!(s.state.hasher.verify(&secret, &stored[0].secret_hash));
    let (_, audit) = s.get("/api/v1/audit").await;
    assert_eq!(audit["entries"].as_array().unwrap().len(), 4);
}

//! Client secrets: shown once, stored as keyed hashes, up to five for rotation.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, TestServer};
use crate::on_both_databases;

on_both_databases!(
    secret_is_shown_once_and_never_again,
    rotation_with_two_active_secrets,
    at_most_five_secrets,
    single_page_apps_have_no_secrets,
    deleting_an_unknown_secret_is_404,
);

async fn secret_is_shown_once_and_never_again(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let id = web["client_id"].as_str().unwrap();
    let secret = web["client_secret"].as_str().unwrap();
    // 256 random bits, base64url after the prefix.
    assert_eq!(secret.len(), "pcs_".len() + 43);
    let hint = web["secrets"][0]["hint"].as_str().unwrap();
    assert!(
        hint.starts_with("pcs_…") && hint.ends_with(&secret[secret.len() - 4..]),
        "{hint}"
    );

    // Nothing the API answers later carries the secret.
    for path in [
        format!("/api/v1/apps/{id}"),
        "/api/v1/apps".to_owned(),
        "/api/v1/audit".to_owned(),
    ] {
        let text = s
            .req(reqwest::Method::GET, &path)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!text.contains(secret), "{path} leaked the secret");
        assert!(
            !text.contains(&secret[4..20]),
            "{path} leaked part of the secret"
        );
    }
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert!(app.get("client_secret").is_none());
    let listed = &app["secrets"][0];
    assert_eq!(listed["last_used_at"], serde_json::Value::Null);
    assert!(listed["created_at"].as_i64().unwrap() > 0);
    assert!(listed.get("client_secret").is_none());

    // The store holds only an HMAC of it.
    let stored = s.state.stores.secrets.list_secrets(id).await.unwrap();
    assert_eq!(stored[0].secret_hash.len(), 32);
    assert_ne!(stored[0].secret_hash, secret.as_bytes());
    assert!(s.state.hasher.verify(secret, &stored[0].secret_hash));
}

async fn rotation_with_two_active_secrets(b: Backend) {
    let s = TestServer::start(b).await;
    let m2m = s.create_app("machine_to_machine", "M").await;
    let id = m2m["client_id"].as_str().unwrap();
    let first = m2m["client_secret"].as_str().unwrap().to_owned();
    let first_id = m2m["secrets"][0]["id"].as_str().unwrap().to_owned();

    let (status, second) = s
        .post(&format!("/api/v1/apps/{id}/secrets"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second_secret = second["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(first, second_secret);
    assert!(second["id"].is_string() && second["created_at"].is_i64());

    // Both are active at once: the app can switch over without downtime.
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["secrets"].as_array().unwrap().len(), 2);
    let stored = s.state.stores.secrets.list_secrets(id).await.unwrap();
    for secret in [&first, &second_secret] {
        assert!(stored
            .iter()
            .any(|r| s.state.hasher.verify(secret, &r.secret_hash)));
    }

    // Retire the old one; the new one stays.
    let (status, _) = s
        .delete(&format!("/api/v1/apps/{id}/secrets/{first_id}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let stored = s.state.stores.secrets.list_secrets(id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(s
        .state
        .hasher
        .verify(&second_secret, &stored[0].secret_hash));
    assert!(!s.state.hasher.verify(&first, &stored[0].secret_hash));
    // The last secret may be deleted too (the console warns first).
    let (status, _) = s
        .delete(&format!(
            "/api/v1/apps/{id}/secrets/{}",
            second["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["secrets"], json!([]));
}

async fn at_most_five_secrets(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let id = web["client_id"].as_str().unwrap();
    for _ in 0..4 {
        let (status, _) = s
            .post(&format!("/api/v1/apps/{id}/secrets"), json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, problem) = s
        .post(&format!("/api/v1/apps/{id}/secrets"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"].as_str().unwrap().contains('5'),
        "{problem}"
    );
    assert_eq!(
        s.state.stores.secrets.list_secrets(id).await.unwrap().len(),
        5
    );
    // Without a body works as well as with an empty object.
    let res = s
        .req(reqwest::Method::POST, &format!("/api/v1/apps/{id}/secrets"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

async fn single_page_apps_have_no_secrets(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = s.create_app("single_page", "S").await;
    let id = spa["client_id"].as_str().unwrap();
    let (status, problem) = s
        .post(&format!("/api/v1/apps/{id}/secrets"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"].as_str().unwrap().contains("PKCE"));
    assert!(s
        .state
        .stores
        .secrets
        .list_secrets(id)
        .await
        .unwrap()
        .is_empty());
}

async fn deleting_an_unknown_secret_is_404(b: Backend) {
    let s = TestServer::start(b).await;
    let a = s.create_app("web", "A").await;
    let other = s.create_app("web", "B").await;
    let a_id = a["client_id"].as_str().unwrap();
    // Another app's secret id does not work through this app.
    let b_secret = other["secrets"][0]["id"].as_str().unwrap();
    let (status, _) = s
        .delete(&format!("/api/v1/apps/{a_id}/secrets/{b_secret}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.delete(&format!("/api/v1/apps/{a_id}/secrets/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let b_id = other["client_id"].as_str().unwrap();
    assert_eq!(
        s.state
            .stores
            .secrets
            .list_secrets(b_id)
            .await
            .unwrap()
            .len(),
        1
    );
}

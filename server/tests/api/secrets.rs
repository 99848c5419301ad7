//! Client secrets: shown once, stored as keyed hashes, up to five for rotation.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{error_fields, read, Backend, TestServer};
use crate::on_both_databases;

on_both_databases!(
    secret_is_shown_once_and_never_again,
    rotation_with_two_active_secrets,
    at_most_five_secrets,
    single_page_apps_have_no_secrets,
    deleting_an_unknown_secret_is_404,
    a_secret_is_created_with_or_without_a_note,
    a_note_is_edited_and_audited,
    notes_are_at_most_64_characters,
    editing_the_note_of_an_unknown_secret_is_404,
    only_administrators_edit_notes,
    last_used_at_is_set_when_the_secret_authenticates,
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

async fn a_secret_is_created_with_or_without_a_note(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let id = web["client_id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{id}/secrets");
    // No body at all, as before notes existed.
    let res = s.req(reqwest::Method::POST, &path).send().await.unwrap();
    let (status, bare) = read(res).await;
    assert_eq!(status, StatusCode::CREATED, "{bare}");
    assert_eq!(bare["note"], "");
    // An empty JSON object, and one with a note.
    let (status, empty) = s.post(&path, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{empty}");
    assert_eq!(empty["note"], "");
    let (status, noted) = s.post(&path, json!({"note": "CI deploy key"})).await;
    assert_eq!(status, StatusCode::CREATED, "{noted}");
    assert_eq!(noted["note"], "CI deploy key");
    assert!(noted["client_secret"].is_string());

    // Listings carry the note, created_at and last_used_at.
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    let listed = app["secrets"].as_array().unwrap();
    assert_eq!(listed.len(), 4, "the first secret and three more");
    let found = listed.iter().find(|x| x["id"] == noted["id"]).unwrap();
    assert_eq!(found["note"], "CI deploy key");
    assert_eq!(found["created_at"], noted["created_at"]);
    assert_eq!(found["last_used_at"], serde_json::Value::Null);
    assert!(listed.iter().filter(|x| x["note"] == "").count() == 3);

    // An unknown field is refused by name.
    let (status, problem) = s.post(&path, json!({"notes": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), vec!["notes".to_owned()]);
}

async fn a_note_is_edited_and_audited(b: Backend) {
    let s = TestServer::start(b).await;
    let m2m = s.create_app("machine_to_machine", "M").await;
    let id = m2m["client_id"].as_str().unwrap();
    let secret_id = m2m["secrets"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{id}/secrets/{secret_id}");
    let (status, body) = s.patch(&path, json!({"note": "billing cron"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["note"], "billing cron");
    assert_eq!(body["id"], secret_id);
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["secrets"][0]["note"], "billing cron");
    // Cleared with an empty note.
    let (status, body) = s.patch(&path, json!({"note": ""})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["secrets"][0]["note"], "");
    // The note is required in a PATCH: an empty object does not clear it by accident.
    let (status, problem) = s.patch(&path, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");

    let (_, audit) = s.get("/api/v1/audit").await;
    let entries = audit["entries"].as_array().unwrap();
    let notes: Vec<_> = entries
        .iter()
        .filter(|e| e["action"] == "secret.note" && e["client_id"] == id)
        .collect();
    assert_eq!(notes.len(), 2, "{audit}");
    assert!(notes
        .iter()
        .any(|e| e["detail"].as_str().unwrap().contains("billing cron")));
}

async fn notes_are_at_most_64_characters(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let id = web["client_id"].as_str().unwrap();
    let secret_id = web["secrets"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{id}/secrets/{secret_id}");
    let create = format!("/api/v1/apps/{id}/secrets");
    // Counted in characters: 64 of "é" is 128 bytes and fine.
    for ok in ["x".repeat(64), "é".repeat(64)] {
        let (status, body) = s.patch(&path, json!({ "note": ok })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["note"], ok.as_str());
    }
    let (status, body) = s.post(&create, json!({"note": "y".repeat(64)})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    for bad in ["x".repeat(65), "line\nbreak".to_owned()] {
        let (status, problem) = s.patch(&path, json!({ "note": bad })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), vec!["note".to_owned()]);
        let (status, problem) = s.post(&create, json!({ "note": bad })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(error_fields(&problem), vec!["note".to_owned()]);
    }
    let (status, problem) = s.patch(&path, json!({"note": "x".repeat(65)})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem["errors"][0]["message"],
        "Note must be at most 64 characters."
    );
    // Nothing refused was stored: the 64-"é" note stands, and two secrets exist.
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    let listed = app["secrets"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let first = listed.iter().find(|x| x["id"] == secret_id).unwrap();
    assert_eq!(first["note"], "é".repeat(64));
}

async fn editing_the_note_of_an_unknown_secret_is_404(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let id = web["client_id"].as_str().unwrap();
    let secret_id = web["secrets"][0]["id"].as_str().unwrap();
    let (status, problem) = s
        .patch(
            &format!("/api/v1/apps/{id}/secrets/nope"),
            json!({"note": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    // The secret of another app is unknown here too.
    let other = s.create_app("web", "Other").await;
    let other_id = other["client_id"].as_str().unwrap();
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{other_id}/secrets/{secret_id}"),
            json!({"note": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/unknown/secrets/{secret_id}"),
            json!({"note": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["secrets"][0]["note"], "");
}

async fn only_administrators_edit_notes(b: Backend) {
    let s = TestServer::start(b).await;
    let web = s.create_app("web", "W").await;
    let id = web["client_id"].as_str().unwrap();
    let secret_id = web["secrets"][0]["id"].as_str().unwrap();
    let alice = s.add_user("alice", false).await;
    let token = s.token_for(&alice, "openid admin");
    for (method, path) in [
        (
            reqwest::Method::PATCH,
            format!("/api/v1/apps/{id}/secrets/{secret_id}"),
        ),
        (reqwest::Method::POST, format!("/api/v1/apps/{id}/secrets")),
    ] {
        let res = s
            .http
            .request(method.clone(), s.url(&path))
            .bearer_auth(&token)
            .json(&json!({"note": "mine now"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(app["secrets"][0]["note"], "");
}

async fn last_used_at_is_set_when_the_secret_authenticates(b: Backend) {
    let s = TestServer::start(b).await;
    let m2m = s.create_app("machine_to_machine", "M").await;
    let id = m2m["client_id"].as_str().unwrap();
    let first = m2m["client_secret"].as_str().unwrap();
    let (status, second) = s
        .post(
            &format!("/api/v1/apps/{id}/secrets"),
            json!({"note": "unused"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // A wrong secret records nothing.
    let (status, _, _) = crate::flows::post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((id, "pcs_wrong")),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body, _) = crate::flows::post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((id, first)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    let secrets = app["secrets"].as_array().unwrap();
    let used = secrets
        .iter()
        .find(|x| x["id"] == m2m["secrets"][0]["id"])
        .unwrap();
    let unused = secrets.iter().find(|x| x["id"] == second["id"]).unwrap();
    let at = used["last_used_at"].as_i64().expect("last_used_at set");
    assert!(at >= used["created_at"].as_i64().unwrap(), "{used}");
    assert_eq!(unused["last_used_at"], serde_json::Value::Null);
    assert_eq!(unused["note"], "unused");
}

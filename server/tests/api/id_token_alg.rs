//! The per-app ID-token algorithm (`id_token_signed_response_alg`, OIDC Dynamic Client
//! Registration 1.0 §2): RS256 by default, ES256 when the admin chooses it; every ID token
//! verifies with the JWKS key its header names; discovery lists both.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, TestServer};
use crate::flows::{
    allow_jwt_bearer, assertion_claims, jwt_claims, jwt_header, m2m_app, me_status, post_form,
    sign_jwt, Browser,
};
use crate::oauth_code::{exchange_web, web_app, web_code, WebApp};
use crate::on_both_databases;

on_both_databases!(
    a_new_app_gets_rs256_id_tokens_that_verify_with_the_jwks,
    after_choosing_es256_code_and_refresh_give_es256_id_tokens,
    other_values_are_refused_naming_the_field,
    every_app_type_takes_it_and_the_jwt_bearer_grant_follows_it,
    settings_stored_before_the_field_read_as_rs256,
    discovery_lists_both_algorithms,
);

const FIELD: &str = "id_token_signed_response_alg";

/// Checks `id_token` as a client would (OIDC Core §3.1.3.7 steps 6–7): its header names `alg`
/// and a kid of the published JWKS whose key has that `alg`, and the signature verifies with
/// that key. Returns the claims.
async fn verified(s: &TestServer, id_token: &str, alg: &str) -> Value {
    let header = jwt_header(id_token);
    assert_eq!(header["alg"], alg, "{header}");
    assert_eq!(header["typ"], "JWT");
    let jwks: Value = s
        .http
        .get(s.url("/oauth2/jwks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .unwrap_or_else(|| panic!("kid {} is not in the JWKS {jwks}", header["kid"]));
    assert_eq!(key["alg"], alg);
    assert_eq!(key["kty"], if alg == "ES256" { "EC" } else { "RSA" });
    let vk =
        portico::crypto::app_key::VerifyingKey::from_jwk_json(&serde_json::to_string(key).unwrap())
            .unwrap();
    let (input, sig) = id_token.rsplit_once('.').unwrap();
    assert!(
        vk.verify(input.as_bytes(), &URL_SAFE_NO_PAD.decode(sig).unwrap()),
        "the {alg} signature verifies"
    );
    jwt_claims(id_token)
}

/// The ID token's `at_hash` (OIDC Core §3.1.3.6): the left half of SHA-256 of the access
/// token, SHA-256 being the hash of both RS256 and ES256.
fn at_hash(access_token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest.as_ref()[..16])
}

async fn set_alg(s: &TestServer, client_id: &str, alg: &str) -> Value {
    let (status, body) = s
        .patch(&format!("/api/v1/apps/{client_id}"), json!({ FIELD: alg }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[FIELD], alg);
    body
}

async fn code_tokens(s: &TestServer, app: &WebApp, scope: &str) -> Value {
    let code = web_code(&Browser::new(s), app, scope).await;
    let (status, body) = exchange_web(s, app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn refreshed(s: &TestServer, app: &WebApp, refresh_token: &str) -> Value {
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("no {key} in {v}"))
}

async fn a_new_app_gets_rs256_id_tokens_that_verify_with_the_jwks(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let (_, shown) = s.get(&format!("/api/v1/apps/{}", app.client_id)).await;
    assert_eq!(shown[FIELD], "RS256", "the default (OIDC Core §15.1)");
    let t = code_tokens(&s, &app, "openid offline_access").await;
    let claims = verified(&s, str_of(&t, "id_token"), "RS256").await;
    assert_eq!(claims["aud"], app.client_id);
    assert_eq!(claims["at_hash"], at_hash(str_of(&t, "access_token")));
    let t = refreshed(&s, &app, str_of(&t, "refresh_token")).await;
    verified(&s, str_of(&t, "id_token"), "RS256").await;
}

async fn after_choosing_es256_code_and_refresh_give_es256_id_tokens(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    set_alg(&s, &app.client_id, "ES256").await;

    let t = code_tokens(&s, &app, "openid profile offline_access").await;
    let id_token = str_of(&t, "id_token");
    let claims = verified(&s, id_token, "ES256").await;
    assert_eq!(claims["aud"], app.client_id);
    assert_eq!(claims["preferred_username"], "alice");
    assert_eq!(claims["at_hash"], at_hash(str_of(&t, "access_token")));
    // Signed by the access tokens' key, yet never taken as an access token: its `typ` is
    // JWT, not at+jwt (RFC 9068 §4).
    let at_kid = jwt_header(str_of(&t, "access_token"))["kid"].clone();
    assert_eq!(jwt_header(id_token)["kid"], at_kid);
    assert_eq!(me_status(&s, id_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me_status(&s, str_of(&t, "access_token")).await,
        StatusCode::OK
    );

    // A web app that does not rotate keeps its refresh token.
    let refresh_token = str_of(&t, "refresh_token").to_owned();
    let t = refreshed(&s, &app, &refresh_token).await;
    let claims = verified(&s, str_of(&t, "id_token"), "ES256").await;
    assert_eq!(claims["at_hash"], at_hash(str_of(&t, "access_token")));

    // Back to RS256: the next refresh follows at once (the client cache is dropped on write).
    set_alg(&s, &app.client_id, "RS256").await;
    let t = refreshed(&s, &app, &refresh_token).await;
    verified(&s, str_of(&t, "id_token"), "RS256").await;

    // The audit log names the value chosen.
    let (_, audit) = s.get("/api/v1/audit").await;
    let details: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{audit}"))
        .iter()
        .filter_map(|e| e["detail"].as_str())
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.ends_with("id_token_signed_response_alg = ES256")),
        "{details:?}"
    );
}

async fn other_values_are_refused_naming_the_field(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let path = format!("/api/v1/apps/{}", app.client_id);
    for bad in ["HS256", "none", "", "es256", "ES384", "EdDSA"] {
        let (status, body) = s.patch(&path, json!({ FIELD: bad })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {body}");
        assert_eq!(error_fields(&body), [FIELD], "{bad:?}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("\"RS256\"") && message.contains("\"ES256\""),
            "{message}"
        );
        // Refused on create as well, and nothing is created.
        let (status, body) = s
            .post(
                "/api/v1/apps",
                json!({"type": "single_page", "name": "Never made", FIELD: bad}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {body}");
        assert_eq!(error_fields(&body), [FIELD], "{bad:?}");
    }
    for shape in [json!(null), json!(256), json!(["ES256"])] {
        let (status, body) = s.patch(&path, json!({ FIELD: shape })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{shape}: {body}");
        assert_eq!(error_fields(&body), [FIELD], "{shape}");
    }
    let (_, shown) = s.get(&path).await;
    assert_eq!(shown[FIELD], "RS256", "unchanged");
    let (_, list) = s.get("/api/v1/apps").await;
    assert_eq!(list["apps"].as_array().unwrap().len(), 1);
}

async fn every_app_type_takes_it_and_the_jwt_bearer_grant_follows_it(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    // Set on create, for a type without secrets.
    let (status, spa) = s
        .post(
            "/api/v1/apps",
            json!({"type": "single_page", "name": "Dashboard", FIELD: "ES256"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{spa}");
    assert_eq!(spa[FIELD], "ES256");

    // A machine-to-machine app receives ID tokens too: the JWT-bearer grant with `openid`
    // (RFC 7523 §2.1) acts for a user.
    let (id, secret) = m2m_app(&s, "Worker").await;
    let (_, pair) = s
        .post(
            &format!("/api/v1/apps/{id}/key-pairs"),
            json!({"alg": "ES256"}),
        )
        .await;
    allow_jwt_bearer(&s, &id, &["alice"]).await;
    let grant = |jti: &'static str| {
        let (id, secret, s, pair) = (id.clone(), secret.clone(), &s, pair.clone());
        async move {
            let assertion = sign_jwt(
                str_of(&pair, "private_key_pem"),
                "ES256",
                Some(str_of(&pair, "kid")),
                &assertion_claims(s, &id, "alice", jti),
            );
            let (status, body, _) = post_form(
                s,
                "/oauth2/token",
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                    ("assertion", &assertion),
                    ("scope", "openid"),
                ],
                Some((&id, &secret)),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let t = grant("j-1").await;
    verified(&s, str_of(&t, "id_token"), "RS256").await;
    set_alg(&s, &id, "ES256").await;
    let t = grant("j-2").await;
    let claims = verified(&s, str_of(&t, "id_token"), "ES256").await;
    assert_eq!(claims["aud"], id);
}

async fn settings_stored_before_the_field_read_as_rs256(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    set_alg(&s, &app.client_id, "ES256").await;
    // As an earlier version stored them: without the field.
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    let stored: String = sqlx::query_scalar("SELECT settings FROM apps WHERE client_id = $1")
        .bind(&app.client_id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let mut settings: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(settings[FIELD], "ES256");
    settings.as_object_mut().unwrap().remove(FIELD);
    sqlx::query("UPDATE apps SET settings = $1 WHERE client_id = $2")
        .bind(settings.to_string())
        .bind(&app.client_id)
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::Connection::close(conn).await.unwrap();

    let s = s.restart().await;
    let (status, shown) = s.get(&format!("/api/v1/apps/{}", app.client_id)).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown[FIELD], "RS256");
    let t = code_tokens(&s, &app, "openid").await;
    verified(&s, str_of(&t, "id_token"), "RS256").await;
}

async fn discovery_lists_both_algorithms(b: Backend) {
    let s = TestServer::start(b).await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let d: Value = s
            .http
            .get(s.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            d["id_token_signing_alg_values_supported"],
            json!(["RS256", "ES256"]),
            "{path}"
        );
    }
    let (_, doc) = s.get("/api/v1/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["IdTokenAlg"]["enum"], json!(["RS256", "ES256"]));
    assert!(schemas["AppInput"]["properties"][FIELD].is_object());
    // App is its common fields (allOf) with the type's own: the field is a common one.
    let common = schemas["App"]["allOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|part| part["properties"].get(FIELD).is_some())
        .unwrap_or_else(|| panic!("{}", schemas["App"]));
    assert!(common["required"]
        .as_array()
        .unwrap()
        .contains(&json!(FIELD)));
}

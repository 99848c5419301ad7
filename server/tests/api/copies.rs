//! Two copies of the server on one database, each with its own caches and clock: a change made
//! through one copy takes effect there at once, and on the other within 5 s of that copy's
//! clock (its cache lifetime), as the README promises for a fleet without change notification.

use reqwest::StatusCode;

use crate::common::{Backend, TestServer};
use crate::flows::{m2m_app, post_form, Browser};
use crate::oauth_code::{exchange_web, web_app, web_code};
use crate::on_both_databases;

on_both_databases!(
    another_copy_sees_a_deleted_app_within_five_seconds,
    another_copy_refuses_a_revoked_token_within_five_seconds,
);

async fn client_credentials(s: &TestServer, id: &str, secret: &str) -> StatusCode {
    post_form(
        s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((id, secret)),
    )
    .await
    .0
}

async fn me(s: &TestServer, token: &str) -> StatusCode {
    s.http
        .get(s.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn another_copy_sees_a_deleted_app_within_five_seconds(b: Backend) {
    let a = TestServer::start(b).await;
    let (id, secret) = m2m_app(&a, "Worker").await;
    let other = a.another_copy().await;
    assert_eq!(
        client_credentials(&other, &id, &secret).await,
        StatusCode::OK
    );
    let (status, _) = a.delete(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        client_credentials(&a, &id, &secret).await,
        StatusCode::UNAUTHORIZED,
        "the copy that deleted it, at once"
    );
    other.clock.advance(4);
    assert_eq!(
        client_credentials(&other, &id, &secret).await,
        StatusCode::OK,
        "the other copy trusts its cache for less than 5 s"
    );
    other.clock.advance(1);
    assert_eq!(
        client_credentials(&other, &id, &secret).await,
        StatusCode::UNAUTHORIZED,
        "5 s later it reads the store again"
    );
}

async fn another_copy_refuses_a_revoked_token_within_five_seconds(b: Backend) {
    let a = TestServer::start(b).await;
    a.add_user("alice", false).await;
    let app = web_app(&a).await;
    let code = web_code(&Browser::new(&a), &app, "openid").await;
    let (_, t) = exchange_web(&a, &app, &code).await;
    let token = t["access_token"].as_str().unwrap();
    let other = a.another_copy().await;
    assert_eq!(me(&other, token).await, StatusCode::OK);
    let (status, _, _) = post_form(
        &a,
        "/oauth2/revoke",
        &[("token", token)],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me(&a, token).await, StatusCode::UNAUTHORIZED);
    other.clock.advance(4);
    assert_eq!(me(&other, token).await, StatusCode::OK);
    other.clock.advance(1);
    assert_eq!(me(&other, token).await, StatusCode::UNAUTHORIZED);
}

//! Interop: the Rust `oauth2` crate, an independent client, against a running server.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, TestServer};
use crate::flows::Browser;
use crate::oauth_code::{spa_app, web_app, SPA_CB, WEB_CB};
use crate::on_both_databases;

on_both_databases!(oauth2_crate_completes_every_flow);

fn http() -> oauth2::reqwest::Client {
    oauth2::reqwest::ClientBuilder::new()
        .redirect(oauth2::reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn oauth2_crate_completes_every_flow(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let browser = Browser::new(&s);
    let http = http();

    // Authorization code with a client secret (Basic), then refresh with rotation.
    let web = web_app(&s).await;
    s.patch(
        &format!("/api/v1/apps/{}", web.client_id),
        json!({"rotate_refresh_token": true}),
    )
    .await;
    let client = BasicClient::new(ClientId::new(web.client_id.clone()))
        .set_client_secret(ClientSecret::new(web.secret.clone()))
        .set_auth_uri(AuthUrl::new(s.url("/oauth2/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(WEB_CB.to_owned()).unwrap());
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("offline_access".into()))
        .url();
    let params = browser.run_url(url.as_str(), "alice").await;
    assert_eq!(&params["state"], csrf.secret());
    let token = client
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .request_async(&http)
        .await
        .unwrap();
    let me = s
        .http
        .get(s.url("/api/v1/me"))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    let rt = token.refresh_token().unwrap().clone();
    let refreshed = client
        .exchange_refresh_token(&rt)
        .request_async(&http)
        .await
        .unwrap();
    let rotated = refreshed.refresh_token().unwrap();
    assert_ne!(rotated.secret(), rt.secret());
    assert!(
        client
            .exchange_refresh_token(&rt)
            .request_async(&http)
            .await
            .is_err(),
        "the rotated token is dead"
    );

    // The same with credentials in the body (client_secret_post).
    let post_client = client.clone().set_auth_type(AuthType::RequestBody);
    let (url, _) = post_client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .url();
    let params = browser.run_url(url.as_str(), "alice").await;
    post_client
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .request_async(&http)
        .await
        .unwrap();

    // Authorization code with PKCE, public client.
    let spa = spa_app(&s, true).await;
    let public = BasicClient::new(ClientId::new(spa))
        .set_auth_uri(AuthUrl::new(s.url("/oauth2/authorize")).unwrap())
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap())
        .set_redirect_uri(RedirectUrl::new(SPA_CB.to_owned()).unwrap())
        .set_auth_type(AuthType::RequestBody);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _) = public
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("openid".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let params = browser.run_url(url.as_str(), "alice").await;
    let token = public
        .exchange_code(AuthorizationCode::new(params["code"].clone()))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let rt = token.refresh_token().unwrap();
    public
        .exchange_refresh_token(rt)
        .request_async(&http)
        .await
        .unwrap();

    // Client credentials for a machine-to-machine app.
    let m2m = s.create_app("machine_to_machine", "Worker").await;
    let machine = BasicClient::new(ClientId::new(m2m["client_id"].as_str().unwrap().to_owned()))
        .set_client_secret(ClientSecret::new(
            m2m["client_secret"].as_str().unwrap().to_owned(),
        ))
        .set_token_uri(TokenUrl::new(s.url("/oauth2/token")).unwrap());
    let token = machine
        .exchange_client_credentials()
        .request_async(&http)
        .await
        .unwrap();
    let me: serde_json::Value = s
        .http
        .get(s.url("/api/v1/me"))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["kind"], "app");
}

//! Loopback redirect URIs on any port (RFC 8252 §7.3) for single-page apps, and `localhost`
//! refused at their registration (RFC 8252 §8.3).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, TestServer};
use crate::flows::{fresh_connection_client, pkce_pair, post_form, Browser};
use crate::on_both_databases;

on_both_databases!(
    a_loopback_redirect_uri_matches_any_port,
    loopback_near_misses_get_an_error_page_never_a_redirect,
    other_hosts_keep_their_port,
    localhost_is_refused_for_single_page_apps,
);

async fn spa_with(s: &TestServer, redirect_uris: Value) -> String {
    let app = s.create_app("single_page", "CLI").await;
    let client_id = app["client_id"].as_str().unwrap().to_owned();
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{client_id}"),
            json!({ "redirect_uris": redirect_uris }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    client_id
}

fn authorize_params<'a>(
    client_id: &'a str,
    redirect_uri: &'a str,
    challenge: &'a str,
) -> [(&'a str, &'a str); 6] {
    [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("state", "st"),
    ]
}

async fn exchange(
    s: &TestServer,
    client_id: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", client_id),
            ("code_verifier", verifier),
        ],
        None,
    )
    .await;
    (status, body)
}

/// GETs /oauth2/authorize as `browser` and returns the Location it is sent to.
async fn location(s: &TestServer, browser: &Browser<'_>, params: &[(&str, &str)]) -> String {
    let url = reqwest::Url::parse_with_params(&s.url("/oauth2/authorize"), params).unwrap();
    let res = fresh_connection_client()
        .get(url)
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn a_loopback_redirect_uri_matches_any_port(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    // One registered without a port, one with a port that is ignored.
    let client_id = spa_with(
        &s,
        json!(["http://127.0.0.1/cb", "http://[::1]:8080/cb?v=1"]),
    )
    .await;
    let browser = Browser::new(&s);

    // The port the CLI bound at request time gets the code, and the exchange with the same
    // port-bearing redirect_uri works.
    for uri in ["http://127.0.0.1:51234/cb", "http://[::1]:51234/cb?v=1"] {
        let (verifier, challenge) = pkce_pair();
        let params = browser
            .run(
                &authorize_params(&client_id, uri, &challenge),
                "alice",
                "allow",
            )
            .await;
        assert_eq!(params["state"], "st", "{uri}");
        let (status, body) = exchange(&s, &client_id, &params["code"], uri, &verifier).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert!(body["access_token"].is_string());
    }

    // Signed in and consented: the redirect goes to exactly the presented URI, port and all.
    let (verifier, challenge) = pkce_pair();
    let uri = "http://127.0.0.1:51234/cb";
    let to = location(&s, &browser, &authorize_params(&client_id, uri, &challenge)).await;
    assert!(to.starts_with("http://127.0.0.1:51234/cb?code="), "{to}");
    // At the token endpoint the redirect_uri is the one the code was issued for (RFC 6749
    // §4.1.3): another port is refused.
    let code = crate::flows::query_params(&to)["code"].clone();
    let (status, body) = exchange(
        &s,
        &client_id,
        &code,
        "http://127.0.0.1:51235/cb",
        &verifier,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant");
}

/// GETs /oauth2/authorize and asserts Portico's own error page, never a redirect.
async fn assert_error_page(s: &TestServer, params: &[(&str, &str)], what: &str) {
    let url = reqwest::Url::parse_with_params(&s.url("/oauth2/authorize"), params).unwrap();
    let res = fresh_connection_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what}");
    assert!(res.headers().get("location").is_none(), "{what}");
    let body = res.text().await.unwrap();
    assert!(
        body.contains("<h1>Unregistered redirect URL</h1>"),
        "{what}: {body}"
    );
}

async fn loopback_near_misses_get_an_error_page_never_a_redirect(b: Backend) {
    let s = TestServer::start(b).await;
    let client_id = spa_with(&s, json!(["http://127.0.0.1/cb", "http://[::1]/cb"])).await;
    let challenge = pkce_pair().1;
    for (what, uri) in [
        ("other path", "http://127.0.0.1:51234/other"),
        ("trailing slash", "http://127.0.0.1:51234/cb/"),
        ("added query", "http://127.0.0.1:51234/cb?x=1"),
        ("other loopback address", "http://127.0.0.2:51234/cb"),
        ("other loopback address, no port", "http://127.0.0.2/cb"),
        ("https for http", "https://127.0.0.1:51234/cb"),
        ("localhost for the literal", "http://localhost:51234/cb"),
        ("IPv4 for IPv6", "http://[::ffff:127.0.0.1]:51234/cb"),
        ("port zero", "http://127.0.0.1:0/cb"),
        ("port out of range", "http://127.0.0.1:65536/cb"),
        ("userinfo", "http://127.0.0.1:51234@evil.example/cb"),
        ("suffixed host", "http://127.0.0.1.evil.example:51234/cb"),
    ] {
        assert_error_page(&s, &authorize_params(&client_id, uri, &challenge), what).await;
    }
}

async fn other_hosts_keep_their_port(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = spa_with(&s, json!(["https://app.example.com:8443/cb"])).await;
    let challenge = pkce_pair().1;
    for uri in [
        "https://app.example.com:51234/cb",
        "https://app.example.com/cb",
    ] {
        assert_error_page(&s, &authorize_params(&spa, uri, &challenge), uri).await;
    }
    // A web app keeps exact matching even on a loopback literal.
    let web = s.create_app("web", "Local web").await;
    let web_id = web["client_id"].as_str().unwrap();
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{web_id}"),
            json!({"redirect_uris": ["http://127.0.0.1:3000/cb"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let params = [
        ("response_type", "code"),
        ("client_id", web_id),
        ("redirect_uri", "http://127.0.0.1:51234/cb"),
    ];
    assert_error_page(&s, &params, "web app, other port").await;
}

async fn localhost_is_refused_for_single_page_apps(b: Backend) {
    let s = TestServer::start(b).await;
    let app = s.create_app("single_page", "CLI").await;
    let path = format!("/api/v1/apps/{}", app["client_id"].as_str().unwrap());
    for uri in ["http://localhost:3000/cb", "http://LOCALHOST/cb"] {
        let (status, problem) = s.patch(&path, json!({"redirect_uris": [uri]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {problem}");
        assert_eq!(error_fields(&problem), vec!["redirect_uris".to_owned()]);
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("Use 127.0.0.1 or [::1] instead of localhost")
                && message.contains("localhost may resolve elsewhere (RFC 8252 §8.3)"),
            "{message}"
        );
    }
    // Web apps keep accepting it, as before.
    let web = s.create_app("web", "Local web").await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", web["client_id"].as_str().unwrap()),
            json!({"redirect_uris": ["http://localhost:3000/cb"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

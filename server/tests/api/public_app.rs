//! `GET /api/v1/apps/{client_id}/public?redirect_uri=…`: a single-page app's name, without a
//! token, only for a redirect URL it registered; one indistinguishable 404 for everything
//! else, so a stranger learns nothing the authorization endpoint does not already tell.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{read, Backend, TestServer};
use crate::on_both_databases;

on_both_databases!(
    a_single_page_app_is_named_for_its_registered_redirect_url,
    everything_else_gets_the_same_404,
);

const CALLBACK: &str = "https://demo.example/pkce-demo/callback";

/// Without any token: the lookup is public.
async fn lookup(
    s: &TestServer,
    client_id: &str,
    redirect_uri: Option<&str>,
) -> (StatusCode, Value) {
    let mut url = reqwest::Url::parse(&s.url(&format!("/api/v1/apps/{client_id}/public"))).unwrap();
    if let Some(r) = redirect_uri {
        url.query_pairs_mut().append_pair("redirect_uri", r);
    }
    read(reqwest::get(url).await.unwrap()).await
}

async fn app_with(s: &TestServer, app_type: &str, name: &str, redirect_uris: Value) -> String {
    let app = s.create_app(app_type, name).await;
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

async fn a_single_page_app_is_named_for_its_registered_redirect_url(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = app_with(
        &s,
        "single_page",
        "Demo SPA",
        json!([CALLBACK, "http://127.0.0.1/cb"]),
    )
    .await;
    let (status, body) = lookup(&s, &spa, Some(CALLBACK)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The name and the ID the caller sent: nothing an admin alone may see.
    assert_eq!(body, json!({ "client_id": spa, "name": "Demo SPA" }));
    // Matched as /oauth2/authorize matches: a loopback URL on any port (RFC 8252 §7.3).
    let (status, body) = lookup(&s, &spa, Some("http://127.0.0.1:53111/cb")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn everything_else_gets_the_same_404(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = app_with(&s, "single_page", "Demo SPA", json!([CALLBACK])).await;
    let web = app_with(&s, "web", "Web", json!([CALLBACK])).await;
    let (_, known) = lookup(&s, &spa, Some("https://demo.example/other")).await;
    let console_cb = format!("{}/auth/callback", s.url(""));
    for (client_id, redirect_uri) in [
        (spa.as_str(), "https://demo.example/other"),
        (spa.as_str(), "https://demo.example/pkce-demo/callback/"),
        ("no-such-app", CALLBACK),
        // A web app needs its secret at the token endpoint: not a single-page app's answer.
        (web.as_str(), CALLBACK),
        // The built-in console client is not an app anyone registers.
        ("portico-console", console_cb.as_str()),
    ] {
        let (status, body) = lookup(&s, client_id, Some(redirect_uri)).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{client_id} {redirect_uri}: {body}"
        );
        assert_eq!(
            body["detail"], known["detail"],
            "{client_id}: the same answer for every miss"
        );
        assert!(body.get("name").is_none(), "{body}");
    }
    // No redirect URL, or over-long input: a 400 problem before any lookup.
    let (status, body) = lookup(&s, &spa, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("redirect_uri"),
        "{body}"
    );
    let (status, _) = lookup(&s, &"x".repeat(200), Some(CALLBACK)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let long = format!("{CALLBACK}?{}", "a".repeat(3000));
    let (status, _) = lookup(&s, &spa, Some(&long)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

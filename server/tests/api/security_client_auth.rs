//! Security suite, client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1, §5.2;
//! RFC 9700 §4.10): one method per request, credentials never in the URL, no oracle for which
//! client IDs exist, and guessing answered with 429 and Retry-After.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{fresh_connection_client, m2m_app, post_form};
use crate::oauth_code::spa_app;
use crate::on_both_databases;

on_both_databases!(
    basic_and_body_credentials_together_are_refused,
    wrong_secret_and_unknown_client_are_indistinguishable,
    secret_in_the_query_string_is_refused,
    missing_or_malformed_credentials,
    brute_force_is_answered_with_429_and_retry_after,
    spraying_client_ids_from_one_address_is_limited,
);

const CC: [(&str, &str); 1] = [("grant_type", "client_credentials")];

fn assert_error(what: &str, status: StatusCode, body: &Value, want: StatusCode, error: &str) {
    assert_eq!(status, want, "{what}: {body}");
    assert_eq!(body["error"], error, "{what}: {body}");
}

/// Headers that may differ between any two responses.
fn comparable(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| *k != "date")
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    v.sort();
    v
}

async fn basic_and_body_credentials_together_are_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    let assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each
    // request."
    // (what, extra body parameters, with Basic credentials)
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, bool);
    let cases: Vec<Case> = vec![
        (
            "Basic and client_secret",
            vec![("client_id", &id), ("client_secret", &secret)],
            true,
        ),
        (
            "Basic and a wrong client_secret",
            vec![("client_secret", "pcs_other")],
            true,
        ),
        (
            "Basic and client_assertion",
            vec![
                ("client_assertion_type", assertion_type),
                ("client_assertion", "a.b.c"),
            ],
            true,
        ),
        (
            "client_secret and client_assertion",
            vec![
                ("client_id", &id),
                ("client_secret", &secret),
                ("client_assertion_type", assertion_type),
                ("client_assertion", "a.b.c"),
            ],
            false,
        ),
        (
            "Basic for one client, client_id of another",
            vec![("client_id", "someone-else")],
            true,
        ),
    ];
    for (what, extra, basic) in cases {
        let mut form = CC.to_vec();
        form.extend(extra);
        let (status, body, _) = post_form(
            &s,
            "/oauth2/token",
            &form,
            basic.then_some((id.as_str(), secret.as_str())),
        )
        .await;
        assert_error(
            what,
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
    }
    // Control: each method alone works.
    let (status, body, _) = post_form(&s, "/oauth2/token", &CC, Some((&id, &secret))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut form = CC.to_vec();
    form.extend([
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ]);
    let (status, body, _) = post_form(&s, "/oauth2/token", &form, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn wrong_secret_and_unknown_client_are_indistinguishable(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, _) = m2m_app(&s, "Worker").await;
    let spa = spa_app(&s, true).await;
    // client_secret_basic: status, body and headers (but Date) are the same.
    let (s1, wrong, h1) = post_form(&s, "/oauth2/token", &CC, Some((&id, "pcs_wrong"))).await;
    let (s2, unknown, h2) = post_form(
        &s,
        "/oauth2/token",
        &CC,
        Some(("no-such-client", "pcs_wrong")),
    )
    .await;
    assert_error(
        "wrong secret",
        s1,
        &wrong,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    assert_eq!((s1, &wrong), (s2, &unknown));
    assert_eq!(comparable(&h1), comparable(&h2));
    assert_eq!(h1["www-authenticate"], "Basic realm=\"portico\"");
    assert_eq!(h1["cache-control"], "no-store");
    // client_secret_post: the same again (no Basic challenge without Basic).
    let post = |client_id: &'static str| {
        let s = &s;
        let id = id.clone();
        async move {
            let client_id = if client_id.is_empty() {
                id
            } else {
                client_id.to_owned()
            };
            post_form(
                s,
                "/oauth2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &client_id),
                    ("client_secret", "pcs_wrong"),
                ],
                None,
            )
            .await
        }
    };
    let (s3, wrong_post, h3) = post("").await;
    let (s4, unknown_post, h4) = post("no-such-client").await;
    assert_error(
        "wrong secret (post)",
        s3,
        &wrong_post,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    assert_eq!((s3, &wrong_post), (s4, &unknown_post));
    assert_eq!(comparable(&h3), comparable(&h4));
    assert!(h3.get("www-authenticate").is_none());
    // A public client's id with a secret, and a deleted client, look the same too.
    let (s5, public, h5) = post_form(&s, "/oauth2/token", &CC, Some((&spa, "pcs_wrong"))).await;
    assert_eq!((s5, &public), (s1, &wrong));
    assert_eq!(comparable(&h5), comparable(&h1));
    s.delete(&format!("/api/v1/apps/{id}")).await;
    let (s6, deleted, h6) = post_form(&s, "/oauth2/token", &CC, Some((&id, "pcs_wrong"))).await;
    assert_eq!((s6, &deleted), (s1, &wrong));
    assert_eq!(comparable(&h6), comparable(&h1));
}

async fn secret_in_the_query_string_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    let http = fresh_connection_client();
    // RFC 6749 §2.3.1: the client secret "MUST NOT be included in the request URI".
    for (what, query, basic) in [
        (
            "id and secret in the query",
            format!("client_id={id}&client_secret={secret}"),
            false,
        ),
        (
            "secret in the query, Basic too",
            format!("client_secret={secret}"),
            true,
        ),
        (
            "everything in the query",
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
            false,
        ),
    ] {
        let mut req = http
            .post(format!("{}?{query}", s.url("/oauth2/token")))
            .form(&CC);
        if basic {
            req = req.basic_auth(&id, Some(&secret));
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        assert_eq!(res.headers()["cache-control"], "no-store", "{what}");
        let (_, body) = crate::common::read(res).await;
        assert_error(
            what,
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        );
        assert!(body.get("access_token").is_none());
    }
    // A GET with everything in the URL is refused as well.
    let res = http
        .get(format!(
            "{}?grant_type=client_credentials&client_id={id}&client_secret={secret}",
            s.url("/oauth2/token")
        ))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let (_, body) = crate::common::read(res).await;
    assert_error(
        "GET",
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "invalid_request",
    );
}

async fn missing_or_malformed_credentials(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    let http = fresh_connection_client();
    let token = s.url("/oauth2/token");
    let with_auth = |value: String| http.post(&token).header("authorization", value).form(&CC);
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
    let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            "no credentials at all",
            http.post(&token).form(&CC),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "confidential client with only its client_id",
            http.post(&token).form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id.as_str()),
            ]),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "Basic that is not base64",
            with_auth("Basic !!!".to_owned()),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "Basic without a colon",
            with_auth(format!("Basic {}", b64(&id))),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "Basic with bad percent-encoding",
            with_auth(format!("Basic {}", b64(&format!("{id}:%G1")))),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "Basic with an empty secret",
            with_auth(format!("Basic {}", b64(&format!("{id}:")))),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "Basic that is not UTF-8",
            with_auth(format!(
                "Basic {}",
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, b"\xff:\xfe")
            )),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "Bearer instead of Basic",
            with_auth(format!("Bearer {}", s.admin_token)),
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "the secret as the username",
            with_auth(format!("Basic {}", b64(&format!("{secret}:{id}")))),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
    ];
    for (what, req, want, error) in cases {
        let res = req.send().await.unwrap();
        let status = res.status();
        assert_eq!(res.headers()["cache-control"], "no-store", "{what}");
        let (_, body) = crate::common::read(res).await;
        assert_error(what, status, &body, want, error);
    }
    // Control: the same client authenticates properly, and RFC 6749 §2.3.1 form-encoding of
    // the Basic credentials is understood.
    let (status, body, _) = post_form(&s, "/oauth2/token", &CC, Some((&id, &secret))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn brute_force_is_answered_with_429_and_retry_after(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    let mut failures = 0;
    let retry = loop {
        let (status, body, headers) = post_form(
            &s,
            "/oauth2/token",
            &CC,
            Some((&id, &format!("pcs_guess{failures}"))),
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["error"], "slow_down", "{body}");
            assert_eq!(headers["cache-control"], "no-store");
            break headers["retry-after"]
                .to_str()
                .unwrap()
                .parse::<i64>()
                .unwrap();
        }
        assert_error(
            "guess",
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        );
        failures += 1;
        assert!(failures <= 20, "no limit after {failures} failures");
    };
    assert!(retry > 0 && retry <= 60, "Retry-After {retry}");
    // While limited even the right secret is refused, so guessing cannot be confirmed.
    let (status, body, headers) = post_form(&s, "/oauth2/token", &CC, Some((&id, &secret))).await;
    assert_error(
        "right secret while limited",
        status,
        &body,
        StatusCode::TOO_MANY_REQUESTS,
        "slow_down",
    );
    assert!(headers.contains_key("retry-after"));
    // Never permanent: once the window passes, the right secret works again.
    s.clock.advance(retry);
    let (status, body, _) = post_form(&s, "/oauth2/token", &CC, Some((&id, &secret))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn spraying_client_ids_from_one_address_is_limited(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    // A different made-up client every time: the per-address limit still stops it.
    let mut limited = None;
    for i in 0..25 {
        let (status, body, headers) = post_form(
            &s,
            "/oauth2/token",
            &CC,
            Some((&format!("guess-{i}"), "pcs_guess")),
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["error"], "slow_down");
            limited = Some(
                headers["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse::<i64>()
                    .unwrap(),
            );
            break;
        }
        assert_error(
            "spray",
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        );
    }
    let retry = limited.expect("spraying client IDs was never limited");
    s.clock.advance(retry);
    let (status, body, _) = post_form(&s, "/oauth2/token", &CC, Some((&id, &secret))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

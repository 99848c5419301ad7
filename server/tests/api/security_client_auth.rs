//! Security suite, client authentication at the token endpoint (RFC 6749 §2.3, §3.2.1, §5.2;
//! RFC 9700 §4.10): one method per request, credentials never in the URL, no oracle for which
//! client IDs exist, and guessing answered with 429 and Retry-After.

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{
    add_public_key, assertion_claims, fixture, fresh_connection_client, m2m_app, post_form,
    sign_jwt,
};
use crate::oauth_code::{spa_app, web_app};
use crate::on_both_databases;
use portico::oauth::error::INVALID_CLIENT;

on_both_databases!(
    basic_and_body_credentials_together_are_refused,
    wrong_secret_and_unknown_client_are_indistinguishable,
    secret_in_the_query_string_is_refused,
    missing_or_malformed_credentials,
    brute_force_is_answered_with_429_and_retry_after,
    spraying_client_ids_from_one_address_is_limited,
    silent_refusals_are_byte_identical,
    other_refusals_name_what_to_fix,
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
    // A public client's id with a secret is told that its app has no secret: its type is
    // no secret (the authorization endpoint shows it to anyone with the client ID), and the
    // answer says nothing about any secret. Still 401 with the Basic challenge.
    let (s5, public, h5) = post_form(&s, "/oauth2/token", &CC, Some((&spa, "pcs_wrong"))).await;
    assert_error(
        "public client with a secret",
        s5,
        &public,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    assert_ne!(public, wrong);
    let told = public["error_description"].as_str().unwrap();
    assert!(
        told.contains("single-page app") && told.contains("sends only its client_id"),
        "{told}"
    );
    assert_eq!(h5["www-authenticate"], "Basic realm=\"portico\"");
    // A deleted client looks like one that never existed.
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

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// POSTs `form` to the token endpoint and returns status, headers and the body's bytes.
async fn raw_token_request(
    s: &TestServer,
    form: &[(&str, &str)],
) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
    let res = s
        .http
        .post(s.url("/oauth2/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let headers = comparable(res.headers());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

/// How a case of `other_refusals_name_what_to_fix` authenticates.
enum Sent<'a> {
    /// Body parameters beside `grant_type`.
    Form(Vec<(&'static str, String)>),
    /// This `Authorization` header.
    Authorization(String),
    /// A client assertion, made when the case is sent.
    Assertion(Box<dyn Fn() -> String + 'a>),
}

/// `client_credentials` authenticated by `assertion` alone (the client found by its `iss`).
fn with_assertion(assertion: &str) -> Vec<(&str, &str)> {
    vec![
        ("grant_type", "client_credentials"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", assertion),
    ]
}

/// The three refusals a stranger could learn a credential from get one answer, byte for
/// byte: an unknown client, a wrong secret, and an assertion no key of the client verifies
/// (however it misses: another key, an unknown kid, a broken signature, an unknown iss).
/// Otherwise a stranger could probe which client IDs exist with which credential.
async fn silent_refusals_are_byte_identical(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, _) = m2m_app(&s, "Worker").await;
    let kid = add_public_key(&s, &id, serde_json::json!({"pem": fixture("p256.pub.pem")})).await;
    let ours = fixture("p256.private.pem");
    let (other, _) = m2m_app(&s, "Stranger").await;
    let (status, pair) = s
        .post(
            &format!("/api/v1/apps/{other}/key-pairs"),
            serde_json::json!({"alg": "ES256"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pair}");
    let theirs = pair["private_key_pem"].as_str().unwrap().to_owned();
    let jti = || portico::crypto::random::id().unwrap();
    let claims = || assertion_claims(&s, &id, &id, &jti());
    let flipped = {
        let real = sign_jwt(&ours, "ES256", Some(&kid), &claims());
        let (input, sig) = real.rsplit_once('.').unwrap();
        let mut sig = sig.to_owned().into_bytes();
        sig[3] = if sig[3] == b'A' { b'B' } else { b'A' };
        format!("{input}.{}", String::from_utf8(sig).unwrap())
    };
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "unknown client",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "no-such-client"),
                ("client_secret", "pcs_wrong"),
            ],
        ),
        (
            "wrong secret",
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", "pcs_wrong"),
            ],
        ),
    ];
    let assertions = [
        (
            "signed by a key not registered, no kid",
            sign_jwt(&theirs, "ES256", None, &claims()),
        ),
        (
            "signed by another key under our kid",
            sign_jwt(&theirs, "ES256", Some(&kid), &claims()),
        ),
        (
            "an unknown kid",
            sign_jwt(&ours, "ES256", Some("no-such-kid"), &claims()),
        ),
        ("a broken signature", flipped),
        (
            "iss an unknown client",
            sign_jwt(
                &ours,
                "ES256",
                Some(&kid),
                &assertion_claims(&s, "no-such-client", "no-such-client", &jti()),
            ),
        ),
    ];
    let mut answers = Vec::new();
    for (what, form) in &cases {
        answers.push((*what, raw_token_request(&s, form).await));
    }
    for (what, assertion) in &assertions {
        s.clock.advance(61); // a fresh failure window: this is about the answer, not the limit
        answers.push((
            *what,
            raw_token_request(&s, &with_assertion(assertion)).await,
        ));
    }
    let (_, first) = &answers[0];
    assert_eq!(first.0, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&first.2).unwrap();
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_description"], INVALID_CLIENT);
    for (what, answer) in &answers[1..] {
        assert_eq!(
            answer,
            first,
            "{what}: {}",
            String::from_utf8_lossy(&answer.2)
        );
    }
    // Control: the right key gets through, so the assertions above failed on the key alone.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &with_assertion(&sign_jwt(&ours, "ES256", Some(&kid), &claims())),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Every other client-authentication refusal says what to fix (RFC 6749 §5.2
/// `error_description`), still 401 `invalid_client`: what depends on no client, what the
/// app's type decides, and what the client's own key signed.
async fn other_refusals_name_what_to_fix(b: Backend) {
    let s = TestServer::start(b).await;
    let (m2m, m2m_secret) = m2m_app(&s, "Worker").await;
    let kid = add_public_key(
        &s,
        &m2m,
        serde_json::json!({"pem": fixture("p256.pub.pem")}),
    )
    .await;
    let key = fixture("p256.private.pem");
    let web = web_app(&s).await;
    let spa = spa_app(&s, true).await;
    let jti = || portico::crypto::random::id().unwrap();
    // Signed when sent: the clock moves between cases.
    let signed = |f: &dyn Fn(&mut Value, i64)| {
        let mut claims = assertion_claims(&s, &m2m, &m2m, &jti());
        f(&mut claims, portico::clock::Clock::now(s.clock.as_ref()));
        sign_jwt(&key, "ES256", Some(&kid), &claims)
    };
    let b64 = |s: &str| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s);
    let token_url = s.url("/oauth2/token");
    let aud_list = format!("aud must contain one of: {}, {token_url}.", s.base);
    let web_id = web.client_id.clone();
    // (what, how the request authenticates, words the description contains)
    let cases: Vec<(&str, Sent, &str)> =
        vec![
        ("no credentials", Sent::Form(vec![]), "No client credentials"),
        (
            "a web app's client_id alone",
            Sent::Form(vec![("client_id", web_id.clone())]),
            "This app is a web app: it authenticates with its client secret (client_secret_basic \
             or client_secret_post), not a client_id alone.",
        ),
        (
            "a machine-to-machine app's client_id alone",
            Sent::Form(vec![("client_id", m2m.clone())]),
            "This app is a machine-to-machine app: it authenticates with a client secret",
        ),
        (
            "private_key_jwt for a web app",
            Sent::Assertion(Box::new(|| {
                sign_jwt(
                    &key,
                    "ES256",
                    Some(&kid),
                    &assertion_claims(&s, &web_id, &web_id, &jti()),
                )
            })),
            "This app is a web app: it authenticates with its client secret (client_secret_basic \
             or client_secret_post), not private_key_jwt.",
        ),
        (
            "Basic that is not base64",
            Sent::Authorization("Basic !!!".to_owned()),
            "not Basic credentials",
        ),
        (
            "Basic without a colon",
            Sent::Authorization(format!("Basic {}", b64(&m2m))),
            "not Basic credentials",
        ),
        (
            "a malformed assertion",
            Sent::Assertion(Box::new(|| "hello".to_owned())),
            "not a well-formed JWT",
        ),
        (
            "an assertion without iss or client_id",
            Sent::Assertion(Box::new(|| {
                signed(&|c, _| {
                    c.as_object_mut().unwrap().remove("iss");
                })
            })),
            "has no iss claim naming the client",
        ),
        (
            "an expired assertion",
            Sent::Assertion(Box::new(|| signed(&|c, now| c["exp"] = (now - 60).into()))),
            "The assertion has expired",
        ),
        (
            "exp too far ahead",
            Sent::Assertion(Box::new(|| signed(&|c, now| c["exp"] = (now + 7200).into()))),
            "exp is more than 1 hour in the future",
        ),
        (
            "nbf in the future",
            Sent::Assertion(Box::new(|| signed(&|c, now| c["nbf"] = (now + 600).into()))),
            "not valid yet",
        ),
        (
            "no jti",
            Sent::Assertion(Box::new(|| {
                signed(&|c, _| {
                    c.as_object_mut().unwrap().remove("jti");
                })
            })),
            "The assertion has no jti claim.",
        ),
        (
            "a wrong aud",
            Sent::Assertion(Box::new(|| {
                signed(&|c, _| c["aud"] = "https://other.example/token".into())
            })),
            &aud_list,
        ),
        (
            "sub not the client",
            Sent::Assertion(Box::new(|| signed(&|c, _| c["sub"] = "someone-else".into()))),
            "sub must be the client_id",
        ),
    ];
    let http = fresh_connection_client();
    for (what, sent, words) in cases {
        s.clock.advance(61); // a fresh failure window for each case
        let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
        let mut authorization = None;
        match sent {
            Sent::Form(extra) => form.extend(extra),
            Sent::Authorization(a) => authorization = Some(a),
            Sent::Assertion(make) => {
                form.push(("client_assertion_type", ASSERTION_TYPE.into()));
                form.push(("client_assertion", make()));
            }
        }
        let mut req = http.post(&token_url).form(&form);
        if let Some(a) = &authorization {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let basic_challenge = res.headers().get("www-authenticate").cloned();
        let (_, body) = crate::common::read(res).await;
        assert_error(
            what,
            status,
            &body,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        );
        let said = body["error_description"].as_str().unwrap();
        assert_ne!(said, INVALID_CLIENT, "{what}");
        assert!(said.contains(words), "{what}: {said}");
        // RFC 6749 §5.2: the Basic challenge answers Basic credentials, told reason or not.
        assert_eq!(
            basic_challenge.is_some(),
            authorization.is_some(),
            "{what}: {basic_challenge:?}"
        );
    }
    // A public client at introspection is told that introspection needs authentication.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/introspect",
        &[("client_id", spa.as_str()), ("token", "anything")],
        None,
    )
    .await;
    assert_error(
        "public client introspects",
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    let said = body["error_description"].as_str().unwrap();
    assert!(
        said.contains("Token introspection needs client authentication")
            && said.contains("single-page app is a public client"),
        "{said}"
    );
    // At introspection the assertion may also name the introspection endpoint.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/introspect",
        &[
            ("token", "anything"),
            ("client_assertion_type", ASSERTION_TYPE),
            (
                "client_assertion",
                &signed(&|c, _| c["aud"] = "https://other.example".into()),
            ),
        ],
        None,
    )
    .await;
    assert_error(
        "wrong aud at introspection",
        status,
        &body,
        StatusCode::UNAUTHORIZED,
        "invalid_client",
    );
    let said = body["error_description"].as_str().unwrap();
    assert!(
        said.ends_with(&format!(
            "{}, {token_url}, {}.",
            s.base,
            s.url("/oauth2/introspect")
        )),
        "{said}"
    );
    // Control: the same app authenticates with its secret and with its key.
    let (status, body, _) = post_form(&s, "/oauth2/token", &CC, Some((&m2m, &m2m_secret))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &with_assertion(&signed(&|_, _| {})),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

//! Refresh-token reuse grace (`refresh_token_reuse_grace`): a rotated refresh token that
//! comes back within the app's grace gets a sibling token of the same family (the first
//! successor keeps working); after the grace it revokes the family and every sibling, as
//! RFC 9700 §4.14.2 reuse detection always did. The window counts from the first rotation.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, TestServer};
use crate::flows::{introspect_active, me_status, pkce_pair, post_form, Browser};
use crate::oauth_code::{exchange_web, refresh_web, spa_app, web_app, web_code, WebApp, SPA_CB};
use crate::on_both_databases;

on_both_databases!(
    reuse_within_the_grace_gets_a_sibling_and_every_head_works,
    the_window_counts_from_the_first_rotation_and_after_it_reuse_kills_every_sibling,
    parallel_presentations_within_the_grace_all_succeed_and_after_it_all_fail,
    a_single_page_app_gets_the_same_and_never_outlives_its_absolute_expiry,
    grace_0_is_reuse_detection_as_before,
    another_client_gets_nothing_from_the_grace,
    the_grace_is_validated,
);

fn rt(v: &Value) -> String {
    v["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("refresh_token in {v}"))
        .to_owned()
}

fn at(v: &Value) -> String {
    v["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("access_token in {v}"))
        .to_owned()
}

/// A rotating web app with the given grace, and alice signed in to it.
async fn rotating_app(s: &TestServer, grace: u64) -> WebApp {
    s.add_user("alice", false).await;
    let app = web_app(s).await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"rotate_refresh_token": true, "refresh_token_reuse_grace": grace}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["refresh_token_reuse_grace"], grace);
    app
}

async fn sign_in(s: &TestServer, app: &WebApp) -> Value {
    let code = web_code(&Browser::new(s), app, "openid offline_access").await;
    let (status, body) = exchange_web(s, app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn ok(s: &TestServer, app: &WebApp, token: &str, what: &str) -> Value {
    let (status, body) = refresh_web(s, app, token, None).await;
    assert_eq!(status, StatusCode::OK, "{what}: {body}");
    body
}

async fn refused(s: &TestServer, app: &WebApp, token: &str, what: &str) {
    let (status, body) = refresh_web(s, app, token, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant")),
        "{what}: {body}"
    );
}

async fn reuse_within_the_grace_gets_a_sibling_and_every_head_works(b: Backend) {
    let s = TestServer::start(b).await;
    let app = rotating_app(&s, 30).await;
    let t1 = sign_in(&s, &app).await;
    let t2 = ok(&s, &app, &rt(&t1), "first rotation").await;
    // The client lost t2's answer (or another tab raced it) and presents t1 again.
    s.clock.advance(10);
    let t3 = ok(&s, &app, &rt(&t1), "t1 again within the grace").await;
    assert_ne!(
        rt(&t3),
        rt(&t2),
        "a new sibling, not the first successor again"
    );
    assert_ne!(at(&t3), at(&t2));
    // Both heads work, and so do their access tokens; the family is one grant.
    for t in [&t2, &t3] {
        assert_eq!(me_status(&s, &at(t)).await, StatusCode::OK);
        assert!(introspect_active(&s, &at(t), (&app.client_id, &app.secret)).await);
    }
    let t4 = ok(&s, &app, &rt(&t2), "the first successor").await;
    let t5 = ok(&s, &app, &rt(&t3), "the sibling").await;
    ok(&s, &app, &rt(&t4), "the first successor's successor").await;
    ok(&s, &app, &rt(&t5), "the sibling's successor").await;
    // Revoking any token of the family (RFC 7009) ends every sibling.
    let (status, _, _) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", &rt(&t1))],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for (t, what) in [
        (&t4, "successor after revocation"),
        (&t5, "sibling after revocation"),
    ] {
        assert_eq!(
            me_status(&s, &at(t)).await,
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    refused(&s, &app, &rt(&t1), "revoked, t1").await;
}

async fn the_window_counts_from_the_first_rotation_and_after_it_reuse_kills_every_sibling(
    b: Backend,
) {
    let s = TestServer::start(b).await;
    let app = rotating_app(&s, 30).await;
    let t1 = sign_in(&s, &app).await;
    let t2 = ok(&s, &app, &rt(&t1), "first rotation").await;
    s.clock.advance(20);
    let t3 = ok(&s, &app, &rt(&t1), "at 20 s").await;
    // A grace reuse does not renew the window: 29 s after the first rotation is the last.
    s.clock.advance(9);
    let t4 = ok(&s, &app, &rt(&t1), "at 29 s").await;
    let unrelated = sign_in(&s, &app).await;
    s.clock.advance(1);
    // 30 s after the rotation: this is reuse (RFC 9700 §4.14.2), the family dies.
    refused(&s, &app, &rt(&t1), "at 30 s").await;
    for (t, what) in [
        (&t2, "first successor"),
        (&t3, "sibling 1"),
        (&t4, "sibling 2"),
    ] {
        refused(&s, &app, &rt(t), what).await;
        assert_eq!(
            me_status(&s, &at(t)).await,
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
        assert!(!introspect_active(&s, &rt(t), (&app.client_id, &app.secret)).await);
    }
    // The detection is audited, as before; another family of the same user is untouched.
    let (_, audit) = s.get("/api/v1/audit").await;
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "refresh.reuse_detected"),
        "{audit}"
    );
    ok(&s, &app, &rt(&unrelated), "another family").await;
}

/// `n` presentations of `token` at once; the statuses and bodies.
async fn at_once(s: &TestServer, app: &WebApp, token: &str, n: usize) -> Vec<(StatusCode, Value)> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let req = s
            .http
            .post(s.url("/oauth2/token"))
            .basic_auth(&app.client_id, Some(&app.secret))
            .form(&[("grant_type", "refresh_token"), ("refresh_token", token)]);
        tasks.push(tokio::spawn(async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn parallel_presentations_within_the_grace_all_succeed_and_after_it_all_fail(b: Backend) {
    let s = TestServer::start(b).await;
    let app = rotating_app(&s, 30).await;
    // Twenty tabs refresh with the same token at the same moment: one rotates it, the
    // others get siblings; every answer is a different, working token.
    let t1 = sign_in(&s, &app).await;
    let answers = at_once(&s, &app, &rt(&t1), 20).await;
    let mut tokens = HashSet::new();
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert!(tokens.insert(rt(body)), "a refresh token given twice");
    }
    for (_, body) in answers.iter().take(5) {
        ok(&s, &app, &rt(body), "a head from the race").await;
    }
    // After the grace, the same race is reuse: every presentation is refused and the
    // family is dead, every sibling with it.
    let t1 = sign_in(&s, &app).await;
    let t2 = ok(&s, &app, &rt(&t1), "rotation").await;
    let sibling = ok(&s, &app, &rt(&t1), "sibling").await;
    s.clock.advance(31);
    for (status, body) in at_once(&s, &app, &rt(&t1), 20).await {
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "invalid_grant");
    }
    refused(&s, &app, &rt(&t2), "first successor after the race").await;
    refused(&s, &app, &rt(&sibling), "sibling after the race").await;
}

async fn a_single_page_app_gets_the_same_and_never_outlives_its_absolute_expiry(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let spa = spa_app(&s, true).await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{spa}"),
            json!({"refresh_token_reuse_grace": 60, "refresh_token_absolute_lifetime": 3600,
                   "refresh_token_inactivity_lifetime": 600}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let browser = Browser::new(&s);
    let (verifier, challenge) = pkce_pair();
    let code = browser
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &spa),
                ("redirect_uri", SPA_CB),
                ("scope", "offline_access"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await["code"]
        .clone();
    let (status, first, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("client_id", &spa),
            ("code_verifier", &verifier),
        ],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let spa_refresh = |token: String| {
        let (s, spa) = (&s, spa.clone());
        async move {
            let (status, body, _) = post_form(
                s,
                "/oauth2/token",
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &token),
                    ("client_id", &spa),
                ],
                None,
            )
            .await;
            (status, body)
        }
    };
    // Refreshed every 500 s up to 3500 s after sign-in.
    let mut current = rt(&first);
    for _ in 0..7 {
        s.clock.advance(500);
        let (status, body) = spa_refresh(current.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, again) = spa_refresh(current.clone()).await;
        assert_eq!(status, StatusCode::OK, "grace reuse: {again}");
        current = rt(&again);
    }
    // Rotated at 3550 s; presented again at 3600 s, within the grace of that rotation but
    // at the family's absolute expiry: refused, since a grace reuse never extends it.
    s.clock.advance(50);
    let (status, last) = spa_refresh(current.clone()).await;
    assert_eq!(status, StatusCode::OK, "{last}");
    s.clock.advance(50);
    for token in [current, rt(&last)] {
        let (status, body) = spa_refresh(token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant")),
            "{body}"
        );
    }
}

async fn grace_0_is_reuse_detection_as_before(b: Backend) {
    let s = TestServer::start(b).await;
    let app = rotating_app(&s, 20).await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"refresh_token_reuse_grace": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let t1 = sign_in(&s, &app).await;
    let t2 = ok(&s, &app, &rt(&t1), "rotation").await;
    // At once, not a second later: the rotated token comes back and the family dies.
    refused(&s, &app, &rt(&t1), "reuse at once").await;
    refused(&s, &app, &rt(&t2), "the successor").await;
    // And of concurrent presentations exactly one succeeds.
    let t1 = sign_in(&s, &app).await;
    let answers = at_once(&s, &app, &rt(&t1), 10).await;
    let succeeded = answers
        .iter()
        .filter(|(st, _)| *st == StatusCode::OK)
        .count();
    assert_eq!(succeeded, 1, "{answers:?}");
}

async fn the_grace_is_validated(b: Backend) {
    let s = TestServer::start(b).await;
    let web = web_app(&s).await;
    let path = format!("/api/v1/apps/{}", web.client_id);
    for bad in [json!(61), json!(-1), json!(null), json!("10")] {
        let (status, body) = s
            .patch(&path, json!({"refresh_token_reuse_grace": bad}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(
            error_fields(&body),
            ["refresh_token_reuse_grace"],
            "{bad}: {body}"
        );
    }
    let m2m = s.create_app("machine_to_machine", "Worker").await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", m2m["client_id"].as_str().unwrap()),
            json!({"refresh_token_reuse_grace": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), ["refresh_token_reuse_grace"]);
    assert!(m2m.get("refresh_token_reuse_grace").is_none());
    // A web app that does not rotate keeps the value (it applies once rotation is on),
    // as it keeps its expiries; new apps start at 0.
    let (status, body) = s
        .patch(
            &path,
            json!({"rotate_refresh_token": false, "refresh_token_reuse_grace": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["refresh_token_reuse_grace"], 60);
    let spa = s.create_app("single_page", "Dashboard").await;
    assert_eq!(spa["refresh_token_reuse_grace"], 0);
    // Created with a grace.
    let (status, body) = s
        .post(
            "/api/v1/apps",
            json!({"type": "web", "name": "Shop", "refresh_token_reuse_grace": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["refresh_token_reuse_grace"], 5);
}

async fn another_client_gets_nothing_from_the_grace(b: Backend) {
    let s = TestServer::start(b).await;
    let app = rotating_app(&s, 60).await;
    // Another web app, with its own valid secret and the same grace.
    let thief = web_app(&s).await;
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{}", thief.client_id),
            json!({"rotate_refresh_token": true, "refresh_token_reuse_grace": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let t1 = sign_in(&s, &app).await;
    let t2 = ok(&s, &app, &rt(&t1), "rotation").await;
    // Inside the window, the rotated token at another client is no grace reuse (RFC 6749
    // §6: a refresh token is bound to its client): refused, and, as any reuse by someone
    // else, it ends the family.
    refused(&s, &thief, &rt(&t1), "the rotated token at another client").await;
    refused(&s, &thief, &rt(&t2), "the live token at another client").await;
    refused(&s, &app, &rt(&t2), "the family after a stranger's reuse").await;
}

//! The audit log's kinds and filters: end users' sign-ins, consents and revocations are
//! recorded by the real flows as `user` entries, lockouts as `security`, admin changes as
//! `admin`; `GET /api/v1/audit` filters by app, actor, action and kind, pages with
//! `before` (older) and `after` (newer), names each app as it is now (or deleted), and refuses bad parameters with a
//! problem.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, TestServer};
use crate::flows::{console_tokens, Browser, Landing, PASSWORD};
use crate::oauth_code::{web_app, WebApp, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    end_user_events_are_recorded_as_their_own_kind,
    filters_and_paging_combine,
    newer_pages_walk_back_to_the_newest,
    entries_name_the_app_as_it_is_now_or_say_it_was_deleted,
    bad_parameters_are_a_clear_4xx_and_only_admins_may_read,
    end_user_events_are_purged_after_their_retention_and_admin_changes_kept,
);

fn params(app: &WebApp) -> [(&'static str, &str); 5] {
    [
        ("response_type", "code"),
        ("client_id", &app.client_id),
        ("redirect_uri", WEB_CB),
        ("scope", "openid email"),
        ("state", "s"),
    ]
}

fn entries(page: &Value) -> Vec<Value> {
    page["entries"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .clone()
}

/// `(actor, action)` of each entry, newest first.
fn who_did(page: &Value) -> Vec<(String, String)> {
    entries(page)
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The sign-in page of a new interaction for `app` in `browser`.
async fn sign_in_page(browser: &Browser<'_>, app: &WebApp) -> String {
    match browser.authorize(&params(app)).await {
        Landing::Page { interaction, .. } => interaction,
        other => panic!("{other:?}"),
    }
}

async fn end_user_events_are_recorded_as_their_own_kind(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    s.add_user("bob", false).await;
    let app = web_app(&s).await;

    // Alice: a wrong password, a username that does not exist, then the right one; allows.
    let browser = Browser::new(&s);
    let id = sign_in_page(&browser, &app).await;
    let (status, ..) = browser.login(&id, "alice", "not her password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, ..) = browser
        .login(&id, "alice-typo-xyz", "not her password")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let got = browser.run(&params(&app), "alice", "allow").await;
    assert!(got.contains_key("code"), "{got:?}");
    // Bob signs in and denies.
    let got = Browser::new(&s).run(&params(&app), "bob", "deny").await;
    assert_eq!(got["error"], "access_denied");
    // Alice revokes the app in Connected apps (with the console's token); revoking it again,
    // or an app she never allowed, records nothing more.
    let token = s.token_for(&alice, "openid");
    for client_id in [
        app.client_id.as_str(),
        app.client_id.as_str(),
        "made-up-app",
    ] {
        let res = s
            .http
            .delete(s.url(&format!("/api/v1/account/apps/{client_id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }

    let (status, page) = s.get("/api/v1/audit?kind=user").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let ip = "127.0.0.1";
    assert_eq!(
        who_did(&page),
        [
            ("alice", "consent.revoked"),
            ("bob", "consent.denied"),
            ("bob", "signin.succeeded"),
            ("alice", "consent.given"),
            ("alice", "signin.succeeded"),
            (format!("address:{ip}").as_str(), "signin.failed"),
            ("alice", "signin.failed"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    for e in entries(&page) {
        assert_eq!(e["kind"], "user", "{e}");
        assert_eq!(e["client_id"], app.client_id.as_str(), "{e}");
        assert_eq!(e["app_name"], "Billing", "{e}");
        assert_eq!(e["app_deleted"], false, "{e}");
    }
    let details: Vec<String> = entries(&page)
        .iter()
        .map(|e| e["detail"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(details[6], format!("wrong password; from {ip}"));
    assert_eq!(details[5], "unknown username");
    assert_eq!(details[4], format!("signed in from {ip}"));
    assert_eq!(details[3], "allowed email openid");
    // Never a password, nor what was typed as an unknown username (it may be a password).
    let all = s.get("/api/v1/audit?limit=200").await.1.to_string();
    for secret in [PASSWORD, "not her password", "alice-typo-xyz"] {
        assert!(!all.contains(secret), "{secret} in {all}");
    }
    // Admin changes are their own kind.
    let (_, admin) = s.get("/api/v1/audit?kind=admin").await;
    assert_eq!(
        who_did(&admin),
        [("root", "app.update"), ("root", "app.create")].map(|(a, b)| (a.to_owned(), b.to_owned()))
    );

    // Five wrong passwords from one address pause the user there: one `security` entry.
    let browser = Browser::new(&s);
    let id = sign_in_page(&browser, &app).await;
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses.push(browser.login(&id, "alice", &format!("guess {i}")).await.0);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    let (_, security) = s.get("/api/v1/audit?kind=security").await;
    assert_eq!(
        who_did(&security),
        [(format!("address:{ip}"), "signin.lockout".to_owned())]
    );
    let lockout = &entries(&security)[0];
    assert!(
        lockout["detail"].as_str().unwrap().contains("\"alice\""),
        "{lockout}"
    );
    // The refused attempt wrote nothing: five failures, one lockout.
    let (_, failed) = s
        .get("/api/v1/audit?action=signin.failed&actor=alice")
        .await;
    assert_eq!(entries(&failed).len(), 1 + 5, "{failed}");
}

async fn filters_and_paging_combine(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let one = web_app(&s).await;
    let two = web_app(&s).await;
    for i in 0..3 {
        for app in [&one, &two] {
            let (status, _) = s
                .patch(
                    &format!("/api/v1/apps/{}", app.client_id),
                    json!({"description": format!("v{i}")}),
                )
                .await;
            assert_eq!(status, StatusCode::OK);
        }
        // Alice signs in to the first app each time (consent once).
        let got = Browser::new(&s).run(&params(&one), "alice", "allow").await;
        assert!(got.contains_key("code"));
    }

    // By app: only that app's entries, of any kind.
    let (_, by_app) = s
        .get(&format!(
            "/api/v1/audit?client_id={}&limit=200",
            two.client_id
        ))
        .await;
    assert!(!entries(&by_app).is_empty());
    assert!(entries(&by_app)
        .iter()
        .all(|e| e["client_id"] == two.client_id.as_str()));
    assert_eq!(
        entries(&by_app).len(),
        1 + 1 + 3,
        "create, redirect URIs, 3 updates"
    );
    // App + kind + action, paged two at a time: 3 updates of the first app.
    let base = format!(
        "/api/v1/audit?client_id={}&kind=admin&action=app.update&limit=2",
        one.client_id
    );
    let (_, p1) = s.get(&base).await;
    assert_eq!(entries(&p1).len(), 2);
    let next = p1["next_before"].as_i64().expect("a second page");
    let (_, p2) = s.get(&format!("{base}&before={next}")).await;
    assert_eq!(
        entries(&p2).len(),
        2,
        "the redirect URIs' update, then the oldest"
    );
    assert_eq!(p2["next_before"], Value::Null);
    let ids: Vec<i64> = [&p1, &p2]
        .iter()
        .flat_map(|p| entries(p))
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first, no overlap: {ids:?}"
    );
    for e in [&p1, &p2].iter().flat_map(|p| entries(p)) {
        assert_eq!(e["client_id"], one.client_id.as_str());
        assert_eq!(e["action"], "app.update");
        assert_eq!(e["kind"], "admin");
    }
    // Actor + kind: alice's user events, three sign-ins and one consent.
    let (_, alice) = s.get("/api/v1/audit?actor=alice&kind=user").await;
    let actions: BTreeSet<String> = who_did(&alice).into_iter().map(|(_, a)| a).collect();
    assert_eq!(
        actions,
        ["consent.given", "signin.succeeded"]
            .map(str::to_owned)
            .into()
    );
    assert_eq!(entries(&alice).len(), 4, "{alice}");
    // Filters that match nothing: an empty page, not an error.
    let (status, none) = s
        .get(&format!(
            "/api/v1/audit?client_id={}&actor=alice",
            two.client_id
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        none,
        json!({"entries": [], "next_before": null, "prev_after": null})
    );
    let (_, none) = s.get("/api/v1/audit?actor=alice&kind=admin").await;
    assert_eq!(entries(&none).len(), 0);
}

fn ids(page: &Value) -> Vec<i64> {
    entries(page)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

/// One page of One's updates (`q` the cursor), checked for its filters and its order.
async fn page_of(s: &TestServer, base: &str, client_id: &Value, q: String) -> Value {
    let (status, page) = s.get(&format!("{base}{q}")).await;
    assert_eq!(status, StatusCode::OK, "{q}: {page}");
    for e in entries(&page) {
        assert_eq!(&e["client_id"], client_id, "{q}: {e}");
        assert_eq!(e["action"], "app.update", "{q}: {e}");
    }
    let ids = ids(&page);
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "{q}: newest first {ids:?}"
    );
    page
}

/// "Older" three times, then "Newer" back: each newer page is exactly the page the user saw
/// before, newest first, with the same filters, and the cursors say when to stop.
async fn newer_pages_walk_back_to_the_newest(b: Backend) {
    let s = TestServer::start(b).await;
    let one = s.create_app("machine_to_machine", "One").await;
    let other = s.create_app("machine_to_machine", "Other").await;
    let update = |id: Value, n: usize| {
        let s = &s;
        async move {
            let (status, body) = s
                .patch(
                    &format!("/api/v1/apps/{}", id.as_str().unwrap()),
                    json!({"description": format!("v{n}")}),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    // Seven updates of One, interleaved with entries the filter leaves out.
    for n in 0..7 {
        update(one["client_id"].clone(), n).await;
        update(other["client_id"].clone(), n).await;
    }
    let base = format!(
        "/api/v1/audit?client_id={}&action=app.update&limit=3",
        one["client_id"].as_str().unwrap()
    );
    let one_id = one["client_id"].clone();
    let get = |q: String| page_of(&s, &base, &one_id, q);
    // Older: 3, 3, 1.
    let p1 = get(String::new()).await;
    assert_eq!(
        p1["prev_after"],
        Value::Null,
        "the newest page has nothing newer"
    );
    let p2 = get(format!("&before={}", p1["next_before"])).await;
    let p3 = get(format!("&before={}", p2["next_before"])).await;
    assert_eq!([ids(&p1).len(), ids(&p2).len(), ids(&p3).len()], [3, 3, 1]);
    assert_eq!(p3["next_before"], Value::Null);
    assert_eq!(p2["prev_after"], json!(ids(&p2)[0]));
    assert_eq!(p3["prev_after"], json!(ids(&p3)[0]));

    // Newer, from the oldest page: back through p2 to p1, page for page.
    let back2 = get(format!("&after={}", p3["prev_after"])).await;
    assert_eq!(ids(&back2), ids(&p2));
    assert_eq!(
        back2["next_before"], p2["next_before"],
        "Older from here is p3"
    );
    assert_eq!(back2["prev_after"], json!(ids(&p2)[0]));
    let back1 = get(format!("&after={}", back2["prev_after"])).await;
    assert_eq!(ids(&back1), ids(&p1));
    assert_eq!(back1["prev_after"], Value::Null, "back at the newest");
    assert_eq!(back1["next_before"], p1["next_before"]);
    // Nothing newer than the newest entry: an empty page, no cursor either way.
    let top = get(format!("&after={}", ids(&p1)[0])).await;
    assert_eq!(
        (entries(&top).len(), &top["prev_after"], &top["next_before"]),
        (0, &Value::Null, &Value::Null)
    );

    // Entries recorded while the user was reading older pages: "Newer" from p1 shows them.
    update(one["client_id"].clone(), 7).await;
    update(one["client_id"].clone(), 8).await;
    let fresh = get(format!("&after={}", ids(&p1)[0])).await;
    assert_eq!(ids(&fresh).len(), 2);
    assert!(ids(&fresh)[1] > ids(&p1)[0]);
    assert_eq!(fresh["prev_after"], Value::Null);
    assert_eq!(fresh["next_before"], json!(ids(&fresh)[1]));
    // And p1 now has a newer page.
    let again = get(format!("&before={}", ids(&fresh)[1])).await;
    assert_eq!(ids(&again), ids(&p1));
    assert_eq!(again["prev_after"], json!(ids(&p1)[0]));
}

async fn entries_name_the_app_as_it_is_now_or_say_it_was_deleted(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("ann", true).await;
    let kept = web_app(&s).await;
    let gone = s.create_app("machine_to_machine", "Old reports").await;
    let gone_id = gone["client_id"].as_str().unwrap().to_owned();
    // A rename shows on every earlier entry of the app.
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{}", kept.client_id),
            json!({"name": "Invoices"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = s.delete(&format!("/api/v1/apps/{gone_id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The console's own sign-in names the built-in app, which has no admin page.
    console_tokens(&Browser::new(&s), "ann", "openid admin").await;

    let (_, page) = s.get("/api/v1/audit?limit=200").await;
    for e in entries(&page) {
        let client_id = e["client_id"].as_str().unwrap();
        if client_id == kept.client_id {
            assert_eq!(e["app_name"], "Invoices", "{e}");
            assert_eq!(e["app_deleted"], false, "{e}");
        } else if client_id == gone_id {
            assert_eq!(e["app_name"], Value::Null, "{e}");
            assert_eq!(e["app_deleted"], true, "{e}");
            assert_eq!(e["app_builtin"], false, "{e}");
        } else {
            assert_eq!(client_id, "portico-console", "{e}");
            assert_eq!(e["app_builtin"], true, "{e}");
            assert_eq!(e["app_deleted"], false, "{e}");
            assert_eq!(e["action"], "signin.succeeded", "{e}");
        }
    }
    // The deleted app's entries are still found by its client ID.
    let (_, by_gone) = s.get(&format!("/api/v1/audit?client_id={gone_id}")).await;
    assert_eq!(
        who_did(&by_gone),
        [("root", "app.delete"), ("root", "app.create")].map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
}

async fn bad_parameters_are_a_clear_4xx_and_only_admins_may_read(b: Backend) {
    let s = TestServer::start(b).await;
    let long = "x".repeat(201);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("before=0", "before"),
        ("after=0", "after"),
        ("after=-3", "after"),
        ("before=9&after=2", "after"),
        ("kind=Admin", "kind"),
        ("kind=", "kind"),
        ("action=app.explode", "action"),
        ("actor=", "actor"),
        (&format!("actor={long}"), "actor"),
        (&format!("client_id={long}"), "client_id"),
    ] {
        let (status, problem) = s.get(&format!("/api/v1/audit?{query}")).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {problem}"
        );
        assert_eq!(error_fields(&problem), [field], "{query}: {problem}");
    }
    // Every wrong parameter is named at once.
    let (_, problem) = s.get("/api/v1/audit?limit=0&kind=x&action=y").await;
    assert_eq!(error_fields(&problem), ["limit", "action", "kind"]);
    for query in ["limit=abc", "before=x", "after=x", "limit=-1"] {
        let (status, problem) = s.get(&format!("/api/v1/audit?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {problem}");
        assert_eq!(problem["status"], 400);
    }
    // A SQL-looking filter is only a value that matches nothing.
    let (status, page) = s.get("/api/v1/audit?actor=%27%20OR%201%3D1%20--").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(entries(&page).len(), 0);

    // A user who is not an administrator, even with the console's token: 403; none: 401.
    let alice = s.add_user("alice", false).await;
    let res = s
        .http
        .get(s.url("/api/v1/audit?kind=user"))
        .bearer_auth(s.token_for(&alice, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = s.http.get(s.url("/api/v1/audit")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // The OpenAPI document names every parameter as an optional query parameter.
    let doc: Value = s
        .http
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let documented = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    let names: BTreeSet<&str> = documented
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "action",
            "actor",
            "after",
            "before",
            "client_id",
            "kind",
            "limit"
        ]
        .into()
    );
    for p in &documented {
        assert_eq!(p["in"], "query", "{p}");
        assert_ne!(p["required"], true, "{p}");
    }
    assert!(doc["components"]["schemas"]["AuditKind"].is_object());
}

async fn end_user_events_are_purged_after_their_retention_and_admin_changes_kept(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let id = sign_in_page(&browser, &app).await;
    browser.login(&id, "alice", "wrong").await;
    browser.run(&params(&app), "alice", "allow").await;
    let count = |page: &Value| entries(page).len();
    assert_eq!(count(&s.get("/api/v1/audit?kind=user").await.1), 3);

    // A day short of the retention: kept.
    s.clock
        .advance(portico::purge::AUDIT_EVENT_RETENTION - 86_400);
    portico::purge::run_once(&s.state).await.unwrap();
    assert_eq!(count(&s.get("/api/v1/audit?kind=user").await.1), 3);
    // Past it: the user events go, the admin changes of the same time stay.
    s.clock.advance(2 * 86_400);
    let r = portico::purge::run_once(&s.state).await.unwrap();
    assert_eq!(
        r.removed_from(portico::store::PurgeTable::AuditEvents),
        3,
        "{r}"
    );
    assert_eq!(count(&s.get("/api/v1/audit?kind=user").await.1), 0);
    assert_eq!(count(&s.get("/api/v1/audit?kind=admin").await.1), 2);
}

//! Three copies of the real `portico serve` on one PostgreSQL database with one issuer, as
//! behind a load balancer: what one copy does, the others honour.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Connection;

use crate::binary::{free_port, open, spawn_binary, user_add, Running};
use crate::common::{read, Backend, TestDb};
use crate::flows::{console_tokens, pkce_pair, Browser, PASSWORD};

/// How long a change on one copy may take to reach the others (the target is 1 s).
const PROPAGATION: Duration = Duration::from_secs(1);

struct Fleet {
    db: TestDb,
    copies: Vec<Running>,
    http: reqwest::Client,
}

impl Fleet {
    /// Starts `n` copies at the same instant on an empty database, all with the first
    /// copy's address as their issuer.
    async fn start(n: usize) -> Fleet {
        let db = TestDb::new(Backend::Postgres).await;
        let ports: Vec<_> = (0..n).map(|_| (free_port(), free_port())).collect();
        let issuer = format!("http://127.0.0.1:{}", ports[0].0);
        let mut copies: Vec<_> = ports
            .iter()
            .map(|&p| {
                spawn_binary(
                    &db.url,
                    Some(PASSWORD),
                    p,
                    &["--issuer", &issuer, "--shutdown-delay", "0"],
                )
            })
            .collect();
        for c in &mut copies {
            c.wait_ready().await;
        }
        Fleet {
            db,
            copies,
            http: reqwest::Client::new(),
        }
    }

    fn base(&self, i: usize) -> &str {
        &self.copies[i].base
    }

    async fn form(&self, i: usize, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.base(i)))
            .form(form)
            .send()
            .await
            .unwrap();
        let (status, body) = read(res).await;
        (status.as_u16(), body)
    }

    async fn refresh(&self, i: usize, token: &str) -> (u16, Value) {
        self.form(
            i,
            "/oauth2/token",
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", token),
                ("client_id", "portico-console"),
            ],
        )
        .await
    }

    async fn me(&self, i: usize, token: &str) -> u16 {
        self.http
            .get(format!("{}/api/v1/me", self.base(i)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Signs `username` in at copy 0 (the issuer) through the console client.
    async fn console_tokens(&self, username: &str, scope: &str) -> Value {
        console_tokens(&Browser::at(self.base(0)), username, scope).await
    }

    fn stop(self) {
        for c in self.copies {
            crate::binary::sigterm_and_wait(c);
        }
    }
}

/// Polls `check` on every copy in `copies` until each returns true; panics after
/// `PROPAGATION` (plus a little for the poll itself) with how long it waited.
async fn within_propagation<F, Fut>(what: &str, copies: &[usize], check: F) -> Duration
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    for &i in copies {
        loop {
            if check(i).await {
                break;
            }
            assert!(
                start.elapsed() < PROPAGATION,
                "{what}: copy {i} still disagrees after {:?}",
                start.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_copies_started_at_once_agree_on_one_key_set_and_one_admin() {
    let fleet = Fleet::start(3).await;
    let mut jwks = Vec::new();
    for i in 0..3 {
        let res = reqwest::get(format!("{}/oauth2/jwks", fleet.base(i)))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        jwks.push(res.json::<Value>().await.unwrap());
    }
    assert_eq!(jwks[0]["keys"].as_array().unwrap().len(), 2, "{}", jwks[0]);
    assert_eq!(jwks[0], jwks[1]);
    assert_eq!(jwks[0], jwks[2]);
    let (store, stores) = open(&fleet.db.url).await;
    assert_eq!(stores.users.count_users().await.unwrap(), 1);
    store.close().await;
    // The one admin signs in at any copy, and its token opens the API at every copy.
    let admin = fleet.console_tokens("admin", "openid admin").await;
    let token = admin["access_token"].as_str().unwrap();
    for i in 0..3 {
        assert_eq!(fleet.me(i, token).await, 200, "copy {i}");
    }
    fleet.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_from_one_copy_is_redeemed_at_another_and_refused_at_a_third() {
    let fleet = Fleet::start(3).await;
    assert!(user_add(&fleet.db.url, &["alice"], PASSWORD)
        .status
        .success());
    let admin = fleet.console_tokens("admin", "openid admin").await;
    let res = fleet
        .http
        .post(format!("{}/api/v1/apps", fleet.base(1)))
        .bearer_auth(admin["access_token"].as_str().unwrap())
        .json(&json!({"type": "web", "name": "Fleet web app",
                      "redirect_uris": ["https://app.example/cb"]}))
        .send()
        .await
        .unwrap();
    let (status, app) = read(res).await;
    assert_eq!(status, 201, "{app}");
    let client_id = app["client_id"].as_str().unwrap();
    let secret = app["client_secret"].as_str().unwrap();

    // Authorized at copy 0 (the app was created at copy 1) …
    let (verifier, challenge) = pkce_pair();
    let got = Browser::at(fleet.base(0))
        .run(
            &[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", "https://app.example/cb"),
                ("scope", "openid"),
                ("state", "s"),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
            "alice",
            "allow",
        )
        .await;
    let code = got["code"].clone();
    let exchange = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", "https://app.example/cb"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("code_verifier", verifier.as_str()),
    ];
    // … redeemed at copy 1 …
    let (status, tokens) = fleet.form(1, "/oauth2/token", &exchange).await;
    assert_eq!(status, 200, "{tokens}");
    // … and a replay at copy 2 is refused (RFC 6749 §4.1.2: single use).
    let (status, body) = fleet.form(2, "/oauth2/token", &exchange).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    fleet.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_an_app_for_all_users_at_one_copy_ends_its_tokens_at_every_copy() {
    let fleet = Fleet::start(2).await;
    assert!(user_add(&fleet.db.url, &["alice"], PASSWORD)
        .status
        .success());
    let admin = fleet.console_tokens("admin", "openid admin").await;
    let admin = admin["access_token"].as_str().unwrap();
    let res = fleet
        .http
        .post(format!("{}/api/v1/apps", fleet.base(0)))
        .bearer_auth(admin)
        .json(&json!({"type": "web", "name": "Fleet web app",
                      "redirect_uris": ["https://app.example/cb"]}))
        .send()
        .await
        .unwrap();
    let (status, app) = read(res).await;
    assert_eq!(status, 201, "{app}");
    let client_id = app["client_id"].as_str().unwrap();
    let secret = app["client_secret"].as_str().unwrap();
    let got = Browser::at(fleet.base(0))
        .run(
            &[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", "https://app.example/cb"),
                ("scope", "openid"),
            ],
            "alice",
            "allow",
        )
        .await;
    let (status, tokens) = fleet
        .form(
            0,
            "/oauth2/token",
            &[
                ("grant_type", "authorization_code"),
                ("code", got["code"].as_str()),
                ("redirect_uri", "https://app.example/cb"),
                ("client_id", client_id),
                ("client_secret", secret),
            ],
        )
        .await;
    assert_eq!(status, 200, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    // Copy 1 has verified (and cached) the token before the revocation.
    assert_eq!(fleet.me(1, access).await, 200);
    let res = fleet
        .http
        .delete(format!("{}/api/v1/apps/{client_id}/grants", fleet.base(0)))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    let (status, ended) = read(res).await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(ended["grants"], 1);
    let f = &fleet;
    within_propagation("revoke for all users", &[0, 1], |i| async move {
        f.me(i, access).await == 401
    })
    .await;
    fleet.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_replayed_at_a_third_copy_revokes_the_family_at_every_copy() {
    let fleet = Fleet::start(3).await;
    assert!(user_add(&fleet.db.url, &["alice"], PASSWORD)
        .status
        .success());
    let first = fleet.console_tokens("alice", "openid offline_access").await;
    let old = first["refresh_token"].as_str().unwrap();
    // Rotated at copy 1 …
    let (status, second) = fleet.refresh(1, old).await;
    assert_eq!(status, 200, "{second}");
    let access = second["access_token"].as_str().unwrap();
    for i in 0..3 {
        assert_eq!(fleet.me(i, access).await, 200);
    }
    // … the rotated one replayed at copy 2: theft (RFC 9700 §4.14.2) …
    let (status, body) = fleet.refresh(2, old).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    // … so the current refresh token is dead at every copy …
    let current = second["refresh_token"].as_str().unwrap();
    let (status, _) = fleet.refresh(0, current).await;
    assert_eq!(status, 400);
    // … and so are the family's access tokens, at every copy within the propagation target.
    let f = &fleet;
    let took = within_propagation("family revocation", &[0, 1, 2], |i| async move {
        f.me(i, access).await == 401
    })
    .await;
    eprintln!("family revocation reached every copy in {took:?}");
    fleet.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_or_an_app_deletion_at_one_copy_is_honoured_by_the_others_within_a_second() {
    let fleet = Fleet::start(3).await;
    assert!(user_add(&fleet.db.url, &["alice"], PASSWORD)
        .status
        .success());
    let admin = fleet.console_tokens("admin", "openid admin").await;
    let admin_token = admin["access_token"].as_str().unwrap().to_owned();

    // RFC 7009 revocation at copy 2 of a token every copy has already seen (and cached).
    let alice = fleet.console_tokens("alice", "openid offline_access").await;
    let access = alice["access_token"].as_str().unwrap();
    for i in 0..3 {
        assert_eq!(fleet.me(i, access).await, 200);
    }
    let (status, _) = fleet
        .form(
            2,
            "/oauth2/revoke",
            &[
                ("token", alice["refresh_token"].as_str().unwrap()),
                ("client_id", "portico-console"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let f = &fleet;
    let took = within_propagation("revocation", &[0, 1], |i| async move {
        f.me(i, access).await == 401
    })
    .await;
    eprintln!("revocation at copy 2 reached copies 0 and 1 in {took:?}");

    // An app deleted at copy 0, while copies 1 and 2 have it cached.
    let res = fleet
        .http
        .post(format!("{}/api/v1/apps", fleet.base(0)))
        .bearer_auth(&admin_token)
        .json(&json!({"type": "machine_to_machine", "name": "Deleted soon"}))
        .send()
        .await
        .unwrap();
    let (status, app) = read(res).await;
    assert_eq!(status, 201, "{app}");
    let id = app["client_id"].as_str().unwrap().to_owned();
    let secret = app["client_secret"].as_str().unwrap().to_owned();
    let cc = |i: usize| {
        let (id, secret) = (id.clone(), secret.clone());
        async move {
            f.form(
                i,
                "/oauth2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                ],
            )
            .await
            .0
        }
    };
    for i in 0..3 {
        assert_eq!(cc(i).await, 200, "copy {i} before the deletion");
    }
    let res = fleet
        .http
        .delete(format!("{}/api/v1/apps/{id}", fleet.base(0)))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let took = within_propagation("app deletion", &[1, 2], |i| {
        let cc = cc(i);
        async move { cc.await == 401 }
    })
    .await;
    eprintln!("app deletion at copy 0 reached copies 1 and 2 in {took:?}");
    fleet.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_spread_over_three_copies_share_one_budget() {
    let fleet = Fleet::start(3).await;
    assert!(user_add(&fleet.db.url, &["alice"], PASSWORD)
        .status
        .success());
    let browser = Browser::at(fleet.base(0));
    let (_, challenge) = pkce_pair();
    let callback = format!("{}/auth/callback", fleet.base(0));
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", "portico-console"),
            ("redirect_uri", &callback),
            ("scope", "openid"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("state", "s"),
        ])
        .await;
    let interaction = landing.interaction().to_owned();
    let attempt = |i: usize, password: &'static str| {
        let url = format!("{}/api/v1/interactions/{interaction}/login", fleet.base(i));
        let (cookie, origin, http) = (
            browser.cookie_header(),
            fleet.base(0).to_owned(),
            fleet.http.clone(),
        );
        async move {
            http.post(url)
                .header("cookie", cookie)
                .header("origin", origin)
                .json(&json!({"username": "alice", "password": password}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // 12 wrong passwords at once, four at each copy.
    let tasks: Vec<_> = (0..12)
        .map(|n| tokio::spawn(attempt(n % 3, "not her password")))
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let judged = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(judged + refused, 12, "{statuses:?}");
    assert!(judged <= 5, "{judged} judged over the fleet: {statuses:?}");
    // The budget is spent at every copy, for the right password too, until the window ends.
    for i in 0..3 {
        assert_eq!(attempt(i, PASSWORD).await, 429, "copy {i}");
    }
    fleet.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_client_secrets_spread_over_three_copies_share_one_budget() {
    let fleet = Fleet::start(3).await;
    let admin = fleet.console_tokens("admin", "openid admin").await;
    let res = fleet
        .http
        .post(format!("{}/api/v1/apps", fleet.base(0)))
        .bearer_auth(admin["access_token"].as_str().unwrap())
        .json(&json!({"type": "machine_to_machine", "name": "Guessed at"}))
        .send()
        .await
        .unwrap();
    let (status, app) = read(res).await;
    assert_eq!(status, 201, "{app}");
    let id = app["client_id"].as_str().unwrap().to_owned();
    let secret = app["client_secret"].as_str().unwrap().to_owned();
    let f = &fleet;
    let cc = |i: usize, secret: String| {
        let id = id.clone();
        async move {
            f.form(
                i,
                "/oauth2/token",
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", &id),
                    ("client_secret", &secret),
                ],
            )
            .await
            .0
        }
    };
    // The right secret at every copy: judged there alone, no failure anywhere yet.
    for i in 0..3 {
        assert_eq!(cc(i, secret.clone()).await, 200, "copy {i}");
    }
    // 90 wrong secrets at once, 30 at each copy; a copy alone would judge 20.
    let guesses: Vec<_> = (0..90)
        .map(|n| {
            let (http, url, id) = (
                fleet.http.clone(),
                format!("{}/oauth2/token", fleet.base(n % 3)),
                id.clone(),
            );
            tokio::spawn(async move {
                let form = [
                    ("grant_type", "client_credentials".to_owned()),
                    ("client_id", id),
                    ("client_secret", format!("guess-{n}")),
                ];
                http.post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for g in guesses {
        statuses.push(g.await.unwrap());
    }
    let judged = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(judged + refused, 90, "{statuses:?}");
    eprintln!("90 wrong client secrets over 3 copies: {judged} judged, {refused} refused");
    // One budget of 20 for the fleet: every failure is one atomic count per key in the
    // database, and a failure counted beyond the budget under either key (client and
    // address, address) is answered 429. The two keys' counts can interleave between
    // concurrent failures, so a few fewer than 20 may be judged, never more.
    assert!(
        (10..=20).contains(&judged),
        "{judged} judged over the fleet: {statuses:?}"
    );
    // Spent at every copy, for the right secret too, until the window ends.
    for i in 0..3 {
        assert_eq!(cc(i, secret.clone()).await, 429, "copy {i}");
    }
    fleet.stop();
}

/// Every copy's listening connection is cut (a database failover, a network blip, an
/// operator's `pg_terminate_backend`): each copy listens again on its own, with no write to
/// wake it, says so in its log, and honours the next revocation as fast as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copies_that_lose_their_listening_connection_listen_again_and_say_so() {
    let fleet = Fleet::start(2).await;
    assert!(user_add(&fleet.db.url, &["alice"], PASSWORD)
        .status
        .success());
    let ready = |i: usize| {
        let url = format!("{}/health/ready", fleet.copies[i].management);
        async move { reqwest::get(url).await.unwrap().status().as_u16() }
    };
    for i in 0..2 {
        assert_eq!(ready(i).await, 200);
    }
    let mut conn = sqlx::PgConnection::connect(&fleet.db.url).await.unwrap();
    let cut: i64 = sqlx::query_scalar(
        "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(cut, 2, "one listening connection per copy");
    // Ready again on their own, with nothing written in between.
    let start = Instant::now();
    for i in 0..2 {
        while ready(i).await != 200 {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "copy {i} not listening again"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // The cut backends may still be listed for a moment while they exit.
    loop {
        let listening: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity
             WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        if listening == 2 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{listening} listening connections, not one per copy"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // And a revocation at one copy still reaches the other within the target.
    let alice = fleet.console_tokens("alice", "openid offline_access").await;
    let access = alice["access_token"].as_str().unwrap();
    assert_eq!(fleet.me(1, access).await, 200);
    let (status, _) = fleet
        .form(
            0,
            "/oauth2/revoke",
            &[
                ("token", alice["refresh_token"].as_str().unwrap()),
                ("client_id", "portico-console"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let f = &fleet;
    within_propagation("revocation after a reconnect", &[1], |i| async move {
        f.me(i, access).await == 401
    })
    .await;
    let (log, _) = {
        let mut copies = fleet.copies;
        let last = copies.pop().unwrap();
        for c in copies {
            crate::binary::sigterm_and_wait(c);
        }
        crate::binary::sigterm_and_wait(last)
    };
    assert!(log.contains("listening again"), "{log}");
}

//! Crash safety of the real binary: what `portico serve` acknowledged before it was killed
//! with SIGKILL (no shutdown code runs) is all there after a restart. SQLite commits in WAL
//! mode with `synchronous = NORMAL` (durable across a process crash); PostgreSQL commits
//! with its default `synchronous_commit = on`.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::binary::{free_port, start_binary_on, user_add, Running};
use crate::common::{read, Backend, TestDb};
use crate::flows::{console_tokens, Browser, PASSWORD};
use crate::on_both_databases;

on_both_databases!(every_acknowledged_write_survives_sigkill);

const CHAINS: usize = 3;
const ROTATIONS: usize = 4;

fn sigkill(r: &mut Running) {
    let status = Command::new("kill")
        .args(["-KILL", &r.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while r.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "SIGKILL did not stop the server");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn refresh(http: &reqwest::Client, base: &str, token: &str) -> (u16, Value) {
    let res = http
        .post(format!("{base}/oauth2/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", "portico-console"),
        ])
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    (status.as_u16(), body)
}

async fn every_acknowledged_write_survives_sigkill(b: Backend) {
    let db = TestDb::new(b).await;
    let ports = (free_port(), free_port());
    let mut running = start_binary_on(&db.url, Some(PASSWORD), ports, &[]).await;
    let base = running.base.clone();
    let out = user_add(&db.url, &["alice"], PASSWORD);
    assert!(out.status.success());
    let http = reqwest::Client::new();

    // An admin (through the console client, as the console signs in) creates an app.
    let admin = console_tokens(&Browser::at(&base), "admin", "openid admin").await;
    let admin_token = admin["access_token"].as_str().unwrap().to_owned();
    let res = http
        .post(format!("{base}/api/v1/apps"))
        .bearer_auth(&admin_token)
        .json(&json!({"type": "machine_to_machine", "name": "Created before the crash"}))
        .send()
        .await
        .unwrap();
    let (status, app) = read(res).await;
    assert_eq!(status, 201, "{app}");
    let client_id = app["client_id"].as_str().unwrap().to_owned();
    let secret = app["client_secret"].as_str().unwrap().to_owned();

    // Several refresh chains of alice's, each rotated a few times, side by side.
    let mut chains = Vec::new();
    for _ in 0..CHAINS {
        let t = console_tokens(&Browser::at(&base), "alice", "openid offline_access").await;
        chains.push(t["refresh_token"].as_str().unwrap().to_owned());
    }
    let mut last = Vec::new();
    for _ in 0..ROTATIONS {
        // All chains at once, as several clients would.
        let tasks: Vec<_> = chains
            .iter()
            .map(|t| {
                let (http, base, t) = (http.clone(), base.clone(), t.clone());
                tokio::spawn(async move { refresh(&http, &base, &t).await })
            })
            .collect();
        last.clear();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 200, "{body}");
            last.push(body);
        }
        chains = last
            .iter()
            .map(|b| b["refresh_token"].as_str().unwrap().to_owned())
            .collect();
    }
    // Killed the moment the last rotations were acknowledged.
    sigkill(&mut running);
    let (log, _) = crate::binary::output(running);
    assert!(!log.contains("stopped"), "no shutdown code ran: {log}");

    let running = start_binary_on(&db.url, None, ports, &["--shutdown-delay", "0"]).await;
    // The app and its secret are there.
    let res = http
        .post(format!("{base}/oauth2/token"))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    let (status, body) = read(res).await;
    assert_eq!(status, 200, "the app created before the crash: {body}");
    // Every access token handed out last still opens the API, and every refresh token
    // handed out last still refreshes (so its rotation, too, was kept).
    for tokens in &last {
        let res = http
            .get(format!("{base}/api/v1/me"))
            .bearer_auth(tokens["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    for token in &chains {
        let (status, body) = refresh(&http, &base, token).await;
        assert_eq!(status, 200, "{body}");
    }
    crate::binary::sigterm_and_wait(running);
}

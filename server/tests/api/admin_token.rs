//! `portico admin-token`: a console admin token for scripts on the server's machine, checked
//! by the admin API exactly as a console token is, and audited.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

use crate::binary::{start_binary, user_add, Running, BIN};
use crate::common::{Backend, TestDb};
use crate::on_both_databases;

on_both_databases!(
    admin_token_opens_the_admin_api_and_is_audited,
    admin_token_is_refused_for_non_admins_and_bad_lifetimes,
    admin_token_stops_working_when_revoked_or_the_admin_is_disabled
);

/// Runs `portico admin-token` for the server `r` (its issuer comes from `--addr`).
fn admin_token(db: &str, r: &Running, args: &[&str]) -> std::process::Output {
    let addr = r.base.trim_start_matches("http://");
    Command::new(BIN)
        .arg("admin-token")
        .args(["--database-url", db, "--addr", addr])
        .args(args)
        .env_remove("PORTICO_ISSUER")
        .output()
        .unwrap()
}

fn token_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout is the token alone: {stdout}");
    lines[0].to_owned()
}

async fn get(r: &Running, path: &str, token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}{path}", r.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn admin_token_opens_the_admin_api_and_is_audited(b: Backend) {
    let db = TestDb::new(b).await;
    let r = start_binary(&db.url, Some("bootstrap password")).await;
    let out = admin_token(&db.url, &r, &["--ttl", "10m"]);
    let token = token_of(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("valid for 10m"), "{stderr}");
    assert!(!stderr.contains(&token), "the token is on stdout only");

    let (status, apps) = get(&r, "/api/v1/apps", &token).await;
    assert_eq!(status, StatusCode::OK, "{apps}");
    // The token is the console's, for the admin, with the lifetime asked for.
    let claims = crate::flows::jwt_claims(&token);
    assert_eq!(claims["client_id"], "portico-console");
    assert_eq!(claims["iss"], r.base.as_str());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        600
    );

    let (status, page) = get(&r, "/api/v1/audit?action=admin_token.issue", &token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{page}");
    assert_eq!(entries[0]["actor"], "cli");
    assert_eq!(entries[0]["kind"], "security");
    let detail = entries[0]["detail"].as_str().unwrap();
    assert!(detail.contains("admin token for admin"), "{detail}");
    assert!(detail.contains(claims["jti"].as_str().unwrap()), "{detail}");
    assert!(!detail.contains(&token));
}

async fn admin_token_is_refused_for_non_admins_and_bad_lifetimes(b: Backend) {
    let db = TestDb::new(b).await;
    let r = start_binary(&db.url, Some("bootstrap password")).await;
    assert!(user_add(&db.url, &["bob"], "a long enough password")
        .status
        .success());
    for (args, says) in [
        (&["--username", "bob"][..], "is not an administrator"),
        (&["--username", "nobody"][..], "no user named"),
        (&["--ttl", "2h"][..], "between 1m and 1h"),
        (&["--ttl", "30"][..], "Add a unit"),
    ] {
        let out = admin_token(&db.url, &r, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} printed a token");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // Nothing was handed out, so nothing is in the log.
    let token = token_of(&admin_token(&db.url, &r, &[]));
    let (_, page) = get(&r, "/api/v1/audit?action=admin_token.issue", &token).await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 1, "{page}");

    // A token minted for another issuer (the default address, not this server's) is
    // refused: `iss` and `aud` must be the server's own.
    let out = Command::new(BIN)
        .args(["admin-token", "--database-url", &db.url])
        .env_remove("PORTICO_ISSUER")
        .env_remove("PORTICO_ADDR")
        .output()
        .unwrap();
    let (status, _) = get(&r, "/api/v1/apps", &token_of(&out)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn admin_token_stops_working_when_revoked_or_the_admin_is_disabled(b: Backend) {
    let db = TestDb::new(b).await;
    let r = start_binary(&db.url, Some("bootstrap password")).await;
    let revoked = token_of(&admin_token(&db.url, &r, &[]));
    let kept = token_of(&admin_token(&db.url, &r, &[]));
    // RFC 7009: revoked like any console token.
    let res = reqwest::Client::new()
        .post(format!("{}/oauth2/revoke", r.base))
        .form(&[
            ("token", revoked.as_str()),
            ("client_id", "portico-console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        get(&r, "/api/v1/apps", &revoked).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(get(&r, "/api/v1/apps", &kept).await.0, StatusCode::OK);

    let out = Command::new(BIN)
        .args(["user", "disable", "admin", "--database-url", &db.url])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        get(&r, "/api/v1/apps", &kept).await.0,
        StatusCode::UNAUTHORIZED
    );
    let out = admin_token(&db.url, &r, &[]);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is disabled"));
}

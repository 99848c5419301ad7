//! The management listener of the real binary: health probes, metrics, and the drain on
//! SIGTERM that lets a load balancer take a copy out without failing a request.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::binary::{start_binary, start_binary_with, Running};
use crate::common::{Backend, TestDb};
use crate::on_both_databases;

on_both_databases!(
    health_and_metrics_answer_on_the_management_address_only,
    sigterm_turns_ready_to_503_keeps_serving_then_finishes_requests_in_flight,
);

async fn get_json(url: &str) -> (u16, Value) {
    let res = reqwest::get(url).await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn health_and_metrics_answer_on_the_management_address_only(b: Backend) {
    let db = TestDb::new(b).await;
    let running = start_binary(&db.url, Some("a bootstrap password")).await;
    let m = &running.management;

    assert_eq!(
        get_json(&format!("{m}/health/live")).await,
        (200, serde_json::json!({"status": "live"}))
    );
    let res = reqwest::get(format!("{m}/health/ready")).await.unwrap();
    assert_eq!(
        res.headers()["cache-control"],
        "no-store",
        "probes never see a cached answer"
    );
    // The public port answers first; readiness waits for the change listener (PostgreSQL)
    // too, which a busy machine may take a moment to connect.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let ready = loop {
        let (status, ready) = get_json(&format!("{m}/health/ready")).await;
        if status == 200 {
            break ready;
        }
        assert!(std::time::Instant::now() < deadline, "{status} {ready}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(ready["status"], "ready");

    // Nothing of it is reachable through the public address (there these paths fall to
    // the console, which is not built in this test).
    for path in ["/health/live", "/health/ready", "/metrics"] {
        let res = reqwest::get(format!("{}{path}", running.base))
            .await
            .unwrap();
        assert_ne!(res.status(), 200, "{path} on the public address");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("live") && !body.contains("portico_"),
            "{body}"
        );
    }

    // Some traffic: a failed client authentication and two discovery reads.
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{}/oauth2/token", running.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "nobody"),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    for _ in 0..2 {
        let res = http
            .get(format!(
                "{}/.well-known/oauth-authorization-server",
                running.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    let res = reqwest::get(format!("{m}/metrics")).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = res.text().await.unwrap();
    for line in [
        r#"portico_http_requests_total{route="/oauth2/token",method="POST",status="401"} 1"#,
        r#"portico_http_requests_total{route="/.well-known/oauth-authorization-server",method="GET",status="200"} 2"#,
        r#"portico_http_request_duration_seconds_count{route="/oauth2/token"} 1"#,
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    // Unknown paths never become label values.
    assert!(text.contains(r#"route="other""#), "{text}");
    assert!(!text.contains("/health/"), "{text}");
    // Families without labels are there from the start, at 0.
    for family in [
        "portico_db_pool_connections",
        "portico_refresh_reuse_detected_total",
        "portico_signin_failures_total",
        "portico_signin_lockouts_total",
        "portico_notification_lag_seconds",
        "portico_db_writer_jobs",
    ] {
        assert!(
            text.contains(&format!("# TYPE {family}")),
            "no {family} in\n{text}"
        );
    }
    let writer_max = text
        .lines()
        .find(|l| l.starts_with(r#"portico_db_pool_connections{pool="writer",state="max"}"#))
        .unwrap_or_else(|| panic!("no writer pool size in\n{text}"));
    assert!(!writer_max.ends_with(" 0"), "{writer_max}");
    assert!(
        text.contains(r#"portico_db_pool_waiting{pool="writer"} 0"#),
        "no writer pool waiters in\n{text}"
    );
    crate::binary::sigterm_and_wait(running);
}

/// Sends a request's headers and half its body, so the server holds a request in flight.
fn half_sent_request(base: &str) -> TcpStream {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    let body = "grant_type=client_credentials&client_id=nobody&client_secret=wrong";
    write!(
        s,
        "POST /oauth2/token HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    s.flush().unwrap();
    s
}

fn finish_request(mut s: TcpStream) -> String {
    let body = "grant_type=client_credentials&client_id=nobody&client_secret=wrong";
    s.write_all(&body.as_bytes()[10..]).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut answer = vec![0u8; 4096];
    let n = s.read(&mut answer).unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

fn sigterm(r: &Running) {
    let status = Command::new("kill")
        .args(["-TERM", &r.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

async fn sigterm_turns_ready_to_503_keeps_serving_then_finishes_requests_in_flight(b: Backend) {
    let db = TestDb::new(b).await;
    let mut running = start_binary_with(
        &db.url,
        Some("a bootstrap password"),
        &["--shutdown-delay", "2", "--shutdown-timeout", "4"],
    )
    .await;
    let m = running.management.clone();
    let discovery = format!("{}/.well-known/oauth-authorization-server", running.base);
    // One request that will finish after the listener closed, one that never finishes.
    let finishing = half_sent_request(&running.base);
    let stuck = half_sent_request(&running.base);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let signalled = Instant::now();
    sigterm(&running);
    // Readiness turns at once …
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let (status, body) = get_json(&format!("{m}/health/ready")).await;
        if status == 503 {
            assert_eq!(body["status"], "not_ready");
            assert!(body["reason"].as_str().unwrap().starts_with("draining"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "ready still {status} after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // … while the copy keeps serving new requests for the delay.
    let res = reqwest::get(&discovery).await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(signalled.elapsed() < Duration::from_secs(2));

    // After the delay the listener is closed: new connections are refused.
    tokio::time::sleep(Duration::from_millis(2300).saturating_sub(signalled.elapsed())).await;
    let fresh = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
        .get(&discovery)
        .send()
        .await;
    assert!(
        fresh.is_err(),
        "a new connection was served after the delay"
    );
    // The request in flight still gets its whole answer.
    let answer = tokio::task::spawn_blocking(move || finish_request(finishing))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("invalid_client"), "{answer}");

    // The stuck one is given up after the timeout, and the process still exits 0.
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "did not exit after the timeout");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a drained copy exits 0, got {status}");
    let took = signalled.elapsed();
    assert!(
        took >= Duration::from_secs(6) - Duration::from_millis(300),
        "exited after {took:?}, before delay + timeout although a request was in flight"
    );
    drop(stuck);
    let (log, _) = crate::binary::output(running);
    assert!(log.contains("draining"), "{log}");
    assert!(log.contains("shutdown timeout"), "{log}");
}

//! No secret, password or token reaches a log line, even at TRACE level.

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::common::{Backend, TestServer};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// A current-thread runtime: every server task runs on this thread, under this subscriber.
async fn nothing_secret_is_logged(b: Backend) {
    let captured = Captured::default();
    let sink = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = TestServer::start(b).await;
    let web = s.create_app("web", "Logged").await;
    let id = web["client_id"].as_str().unwrap();
    let first = web["client_secret"].as_str().unwrap().to_owned();
    let (_, second) = s
        .post(&format!("/api/v1/apps/{id}/secrets"), json!({}))
        .await;
    let m2m = s.create_app("machine_to_machine", "Keys").await;
    let (_, pair) = s
        .post(
            &format!(
                "/api/v1/apps/{}/key-pairs",
                m2m["client_id"].as_str().unwrap()
            ),
            json!({"alg": "ES256"}),
        )
        .await;
    let res = s
        .http
        .get(s.url("/api/v1/apps"))
        .bearer_auth("not-a-real-token-but-secretish")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("app created"),
        "the capture works: {}",
        &logs[..logs.len().min(500)]
    );
    let private_line = pair["private_key_pem"]
        .as_str()
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    let token_signature = s.admin_token.rsplit('.').next().unwrap().to_owned();
    for (what, secret) in [
        ("first secret", first.as_str()),
        ("second secret", second["client_secret"].as_str().unwrap()),
        ("private key", private_line.as_str()),
        ("admin token", token_signature.as_str()),
        ("bad token", "not-a-real-token-but-secretish"),
        ("password", "correct horse battery"),
    ] {
        assert!(!logs.contains(secret), "the {what} reached the log");
    }
}

mod sqlite {
    #[tokio::test]
    async fn nothing_secret_is_logged() {
        super::nothing_secret_is_logged(crate::common::Backend::Sqlite).await
    }
}

mod postgres {
    #[tokio::test]
    async fn nothing_secret_is_logged() {
        super::nothing_secret_is_logged(crate::common::Backend::Postgres).await
    }
}

//! Logos (type from the bytes, size limit, public read) and the audit log.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Backend, TestServer};
use crate::on_both_databases;

on_both_databases!(
    png_jpeg_and_webp_logos_are_served_publicly,
    svg_fake_png_and_oversized_logos_are_refused,
    removing_a_logo,
    audit_records_every_change_newest_first_and_pages,
);

/// A real 1×1 PNG.
pub const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn jpeg() -> Vec<u8> {
    let mut j = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    j.extend_from_slice(&[0u8; 32]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

fn webp() -> Vec<u8> {
    let payload = [0x2F, 0x00, 0x00, 0x00, 0x00, 0x00];
    let mut w = b"RIFF".to_vec();
    w.extend_from_slice(&((4 + 8 + payload.len()) as u32).to_le_bytes());
    w.extend_from_slice(b"WEBPVP8L");
    w.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    w.extend_from_slice(&payload);
    w
}

async fn put_logo(s: &TestServer, id: &str, bytes: Vec<u8>, content_type: &str) -> StatusCode {
    s.req(Method::PUT, &format!("/api/v1/apps/{id}/logo"))
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap()
        .status()
}

async fn png_jpeg_and_webp_logos_are_served_publicly(b: Backend) {
    let s = TestServer::start(b).await;
    let app = s.create_app("single_page", "S").await;
    let id = app["client_id"].as_str().unwrap();
    assert_eq!(app["logo_url"], serde_json::Value::Null);
    // The Content-Type header is not trusted: the bytes decide.
    for (bytes, sent_as, served_as) in [
        (PNG_1X1.to_vec(), "application/octet-stream", "image/png"),
        (jpeg(), "image/png", "image/jpeg"),
        (webp(), "image/webp", "image/webp"),
    ] {
        assert_eq!(
            put_logo(&s, id, bytes.clone(), sent_as).await,
            StatusCode::NO_CONTENT
        );
        let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
        let url = app["logo_url"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&format!("/api/v1/apps/{id}/logo")));
        // No token needed: consent pages show it to end users.
        let res = s.http.get(s.url(&url)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], served_as);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    }
    // Each upload changes the URL, so caches never show an old logo.
    let (_, a1) = s.get(&format!("/api/v1/apps/{id}")).await;
    put_logo(&s, id, PNG_1X1.to_vec(), "image/png").await;
    let (_, a2) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_ne!(a1["logo_url"], a2["logo_url"]);
}

async fn svg_fake_png_and_oversized_logos_are_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let id = s.create_app("web", "W").await["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec();
    assert_eq!(
        put_logo(&s, &id, svg, "image/svg+xml").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let fake_png = b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>".to_vec();
    assert_eq!(
        put_logo(&s, &id, fake_png, "image/png").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let text = b"just some text pretending".to_vec();
    assert_eq!(
        put_logo(&s, &id, text, "image/png").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        put_logo(&s, &id, Vec::new(), "image/png").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let mut big = PNG_1X1.to_vec();
    big.resize(256 * 1024 + 1, 0);
    assert_eq!(
        put_logo(&s, &id, big, "image/png").await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let mut just_fits = jpeg();
    just_fits.splice(
        20..20,
        std::iter::repeat_n(0u8, 256 * 1024 - just_fits.len()),
    );
    assert_eq!(just_fits.len(), 256 * 1024);
    assert_eq!(
        put_logo(&s, &id, just_fits, "image/jpeg").await,
        StatusCode::NO_CONTENT
    );
    // The refusals were problem JSON and stored nothing but the last good logo.
    let res = s
        .req(Method::PUT, &format!("/api/v1/apps/{id}/logo"))
        .header("content-type", "image/svg+xml")
        .body("<svg/>")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let logo = s
        .http
        .get(s.url(&format!("/api/v1/apps/{id}/logo")))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.headers()["content-type"], "image/jpeg");
}

async fn removing_a_logo(b: Backend) {
    let s = TestServer::start(b).await;
    let id = s.create_app("web", "W").await["client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    put_logo(&s, &id, PNG_1X1.to_vec(), "image/png").await;
    let (status, _) = s.delete(&format!("/api/v1/apps/{id}/logo")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let res = s
        .http
        .get(s.url(&format!("/api/v1/apps/{id}/logo")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, app) = s.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!(app["logo_url"], serde_json::Value::Null);
    let (status, _) = s.delete(&format!("/api/v1/apps/{id}/logo")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Uploading needs the admin token.
    let res = s
        .http
        .put(s.url(&format!("/api/v1/apps/{id}/logo")))
        .body(PNG_1X1.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn audit_records_every_change_newest_first_and_pages(b: Backend) {
    let s = TestServer::start(b).await;
    let app = s.create_app("machine_to_machine", "Audited").await;
    let id = app["client_id"].as_str().unwrap();
    let secret = app["client_secret"].as_str().unwrap().to_owned();
    s.clock.advance(10);
    s.patch(&format!("/api/v1/apps/{id}"), json!({"name": "Renamed"}))
        .await;
    let (_, new_secret) = s
        .post(&format!("/api/v1/apps/{id}/secrets"), json!({}))
        .await;
    s.delete(&format!(
        "/api/v1/apps/{id}/secrets/{}",
        new_secret["id"].as_str().unwrap()
    ))
    .await;
    let (_, key) = s
        .post(
            &format!("/api/v1/apps/{id}/key-pairs"),
            json!({"alg": "ES256"}),
        )
        .await;
    s.delete(&format!(
        "/api/v1/apps/{id}/public-keys/{}",
        key["kid"].as_str().unwrap()
    ))
    .await;
    put_logo(&s, id, crate::logo_audit::PNG_1X1.to_vec(), "image/png").await;
    s.delete(&format!("/api/v1/apps/{id}/logo")).await;
    s.delete(&format!("/api/v1/apps/{id}")).await;

    let (status, page) = s.get("/api/v1/audit").await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "app.delete",
            "logo.delete",
            "logo.set",
            "key.delete",
            "key.generate",
            "secret.delete",
            "secret.create",
            "app.update",
            "app.create"
        ]
    );
    for e in page["entries"].as_array().unwrap() {
        assert_eq!(e["actor"], "root");
        assert_eq!(e["client_id"], id);
    }
    let first = &page["entries"][8];
    assert_eq!(first["at"], 1_800_000_000);
    assert!(first["detail"].as_str().unwrap().contains("Audited"));
    assert_eq!(page["next_before"], serde_json::Value::Null);
    let text = serde_json::to_string(&page).unwrap();
    assert!(
        !text.contains(&secret) && !text.contains(new_secret["client_secret"].as_str().unwrap())
    );

    // Paging: 4 + 4 + 1, no overlaps, no gaps.
    let (_, p1) = s.get("/api/v1/audit?limit=4").await;
    let before = p1["next_before"].as_i64().unwrap();
    let (_, p2) = s
        .get(&format!("/api/v1/audit?limit=4&before={before}"))
        .await;
    let (_, p3) = s
        .get(&format!(
            "/api/v1/audit?limit=4&before={}",
            p2["next_before"].as_i64().unwrap()
        ))
        .await;
    let all: Vec<_> = [p1, p2, p3.clone()]
        .iter()
        .flat_map(|p| p["entries"].as_array().unwrap().clone())
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(all, actions);
    assert_eq!(p3["next_before"], serde_json::Value::Null);
    let (status, problem) = s.get("/api/v1/audit?limit=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["status"], 400);
}

//! `portico-bench-ceiling [ADDR]`: answers every request with the same token response, so
//! the benchmark can show what share of the framework's ceiling each Portico endpoint keeps.

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Router;

/// As long as a real ES256 `client_credentials` response, so the bytes on the wire match.
const TOKEN_RESPONSE: &str = concat!(
    r#"{"access_token":"eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImNlaWxpbmcta2V5In0."#,
    r#"eyJpc3MiOiJodHRwOi8vMTI3LjAuMC4xOjgwOTEiLCJzdWIiOiJjZWlsaW5nLWNsaWVudCIsImF1ZCI6Imh0dHA6"#,
    r#"Ly8xMjcuMC4wLjE6ODA5MSIsImNsaWVudF9pZCI6ImNlaWxpbmctY2xpZW50IiwiaWF0IjoxNzAwMDAwMDAwLCJl"#,
    r#"eHAiOjE3MDAwMDM2MDAsImp0aSI6IjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAifQ."#,
    r#"MEUCIQDceilingceilingceilingceilingceilingceilingceilingAiEAceilingceilingceilingceiling"#,
    r#"","token_type":"Bearer","expires_in":3600}"#
);

async fn token(_body: Bytes) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        TOKEN_RESPONSE,
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8093".to_owned());
    let app = Router::new().fallback(token);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("ceiling listening on {}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

//! `/api/v1/apps/{id}/logo`: PNG, JPEG or WebP up to 256 KiB, the type read from the
//! bytes. SVG is refused: it can carry script, and the logo is shown on consent pages.

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_proto::AuditAction;

use super::apps::{app_gone, audit, load_app_to_change};
use super::auth::Admin;
use crate::http::problem::{ApiError, ApiResult};
use crate::oauth::authority::AppChange;
use crate::state::AppState;
use crate::store::{Logo, StoreError};

pub const LOGO_MAX_BYTES: usize = 256 * 1024;

/// A PNG, JPEG or WebP image file, as bytes.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct LogoImage(#[allow(dead_code)] Vec<u8>);

/// The image type the bytes really are, checked deeper than the magic number so that a
/// renamed text file or a truncated header is refused.
pub fn sniff(b: &[u8]) -> Option<&'static str> {
    // PNG (ISO/IEC 15948 §5.2): signature, then the IHDR chunk of length 13 with a
    // non-zero width and height.
    const PNG_SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
    if b.len() >= 33 && b.starts_with(PNG_SIG) && &b[8..16] == b"\x00\x00\x00\x0dIHDR" {
        let w = u32::from_be_bytes([b[16], b[17], b[18], b[19]]);
        let h = u32::from_be_bytes([b[20], b[21], b[22], b[23]]);
        return (w > 0 && h > 0).then_some("image/png");
    }
    // JPEG (ITU T.81 §B.1.1.2): SOI marker, then another marker; ends with EOI.
    if b.len() >= 4 && b.starts_with(&[0xFF, 0xD8, 0xFF]) && b.ends_with(&[0xFF, 0xD9]) {
        return Some("image/jpeg");
    }
    // WebP (RFC 9649 §2): RIFF, the little-endian size of the rest, "WEBP", a VP8 chunk.
    if b.len() >= 20 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        let size = u32::from_le_bytes([b[4], b[5], b[6], b[7]]) as usize;
        let chunk = &b[12..16];
        let known = chunk == b"VP8 " || chunk == b"VP8L" || chunk == b"VP8X";
        return (size + 8 == b.len() && known).then_some("image/webp");
    }
    None
}

/// Reads the raw body, answering 413 past the logo limit.
async fn body(req: Request, state: &AppState) -> ApiResult<Bytes> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "The logo must be at most {} KiB.",
                LOGO_MAX_BYTES / 1024
            ))
        } else {
            ApiError::BadRequest("The body could not be read.".to_owned())
        }
    })
}

#[utoipa::path(put, path = "/api/v1/apps/{client_id}/logo", tag = "logo", operation_id = "uploadLogo",
    summary = "Upload an app's logo", params(("client_id" = String, Path, description = "The app's client ID")),
    request_body(description = "The image's bytes: PNG, JPEG or WebP, at most 256 KiB; the type is read from the bytes",
        content((LogoImage = "image/png"), (LogoImage = "image/jpeg"), (LogoImage = "image/webp"))),
    responses((status = 204, description = "Stored; the app's `logo_url` changes"),
        (status = 400, description = "The body could not be read"),
        (status = 404, description = "No app has this client ID"),
        (status = 413, description = "The image is larger than 256 KiB"),
        (status = 415, description = "The bytes are not a PNG, JPEG or WebP image (SVG is not accepted)")),
    security(("bearer" = ["admin"])))]
pub async fn put(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
    req: Request,
) -> ApiResult<StatusCode> {
    load_app_to_change(&state, &admin, &client_id, AppChange::Settings).await?;
    let bytes = body(req, &state).await?;
    let Some(content_type) = sniff(&bytes) else {
        return Err(ApiError::UnsupportedMediaType(
            "The logo must be a PNG, JPEG or WebP image (SVG is not accepted).".to_owned(),
        ));
    };
    let now = state.now();
    let detail = format!("uploaded logo ({content_type}, {} bytes)", bytes.len());
    state
        .stores
        .logos
        .set_logo(
            &client_id,
            &Logo {
                content_type: content_type.to_owned(),
                bytes: bytes.to_vec(),
                updated_at: now,
            },
            &audit(&admin, now, AuditAction::LogoSet, &client_id, detail),
        )
        .await
        .map_err(app_gone(&client_id))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(delete, path = "/api/v1/apps/{client_id}/logo", tag = "logo", operation_id = "deleteLogo",
    summary = "Remove an app's logo", params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No app has this client ID, or it has no logo")),
    security(("bearer" = ["admin"])))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
) -> ApiResult<StatusCode> {
    load_app_to_change(&state, &admin, &client_id, AppChange::Settings).await?;
    let now = state.now();
    state
        .stores
        .logos
        .delete_logo(
            &client_id,
            &audit(
                &admin,
                now,
                AuditAction::LogoDelete,
                &client_id,
                "removed logo".to_owned(),
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::NotFound(format!("App {client_id} has no logo.")),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Public: consent pages show the logo to users who hold no admin token.
#[utoipa::path(get, path = "/api/v1/apps/{client_id}/logo", tag = "logo", operation_id = "getLogo",
    summary = "Download an app's logo (no token needed)", params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 200, description = "The image",
            content((LogoImage = "image/png"), (LogoImage = "image/jpeg"), (LogoImage = "image/webp"))),
        (status = 404, description = "No app has this client ID, or it has no logo")),
    security(()))]
pub async fn get(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
) -> ApiResult<Response> {
    let logo = state
        .stores
        .logos
        .get_logo(&client_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("App {client_id:?} has no logo.")))?;
    let mut res = logo.bytes.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&logo.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Belt and braces: even if a browser rendered it as a document, nothing may run.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_real_headers_only() {
        let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        png.extend_from_slice(&[
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
        ]);
        assert_eq!(sniff(&png), Some("image/png"));
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\nnot really a png at all, just text"),
            None
        );
        assert_eq!(
            sniff(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"),
            None
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 0xFF, 0xD9]),
            Some("image/jpeg")
        );
        let mut webp = b"RIFF\x10\x00\x00\x00WEBPVP8 ".to_vec();
        webp.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(sniff(&webp), None, "size field must match");
        let mut webp = b"RIFF\x0e\x00\x00\x00WEBPVP8L\x00\x00\x00\x00\x2f\x00".to_vec();
        webp.truncate(22);
        assert_eq!(sniff(&webp), Some("image/webp"));
    }
}

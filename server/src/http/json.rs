//! A JSON body extractor whose every rejection is a problem JSON with the right status:
//! 415 for another content type, 413 over the size limit, 400 for bad JSON, and 422
//! naming the field for a body of the wrong shape.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use portico_proto::FieldError;
use serde::de::DeserializeOwned;

use super::problem::ApiError;

/// Largest JSON body the admin API reads.
pub const JSON_LIMIT: usize = 64 * 1024;

pub struct ApiJson<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether the request says its body is JSON.
fn says_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json)
}

fn not_json() -> ApiError {
    ApiError::UnsupportedMediaType(
        "Send the body as JSON with Content-Type: application/json.".to_owned(),
    )
}

/// The whole body, within the router's size limit (413 beyond it).
async fn read_body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "The body must be at most {} KiB.",
                JSON_LIMIT / 1024
            ))
        } else {
            ApiError::BadRequest("The body could not be read.".to_owned())
        }
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !says_json(&req) {
            return Err(not_json());
        }
        let bytes = read_body(req, state).await?;
        parse(&bytes).map(ApiJson)
    }
}

/// A JSON body that may be left out: an empty body (what clients send today for
/// `POST …/secrets`) is `None`; anything else is read exactly as `ApiJson` reads it.
pub struct OptionalApiJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = says_json(&req);
        let bytes = read_body(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        if !json {
            return Err(not_json());
        }
        parse(&bytes).map(|v| Self(Some(v)))
    }
}

/// Parses a JSON body, telling syntax errors (400) from shape errors (422, by field).
/// Every admin body is a JSON object; serde alone would also take `[]` for a struct.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        Some(b'[') | Some(b'"') | Some(b't') | Some(b'f') | Some(b'n') | Some(b'-')
        | Some(b'0'..=b'9') => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "",
                "The body must be a JSON object.",
            )]))
        }
        _ => {
            return Err(ApiError::BadRequest(
                "The body is not valid JSON.".to_owned(),
            ))
        }
    }
    // Syntax first, on its own: serde_json reports some shape errors (a number where an
    // enum belongs) as syntax errors, and those are the caller's 422, not a 400.
    if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
        return Err(ApiError::BadRequest(format!(
            "The body is not valid JSON: {e}."
        )));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let inner = e.inner();
            let msg = inner.to_string();
            // serde reports an unknown field at its parent's path; name the field itself.
            if let Some(rest) = msg.strip_prefix("unknown field `") {
                let field = rest.split('`').next().unwrap_or_default();
                return Err(ApiError::Validation(vec![FieldError::new(
                    field,
                    format!("Unknown field `{field}`."),
                )]));
            }
            let path = e.path().to_string();
            let field = if path == "." { String::new() } else { path };
            let message = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            Err(ApiError::Validation(vec![FieldError::new(
                field,
                capitalise(&message),
            )]))
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => String::new(),
    }
}

/// A query-string extractor whose rejection is a 400 problem JSON.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(v)| ApiQuery(v))
            .map_err(|e| {
                ApiError::BadRequest(format!("The query string is not valid: {}.", e.body_text()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_proto::AppInput;

    #[test]
    fn errors_name_the_field() {
        match parse::<AppInput>(br#"{"name": 5}"#) {
            Err(ApiError::Validation(e)) => assert_eq!(e[0].field, "name"),
            other => panic!("{other:?}"),
        }
        match parse::<AppInput>(br#"{"logo": "x"}"#) {
            Err(ApiError::Validation(e)) => assert_eq!(e[0].field, "logo"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse::<AppInput>(b"{"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<AppInput>(b"[]"),
            Err(ApiError::Validation(_))
        ));
    }

    #[test]
    fn content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }
}

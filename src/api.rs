//! The admin and interaction API client: JSON over gloo-net, errors as RFC 9457 problems.

use gloo_net::http::{Request, RequestBuilder, Response};
use portico_proto::Problem;
use serde::de::DeserializeOwned;
use serde::Serialize;

use leptos::prelude::{Get, LocalResource, Signal};

use crate::session::Session;

/// A failed call: the server's problem detail when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub problem: Option<Box<Problem>>,
    pub message: String,
}

impl ApiError {
    fn network(e: impl std::fmt::Display) -> Self {
        ApiError {
            status: 0,
            problem: None,
            message: format!("The server could not be reached: {e}"),
        }
    }

    /// The message for one field, when the server rejected it.
    pub fn field(&self, name: &str) -> Option<String> {
        self.problem
            .as_ref()
            .and_then(|p| p.field_message(name))
            .map(str::to_owned)
    }
}

/// So that a failed read can be shown by an `ErrorBoundary`.
impl std::error::Error for ApiError {}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The body of a successful answer (`null` for 204 No Content), or the problem.
/// Not generic: the network code exists once in the bundle, only parsing is per type.
async fn body_of(res: Response) -> Result<String, ApiError> {
    let status = res.status();
    if res.ok() {
        if status == 204 {
            // Callers of no-content endpoints ask for `()`, which `null` deserializes to.
            return Ok("null".to_owned());
        }
        return res.text().await.map_err(ApiError::network);
    }
    let text = res.text().await.unwrap_or_default();
    let problem: Option<Box<Problem>> = serde_json::from_str(&text).ok();
    let message = match &problem {
        Some(p) if !p.errors.is_empty() => {
            let fields: Vec<String> = p.errors.iter().map(|e| e.message.clone()).collect();
            fields.join(" ")
        }
        Some(p) => p.message().to_owned(),
        None => format!("The server answered HTTP {status}."),
    };
    Err(ApiError {
        status,
        problem,
        message,
    })
}

/// Reads an answer's text as `T` (see [`read`]).
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(ApiError::network)
}

fn to_json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(ApiError::network)
}

fn authorized(req: RequestBuilder, session: &Session) -> RequestBuilder {
    match session.access_token() {
        Some(t) => req.header("authorization", &format!("Bearer {t}")),
        None => req,
    }
}

/// Sends once; on 401 refreshes the session and sends again.
async fn send(
    session: &Session,
    make: &dyn Fn() -> Result<Request, ApiError>,
) -> Result<String, ApiError> {
    let res = make()?.send().await.map_err(ApiError::network)?;
    if res.status() == 401 && session.refresh().await.is_ok() {
        return body_of(make()?.send().await.map_err(ApiError::network)?).await;
    }
    body_of(res).await
}

fn builder(method: &str, path: &str) -> RequestBuilder {
    match method {
        "POST" => Request::post(path),
        "PATCH" => Request::patch(path),
        "PUT" => Request::put(path),
        "DELETE" => Request::delete(path),
        _ => Request::get(path),
    }
}

/// An authorized call with an optional JSON body (already serialized); the answer's text.
pub async fn call(
    session: &Session,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> Result<String, ApiError> {
    send(session, &|| {
        let req = authorized(builder(method, path), session);
        match json {
            Some(body) => req
                .header("content-type", "application/json")
                .body(body)
                .map_err(ApiError::network),
            None => req.build().map_err(ApiError::network),
        }
    })
    .await
}

pub async fn get<T: DeserializeOwned>(session: &Session, path: &str) -> Result<T, ApiError> {
    parse(&call(session, "GET", path, None).await?)
}

pub async fn delete<T: DeserializeOwned>(session: &Session, path: &str) -> Result<T, ApiError> {
    parse(&call(session, "DELETE", path, None).await?)
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    session: &Session,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    parse(&call(session, "POST", path, Some(&to_json(body)?)).await?)
}

pub async fn patch<B: Serialize, T: DeserializeOwned>(
    session: &Session,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    parse(&call(session, "PATCH", path, Some(&to_json(body)?)).await?)
}

/// Sends raw bytes (the logo) with their media type; answers `()` for 204.
pub async fn put_bytes(
    session: &Session,
    path: &str,
    content_type: &str,
    bytes: &[u8],
) -> Result<(), ApiError> {
    send(session, &|| {
        authorized(Request::put(path), session)
            .header("content-type", content_type)
            .body(js_sys::Uint8Array::from(bytes))
            .map_err(ApiError::network)
    })
    .await
    .map(|_| ())
}

async fn public(method: &str, path: &str, json: Option<&str>) -> Result<String, ApiError> {
    let req = builder(method, path);
    let req = match json {
        Some(body) => req
            .header("content-type", "application/json")
            .body(body)
            .map_err(ApiError::network)?,
        None => req.build().map_err(ApiError::network)?,
    };
    body_of(req.send().await.map_err(ApiError::network)?).await
}

/// For the interaction API: same-origin JSON (the browser adds Origin and the cookies).
pub async fn post_public<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    parse(&public("POST", path, Some(&to_json(body)?)).await?)
}

pub async fn get_public<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(&public("GET", path, None).await?)
}

/// A read a page renders: the text of `GET path` (authorized when a session is given),
/// read again whenever `path` changes; a newer answer always replaces an older one. With
/// `path` `None` it never finishes: there is nothing to read yet.
pub type Read = LocalResource<Result<String, ApiError>>;

/// Starts a [`Read`]. Not generic, so every page's read is one `LocalResource` in the
/// bundle; pages turn the text into their type with [`parse`].
pub fn read(session: Option<Session>, path: Signal<Option<String>>) -> Read {
    LocalResource::new(move || {
        let path = path.get();
        async move {
            let Some(path) = path else {
                return std::future::pending().await;
            };
            match &session {
                Some(s) => call(s, "GET", &path, None).await,
                None => public("GET", &path, None).await,
            }
        }
    })
}

/// A [`Read`] of one fixed path.
pub fn read_path(session: Session, path: &str) -> Read {
    read(Some(session), Signal::stored(Some(path.to_owned())))
}

//! The admin and interaction API client: JSON over gloo-net, errors as RFC 9457 problems.

use gloo_net::http::{Request, RequestBuilder, Response};
use portico_proto::Problem;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::auth::session::Session;

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
    #[allow(dead_code)] // used by the admin forms (issue 4)
    pub fn field(&self, name: &str) -> Option<String> {
        self.problem
            .as_ref()
            .and_then(|p| p.field_message(name))
            .map(str::to_owned)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

async fn read<T: DeserializeOwned>(res: Response) -> Result<T, ApiError> {
    let status = res.status();
    if res.ok() {
        if status == 204 {
            // Callers of no-content endpoints ask for `()`, which `null` deserializes to.
            return serde_json::from_str("null").map_err(ApiError::network);
        }
        return res.json::<T>().await.map_err(ApiError::network);
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

fn authorized(req: RequestBuilder, session: &Session) -> RequestBuilder {
    match session.access_token() {
        Some(t) => req.header("authorization", &format!("Bearer {t}")),
        None => req,
    }
}

/// Sends once; on 401 refreshes the session and sends again.
async fn send<T: DeserializeOwned>(
    session: &Session,
    make: impl Fn() -> Result<Request, ApiError>,
) -> Result<T, ApiError> {
    let res = make()?.send().await.map_err(ApiError::network)?;
    if res.status() == 401 && session.refresh().await.is_ok() {
        return read(make()?.send().await.map_err(ApiError::network)?).await;
    }
    read(res).await
}

pub async fn get<T: DeserializeOwned>(session: &Session, path: &str) -> Result<T, ApiError> {
    send(session, || {
        authorized(Request::get(path), session)
            .build()
            .map_err(ApiError::network)
    })
    .await
}

#[allow(dead_code)] // used by the admin pages (issue 4)
pub async fn delete<T: DeserializeOwned>(session: &Session, path: &str) -> Result<T, ApiError> {
    send(session, || {
        authorized(Request::delete(path), session)
            .build()
            .map_err(ApiError::network)
    })
    .await
}

#[allow(dead_code)] // used by the admin pages (issue 4)
pub async fn post<B: Serialize, T: DeserializeOwned>(
    session: &Session,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send(session, || {
        authorized(Request::post(path), session)
            .json(body)
            .map_err(ApiError::network)
    })
    .await
}

#[allow(dead_code)] // used by the admin pages (issue 4)
pub async fn patch<B: Serialize, T: DeserializeOwned>(
    session: &Session,
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    send(session, || {
        authorized(Request::patch(path), session)
            .json(body)
            .map_err(ApiError::network)
    })
    .await
}

/// For the interaction API: same-origin JSON (the browser adds Origin and the cookies).
pub async fn post_public<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, ApiError> {
    let req = Request::post(path).json(body).map_err(ApiError::network)?;
    read(req.send().await.map_err(ApiError::network)?).await
}

pub async fn get_public<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    read(Request::get(path).send().await.map_err(ApiError::network)?).await
}

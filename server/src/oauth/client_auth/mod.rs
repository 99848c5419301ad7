//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3, RFC 7523 §2.2): `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt`, and `none` for public clients. An unknown client and a wrong
//! credential get the same answer, after the same work.
//!
//! This module works out what was presented, reserves the one attempt it costs, and hands
//! the check to the method's module: [`secret`], [`private_key_jwt`] or [`public`].
//!
//! ## What a refusal may say (RFC 6749 §5.2, RFC 7523 §3)
//!
//! A stranger may send anything here, so an `error_description` must not answer a question
//! only a credential's holder should learn: is this the secret (or the key) of that client?
//! Hence ONE answer ([`OAuthError::invalid_client`], byte for byte the same; for a secret
//! after the same hashing work too) for the three cases a stranger cannot tell apart without that knowledge: an unknown
//! client, a wrong secret, and an assertion that no registered key of the client verifies (an
//! unknown `kid`, a key of another algorithm, a bad signature). Every other refusal names its
//! reason ([`OAuthError::invalid_client_because`]), because it is one of:
//! - decided by what the caller sent alone, the same for every client: a malformed `Authorization`
//!   header or assertion, an assertion `alg` or `typ` Portico does not take, no credentials;
//! - decided by the client's type, which its client ID already tells anyone through the
//!   authorization endpoint's own pages (and a single-page app's ID is in its public code): a
//!   method this type of app does not use, a public client at introspection;
//! - decided only after the signature was verified with the client's own key, so told only to
//!   the key's holder: `exp`/`nbf`/`iat`, `jti` missing or reused, `aud`, `iss`/`sub`.
//!
//! `tests/api/security_client_auth.rs` compares the bodies of the three silent cases.

mod private_key_jwt;
mod public;
mod secret;

use std::sync::Arc;

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use portico_proto::AppType;

use super::assertion;
use super::error::{ErrorCode, OAuthError, OAuthResult};
use super::form::Params;
use crate::runtime::clients::Client;
use crate::runtime::failure_limit::Verdict;
use crate::state::AppState;

/// RFC 7523 §2.2 `client_assertion_type`.
pub const JWT_BEARER_CLIENT_ASSERTION: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    SecretBasic,
    SecretPost,
    PrivateKeyJwt,
    None,
}

pub struct Authenticated {
    pub client: Arc<Client>,
    pub method: AuthMethod,
}

/// An app authenticated by `method` without a secret (a key or none): noted as used
/// ("last used" in the console), then accepted.
async fn accept_app(
    state: &AppState,
    client: Arc<Client>,
    method: AuthMethod,
    now: i64,
) -> Authenticated {
    state
        .usage
        .app_used(&state.stores, client.client_id(), now)
        .await;
    Authenticated { client, method }
}

enum Presented {
    Secret {
        client_id: String,
        secret: String,
        basic: bool,
    },
    Assertion {
        /// The body `client_id`, or else the assertion's unverified `iss` (RFC 7523 §3
        /// point 1), only to find whose keys to load.
        client_id: String,
        assertion: String,
    },
    Public {
        client_id: String,
    },
}

impl Presented {
    /// The client the caller claims to be. For an assertion without `client_id` it is the
    /// unverified `iss`, only to find whose keys to load (RFC 7523 §3 point 1).
    fn claimed_id(&self) -> String {
        match self {
            Presented::Secret { client_id, .. }
            | Presented::Public { client_id }
            | Presented::Assertion { client_id, .. } => client_id.clone(),
        }
    }

    /// RFC 6749 §2.3.1: a refusal of Basic credentials carries a `WWW-Authenticate` challenge.
    fn is_basic(&self) -> bool {
        matches!(self, Presented::Secret { basic: true, .. })
    }
}

/// RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
fn parse_basic(headers: &HeaderMap) -> OAuthResult<Option<(String, String)>> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    // The same for every client: the header's shape, not its secret.
    let bad = || {
        let mut e = OAuthError::invalid_client_because(
            "The Authorization header is not Basic credentials: base64 of client_id:client_secret, \
             each form-urlencoded (RFC 6749 section 2.3.1).",
        );
        e.basic_challenge = true;
        e
    };
    let v = v.to_str().map_err(|_| bad())?;
    let Some((scheme, rest)) = v.split_once(' ') else {
        return Err(bad());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_request(
            "Use Basic authentication, or credentials in the body.",
        ));
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    let id = super::form::decode(id.as_bytes()).map_err(|_| bad())?;
    let secret = super::form::decode(secret.as_bytes()).map_err(|_| bad())?;
    Ok(Some((id, secret)))
}

fn presented(headers: &HeaderMap, params: &Params) -> OAuthResult<Presented> {
    let basic = parse_basic(headers)?;
    let body_secret = params.get("client_secret");
    let assertion_type = params.get("client_assertion_type");
    let body_id = params.get("client_id");
    // RFC 6749 §2.3: the client MUST NOT use more than one authentication method.
    let methods = usize::from(basic.is_some())
        + usize::from(body_secret.is_some())
        + usize::from(assertion_type.is_some());
    if methods > 1 {
        return Err(OAuthError::invalid_request(
            "Use exactly one client authentication method.",
        ));
    }
    if let Some((client_id, secret)) = basic {
        if body_id.is_some_and(|b| b != client_id) {
            return Err(OAuthError::invalid_request(
                "`client_id` differs from the Basic credentials.",
            ));
        }
        return Ok(Presented::Secret {
            client_id,
            secret,
            basic: true,
        });
    }
    if let Some(secret) = body_secret {
        let client_id = params.require("client_id")?.to_owned();
        return Ok(Presented::Secret {
            client_id,
            secret: secret.to_owned(),
            basic: false,
        });
    }
    if let Some(t) = assertion_type {
        if t != JWT_BEARER_CLIENT_ASSERTION {
            return Err(OAuthError::invalid_request(
                "Unsupported `client_assertion_type`.",
            ));
        }
        let assertion = params.require("client_assertion")?.to_owned();
        // What needs no key is checked before the client is looked up, so its answer is the
        // same whichever client the assertion names.
        let issuer = assertion::inspect(&assertion)
            .map_err(|e| OAuthError::invalid_client_because(e.to_string()))?;
        let client_id =
            match (body_id, issuer) {
                (Some(id), _) => id.to_owned(),
                (None, Some(iss)) => iss,
                (None, None) => return Err(OAuthError::invalid_client_because(
                    "The client assertion has no iss claim naming the client, and no client_id \
                     was sent (RFC 7523 section 3).",
                )),
            };
        return Ok(Presented::Assertion {
            client_id,
            assertion,
        });
    }
    match body_id {
        Some(id) => Ok(Presented::Public {
            client_id: id.to_owned(),
        }),
        None => Err(OAuthError::invalid_client_because(
            "No client credentials: send client_id and client_secret (Basic or in the body), a \
             client_assertion, or a public client's client_id alone.",
        )),
    }
}

/// How an app of type `t` authenticates, for a refusal of another method.
fn methods_of(t: AppType) -> &'static str {
    match t {
        AppType::MachineToMachine => {
            "with a client secret (client_secret_basic or client_secret_post) or a JWT signed \
             with one of its registered keys (private_key_jwt)"
        }
        AppType::Web => "with its client secret (client_secret_basic or client_secret_post)",
        AppType::SinglePage => {
            "with no secret: it is a public client and sends only its client_id (method none), \
             with PKCE for its codes"
        }
    }
}

/// The app's type does not use the method `sent`. The type is no secret (see the module
/// comment), so the answer says which method the app uses.
fn method_not_allowed(client: &Client, sent: &str) -> OAuthError {
    let t = client.app_type();
    OAuthError::invalid_client_because(format!(
        "This app is a {} app: it authenticates {}, not {sent}.",
        t.label(),
        methods_of(t)
    ))
}

/// Authenticates the calling client. `endpoint_url` is the URL being called, accepted as
/// an assertion audience beside the issuer and the token endpoint.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
    ip: &str,
    endpoint_url: &str,
) -> OAuthResult<Authenticated> {
    let now = state.now();
    let presented = presented(headers, params)?;
    let claimed_id = presented.claimed_id();
    let basic = presented.is_basic();
    let client = state.clients.get(&state.stores, &claimed_id).await?;
    if let (Presented::Secret { .. }, Some(c)) = (&presented, &client) {
        secret::refuse_for_public_client(c, basic)?;
    }
    // Brute force is answered with 429, per client and address and per address: a stranger
    // elsewhere spends only their own budget. The credential is checked first and only
    // failures count (`runtime::failure_limit`), so requests in flight never use the budget;
    // the answer follows the count, so parallel guesses get at most the budget judged (over
    // every copy on PostgreSQL).
    let keys = [format!("client:{claimed_id}|{ip}"), format!("ip:{ip}")];
    let limit = &state.limits.client_auth;
    let too_many = |retry| {
        state.metrics.limited("client_auth");
        OAuthError::too_many(retry)
    };
    limit.admit(&keys, now).map_err(too_many)?;
    match verify(state, client, presented, now, endpoint_url).await {
        Ok(auth) => match limit.succeeded(&keys, now).await {
            Verdict::Spent(retry) => Err(too_many(retry)),
            Verdict::Judged | Verdict::Exhausted => Ok(auth),
        },
        Err(mut e) => {
            if e.code == ErrorCode::InvalidClient {
                if let Verdict::Spent(retry) = limit.failed(&keys, now).await {
                    return Err(too_many(retry));
                }
                e.basic_challenge = basic;
            }
            Err(e)
        }
    }
}

/// Checks the presented credential with its method's rules.
async fn verify(
    state: &AppState,
    client: Option<Arc<Client>>,
    presented: Presented,
    now: i64,
    endpoint_url: &str,
) -> OAuthResult<Authenticated> {
    match presented {
        Presented::Secret { secret, basic, .. } => {
            secret::verify(state, client, &secret, basic, now).await
        }
        Presented::Assertion { assertion, .. } => {
            let presented = private_key_jwt::Presented {
                assertion: &assertion,
                endpoint_url,
            };
            private_key_jwt::verify(state, client, presented, now).await
        }
        Presented::Public { .. } => public::verify(state, client, now).await,
    }
}

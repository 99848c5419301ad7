//! The console's own sign-in: the built-in public client `portico-console`. A page load
//! first asks for tokens from the browser's Portico session in place (`resume`: one
//! same-origin JSON call, no navigation); only without a live session does it go through
//! the authorization endpoint with the same PKCE module the demo shows. Tokens live in
//! memory only (never localStorage); the verifier and state sit in sessionStorage just for
//! the redirect. Refreshes before expiry with rotation; signs out by revoking and ending the
//! Portico session.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};

use crate::pkce_client::http::{self, Discovery};
use crate::pkce_client::steps::{self, AuthorizationRequest, CodeVerifier, TokenSet};

pub use portico_proto::console::{CALLBACK_PATH, CLIENT_ID, SESSION_TOKEN_PATH};
const PENDING_KEY: &str = "portico.console.pending";

/// What the console asks for: who you are, the admin API, and a refresh token.
pub fn console_scope() -> String {
    portico_proto::console::scope()
}

/// What must survive the redirect to the authorization endpoint and back.
#[derive(Serialize, Deserialize)]
pub struct Pending {
    pub verifier: String,
    pub state: String,
    pub return_to: String,
}

#[derive(Clone, PartialEq)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
    /// Milliseconds since the epoch.
    pub expires_at: f64,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Me {
    pub sub: String,
    pub username: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The signed-in state, provided as context to every page.
#[derive(Clone, Copy)]
pub struct Session {
    pub tokens: RwSignal<Option<Tokens>>,
    pub me: RwSignal<Option<Me>>,
    pub discovery: RwSignal<Option<Discovery>>,
}

pub fn provide_session() -> Session {
    let s = Session {
        tokens: RwSignal::new(None),
        me: RwSignal::new(None),
        discovery: RwSignal::new(None),
    };
    provide_context(s);
    s
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The issuer is the origin that serves the console.
pub fn issuer() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.time_origin() + p.now())
        .unwrap_or(0.0)
}

impl Session {
    pub fn signed_in(&self) -> bool {
        self.tokens.with(|t| t.is_some())
    }

    pub fn is_admin(&self) -> bool {
        self.tokens.with(|t| {
            t.as_ref()
                .is_some_and(|t| t.scope.split(' ').any(|s| s == portico_proto::scope::ADMIN))
        })
    }

    pub fn access_token(&self) -> Option<String> {
        self.tokens
            .with_untracked(|t| t.as_ref().map(|t| t.access_token.clone()))
    }

    pub async fn discovery(&self) -> Result<Discovery, String> {
        if let Some(d) = self.discovery.get_untracked() {
            return Ok(d);
        }
        let d = http::discover(&issuer()).await?;
        self.discovery.set(Some(d.clone()));
        Ok(d)
    }

    /// Takes the console's tokens from the browser's Portico session without leaving the
    /// page: the same tokens a silent authorization would bring back, without loading the
    /// page, its JavaScript and its wasm twice. The session cookie is HttpOnly and travels
    /// only on this same-origin call; what comes back stays in memory like any token.
    /// Fails (and the caller signs in through the authorization endpoint) when the browser
    /// has no live session.
    pub async fn resume(&self) -> Result<(), String> {
        let res = gloo_net::http::Request::post(SESSION_TOKEN_PATH)
            .json(&serde_json::json!({}))
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(|e| e.to_string())?;
        // 204: this browser has no live Portico session.
        if res.status() != 200 {
            return Err(format!("no session ({})", res.status()));
        }
        let set: TokenSet = res.json().await.map_err(|e| e.to_string())?;
        self.accept(set);
        Ok(())
    }

    /// Sends the browser to sign in; it comes back to `CALLBACK_PATH`, then `return_to`.
    pub async fn begin_sign_in(&self, return_to: &str) -> Result<(), String> {
        let d = self.discovery().await?;
        let verifier = CodeVerifier::generate().map_err(|e| e.to_string())?;
        let state = steps::new_state().map_err(|e| e.to_string())?;
        let redirect_uri = format!("{}{CALLBACK_PATH}", issuer());
        let url = steps::authorization_url(&AuthorizationRequest {
            authorization_endpoint: &d.authorization_endpoint,
            client_id: CLIENT_ID,
            redirect_uri: &redirect_uri,
            scope: &console_scope(),
            state: &state,
            code_challenge: &verifier.challenge(),
        })
        .map_err(|e| e.to_string())?;
        let pending = Pending {
            verifier: verifier.secret().to_owned(),
            state,
            return_to: return_to.to_owned(),
        };
        let storage = session_storage().ok_or("sessionStorage is not available")?;
        let json = serde_json::to_string(&pending).map_err(|e| e.to_string())?;
        storage
            .set_item(PENDING_KEY, &json)
            .map_err(|_| "could not use sessionStorage".to_owned())?;
        web_sys::window()
            .ok_or("no window")?
            .location()
            .assign(&url)
            .map_err(|_| "could not navigate".to_owned())
    }

    /// Finishes sign-in on `CALLBACK_PATH`: validates the response, exchanges the code,
    /// keeps the tokens in memory, and returns where to go.
    pub async fn complete_sign_in(&self, query: &str) -> Result<String, String> {
        let storage = session_storage().ok_or("sessionStorage is not available")?;
        let raw = storage
            .get_item(PENDING_KEY)
            .ok()
            .flatten()
            .ok_or("No sign-in was started in this tab.")?;
        // Single use: the verifier and state are removed whatever happens next.
        let _ = storage.remove_item(PENDING_KEY);
        let pending: Pending = serde_json::from_str(&raw).map_err(|e| e.to_string())?;
        let d = self.discovery().await?;
        let code = steps::validate_callback(query, &pending.state, &d.issuer)
            .map_err(|e| e.to_string())?;
        let redirect_uri = format!("{}{CALLBACK_PATH}", issuer());
        let verifier = CodeVerifier::from_stored(pending.verifier);
        let set = http::exchange_code(&d, &code, &redirect_uri, CLIENT_ID, &verifier)
            .await
            .map_err(|e| e.to_string())?;
        self.accept(set);
        self.load_me().await;
        Ok(pending.return_to)
    }

    fn accept(&self, set: TokenSet) {
        let keep = self
            .tokens
            .with_untracked(|t| t.as_ref().and_then(|t| t.refresh_token.clone()));
        let tokens = Tokens {
            access_token: set.access_token.into_exposed(),
            refresh_token: set.refresh_token.map(|r| r.into_exposed()).or(keep),
            scope: set.scope,
            expires_at: now_ms() + set.expires_in as f64 * 1000.0,
        };
        let delay = ((set.expires_in - 60).max(5) * 1000) as u32;
        self.tokens.set(Some(tokens));
        self.schedule_refresh(delay);
    }

    /// Refreshes a minute before expiry; with rotation each refresh brings a new token.
    fn schedule_refresh(&self, delay_ms: u32) {
        let s = *self;
        let expected = s
            .tokens
            .with_untracked(|t| t.as_ref().map(|t| t.access_token.clone()));
        set_timeout(
            move || {
                // Only if nothing replaced the tokens meanwhile.
                if s.tokens
                    .with_untracked(|t| t.as_ref().map(|t| t.access_token.clone()))
                    == expected
                {
                    // Fire and forget: a failed refresh signs out (`refresh` clears the
                    // tokens), which the pages already follow.
                    spawn_local(async move {
                        let _ = s.refresh().await;
                    });
                }
            },
            std::time::Duration::from_millis(u64::from(delay_ms)),
        );
    }

    pub async fn refresh(&self) -> Result<(), String> {
        let Some(rt) = self
            .tokens
            .with_untracked(|t| t.as_ref().and_then(|t| t.refresh_token.clone()))
        else {
            return Err("No refresh token.".to_owned());
        };
        let d = self.discovery().await?;
        match http::refresh(&d, &rt, CLIENT_ID).await {
            Ok(set) => {
                self.accept(set);
                Ok(())
            }
            Err(e) => {
                self.tokens.set(None);
                self.me.set(None);
                Err(e.to_string())
            }
        }
    }

    pub async fn load_me(&self) {
        let Some(token) = self.access_token() else {
            return;
        };
        if let Ok(res) = gloo_net::http::Request::get(portico_proto::paths::ME)
            .header("authorization", &format!("Bearer {token}"))
            .send()
            .await
        {
            if res.ok() {
                if let Ok(me) = res.json::<Me>().await {
                    self.me.set(Some(me));
                }
            }
        }
    }

    /// Signs out: revokes the refresh token, which ends the grant and its access tokens
    /// (RFC 7009 §2.1), then ends the Portico session behind the session cookie, so the
    /// next sign-in asks for the password again. The caller then leaves the page.
    pub async fn sign_out(&self) {
        let rt = self
            .tokens
            .with_untracked(|t| t.as_ref().and_then(|t| t.refresh_token.clone()));
        if let (Some(rt), Ok(d)) = (rt, self.discovery().await) {
            let _ = http::revoke(&d, &rt, "refresh_token", CLIENT_ID).await;
        }
        // Same origin: the browser sends the HttpOnly cookie and the Origin header.
        let _ = gloo_net::http::Request::delete("/api/v1/session")
            .send()
            .await;
        // Forgotten without telling the page: a page that needs a sign-in would otherwise
        // start one at once, and that navigation would race the caller's (which it can win,
        // aborting it half-way).
        self.tokens.update_untracked(|t| *t = None);
        self.me.update_untracked(|m| *m = None);
    }
}

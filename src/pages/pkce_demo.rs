//! `/pkce-demo`: the authorization code flow with PKCE, step by step, next to the Rust
//! code that does each step — the very functions of `pkce_client::steps` and `pkce_client::http`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::format::copy_to_clipboard;
use crate::pkce_client::http;
use crate::pkce_client::steps::{self, AuthorizationRequest, CodeVerifier, TokenSet};
use crate::session::{issuer, use_session, Session};

pub const DEMO_CALLBACK: &str = "/pkce-demo/callback";
const PENDING_KEY: &str = "portico.demo.pending";

const STEPS_SOURCE: &str = include_str!("../pkce_client/steps.rs");
const HTTP_SOURCE: &str = include_str!("../pkce_client/http.rs");

/// What the demo app asks for: the console's scopes but `admin`, which no app may hold.
fn demo_scope() -> String {
    use portico_proto::scope::{EMAIL, OFFLINE_ACCESS, OPENID, PROFILE};
    [OPENID, PROFILE, EMAIL, OFFLINE_ACCESS].join(" ")
}

/// The source of function `name` (with its doc comment) from `source`, for display.
pub fn snippet(source: &str, name: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let needle = format!("fn {name}(");
    let Some(at) = lines
        .iter()
        .position(|l| l.contains(&needle) && !l.trim_start().starts_with("//"))
    else {
        return String::new();
    };
    let indent: String = lines[at].chars().take_while(|c| *c == ' ').collect();
    let mut start = at;
    while start > 0 && lines[start - 1].trim_start().starts_with("///") {
        start -= 1;
    }
    let close = format!("{indent}}}");
    let end = lines[at..]
        .iter()
        .position(|l| *l == close)
        .map(|i| at + i)
        .unwrap_or(at);
    lines[start..=end]
        .iter()
        .map(|l| l.strip_prefix(indent.as_str()).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Survives the redirect, in sessionStorage only, and is removed on return.
#[derive(Serialize, Deserialize)]
struct Pending {
    client_id: String,
    verifier: String,
    state: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

fn redirect_uri() -> String {
    format!("{}{DEMO_CALLBACK}", issuer())
}

#[component]
fn Step(n: u8, title: &'static str, code: String, children: Children) -> impl IntoView {
    let copy = code.clone();
    view! {
        <article class="card step">
            <div class="step-body">
                <h2>{format!("{n}. {title}")}</h2>
                {children()}
            </div>
            <details class="step-code">
                <summary>"The Rust code"</summary>
                <pre><code>{code}</code></pre>
                <button class="link" on:click=move |_| copy_to_clipboard(&copy)>"Copy code"</button>
            </details>
        </article>
    }
}

#[component]
fn Secret(label: &'static str, value: String) -> impl IntoView {
    let shown = steps::mask(&value);
    view! {
        <p class="secret-line">
            <span class="muted">{label}": "</span><code>{shown}</code>
            <button class="link" on:click=move |_| copy_to_clipboard(&value) aria-label=format!("Copy {label}")>"Copy"</button>
        </p>
    }
}

/// Steps 1–4: verifier, challenge, state, and the authorization URL.
#[component]
pub fn PkceDemo() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let client_id = RwSignal::new(query.read_untracked().get("client_id").unwrap_or_default());
    let prepared = RwSignal::new(None::<(String, String, String, String)>);
    let error = RwSignal::new(None::<String>);
    // Input: the client ID. Steps 1–4 run in the browser; only discovery goes out.
    let make_request = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            let result = async {
                let d = session.discovery().await?;
                let verifier = CodeVerifier::generate().map_err(|e| e.to_string())?;
                let challenge = verifier.challenge();
                let state = steps::new_state().map_err(|e| e.to_string())?;
                let url = steps::authorization_url(&AuthorizationRequest {
                    authorization_endpoint: &d.authorization_endpoint,
                    client_id: &id,
                    redirect_uri: &redirect_uri(),
                    scope: &demo_scope(),
                    state: &state,
                    code_challenge: &challenge,
                })
                .map_err(|e| e.to_string())?;
                Ok::<_, String>((verifier.secret().to_owned(), challenge, state, url))
            }
            .await;
            match result {
                Ok(p) => prepared.set(Some(p)),
                Err(e) => error.set(Some(e)),
            }
        }
    });
    let prepare = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let id = client_id.get_untracked().trim().to_owned();
        if id.is_empty() {
            error.set(Some("Enter the client ID of a single-page app whose redirect URL is this demo's callback.".to_owned()));
            return;
        }
        make_request.dispatch(id);
    };
    let go = move |_| {
        let Some((verifier, _, state, url)) = prepared.get_untracked() else {
            return;
        };
        let pending = Pending {
            client_id: client_id.get_untracked().trim().to_owned(),
            verifier,
            state,
        };
        if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&pending)) {
            let _ = s.set_item(PENDING_KEY, &json);
        }
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(&url);
        }
    };
    view! {
        <section class="page demo" aria-labelledby="demo-title">
            <h1 id="demo-title">"PKCE demo"</h1>
            <p class="lead">
                "Watch a single-page app sign you in with the authorization code flow and PKCE (RFC 7636). "
                "Register a single-page app whose redirect URL is "
                <code>{redirect_uri()}</code>" and enter its client ID."
            </p>
            <form class="form inline" on:submit=prepare>
                <label for="demo-client">"Client ID"</label>
                <input id="demo-client" name="client_id" prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev))/>
                <button type="submit" class="primary">"Prepare request"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || prepared.get().map(|(verifier, challenge, state, url)| view! {
                <Step n=1 title="Make a code verifier" code=snippet(STEPS_SOURCE, "generate")>
                    <p>"32 random bytes from the browser, base64url: 43 characters. It never leaves this tab until the token request."</p>
                    <p><code class="verifier">{verifier}</code></p>
                </Step>
                <Step n=2 title="Derive the S256 challenge" code=snippet(STEPS_SOURCE, "s256_challenge")>
                    <p>"SHA-256 of the verifier, base64url. Only this goes in the authorization request."</p>
                    <p><code class="challenge">{challenge}</code></p>
                </Step>
                <Step n=3 title="Make the state" code=snippet(STEPS_SOURCE, "new_state")>
                    <p>"Binds the answer to this browser (RFC 6749 §10.12)."</p>
                    <p><code>{state}</code></p>
                </Step>
                <Step n=4 title="Build the authorization URL" code=snippet(STEPS_SOURCE, "authorization_url")>
                    <p class="url"><code>{url}</code></p>
                    <button class="primary" on:click=go>"Go to authorization"</button>
                </Step>
            })}
        </section>
    }
}

/// What the return trip produced, step by step.
#[derive(Clone, Default)]
struct Outcome {
    checks: Option<Result<String, String>>,
    token_request: Option<String>,
    tokens: Option<Result<TokenSet, String>>,
    me: Option<String>,
    refreshed: Option<Result<(TokenSet, bool), String>>,
}

/// Steps 5–8: reads what the redirect brought back, exchanges the code, calls the API;
/// each step's outcome goes to `outcome` as it happens.
async fn return_trip(session: Session, outcome: RwSignal<Outcome>, client: RwSignal<String>) {
    let pending = storage().and_then(|s| {
        let raw = s.get_item(PENDING_KEY).ok().flatten();
        let _ = s.remove_item(PENDING_KEY);
        raw
    });
    let Some(pending) = pending.and_then(|raw| serde_json::from_str::<Pending>(&raw).ok()) else {
        outcome.update(|o| o.checks = Some(Err("No demo was started in this tab.".to_owned())));
        return;
    };
    client.set(pending.client_id.clone());
    let d = match session.discovery().await {
        Ok(d) => d,
        Err(e) => {
            outcome.update(|o| o.checks = Some(Err(e)));
            return;
        }
    };
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let code = match steps::validate_callback(&query, &pending.state, &d.issuer) {
        Ok(code) => code,
        Err(e) => {
            outcome.update(|o| o.checks = Some(Err(e.to_string())));
            return;
        }
    };
    outcome.update(|o| {
        o.checks = Some(Ok(format!(
            "state matches; iss is {}; code received.",
            d.issuer
        )))
    });
    let verifier = CodeVerifier::from_stored(pending.verifier);
    let body = steps::token_request_body(&code, &redirect_uri(), &pending.client_id, &verifier);
    outcome.update(|o| o.token_request = Some(format!("POST {}\n\n{body}", d.token_endpoint)));
    let result =
        http::exchange_code(&d, &code, &redirect_uri(), &pending.client_id, &verifier).await;
    let access = result.as_ref().ok().map(|t| t.access_token.clone());
    outcome.update(|o| o.tokens = Some(result.map_err(|e| e.to_string())));
    if let Some(at) = access {
        let me = match gloo_net::http::Request::get(portico_proto::paths::ME)
            .header("authorization", &format!("Bearer {}", at.expose()))
            .send()
            .await
        {
            Ok(res) => res.text().await.unwrap_or_default(),
            Err(e) => e.to_string(),
        };
        outcome.update(|o| o.me = Some(me));
    }
}

/// Steps 5–8 on `/pkce-demo/callback`: validate, exchange, call the API, refresh.
#[component]
pub fn PkceDemoCallback() -> impl IntoView {
    let session = use_session();
    let outcome = RwSignal::new(Outcome::default());
    let client = RwSignal::new(String::new());
    // Dispatched once when the page opens: the code is single-use.
    let return_trip = Action::new_local(move |_: &()| return_trip(session, outcome, client));
    return_trip.dispatch(());
    // Input: the refresh token to use.
    let refresh_tokens = Action::new_local(move |rt: &String| {
        let rt = rt.clone();
        async move {
            let result = async {
                let d = session.discovery().await?;
                let set = http::refresh(&d, &rt, &client.get_untracked())
                    .await
                    .map_err(|e| e.to_string())?;
                let rotated = set.refresh_token.as_ref().is_some_and(|n| n.expose() != rt);
                Ok::<_, String>((set, rotated))
            }
            .await;
            outcome.update(|o| o.refreshed = Some(result));
        }
    });
    let refresh = move |_| {
        let current = outcome.with_untracked(|o| {
            o.refreshed
                .as_ref()
                .and_then(|r| r.as_ref().ok().and_then(|(t, _)| t.refresh_token.clone()))
                .or_else(|| {
                    o.tokens
                        .as_ref()
                        .and_then(|t| t.as_ref().ok())
                        .and_then(|t| t.refresh_token.clone())
                })
        });
        if let Some(rt) = current {
            refresh_tokens.dispatch(rt.into_exposed());
        }
    };

    view! {
        <section class="page demo" aria-labelledby="demo-cb-title">
            <h1 id="demo-cb-title">"PKCE demo: the return trip"</h1>
            <ReturnSteps outcome refresh=Callback::new(refresh)/>
            <p><a href="/pkce-demo">"Start again"</a></p>
        </section>
    }
}

/// What each step of the return trip did so far.
#[component]
fn ReturnSteps(
    outcome: RwSignal<Outcome>,
    refresh: Callback<leptos::ev::MouseEvent>,
) -> impl IntoView {
    let refresh = move |ev| refresh.run(ev);
    view! {
        {move || {
                let o = outcome.get();
                view! {
                    <Step n=5 title="Validate the callback" code=snippet(STEPS_SOURCE, "validate_callback")>
                        {match o.checks.clone() {
                            None => view! { <p>"Checking…"</p> }.into_any(),
                            Some(Ok(m)) => view! { <p class="ok" role="status">{m}</p> }.into_any(),
                            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                        }}
                    </Step>
                    {o.token_request.clone().map(|req| view! {
                        <Step n=6 title="Exchange the code with the verifier" code=snippet(STEPS_SOURCE, "token_request_body")>
                            <pre class="request"><code>{req}</code></pre>
                        </Step>
                    })}
                    {o.tokens.clone().map(|t| view! {
                        <Step n=7 title="Read the token response" code=snippet(STEPS_SOURCE, "process_token_response")>
                            {match t {
                                Ok(t) => view! {
                                    <div class="tokens">
                                        <Secret label="access_token" value=t.access_token.expose().to_owned()/>
                                        {t.refresh_token.clone().map(|r| view! { <Secret label="refresh_token" value=r.into_exposed()/> })}
                                        {t.id_token.clone().map(|r| view! { <Secret label="id_token" value=r.into_exposed()/> })}
                                        <p class="muted">{format!("expires_in {} s · scope {}", t.expires_in, t.scope)}</p>
                                    </div>
                                }.into_any(),
                                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                            }}
                        </Step>
                    })}
                    {o.me.clone().map(|me| view! {
                        <Step n=8 title="Call the API with the access token" code=snippet(HTTP_SOURCE, "exchange_code")>
                            <p>"GET " {portico_proto::paths::ME} " with Authorization: Bearer …"</p>
                            <pre class="me"><code>{me}</code></pre>
                            <button class="primary" on:click=refresh>"Refresh"</button>
                        </Step>
                    })}
                    {o.refreshed.clone().map(|r| view! {
                        <Step n=9 title="Refresh (with rotation)" code=snippet(STEPS_SOURCE, "refresh_request_body")>
                            {match r {
                                Ok((t, rotated)) => view! {
                                    <div class="refreshed">
                                        <Secret label="new access_token" value=t.access_token.expose().to_owned()/>
                                        {t.refresh_token.clone().map(|r| view! { <Secret label="new refresh_token" value=r.into_exposed()/> })}
                                        <p role="status">{if rotated { "The refresh token was rotated: the old one is now dead." } else { "No rotation for this app: keep using the same refresh token." }}</p>
                                    </div>
                                }.into_any(),
                                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                            }}
                        </Step>
                    })}
                }
            }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_the_real_functions() {
        let s = snippet(STEPS_SOURCE, "authorization_url");
        assert!(s.starts_with("/// Step 4"), "{s}");
        assert!(s.contains("code_challenge_method") && s.ends_with('}'));
        let g = snippet(STEPS_SOURCE, "generate");
        assert!(
            g.starts_with("/// Step 1") || g.contains("getrandom::fill"),
            "{g}"
        );
        assert!(snippet(HTTP_SOURCE, "exchange_code").contains("token_request_body"));
        assert_eq!(snippet(STEPS_SOURCE, "no_such_function"), "");
    }
}

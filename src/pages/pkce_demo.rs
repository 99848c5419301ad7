//! `/pkce-demo`: the authorization code flow with PKCE, step by step, next to the code that
//! does each step: in Rust, the very functions of `pkce_client::steps` and `pkce_client::http`
//! that run here; in JavaScript, the functions of `public/pkce.js` (served at `/pkce.js`,
//! read at run time so the wasm does not carry it), which the browser tests run against
//! Portico. Steps are numbered as in both sources' comments: 1–4 here, 5–10 on the callback.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::format::copy_to_clipboard;
use crate::pkce_client::http;
use crate::pkce_client::steps::{self, AuthorizationRequest, CodeVerifier, TokenSet};
use crate::session::{issuer, use_session, Session};

pub const DEMO_CALLBACK: &str = "/pkce-demo/callback";
const PENDING_KEY: &str = "portico.demo.pending";
/// The client ID, remembered for this tab only (sessionStorage), so a reload or a second
/// run does not ask for it again.
const CLIENT_KEY: &str = "portico.demo.client_id";
/// The JavaScript reference module, a file of `public/`.
const JS_MODULE: &str = "/pkce.js";

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

/// The source of JavaScript function `name` with its JSDoc comment, from `source` (the
/// top-level functions of `public/pkce.js`, each ending with a `}` alone on its line).
pub fn js_snippet(source: &str, name: &str) -> String {
    let lines: Vec<&str> = source.lines().collect();
    let declares = |l: &str| {
        let l = l.trim_start_matches("export ").trim_start_matches("async ");
        l.starts_with(&format!("function {name}("))
    };
    let Some(at) = lines.iter().position(|l| declares(l)) else {
        return String::new();
    };
    let mut start = at;
    if at > 0 && lines[at - 1].trim() == "*/" {
        while start > 0 && !lines[start - 1].starts_with("/**") {
            start -= 1;
        }
        start = start.saturating_sub(1);
    }
    let end = lines[at..]
        .iter()
        .position(|l| *l == "}")
        .map(|i| at + i)
        .unwrap_or(at);
    lines[start..=end].join("\n")
}

/// The snippets of `names` from the module's text, one after the other.
fn js_snippets(source: &str, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| js_snippet(source, n))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The module's text, read once per page; empty until it arrives (or if it cannot).
fn js_source() -> Signal<String> {
    let read = crate::api::read(None, Signal::stored(Some(JS_MODULE.to_owned())));
    Signal::derive(move || read.get().and_then(Result::ok).unwrap_or_default())
}

/// JSON indented two spaces a level, for reading; any other text as it came. A scan that
/// skips over strings rather than a parse, so the bundle carries no generic JSON value.
fn pretty(text: &str) -> String {
    let t = text.trim();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return text.to_owned();
    }
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut out = String::with_capacity(t.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            // An empty object or array stays `{}` / `[]`.
            '{' | '[' if matches!(chars.peek(), Some('}' | ']')) => out.push(c),
            '{' | '[' => {
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                if !out.ends_with(['{', '[']) {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// A form body shown one parameter a line (`&` starts each continuation), so that nothing
/// scrolls sideways; joined again it is the body sent.
fn form_lines(body: &str) -> String {
    body.replace('&', "\n&")
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

fn remembered_client() -> Option<String> {
    storage()
        .and_then(|s| s.get_item(CLIENT_KEY).ok().flatten())
        .filter(|id| !id.is_empty())
}

fn remember_client(id: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(CLIENT_KEY, id);
    }
}

/// RFC 6749 §4.1.2 / RFC 9700 §4.2.4: the code and state leave the address bar once read, so
/// they stay out of history, bookmarks and screen shares (`removeCallbackParams` in JS).
fn remove_callback_params() {
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(DEMO_CALLBACK));
    }
}

/// One step: what it did, beside its code in JavaScript (`public/pkce.js`, for a browser
/// app to copy) and in Rust (the console's own client).
#[component]
fn Step(
    n: u8,
    title: &'static str,
    rust: String,
    js: &'static [&'static str],
    source: Signal<String>,
    children: Children,
) -> impl IntoView {
    let js_code = Signal::derive(move || source.with(|s| js_snippets(s, js)));
    let rust_copy = rust.clone();
    view! {
        <article class="card step">
            <div class="step-body">
                <h2>{format!("{n}. {title}")}</h2>
                {children()}
            </div>
            <div class="step-code">
                <details class="js-code">
                    <summary>"The JavaScript (pkce.js)"</summary>
                    <pre><code>{move || {
                        let code = js_code.get();
                        if code.is_empty() { format!("Loading {JS_MODULE}…") } else { code }
                    }}</code></pre>
                    <button class="link" on:click=move |_| copy_to_clipboard(&js_code.get_untracked())>"Copy JavaScript"</button>
                </details>
                <details class="rust-code">
                    <summary>"The Rust code (this console)"</summary>
                    <pre><code>{rust}</code></pre>
                    <button class="link" on:click=move |_| copy_to_clipboard(&rust_copy)>"Copy Rust"</button>
                </details>
            </div>
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

/// Checks `id` before the browser leaves: a wrong one would end on Portico's error page.
/// Portico names a single-page app publicly only with a redirect URL it registered, so this
/// also checks that the app lists the demo's callback. The app's name, or what to fix.
async fn check_client(id: &str) -> Result<String, String> {
    let path = format!(
        "/api/v1/apps/{}/public?redirect_uri={}",
        String::from(js_sys::encode_uri_component(id)),
        String::from(js_sys::encode_uri_component(&redirect_uri())),
    );
    match crate::api::get_public::<portico_proto::interaction::PublicApp>(&path).await {
        Ok(app) => Ok(app.name),
        Err(e) if e.status == 404 => Err(format!(
            "No single-page app with client ID “{id}” has {} as a redirect URL. Copy the client ID \
             from the app's page under Apps, and add this redirect URL to the app.",
            redirect_uri()
        )),
        Err(e) => Err(e.message),
    }
}

/// What "Create the demo app for me" names the app.
const DEMO_APP_NAME: &str = "PKCE demo";

/// Steps 1–4: verifier, challenge, state, and the authorization URL.
#[component]
pub fn PkceDemo() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let source = js_source();
    let initial = query
        .read_untracked()
        .get("client_id")
        .filter(|id| !id.is_empty())
        .or_else(remembered_client)
        .unwrap_or_default();
    let client_id = RwSignal::new(initial);
    let app_name = RwSignal::new(None::<String>);
    let prepared = RwSignal::new(None::<(String, String, String, String)>);
    let error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<Result<String, (String, bool)>>);
    // Input: the client ID. Checked first; steps 1–4 then run in the browser.
    let make_request = Action::new_local(move |id: &String| {
        let id = id.clone();
        async move {
            let result = async {
                let name = check_client(&id).await?;
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
                Ok::<_, String>((name, (verifier.secret().to_owned(), challenge, state, url)))
            }
            .await;
            match result {
                Ok((name, p)) => {
                    remember_client(&id);
                    app_name.set(Some(name));
                    prepared.set(Some(p));
                }
                Err(e) => error.set(Some(e)),
            }
        }
    });
    // One click for an administrator: a single-page app with this demo's callback.
    let create_app = Action::new_local(move |_: &()| async move {
        let body = portico_proto::AppInput {
            app_type: Some(portico_proto::AppType::SinglePage),
            name: Some(DEMO_APP_NAME.to_owned()),
            redirect_uris: Some(vec![redirect_uri()]),
            ..Default::default()
        };
        let result =
            crate::api::post::<_, portico_proto::App>(&session, "/api/v1/apps", &body).await;
        match result {
            Ok(app) => {
                let id = app.client_id;
                remember_client(&id);
                client_id.set(id.clone());
                prepared.set(None);
                created.set(Some(Ok(id)));
            }
            // 409: the apps limit is reached; say so, with the way out.
            Err(e) => created.set(Some(Err((e.message, e.status == 409)))),
        }
    });
    let prepare = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        prepared.set(None);
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
            <p>
                "Each step shows its code in plain JavaScript (fetch and Web Crypto, no dependencies), from "
                <a href=JS_MODULE rel="external">{JS_MODULE}</a>
                ", a module Portico's browser tests run against Portico itself, and in Rust, as this console runs it."
            </p>
            {move || session.is_admin().then(|| view! {
                <div class="card demo-create">
                    <p>"As an administrator you can register the demo app in one click: a single-page app named “"{DEMO_APP_NAME}"” with this redirect URL."</p>
                    <button disabled=move || create_app.pending().get() on:click=move |_| { created.set(None); create_app.dispatch(()); }>"Create the demo app for me"</button>
                    {move || created.get().map(|r| match r {
                        Ok(id) => view! { <p class="ok" role="status">"Created “"{DEMO_APP_NAME}"” with client ID "<code>{id}</code>". Delete it under Apps when you are done."</p> }.into_any(),
                        Err((e, limit)) => view! {
                            <p class="error" role="alert">{e}" "{limit.then(|| view! { <a href="/apps">"Go to Apps"</a> })}</p>
                        }.into_any(),
                    })}
                </div>
            })}
            <form class="form inline" on:submit=prepare>
                <label for="demo-client">"Client ID"</label>
                <input id="demo-client" name="client_id" prop:value=move || client_id.get() on:input=move |ev| client_id.set(event_target_value(&ev))/>
                <button type="submit" class="primary" disabled=move || make_request.pending().get()>"Prepare request"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || prepared.get().map(|(verifier, challenge, state, url)| view! {
                <p class="ok" role="status">{format!("Found the app “{}”: its redirect URL is this demo's callback.", app_name.get_untracked().unwrap_or_default())}</p>
                <Step n=1 title="Make a code verifier" rust=snippet(STEPS_SOURCE, "generate") js=&["createVerifier"] source>
                    <p>"32 random bytes from the browser, base64url: 43 characters. It never leaves this tab until the token request."</p>
                    <p><code class="verifier">{verifier}</code></p>
                </Step>
                <Step n=2 title="Derive the S256 challenge" rust=snippet(STEPS_SOURCE, "s256_challenge") js=&["challengeS256"] source>
                    <p>"SHA-256 of the verifier, base64url. Only this goes in the authorization request."</p>
                    <p><code class="challenge">{challenge}</code></p>
                </Step>
                <Step n=3 title="Make the state" rust=snippet(STEPS_SOURCE, "new_state") js=&["createStateAndNonce"] source>
                    <p>"Binds the answer to this browser (RFC 6749 §10.12). The JavaScript also makes a nonce, which comes back in the ID token."</p>
                    <p><code class="state">{state}</code></p>
                </Step>
                <Step n=4 title="Build the authorization URL" rust=snippet(STEPS_SOURCE, "authorization_url") js=&["authorizationUrl"] source>
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
    /// The tokens in use: from the code exchange, then from each refresh.
    tokens: Option<Result<TokenSet, String>>,
    /// How many refreshes the tokens shown came from (0: the code exchange).
    refreshes: u32,
    /// The last `/me` call: the access token it carried (masked) and the answer.
    me: Option<(String, String)>,
    /// The last refresh: whether the refresh token was rotated, or why it failed.
    refreshed: Option<Result<bool, String>>,
    revoked: Option<Result<(), String>>,
}

/// Step 8: `/me` with `access_token`; the answer, pretty-printed, goes to `outcome`.
async fn call_me(outcome: RwSignal<Outcome>, access_token: String) {
    let shown = match http::call_api(portico_proto::paths::ME, &access_token).await {
        Ok((200, body)) => pretty(&body),
        Ok((status, body)) => format!("HTTP {status}\n{}", pretty(&body)),
        Err(e) => e.to_string(),
    };
    outcome.update(|o| o.me = Some((steps::mask(&access_token), shown)));
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
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    // Read once, so out of the address bar at once, whatever it holds.
    remove_callback_params();
    let d = match session.discovery().await {
        Ok(d) => d,
        Err(e) => {
            outcome.update(|o| o.checks = Some(Err(e)));
            return;
        }
    };
    let code = match steps::validate_callback(&query, &pending.state, &d.issuer) {
        Ok(code) => code,
        Err(e) => {
            outcome.update(|o| o.checks = Some(Err(e.to_string())));
            return;
        }
    };
    outcome.update(|o| {
        o.checks = Some(Ok(format!(
            "state matches; iss is {}; code received, and removed from the address bar.",
            d.issuer
        )))
    });
    let verifier = CodeVerifier::from_stored(pending.verifier);
    let body = steps::token_request_body(&code, &redirect_uri(), &pending.client_id, &verifier);
    outcome.update(|o| {
        o.token_request = Some(format!(
            "POST {}\n\n{}",
            d.token_endpoint,
            form_lines(&body)
        ))
    });
    let result =
        http::exchange_code(&d, &code, &redirect_uri(), &pending.client_id, &verifier).await;
    let access = result
        .as_ref()
        .ok()
        .map(|t| t.access_token.expose().to_owned());
    outcome.update(|o| o.tokens = Some(result.map_err(|e| e.to_string())));
    if let Some(at) = access {
        call_me(outcome, at).await;
    }
}

/// The current tokens' refresh and access tokens, when the exchange or a refresh gave them.
fn current(outcome: RwSignal<Outcome>) -> (Option<String>, Option<String>) {
    outcome.with_untracked(|o| {
        let t = o.tokens.as_ref().and_then(|t| t.as_ref().ok());
        (
            t.and_then(|t| t.refresh_token.as_ref().map(|r| r.expose().to_owned())),
            t.map(|t| t.access_token.expose().to_owned()),
        )
    })
}

/// Steps 5–10 on `/pkce-demo/callback`: validate, exchange, call the API, refresh, revoke.
#[component]
pub fn PkceDemoCallback() -> impl IntoView {
    let session = use_session();
    let source = js_source();
    let outcome = RwSignal::new(Outcome::default());
    let client = RwSignal::new(String::new());
    // Dispatched once when the page opens: the code is single-use.
    let return_trip = Action::new_local(move |_: &()| return_trip(session, outcome, client));
    return_trip.dispatch(());
    // Input: the refresh token to use. The new tokens replace the old in step 7, and `/me`
    // is called again with the new access token (step 8).
    let refresh_tokens = Action::new_local(move |rt: &String| {
        let rt = rt.clone();
        async move {
            let result = async {
                let d = session.discovery().await?;
                http::refresh(&d, &rt, &client.get_untracked())
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            match result {
                Ok(mut set) => {
                    let rotated = set.refresh_token.as_ref().is_some_and(|n| n.expose() != rt);
                    // Without rotation the old refresh token stays the one to use.
                    if set.refresh_token.is_none() {
                        set.refresh_token = Some(rt.into());
                    }
                    let access = set.access_token.expose().to_owned();
                    outcome.update(|o| {
                        o.tokens = Some(Ok(set));
                        o.refreshes += 1;
                        o.refreshed = Some(Ok(rotated));
                    });
                    call_me(outcome, access).await;
                }
                Err(e) => outcome.update(|o| o.refreshed = Some(Err(e))),
            }
        }
    });
    // Input: the refresh token to revoke; then `/me` is called again to show the access
    // token stopped working with its grant.
    let revoke_tokens = Action::new_local(move |rt: &String| {
        let rt = rt.clone();
        async move {
            let result = async {
                let d = session.discovery().await?;
                http::revoke(&d, &rt, "refresh_token", &client.get_untracked())
                    .await
                    .map_err(|e| e.to_string())
            }
            .await;
            let ok = result.is_ok();
            outcome.update(|o| o.revoked = Some(result));
            if let (true, (_, Some(at))) = (ok, current(outcome)) {
                call_me(outcome, at).await;
            }
        }
    });
    let refresh = move |_| {
        if let (Some(rt), _) = current(outcome) {
            refresh_tokens.dispatch(rt);
        }
    };
    let revoke = move |_| {
        if let (Some(rt), _) = current(outcome) {
            revoke_tokens.dispatch(rt);
        }
    };

    view! {
        <section class="page demo" aria-labelledby="demo-cb-title">
            <h1 id="demo-cb-title">"PKCE demo: the return trip"</h1>
            <ReturnSteps outcome source refresh=Callback::new(refresh) revoke=Callback::new(revoke)/>
            <p><a href="/pkce-demo">"Start again"</a></p>
        </section>
    }
}

/// What each step of the return trip did so far.
#[component]
fn ReturnSteps(
    outcome: RwSignal<Outcome>,
    source: Signal<String>,
    refresh: Callback<leptos::ev::MouseEvent>,
    revoke: Callback<leptos::ev::MouseEvent>,
) -> impl IntoView {
    let refresh = move |ev| refresh.run(ev);
    let revoke = move |ev| revoke.run(ev);
    let both = |a: &str, b: &str| {
        format!(
            "{}\n\n{}",
            snippet(STEPS_SOURCE, a),
            snippet(HTTP_SOURCE, b)
        )
    };
    view! {
        {move || {
                let o = outcome.get();
                let has_tokens = matches!(o.tokens, Some(Ok(_)));
                view! {
                    <Step n=5 title="Validate the callback" rust=snippet(STEPS_SOURCE, "validate_callback") js=&["validateCallback", "removeCallbackParams"] source>
                        {match o.checks.clone() {
                            None => view! { <p>"Checking…"</p> }.into_any(),
                            Some(Ok(m)) => view! { <p class="ok" role="status">{m}</p> }.into_any(),
                            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                        }}
                    </Step>
                    {o.token_request.clone().map(|req| view! {
                        <Step n=6 title="Exchange the code with the verifier" rust=both("token_request_body", "exchange_code") js=&["exchangeCode"] source>
                            <pre class="request"><code>{req}</code></pre>
                        </Step>
                    })}
                    {o.tokens.clone().map(|t| view! {
                        <Step n=7 title="Read the token response" rust=snippet(STEPS_SOURCE, "process_token_response") js=&["tokenResponse", "idTokenClaims"] source>
                            {match t {
                                Ok(t) => view! {
                                    <div class="tokens">
                                        <p class="muted tokens-from">{if o.refreshes == 0 { "From the code exchange.".to_owned() } else { format!("From refresh {} (step 9).", o.refreshes) }}</p>
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
                    {o.me.clone().map(|(token, me)| view! {
                        <Step n=8 title="Call the API with the access token" rust=snippet(HTTP_SOURCE, "call_api") js=&["callApi"] source>
                            <p class="me-call">"GET " {portico_proto::paths::ME} " with Authorization: Bearer " <code>{token}</code></p>
                            <pre class="me"><code>{me}</code></pre>
                        </Step>
                    })}
                    {has_tokens.then(|| view! {
                        <Step n=9 title="Refresh the tokens (with rotation)" rust=both("refresh_request_body", "refresh") js=&["refresh"] source>
                            <p>"New tokens for the refresh token: they replace those of step 7, and step 8 runs again with the new access token."</p>
                            <button class="primary" on:click=refresh>"Refresh"</button>
                            {o.refreshed.clone().map(|r| match r {
                                Ok(rotated) => view! {
                                    <p class="ok" role="status">{if rotated { "The refresh token was rotated: the old one is now dead." } else { "No rotation for this app: keep using the same refresh token." }}</p>
                                }.into_any(),
                                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                            })}
                        </Step>
                        <Step n=10 title="Revoke (sign the app out)" rust=both("revocation_body", "revoke") js=&["revoke"] source>
                            <p>"Revoking the refresh token ends the grant: its access tokens stop working too, as step 8 then shows."</p>
                            <button on:click=revoke>"Revoke"</button>
                            {o.revoked.clone().map(|r| match r {
                                Ok(()) => view! { <p class="ok" role="status">"Revoked: the refresh token and its access tokens no longer work."</p> }.into_any(),
                                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                            })}
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

    /// The page's JavaScript panels name functions of `public/pkce.js`: each is found
    /// whole, JSDoc included, and its step number matches the page's.
    #[test]
    fn js_snippets_are_the_modules_functions() {
        let js = include_str!("../../public/pkce.js");
        for (name, step) in [
            ("createVerifier", "Step 1 "),
            ("challengeS256", "Step 2 "),
            ("createStateAndNonce", "Step 3 "),
            ("authorizationUrl", "Step 4 "),
            ("validateCallback", "Step 5 "),
            ("removeCallbackParams", "Step 5,"),
            ("exchangeCode", "Steps 6 and 7 "),
            ("tokenResponse", "Step 7 "),
            ("idTokenClaims", "Step 7 "),
            ("callApi", "Step 8 "),
            ("refresh", "Step 9 "),
            ("revoke", "Step 10 "),
        ] {
            let s = js_snippet(js, name);
            assert!(s.starts_with("/**"), "{name}: {s}");
            assert!(s.contains(step), "{name} is not {step}: {s}");
            assert!(
                s.contains(&format!("function {name}(")) && s.ends_with('}'),
                "{name}: {s}"
            );
        }
        assert_eq!(js_snippet(js, "no_such_function"), "");
        // Rust and JavaScript agree on the numbers of the steps they share.
        for (rust, step) in [
            ("refresh_request_body", "/// Step 9 "),
            ("revocation_body", "/// Step 10 "),
        ] {
            assert!(snippet(STEPS_SOURCE, rust).starts_with(step), "{rust}");
        }
        assert!(snippet(HTTP_SOURCE, "call_api").starts_with("/// Step 8 "));
    }

    #[test]
    fn json_is_pretty_and_forms_are_one_parameter_a_line() {
        assert_eq!(pretty(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(
            pretty(r#"{"a":[1,{}],"b,:{":"x\"}","c":[]}"#),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b,:{\": \"x\\\"}\",\n  \"c\": []\n}"
        );
        assert_eq!(pretty("not json"), "not json");
        assert_eq!(form_lines("a=1&b=2"), "a=1\n&b=2");
    }
}

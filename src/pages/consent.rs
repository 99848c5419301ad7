use leptos::prelude::*;
use portico_proto::interaction::{ConsentRequest, Decision, InteractionView, Next};

use super::login::{go, load_interaction};
use crate::api;
use crate::components::{Alert, LoadError, Loaded};

/// `/consent?interaction=…`: who is asking for what; Allow or Deny.
#[component]
pub fn Consent() -> impl IntoView {
    let (id, interaction) = load_interaction();
    let decide = Action::new_local(move |decision: &Decision| {
        let decision = *decision;
        let id = id.get_untracked().unwrap_or_default();
        async move {
            let path = format!("/api/v1/interactions/{id}/consent");
            match api::post_public::<_, Next>(&path, &ConsentRequest { decision }).await {
                Ok(next) => {
                    go(&next.redirect_to);
                    Ok(())
                }
                Err(e) => Err(e.message),
            }
        }
    });
    view! {
        <section class="page narrow consent" aria-labelledby="consent-title">
            <Loaded read=interaction
                failed=|errors| view! { <h1 id="consent-title">"Cannot continue"</h1><LoadError errors/> }.into_any()
                render=move |t: String| {
                    let i = api::parse::<InteractionView>(&t)?;
                    Ok(view! { <Request i decide/> }.into_any())
                }/>
        </section>
    }
}

/// The app, the scopes it asks for, and the two buttons.
#[component]
fn Request(i: InteractionView, decide: Action<Decision, Result<(), String>>) -> impl IntoView {
    // Busy from the click until the browser leaves: a success only starts the navigation.
    let busy = move || decide.pending().get() || decide.value().with(|v| matches!(v, Some(Ok(()))));
    let click = move |d: Decision| {
        if !busy() {
            decide.dispatch(d);
        }
    };
    // Ends this browser's session but keeps the request: the sign-in page asks again.
    let id = i.id.clone();
    let switch = Action::new_local(move |_: &()| {
        let path = format!("/api/v1/interactions/{id}/switch-account");
        async move {
            match api::post_public::<_, Next>(&path, &()).await {
                Ok(next) => {
                    go(&next.redirect_to);
                    Ok(())
                }
                Err(e) => Err(e.message),
            }
        }
    });
    let app = i.app.clone();
    view! {
        <header class="consent-app">
            {app.logo_url.clone().map(|src| view! { <img class="logo" src=src alt="" width="64" height="64"/> })}
            <div>
                <h1 id="consent-title">{format!("{} wants to access your account", app.name)}</h1>
                {(!app.description.is_empty()).then(|| view! { <p>{app.description.clone()}</p> })}
                {app.developer_name.clone().map(|d| view! {
                    <p class="muted">"By " {d}
                        {app.developer_email.clone().map(|e| view! { " · " <a href=format!("mailto:{e}")>{e.clone()}</a> })}
                    </p>
                })}
            </div>
        </header>
        {i.username.clone().map(|u| view! {
            <p class="who-line">{format!("Signed in as {u}.")} " "
                <button type="button" class="link" disabled=busy on:click=move |_| { switch.dispatch(()); }>
                    "Not you? Use another account"
                </button>
            </p>
        })}
        <p>"It will be able to:"</p>
        <ul class="scopes">
            {i.scopes.iter().map(|s| view! { <li><strong>{s.description.clone()}</strong> <code>{s.name.clone()}</code></li> }).collect_view()}
        </ul>
        <p class="links">
            {app.privacy_policy_url.clone().map(|u| view! { <a href=u rel="noopener noreferrer" target="_blank">"Privacy policy"</a> })}
            {app.app_description_url.clone().map(|u| view! { <a href=u rel="noopener noreferrer" target="_blank">"About this app"</a> })}
        </p>
        {move || decide.value().get().and_then(Result::err).map(|e| view! { <Alert text=e/> })}
        {move || switch.value().get().and_then(Result::err).map(|e| view! { <Alert text=e/> })}
        <div class="actions">
            <button class="secondary" disabled=busy on:click=move |_| click(Decision::Deny)>"Deny"</button>
            <button class="primary" disabled=busy on:click=move |_| click(Decision::Allow)>"Allow"</button>
        </div>
    }
}

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_proto::interaction::{ConsentRequest, Decision, Next};

use super::login::{go, load_interaction};
use crate::api;

/// `/consent?interaction=…`: who is asking for what; Allow or Deny.
#[component]
pub fn Consent() -> impl IntoView {
    let (id, interaction) = load_interaction();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let decide = move |decision: Decision| {
        if busy.get_untracked() {
            return;
        }
        let Some(id) = id.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            match api::post_public::<_, Next>(
                &format!("/api/v1/interactions/{id}/consent"),
                &ConsentRequest { decision },
            )
            .await
            {
                Ok(next) => go(&next.redirect_to),
                Err(e) => {
                    error.set(Some(e.message));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="page narrow consent" aria-labelledby="consent-title">
            {move || match interaction.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <h1 id="consent-title">"Cannot continue"</h1><p class="error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(i)) => {
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
                        <p>{i.username.clone().map(|u| format!("Signed in as {u}. "))} "It will be able to:"</p>
                        <ul class="scopes">
                            {i.scopes.iter().map(|s| view! { <li><strong>{s.description.clone()}</strong> <code>{s.name.clone()}</code></li> }).collect_view()}
                        </ul>
                        <p class="links">
                            {app.privacy_policy_url.clone().map(|u| view! { <a href=u rel="noopener noreferrer" target="_blank">"Privacy policy"</a> })}
                            {app.app_description_url.clone().map(|u| view! { <a href=u rel="noopener noreferrer" target="_blank">"About this app"</a> })}
                        </p>
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="actions">
                            <button class="secondary" disabled=move || busy.get() on:click=move |_| decide(Decision::Deny)>"Deny"</button>
                            <button class="primary" disabled=move || busy.get() on:click=move |_| decide(Decision::Allow)>"Allow"</button>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

use leptos::prelude::*;
use leptos::task::spawn_local;
use portico_proto::interaction::ConnectedApps;

use crate::api::{self, ApiError};
use crate::format::date;
use crate::session::use_session;

/// `/account/apps`: the apps the signed-in user allowed; Revoke ends every grant and
/// token of the user for that app.
#[component]
pub fn ConnectedAppsPage() -> impl IntoView {
    let session = use_session();
    let list = RwSignal::new(None::<Result<ConnectedApps, ApiError>>);
    let busy = RwSignal::new(None::<String>);
    let message = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            list.set(Some(
                api::get::<ConnectedApps>(&session, "/api/v1/account/apps").await,
            ));
        })
    };
    load();
    let revoke = move |client_id: String, name: String| {
        if busy.get_untracked().is_some() {
            return;
        }
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Revoke {name}'s access? It will have to ask you again."
                ))
                .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        busy.set(Some(client_id.clone()));
        spawn_local(async move {
            match api::delete::<()>(&session, &format!("/api/v1/account/apps/{client_id}")).await {
                Ok(()) => message.set(Some(format!("{name} no longer has access."))),
                Err(e) => message.set(Some(e.message)),
            }
            busy.set(None);
            load();
        });
    };
    view! {
        <section class="page" aria-labelledby="connected-title">
            <h1 id="connected-title">"Connected apps"</h1>
            <p class="lead">"Applications you allowed to access your account."</p>
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
            {move || match list.get() {
                None => view! { <p>"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                Some(Ok(l)) if l.apps.is_empty() => view! { <p class="empty">"You have not allowed any application."</p> }.into_any(),
                Some(Ok(l)) => view! {
                    <ul class="app-cards">
                        {l.apps.into_iter().map(|a| {
                            let (id, name) = (a.client_id.clone(), a.name.clone());
                            let id_for_busy = id.clone();
                            view! {
                                <li class="card app-card">
                                    {a.logo_url.clone().map(|src| view! { <img class="logo" src=src alt="" width="40" height="40"/> })}
                                    <div class="app-main">
                                        <h2>{a.name.clone()}</h2>
                                        <ul class="scopes">
                                            {a.scopes.iter().map(|s| view! { <li>{s.description.clone()} <code>{s.name.clone()}</code></li> }).collect_view()}
                                        </ul>
                                        <p class="muted">{format!("Allowed {} · Last used {}", date(a.allowed_at), date(a.last_used_at))}</p>
                                    </div>
                                    <button class="secondary"
                                        disabled=move || busy.get().as_deref() == Some(id_for_busy.as_str())
                                        on:click=move |_| revoke(id.clone(), name.clone())
                                        aria-label=format!("Revoke {}", a.name)>"Revoke"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
    }
}

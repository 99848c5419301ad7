use leptos::prelude::*;
use portico_proto::interaction::{ConnectedApp, ConnectedApps};

use crate::api;
use crate::components::Loaded;
use crate::format::date;
use crate::session::use_session;

/// `/account/apps`: the apps the signed-in user allowed; Revoke ends every grant and
/// token of the user for that app.
#[component]
pub fn ConnectedAppsPage() -> impl IntoView {
    let session = use_session();
    let list = api::read_path(session, "/api/v1/account/apps");
    // Input: (client ID, name); output: what to tell the user. The list is read again
    // either way, so it shows what the server now holds.
    let revoke = Action::new_local(move |(client_id, name): &(String, String)| {
        let (client_id, name) = (client_id.clone(), name.clone());
        async move {
            let said =
                match api::delete::<()>(&session, &format!("/api/v1/account/apps/{client_id}"))
                    .await
                {
                    Ok(()) => format!("{name} no longer has access."),
                    Err(e) => e.message,
                };
            list.refetch();
            said
        }
    });
    view! {
        <section class="page" aria-labelledby="connected-title">
            <h1 id="connected-title">"Connected apps"</h1>
            <p class="lead">"Applications you allowed to access your account."</p>
            {move || revoke.value().get().map(|m| view! { <p role="status">{m}</p> })}
            <Loaded read=list keep=true render=move |t: String| {
                let l = api::parse::<ConnectedApps>(&t)?;
                Ok(if l.apps.is_empty() {
                    view! { <p class="empty">"You have not allowed any application."</p> }.into_any()
                } else {
                    view! {
                        <ul class="app-cards">
                            {l.apps.into_iter().map(|a| view! { <AppCard app=a revoke/> }).collect_view()}
                        </ul>
                    }.into_any()
                })
            }/>
        </section>
    }
}

/// One allowed app: what it may do, and Revoke (after a confirmation).
#[component]
fn AppCard(app: ConnectedApp, revoke: Action<(String, String), String>) -> impl IntoView {
    let a = app;
    let (id, name) = (a.client_id.clone(), a.name.clone());
    let id_for_busy = id.clone();
    let busy = move || {
        revoke
            .input()
            .with(|i| i.as_ref().is_some_and(|(busy, _)| *busy == id_for_busy))
    };
    let ask = move |_| {
        if revoke.pending().get_untracked() {
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
        if confirmed {
            revoke.dispatch((id.clone(), name.clone()));
        }
    };
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
            <button class="secondary" disabled=busy on:click=ask
                aria-label=format!("Revoke {}", a.name)>"Revoke"</button>
        </li>
    }
}

use leptos::prelude::*;
use portico_proto::interaction::{ConnectedApp, ConnectedApps};

use crate::api;
use crate::components::{sig, ConfirmDialog, Loaded};
use crate::format::date;
use crate::session::use_session;

/// `/account/apps`: the apps the signed-in user allowed; Revoke (after the console's own
/// confirmation dialog) ends every grant and token of the user for that app.
#[component]
pub fn ConnectedAppsPage() -> impl IntoView {
    let session = use_session();
    let list = api::read_path(session, "/api/v1/account/apps");
    // The app the dialog asks about: (client ID, name).
    let target = RwSignal::new(None::<(String, String)>);
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<String>);
    let revoke = Action::new_local(move |(client_id, name): &(String, String)| {
        let (client_id, name) = (client_id.clone(), name.clone());
        async move {
            match api::delete::<()>(&session, &format!("/api/v1/account/apps/{client_id}")).await {
                Ok(()) => {
                    open.set(false);
                    said.set(Some(format!("{name} no longer has access.")));
                    // Read again, so the list shows what the server now holds.
                    list.refetch();
                }
                Err(e) => error.set(Some(e.message)),
            }
        }
    });
    let ask = Callback::new(move |app: (String, String)| {
        said.set(None);
        target.set(Some(app));
        open.set(true);
    });
    let name = move || target.with(|t| t.as_ref().map(|(_, n)| n.clone()).unwrap_or_default());
    view! {
        <section class="page" aria-labelledby="connected-title">
            <h1 id="connected-title">"Connected apps"</h1>
            <p class="lead">"Applications you allowed to access your account."</p>
            <p role="status">{move || said.get()}</p>
            <Loaded read=list keep=true render=move |t: String| {
                let l = api::parse::<ConnectedApps>(&t)?;
                Ok(if l.apps.is_empty() {
                    view! { <p class="empty">"You have not allowed any application."</p> }.into_any()
                } else {
                    view! {
                        <ul class="app-cards">
                            {l.apps.into_iter().map(|a| view! { <AppCard app=a ask/> }).collect_view()}
                        </ul>
                    }.into_any()
                })
            }/>
            <ConfirmDialog open id="revoke-app"
                title=sig(move || format!("Revoke {}'s access?", name()))
                confirm_label="Revoke access".to_owned()
                busy=revoke.pending()
                error
                on_confirm=move |()| {
                    if let Some(app) = target.get_untracked() {
                        revoke.dispatch(app);
                    }
                }>
                <p>{move || format!(
                    "{} stops working with your account now: its tokens are ended, and it must ask you again before it can use your account.",
                    name()
                )}</p>
            </ConfirmDialog>
        </section>
    }
}

/// One allowed app: what it may do, when it was allowed and last used, and Revoke.
#[component]
fn AppCard(app: ConnectedApp, ask: Callback<(String, String)>) -> impl IntoView {
    let a = app;
    let target = (a.client_id.clone(), a.name.clone());
    view! {
        <li class="card app-card">
            {a.logo_url.clone().map(|src| view! { <img class="logo" src=src alt="" width="40" height="40"/> })}
            <div class="app-main">
                <h2>{a.name.clone()}</h2>
                <ul class="scopes">
                    {a.scopes.iter().map(|s| view! { <li>{s.description.clone()} <code>{s.name.clone()}</code></li> }).collect_view()}
                </ul>
                <p class="muted">
                    "Allowed " <span class="nowrap">{date(a.allowed_at)}</span>
                    " · Last used " <span class="nowrap">{date(a.last_used_at)}</span>
                </p>
            </div>
            <button class="secondary" on:click=move |_| ask.run(target.clone())
                aria-label=format!("Revoke {}", a.name)>"Revoke"</button>
        </li>
    }
}

//! `/apps/:client_id`: one app — its settings, secrets, keys, logo, and deletion.

mod delete;
pub mod dialogs;
pub mod draft;
mod keys;
mod logo;
mod secrets;
mod settings;
pub mod ui;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use portico_proto::{App, AppType};

pub use dialogs::SecretDialog;

use crate::api::{self, ApiError};
use crate::format::{copy_to_clipboard, date, date_or_never, type_label};
use crate::session::use_session;
use delete::DeletePanel;
use keys::KeysPanel;
use logo::LogoPanel;
use secrets::SecretsPanel;
use settings::SettingsForm;
use ui::{sig, Button};

/// How an app of each type signs in, for the page header.
pub fn auth_summary(t: AppType) -> &'static str {
    match t {
        AppType::MachineToMachine => {
            "Authenticates with a JWT signed by its private key (RFC 7523) or with a client secret; no user is involved."
        }
        AppType::Web => {
            "Signs users in with the authorization code flow and authenticates with a client secret kept on its server."
        }
        AppType::SinglePage => {
            "A public client: signs users in with the authorization code flow and PKCE, and holds no secret."
        }
    }
}

#[component]
pub fn AppDetail() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let app = RwSignal::new(None::<App>);
    // Which app the panels show: set once per load, so edits do not re-render the page.
    let loaded = RwSignal::new(None::<(String, AppType)>);
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| {
        let id = params.read().get("client_id").unwrap_or_default();
        app.set(None);
        loaded.set(None);
        error.set(None);
        spawn_local(async move {
            match api::get::<App>(&session, &format!("/api/v1/apps/{id}")).await {
                Ok(a) => {
                    loaded.set(Some((a.client_id.clone(), a.app_type())));
                    app.set(Some(a));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let name = sig(move || app.with(|a| a.as_ref().map(|a| a.name.clone()).unwrap_or_default()));
    let logo = sig(move || app.with(|a| a.as_ref().and_then(|a| a.logo_url.clone())));
    let dates = sig(move || {
        app.with(|a| {
            a.as_ref().map(|a| {
                format!(
                    "Created {} · Updated {} · Last used {}",
                    date(a.created_at),
                    date(a.updated_at),
                    date_or_never(a.last_used_at)
                )
            })
        })
    });

    view! {
        <section class="page app-detail" aria-labelledby="app-title">
            <p class="back"><a href="/apps">"← All apps"</a></p>
            {move || match (loaded.get(), error.get()) {
                (_, Some(e)) => view! {
                    <h1 id="app-title">{if e.status == 404 { "App not found" } else { "The app could not be loaded" }}</h1>
                    <p class="error" role="alert">{e.message}</p>
                }.into_any(),
                (None, None) => view! { <h1 id="app-title">"App"</h1><p role="status">"Loading…"</p> }.into_any(),
                (Some((id, t)), None) => {
                    let copy_id = id.clone();
                    view! {
                        <div class="app-head">
                            <img class="logo" src=logo alt="" width="56" height="56" hidden=sig(move || logo.with(Option::is_none))/>
                            <div class="app-main">
                                <h1 id="app-title">{name}</h1>
                                <span class=format!("badge {}", t.as_str())>{type_label(t)}</span>
                                <p class="client-id">
                                    <span class="muted">"Client ID "</span><code>{id.clone()}</code>
                                    <Button label="Copy" class="link" aria_label="Copy client ID"
                                        on_click=move |()| copy_to_clipboard(&copy_id)/>
                                </p>
                                <p class="muted">{dates}</p>
                                <p class="muted">{auth_summary(t)}</p>
                            </div>
                        </div>
                        <div class="panels">
                            <SettingsForm app=app client_id=id.clone() t=t/>
                            {t.has_secrets().then(|| view! { <SecretsPanel app=app client_id=id.clone()/> })}
                            {(t == AppType::MachineToMachine).then(|| view! { <KeysPanel app=app client_id=id.clone()/> })}
                            {t.uses_redirects().then(|| view! { <LogoPanel app=app client_id=id.clone()/> })}
                            <DeletePanel client_id=id.clone() name=name/>
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

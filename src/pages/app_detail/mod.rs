//! `/apps/:client_id`: one app — its settings, secrets, keys, logo, who uses it, and deletion.

mod admin_access;
mod delete;
pub mod draft;
mod keys;
mod logo;
mod secrets;
mod settings;
mod users;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use portico_proto::{App, AppType};

use crate::api;
use crate::components::{api_error, sig, CopyButton, LoadError, Loaded};
use crate::format::{date, date_or_never, type_label};
use crate::session::use_session;
use admin_access::AdminAccessPanel;
pub use admin_access::{has_admin_api_access, FULL_POWER};
use delete::DeletePanel;
use keys::KeysPanel;
use logo::LogoPanel;
use secrets::SecretsPanel;
use settings::SettingsForm;
use users::UsersPanel;

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

/// The page: the app is read once per client ID; a newer read always replaces an older one.
#[component]
pub fn AppDetail() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let app = api::read(
        Some(session),
        Signal::derive(move || {
            let id = params.read().get("client_id").unwrap_or_default();
            Some(format!("/api/v1/apps/{id}"))
        }),
    );
    let failed = |errors: ArcRwSignal<Errors>| {
        let missing = api_error(&errors).is_some_and(|e| e.status == 404);
        view! {
            <h1 id="app-title">{if missing { "App not found" } else { "The app could not be loaded" }}</h1>
            <LoadError errors/>
        }
        .into_any()
    };
    view! {
        <section class="page app-detail" aria-labelledby="app-title">
            <p class="back"><a href="/apps">"← All apps"</a></p>
            <Loaded read=app failed
                loading=|| view! { <h1 id="app-title">"App"</h1><p role="status">"Loading…"</p> }
                render=|t: String| {
                    let a = api::parse::<App>(&t)?;
                    Ok(view! { <AppPage app=a/> }.into_any())
                }/>
        </section>
    }
}

/// The page's success messages speak one at a time: the newest stays and every older one
/// goes, so "Secret added." does not linger beside a later "Saved." or "Key deleted.".
/// Errors are left alone: they belong to what failed until it is fixed.
#[derive(Clone, Copy)]
struct Voices {
    /// The last panel that said something, by its number.
    last: RwSignal<usize>,
    next: StoredValue<usize>,
}

/// Joins a panel's message signal to the page's [`Voices`]; `success` says which messages
/// give way to a newer one.
pub fn one_voice<T: Send + Sync + 'static>(status: RwSignal<Option<T>>, success: fn(&T) -> bool) {
    let Some(v) = use_context::<Voices>() else {
        return;
    };
    let me = v.next.get_value();
    v.next.set_value(me + 1);
    Effect::new(move |_| {
        if status.with(|s| s.as_ref().is_some_and(success)) {
            v.last.set(me);
        }
    });
    Effect::new(move |_| {
        if v.last.get() != me && status.with_untracked(|s| s.as_ref().is_some_and(success)) {
            status.set(None);
        }
    });
}

/// One app as read: the panels edit this copy, so a save shows at once in the header.
#[component]
fn AppPage(app: App) -> impl IntoView {
    provide_context(Voices {
        last: RwSignal::new(usize::MAX),
        next: StoredValue::new(0),
    });
    let (id, t) = (app.client_id.clone(), app.app_type());
    let app = RwSignal::new(Some(app));
    let name = sig(move || app.with(|a| a.as_ref().map(|a| a.name.clone()).unwrap_or_default()));
    view! {
        <Header app id=id.clone() t name/>
        <div class="panels">
            <SettingsForm app=app client_id=id.clone() t=t/>
            {t.has_secrets().then(|| view! { <SecretsPanel app=app client_id=id.clone()/> })}
            {(t == AppType::MachineToMachine).then(|| view! { <KeysPanel app=app client_id=id.clone()/> })}
            {(t == AppType::MachineToMachine).then(|| view! { <AdminAccessPanel app=app client_id=id.clone()/> })}
            {t.uses_redirects().then(|| view! { <LogoPanel app=app client_id=id.clone()/> })}
            // Users allow web and single-page apps; a machine-to-machine app acts for the
            // users an administrator lists, who never consent.
            {t.uses_redirects().then(|| view! { <UsersPanel client_id=id.clone()/> })}
            <DeletePanel client_id=id.clone() name=name/>
        </div>
    }
}

/// Logo, name, type, client ID, dates and how the app signs in.
#[component]
fn Header(
    app: RwSignal<Option<App>>,
    id: String,
    t: AppType,
    name: Signal<String>,
) -> impl IntoView {
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
    let full_power = sig(move || app.with(|a| a.as_ref().is_some_and(has_admin_api_access)));
    view! {
        <div class="app-head">
            <img class="logo" src=logo alt="" width="56" height="56" hidden=sig(move || logo.with(Option::is_none))/>
            <div class="app-main">
                <h1 id="app-title">{name}</h1>
                <span class=format!("badge {}", t.as_str())>{type_label(t)}</span>
                <p class="client-id">
                    <span class="muted">"Client ID "</span><code>{id.clone()}</code>
                    <CopyButton value=id aria_label="Copy client ID"/>
                </p>
                <p class="muted">{dates}</p>
                <p class="muted">{auth_summary(t)}</p>
                <p id="admin-power-warning" class="warning" role="note"
                    hidden=sig(move || !full_power.get())>
                    <strong>"Admin API access is on. "</strong>{FULL_POWER}
                </p>
            </div>
        </div>
    }
}

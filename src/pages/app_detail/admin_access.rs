//! A machine-to-machine app's admin API access: the one way an app other than the console
//! gets admin power (`server/src/oauth/authority.rs`). A checkbox that never changes by
//! itself: ticking or unticking it asks first, and only the confirmed PATCH changes it.

use leptos::prelude::*;
use portico_proto::{App, AppKind};
use serde_json::json;

use crate::api;
use crate::components::{sig, ConfirmDialog, Msg};
use crate::session::use_session;

/// Whether the app may call the admin API (machine-to-machine apps only).
pub fn has_admin_api_access(app: &App) -> bool {
    matches!(
        app.kind,
        AppKind::MachineToMachine {
            admin_api_access: true,
            ..
        }
    )
}

/// What the warning on the app's page and the marker in the list say.
pub const FULL_POWER: &str = "This app has full admin power over Portico: with its own client credentials token it can create, change and delete apps and their secrets and keys, and read the audit log, without anyone signing in.";

#[component]
pub fn AdminAccessPanel(app: RwSignal<Option<App>>, client_id: String) -> impl IntoView {
    let session = use_session();
    let on = sig(move || app.with(|a| a.as_ref().is_some_and(has_admin_api_access)));
    let name = sig(move || app.with(|a| a.as_ref().map(|a| a.name.clone()).unwrap_or_default()));
    // The value the dialog would set: the opposite of what is stored when it opened.
    let wanted = RwSignal::new(false);
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    super::one_voice(done, |_| true);
    let path = format!("/api/v1/apps/{client_id}");
    let save = Action::new_local(move |value: &bool| {
        let (path, value) = (path.clone(), *value);
        async move {
            match api::patch::<_, App>(&session, &path, &json!({ "admin_api_access": value })).await
            {
                Ok(saved) => {
                    app.set(Some(saved));
                    open.set(false);
                    done.set(Some(
                        if value {
                            "Admin API access is on."
                        } else {
                            "Admin API access is off; the app's tokens no longer open the admin API."
                        }
                        .to_owned(),
                    ));
                }
                Err(e) => error.set(Some(e.message)),
            }
        }
    });
    let busy = save.pending();
    let confirm = move |()| {
        if !busy.get_untracked() {
            save.dispatch(wanted.get_untracked());
        }
    };
    let title = sig(move || {
        if wanted.get() {
            format!("Give {} admin API access?", name.get())
        } else {
            format!("Turn off admin API access for {}?", name.get())
        }
    });
    let confirm_label = sig(move || {
        if wanted.get() {
            "Give admin API access".to_owned()
        } else {
            "Turn off admin API access".to_owned()
        }
    });

    view! {
        <section class="card panel" aria-labelledby="admin-access-title">
            <h2 id="admin-access-title">"Admin API access"</h2>
            <p class="hint">
                "Lets this app call Portico's admin API with a client credentials token "
                "(" <code>"scope=admin"</code> "), for automation without a browser. Every change "
                "it makes is in the audit log under its name. It can never change this setting, "
                "nor the users any app may act as."
            </p>
            <label class="check">
                <input id="admin-api-access" type="checkbox"
                    prop:checked=on
                    disabled=busy
                    on:click=move |ev| {
                        // The box keeps showing what is stored until the dialog is
                        // confirmed (a prevented click leaves a checkbox as it was).
                        ev.prevent_default();
                        wanted.set(!on.get_untracked());
                        error.set(None);
                        done.set(None);
                        open.set(true);
                    }/>
                " Allow this app to use the admin API"
            </label>
            <Msg text=done/>
            <ConfirmDialog open=open id="admin-access"
                title=title confirm_label=confirm_label
                busy=busy error=error on_confirm=confirm>
                {move || if wanted.get() {
                    view! {
                        <p>
                            "Anyone holding this app's secret or private key will be able to do "
                            "everything an administrator can in the admin API: create, change and "
                            "delete apps, their secrets and keys, and revoke users' access. "
                            "Give it only to an app whose credentials are kept as safely as an "
                            "administrator's password."
                        </p>
                    }.into_any()
                } else {
                    view! {
                        <p>"The app's tokens stop opening the admin API at once."</p>
                    }.into_any()
                }}
            </ConfirmDialog>
        </section>
    }
}

//! The settings form of one app: the fields of its type, inline validation with the
//! server's own messages, Save, and a guard against leaving with unsaved changes (links,
//! Back and Forward, reload and closing the tab).

mod duration;
mod fields;
mod form;

use leptos::prelude::*;
use portico_proto::{App, AppInput, AppType};

use crate::api;
use crate::components::{sig, Button};
use crate::leave_guard;
use crate::session::use_session;
use fields::{DeveloperFields, DraftText, IdTokenAlgField, RefreshFields};
use form::Form;

/// The settings form. `app` is updated with the server's answer after a save.
#[component]
pub fn SettingsForm(app: RwSignal<Option<App>>, client_id: String, t: AppType) -> impl IntoView {
    let session = use_session();
    let form = Form::new(app, t);
    crate::pages::app_detail::one_voice(form.result, Result::is_ok);
    leave_guard::ask_while(
        form.dirty,
        "You have unsaved changes to this app. Leave without saving?",
    );
    let path = format!("/api/v1/apps/{client_id}");
    // Input: the PATCH body of the changed fields.
    let patch = Action::new_local(move |input: &AppInput| {
        let (path, input) = (path.clone(), input.clone());
        async move {
            match api::patch::<_, App>(&session, &path, &input).await {
                Ok(saved) => {
                    form.saved(&saved);
                    app.set(Some(saved));
                }
                Err(e) => form.refused(e),
            }
        }
    });
    let busy = patch.pending();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !form.dirty.get_untracked() {
            return;
        }
        form.submitted.set(true);
        if !form.check.with_untracked(Vec::is_empty) {
            let again = "Correct the fields marked above, then save again.";
            form.result.set(Some(Err(again.to_owned())));
            return;
        }
        let input = form
            .draft
            .with_untracked(|d| form.original.with_untracked(|o| d.changes(o, t).0));
        form.result.set(None);
        patch.dispatch(input);
    };
    view! {
        <section class="card panel" aria-labelledby="settings-title">
            <h2 id="settings-title">"Settings"</h2>
            <form class="form settings" novalidate on:submit=save>
                <DraftText form id="name" label="Name" required=true
                    get=|d| d.name.clone() set=|d, v| d.name = v
                    hint="Shown to users when the app asks for access."/>
                <DraftText form id="description" label="Description" multiline=true
                    get=|d| d.description.clone() set=|d, v| d.description = v/>
                {(t == AppType::Web).then(|| view! {
                    <DraftText form id="app_description_url" label="App description URL" input_type="url"
                        get=|d| d.app_description_url.clone() set=|d, v| d.app_description_url = v
                        hint="A page that tells users what this app is. Optional."/>
                })}
                {(t == AppType::MachineToMachine).then(|| view! {
                    <DraftText form id="jwt_bearer_users" label="Users it may act as" multiline=true
                        get=|d| d.jwt_bearer_users.clone() set=|d, v| d.jwt_bearer_users = v
                        hint="One username per line: the users this app may act as with the JWT-bearer grant (RFC 7523). Leave empty and the app can only act as itself. Administrators can never be listed."/>
                })}
                {t.uses_redirects().then(|| view! { <RefreshFields form/> })}
                {(t == AppType::SinglePage).then(|| view! { <DeveloperFields form/> })}
                <IdTokenAlgField form/>
                <DraftText form id="access_token_lifetime" label="Access-token lifetime"
                    get=|d| d.access_token_lifetime.clone() set=|d, v| d.access_token_lifetime = v
                    hint="From 1 minute to 24 hours, written like 15m or 1h. Access tokens stay short-lived: a stolen one works only until then."/>
                <SaveBar form busy=busy.into()/>
            </form>
        </section>
    }
}

/// The outcome of the last save (or "unsaved changes"), Discard and Save.
#[component]
fn SaveBar(form: Form, busy: Signal<bool>) -> impl IntoView {
    let message = sig(move || match form.result.get() {
        Some(Ok(m)) | Some(Err(m)) => m,
        None if busy.get() => "Saving…".to_owned(),
        None if form.dirty.get() => "You have unsaved changes.".to_owned(),
        None => String::new(),
    });
    let class = sig(
        move || match form.result.with(|r| r.as_ref().map(Result::is_ok)) {
            Some(true) => "ok",
            Some(false) => "error",
            None => "muted",
        },
    );
    view! {
        <div class="save-bar">
            <p role="status" class=class>{message}</p>
            <div class="actions">
                <Button label="Discard changes" disabled=sig(move || busy.get() || !form.dirty.get())
                    on_click=move |()| form.discard()/>
                <Button label="Save" working="Saving…" class="primary" submit=true busy=busy
                    disabled=sig(move || !form.dirty.get())/>
            </div>
        </div>
    }
}

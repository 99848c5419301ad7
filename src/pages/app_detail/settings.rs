//! The settings form of one app: the fields of its type, inline validation with the
//! server's own messages, Save, and a guard against leaving with unsaved changes (links,
//! Back and Forward, reload and closing the tab).

use leptos::prelude::*;
use portico_proto::app::AppSettings;
use portico_proto::validate::SPA_MUST_ROTATE;
use portico_proto::{App, AppInput, AppType, FieldError};

use super::draft::{message_for, settings_of, Draft, DurationField};
use crate::api;
use crate::components::{sig, Button, DurationInput, TextField};
use crate::leave_guard;
use crate::session::use_session;

/// The settings form. `app` is updated with the server's answer after a save.
#[component]
pub fn SettingsForm(app: RwSignal<Option<App>>, client_id: String, t: AppType) -> impl IntoView {
    let session = use_session();
    let start = app
        .with_untracked(|a| a.as_ref().map(Draft::from_app))
        .unwrap_or_else(|| Draft::from_settings(&AppSettings::defaults(t)));
    let original = RwSignal::new(start.clone());
    let draft = RwSignal::new(start);
    let dirty = sig(move || draft.with(|d| original.with(|o| d != o)));
    let check = sig(move || {
        draft.with(|d| {
            original.with(|o| {
                app.with(|a| {
                    let stored = a
                        .as_ref()
                        .map(settings_of)
                        .unwrap_or_else(|| AppSettings::defaults(t));
                    d.check(o, &stored, t)
                })
            })
        })
    });
    let touched = RwSignal::new(Vec::<&'static str>::new());
    let submitted = RwSignal::new(false);
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let result = RwSignal::new(None::<Result<String, String>>);
    leave_guard::ask_while(
        dirty,
        "You have unsaved changes to this app. Leave without saving?",
    );

    let error_for = move |field: &'static str| {
        sig(move || {
            message_for(&server_errors.read(), field).or_else(|| {
                let shown = submitted.get() || touched.with(|t| t.contains(&field));
                shown.then(|| message_for(&check.get(), field)).flatten()
            })
        })
    };
    let blur = move |field: &'static str| {
        Callback::new(move |()| {
            if !touched.with_untracked(|t| t.contains(&field)) {
                touched.update(|t| t.push(field));
            }
        })
    };
    // Editing clears the server's verdict on that field and the last result message.
    let changed = move |field: &'static str| {
        server_errors.update(|e| e.retain(|x| x.field != field));
        result.set(None);
    };
    let edit = move |field: &'static str, f: fn(&mut Draft, String)| {
        Callback::new(move |v: String| {
            draft.update(|d| f(d, v));
            changed(field);
        })
    };
    let edit_duration = move |field: &'static str, f: fn(&mut Draft, DurationField)| {
        Callback::new(move |v: DurationField| {
            draft.update(|d| f(d, v));
            changed(field);
        })
    };
    let text = move |f: fn(&Draft) -> String| sig(move || draft.with(f));
    let duration = move |f: fn(&Draft) -> DurationField| sig(move || draft.with(f));

    let path = format!("/api/v1/apps/{client_id}");
    // Input: the PATCH body of the changed fields.
    let patch = Action::new_local(move |input: &AppInput| {
        let (path, input) = (path.clone(), input.clone());
        async move {
            match api::patch::<_, App>(&session, &path, &input).await {
                Ok(saved) => {
                    let d = Draft::from_app(&saved);
                    original.set(d.clone());
                    draft.set(d);
                    app.set(Some(saved));
                    server_errors.set(Vec::new());
                    submitted.set(false);
                    touched.set(Vec::new());
                    result.set(Some(Ok("Saved.".to_owned())));
                }
                Err(e) => {
                    let fields = e
                        .problem
                        .as_ref()
                        .map(|p| p.errors.clone())
                        .unwrap_or_default();
                    let msg = if fields.is_empty() {
                        e.message.clone()
                    } else {
                        "The server refused some settings; see the fields marked above.".to_owned()
                    };
                    server_errors.set(fields);
                    result.set(Some(Err(msg)));
                }
            }
        }
    });
    let busy = patch.pending();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !dirty.get_untracked() {
            return;
        }
        submitted.set(true);
        if !check.with_untracked(Vec::is_empty) {
            result.set(Some(Err(
                "Correct the fields marked above, then save again.".to_owned(),
            )));
            return;
        }
        let (input, _) = draft.with_untracked(|d| original.with_untracked(|o| d.changes(o, t)));
        result.set(None);
        patch.dispatch(input);
    };
    let discard = move |()| {
        draft.set(original.get_untracked());
        server_errors.set(Vec::new());
        touched.set(Vec::new());
        submitted.set(false);
        result.set(None);
    };
    let message = sig(move || match result.get() {
        Some(Ok(m)) | Some(Err(m)) => m,
        None if busy.get() => "Saving…".to_owned(),
        None if dirty.get() => "You have unsaved changes.".to_owned(),
        None => String::new(),
    });
    let message_class = sig(
        move || match result.with(|r| r.as_ref().map(Result::is_ok)) {
            Some(true) => "ok",
            Some(false) => "error",
            None => "muted",
        },
    );
    let no_changes = sig(move || !dirty.get());
    // Single-page apps always rotate (RFC 9700 §4.14.2): their switch is on and locked.
    let locked = t == AppType::SinglePage;
    let rotate = sig(move || locked || draft.with(|d| d.rotate_refresh_token));

    let refresh_fields = t.uses_redirects().then(|| {
        view! {
            <fieldset class="group">
                <legend>"Sign-in"</legend>
                <TextField id="redirect_uris" label="Redirect URLs" multiline=true
                    value=text(|d| d.redirect_uris.clone())
                    set=edit("redirect_uris", |d, v| d.redirect_uris = v)
                    error=error_for("redirect_uris") on_blur=blur("redirect_uris")
                    hint="One per line, exactly as your app sends them: https, or http only on localhost. No wildcards, no #fragment."/>
            </fieldset>
            <fieldset class="group">
                <legend>"Refresh tokens"</legend>
                <p class="hint">"Issued only when the app asks for the offline_access scope."</p>
                <label class="check">
                    <input id="rotate_refresh_token" type="checkbox" prop:checked=rotate
                        disabled=locked aria-describedby=locked.then_some("rotate_refresh_token-hint")
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| d.rotate_refresh_token = on);
                            changed("rotate_refresh_token");
                        }/>
                    " Rotate the refresh token on each use"
                </label>
                {locked.then_some(view! { <p id="rotate_refresh_token-hint" class="hint">{SPA_MUST_ROTATE}</p> })}
                <p id="rotate_refresh_token-error" class="field-error">{error_for("rotate_refresh_token")}</p>
                <DurationInput id="refresh_token_absolute_lifetime" label="Absolute expiry"
                    value=duration(|d| d.absolute.clone())
                    set=edit_duration("refresh_token_absolute_lifetime", |d, v| d.absolute = v)
                    error=error_for("refresh_token_absolute_lifetime")
                    on_blur=blur("refresh_token_absolute_lifetime")
                    hint="Time from sign-in after which the user must sign in again, e.g. 30d."/>
                <DurationInput id="refresh_token_inactivity_lifetime" label="Inactivity expiry"
                    value=duration(|d| d.inactivity.clone())
                    set=edit_duration("refresh_token_inactivity_lifetime", |d, v| d.inactivity = v)
                    error=error_for("refresh_token_inactivity_lifetime")
                    on_blur=blur("refresh_token_inactivity_lifetime")
                    hint="Unused for this long, the refresh token expires, e.g. 7d or 12h."/>
            </fieldset>
        }
    });
    let web_fields = (t == AppType::Web).then(|| {
        view! {
            <TextField id="app_description_url" label="App description URL" input_type="url"
                value=text(|d| d.app_description_url.clone())
                set=edit("app_description_url", |d, v| d.app_description_url = v)
                error=error_for("app_description_url") on_blur=blur("app_description_url")
                hint="A page that tells users what this app is. Optional."/>
        }
    });
    let m2m_fields = (t == AppType::MachineToMachine).then(|| {
        view! {
            <TextField id="jwt_bearer_users" label="Users it may act as" multiline=true
                value=text(|d| d.jwt_bearer_users.clone())
                set=edit("jwt_bearer_users", |d, v| d.jwt_bearer_users = v)
                error=error_for("jwt_bearer_users") on_blur=blur("jwt_bearer_users")
                hint="One username per line: the users this app may act as with the JWT-bearer grant (RFC 7523). Leave empty and the app can only act as itself. Administrators can never be listed."/>
        }
    });
    let spa_fields = (t == AppType::SinglePage).then(|| {
        view! {
            <fieldset class="group">
                <legend>"Developer"</legend>
                <p class="hint">"Shown to users on the consent page. Optional."</p>
                <TextField id="developer_name" label="Developer name"
                    value=text(|d| d.developer_name.clone())
                    set=edit("developer_name", |d, v| d.developer_name = v)
                    error=error_for("developer_name") on_blur=blur("developer_name")/>
                <TextField id="developer_email" label="Developer e-mail" input_type="email"
                    value=text(|d| d.developer_email.clone())
                    set=edit("developer_email", |d, v| d.developer_email = v)
                    error=error_for("developer_email") on_blur=blur("developer_email")/>
                <TextField id="privacy_policy_url" label="Privacy policy URL" input_type="url"
                    value=text(|d| d.privacy_policy_url.clone())
                    set=edit("privacy_policy_url", |d, v| d.privacy_policy_url = v)
                    error=error_for("privacy_policy_url") on_blur=blur("privacy_policy_url")/>
            </fieldset>
        }
    });

    view! {
        <section class="card panel" aria-labelledby="settings-title">
            <h2 id="settings-title">"Settings"</h2>
            <form class="form settings" novalidate on:submit=save>
                <TextField id="name" label="Name" required=true
                    value=text(|d| d.name.clone())
                    set=edit("name", |d, v| d.name = v)
                    error=error_for("name") on_blur=blur("name")
                    hint="Shown to users when the app asks for access."/>
                <TextField id="description" label="Description" multiline=true
                    value=text(|d| d.description.clone())
                    set=edit("description", |d, v| d.description = v)
                    error=error_for("description") on_blur=blur("description")/>
                {web_fields}
                {m2m_fields}
                {refresh_fields}
                {spa_fields}
                <TextField id="access_token_lifetime" label="Access-token lifetime"
                    value=text(|d| d.access_token_lifetime.clone())
                    set=edit("access_token_lifetime", |d, v| d.access_token_lifetime = v)
                    error=error_for("access_token_lifetime") on_blur=blur("access_token_lifetime")
                    hint="Between 1m and 24h, e.g. 1h. Access tokens are kept short-lived."/>
                <div class="save-bar">
                    <p role="status" class=message_class>{message}</p>
                    <div class="actions">
                        <Button label="Discard changes" disabled=sig(move || busy.get() || !dirty.get()) on_click=discard/>
                        <Button label="Save" working="Saving…" class="primary" submit=true busy=busy disabled=no_changes/>
                    </div>
                </div>
            </form>
        </section>
    }
}

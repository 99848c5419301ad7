//! Client secrets: listed by hint with their note, created and last-used dates; a note is
//! edited in place; a new one is shown once; deleting asks first and warns when it is the
//! last.

use leptos::prelude::*;
use portico_proto::secret::{validate_note, MAX_SECRETS_PER_APP, SECRET_NOTE_MAX};
use portico_proto::{App, AppKind, NewSecret, NewSecretInput, SecretInfo, SecretPatch};

use crate::api;
use crate::components::{sig, Button, Msg};
use crate::components::{ConfirmDialog, SecretDialog};
use crate::format::{date, date_or_never};
use crate::session::use_session;

pub fn secrets_of(app: &App) -> Vec<SecretInfo> {
    match &app.kind {
        AppKind::MachineToMachine { secrets, .. } | AppKind::Web { secrets, .. } => secrets.clone(),
        AppKind::SinglePage { .. } => Vec::new(),
    }
}

fn secrets_mut(app: &mut App) -> Option<&mut Vec<SecretInfo>> {
    match &mut app.kind {
        AppKind::MachineToMachine { secrets, .. } | AppKind::Web { secrets, .. } => Some(secrets),
        AppKind::SinglePage { .. } => None,
    }
}

/// What the delete confirmation says about a secret.
pub fn delete_warning(hint: &str, remaining_after: usize) -> String {
    if remaining_after == 0 {
        format!(
            "{hint} is this app's only secret. Once it is deleted, the app cannot authenticate \
             with a secret until you add a new one."
        )
    } else {
        format!("Software that still sends {hint} will be refused from now on.")
    }
}

/// The dates shown beside a secret.
fn details(s: &SecretInfo) -> [String; 2] {
    [
        format!("Created {}", date(s.created_at)),
        format!("Last used {}", date_or_never(s.last_used_at)),
    ]
}

/// One secret: its hint, dates, note (edited in place, saved with its own button) and
/// Delete button.
#[component]
fn SecretRow(
    secret: SecretInfo,
    #[prop(into)] saving: Signal<bool>,
    #[prop(into)] on_save: Callback<(String, String)>,
    #[prop(into)] on_delete: Callback<String>,
) -> impl IntoView {
    let note = RwSignal::new(secret.note.clone());
    let [created, used] = details(&secret);
    let hint = secret.hint.clone();
    let id = secret.id.clone();
    let save = move |_| on_save.run((id.clone(), note.get_untracked()));
    let id = secret.id.clone();
    view! {
        <li class="row secret-row">
            <code>{hint.clone()}</code>
            <span class="muted">{created}</span>
            <span class="muted">{used}</span>
            <span class="note-edit">
                <input type="text" class="note" maxlength=SECRET_NOTE_MAX.to_string() autocomplete="off"
                    placeholder="Note (what uses it)" aria-label=format!("Note of secret {hint}")
                    prop:value=note on:input=move |ev| note.set(event_target_value(&ev))/>
                <button type="button" class="secondary" disabled=saving
                    aria-label=format!("Save note of secret {hint}") on:click=save>"Save"</button>
            </span>
            <button type="button" class="danger-link" aria-label=format!("Delete secret {}", secret.hint)
                on:click=move |_| on_delete.run(id.clone())>"Delete"</button>
        </li>
    }
}

#[component]
pub fn SecretsPanel(app: RwSignal<Option<App>>, client_id: String) -> impl IntoView {
    let session = use_session();
    let secrets = sig(move || app.with(|a| a.as_ref().map(secrets_of).unwrap_or_default()));
    let count = sig(move || secrets.with(Vec::len));
    let full = sig(move || count.get() >= MAX_SECRETS_PER_APP);
    let add_error = RwSignal::new(None::<String>);
    let shown = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<String>);
    super::one_voice(status, |_| true);

    let target = RwSignal::new(None::<SecretInfo>);
    let confirm_open = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let hint = sig(move || target.with(|t| t.as_ref().map(|s| s.hint.clone()).unwrap_or_default()));

    let new_note = RwSignal::new(String::new());
    let path = format!("/api/v1/apps/{client_id}/secrets");
    // Input: the new secret's note.
    let add = Action::new_local(move |note: &String| {
        let path = path.clone();
        let body = NewSecretInput { note: note.clone() };
        async move {
            match api::post::<_, NewSecret>(&session, &path, &body).await {
                Ok(s) => {
                    app.update(|a| {
                        if let Some(list) = a.as_mut().and_then(secrets_mut) {
                            list.push(SecretInfo {
                                id: s.id.clone(),
                                hint: s.hint.clone(),
                                created_at: s.created_at,
                                last_used_at: None,
                                note: s.note.clone(),
                            });
                        }
                    });
                    new_note.set(String::new());
                    status.set(Some(format!("Secret {} added.", s.hint)));
                    shown.set(Some(s.client_secret.into_exposed()));
                }
                Err(e) => add_error.set(Some(e.message)),
            }
        }
    });
    let adding = add.pending();
    let start_add = move |()| {
        if adding.get_untracked() {
            return;
        }
        add_error.set(None);
        status.set(None);
        let note = new_note.get_untracked().trim().to_owned();
        match validate_note(&note) {
            Ok(()) => {
                add.dispatch(note);
            }
            Err(m) => add_error.set(Some(m)),
        }
    };

    let note_error = RwSignal::new(None::<String>);
    let notes_path = format!("/api/v1/apps/{client_id}/secrets");
    // Input: the secret's id and its new note.
    let save_note = Action::new_local(move |(sid, note): &(String, String)| {
        let path = format!("{notes_path}/{sid}");
        let body = SecretPatch { note: note.clone() };
        async move {
            match api::patch::<_, SecretInfo>(&session, &path, &body).await {
                Ok(updated) => {
                    status.set(Some(format!("Note of secret {} saved.", updated.hint)));
                    app.update(|a| {
                        if let Some(list) = a.as_mut().and_then(secrets_mut) {
                            if let Some(x) = list.iter_mut().find(|x| x.id == updated.id) {
                                *x = updated;
                            }
                        }
                    });
                }
                Err(e) => note_error.set(Some(e.message)),
            }
        }
    });
    let saving = save_note.pending();
    let start_save = move |(sid, note): (String, String)| {
        if saving.get_untracked() {
            return;
        }
        note_error.set(None);
        status.set(None);
        let note = note.trim().to_owned();
        match validate_note(&note) {
            Ok(()) => {
                save_note.dispatch((sid, note));
            }
            Err(m) => note_error.set(Some(m)),
        }
    };

    let id = client_id.clone();
    // Input: the secret to delete.
    let delete = Action::new_local(move |s: &SecretInfo| {
        let s = s.clone();
        let path = format!("/api/v1/apps/{id}/secrets/{}", s.id);
        async move {
            match api::delete::<()>(&session, &path).await {
                Ok(()) => {
                    app.update(|a| {
                        if let Some(list) = a.as_mut().and_then(secrets_mut) {
                            list.retain(|x| x.id != s.id);
                        }
                    });
                    status.set(Some(format!("Secret {} deleted.", s.hint)));
                    confirm_open.set(false);
                }
                Err(e) => delete_error.set(Some(e.message)),
            }
        }
    });
    let confirm_delete = move |()| {
        if let Some(s) = target.get_untracked() {
            delete.dispatch(s);
        }
    };
    let ask_delete = move |sid: String| {
        target.set(secrets.with_untracked(|l| l.iter().find(|s| s.id == sid).cloned()));
        delete_error.set(None);
        confirm_open.set(true);
    };

    view! {
        <section class="card panel" aria-labelledby="secrets-title">
            <h2 id="secrets-title">"Client secrets"</h2>
            <p class="hint">
                "The app sends a secret to authenticate. Keep two while you rotate: add a new one, "
                "deploy it, then delete the old one. Portico stores only hashes, so a secret is shown once."
            </p>
            <p class="empty" hidden=sig(move || secrets.with(|l| !l.is_empty()))>
                "No secrets. The app cannot authenticate with a secret until you add one."
            </p>
            <ul class="rows" aria-label="Secrets">
                {move || secrets.get().into_iter().map(|s| view! {
                    <SecretRow secret=s saving=saving on_save=start_save on_delete=ask_delete/>
                }).collect_view()}
            </ul>
            <Msg text=note_error error=true/>
            <div class="field new-secret-note">
                <label for="new-secret-note">"Note for the new secret (optional)"</label>
                <input id="new-secret-note" type="text" maxlength=SECRET_NOTE_MAX.to_string()
                    autocomplete="off" aria-describedby="new-secret-note-hint"
                    prop:value=new_note on:input=move |ev| new_note.set(event_target_value(&ev))/>
                <p id="new-secret-note-hint" class="hint">
                    {format!("What will use it, at most {SECRET_NOTE_MAX} characters; you can change it later.")}
                </p>
            </div>
            <div class="panel-actions">
                <Button label="Add secret" working="Adding…" busy=adding disabled=full on_click=start_add
                    describedby="secrets-limit"/>
                <span id="secrets-limit" class="muted">
                    {sig(move || if full.get() {
                        format!("An app may hold at most {MAX_SECRETS_PER_APP} secrets; delete an old one first.")
                    } else {
                        format!("{} of {MAX_SECRETS_PER_APP} secrets", count.get())
                    })}
                </span>
            </div>
            <Msg text=add_error error=true/>
            <Msg text=status/>
            <SecretDialog secret=shown client_id=client_id.clone() on_done=|()| {}/>
            <ConfirmDialog open=confirm_open id="delete-secret"
                title=sig(move || format!("Delete secret {}?", hint.get()))
                confirm_label="Delete secret".to_owned()
                busy=delete.pending() error=delete_error on_confirm=confirm_delete>
                <p class=sig(move || if count.get() <= 1 { "warning" } else { "" })>
                    {sig(move || delete_warning(&hint.get(), count.get().saturating_sub(1)))}
                </p>
                <p>"This cannot be undone."</p>
            </ConfirmDialog>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_secret_gets_a_stronger_warning() {
        assert!(delete_warning("pcs_…abcd", 0).contains("only secret"));
        assert!(!delete_warning("pcs_…abcd", 1).contains("only secret"));
    }
}

//! Client secrets: listed by hint; a new one is shown once; deleting asks first and
//! warns when it is the last.

use leptos::prelude::*;
use portico_proto::secret::MAX_SECRETS_PER_APP;
use portico_proto::{App, AppKind, NewSecret, SecretInfo};

use crate::api;
use crate::components::{sig, Button, Item, ItemList, Msg};
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

fn item(s: &SecretInfo) -> Item {
    Item {
        id: s.id.clone(),
        code: s.hint.clone(),
        details: vec![
            format!("Created {}", date(s.created_at)),
            format!("Last used {}", date_or_never(s.last_used_at)),
        ],
        delete_label: format!("Delete secret {}", s.hint),
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

    let target = RwSignal::new(None::<SecretInfo>);
    let confirm_open = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let hint = sig(move || target.with(|t| t.as_ref().map(|s| s.hint.clone()).unwrap_or_default()));

    let path = format!("/api/v1/apps/{client_id}/secrets");
    let add = Action::new_local(move |_: &()| {
        let path = path.clone();
        async move {
            match api::post::<_, NewSecret>(&session, &path, &()).await {
                Ok(s) => {
                    app.update(|a| {
                        if let Some(list) = a.as_mut().and_then(secrets_mut) {
                            list.push(SecretInfo {
                                id: s.id.clone(),
                                hint: s.hint.clone(),
                                created_at: s.created_at,
                                last_used_at: None,
                            });
                        }
                    });
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
        add.dispatch(());
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
            <ItemList items=sig(move || secrets.with(|l| l.iter().map(item).collect())) label="Secrets"
                empty="No secrets. The app cannot authenticate with a secret until you add one."
                on_delete=ask_delete/>
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
            <SecretDialog secret=shown on_done=|()| {}/>
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

//! Deleting an app: a confirmation that asks for the app's name.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::ConfirmDialog;
use crate::components::{sig, Button};
use crate::session::use_session;

/// The typed confirmation matches when it is the name, ignoring surrounding spaces.
pub fn name_confirmed(typed: &str, name: &str) -> bool {
    !name.trim().is_empty() && typed.trim() == name.trim()
}

#[component]
pub fn DeletePanel(client_id: String, #[prop(into)] name: Signal<String>) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let notice = crate::notice::use_notice();
    let open = RwSignal::new(false);
    let typed = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let confirmed = sig(move || typed.with(|t| name.with(|n| name_confirmed(t, n))));

    let path = format!("/api/v1/apps/{client_id}");
    let delete = Action::new_local(move |_: &()| {
        let (path, navigate) = (path.clone(), navigate.clone());
        async move {
            match api::delete::<()>(&session, &path).await {
                Ok(()) => {
                    open.set(false);
                    notice.leave(format!("{} was deleted.", name.get_untracked()));
                    navigate("/apps", Default::default());
                }
                Err(e) => error.set(Some(e.message)),
            }
        }
    });
    let busy = delete.pending();
    let confirm = move |()| {
        if !busy.get_untracked() {
            delete.dispatch(());
        }
    };

    view! {
        <section class="card panel danger-zone" aria-labelledby="delete-title">
            <h2 id="delete-title">"Delete app"</h2>
            <p>
                "Deleting the app ends every sign-in it holds: its tokens, secrets and keys stop "
                "working at once. This cannot be undone."
            </p>
            <Button label="Delete app…" class="danger" on_click=move |()| {
                typed.set(String::new());
                error.set(None);
                open.set(true);
            }/>
            <ConfirmDialog open=open id="delete-app"
                title=sig(move || format!("Delete {}?", name.get()))
                confirm_label="Delete app".to_owned()
                busy=busy error=error on_confirm=confirm confirm_enabled=confirmed>
                <p>"Every token, secret and key of this app stops working. This cannot be undone."</p>
                <label for="confirm-name">
                    "Type the app's name, " <strong>{name}</strong> ", to confirm"
                </label>
                <input id="confirm-name" type="text" autocomplete="off" spellcheck="false"
                    prop:value=typed
                    on:input=move |ev| typed.set(event_target_value(&ev))/>
            </ConfirmDialog>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_name_must_match() {
        assert!(name_confirmed(" Shop ", "Shop"));
        assert!(!name_confirmed("shop", "Shop"));
        assert!(!name_confirmed("", ""));
    }
}

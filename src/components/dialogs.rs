//! Modal dialogs on the native `<dialog>` element (`showModal`: focus moves in, the
//! page behind is inert, Escape cancels): a secret shown once, and a confirmation.

use leptos::html::Dialog;
use leptos::prelude::*;

use super::{sig, Button, CopyButton, Msg};
use crate::format::copy_to_clipboard;

/// Opens or closes the dialog to follow `open`.
fn follow(dialog: NodeRef<Dialog>, open: impl Fn() -> bool + Send + Sync + 'static) {
    Effect::new(move |_| {
        let want = open();
        if let Some(d) = dialog.get() {
            if want && !d.open() {
                let _ = d.show_modal();
            } else if !want && d.open() {
                d.close();
            }
        }
    });
}

/// Shows a new client secret once. It closes only after the admin confirms having
/// stored it; Escape does nothing until then. `secret` is cleared on close, so the value
/// is kept no longer than the dialog is open.
#[component]
pub fn SecretDialog(
    secret: RwSignal<Option<String>>,
    /// The app's client ID, shown beside the secret: the app needs both.
    #[prop(into)]
    client_id: Signal<String>,
    #[prop(into)] on_done: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    let stored = RwSignal::new(false);
    let copied = RwSignal::new(false);
    follow(dialog, move || secret.with(Option::is_some));
    let finish = move || {
        secret.set(None);
        stored.set(false);
        copied.set(false);
        on_done.run(());
    };
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby="secret-title" aria-describedby="secret-warning"
            on:cancel=move |ev: leptos::ev::Event| {
                // The secret must not vanish by accident.
                if !stored.get_untracked() {
                    ev.prevent_default();
                }
            }
            on:close=move |_| {
                if secret.with_untracked(Option::is_some) {
                    if stored.get_untracked() {
                        finish();
                    } else if let Some(d) = dialog.get_untracked() {
                        // Closed by the browser anyway: open it again.
                        let _ = d.show_modal();
                    }
                }
            }>
            <h2 id="secret-title">"Copy the client secret now"</h2>
            <p id="secret-warning" class="warning">
                "This is the only time Portico shows this secret. It is stored only as a hash and "
                "can never be shown again. If you lose it, add a new secret and delete this one."
            </p>
            <p class="client-id-line">"Client ID " <code>{client_id}</code> " "
                <CopyButton value=client_id aria_label="Copy the client ID"/>
            </p>
            <label for="new-secret">"Client secret"</label>
            <div class="copy-row">
                <textarea id="new-secret" class="secret" rows="2" readonly autocomplete="off" spellcheck="false"
                    prop:value=sig(move || secret.get().unwrap_or_default())
                    on:focus=move |ev| {
                        use leptos::wasm_bindgen::JsCast;
                        if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok()) {
                            i.select();
                        }
                    }></textarea>
                <Button label="Copy" on_click=move |()| {
                    if let Some(s) = secret.get_untracked() {
                        copy_to_clipboard(&s);
                        copied.set(true);
                    }
                }/>
            </div>
            <Msg text=sig(move || copied.get().then(|| "Copied to the clipboard.".to_owned()))/>
            <label class="check">
                <input type="checkbox" prop:checked=stored
                    on:change=move |ev| stored.set(event_target_checked(&ev))/>
                " I have stored this secret somewhere safe"
            </label>
            <div class="actions">
                <Button label="Done" class="primary" disabled=sig(move || !stored.get()) on_click=move |()| finish()/>
            </div>
        </dialog>
    }
}

/// A yes/no question before something that cannot be undone. `on_confirm` does the work
/// and closes the dialog itself (`open.set(false)`) when it succeeds; meanwhile `busy`
/// disables both buttons and `error` shows what failed, inside the dialog.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    /// Unique per page: used for the heading's id.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] confirm_label: Signal<String>,
    #[prop(into)] busy: Signal<bool>,
    error: RwSignal<Option<String>>,
    #[prop(into)] on_confirm: Callback<()>,
    /// When given, the confirm button is enabled only while it is true.
    #[prop(optional, into)]
    confirm_enabled: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    follow(dialog, move || open.get());
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let enabled = sig(move || !busy.get() && confirm_enabled.map(|s| s.get()).unwrap_or(true));
    let label = sig(move || {
        if busy.get() {
            "Working…".to_owned()
        } else {
            confirm_label.get()
        }
    });
    view! {
        <dialog node_ref=dialog class="modal" aria-labelledby=labelled_by
            on:cancel=move |ev: leptos::ev::Event| {
                if busy.get_untracked() {
                    ev.prevent_default();
                }
            }
            on:close=move |_| {
                open.set(false);
                error.set(None);
            }>
            <form on:submit=move |ev| {
                ev.prevent_default();
                if enabled.get_untracked() {
                    error.set(None);
                    on_confirm.run(());
                }
            }>
                <h2 id=title_id>{title}</h2>
                {children()}
                <Msg text=error error=true/>
                <div class="actions">
                    <Button label="Cancel" disabled=busy on_click=move |()| open.set(false)/>
                    <button type="submit" class="danger" disabled=sig(move || !enabled.get())>{label}</button>
                </div>
            </form>
        </dialog>
    }
}

//! Copying a value (a client ID, a token) to the clipboard.

use leptos::prelude::*;

use crate::format::copy_to_clipboard;

/// A link-styled "Copy" button; `aria_label` names what it copies.
#[component]
pub fn CopyButton(
    /// What is copied, read at the click (it may arrive after the button is shown).
    #[prop(into)]
    value: Signal<String>,
    #[prop(into)] aria_label: String,
    #[prop(optional)] label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button type="button" class="link" aria-label=aria_label
            on:click=move |_| copy_to_clipboard(&value.get_untracked())>{label.unwrap_or("Copy")}</button>
    }
}

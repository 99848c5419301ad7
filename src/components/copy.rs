//! Copying a value (a client ID, a token) to the clipboard.

use leptos::prelude::*;

use crate::format::copy_to_clipboard;

/// A link-styled "Copy" button; `aria_label` names what it copies.
#[component]
pub fn CopyButton(
    #[prop(into)] value: String,
    #[prop(into)] aria_label: String,
    #[prop(optional)] label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button type="button" class="link" aria-label=aria_label
            on:click=move |_| copy_to_clipboard(&value)>{label.unwrap_or("Copy")}</button>
    }
}

//! A list of credentials (secrets, keys), each with its Delete button.

use leptos::prelude::*;

use super::sig;

/// One row of a list of credentials (secrets, keys).
#[derive(Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    /// Shown in monospace: a secret's hint, a key's kid.
    pub code: String,
    pub details: Vec<String>,
    /// The Delete button's accessible name.
    pub delete_label: String,
}

/// A list of [`Item`]s with a Delete button each, or `empty` when there are none.
#[component]
pub fn ItemList(
    #[prop(into)] items: Signal<Vec<Item>>,
    label: &'static str,
    empty: &'static str,
    #[prop(into)] on_delete: Callback<String>,
) -> impl IntoView {
    view! {
        <p class="empty" hidden=sig(move || items.with(|i| !i.is_empty()))>{empty}</p>
        <ul class="rows" aria-label=label>
            {move || items.get().into_iter().map(|i| {
                let id = i.id;
                view! {
                    <li class="row">
                        <code>{i.code}</code>
                        {i.details.into_iter().map(|d| view! { <span class="muted">{d}</span> }).collect_view()}
                        <button type="button" class="danger-link" aria-label=i.delete_label
                            on:click=move |_| on_delete.run(id.clone())>"Delete"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

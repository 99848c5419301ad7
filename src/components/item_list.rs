//! A list of credentials (secrets, keys), each with its Delete button.

use leptos::prelude::*;

use super::{sig, CopyButton};

/// One row of a list of credentials (secrets, keys).
#[derive(Clone, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    /// What `code` is, shown before it (a key's "kid").
    pub code_label: Option<&'static str>,
    /// Shown in monospace: a secret's hint, a key's kid.
    pub code: String,
    /// Whether `code` gets a Copy button (a kid goes into JWT headers).
    pub copy: bool,
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
                let copy = i.copy.then(|| {
                    let aria_label = format!("Copy {} {}", i.code_label.unwrap_or("value"), i.code);
                    view! { <CopyButton value=i.code.clone() aria_label/> }
                });
                view! {
                    <li class="row">
                        {i.code_label.map(|l| view! { <span class="code-label">{l}</span> })}
                        <code>{i.code}</code>
                        {copy}
                        {i.details.into_iter().map(|d| view! { <span class="muted">{d}</span> }).collect_view()}
                        <button type="button" class="danger-link" aria-label=i.delete_label
                            on:click=move |_| on_delete.run(id.clone())>"Delete"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

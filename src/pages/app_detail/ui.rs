//! Small shared pieces for the admin pages. They take type-erased props (`Signal`,
//! `Callback`), so each is compiled once however often it is used: that keeps the wasm
//! bundle inside its budget (every distinct reactive closure in a `view!` costs code).

use leptos::prelude::*;

/// Shorthand for a derived signal.
pub fn sig<T: Send + Sync + 'static>(f: impl Fn() -> T + Send + Sync + 'static) -> Signal<T> {
    Signal::derive(f)
}

/// A live message line: `role="alert"` for errors, `role="status"` otherwise. The element
/// is always there (so screen readers announce changes) and hidden by CSS when empty.
#[component]
pub fn Msg(
    #[prop(into)] text: Signal<Option<String>>,
    #[prop(optional)] error: bool,
) -> impl IntoView {
    view! {
        <p class=if error { "error msg" } else { "ok msg" } role=if error { "alert" } else { "status" }>
            {text}
        </p>
    }
}

/// A button that shows progress and cannot be pressed twice while `busy`.
#[component]
pub fn Button(
    label: &'static str,
    /// The label while busy, e.g. "Saving…".
    #[prop(optional)]
    working: Option<&'static str>,
    #[prop(optional, into)] busy: Option<Signal<bool>>,
    #[prop(optional, into)] disabled: Option<Signal<bool>>,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] submit: bool,
    #[prop(optional, into)] on_click: Option<Callback<()>>,
    #[prop(optional, into)] aria_label: Option<String>,
    #[prop(optional)] describedby: Option<&'static str>,
) -> impl IntoView {
    let busy = busy.unwrap_or_else(|| Signal::stored(false));
    let off = sig(move || busy.get() || disabled.is_some_and(|d| d.get()));
    let text = sig(move || {
        if busy.get() {
            working.unwrap_or(label)
        } else {
            label
        }
    });
    view! {
        <button type=if submit { "submit" } else { "button" } class=class disabled=off
            aria-busy=sig(move || busy.get().to_string()) aria-label=aria_label aria-describedby=describedby
            on:click=move |_| {
                if let Some(cb) = on_click {
                    if !off.get_untracked() {
                        cb.run(());
                    }
                }
            }>
            {text}
        </button>
    }
}

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

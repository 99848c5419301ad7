//! The console's button: progress while busy, never pressed twice.

use leptos::prelude::*;

use super::sig;

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

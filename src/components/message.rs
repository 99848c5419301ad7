//! Message lines that screen readers announce.

use leptos::prelude::*;

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

/// An error shown once, as an alert (a failed load or a refused request).
#[component]
pub fn Alert(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class="error" role="alert">{text}</p> }
}

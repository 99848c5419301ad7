use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// Fallback for any path the console does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    view! {
        <section class="page" aria-labelledby="not-found-title">
            <h1 id="not-found-title">"Page not found"</h1>
            <p>
                "There is no console page at " <code>{move || location.pathname.get()}</code> "."
            </p>
            <p>
                <A href="/">"Back to the start page"</A>
            </p>
        </section>
    }
}

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::components::Alert;
use crate::session::use_session;

/// `proto::console::CALLBACK_PATH`: the console's redirect URI. Validates the response,
/// exchanges the code (once: the action is dispatched when the page opens), then goes where
/// the sign-in started.
#[component]
pub fn Callback() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let finish = Action::new_local(move |query: &String| {
        let (query, navigate) = (query.clone(), navigate.clone());
        async move {
            let to = session.complete_sign_in(&query).await?;
            // Only a path of this origin: `//host` and `/\host` are other origins to a browser.
            let to = if to.starts_with('/') && !to.starts_with("//") && !to.contains('\\') {
                to
            } else {
                "/".to_owned()
            };
            navigate(&to, Default::default());
            Ok::<_, String>(())
        }
    });
    finish.dispatch(
        web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default(),
    );
    view! {
        <section class="page narrow" aria-live="polite">
            {move || match finish.value().get() {
                Some(Err(e)) => view! {
                    <h1>"Sign-in did not complete"</h1>
                    <Alert text=e/>
                    <p><a href="/apps">"Try again"</a></p>
                }.into_any(),
                _ => view! { <p>"Signing you in…"</p> }.into_any(),
            }}
        </section>
    }
}

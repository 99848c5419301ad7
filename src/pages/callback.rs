use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::session::use_session;

/// `proto::console::CALLBACK_PATH`: the console's redirect URI. Validates the response, exchanges the
/// code, then goes where the sign-in started.
#[component]
pub fn Callback() -> impl IntoView {
    let session = use_session();
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    spawn_local(async move {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        match session.complete_sign_in(&query).await {
            Ok(to) => {
                let to = if to.starts_with('/') && !to.starts_with("//") {
                    to
                } else {
                    "/".to_owned()
                };
                navigate(&to, Default::default());
            }
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <section class="page narrow" aria-live="polite">
            {move || match error.get() {
                None => view! { <p>"Signing you in…"</p> }.into_any(),
                Some(e) => view! {
                    <h1>"Sign-in did not complete"</h1>
                    <p class="error" role="alert">{e}</p>
                    <p><a href="/apps">"Try again"</a></p>
                }.into_any(),
            }}
        </section>
    }
}

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;
use portico_proto::interaction::{InteractionView, LoginRequest, Next};

use crate::api::{self, ApiError};

/// Goes where the server says next: the consent page, or back to the app.
pub fn go(to: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(to);
    }
}

/// The interaction as loaded: nothing yet, or the server's answer.
pub type Loaded = RwSignal<Option<Result<InteractionView, ApiError>>>;

/// Loads the interaction named in `?interaction=`.
pub fn load_interaction() -> (Memo<Option<String>>, Loaded) {
    let query = use_query_map();
    let id = Memo::new(move |_| query.read().get("interaction"));
    let view = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(id) = id.get() {
            spawn_local(async move {
                view.set(Some(
                    api::get_public::<InteractionView>(&format!("/api/v1/interactions/{id}")).await,
                ));
            });
        }
    });
    (id, view)
}

/// `/login?interaction=…`: the end user signs in; the flow then continues.
#[component]
pub fn Login() -> impl IntoView {
    let (id, interaction) = load_interaction();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return; // no double submission
        }
        let Some(id) = id.get_untracked() else { return };
        busy.set(true);
        error.set(None);
        let body = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        spawn_local(async move {
            match api::post_public::<_, Next>(&format!("/api/v1/interactions/{id}/login"), &body)
                .await
            {
                Ok(next) => go(&next.redirect_to),
                Err(e) => {
                    error.set(Some(match e.status {
                        429 => e.message.clone(),
                        401 => "Wrong username or password.".to_owned(),
                        _ => e.message.clone(),
                    }));
                    password.set(String::new());
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <section class="page narrow" aria-labelledby="login-title">
            <h1 id="login-title">"Sign in"</h1>
            {move || match interaction.get() {
                Some(Ok(i)) => view! { <p class="lead">"to continue to " <strong>{i.app.name}</strong></p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                None if id.get().is_none() => view! {
                    <p class="error" role="alert">"This page is reached from an application's sign-in link."</p>
                }.into_any(),
                None => view! { <p>"Loading…"</p> }.into_any(),
            }}
            <form class="form" on:submit=submit>
                <label for="username">"Username"</label>
                <input id="username" name="username" type="text" autocomplete="username" required
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))/>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </section>
    }
}

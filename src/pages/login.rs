use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portico_proto::interaction::{InteractionView, LoginRequest, Next};

use crate::api::{self, ApiError};
use crate::components::{Alert, Loaded};

/// Goes where the server says next: the consent page, or back to the app.
pub fn go(to: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(to);
    }
}

/// The interaction named in `?interaction=`, and its read. Without an id the read never
/// finishes: the pages say so themselves.
pub fn load_interaction() -> (Memo<Option<String>>, api::Read) {
    let query = use_query_map();
    let id = Memo::new(move |_| query.read().get("interaction"));
    let view = api::read(
        None,
        Signal::derive(move || id.get().map(|id| format!("/api/v1/interactions/{id}"))),
    );
    (id, view)
}

/// What a refused sign-in says.
fn login_error(e: ApiError) -> String {
    match e.status {
        401 => "Wrong username or password.".to_owned(),
        _ => e.message,
    }
}

/// `/login?interaction=…`: the end user signs in; the flow then continues.
#[component]
pub fn Login() -> impl IntoView {
    let (id, interaction) = load_interaction();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    // Input: the interaction id (the password is read here, not kept as the input).
    let sign_in = Action::new_local(move |id: &String| {
        let path = format!("/api/v1/interactions/{id}/login");
        let body = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked().into(),
        };
        async move {
            match api::post_public::<_, Next>(&path, &body).await {
                Ok(next) => {
                    go(&next.redirect_to);
                    Ok(())
                }
                Err(e) => {
                    password.set(String::new());
                    Err(login_error(e))
                }
            }
        }
    });
    // Busy from the click until the browser leaves: a success only starts the navigation.
    let busy =
        move || sign_in.pending().get() || sign_in.value().with(|v| matches!(v, Some(Ok(()))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy() {
            return; // no double submission
        }
        let Some(id) = id.get_untracked() else { return };
        sign_in.clear();
        sign_in.dispatch(id);
    };
    view! {
        <section class="page narrow" aria-labelledby="login-title">
            <h1 id="login-title">"Sign in"</h1>
            {move || match id.get() {
                None => view! { <Alert text="This page is reached from an application's sign-in link."/> }.into_any(),
                Some(_) => view! {
                    <Loaded read=interaction render=move |t: String| {
                        let i = api::parse::<InteractionView>(&t)?;
                        // OIDC Core §3.1.2.1 `login_hint`: the app says who is signing in;
                        // the user may still type another name.
                        if let Some(hint) = i.login_hint {
                            if username.with_untracked(String::is_empty) {
                                username.set(hint);
                            }
                        }
                        // The logo the app's settings promise "on the sign-in and consent pages".
                        Ok(view! {
                            <div class="login-app">
                                {i.app.logo_url.map(|src| view! { <img class="logo" src=src alt="" width="48" height="48"/> })}
                                <p class="lead">"to continue to " <strong>{i.app.name}</strong></p>
                            </div>
                        }.into_any())
                    }/>
                }.into_any(),
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
                {move || sign_in.value().get().and_then(Result::err).map(|e| view! { <Alert text=e/> })}
                <button type="submit" class="primary" disabled=busy>
                    {move || if busy() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </section>
    }
}

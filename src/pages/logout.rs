//! The two pages of an app's sign-out through Portico (OpenID Connect RP-Initiated Logout
//! 1.0, `server/src/oauth/end_session.rs`): `/logout` asks "Sign out of Portico?" when the
//! app's request could not show that the signed-in user asked, and `/signed-out` is where
//! the browser lands when the app named no URL to return to.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use portico_proto::interaction::{LogoutRequest, LogoutView, Next};

use super::login::go;
use crate::api;
use crate::components::{Alert, LoadError, Loaded};

/// The request the end-session endpoint passed in this page's query.
fn request_of_query() -> Memo<LogoutRequest> {
    let query = use_query_map();
    Memo::new(move |_| {
        let q = query.read();
        LogoutRequest {
            client_id: q.get("client_id"),
            post_logout_redirect_uri: q.get("post_logout_redirect_uri"),
            state: q.get("state"),
        }
    })
}

/// `GET /api/v1/logout` with the same parameters.
fn view_path(r: &LogoutRequest) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    let pairs = [
        ("client_id", &r.client_id),
        ("post_logout_redirect_uri", &r.post_logout_redirect_uri),
        ("state", &r.state),
    ];
    for (k, v) in pairs {
        if let Some(v) = v {
            q.append_pair(k, v);
        }
    }
    format!("/api/v1/logout?{}", q.finish())
}

/// `/logout?…`: the confirmation. Only its button, a same-origin POST, ends the session.
#[component]
pub fn Logout() -> impl IntoView {
    let request = request_of_query();
    let read = api::read(
        None,
        Signal::derive(move || Some(view_path(&request.get()))),
    );
    let confirm = Action::new_local(move |_: &()| {
        let body = request.get_untracked();
        async move {
            match api::post_public::<_, Next>("/api/v1/logout", &body).await {
                Ok(next) => {
                    go(&next.redirect_to);
                    Ok(())
                }
                Err(e) => Err(e.message),
            }
        }
    });
    view! {
        <section class="page narrow" aria-labelledby="logout-title">
            <Loaded read
                failed=|errors| view! { <h1 id="logout-title">"Cannot sign out here"</h1><LoadError errors/> }.into_any()
                render=move |t: String| {
                    let v = api::parse::<LogoutView>(&t)?;
                    Ok(view! { <Confirm v confirm/> }.into_any())
                }/>
        </section>
    }
}

#[component]
fn Confirm(v: LogoutView, confirm: Action<(), Result<(), String>>) -> impl IntoView {
    // Busy from the click until the browser leaves: a success only starts the navigation.
    let busy =
        move || confirm.pending().get() || confirm.value().with(|v| matches!(v, Some(Ok(()))));
    let asked_by = v
        .app_name
        .clone()
        .map(|name| view! { <p class="lead"><strong>{name}</strong> " asks to sign you out."</p> });
    let (lead, button) = match &v.username {
        Some(u) => (
            format!("You are signed in to Portico as {u}. Signing out ends this sign-in for every app that uses it in this browser."),
            "Sign out",
        ),
        None => ("You are not signed in to Portico.".to_owned(), "Continue"),
    };
    view! {
        <h1 id="logout-title">"Sign out of Portico?"</h1>
        {asked_by}
        <p>{lead}</p>
        {move || confirm.value().get().and_then(Result::err).map(|e| view! { <Alert text=e/> })}
        <div class="actions">
            <button class="primary" disabled=busy on:click=move |_| {
                if !busy() {
                    confirm.dispatch(());
                }
            }>{button}</button>
        </div>
    }
}

/// `/signed-out`: the end of a sign-out with no app URL to return to, and where the
/// console's own Sign out lands (`?from=console`: then it offers to sign in again; the flag
/// only shows a link to the console's own Apps page, so no link can make it say more).
#[component]
pub fn SignedOut() -> impl IntoView {
    let query = use_query_map();
    let from_console = move || query.with(|q| q.get_str("from") == Some("console"));
    view! {
        <section class="page narrow" aria-labelledby="signed-out-title">
            <h1 id="signed-out-title">"You have signed out"</h1>
            {move || if from_console() {
                view! {
                    <p>"You are no longer signed in to Portico in this browser."</p>
                    <p><a class="button primary" href="/apps">"Sign in again"</a></p>
                }.into_any()
            } else {
                view! {
                    <p>"You are no longer signed in to Portico in this browser. You can close this window, or return to the application."</p>
                }.into_any()
            }}
        </section>
    }
}

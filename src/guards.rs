//! Route guards: pages that need a signed-in user, or an administrator, render inside one.

use leptos::prelude::*;

use crate::components::Alert;
use crate::session::use_session;

/// Wraps pages for any signed-in user: signs in when needed.
#[component]
pub fn RequireSignIn(children: ChildrenFn) -> impl IntoView {
    view! { <Gate admin=false>{children()}</Gate> }
}

/// Wraps admin pages: signs in when needed, and tells a non-admin plainly why not.
#[component]
pub fn RequireAdmin(children: ChildrenFn) -> impl IntoView {
    view! { <Gate admin=true>{children()}</Gate> }
}

#[component]
fn Gate(admin: bool, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    // The browser's Portico session gives the tokens in place when it is live; otherwise
    // the sign-in succeeds by leaving the page, and only a failure comes back.
    let sign_in = Action::new_local(move |return_to: &String| {
        let return_to = return_to.clone();
        async move {
            if session.resume().await.is_ok() {
                session.load_me().await;
                return Ok(());
            }
            session.begin_sign_in(&return_to).await
        }
    });
    // Where to come back to after signing in: the route that was asked for, query included.
    // The router's location, not `window.location`: after a click on an in-app link the
    // guard runs before the address bar shows the new route, and would send the user back
    // to the page they came from. It travels in sessionStorage beside the sign-in's `state`
    // (`session::begin_sign_in`), never in a URL parameter someone else could set.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        if !session.signed_in() {
            let here = format!(
                "{}{}",
                location.pathname.get_untracked(),
                location.search.with_untracked(|q| if q.is_empty() {
                    String::new()
                } else {
                    format!("?{q}")
                })
            );
            sign_in.dispatch(here);
        }
    });
    view! {
        {move || {
            if let Some(Err(e)) = sign_in.value().get() {
                view! { <section class="page"><Alert text=e/></section> }.into_any()
            } else if !session.signed_in() {
                view! { <section class="page"><p>"Signing you in…"</p></section> }.into_any()
            } else if admin && !session.is_admin() {
                view! {
                    <section class="page">
                        <h1>"Administrators only"</h1>
                        <p role="alert">"Your account does not have the admin role. You can still manage the apps you allowed."</p>
                        <p><a href="/account/apps">"Your connected apps"</a></p>
                    </section>
                }.into_any()
            } else {
                children().into_any()
            }
        }}
    }
}

//! Route guards: pages that need a signed-in user, or an administrator, render inside one.

use leptos::prelude::*;
use leptos::task::spawn_local;

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
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if !session.signed_in() {
            let here = web_sys::window()
                .and_then(|w| {
                    let l = w.location();
                    Some(format!("{}{}", l.pathname().ok()?, l.search().ok()?))
                })
                .unwrap_or_else(|| "/apps".to_owned());
            spawn_local(async move {
                if let Err(e) = session.begin_sign_in(&here).await {
                    error.set(Some(e));
                }
            });
        }
    });
    view! {
        {move || {
            if let Some(e) = error.get() {
                view! { <section class="page"><p class="error" role="alert">{e}</p></section> }.into_any()
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

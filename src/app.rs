//! The shell: header, main landmark, footer, and the route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{path, StaticSegment};
use portico_proto::console::CALLBACK_PATH;

use leptos::task::spawn_local;

use crate::guards::{RequireAdmin, RequireSignIn};
use crate::pages::{AppDetail, AppNew, Audit};
use crate::pages::{
    Apps, Callback, ConnectedAppsPage, Consent, Home, Login, Logout, NotFound, PkceDemo,
    PkceDemoCallback, SignedOut,
};
use crate::session::provide_session;

/// The console's redirect URI path (`proto`'s `CALLBACK_PATH`, "/a/b") as the router's two
/// segments: `path!` takes only a literal, and one `StaticSegment` stops at a `/`.
const CALLBACK: (&str, &str) = two_segments(CALLBACK_PATH);

const fn two_segments(path: &'static str) -> (&'static str, &'static str) {
    let bytes = path.as_bytes();
    let mut i = 1;
    while i < bytes.len() && bytes[i] != b'/' {
        i += 1;
    }
    if i >= bytes.len() {
        return ("", "");
    }
    let (head, tail) = bytes.split_at(i);
    let (_, first) = head.split_at(1);
    let (_, second) = tail.split_at(1);
    match (std::str::from_utf8(first), std::str::from_utf8(second)) {
        (Ok(a), Ok(b)) => (a, b),
        _ => ("", ""),
    }
}

/// The whole console. Every page renders inside `<main>`; unknown paths get [`NotFound`].
#[component]
pub fn App() -> impl IntoView {
    let session = provide_session();
    crate::notice::provide_notice();
    let sign_out = move |()| {
        // Fire and forget: nothing on the page shows its outcome, and the browser leaves
        // for the start page when it is done.
        spawn_local(async move {
            session.sign_out().await;
            if let Some(w) = web_sys::window() {
                // A plain "You have signed out" page with a way to sign in again.
                let _ = w.location().assign(&format!(
                    "{}?from=console",
                    portico_proto::console::SIGNED_OUT_PATH
                ));
            }
        });
    };
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader sign_out=Callback::new(sign_out)/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/login") view=Login/>
                    <Route path=path!("/consent") view=Consent/>
                    <Route path=path!("/logout") view=Logout/>
                    <Route path=path!("/signed-out") view=SignedOut/>
                    <Route path=(StaticSegment(CALLBACK.0), StaticSegment(CALLBACK.1)) view=Callback/>
                    <Route path=path!("/account/apps") view=|| view! { <RequireSignIn><ConnectedAppsPage/></RequireSignIn> }/>
                    <Route path=path!("/pkce-demo") view=PkceDemo/>
                    <Route path=path!("/pkce-demo/callback") view=PkceDemoCallback/>
                    <Route path=path!("/apps") view=|| view! { <RequireAdmin><Apps/></RequireAdmin> }/>
                    <Route path=path!("/apps/new") view=|| view! { <RequireAdmin><AppNew/></RequireAdmin> }/>
                    <Route path=path!("/apps/:client_id") view=|| view! { <RequireAdmin><AppDetail/></RequireAdmin> }/>
                    <Route path=path!("/audit") view=|| view! { <RequireAdmin><Audit/></RequireAdmin> }/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Portico — a self-hosted OAuth 2.0 and OpenID Connect authorization server."</p>
            </footer>
        </Router>
    }
}

/// Pages an end user reaches in the middle of an app's sign-in (or sign-out): they show only
/// Portico's mark, the app and the question, so that no click abandons the flow, and a
/// non-admin is never offered admin pages there.
const FOCUSED_PAGES: [&str; 3] = ["/login", "/consent", "/logout"];

/// The header: Portico's mark, and the navigation except on [`FOCUSED_PAGES`].
#[component]
fn SiteHeader(sign_out: Callback<()>) -> impl IntoView {
    let session = crate::session::use_session();
    let location = leptos_router::hooks::use_location();
    let focused = Memo::new(move |_| {
        location
            .pathname
            .with(|p| FOCUSED_PAGES.contains(&p.as_str()))
    });
    let mark = || {
        view! {
            <img src="/favicon.svg" alt="" width="28" height="28"/>
            <span>"Portico"</span>
        }
    };
    view! {
        <header class="site-header">
            {move || if focused.get() {
                view! { <span class="brand">{mark()}</span> }.into_any()
            } else {
                view! {
                    <A href="/" attr:class="brand">{mark()}</A>
                    <nav aria-label="Primary">
                        <ul>
                            <li><A href="/">"Home"</A></li>
                            <li><A href="/apps">"Apps"</A></li>
                            <li><A href="/audit">"Audit"</A></li>
                            <li><A href="/account/apps">"Connected apps"</A></li>
                            <li><A href="/pkce-demo">"PKCE demo"</A></li>
                            {move || session.signed_in().then(|| view! {
                                <li class="who">{move || session.me.get().and_then(|m| m.username).unwrap_or_default()}</li>
                                <li><button class="link" on:click=move |_| sign_out.run(())>"Sign out"</button></li>
                            })}
                        </ul>
                    </nav>
                }.into_any()
            }}
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callback_route_is_protos_path() {
        assert_eq!(format!("/{}/{}", CALLBACK.0, CALLBACK.1), CALLBACK_PATH);
    }

    #[test]
    fn the_sign_out_pages_are_where_the_server_sends_the_browser() {
        // `path!` takes only a literal: these are the routes above.
        assert_eq!(portico_proto::console::LOGOUT_PATH, "/logout");
        assert_eq!(portico_proto::console::SIGNED_OUT_PATH, "/signed-out");
    }
}

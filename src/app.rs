//! The shell: header, main landmark, footer, and the route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use leptos::task::spawn_local;

use crate::auth::session::provide_session;
use crate::pages::{AppDetail, AppNew, Audit};
use crate::pages::{
    Apps, Callback, ConnectedAppsPage, Consent, Home, Login, NotFound, PkceDemo, PkceDemoCallback,
    RequireAdmin, RequireSignIn,
};

/// The whole console. Every page renders inside `<main>`; unknown paths get [`NotFound`].
#[component]
pub fn App() -> impl IntoView {
    let session = provide_session();
    let sign_out = move |_| {
        spawn_local(async move {
            session.sign_out().await;
            if let Some(w) = web_sys::window() {
                let _ = w.location().assign("/");
            }
        });
    };
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <A href="/" attr:class="brand">
                    <img src="/favicon.svg" alt="" width="28" height="28"/>
                    <span>"Portico"</span>
                </A>
                <nav aria-label="Primary">
                    <ul>
                        <li>
                            <A href="/">"Home"</A>
                        </li>
                        <li>
                            <A href="/apps">"Apps"</A>
                        </li>
                        <li>
                            <A href="/audit">"Audit"</A>
                        </li>
                        <li>
                            <A href="/account/apps">"Connected apps"</A>
                        </li>
                        <li>
                            <A href="/pkce-demo">"PKCE demo"</A>
                        </li>
                        {move || session.signed_in().then(|| view! {
                            <li class="who">{move || session.me.get().and_then(|m| m.username).unwrap_or_default()}</li>
                            <li><button class="link" on:click=sign_out>"Sign out"</button></li>
                        })}
                    </ul>
                </nav>
            </header>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/login") view=Login/>
                    <Route path=path!("/consent") view=Consent/>
                    // = portico_proto::console::CALLBACK_PATH (`path!` takes a literal).
                    <Route path=path!("/auth/callback") view=Callback/>
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

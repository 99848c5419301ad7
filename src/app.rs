//! The shell: header, main landmark, footer, and the route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

use crate::pages::{Home, NotFound};

/// The whole console. Every page renders inside `<main>`; unknown paths get [`NotFound`].
#[component]
pub fn App() -> impl IntoView {
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
                    </ul>
                </nav>
            </header>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Home/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"Portico — a self-hosted OAuth 2.0 and OpenID Connect authorization server."</p>
            </footer>
        </Router>
    }
}

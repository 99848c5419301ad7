//! Portico console: the single-page app (Leptos, client-side rendered) that Trunk builds to
//! `dist/` and the `portico` server serves. It is the admin UI, the end-user login / consent /
//! connected-apps UI, and the reference PKCE client.
//!
//! A library, so that `tests/web.rs` can mount its components in a browser; `main.rs` only
//! mounts [`App`].

pub mod api;
pub mod app;
pub mod components;
pub mod format;
pub mod guards;
pub mod keygen;
pub mod leave_guard;
pub mod notice;
pub mod pages;
pub mod pkce_client;
pub mod session;

pub use app::App;

/// Mounts the console on `<body>`.
pub fn start() {
    // Before the router mounts: its listeners must run after the guard's.
    leave_guard::install();
    leptos::mount::mount_to_body(App);
}

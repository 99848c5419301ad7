//! Portico console: the single-page app (Leptos, client-side rendered) that Trunk builds to
//! `dist/` and the `portico` server serves. It is the admin UI, the end-user login / consent /
//! connected-apps UI, and the reference PKCE client; the pages arrive issue by issue.

mod api;
mod app;
mod auth;
mod format;
mod keygen;
mod leave_guard;
mod pages;

fn main() {
    // Before the router mounts: its listeners must run after the guard's.
    leave_guard::install();
    leptos::mount::mount_to_body(app::App);
}

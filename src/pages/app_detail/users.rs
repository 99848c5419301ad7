//! Who uses the app: how many users have allowed it and when it was last used, those users a
//! page at a time, and "Revoke for all users" behind a confirmation, which ends every grant
//! and token of the app (`DELETE /api/v1/apps/{client_id}/grants`) and keeps the app.

use leptos::prelude::*;
use portico_proto::{AppUserPage, RevokedForAll};

use crate::api;
use crate::components::{sig, Button, ConfirmDialog, Loaded, Msg};
use crate::format::{date, date_or_never};
use crate::session::use_session;

/// Users shown per page.
pub const PAGE_SIZE: u32 = 20;

/// The API path of the page that starts at `offset`.
pub fn users_path(client_id: &str, offset: u64) -> String {
    let mut path = format!("/api/v1/apps/{client_id}/grants?limit={PAGE_SIZE}");
    if offset > 0 {
        path.push_str(&format!("&offset={offset}"));
    }
    path
}

/// "3 users have allowed this app · last used 2026-12-04".
pub fn summary(total: u64, last_used_at: Option<i64>) -> String {
    let who = match total {
        1 => "1 user has".to_owned(),
        n => format!("{n} users have"),
    };
    format!(
        "{who} allowed this app · last used {}",
        date_or_never(last_used_at)
    )
}

/// What the revocation ended, for the line under the button.
pub fn revoked_message(r: &RevokedForAll) -> String {
    let users = match r.users {
        1 => "1 user".to_owned(),
        n => format!("{n} users"),
    };
    let grants = match r.grants {
        1 => "1 grant".to_owned(),
        n => format!("{n} grants"),
    };
    format!(
        "Revoked for all users: {users} must allow the app again; {grants} and their tokens ended."
    )
}

#[component]
pub fn UsersPanel(client_id: String) -> impl IntoView {
    let session = use_session();
    let offset = RwSignal::new(0_u64);
    // Bumped after a revocation, so the list is read again even on the same page.
    let generation = RwSignal::new(0_u32);
    let id = client_id.clone();
    let page = api::read(
        Some(session),
        Signal::derive(move || {
            generation.track();
            Some(users_path(&id, offset.get()))
        }),
    );
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    super::one_voice(done, |_| true);
    let path = format!("/api/v1/apps/{client_id}/grants");
    let revoke = Action::new_local(move |_: &()| {
        let path = path.clone();
        async move {
            match api::delete::<RevokedForAll>(&session, &path).await {
                Ok(r) => {
                    open.set(false);
                    done.set(Some(revoked_message(&r)));
                    offset.set(0);
                    generation.update(|g| *g += 1);
                }
                Err(e) => error.set(Some(e.message)),
            }
        }
    });
    let busy = revoke.pending();
    let confirm = move |()| {
        if !busy.get_untracked() {
            revoke.dispatch(());
        }
    };

    view! {
        <section class="card panel" aria-labelledby="users-title">
            <h2 id="users-title">"Users"</h2>
            <Loaded read=page keep=true render=move |t: String| {
                let p = api::parse::<AppUserPage>(&t)?;
                Ok(view! { <UserList page=p offset/> }.into_any())
            }/>
            <p class="hint">
                "Revoking for all users ends every sign-in and token of this app at once; each "
                "user must allow it again. The app, its secrets and keys stay."
            </p>
            <Button label="Revoke for all users" class="danger" on_click=move |()| {
                error.set(None);
                done.set(None);
                open.set(true);
            }/>
            <Msg text=done/>
            <ConfirmDialog open=open id="revoke-all"
                title="Revoke this app for all users?".to_owned()
                confirm_label="Revoke for all users".to_owned()
                busy=busy error=error on_confirm=confirm>
                <p>
                    "Every user's grant, refresh token and access token of this app stops working "
                    "now, and the app must ask each user again. This cannot be undone."
                </p>
            </ConfirmDialog>
        </section>
    }
}

/// The count, the last use, one page of users, and the pager.
#[component]
fn UserList(page: AppUserPage, offset: RwSignal<u64>) -> impl IntoView {
    let p = page;
    let start = offset.get_untracked();
    let shown = p.users.len() as u64;
    let previous = (start > 0).then(|| start.saturating_sub(u64::from(PAGE_SIZE)));
    let range = (shown > 0).then(|| format!("{}–{} of {}", start + 1, start + shown, p.total));
    view! {
        <p id="users-summary">{summary(p.total, p.last_used_at)}</p>
        {(!p.users.is_empty()).then(|| view! {
            <table class="stack users">
                <caption class="visually-hidden">"Users who allowed this app, most recent first"</caption>
                <thead>
                    <tr><th scope="col">"User"</th><th scope="col">"Scopes"</th><th scope="col">"Allowed"</th><th scope="col">"Last used"</th></tr>
                </thead>
                <tbody>
                    {p.users.into_iter().map(|u| view! {
                        <tr>
                            <td data-label="User">{u.username}</td>
                            <td data-label="Scopes">{u.scopes.join(" ")}</td>
                            <td data-label="Allowed">{date(u.granted_at)}</td>
                            <td data-label="Last used">{date_or_never(u.last_used_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <nav class="pager" aria-label="Pages of users" hidden=sig(move || previous.is_none() && p.next_offset.is_none())>
            {range.map(|r| view! { <span class="muted">{r}</span> })}
            {previous.map(|o| view! { <button type="button" on:click=move |_| offset.set(o)>"Previous"</button> })}
            {p.next_offset.map(|o| view! { <button type="button" on:click=move |_| offset.set(o)>"Next"</button> })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_words() {
        assert_eq!(users_path("c1", 0), "/api/v1/apps/c1/grants?limit=20");
        assert_eq!(
            users_path("c1", 40),
            "/api/v1/apps/c1/grants?limit=20&offset=40"
        );
        assert_eq!(
            summary(1, None),
            "1 user has allowed this app · last used never"
        );
        assert!(summary(3, Some(0)).starts_with("3 users have allowed this app · last used "));
        assert_eq!(
            revoked_message(&RevokedForAll { users: 2, grants: 1 }),
            "Revoked for all users: 2 users must allow the app again; 1 grant and their tokens ended."
        );
    }
}

//! Who may hold which power. Portico's own APIs (admin, connected apps) are not resources
//! third-party apps may reach with a user's consent: a token opens them only when it was
//! issued to Portico's console — with one exception, decided here too: a machine-to-machine
//! app an administrator chose (`admin_api_access`) may call the admin API with its own
//! `client_credentials` token (RFC 6749 §4.4), for automation without a browser.
//!
//! Every such decision is made in this module, and a reader has one place to look:
//! - `may_hold_admin`: which user tokens may carry `admin` (the console's only);
//! - `may_automate_admin`: which apps may get `admin` for themselves, checked when the token
//!   is issued and again, on the app as stored now, on every admin request;
//! - `admin_caller`: who a live token with `admin` speaks for in the admin API;
//! - `app_may_change`: what an app using the admin API may still not do, so that the
//!   power it was given never grows (it cannot give itself or another app the admin API,
//!   nor take over an app that mints user tokens);
//! - `is_console`: the account APIs belong to the console alone.

use portico_proto::AppType;

use crate::runtime::clients::Client;
use crate::state::CONSOLE_CLIENT_ID;
use crate::store::AppRecord;

/// Whether tokens issued to `client` for a user may carry the `admin` scope. Only the
/// built-in console: any other app asking for `admin` is refused (`invalid_scope`) at the
/// authorization endpoint, and the admin API refuses user tokens of any other app even if
/// they claim it.
pub fn may_hold_admin(client: &Client) -> bool {
    client.app.builtin && client.client_id() == CONSOLE_CLIENT_ID
}

/// Whether `app` may hold `admin` for itself (no user): a registered machine-to-machine app
/// whose administrator turned `admin_api_access` on. Web and single-page apps never: their
/// tokens come from a user's sign-in in a browser, where `admin` is the console's alone.
pub fn may_automate_admin(app: &AppRecord) -> bool {
    !app.builtin && app.app_type == AppType::MachineToMachine && app.settings.admin_api_access
}

/// Who a live access token carrying `admin` acts for in the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminCaller {
    /// A user's token issued to the console; the caller then checks the user's role.
    ConsoleUser,
    /// An app's own token, for an app allowed to automate the admin API.
    App,
}

/// The decision behind the admin API's door: `app` is the token's client as stored now
/// (read again for every request, so turning `admin_api_access` off or deleting the app
/// ends its tokens at once), `for_user` whether the token names a user, `issued_at` its
/// `iat`. A user's token issued to any app but the console opens nothing, even for an
/// administrator; an app's own token opens it only while `may_automate_admin` holds, and
/// only if it was issued since access was last turned on, so a token cut off by turning
/// access off does not come back when it is turned on again.
pub fn admin_caller(app: &AppRecord, for_user: bool, issued_at: i64) -> Option<AdminCaller> {
    if for_user {
        (app.builtin && app.client_id == CONSOLE_CLIENT_ID).then_some(AdminCaller::ConsoleUser)
    } else {
        let since = app.settings.admin_api_access_since.unwrap_or(i64::MIN);
        (may_automate_admin(app) && issued_at >= since).then_some(AdminCaller::App)
    }
}

/// What an admin-API write does to an app, for `app_may_change`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppChange {
    /// Its settings (PATCH), logo, or its users' grants.
    Settings,
    /// Its credentials: client secrets and registered public keys.
    Credentials,
    /// Deleting it.
    Delete,
}

/// Why an app using the admin API may not make a change, or `Ok`. A person (console
/// token) may make every change; an app acting as administrator (`actor`, its client ID) may
/// not:
/// - change another app that holds admin API access (its settings, credentials, logo, or
///   delete it): one automation must not take over, or silently end, another's power;
/// - change the credentials of another app that may act as users (`jwt_bearer_users`):
///   holding them would let it mint those users' tokens.
///
/// Changing `admin_api_access` or `jwt_bearer_users` itself is refused to apps before any
/// of this (`admin/apps.rs`), on any app including their own.
pub fn app_may_change(
    actor: &str,
    target: &AppRecord,
    change: AppChange,
) -> Result<(), &'static str> {
    if target.client_id == actor {
        return Ok(());
    }
    if target.settings.admin_api_access {
        return Err("An app using the admin API may not change another app that has admin API access; an administrator must, in the console.");
    }
    if change == AppChange::Credentials && !target.settings.jwt_bearer_users.is_empty() {
        return Err("An app using the admin API may not change the credentials of an app that may act as users (jwt_bearer_users); an administrator must, in the console.");
    }
    Ok(())
}

/// Whether a token issued to `client_id` may use the account APIs (connected apps, the
/// session): the user's own console only, never an app acting on the user's behalf, which
/// could otherwise list or revoke the user's other apps.
pub fn is_console(client_id: &str) -> bool {
    client_id == CONSOLE_CLIENT_ID
}

//! Who may hold which power. Portico's own APIs (admin, connected apps) are not resources
//! third-party apps may reach with a user's consent: a token opens them only when it was
//! issued to Portico's console. Every such decision is made here, so an exception (say, an
//! administrator allowing one machine-to-machine app to automate the admin API) has one
//! place to go, and a reader one place to look.

use crate::runtime::clients::Client;
use crate::state::CONSOLE_CLIENT_ID;

/// Whether tokens issued to `client` may carry the `admin` scope. Only the built-in console:
/// any other app asking for `admin` is refused (`invalid_scope`) at the authorization
/// endpoint, and the admin API refuses tokens of any other app even if they claim it.
pub fn may_hold_admin(client: &Client) -> bool {
    client.app.builtin && client.client_id() == CONSOLE_CLIENT_ID
}

/// Whether a token issued to `client_id` may use the account APIs (connected apps, the
/// session): the user's own console only, never an app acting on the user's behalf, which
/// could otherwise list or revoke the user's other apps.
pub fn is_console(client_id: &str) -> bool {
    client_id == CONSOLE_CLIENT_ID
}

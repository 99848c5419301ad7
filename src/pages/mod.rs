//! One module per page. Pages stay thin: logic lives in plain types next to them.

mod admin;
mod apps;
mod callback;
mod consent;
mod home;
mod login;
mod not_found;

pub use admin::RequireAdmin;
pub use apps::Apps;
pub use callback::Callback;
pub use consent::Consent;
pub use home::Home;
pub use login::Login;
pub use not_found::NotFound;

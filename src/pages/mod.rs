//! One module per page. Pages stay thin: logic lives in plain types next to them.

mod account;

pub mod app_detail;
mod app_new;
mod apps;
mod audit;
mod callback;
mod consent;
mod home;
mod login;
mod logout;
mod not_found;
mod pkce_demo;

pub use account::ConnectedAppsPage;

pub use app_detail::AppDetail;
pub use app_new::AppNew;
pub use apps::Apps;
pub use audit::Audit;
pub use callback::Callback;
pub use consent::Consent;
pub use home::Home;
pub use login::Login;
pub use logout::{Logout, SignedOut};
pub use not_found::NotFound;
pub use pkce_demo::{PkceDemo, PkceDemoCallback};

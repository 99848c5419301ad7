//! One module per page. Pages stay thin: logic lives in plain types next to them.

mod home;
mod not_found;

pub use home::Home;
pub use not_found::NotFound;

//! The pieces pages share: buttons, message lines, dialogs, form fields, lists, and the
//! loading/error frame around data read from the API. They take type-erased props
//! (`Signal`, `Callback`), so each is compiled once however often it is used: that keeps
//! the wasm bundle inside its budget (every distinct reactive closure in a `view!` costs
//! code).

mod button;
mod copy;
mod dialogs;
mod fields;
mod item_list;
mod loaded;
mod message;

pub use button::Button;
pub use copy::CopyButton;
pub use dialogs::{ConfirmDialog, SecretDialog};
pub use fields::TextField;
pub use item_list::{Item, ItemList};
pub use loaded::{api_error, LoadError, Loaded};
pub use message::{Alert, Msg};

use leptos::prelude::*;

/// Shorthand for a derived signal.
pub fn sig<T: Send + Sync + 'static>(f: impl Fn() -> T + Send + Sync + 'static) -> Signal<T> {
    Signal::derive(f)
}

//! Wire types and validation rules shared by the Portico server and console.
//!
//! Serde only and wasm-safe: the console compiles this crate to wasm32 so that it
//! shows exactly the messages the server gives.

pub mod app;
pub mod app_users;
pub mod audit;
pub mod console;
pub mod duration;
pub mod interaction;
pub mod keys;
pub mod paths;
pub mod problem;
pub mod scope;
pub mod secret;
pub mod validate;

pub use app::{App, AppInput, AppKind, AppList, AppType, CreatedApp, IdTokenAlg, RefreshPolicy};
pub use app_users::{AppUser, AppUserPage, RevokedForAll};
pub use audit::{AuditAction, AuditEntry, AuditKind, AuditPage};
pub use keys::{GeneratedKeyPair, KeyAlg, KeyPairRequest, PublicKeyInfo, PublicKeyInput};
pub use problem::{FieldError, Problem};
pub use secret::{NewSecret, NewSecretInput, Secret, SecretInfo, SecretPatch};

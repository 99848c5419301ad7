//! Token signing keys, app public keys, secret hashing, password hashing and randomness.

pub mod app_key;
pub mod jws;
pub mod password;
pub mod random;
pub mod secret;

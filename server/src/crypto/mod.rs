//! Token signing keys, secret hashing, password hashing and randomness.

pub mod jws;
pub mod keys;
pub mod password;
pub mod random;
pub mod secret;

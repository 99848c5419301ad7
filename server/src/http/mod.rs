//! HTTP helpers that know nothing of OAuth, the admin API or the console.

pub mod client_addr;
pub mod headers;
pub mod json;
pub mod problem;

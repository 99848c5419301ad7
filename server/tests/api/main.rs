//! Integration tests of the admin API over HTTP, each run on SQLite and on PostgreSQL.

// Tests also wait for real processes (the `portico` binary), so they may sleep.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

mod common;
mod fleet;
mod flows;
mod interop_oauth2;

mod admin_automation;
mod admin_token;
mod app_users;
mod apps;
mod audit_events;
mod auth_errors;
mod binary;
mod console_compression;
mod console_headers;
mod console_token;
mod copies;
mod crash;
mod end_session;
mod id_token_alg;
mod keys;
mod lifecycle;
mod logo_audit;
mod logs;
mod loopback_redirect;
mod management;
mod oauth_code;
mod oauth_tokens;
mod oidc_request;
mod openapi;
mod public_app;
mod quickstart;
mod refresh_grace;
mod secrets;
mod security_admin;
mod security_assertion;
mod security_authority;
mod security_client_auth;
mod security_code;
mod security_hygiene;
mod security_interaction;
mod security_pkce;
mod security_redirect;
mod security_refresh;
mod security_storage;
mod sign_out;

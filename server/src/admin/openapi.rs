//! The admin API in the OpenAPI document (`crate::openapi` merges it with the interaction API
//! and the protocol endpoints and serves it).

use utoipa::OpenApi;

use super::{app_users, apps, audit, logo, public_app, public_keys, secrets};

#[derive(OpenApi)]
#[openapi(
    paths(
        apps::list, apps::create, apps::get, apps::update, apps::delete,
        app_users::list, app_users::revoke_all, public_app::get,
        secrets::create, secrets::update, secrets::delete,
        public_keys::add_public_key, public_keys::delete_public_key, public_keys::generate_key_pair,
        logo::put, logo::get, logo::delete,
        audit::list,
    ),
    tags(
        (name = "apps", description = "OAuth2 applications"),
        (name = "secrets", description = "Client secrets, shown once"),
        (name = "keys", description = "Public keys of machine-to-machine apps (`private_key_jwt`)"),
        (name = "logo", description = "App logos"),
        (name = "audit", description = "The audit log: admin changes, sign-ins and consents, security events"),
    )
)]
pub struct AdminApi;

//! `GET /api/v1/openapi.json`: the admin API described from the code itself (utoipa).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{app_users, apps, audit, logo, public_app, public_keys, secrets};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An RFC 9068 access token with the `admin` scope"))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Portico admin API", description = "Manage OAuth2 apps, their secrets, keys and logos."),
    paths(
        apps::list, apps::create, apps::get, apps::update, apps::delete,
        app_users::list, app_users::revoke_all, public_app::get,
        secrets::create, secrets::update, secrets::delete,
        public_keys::add_public_key, public_keys::delete_public_key, public_keys::generate_key_pair,
        logo::put, logo::get, logo::delete,
        audit::list,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "apps", description = "OAuth2 applications"),
        (name = "secrets", description = "Client secrets, shown once"),
        (name = "keys", description = "Public keys of machine-to-machine apps"),
        (name = "logo", description = "App logos"),
        (name = "audit", description = "The admin change log"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

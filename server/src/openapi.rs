//! `GET /api/v1/openapi.json`: every public route described from the code (utoipa): the
//! admin API (`admin::openapi`), the interaction and account API (`interaction::openapi`) and
//! the protocol endpoints as far as OpenAPI can describe them (`oauth::openapi`).
//!
//! Built per request, because what it says depends on the configuration: `servers` is the
//! issuer (RFC 8414 §2: every endpoint hangs off it), and the cookies carry the `__Host-`
//! prefix when the issuer is https (`oauth::cookies`).

use axum::extract::State;
use axum::Json;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, PathItem};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::OpenApi;

use crate::state::AppState;
use crate::{admin, interaction, oauth};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portico",
        description = "Portico's HTTP interface: the admin API (apps, their secrets, keys and \
            logos, the audit log), the API behind Portico's sign-in, consent and sign-out pages, \
            the signed-in user's connected apps, and the OAuth 2.0 / OpenID Connect endpoints. \
            Errors of the `/api/v1` routes are RFC 9457 problem details \
            (`application/problem+json`); the OAuth endpoints answer RFC 6749 §5.2 error JSON."
    ),
    paths(document),
    components(schemas(portico_proto::Problem, portico_proto::FieldError)),
    tags((name = "meta", description = "This document")),
)]
struct Base;

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", operation_id = "getOpenApiDocument",
    summary = "This OpenAPI document",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")),
    security(()))]
pub async fn document(State(state): State<AppState>) -> Json<serde_json::Value> {
    let mut json = serde_json::to_value(build(&state.config.issuer)).unwrap_or_default();
    link_field_names(&mut json);
    shared_answers(&mut json);
    Json(json)
}

/// The document as a server with this issuer serves it.
pub fn build(issuer: &str) -> Document {
    let mut doc = Base::openapi();
    doc.merge(admin::openapi::AdminApi::openapi());
    doc.merge(interaction::openapi::InteractionApi::openapi());
    doc.merge(oauth::openapi::ProtocolApi::openapi());
    doc.servers = Some(vec![Server::new(issuer.trim_end_matches('/'))]);
    security_schemes(&mut doc, issuer.starts_with("https://"));
    problem_bodies(&mut doc);
    links(&mut doc);
    doc
}

fn security_schemes(doc: &mut Document, https: bool) {
    let cookie = |plain: &str| {
        if https {
            format!("__Host-{plain}")
        } else {
            plain.to_owned()
        }
    };
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "An access token from `/oauth2/token` (RFC 6750 §2.1). The admin API takes \
                     a token of Portico's console with the `admin` scope, held by an \
                     administrator, or the `admin` token of a machine-to-machine app an \
                     administrator gave admin API access; the account API a token of \
                     Portico's console.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "client_basic",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Basic)
                .description(Some(
                    "`client_secret_basic` (RFC 6749 §2.3.1): the client ID and a client \
                     secret, each form-urlencoded. Instead, an app may authenticate in the \
                     form body (`client_secret_post`, `private_key_jwt`); one method per request.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "browser_cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookie("portico_browser"),
            "Set by `/oauth2/authorize`: binds a sign-in request to the browser that started it."
                .to_owned(),
        ))),
    );
    components.add_security_scheme(
        "session_cookie",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            cookie("portico_session"),
            "Set by signing in: the browser's Portico session.".to_owned(),
        ))),
    );
}

/// The `/api/v1` routes answer every error as RFC 9457 problem details; the annotations
/// name the statuses and why, and this gives each the one body they share.
fn problem_bodies(doc: &mut Document) {
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/") {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                let RefOr::T(response) = response else {
                    continue;
                };
                if status.as_str() >= "400" && response.content.is_empty() {
                    response.content.insert(
                        "application/problem+json".to_owned(),
                        Content::new(Some(Ref::from_schema_name("Problem"))),
                    );
                }
            }
        }
    }
}

/// Answers that whole classes of operations share, written once here instead of on each route:
/// every operation that takes a JSON body can be refused for its body (the `ApiJson`
/// extractor), every operation behind a bearer token for a missing or dead token, and every
/// admin operation for a token that may not use the admin API (the `Admin` extractor). An
/// annotation that says more about one of these statuses keeps its own text.
const JSON_BODY_ANSWERS: &[(&str, &str)] = &[
    ("400", "The body is not valid JSON"),
    ("413", "The body is larger than 64 KiB"),
    ("415", "The body is not sent as `application/json`"),
];
const BEARER_ANSWERS: &[(&str, &str)] = &[(
    "401",
    "No access token, or one that is invalid, expired or revoked",
)];
const ADMIN_ANSWERS: &[(&str, &str)] = &[(
    "403",
    "The token may not use the admin API: it must be an administrator's token of Portico's \
     console with the `admin` scope, or the `admin` token of a machine-to-machine app an \
     administrator gave admin API access",
)];

fn shared_answers(json: &mut serde_json::Value) {
    let Some(paths) = json.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if !path.starts_with("/api/") {
            continue;
        }
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut().filter_map(|op| op.as_object_mut()) {
            let json_body = op
                .get("requestBody")
                .and_then(|b| b.get("content"))
                .is_some_and(|c| c.get("application/json").is_some());
            let bearer_scopes: Vec<serde_json::Value> = op
                .get("security")
                .and_then(|s| s.as_array())
                .into_iter()
                .flatten()
                .filter_map(|r| r.get("bearer").cloned())
                .collect();
            let bearer = !bearer_scopes.is_empty();
            let admin = bearer_scopes.contains(&serde_json::json!(["admin"]));
            let Some(responses) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else {
                continue;
            };
            let shared = [
                (json_body, JSON_BODY_ANSWERS),
                (bearer, BEARER_ANSWERS),
                (admin, ADMIN_ANSWERS),
            ];
            for (status, description) in shared
                .into_iter()
                .filter(|(applies, _)| *applies)
                .flat_map(|(_, answers)| answers)
            {
                responses.entry(*status).or_insert_with(|| {
                    serde_json::json!({
                        "description": description,
                        "content": {"application/problem+json": {
                            "schema": {"$ref": "#/components/schemas/Problem"}
                        }}
                    })
                });
            }
        }
    }
}

/// What creates a resource, and where the created resource's identifiers are: an OpenAPI link
/// (§4.8.20) from the creating answer to every operation on the resource, so a client (or a
/// test generator) can follow one to the next.
/// An operation that creates something, and the runtime expressions (OpenAPI §4.8.20.4) of
/// the path parameters that name what it created.
struct Creates {
    path: &'static str,
    status: &'static str,
    given: &'static [(&'static str, &'static str)],
}

const CREATES: &[Creates] = &[
    Creates {
        path: "/api/v1/apps",
        status: "201",
        given: &[("client_id", "$response.body#/client_id")],
    },
    Creates {
        path: "/api/v1/apps/{client_id}/secrets",
        status: "201",
        given: &[
            ("client_id", "$request.path.client_id"),
            ("secret_id", "$response.body#/id"),
        ],
    },
    Creates {
        path: "/api/v1/apps/{client_id}/public-keys",
        status: "201",
        given: &[
            ("client_id", "$request.path.client_id"),
            ("kid", "$response.body#/kid"),
        ],
    },
    Creates {
        path: "/api/v1/apps/{client_id}/key-pairs",
        status: "201",
        given: &[
            ("client_id", "$request.path.client_id"),
            ("kid", "$response.body#/kid"),
        ],
    },
];

/// utoipa 5 writes a link's fields in snake case (`operation_id`, `request_body`); OpenAPI
/// §4.8.20 names them `operationId` and `requestBody`.
fn link_field_names(json: &mut serde_json::Value) {
    let Some(paths) = json.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let links = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|r| r.get_mut("links")?.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(|l| l.as_object_mut());
    for link in links {
        for (from, to) in [
            ("operation_id", "operationId"),
            ("request_body", "requestBody"),
        ] {
            if let Some(v) = link.remove(from) {
                link.insert(to.to_owned(), v);
            }
        }
    }
}

/// The `{name}` parameters of a path template.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

fn operations(item: &PathItem) -> impl Iterator<Item = (HttpMethod, &Operation)> {
    [
        (HttpMethod::Get, &item.get),
        (HttpMethod::Put, &item.put),
        (HttpMethod::Post, &item.post),
        (HttpMethod::Delete, &item.delete),
        (HttpMethod::Patch, &item.patch),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_ref().map(|op| (m, op)))
}

fn links(doc: &mut Document) {
    for Creates {
        path: source,
        status,
        given,
    } in CREATES
    {
        // Operations on what the source creates: their path parameters are all given, and
        // their path names one (the apps' `{client_id}`, a secret's `{secret_id}`, …).
        let created = given.last().map(|(name, _)| *name).unwrap_or_default();
        let mut targets = Vec::new();
        for (path, item) in &doc.paths.paths {
            let params = path_params(path);
            let on_apps = path.starts_with("/api/v1/apps/");
            if !on_apps
                || !params.contains(&created)
                || !params.iter().all(|p| given.iter().any(|(g, _)| g == p))
            {
                continue;
            }
            for (_, op) in operations(item) {
                if let Some(id) = &op.operation_id {
                    targets.push((
                        id.clone(),
                        params.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
                    ));
                }
            }
        }
        let Some(op) = doc
            .paths
            .paths
            .get_mut(*source)
            .and_then(|i| i.post.as_mut())
        else {
            continue;
        };
        let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) else {
            continue;
        };
        for (id, params) in targets {
            let mut link = LinkBuilder::new().operation_id(id.clone());
            for p in params {
                if let Some((_, expr)) = given.iter().find(|(g, _)| *g == p) {
                    link = link.parameter(p.clone(), *expr);
                }
            }
            response.links.insert(id, RefOr::T(link.build()));
        }
    }
}

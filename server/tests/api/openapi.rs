//! The OpenAPI document (`GET /api/v1/openapi.json`) as code generators read it: every route
//! the server serves is described, each operation has its own operationId, `servers` is the
//! issuer, query parameters are query parameters, binary bodies are binary, and every error
//! answer has its body. `scripts/openapi.sh` feeds the same document to a validator, a client
//! generator and schemathesis.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Backend, Options, TestServer};
use crate::on_both_databases;

on_both_databases!(
    the_document_describes_every_route_for_code_generators,
    servers_and_cookie_names_follow_the_configured_issuer,
);

/// Every route the server serves (`lib.rs`, `admin::router`, `interaction::router`).
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/.well-known/oauth-authorization-server"),
    ("GET", "/.well-known/openid-configuration"),
    ("GET", "/oauth2/jwks"),
    ("GET", "/oauth2/authorize"),
    ("POST", "/oauth2/authorize"),
    ("POST", "/oauth2/token"),
    ("POST", "/oauth2/introspect"),
    ("POST", "/oauth2/revoke"),
    ("GET", "/oauth2/userinfo"),
    ("POST", "/oauth2/userinfo"),
    ("GET", "/oauth2/end_session"),
    ("POST", "/oauth2/end_session"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/apps"),
    ("POST", "/api/v1/apps"),
    ("GET", "/api/v1/apps/{client_id}"),
    ("PATCH", "/api/v1/apps/{client_id}"),
    ("DELETE", "/api/v1/apps/{client_id}"),
    ("GET", "/api/v1/apps/{client_id}/grants"),
    ("DELETE", "/api/v1/apps/{client_id}/grants"),
    ("GET", "/api/v1/apps/{client_id}/public"),
    ("POST", "/api/v1/apps/{client_id}/secrets"),
    ("PATCH", "/api/v1/apps/{client_id}/secrets/{secret_id}"),
    ("DELETE", "/api/v1/apps/{client_id}/secrets/{secret_id}"),
    ("POST", "/api/v1/apps/{client_id}/public-keys"),
    ("DELETE", "/api/v1/apps/{client_id}/public-keys/{kid}"),
    ("POST", "/api/v1/apps/{client_id}/key-pairs"),
    ("GET", "/api/v1/apps/{client_id}/logo"),
    ("PUT", "/api/v1/apps/{client_id}/logo"),
    ("DELETE", "/api/v1/apps/{client_id}/logo"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/interactions/{id}"),
    ("POST", "/api/v1/interactions/{id}/login"),
    ("POST", "/api/v1/interactions/{id}/consent"),
    ("POST", "/api/v1/interactions/{id}/switch-account"),
    ("GET", "/api/v1/account/apps"),
    ("DELETE", "/api/v1/account/apps/{client_id}"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/api/v1/session/console-token"),
    ("GET", "/api/v1/logout"),
    ("POST", "/api/v1/logout"),
];

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

async fn document(s: &TestServer) -> Value {
    let res = s
        .http
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Every operation: (METHOD, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                ops.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

/// The schema a `$ref` names, or the schema itself.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

async fn the_document_describes_every_route_for_code_generators(b: Backend) {
    let s = TestServer::start(b).await;
    let doc = document(&s).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let ops = operations(&doc);

    // Every route is described, and every description is a route.
    let documented: BTreeSet<(String, String)> =
        ops.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        routed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes the document leaves out"
    );
    assert_eq!(
        documented.difference(&routed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "documented operations this test does not know"
    );
    for (method, path, _) in &ops {
        let concrete = path
            .replace("{client_id}", "x")
            .replace("{secret_id}", "y")
            .replace("{kid}", "y")
            .replace("{id}", "z");
        let res = s
            .http
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(&concrete),
            )
            .send()
            .await
            .unwrap();
        let status = res.status();
        let body = res.text().await.unwrap();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(
            !body.contains("No API endpoint at"),
            "{method} {path} is documented but not served: {body}"
        );
    }

    // Unique operationIds: generators name a function after each.
    let mut ids = BTreeSet::new();
    for (method, path, op) in &ops {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(ids.insert(id.to_owned()), "operationId {id} repeats");
    }
    for id in [
        "listApps",
        "createApp",
        "getAuditLog",
        "uploadLogo",
        "requestToken",
    ] {
        assert!(ids.contains(id), "{id}");
    }

    // Requests go to the issuer.
    assert_eq!(doc["servers"][0]["url"], s.base.as_str());

    // The audit log's parameters are all optional query parameters.
    let audit = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(audit.iter().any(|p| p["name"] == "before"));
    assert!(audit.iter().any(|p| p["name"] == "limit"));
    for p in audit {
        assert_eq!(p["in"], "query", "{p}");
        assert_ne!(p["required"], true, "{p}");
    }

    // The logo is uploaded and downloaded as an image file, not as an array of numbers.
    let upload = &doc["paths"]["/api/v1/apps/{client_id}/logo"]["put"]["requestBody"]["content"];
    let download =
        &doc["paths"]["/api/v1/apps/{client_id}/logo"]["get"]["responses"]["200"]["content"];
    for content in [upload, download] {
        let types: BTreeSet<&str> = content
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(types, ["image/jpeg", "image/png", "image/webp"].into());
        for media in content.as_object().unwrap().values() {
            let schema = resolve(&doc, &media["schema"]);
            assert_eq!(schema["type"], "string", "{schema}");
            assert_eq!(schema["format"], "binary", "{schema}");
        }
    }

    // Every error answer has its body: problem details on /api, OAuth error JSON or the
    // error page on the protocol endpoints.
    for (method, path, op) in &ops {
        for (status, response) in op["responses"].as_object().unwrap() {
            if !status.starts_with('4') {
                continue;
            }
            let content = response["content"].as_object();
            assert!(
                content.is_some_and(|c| !c.is_empty()),
                "{method} {path} {status} has no body"
            );
            let content = content.unwrap();
            if path.starts_with("/api/") && path != "/api/v1/me" {
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            } else if let Some(json) = content.get("application/json") {
                assert_eq!(
                    json["schema"]["$ref"], "#/components/schemas/OAuthError",
                    "{method} {path} {status}"
                );
            } else {
                assert!(
                    content.contains_key("text/html"),
                    "{method} {path} {status}"
                );
            }
        }
    }
    // The admin API's operations name who may call them and what they answer without it.
    for (method, path, op) in &ops {
        let admin = op["security"].as_array().is_some_and(|s| {
            s.iter()
                .any(|r| r.get("bearer") == Some(&serde_json::json!(["admin"])))
        });
        if admin {
            for status in ["401", "403"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path} {status}"
                );
            }
        }
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    let names: BTreeSet<&str> = schemes.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        ["bearer", "browser_cookie", "client_basic", "session_cookie"].into()
    );
    assert_eq!(schemes["client_basic"]["scheme"], "basic");

    // Descriptions are written for integrators: no notes for Portico's own developers, and no
    // pointer to any Markdown file (the project's design notes, the architecture document).
    let text = doc.to_string();
    for internal in [
        ".md",
        "`Debug`",
        "expose()",
        "SECRET_NOTE_MAX",
        "need not model",
        "from `kind`",
        "`None`",
    ] {
        assert!(!text.contains(internal), "the document mentions {internal}");
    }
}

async fn servers_and_cookie_names_follow_the_configured_issuer(b: Backend) {
    let s = TestServer::start_with(
        b,
        Options {
            issuer: Some("https://login.example.org".into()),
            ..Options::default()
        },
    )
    .await;
    let doc = document(&s).await;
    assert_eq!(doc["servers"][0]["url"], "https://login.example.org");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["browser_cookie"]["in"], "cookie");
    assert_eq!(schemes["browser_cookie"]["name"], "__Host-portico_browser");
    assert_eq!(schemes["session_cookie"]["name"], "__Host-portico_session");

    let plain = TestServer::start(b).await;
    let doc = document(&plain).await;
    assert_eq!(
        doc["components"]["securitySchemes"]["session_cookie"]["name"],
        "portico_session"
    );
}

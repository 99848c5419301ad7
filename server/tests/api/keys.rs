//! Public keys of machine-to-machine apps: PEM and JWK for RSA, P-256 and Ed25519, and
//! key pairs whose private half is returned once and never stored.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING,
};
use portico::crypto::app_key::VerifyingKey;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, TestServer};
use crate::on_both_databases;

on_both_databases!(
    pem_and_jwk_of_each_key_type,
    weak_foreign_and_private_keys_are_refused,
    rfc7638_example_key_gets_its_thumbprint,
    key_pairs_return_a_working_private_key_once,
    ed25519_is_accepted_as_the_name_of_an_eddsa_key_pair,
    keys_only_for_machine_to_machine_apps,
    delete_a_key,
);

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/api/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

async fn m2m(s: &TestServer) -> String {
    s.create_app("machine_to_machine", "Worker").await["client_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn pem_and_jwk_of_each_key_type(b: Backend) {
    let s = TestServer::start(b).await;
    for (pem, jwk, alg) in [
        ("rsa2048.pub.pem", "rsa2048.jwk.json", "RS256"),
        ("p256.pub.pem", "p256.jwk.json", "ES256"),
        ("ed25519.pub.pem", "ed25519.jwk.json", "EdDSA"),
    ] {
        let a = m2m(&s).await;
        let (status, from_pem) = s
            .post(
                &format!("/api/v1/apps/{a}/public-keys"),
                json!({"pem": fixture(pem)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{pem}: {from_pem}");
        assert_eq!(from_pem["alg"], alg);
        assert_eq!(from_pem["thumbprint"].as_str().unwrap().len(), 43);
        assert_eq!(
            from_pem["kid"], from_pem["thumbprint"],
            "kid defaults to the RFC 7638 thumbprint"
        );

        // The same key as a JWK is the same key: same thumbprint, so a duplicate.
        let (status, dup) = s
            .post(
                &format!("/api/v1/apps/{a}/public-keys"),
                json!({"jwk": fixture_json(jwk)}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{jwk}: {dup}");

        let other = m2m(&s).await;
        let (status, from_jwk) = s
            .post(
                &format!("/api/v1/apps/{other}/public-keys"),
                json!({"jwk": fixture_json(jwk)}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{jwk}: {from_jwk}");
        assert_eq!(from_jwk["thumbprint"], from_pem["thumbprint"]);

        let (_, app) = s.get(&format!("/api/v1/apps/{a}")).await;
        assert_eq!(app["public_keys"][0]["kid"], from_pem["kid"]);
        assert_eq!(app["public_keys"][0]["alg"], alg);
        s.delete(&format!("/api/v1/apps/{a}")).await;
        s.delete(&format!("/api/v1/apps/{other}")).await;
    }
    // PKCS#1 "RSA PUBLIC KEY" PEM is the same RSA key.
    let a = m2m(&s).await;
    let (status, pkcs1) = s
        .post(
            &format!("/api/v1/apps/{a}/public-keys"),
            json!({"pem": fixture("rsa2048.pkcs1.pem")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pkcs1}");
    assert_eq!(pkcs1["alg"], "RS256");
    // A JWK that brings its own kid keeps it.
    let mut jwk = fixture_json("p256.jwk.json");
    jwk["kid"] = json!("worker-2026");
    let (status, named) = s
        .post(
            &format!("/api/v1/apps/{a}/public-keys"),
            json!({"jwk": jwk}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{named}");
    assert_eq!(named["kid"], "worker-2026");
}

async fn weak_foreign_and_private_keys_are_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let a = m2m(&s).await;
    let path = format!("/api/v1/apps/{a}/public-keys");
    let cases = [
        (json!({"pem": fixture("rsa1024.pub.pem")}), "pem", "2048"),
        (json!({"pem": fixture("p384.pub.pem")}), "pem", ""),
        (json!({"jwk": fixture_json("p384.jwk.json")}), "jwk", ""),
        (
            json!({"pem": fixture("p256.private.pem")}),
            "pem",
            "private",
        ),
        (json!({"pem": fixture("garbage.pem")}), "pem", ""),
        (json!({"pem": "hello"}), "pem", ""),
        (json!({"jwk": {"kty": "oct", "k": "c2VjcmV0"}}), "jwk", ""),
        (
            json!({"jwk": {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"}}),
            "jwk",
            "",
        ),
        (json!({"jwk": "not an object"}), "jwk", ""),
        (json!({}), "pem", "exactly one"),
        (
            json!({"pem": fixture("p256.pub.pem"), "jwk": fixture_json("p256.jwk.json")}),
            "pem",
            "exactly one",
        ),
    ];
    for (body, field, needle) in cases {
        let (status, problem) = s.post(&path, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {problem}"
        );
        assert_eq!(error_fields(&problem), vec![field.to_owned()], "{problem}");
        let msg = problem["errors"][0]["message"].as_str().unwrap();
        assert!(msg.contains(needle), "{msg:?} should mention {needle:?}");
    }
    // A private JWK (with "d") is refused, and nothing was stored.
    let mut private = fixture_json("p256.jwk.json");
    private["d"] = json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let (status, _) = s.post(&path, json!({"jwk": private})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut wrong_alg = fixture_json("p256.jwk.json");
    wrong_alg["alg"] = json!("RS256");
    let (status, _) = s.post(&path, json!({"jwk": wrong_alg})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, app) = s.get(&format!("/api/v1/apps/{a}")).await;
    assert_eq!(app["public_keys"], json!([]));
}

async fn rfc7638_example_key_gets_its_thumbprint(b: Backend) {
    let s = TestServer::start(b).await;
    let a = m2m(&s).await;
    // RFC 7638 §3.1 example key (with its kid member, which is kept).
    let jwk = json!({
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    });
    let (status, key) = s
        .post(
            &format!("/api/v1/apps/{a}/public-keys"),
            json!({"jwk": jwk}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    assert_eq!(
        key["thumbprint"],
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(key["kid"], "2011-04-29");
}

/// Signs `msg` with the returned private key and checks it against the stored public key.
fn private_key_matches_stored(alg: &str, private_pem: &str, stored_jwk: &str) {
    let der = pem_body(private_pem);
    let msg = b"header.payload";
    let sig: Vec<u8> = match alg {
        "ES256" => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
            .unwrap()
            .sign(&SystemRandom::new(), msg)
            .unwrap()
            .as_ref()
            .to_vec(),
        "EdDSA" => {
            let kp = Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).unwrap();
            assert_eq!(kp.public_key().as_ref().len(), 32);
            kp.sign(msg).as_ref().to_vec()
        }
        "RS256" => {
            let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
            let mut sig = vec![0; kp.public_modulus_len()];
            kp.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                msg,
                &mut sig,
            )
            .unwrap();
            sig
        }
        other => panic!("{other}"),
    };
    let vk = VerifyingKey::from_jwk_json(stored_jwk).unwrap();
    assert!(
        vk.verify(msg, &sig),
        "{alg}: stored key does not verify the private key's signature"
    );
    assert!(!vk.verify(b"header.tampered", &sig));
}

fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine;
    assert!(
        pem.starts_with("-----BEGIN PRIVATE KEY-----"),
        "PKCS#8 PEM expected: {pem}"
    );
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

async fn key_pairs_return_a_working_private_key_once(b: Backend) {
    let s = TestServer::start(b).await;
    let a = m2m(&s).await;
    for alg in ["ES256", "EdDSA", "RS256"] {
        let (status, pair) = s
            .post(&format!("/api/v1/apps/{a}/key-pairs"), json!({"alg": alg}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{pair}");
        assert_eq!(pair["alg"], alg);
        let private = pair["private_key_pem"].as_str().unwrap();
        let stored = s
            .state
            .stores
            .public_keys
            .list_public_keys(&a)
            .await
            .unwrap();
        let rec = stored
            .iter()
            .find(|k| k.kid == pair["kid"].as_str().unwrap())
            .unwrap();
        private_key_matches_stored(alg, private, &rec.jwk);
        // Never stored, never shown again.
        assert!(!rec.jwk.contains("\"d\""));
        let text = s
            .req(reqwest::Method::GET, &format!("/api/v1/apps/{a}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let body_line = private.lines().nth(1).unwrap();
        assert!(!text.contains(body_line));
    }
    let (_, app) = s.get(&format!("/api/v1/apps/{a}")).await;
    assert_eq!(app["public_keys"].as_array().unwrap().len(), 3);
    let (status, problem) = s
        .post(
            &format!("/api/v1/apps/{a}/key-pairs"),
            json!({"alg": "HS256"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["alg".to_owned()]);
    let (status, _) = s
        .post(
            &format!("/api/v1/apps/{a}/key-pairs"),
            json!({"alg": "none"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn keys_only_for_machine_to_machine_apps(b: Backend) {
    let s = TestServer::start(b).await;
    for t in ["web", "single_page"] {
        let a = s.create_app(t, "X").await["client_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, _) = s
            .post(
                &format!("/api/v1/apps/{a}/public-keys"),
                json!({"pem": fixture("p256.pub.pem")}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, _) = s
            .post(
                &format!("/api/v1/apps/{a}/key-pairs"),
                json!({"alg": "ES256"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
}

async fn delete_a_key(b: Backend) {
    let s = TestServer::start(b).await;
    let a = m2m(&s).await;
    let (_, key) = s
        .post(
            &format!("/api/v1/apps/{a}/public-keys"),
            json!({"pem": fixture("ed25519.pub.pem")}),
        )
        .await;
    let kid = key["kid"].as_str().unwrap();
    let (status, _) = s
        .delete(&format!("/api/v1/apps/{a}/public-keys/{kid}"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s
        .delete(&format!("/api/v1/apps/{a}/public-keys/{kid}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, app) = s.get(&format!("/api/v1/apps/{a}")).await;
    assert_eq!(app["public_keys"], json!([]));
}

/// RFC 9864 §2 names the Ed25519 signature `Ed25519`; assertions and discovery take that name
/// beside `EdDSA`, so the key-pair route does too. The key is the same Ed25519 key (listed
/// as `EdDSA`), and it verifies assertions whose header says either name.
async fn ed25519_is_accepted_as_the_name_of_an_eddsa_key_pair(b: Backend) {
    use crate::flows::{assertion_claims, post_form, sign_jwt};
    let s = TestServer::start(b).await;
    let (status, meta) = s.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(status, StatusCode::OK);
    let advertised = meta["token_endpoint_auth_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    assert!(advertised.contains(&json!("Ed25519")) && advertised.contains(&json!("EdDSA")));
    let a = m2m(&s).await;
    let (status, pair) = s
        .post(
            &format!("/api/v1/apps/{a}/key-pairs"),
            json!({"alg": "Ed25519"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pair}");
    assert_eq!(pair["alg"], "EdDSA");
    let (_, app) = s.get(&format!("/api/v1/apps/{a}")).await;
    assert_eq!(app["public_keys"][0]["alg"], "EdDSA", "{app}");
    let private = pair["private_key_pem"].as_str().unwrap();
    let kid = pair["kid"].as_str().unwrap();
    for (header_alg, with_kid) in [("Ed25519", true), ("EdDSA", true), ("Ed25519", false)] {
        let jti = portico::crypto::random::id().unwrap();
        let assertion = sign_jwt(
            private,
            header_alg,
            with_kid.then_some(kid),
            &assertion_claims(&s, &a, &a, &jti),
        );
        let (status, body, _) = post_form(
            &s,
            "/oauth2/token",
            &[
                ("grant_type", "client_credentials"),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", &assertion),
            ],
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{header_alg} (kid {with_kid}): {body}"
        );
    }
    // Other names are still refused, in the route's own field.
    let (status, problem) = s
        .post(
            &format!("/api/v1/apps/{a}/key-pairs"),
            json!({"alg": "Ed448"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(error_fields(&problem), vec!["alg".to_owned()]);
}

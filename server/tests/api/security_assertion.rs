//! Security suite, JWT assertions (RFC 7523 §3; RFC 8725): every forged, altered, stale or
//! misdirected assertion is refused, both as `private_key_jwt` client authentication
//! (401 `invalid_client`) and as the JWT-bearer authorization grant (400 `invalid_grant`).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{
    add_public_key, assertion_claims, fixture, m2m_app, post_form, sign_hs256, sign_jwt,
    unsigned_jwt,
};
use crate::on_both_databases;
use portico::oauth::error::INVALID_CLIENT;

on_both_databases!(
    private_key_jwt_refuses_every_bad_assertion,
    jwt_bearer_grant_refuses_every_bad_assertion,
    a_used_jti_is_refused_in_both_uses,
    a_used_jti_stays_used_after_a_restart,
);

const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Use {
    /// `private_key_jwt` with the client_credentials grant (RFC 7523 §2.2).
    ClientAuthentication,
    /// The JWT-bearer grant, the client authenticated by its secret (RFC 7523 §2.1).
    Grant,
}

/// The app under attack, with the P-256 fixture key registered from its PEM, and another app
/// (the attacker's own) with a key pair of its own.
struct Ctx<'a> {
    s: &'a TestServer,
    mode: Use,
    id: String,
    secret: String,
    kid: String,
    private_pem: String,
    public_pem: String,
    public_jwk: String,
    other_id: String,
    other_kid: String,
    other_private_pem: String,
}

impl<'a> Ctx<'a> {
    async fn new(s: &'a TestServer, mode: Use) -> Ctx<'a> {
        let (id, secret) = m2m_app(s, "Target").await;
        crate::flows::allow_jwt_bearer(s, &id, &["alice"]).await;
        let public_pem = fixture("p256.pub.pem");
        let kid = add_public_key(s, &id, json!({"pem": public_pem})).await;
        let (other_id, _) = m2m_app(s, "Attacker").await;
        let (status, pair) = s
            .post(
                &format!("/api/v1/apps/{other_id}/key-pairs"),
                json!({"alg": "ES256"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{pair}");
        Ctx {
            s,
            mode,
            id,
            secret,
            kid,
            private_pem: fixture("p256.private.pem"),
            public_pem,
            public_jwk: fixture("p256.jwk.json"),
            other_id,
            other_kid: pair["kid"].as_str().unwrap().to_owned(),
            other_private_pem: pair["private_key_pem"].as_str().unwrap().to_owned(),
        }
    }

    /// Valid claims for this use, with a fresh jti.
    fn claims(&self) -> Value {
        let sub = match self.mode {
            Use::ClientAuthentication => self.id.as_str(),
            Use::Grant => "alice",
        };
        assertion_claims(
            self.s,
            &self.id,
            sub,
            &portico::crypto::random::id().unwrap(),
        )
    }

    fn with(&self, f: impl FnOnce(&mut Value)) -> Value {
        let mut c = self.claims();
        f(&mut c);
        c
    }

    fn sign(&self, claims: &Value) -> String {
        sign_jwt(&self.private_pem, "ES256", Some(&self.kid), claims)
    }

    fn now(&self) -> i64 {
        portico::clock::Clock::now(self.s.clock.as_ref())
    }

    /// Presents `assertion` in this use and returns status and body.
    async fn present(&self, assertion: &str) -> (StatusCode, Value) {
        let (status, body, headers) = match self.mode {
            Use::ClientAuthentication => {
                post_form(
                    self.s,
                    "/oauth2/token",
                    &[
                        ("grant_type", "client_credentials"),
                        ("client_assertion_type", CLIENT_ASSERTION_TYPE),
                        ("client_assertion", assertion),
                    ],
                    None,
                )
                .await
            }
            Use::Grant => {
                post_form(
                    self.s,
                    "/oauth2/token",
                    &[
                        ("grant_type", JWT_BEARER),
                        ("assertion", assertion),
                        ("scope", "openid"),
                    ],
                    Some((&self.id, &self.secret)),
                )
                .await
            }
        };
        assert_eq!(headers["cache-control"], "no-store");
        (status, body)
    }

    fn refused(&self) -> (StatusCode, &'static str) {
        match self.mode {
            Use::ClientAuthentication => (StatusCode::UNAUTHORIZED, "invalid_client"),
            Use::Grant => (StatusCode::BAD_REQUEST, "invalid_grant"),
        }
    }
}

fn b64json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

type Case = (&'static str, Box<dyn Fn(&Ctx<'_>) -> String>);
/// How an attacker turns the registered public key into HMAC key bytes.
type KeyBytes = fn(&Ctx<'_>) -> Vec<u8>;

/// Every attack, each building its assertion when it runs (the clock moves between cases).
fn attacks() -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    let mut add = |name: &'static str, f: Box<dyn Fn(&Ctx<'_>) -> String>| cases.push((name, f));

    // RFC 8725 §3.2 / §2.1: unsecured JWTs.
    for alg in ["none", "None", "NONE", "nOnE"] {
        add(
            "alg none",
            Box::new(move |c| unsigned_jwt(alg, Some(&c.kid), &c.claims())),
        );
    }
    add(
        "alg none without kid",
        Box::new(|c| unsigned_jwt("none", None, &c.claims())),
    );
    add(
        "alg none keeping a real signature",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            let parts: Vec<&str> = real.split('.').collect();
            format!(
                "{}.{}.{}",
                b64json(&json!({"alg": "none", "kid": c.kid})),
                parts[1],
                parts[2]
            )
        }),
    );
    // RFC 8725 §2.1: HMAC keyed with the public key, in each form an attacker may hold it.
    let hmac_keys: [(&'static str, KeyBytes); 5] = [
        ("HS256 keyed with the PEM", |c| {
            c.public_pem.clone().into_bytes()
        }),
        ("HS256 keyed with the trimmed PEM", |c| {
            c.public_pem.trim().as_bytes().to_vec()
        }),
        ("HS256 keyed with the SPKI DER", |c| {
            let b64: String = c
                .public_pem
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect();
            STANDARD.decode(b64).unwrap()
        }),
        ("HS256 keyed with the JWK JSON", |c| {
            c.public_jwk.clone().into_bytes()
        }),
        ("HS256 keyed with the stored JWK", |c| {
            portico::crypto::app_key::import_pem(&c.public_pem)
                .unwrap()
                .jwk
                .into_bytes()
        }),
    ];
    for (name, key) in hmac_keys {
        for alg in ["HS256", "HS384", "HS512"] {
            add(
                name,
                Box::new(move |c| {
                    sign_hs256(
                        &json!({"alg": alg, "typ": "JWT", "kid": c.kid}),
                        &c.claims(),
                        &key(c),
                    )
                }),
            );
        }
        add(
            name,
            Box::new(move |c| sign_hs256(&json!({"alg": "HS256"}), &c.claims(), &key(c))),
        );
    }
    // RFC 7515 §4.1.4: the kid names a registered key of this client, or nothing is verified.
    add(
        "unknown kid",
        Box::new(|c| sign_jwt(&c.private_pem, "ES256", Some("nope"), &c.claims())),
    );
    add(
        "kid of another client's key, signed with it",
        Box::new(|c| {
            sign_jwt(
                &c.other_private_pem,
                "ES256",
                Some(&c.other_kid),
                &c.claims(),
            )
        }),
    );
    add(
        "another client's key, no kid",
        Box::new(|c| sign_jwt(&c.other_private_pem, "ES256", None, &c.claims())),
    );
    add(
        "our kid, another client's key",
        Box::new(|c| sign_jwt(&c.other_private_pem, "ES256", Some(&c.kid), &c.claims())),
    );
    add(
        "RS256 header on an EC key",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            let parts: Vec<&str> = real.split('.').collect();
            format!(
                "{}.{}.{}",
                b64json(&json!({"alg": "RS256", "kid": c.kid})),
                parts[1],
                parts[2]
            )
        }),
    );
    // RFC 7515 §5.2 step 8: any change after signing breaks the signature.
    add(
        "tampered payload",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            let forged = c.with(|v| {
                v["sub"] = json!("root");
                v["exp"] = json!(c.now() + 600);
            });
            let parts: Vec<&str> = real.split('.').collect();
            format!("{}.{}.{}", parts[0], b64json(&forged), parts[2])
        }),
    );
    add(
        "tampered header",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            let parts: Vec<&str> = real.split('.').collect();
            format!(
                "{}.{}.{}",
                b64json(&json!({"alg": "ES256", "kid": c.kid, "typ": "JWT", "x": 1})),
                parts[1],
                parts[2]
            )
        }),
    );
    add(
        "flipped signature bit",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            let (input, sig) = real.rsplit_once('.').unwrap();
            let mut sig = URL_SAFE_NO_PAD.decode(sig).unwrap();
            sig[5] ^= 1;
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
        }),
    );
    add(
        "signature left off",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            format!("{}.", real.rsplit_once('.').unwrap().0)
        }),
    );
    // RFC 7523 §3 point 4: exp, with little leeway, and not unreasonably far ahead.
    add(
        "expired",
        Box::new(|c| c.sign(&c.with(|v| v["exp"] = json!(c.now() - 60)))),
    );
    add(
        "too far ahead",
        Box::new(|c| c.sign(&c.with(|v| v["exp"] = json!(c.now() + 7200)))),
    );
    add(
        "no exp",
        Box::new(|c| {
            c.sign(&c.with(|v| {
                v.as_object_mut().unwrap().remove("exp");
            }))
        }),
    );
    add(
        "exp as a string",
        Box::new(|c| c.sign(&c.with(|v| v["exp"] = json!((c.now() + 60).to_string())))),
    );
    // RFC 7523 §3 points 5 and 6.
    add(
        "nbf in the future",
        Box::new(|c| c.sign(&c.with(|v| v["nbf"] = json!(c.now() + 600)))),
    );
    add(
        "iat in the future",
        Box::new(|c| c.sign(&c.with(|v| v["iat"] = json!(c.now() + 600)))),
    );
    // RFC 7523 §3 point 7: jti required.
    add(
        "no jti",
        Box::new(|c| {
            c.sign(&c.with(|v| {
                v.as_object_mut().unwrap().remove("jti");
            }))
        }),
    );
    add(
        "empty jti",
        Box::new(|c| c.sign(&c.with(|v| v["jti"] = json!("")))),
    );
    add(
        "jti as a number",
        Box::new(|c| c.sign(&c.with(|v| v["jti"] = json!(42)))),
    );
    add(
        "jti too long",
        Box::new(|c| c.sign(&c.with(|v| v["jti"] = json!("j".repeat(257))))),
    );
    // RFC 7523 §3 point 3: our own identity as the audience.
    for (name, aud) in [
        ("wrong aud", json!("https://other.example/oauth2/token")),
        ("aud with a trailing slash", json!("{base}/oauth2/token/")),
        ("aud of another endpoint", json!("{base}/oauth2/introspect")),
        (
            "aud array without us",
            json!(["https://other.example", "{base}/"]),
        ),
        ("empty aud array", json!([])),
        ("aud as a number", json!(1)),
    ] {
        add(
            name,
            Box::new(move |c| {
                let aud: Value =
                    serde_json::from_str(&aud.to_string().replace("{base}", &c.s.base)).unwrap();
                c.sign(&c.with(|v| v["aud"] = aud))
            }),
        );
    }
    add(
        "no aud",
        Box::new(|c| {
            c.sign(&c.with(|v| {
                v.as_object_mut().unwrap().remove("aud");
            }))
        }),
    );
    // RFC 7523 §3 points 1 and 2: iss is the client; for client authentication sub is too.
    add(
        "iss is another client",
        Box::new(|c| c.sign(&c.with(|v| v["iss"] = json!(c.other_id)))),
    );
    add(
        "iss is another client, signed by it",
        Box::new(|c| {
            let claims = c.with(|v| v["iss"] = json!(c.other_id));
            sign_jwt(&c.other_private_pem, "ES256", Some(&c.other_kid), &claims)
        }),
    );
    add(
        "iss unknown",
        Box::new(|c| c.sign(&c.with(|v| v["iss"] = json!("nobody")))),
    );
    add(
        "no iss",
        Box::new(|c| {
            c.sign(&c.with(|v| {
                v.as_object_mut().unwrap().remove("iss");
            }))
        }),
    );
    add(
        "sub mismatch",
        Box::new(|c| c.sign(&c.with(|v| v["sub"] = json!("no-such-subject")))),
    );
    add(
        "no sub",
        Box::new(|c| {
            c.sign(&c.with(|v| {
                v.as_object_mut().unwrap().remove("sub");
            }))
        }),
    );
    // Other JWTs and shapes.
    add(
        "Portico's own access token",
        Box::new(|c| c.s.admin_token.clone()),
    );
    add(
        "typ at+jwt",
        Box::new(|c| {
            let claims = c.claims();
            let input = format!(
                "{}.{}",
                b64json(&json!({"alg": "ES256", "kid": c.kid, "typ": "at+jwt"})),
                b64json(&claims)
            );
            resign(&c.private_pem, &input)
        }),
    );
    add(
        "crit header",
        Box::new(|c| {
            let input = format!(
                "{}.{}",
                b64json(&json!({"alg": "ES256", "kid": c.kid, "crit": ["exp"], "exp": 1})),
                b64json(&c.claims())
            );
            resign(&c.private_pem, &input)
        }),
    );
    add(
        "claims not an object",
        Box::new(|c| {
            let input = format!(
                "{}.{}",
                b64json(&json!({"alg": "ES256", "kid": c.kid})),
                b64json(&json!([1]))
            );
            resign(&c.private_pem, &input)
        }),
    );
    add(
        "two parts",
        Box::new(|c| {
            let real = c.sign(&c.claims());
            real.rsplit_once('.').unwrap().0.to_owned()
        }),
    );
    add(
        "five parts (JWE shape)",
        Box::new(|c| format!("{}.AA.AA", c.sign(&c.claims()))),
    );
    add(
        "padding in base64url",
        Box::new(|c| format!("{}==", c.sign(&c.claims()))),
    );
    add(
        "over 16 KiB",
        Box::new(|c| c.sign(&c.with(|v| v["pad"] = json!("x".repeat(17_000))))),
    );
    add("not a JWT", Box::new(|_| "hello".to_owned()));
    cases
}

/// What the refusal of attack `name` says in `mode`: `None` for the one silent answer of
/// client authentication (the client is unknown, or no key of it verifies the signature:
/// a stranger's forgery, told nothing), else words its `error_description` contains. The
/// grant's client is already authenticated, so every reason is told there.
fn told(name: &str, mode: Use) -> Option<&'static str> {
    let grant = mode == Use::Grant;
    let when_grant = |says: &'static str| grant.then_some(says);
    match name {
        "alg none" | "alg none without kid" | "alg none keeping a real signature" => {
            Some("alg must be RS256, ES256, EdDSA or Ed25519")
        }
        n if n.starts_with("HS256 keyed") => Some("alg must be RS256, ES256, EdDSA or Ed25519"),
        "unknown kid" | "kid of another client's key, signed with it" => {
            when_grant("kid does not match any public key registered")
        }
        "another client's key, no kid"
        | "our kid, another client's key"
        | "tampered payload"
        | "tampered header"
        | "flipped signature bit"
        | "signature left off" => when_grant("signature is not valid"),
        "RS256 header on an EC key" => when_grant("the key named by its kid is a ES256 key"),
        "expired" => Some("has expired (5 s of clock skew are allowed). The server's time is"),
        "too far ahead" => Some("exp is more than 1 hour in the future"),
        "no exp" => Some("has no exp claim"),
        "exp as a string" => Some("exp claim must be a number"),
        "nbf in the future" => Some("not valid yet"),
        "iat in the future" => Some("iat is more than 60 s in the future"),
        "no jti" => Some("has no jti claim"),
        "empty jti" => Some("jti claim is empty"),
        "jti as a number" => Some("jti claim must be a string"),
        "jti too long" => Some("jti is longer than 256 characters"),
        "wrong aud"
        | "aud with a trailing slash"
        | "aud of another endpoint"
        | "aud array without us"
        | "empty aud array" => Some("aud must contain one of: "),
        "aud as a number" => Some("aud claim must be a string or an array of strings"),
        "no aud" => Some("has no aud claim"),
        // Client authentication loads the keys of the client `iss` names.
        "iss is another client" | "iss unknown" => when_grant("iss must be the client_id"),
        "iss is another client, signed by it" => Some(if grant {
            "kid does not match any public key registered"
        } else {
            "sub must be the client_id"
        }),
        "no iss" => Some(if grant {
            "has no iss claim"
        } else {
            "has no iss claim naming the client"
        }),
        "sub mismatch" => Some(if grant {
            "sub no-such-subject names no active user"
        } else {
            "sub must be the client_id"
        }),
        "no sub" => Some("has no sub claim"),
        "Portico's own access token" | "typ at+jwt" => Some("typ header must be JWT"),
        "claims not an object" => Some("claims are not a JSON object"),
        "crit header"
        | "two parts"
        | "five parts (JWE shape)"
        | "padding in base64url"
        | "over 16 KiB"
        | "not a JWT" => Some("not a well-formed JWT"),
        other => panic!("no expectation for {other}"),
    }
}

/// Signs an arbitrary signing input with the P-256 fixture key (ES256, R || S).
fn resign(private_pem: &str, input: &str) -> String {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    let b64: String = private_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = STANDARD.decode(b64).unwrap();
    let sig = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
        .unwrap()
        .sign(&SystemRandom::new(), input.as_bytes())
        .unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
}

async fn run_attacks(b: Backend, mode: Use) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let c = Ctx::new(&s, mode).await;
    // Control: a good assertion works.
    let (status, body) = c.present(&c.sign(&c.claims())).await;
    assert_eq!(status, StatusCode::OK, "{mode:?}: {body}");
    let (want_status, want_error) = c.refused();
    let cases = attacks();
    assert!(cases.len() >= 60, "{}", cases.len());
    for (name, build) in cases {
        // Failed client authentications count towards the brute-force limit; a fresh
        // window for every case keeps this about the assertion, not the limit.
        s.clock.advance(61);
        let assertion = build(&c);
        let (status, body) = c.present(&assertion).await;
        assert_eq!(status, want_status, "{mode:?} {name}: {body}");
        assert_eq!(body["error"], want_error, "{mode:?} {name}: {body}");
        assert!(body.get("access_token").is_none());
        let said = body["error_description"].as_str().unwrap();
        match told(name, mode) {
            None => assert_eq!(said, INVALID_CLIENT, "{mode:?} {name}"),
            Some(words) => assert!(said.contains(words), "{mode:?} {name}: {said}"),
        }
    }
    // Still usable afterwards: nothing above locked the client out or spoilt its key.
    s.clock.advance(61);
    let (status, body) = c.present(&c.sign(&c.claims())).await;
    assert_eq!(status, StatusCode::OK, "{mode:?}: {body}");
}

async fn private_key_jwt_refuses_every_bad_assertion(b: Backend) {
    run_attacks(b, Use::ClientAuthentication).await;
}

async fn jwt_bearer_grant_refuses_every_bad_assertion(b: Backend) {
    run_attacks(b, Use::Grant).await;
}

async fn a_used_jti_is_refused_in_both_uses(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    for mode in [Use::ClientAuthentication, Use::Grant] {
        let c = Ctx::new(&s, mode).await;
        let (want_status, want_error) = c.refused();
        let assertion = c.sign(&c.claims());
        let (status, body) = c.present(&assertion).await;
        assert_eq!(status, StatusCode::OK, "{mode:?}: {body}");
        // RFC 7523 §3 point 7: the same assertion again. Told as it is in both uses: only
        // the key's holder can present a validly signed assertion.
        let (status, body) = c.present(&assertion).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (want_status, Some(want_error)),
            "{mode:?} replay: {body}"
        );
        assert_eq!(
            body["error_description"],
            portico::oauth::assertion::JTI_REUSED,
            "{mode:?}"
        );
        // A new assertion reusing the jti (re-signed, other claims) is a replay too.
        let jti = crate::flows::jwt_claims(&assertion)["jti"].clone();
        s.clock.advance(10);
        let again = c.sign(&c.with(|v| v["jti"] = jti.clone()));
        let (status, body) = c.present(&again).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (want_status, Some(want_error)),
            "{mode:?} same jti: {body}"
        );
        // A fresh jti works.
        let (status, body) = c.present(&c.sign(&c.claims())).await;
        assert_eq!(status, StatusCode::OK, "{mode:?}: {body}");
    }
}

async fn a_used_jti_stays_used_after_a_restart(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let (id, assertion) = {
        let c = Ctx::new(&s, Use::ClientAuthentication).await;
        let assertion = c.sign(&c.claims());
        let (status, body) = c.present(&assertion).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (c.id.clone(), assertion)
    };
    // The used jti is in the database, so every copy of the server, and a restarted one,
    // refuses it (RFC 7523 §3 point 7).
    let s = s.restart().await;
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &id),
            ("client_assertion_type", CLIENT_ASSERTION_TYPE),
            ("client_assertion", &assertion),
        ],
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client")),
        "{body}"
    );
}

//! A scripted browser for the authorization code flow: follows Portico's redirects by
//! hand, keeps its cookies, and drives the interaction API as the console pages do.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::common::TestServer;

pub const PASSWORD: &str = "another good password";

pub struct Browser<'a> {
    /// The server's base URL: an in-process `TestServer` or a real `portico serve`.
    pub base: String,
    _server: std::marker::PhantomData<&'a TestServer>,
    pub http: reqwest::Client,
    cookies: Mutex<HashMap<String, String>>,
}

/// Where an authorization request ended up.
#[derive(Debug)]
pub enum Landing {
    /// The console page to show, with the interaction id.
    Page { page: String, interaction: String },
    /// Back at the client, with the query parameters.
    Client { params: HashMap<String, String> },
    /// Portico's own error page (never a redirect).
    ErrorPage { status: StatusCode, body: String },
}

impl Landing {
    pub fn client_params(&self) -> &HashMap<String, String> {
        match self {
            Landing::Client { params, .. } => params,
            other => panic!("expected a redirect to the client, got {other:?}"),
        }
    }
    pub fn interaction(&self) -> &str {
        match self {
            Landing::Page { interaction, .. } => interaction,
            other => panic!("expected a console page, got {other:?}"),
        }
    }
}

pub fn query_params(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

impl<'a> Browser<'a> {
    pub fn new(server: &'a TestServer) -> Self {
        Self::at(&server.base)
    }

    /// A browser for the server at `base` (e.g. a `portico serve` process).
    pub fn at(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            base: base.to_owned(),
            _server: std::marker::PhantomData,
            http,
            cookies: Mutex::new(HashMap::new()),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn keep_cookies(&self, res: &Response) {
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            self.cookies
                .lock()
                .unwrap()
                .insert(k.to_owned(), val.to_owned());
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    /// GET /oauth2/authorize with these parameters.
    pub async fn authorize(&self, params: &[(&str, &str)]) -> Landing {
        let url = reqwest::Url::parse_with_params(&self.url("/oauth2/authorize"), params).unwrap();
        let res = self
            .http
            .get(url)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&res);
        self.land(res).await
    }

    /// Follows a complete authorization URL (as a client library built it) through sign-in
    /// and consent, and returns the parameters the client receives.
    pub async fn run_url(&self, url: &str, username: &str) -> HashMap<String, String> {
        let params: Vec<(String, String)> = url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
        let borrowed: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.run(&borrowed, username, "allow").await
    }

    async fn land(&self, res: Response) -> Landing {
        let status = res.status();
        if status == StatusCode::SEE_OTHER || status == StatusCode::FOUND {
            let location = res.headers()["location"].to_str().unwrap().to_owned();
            return Self::landing_for(&location);
        }
        Landing::ErrorPage {
            status,
            body: res.text().await.unwrap(),
        }
    }

    fn landing_for(location: &str) -> Landing {
        if let Some(rest) = location.strip_prefix('/') {
            let (page, q) = rest.split_once('?').unwrap();
            let interaction = q.strip_prefix("interaction=").unwrap().to_owned();
            return Landing::Page {
                page: page.to_owned(),
                interaction,
            };
        }
        Landing::Client {
            params: query_params(location),
        }
    }

    /// A request to the interaction API, from Portico's own origin unless told otherwise.
    pub async fn interaction_post(
        &self,
        path: &str,
        body: Value,
        origin: Option<&str>,
    ) -> (StatusCode, Value, Option<String>) {
        let mut r = self
            .http
            .post(self.url(path))
            .header("cookie", self.cookie_header())
            .json(&body);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        let res = r.send().await.unwrap();
        self.keep_cookies(&res);
        let retry = res
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let (status, body) = crate::common::read(res).await;
        (status, body, retry)
    }

    pub async fn show(&self, interaction: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .get(self.url(&format!("/api/v1/interactions/{interaction}")))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        crate::common::read(res).await
    }

    pub async fn login(
        &self,
        interaction: &str,
        username: &str,
        password: &str,
    ) -> (StatusCode, Value, Option<String>) {
        let origin = self.base.clone();
        self.interaction_post(
            &format!("/api/v1/interactions/{interaction}/login"),
            json!({"username": username, "password": password}),
            Some(&origin),
        )
        .await
    }

    pub async fn decide(&self, interaction: &str, decision: &str) -> (StatusCode, Value) {
        let origin = self.base.clone();
        let (s, b, _) = self
            .interaction_post(
                &format!("/api/v1/interactions/{interaction}/consent"),
                json!({"decision": decision}),
                Some(&origin),
            )
            .await;
        (s, b)
    }

    /// DELETE /api/v1/session (the console's sign-out) from `origin`; returns the status and
    /// the Set-Cookie it answered, if any.
    pub async fn sign_out(&self, origin: &str) -> (StatusCode, Option<String>) {
        let res = self
            .http
            .delete(self.url("/api/v1/session"))
            .header("cookie", self.cookie_header())
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        let cookie = res
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned());
        self.keep_cookies(&res);
        (res.status(), cookie)
    }

    /// Sets a cookie by hand, as a browser that kept an old value would send it.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.to_owned());
    }

    /// Runs authorize → sign-in (if asked) → consent (if asked, answering `decision`) and
    /// returns where the browser finally lands at the client.
    pub async fn run(
        &self,
        params: &[(&str, &str)],
        username: &str,
        decision: &str,
    ) -> HashMap<String, String> {
        let mut landing = self.authorize(params).await;
        loop {
            match landing {
                Landing::Client { params, .. } => return params,
                Landing::Page {
                    ref page,
                    ref interaction,
                } if page == "login" => {
                    let (status, body, _) = self.login(interaction, username, PASSWORD).await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                    landing = Self::landing_for(body["redirect_to"].as_str().unwrap());
                }
                Landing::Page {
                    ref page,
                    ref interaction,
                } if page == "consent" => {
                    let (status, body) = self.decide(interaction, decision).await;
                    assert_eq!(status, StatusCode::OK, "{body}");
                    landing = Self::landing_for(body["redirect_to"].as_str().unwrap());
                }
                other => panic!("unexpected landing {other:?}"),
            }
        }
    }
}

/// A PKCE pair (RFC 7636): verifier and its S256 challenge.
pub fn pkce_pair() -> (String, String) {
    let verifier = portico::crypto::random::token::<32>().unwrap();
    let challenge = portico::oauth::pkce::s256_challenge(&verifier);
    (verifier, challenge)
}

/// POSTs a form to the token endpoint (or another form endpoint) and returns status,
/// body and headers.
pub async fn post_form(
    s: &TestServer,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut r = s.http.post(s.url(path)).form(form);
    if let Some((id, secret)) = basic {
        r = r.basic_auth(id, Some(secret));
    }
    let res = r.send().await.unwrap();
    let headers = res.headers().clone();
    let (status, body) = crate::common::read(res).await;
    (status, body, headers)
}

/// Signs a compact JWS with a PKCS#8 PEM private key from the key-pairs endpoint.
pub fn sign_jwt(private_pem: &str, alg: &str, kid: Option<&str>, claims: &Value) -> String {
    let mut header = json!({"alg": alg, "typ": "JWT"});
    if let Some(k) = kid {
        header["kid"] = json!(k);
    }
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    );
    let b64: String = private_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let sig = match alg {
        "ES256" => EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
            .unwrap()
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap()
            .as_ref()
            .to_vec(),
        "EdDSA" => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der)
            .unwrap()
            .sign(input.as_bytes())
            .as_ref()
            .to_vec(),
        "RS256" => {
            let kp = aws_lc_rs::rsa::KeyPair::from_pkcs8(&der).unwrap();
            let mut sig = vec![0; kp.public_modulus_len()];
            kp.sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .unwrap();
            sig
        }
        other => panic!("{other}"),
    };
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

// ---- Helpers shared by the security suite (security_*.rs). ----

/// A fixture file of `server/tests/api/fixtures`.
pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/api/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// A machine-to-machine app: (client_id, client_secret).
pub async fn m2m_app(s: &TestServer, name: &str) -> (String, String) {
    let app = s.create_app("machine_to_machine", name).await;
    (
        app["client_id"].as_str().unwrap().to_owned(),
        app["client_secret"].as_str().unwrap().to_owned(),
    )
}

/// Registers a public key (`{"pem": …}` or `{"jwk": …}`) and returns its kid.
pub async fn add_public_key(s: &TestServer, client_id: &str, body: Value) -> String {
    let (status, key) = s
        .post(&format!("/api/v1/apps/{client_id}/public-keys"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    key["kid"].as_str().unwrap().to_owned()
}

/// RFC 7523 §3 claims for an assertion by `iss` about `sub`, audience the token endpoint.
pub fn assertion_claims(s: &TestServer, iss: &str, sub: &str, jti: &str) -> Value {
    let now = portico::clock::Clock::now(s.clock.as_ref());
    json!({"iss": iss, "sub": sub, "aud": s.url("/oauth2/token"), "exp": now + 300, "iat": now, "jti": jti})
}

/// A compact JWS with `header`, `claims` and an HS256 MAC keyed with `key` (the key
/// confusion attack of RFC 8725 §2.1 when `key` is a public key).
pub fn sign_hs256(header: &Value, claims: &Value, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
}

/// An unsecured JWS (`alg` as given, usually some spelling of "none") with an empty signature.
pub fn unsigned_jwt(alg: &str, kid: Option<&str>, claims: &Value) -> String {
    let mut header = json!({"alg": alg, "typ": "JWT"});
    if let Some(k) = kid {
        header["kid"] = json!(k);
    }
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap())
    )
}

/// The payload of a compact JWS, unverified: for reading what a token says.
pub fn jwt_claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Status of `GET /api/v1/me` with `token` as the bearer token.
pub async fn me_status(s: &TestServer, token: &str) -> StatusCode {
    s.http
        .get(s.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// `active` of an RFC 7662 introspection of `token` by a confidential client.
pub async fn introspect_active(s: &TestServer, token: &str, client: (&str, &str)) -> bool {
    let (status, body, _) =
        post_form(s, "/oauth2/introspect", &[("token", token)], Some(client)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["active"].as_bool().unwrap()
}

/// A client that opens a new connection for every request: the server may answer an
/// oversized or malformed request early and close the connection.
pub fn fresh_connection_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Lets the machine-to-machine app `client_id` act as `users` in the JWT-bearer grant.
pub async fn allow_jwt_bearer(s: &TestServer, client_id: &str, users: &[&str]) {
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{client_id}"),
            json!({ "jwt_bearer_users": users }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Signs `username` in through Portico's own console client (PKCE, no consent) in `browser`
/// and returns the token response, as the console gets it.
pub async fn console_tokens(browser: &Browser<'_>, username: &str, scope: &str) -> Value {
    let (verifier, challenge) = pkce_pair();
    let callback = browser.url("/auth/callback");
    let params = [
        ("response_type", "code"),
        ("client_id", "portico-console"),
        ("redirect_uri", callback.as_str()),
        ("scope", scope),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("state", "c"),
    ];
    let got = browser.run(&params, username, "allow").await;
    let code = got.get("code").unwrap_or_else(|| panic!("{got:?}")).clone();
    let res = browser
        .http
        .post(browser.url("/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &callback),
            ("client_id", "portico-console"),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    let (status, tokens) = crate::common::read(res).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

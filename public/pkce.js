// pkce.js: the authorization code flow with PKCE for a browser app, in plain JavaScript.
// No dependencies: fetch and Web Crypto only. Portico serves this file at /pkce.js; the
// console's PKCE demo shows each step's function from it, and the browser tests
// (tests/e2e/pkce_js.test.mjs) run every function against a real Portico, so what you copy
// is what was tested. Copy it into your app, or import it as an ES module:
//
//   import * as pkce from '/pkce.js';
//
// The steps are numbered as on the console's /pkce-demo page.

const enc = new TextEncoder();

/** Base64url without padding (RFC 4648 §5), as PKCE and JWTs write bytes. */
function base64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `n` random bytes from the browser's CSPRNG, base64url. */
function randomString(n) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * The server's endpoints (RFC 8414 §3), checked to name the issuer asked for (§3.3).
 * @param {string} issuer e.g. `https://id.example.com`
 * @returns {Promise<{issuer: string, authorization_endpoint: string, token_endpoint: string, revocation_endpoint: string}>}
 */
export async function discover(issuer) {
  const res = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
  if (!res.ok) throw new Error(`Discovery failed: HTTP ${res.status}`);
  const meta = await res.json();
  if (meta.issuer !== issuer) throw new Error(`Discovery names another issuer: ${meta.issuer}`);
  return meta;
}

/**
 * Step 1 — RFC 7636 §4.1: a code verifier, 32 random bytes base64url (43 characters).
 * Keep it in this tab (sessionStorage) until the token request; never send it elsewhere.
 * @returns {string}
 */
export function createVerifier() {
  return randomString(32);
}

/**
 * Step 2 — RFC 7636 §4.2: `code_challenge = BASE64URL(SHA-256(code_verifier))` (S256).
 * @param {string} verifier
 * @returns {Promise<string>}
 */
export async function challengeS256(verifier) {
  return base64url(await crypto.subtle.digest('SHA-256', enc.encode(verifier)));
}

/**
 * Step 3 — RFC 6749 §10.12 and OpenID Connect Core §3.1.2.1: an unguessable `state`
 * (binds the answer to this browser) and `nonce` (binds the ID token to this request).
 * @returns {{state: string, nonce: string}}
 */
export function createStateAndNonce() {
  return { state: randomString(16), nonce: randomString(16) };
}

/**
 * Step 4 — RFC 6749 §4.1.1 with RFC 7636 §4.3: the URL to send the browser to.
 * @param {string} authorizationEndpoint from `discover`
 * @param {{client_id: string, redirect_uri: string, scope: string, state: string, nonce: string, code_challenge: string}} p
 * @returns {string}
 */
export function authorizationUrl(authorizationEndpoint, p) {
  const url = new URL(authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: p.client_id,
    redirect_uri: p.redirect_uri,
    scope: p.scope,
    state: p.state,
    nonce: p.nonce,
    code_challenge: p.code_challenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.href;
}

/**
 * Step 5 — RFC 6749 §4.1.2 and RFC 9207 §2.4: checks the redirect back and returns the
 * code. `iss` must be the issuer (else a mix-up attack) and `state` the one this tab sent
 * (else a forged response), checked before an `error` is believed.
 * @param {string} callbackUrl `location.href` on the redirect URL
 * @param {{state: string, issuer: string}} expected
 * @returns {string} the authorization code
 */
export function validateCallback(callbackUrl, expected) {
  const q = new URL(callbackUrl).searchParams;
  if (q.get('iss') !== expected.issuer) {
    throw new Error(`The response came from an unexpected issuer (${q.get('iss') ?? 'none'}).`);
  }
  if (q.get('state') !== expected.state) {
    throw new Error("The response's state does not match this browser's request.");
  }
  if (q.has('error')) {
    const d = q.get('error_description');
    throw new Error(d ? `${q.get('error')}: ${d}` : q.get('error'));
  }
  const code = q.get('code');
  if (!code) throw new Error('The response carries no authorization code.');
  return code;
}

/**
 * Step 5, after reading the code: takes `code`, `state` and `iss` out of the address bar,
 * so the single-use code is not kept in history, bookmarks or a shared screen.
 */
export function removeCallbackParams() {
  history.replaceState(history.state, '', location.pathname);
}

/**
 * POSTs a form to the token or revocation endpoint: the answer's status and JSON.
 * @returns {Promise<{status: number, body: any}>}
 */
async function postForm(endpoint, fields) {
  const res = await fetch(endpoint, { method: 'POST', body: new URLSearchParams(fields) });
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  return { status: res.status, body };
}

/**
 * Step 7 — RFC 6749 §5.1 and §5.2: reads the token endpoint's answer; throws its OAuth error.
 * @returns {{access_token: string, token_type: string, expires_in: number, scope?: string, refresh_token?: string, id_token?: string}}
 */
function tokenResponse({ status, body }) {
  if (status !== 200 || !body) {
    throw new Error(body?.error ? `${body.error}: ${body.error_description ?? ''}` : `HTTP ${status}`);
  }
  if (String(body.token_type).toLowerCase() !== 'bearer') throw new Error('Unexpected token_type.');
  return body;
}

/**
 * Steps 6 and 7 — RFC 6749 §4.1.3 with RFC 7636 §4.5: the code and the verifier for tokens.
 * A single-page app is a public client: it sends its `client_id`, never a secret.
 * @param {string} tokenEndpoint
 * @param {{code: string, redirect_uri: string, client_id: string, code_verifier: string}} p
 */
export async function exchangeCode(tokenEndpoint, p) {
  return tokenResponse(await postForm(tokenEndpoint, {
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: p.redirect_uri,
    client_id: p.client_id,
    code_verifier: p.code_verifier,
  }));
}

/**
 * Step 7 — OpenID Connect Core §3.1.3.7: the ID token's claims, with `iss`, `aud`, `nonce`
 * and `exp` checked. It came straight from the token endpoint over TLS, which §3.1.3.7
 * accepts in place of checking the signature.
 * @param {string} idToken
 * @param {{issuer: string, client_id: string, nonce: string}} expected
 */
export function idTokenClaims(idToken, expected) {
  const part = idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
  const aud = [].concat(claims.aud);
  if (claims.iss !== expected.issuer || !aud.includes(expected.client_id)) throw new Error('The ID token is not for this app.');
  if (claims.nonce !== expected.nonce) throw new Error("The ID token's nonce does not match this request.");
  if (claims.exp * 1000 < Date.now()) throw new Error('The ID token has expired.');
  return claims;
}

/**
 * Step 8 — RFC 6750 §2.1: calls a protected resource with the access token; its JSON.
 * @param {string} url e.g. `${issuer}/api/v1/me`
 * @param {string} accessToken
 */
export async function callApi(url, accessToken) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}` } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/**
 * Step 9 — RFC 6749 §6 with rotation (RFC 9700 §4.14.2): new tokens for the refresh token.
 * The answer's refresh token replaces the old one, which is now spent: presenting it again
 * ends the whole grant. Keep what this returns, and only that.
 * @param {string} tokenEndpoint
 * @param {{refresh_token: string, client_id: string}} p
 */
export async function refresh(tokenEndpoint, p) {
  const tokens = tokenResponse(await postForm(tokenEndpoint, {
    grant_type: 'refresh_token',
    refresh_token: p.refresh_token,
    client_id: p.client_id,
  }));
  // No rotation (a web app may turn it off): the old refresh token stays valid.
  return { ...tokens, refresh_token: tokens.refresh_token ?? p.refresh_token };
}

/**
 * Step 10 — RFC 7009 §2: revokes a token. Revoking the refresh token ends the grant, and
 * the access tokens issued from it stop working too.
 * @param {string} revocationEndpoint
 * @param {{token: string, token_type_hint: 'refresh_token' | 'access_token', client_id: string}} p
 */
export async function revoke(revocationEndpoint, p) {
  const { status, body } = await postForm(revocationEndpoint, p);
  if (status !== 200) throw new Error(body?.error ?? `HTTP ${status}`);
}

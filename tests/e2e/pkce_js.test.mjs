// public/pkce.js, the JavaScript reference client the PKCE demo shows, run for real: loaded
// in the browser from Portico (/pkce.js) by a stand-in single-page app, every function
// called against this server — discovery, verifier and S256 challenge, the authorization
// URL with state and nonce, sign-in and consent, the callback checks, the code exchange,
// the ID token's claims, /api/v1/me, refresh with rotation (the old refresh token refused
// afterwards), and revocation (the tokens refused afterwards).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, signIn, user, userPassword,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
let browser;
let adminToken;
let app;
// The stand-in app: a page of Portico's origin that the tests serve themselves, so that the
// module is imported exactly as an app of that origin would (and under no console code).
const appPage = `${base}/js-app/`;
const redirectUri = `${base}/js-app/callback`;
const scope = 'openid profile offline_access';

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
  app = await admin(adminToken, 'POST', '/api/v1/apps', {
    type: 'single_page', name: 'JS Reference App', redirect_uris: [redirectUri],
  });
});

after(async () => {
  if (app) await admin(adminToken, 'DELETE', `/api/v1/apps/${app.client_id}`);
  await closeBrowser(browser);
});

test('Portico serves /pkce.js as JavaScript, revalidated, from its own origin', async () => {
  const res = await fetch(`${base}/pkce.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/javascript\b/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const text = await res.text();
  for (const name of ['discover', 'createVerifier', 'challengeS256', 'authorizationUrl', 'validateCallback',
    'exchangeCode', 'refresh', 'revoke', 'callApi']) {
    assert.match(text, new RegExp(`export (async )?function ${name}\\(`), name);
  }
  // No dependencies: nothing is imported.
  assert.doesNotMatch(text, /^\s*import\s/m);
});

/** A fresh browser profile on the stand-in app's page. */
async function appTab() {
  const tab = await newPage(browser);
  await tab.context.route((url) => url.href.startsWith(`${base}/js-app/`), (route) => route.fulfill({
    contentType: 'text/html; charset=utf-8',
    body: '<!doctype html><html lang="en"><title>JS app</title><h1>A single-page app</h1></html>',
  }));
  await tab.page.goto(appPage);
  return tab;
}

/** Steps 1–4 in the app's page, then off to Portico: what the app keeps for the return. */
async function authorize(page) {
  const url = await page.evaluate(async ({ issuer, clientId, redirectUri: redirect, scope: s }) => {
    const pkce = await import('/pkce.js');
    const meta = await pkce.discover(issuer);
    const verifier = pkce.createVerifier();
    const { state, nonce } = pkce.createStateAndNonce();
    sessionStorage.setItem('flow', JSON.stringify({ verifier, state, nonce }));
    return pkce.authorizationUrl(meta.authorization_endpoint, {
      client_id: clientId, redirect_uri: redirect, scope: s, state, nonce,
      code_challenge: await pkce.challengeS256(verifier),
    });
  }, { issuer: base, clientId: app.client_id, redirectUri, scope });
  const sent = new URL(url);
  assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
  assert.match(sent.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(sent.searchParams.get('nonce'), /^[A-Za-z0-9_-]{22}$/);
  await page.goto(url);
}

/** Step 5 on the callback, then steps 6–7: the tokens, the ID token's claims, and the URL after. */
async function returnTrip(page) {
  await page.waitForURL(/\/js-app\/callback\?/);
  return page.evaluate(async ({ issuer, clientId, redirectUri: redirect }) => {
    const pkce = await import('/pkce.js');
    const flow = JSON.parse(sessionStorage.getItem('flow'));
    const meta = await pkce.discover(issuer);
    const code = pkce.validateCallback(location.href, { state: flow.state, issuer });
    pkce.removeCallbackParams();
    const tokens = await pkce.exchangeCode(meta.token_endpoint, {
      code, redirect_uri: redirect, client_id: clientId, code_verifier: flow.verifier,
    });
    const claims = pkce.idTokenClaims(tokens.id_token, { issuer, client_id: clientId, nonce: flow.nonce });
    let wrongNonce;
    try { pkce.idTokenClaims(tokens.id_token, { issuer, client_id: clientId, nonce: 'other' }); } catch (e) { wrongNonce = e.message; }
    return { tokens, claims, wrongNonce, url: location.href, meta };
  }, { issuer: base, clientId: app.client_id, redirectUri });
}

test('pkce.js runs the whole flow against Portico: sign-in, exchange, /me, refresh with rotation', async () => {
  const { page, errors, context } = await appTab();
  // RFC 7636 Appendix B: the S256 challenge of the RFC's verifier.
  const vector = await page.evaluate(async () => (await import('/pkce.js'))
    .challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'));
  assert.equal(vector, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');

  await authorize(page);
  await page.waitForURL(/\/login\?interaction=/);
  await page.getByText('JS Reference App').first().waitFor();
  await signIn(page, user, userPassword);
  await page.waitForURL(/\/consent\?interaction=/);
  await shot(page, 'consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  const { tokens, claims, wrongNonce, url, meta } = await returnTrip(page);
  // The code and state are out of the address bar.
  assert.equal(url, redirectUri);
  assert.equal(claims.iss, base);
  assert.equal(claims.aud, app.client_id);
  assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
  assert.match(wrongNonce, /nonce/);

  const result = await page.evaluate(async ({ meta: m, tokens: t, clientId }) => {
    const pkce = await import('/pkce.js');
    const me = await pkce.callApi(`${m.issuer}/api/v1/me`, t.access_token);
    // Step 9: rotation gives a new refresh token, and new tokens work.
    const fresh = await pkce.refresh(m.token_endpoint, { refresh_token: t.refresh_token, client_id: clientId });
    const meAgain = await pkce.callApi(`${m.issuer}/api/v1/me`, fresh.access_token);
    // The old refresh token is spent: presenting it again is refused (RFC 9700 §4.14.2) ...
    const old = await pkce.refresh(m.token_endpoint, { refresh_token: t.refresh_token, client_id: clientId })
      .then(() => 'accepted', (e) => e.message);
    // ... and, being a replay, ends the grant: the new one is refused too.
    const after = await pkce.refresh(m.token_endpoint, { refresh_token: fresh.refresh_token, client_id: clientId })
      .then(() => 'accepted', (e) => e.message);
    return { me, meAgain, fresh, old, after };
  }, { meta, tokens, clientId: app.client_id });
  assert.equal(result.me.username, user);
  assert.equal(result.meAgain.username, user);
  assert.notEqual(result.fresh.refresh_token, tokens.refresh_token);
  assert.notEqual(result.fresh.access_token, tokens.access_token);
  assert.match(result.old, /^invalid_grant/);
  assert.match(result.after, /^invalid_grant/);
  assert.deepEqual(errors.filter((e) => !/status of 40[01]/.test(e)), []);
  await context.close();
});

test('pkce.js revokes: the refresh token and its access token then stop working', async () => {
  const { page, errors, context } = await appTab();
  await authorize(page);
  await page.waitForURL(/\/login\?interaction=/);
  await signIn(page, user, userPassword);
  // Consent was given in the test above: Portico sends the code straight back.
  const { tokens, meta } = await returnTrip(page);
  const result = await page.evaluate(async ({ meta: m, tokens: t, clientId }) => {
    const pkce = await import('/pkce.js');
    const before = await pkce.callApi(`${m.issuer}/api/v1/me`, t.access_token);
    await pkce.revoke(m.revocation_endpoint, {
      token: t.refresh_token, token_type_hint: 'refresh_token', client_id: clientId,
    });
    const me = await pkce.callApi(`${m.issuer}/api/v1/me`, t.access_token).then(() => 'accepted', (e) => e.message);
    const refreshed = await pkce.refresh(m.token_endpoint, { refresh_token: t.refresh_token, client_id: clientId })
      .then(() => 'accepted', (e) => e.message);
    return { before, me, refreshed };
  }, { meta, tokens, clientId: app.client_id });
  assert.equal(result.before.username, user);
  assert.match(result.me, /HTTP 401/);
  assert.match(result.refreshed, /^invalid_grant/);
  assert.deepEqual(errors.filter((e) => !/status of 40[01]/.test(e)), []);
  await context.close();
});

test('pkce.js refuses a forged or mixed-up callback, and reports an authorization error', async () => {
  const { page, errors, context } = await appTab();
  const refused = await page.evaluate(async (issuer) => {
    const pkce = await import('/pkce.js');
    const expected = { state: 's1', issuer };
    const iss = encodeURIComponent(issuer);
    const attempt = (query) => {
      try { return pkce.validateCallback(`${issuer}/js-app/callback?${query}`, expected); } catch (e) { return `refused: ${e.message}`; }
    };
    return {
      ok: attempt(`code=c1&state=s1&iss=${iss}`),
      forged: attempt(`code=c1&state=s2&iss=${iss}`),
      mixUp: attempt('code=c1&state=s1&iss=https%3A%2F%2Fevil.example'),
      noIss: attempt('code=c1&state=s1'),
      denied: attempt(`error=access_denied&error_description=The+user+said+no&state=s1&iss=${iss}`),
      noCode: attempt(`state=s1&iss=${iss}`),
    };
  }, base);
  assert.equal(refused.ok, 'c1');
  assert.match(refused.forged, /^refused: .*state/);
  assert.match(refused.mixUp, /^refused: .*unexpected issuer \(https:\/\/evil\.example\)/);
  assert.match(refused.noIss, /^refused: .*unexpected issuer \(none\)/);
  assert.equal(refused.denied, 'refused: access_denied: The user said no');
  assert.match(refused.noCode, /^refused: .*no authorization code/);
  assert.deepEqual(errors, []);
  await context.close();
});

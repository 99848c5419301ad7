// The console and the PKCE reference client, driven in headless Chromium against a real
// server: admin sign-in, the step-by-step PKCE demo run by a non-admin user, consent
// remembered, Deny, revoking under Connected apps, and a web app's flow through the same
// pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import {
  admin, adminPassword, base, closeBrowser, closeContext, consoleToken, isCspViolation, launch, newPage, screenshots,
  scrollsSideways, signIn, user, userPassword, viewports,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
let browser;
let adminToken;
let demoApp;
const demoCallback = `${base}/pkce-demo/callback`;

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
});

after(async () => { await closeBrowser(browser); });

test('console HTML carries framing and sniffing protections', async () => {
  for (const path of ['/', '/login?interaction=x', '/consent?interaction=x', '/pkce-demo']) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-security-policy'), /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('the console runs under a Content-Security-Policy without unsafe-inline scripts', async () => {
  const res = await fetch(`${base}/`);
  const csp = res.headers.get('content-security-policy');
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  const scripts = directives.get('script-src');
  assert.ok(scripts.includes("'self'"), csp);
  assert.equal(scripts.includes("'unsafe-inline'"), false, csp);
  assert.equal(scripts.includes("'unsafe-eval'"), false, csp);
  assert.deepEqual(directives.get('style-src'), ["'self'"], csp);
  assert.deepEqual(directives.get('object-src'), ["'none'"], csp);
  // Trunk's inline start-up module is allowed by its hash, and only it.
  const html = await res.text();
  const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.equal(inline.length, 1, html);
  const hash = createHash('sha256').update(inline[0]).digest('base64');
  assert.deepEqual(scripts.filter((s) => s.startsWith("'sha256-")), [`'sha256-${hash}'`], csp);

  // In the browser: the wasm starts, and what the policy refuses is reported to the tests.
  const { page, errors, context } = await newPage(browser);
  await page.goto(`${base}/`);
  await page.getByRole('heading', { name: 'Welcome to the Portico console' }).waitFor();
  assert.deepEqual(errors, []);
  await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.injected = true;';
    document.head.append(s);
    document.body.setAttribute('style', 'outline: 9px solid red');
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.injected), undefined);
  // Chromium's words ("Executing inline script violates the following Content Security
  // Policy directive…"), and the violation events, all caught by the harness.
  assert.ok(errors.length > 0 && errors.every(isCspViolation), errors.join('\n'));
  assert.ok(errors.some((e) => /inline script/i.test(e)), errors.join('\n'));
  assert.ok(errors.some((e) => /inline style/i.test(e)), errors.join('\n'));
  await shot(page, 'csp-home');
  await context.close();
});

test('an admin signs in with PKCE and creates the demo single-page app in the console', async () => {
  const { page, errors, context } = await newPage(browser);
  await page.goto(`${base}/apps`);
  await page.waitForURL(/\/login\?interaction=/);
  await signIn(page, 'admin', adminPassword);
  await page.waitForURL(`${base}/apps`);
  await page.getByText(/\d+ of 10 apps/).waitFor();
  await page.getByRole('link', { name: 'Create app' }).click();
  await page.getByRole('radio', { name: /^Single-page application/ }).check();
  await page.getByRole('textbox', { name: 'Name' }).fill('Demo SPA');
  await page.getByRole('button', { name: 'Create app' }).click();
  await page.waitForURL(/\/apps\/(?!new$)[^/]+$/);
  demoApp = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  await page.getByRole('textbox', { name: 'Redirect URLs' }).fill(demoCallback);
  await page.getByRole('textbox', { name: 'Developer name' }).fill('Ada Dev');
  await page.getByRole('textbox', { name: 'Developer e-mail' }).fill('ada@example.com');
  await shot(page, 'demo-spa-settings');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  await page.getByRole('link', { name: '← All apps' }).click();
  await page.getByRole('link', { name: 'Demo SPA' }).waitFor();
  await shot(page, 'apps');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a non-admin is told plainly that admin pages are not theirs', async () => {
  const { page, errors, context } = await newPage(browser);
  await page.goto(`${base}/apps`);
  await page.waitForURL(/\/login\?interaction=/);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong username or password.').waitFor();
  await shot(page, 'sign-in-refused');
  await signIn(page, user, userPassword);
  await page.getByText('Administrators only').waitFor();
  await shot(page, 'admins-only');
  // The refused password is the one expected error: Chromium logs the 401 it answered.
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  await context.close();
});

/** Runs the demo up to the authorization redirect. */
async function startDemo(page, clientId) {
  await page.goto(`${base}/pkce-demo?client_id=${clientId}`);
  await page.getByRole('button', { name: 'Prepare request' }).click();
  const verifier = await page.locator('code.verifier').textContent();
  assert.match(verifier, /^[A-Za-z0-9_-]{43}$/);
  const challenge = await page.locator('code.challenge').textContent();
  assert.match(challenge, /^[A-Za-z0-9_-]{43}$/);
  await page.getByText('code_challenge_method=S256').waitFor();
  await shot(page, 'pkce-demo-prepared');
  await page.getByRole('button', { name: 'Go to authorization' }).click();
}

test('a user runs the PKCE demo: sign in, allow, exchange, /me, refresh with rotation', async (t) => {
  const { page, errors, context } = await newPage(browser);
  await startDemo(page, demoApp);
  await page.waitForURL(/\/login\?interaction=/);
  await page.getByText('Demo SPA').waitFor();
  await shot(page, 'pkce-demo-sign-in');
  await signIn(page, user, userPassword);
  await page.waitForURL(/\/consent\?interaction=/);
  await page.getByText('Demo SPA wants to access your account').waitFor();
  await page.getByText('Ada Dev').waitFor();
  await page.getByText('See your e-mail address').waitFor();
  await shot(page, 'consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(/\/pkce-demo\/callback/);
  await page.getByText(/state matches; iss is/).waitFor();
  // Once read, the code and state are taken out of the address bar (history.replaceState).
  assert.equal(page.url(), demoCallback);
  await page.getByText('access_token', { exact: false }).first().waitFor();
  const me = await page.locator('pre.me').textContent();
  assert.equal(JSON.parse(me).username, user);
  await shot(page, 'pkce-demo-exchanged');
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
  await page.getByText('The refresh token was rotated').waitFor();
  await shot(page, 'pkce-demo-refreshed');
  assert.deepEqual(errors, []);

  await t.test('running it again skips sign-in and consent', async () => {
    await startDemo(page, demoApp);
    await page.waitForURL(/\/pkce-demo\/callback/);
    await page.getByText(/state matches/).waitFor();
  });

  await t.test('revoking under Connected apps makes the next refresh fail', async () => {
    const account = await context.newPage();
    await account.goto(`${base}/account/apps`);
    // Signed in at Portico already: the console signs in without asking.
    await account.waitForURL(`${base}/account/apps`);
    await account.getByRole('heading', { name: 'Demo SPA' }).waitFor();
    await account.getByRole('button', { name: 'Revoke Demo SPA' }).click();
    await account.getByRole('dialog', { name: "Revoke Demo SPA's access?" })
      .getByRole('button', { name: 'Revoke access' }).click();
    await account.getByText('Demo SPA no longer has access.').waitFor();
    await shot(account, 'connected-apps-revoked');
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText(/invalid_grant/).waitFor();
    await shot(page, 'pkce-demo-refresh-refused');
  });
  await context.close();
});

test('Deny returns access_denied to the app', async () => {
  const other = await admin(adminToken, 'POST', '/api/v1/apps', {
    type: 'single_page', name: 'Second SPA', redirect_uris: [demoCallback],
  });
  const { page, errors, context } = await newPage(browser);
  await startDemo(page, other.client_id);
  await signIn(page, user, userPassword);
  await page.waitForURL(/\/consent\?interaction=/);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL(/\/pkce-demo\/callback/);
  await page.getByText(/access_denied/).first().waitFor();
  assert.equal(page.url(), demoCallback);
  await shot(page, 'pkce-demo-denied');
  assert.deepEqual(errors, []);
  await context.close();
  await admin(adminToken, 'DELETE', `/api/v1/apps/${other.client_id}`);
});

test('a web app with a secret runs through the same sign-in and consent pages', { timeout: 120_000 }, async () => {
  let resolveCode;
  const gotCode = new Promise((r) => { resolveCode = r; });
  const catcher = createServer((req, res) => {
    resolveCode(new URL(req.url, 'http://127.0.0.1').searchParams);
    // No keep-alive: an idle browser connection would keep this server, and the test file's
    // process, alive after the test.
    res.setHeader('connection', 'close');
    res.end('ok');
  });
  await new Promise((r) => catcher.listen(0, '127.0.0.1', r));
  const cb = `http://127.0.0.1:${catcher.address().port}/cb`;
  try {
    const web = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'web', name: 'Web Billing', redirect_uris: [cb] });
    const url = new URL(`${base}/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: web.client_id, redirect_uri: cb, scope: 'openid profile', state: 'w1',
    });
    const { page, errors, context } = await newPage(browser);
    await page.goto(url.href);
    await page.waitForURL(/\/login\?interaction=/);
    await signIn(page, user, userPassword);
    await page.waitForURL(/\/consent\?interaction=/);
    await shot(page, 'web-app-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    const params = await Promise.race([
      gotCode,
      new Promise((_, fail) => { setTimeout(() => fail(new Error('no code reached the web app in 30 s')), 30000); }),
    ]);
    assert.equal(params.get('state'), 'w1');
    assert.equal(params.get('iss'), base);
    // Bounded: a hang anywhere here fails this test by name instead of the whole file.
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      signal: AbortSignal.timeout(15_000),
      headers: { authorization: `Basic ${Buffer.from(`${web.client_id}:${web.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: cb }),
    });
    const tokens = await res.json();
    assert.equal(res.status, 200, JSON.stringify(tokens));
    const me = await (await fetch(`${base}/api/v1/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` }, signal: AbortSignal.timeout(15_000),
    })).json();
    assert.equal(me.username, user);
    assert.deepEqual(errors, []);
    await closeContext(context);
  } finally {
    catcher.closeAllConnections();
    catcher.close();
  }
});

test('an app\'s login_hint pre-fills the username on the sign-in page', async () => {
  const cb = 'https://hinted.example/cb';
  const web = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'web', name: 'Hinted Web', redirect_uris: [cb] });
  try {
    const url = new URL(`${base}/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: web.client_id, redirect_uri: cb, scope: 'openid', state: 'h1', login_hint: user,
    });
    const { page, errors, context } = await newPage(browser);
    await page.goto(url.href);
    await page.waitForURL(/\/login\?interaction=/);
    await page.getByText('Hinted Web').waitFor();
    // OIDC Core §3.1.2.1: the app's hint is already typed in; only the password is asked.
    await page.waitForFunction(
      (expected) => document.querySelector('#username')?.value === expected, user, { timeout: 10000 },
    );
    await shot(page, 'login-hint-prefilled');
    await page.getByLabel('Password').fill(userPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/consent\?interaction=/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await admin(adminToken, 'DELETE', `/api/v1/apps/${web.client_id}`);
  }
});

test('signing in comes back to the page that was asked for: a nav click or a deep link', async () => {
  const { page, errors, context } = await newPage(browser);
  // A stranger on Home clicks Apps: after signing in they are on Apps, not back on Home.
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Apps', exact: true }).click();
  await page.waitForURL(/\/login\?interaction=/);
  await signIn(page, 'admin', adminPassword);
  await page.waitForURL(`${base}/apps`);
  await page.getByRole('heading', { name: 'Applications', exact: true }).waitFor();
  await context.close();

  // A deep link, query included, in a fresh browser.
  const second = await newPage(browser);
  await second.page.goto(`${base}/audit?from=bookmark`);
  await second.page.waitForURL(/\/login\?interaction=/);
  await signIn(second.page, 'admin', adminPassword);
  await second.page.waitForURL(`${base}/audit?from=bookmark`);
  await shot(second.page, 'deep-link-after-sign-in');
  assert.deepEqual([...errors, ...second.errors], []);
  await second.context.close();
});

test("a signed-out user's deep link to an app's page lands there after signing in, at 1280 and 390 px", async () => {
  const app = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'machine_to_machine', name: 'Deep Link Reports' });
  try {
    for (const [name, viewport] of Object.entries(viewports)) {
      const { page, errors, context } = await newPage(browser, { viewport });
      await page.goto(`${base}/apps/${app.client_id}`);
      await page.waitForURL(/\/login\?interaction=/);
      await signIn(page, 'admin', adminPassword);
      await page.waitForURL(`${base}/apps/${app.client_id}`);
      await page.getByRole('heading', { name: 'Deep Link Reports', level: 1 }).waitFor();
      assert.equal(await scrollsSideways(page), false, `${name} scrolls sideways`);
      await shot(page, `deep-link-app-page-after-sign-in-${viewport.width}px`);
      assert.deepEqual(errors, []);
      await closeContext(context);
    }
  } finally {
    await admin(adminToken, 'DELETE', `/api/v1/apps/${app.client_id}`);
  }
});

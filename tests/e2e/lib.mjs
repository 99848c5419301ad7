// Shared set-up for the browser tests: the server under test, an admin token obtained the
// way the console gets one (authorization code + PKCE through the interaction API), and a
// headless Chromium that records page errors.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';

export const base = process.env.PORTICO_E2E_BASE;
export const adminPassword = process.env.PORTICO_E2E_ADMIN_PASSWORD;
export const user = process.env.PORTICO_E2E_USER;
export const userPassword = process.env.PORTICO_E2E_USER_PASSWORD;
/** Another end user (no password needed: only named, never signed in). */
export const user2 = process.env.PORTICO_E2E_USER2;
if (!base || !adminPassword || !user || !userPassword || !user2) {
  throw new Error('run through scripts/e2e.sh, which starts the server and sets PORTICO_E2E_*');
}

const b64url = (buf) => buf.toString('base64url');

/** A cookie jar of one: enough for portico_browser and portico_session. */
class Jar {
  constructor() { this.cookies = new Map(); }
  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
  }
  header() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
}

/** Signs `username` in with the console's own client and returns its access token. */
export async function consoleToken(username, password) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const redirectUri = `${base}/auth/callback`;
  const jar = new Jar();
  const auth = new URL(`${base}/oauth2/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: 'portico-console', redirect_uri: redirectUri,
    scope: 'openid profile admin', state: 's', code_challenge: challenge, code_challenge_method: 'S256',
  })) auth.searchParams.set(k, v);
  let res = await fetch(auth, { redirect: 'manual' });
  jar.keep(res);
  const interaction = new URL(res.headers.get('location'), base).searchParams.get('interaction');
  res = await fetch(`${base}/api/v1/interactions/${interaction}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base, cookie: jar.header() },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`admin sign-in failed: ${res.status} ${await res.text()}`);
  const code = new URL((await res.json()).redirect_to).searchParams.get('code');
  res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri,
      client_id: 'portico-console', code_verifier: verifier,
    }),
  });
  const tokens = await res.json();
  if (!res.ok) throw new Error(`token exchange failed: ${JSON.stringify(tokens)}`);
  return tokens.access_token;
}

/** Calls the admin API. */
export async function admin(token, method, path, body) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Closes a browser, bounded: a Chromium that does not answer the close within 15 s is left
 * to the runner's --test-force-exit (Playwright kills the browsers it launched when the
 * process exits), so one stuck browser cannot hold the whole suite until its timeout.
 */
export async function closeBrowser(browser) {
  if (!browser) return;
  let timer;
  const stuck = new Promise((resolve) => { timer = setTimeout(resolve, 15_000); });
  await Promise.race([browser.close().catch(() => {}), stuck]);
  clearTimeout(timer);
}

/**
 * Closes a browser context, bounded like closeBrowser: a context close that Chromium never
 * answers (seen once in ten runs, after a page had navigated to a test's own HTTP server) must
 * not hold the test file until the runner's timeout.
 */
export async function closeContext(context) {
  let timer;
  const stuck = new Promise((resolve) => { timer = setTimeout(resolve, 10_000); });
  await Promise.race([context.close().catch(() => {}), stuck]);
  clearTimeout(timer);
}

/** Whether a browser message tells of a Content-Security-Policy violation. */
export const isCspViolation = (text) => /Content Security Policy|Refused to/.test(text);

/**
 * A fresh browser profile (own cookies) whose page errors are collected: uncaught
 * exceptions, console errors, and any message about the Content-Security-Policy whatever
 * its level (Chromium logs a blocked script or style as a console error, "Executing inline
 * script violates the following Content Security Policy directive…", older versions
 * "Refused to execute…"; every `securitypolicyviolation` event is logged too, in case one
 * is not).
 * Tests end with `assert.deepEqual(errors, [])`, so a console that needs more than its CSP
 * allows fails them. Confirmations (`confirm`, `beforeunload`) are accepted unless
 * `dialogs.answer` is set to false; each one's message is kept in `dialogs.seen`.
 * `options` go to the browser context (e.g. `{ viewport: phone }`).
 */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  // Injected by the DevTools protocol, so the page's CSP does not apply to it.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  const page = await context.newPage();
  const errors = [];
  const dialogs = { answer: true, seen: [] };
  const answer = (d) => {
    dialogs.seen.push(d.message());
    return dialogs.answer || d.type() === 'beforeunload' ? d.accept() : d.dismiss();
  };
  // Pages opened later in this profile are watched, and answer confirmations, the same way.
  const watch = (p) => {
    p.on('pageerror', (e) => errors.push(String(e)));
    p.on('console', (m) => {
      if (m.type() === 'error' || isCspViolation(m.text())) errors.push(m.text());
    });
    p.on('dialog', answer);
  };
  watch(page);
  context.on('page', watch);
  return { context, page, errors, dialogs };
}

/** The two widths every page is tested at: a desktop, and a phone (390 CSS px). */
export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
};

/** Whether the page scrolls sideways (its content is wider than the viewport). */
export async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

/** Where screenshots go: artifacts/<test file>/NN-<step>.png (scripts/e2e.sh prints it). */
export const artifacts = process.env.PORTICO_E2E_ARTIFACTS
  || join(new URL('.', import.meta.url).pathname, 'artifacts');

/** A screenshot saver for one test file: `await shot(page, 'apps-list')`. */
export function screenshots(testFile) {
  const dir = join(artifacts, basename(testFile).replace(/\.test\.mjs$/, ''));
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (page, step) => {
    n += 1;
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
}

/** On a sign-in page: fill the labelled fields and press "Sign in". */
export async function signIn(page, username, password) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

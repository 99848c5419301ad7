// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) in headless Chromium against
// a real server: an admin registers an app's post-logout URLs in the app form; a
// signed-in user is sent to the end-session endpoint without an id_token_hint, confirms on
// Portico's "Sign out of Portico?" page, lands on the app's registered URL with its state (or
// on Portico's "signed out" page when the app names none), and the console then asks for the
// password again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, signIn, user, userPassword,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
let browser;
let adminToken;
let app;
let shop;
let bye;

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
  // The app's own site: where the browser returns after signing out.
  shop = createServer((req, res) => {
    // No keep-alive: an idle browser connection would keep this server, and the test file's
    // process, alive after the test.
    res.setHeader('connection', 'close');
    res.setHeader('content-type', 'text/html; charset=utf-8');
    const state = new URL(req.url, 'http://127.0.0.1').searchParams.get('state') ?? '';
    res.end(`<!doctype html><title>Shop</title><h1>Back at the shop</h1><p id="state">${state.replace(/[^a-z0-9 -]/gi, '')}</p>`);
  });
  await new Promise((r) => shop.listen(0, '127.0.0.1', r));
  bye = `http://127.0.0.1:${shop.address().port}/bye`;
  app = await admin(adminToken, 'POST', '/api/v1/apps', {
    type: 'web', name: 'Sign-out Shop', redirect_uris: [`http://127.0.0.1:${shop.address().port}/cb`],
  });
});

after(async () => {
  if (app) await admin(adminToken, 'DELETE', `/api/v1/apps/${app.client_id}`);
  shop?.close();
  await closeBrowser(browser);
});

test("the app form's post-logout URLs are checked, saved, and kept after a reload", async () => {
  const { page, errors, context } = await newPage(browser);
  await page.goto(`${base}/apps/${app.client_id}`);
  await page.waitForURL(/\/login\?interaction=/);
  await signIn(page, 'admin', adminPassword);
  await page.waitForURL(`${base}/apps/${app.client_id}`);
  const field = page.getByRole('textbox', { name: 'Post-logout URLs' });
  await field.waitFor();
  assert.equal(await field.inputValue(), '');
  // The redirect URLs' rules, with the same message as the server.
  await field.fill('http://shop.example/bye');
  await field.blur();
  await page.getByText('Redirect URL must use https', { exact: false }).waitFor();
  await shot(page, 'post-logout-url-refused');
  await field.fill(`${bye}\nhttps://shop.example/signed-out`);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  await page.reload();
  await field.waitFor();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  assert.equal(await field.inputValue(), `${bye}\nhttps://shop.example/signed-out`);
  await shot(page, 'post-logout-urls-saved');
  const stored = await admin(adminToken, 'GET', `/api/v1/apps/${app.client_id}`);
  assert.deepEqual(stored.post_logout_redirect_uris, [bye, 'https://shop.example/signed-out']);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Signs `user` in to Portico through the console (a Portico session in this profile). */
async function signedIn(page) {
  await page.goto(`${base}/account/apps`);
  await page.waitForURL(/\/login\?interaction=/);
  await signIn(page, user, userPassword);
  await page.waitForURL(`${base}/account/apps`);
  await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
}

/** The console, visited again, asks for the password. */
async function asksToSignIn(page) {
  await page.goto(`${base}/account/apps`);
  await page.waitForURL(/\/login\?interaction=/);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

test('an app signs the user out: Portico asks, Sign out ends the session, the browser returns to the app', async () => {
  const stored = await admin(adminToken, 'GET', `/api/v1/apps/${app.client_id}`);
  assert.ok(stored.post_logout_redirect_uris.includes(bye), 'registered by the test above');
  const { page, errors, context } = await newPage(browser);
  await signedIn(page);

  const url = new URL(`${base}/oauth2/end_session`);
  url.search = new URLSearchParams({ client_id: app.client_id, post_logout_redirect_uri: bye, state: 'af0ifjsldkj' });
  await page.goto(url.href);
  await page.waitForURL(/\/logout\?/);
  const main = page.getByRole('main');
  await main.getByRole('heading', { name: 'Sign out of Portico?' }).waitFor();
  await main.getByText('Sign-out Shop asks to sign you out.').waitFor();
  await main.getByText(`signed in to Portico as ${user}`, { exact: false }).waitFor();
  await shot(page, 'confirm-sign-out');
  // Only the click ends the session: the page alone changed nothing.
  await page.goto(`${base}/account/apps`);
  await page.getByRole('heading', { name: 'Connected apps' }).waitFor();
  await page.goto(url.href);
  await page.waitForURL(/\/logout\?/);
  await main.getByRole('heading', { name: 'Sign out of Portico?' }).waitFor();

  await main.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${bye}?state=af0ifjsldkj`);
  await page.getByRole('heading', { name: 'Back at the shop' }).waitFor();
  assert.equal(await page.locator('#state').textContent(), 'af0ifjsldkj');
  await shot(page, 'back-at-the-app');

  await asksToSignIn(page);
  await shot(page, 'console-asks-again');
  assert.deepEqual(errors, []);
  await context.close();
});

test('without a URL to return to, the user lands on Portico\'s "signed out" page', async () => {
  const { page, errors, context } = await newPage(browser);
  await signedIn(page);
  await page.goto(`${base}/oauth2/end_session`);
  await page.waitForURL(`${base}/logout`);
  const main = page.getByRole('main');
  await main.getByRole('heading', { name: 'Sign out of Portico?' }).waitFor();
  await main.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/signed-out`);
  await main.getByRole('heading', { name: 'You have signed out' }).waitFor();
  await shot(page, 'signed-out-page');
  await asksToSignIn(page);
  assert.deepEqual(errors, []);
  await context.close();
});

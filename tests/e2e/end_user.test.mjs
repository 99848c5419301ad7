// What an end user sees, on a desktop and on a 390 px phone: sign-in and consent pages that
// show only Portico's mark, the app (with its logo) and the question; scopes in the order
// that matters to them; "Not you? Use another account"; Connected apps revoking through the
// console's own dialog with scope names and dates that never break; and Portico's error
// pages for a bad authorization link, in the console's look with a way back.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, signIn, user,
  userPassword, user2,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
// scripts/e2e.sh creates the second user with this password.
const user2Password = 'bob-e2e-password';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
const CALLBACK = 'https://focus.example/cb';
let browser;
let adminToken;

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
});

after(async () => { await closeBrowser(browser); });

/** A web app with a logo; deleted by the caller. */
async function appWithLogo(name) {
  const app = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'web', name, redirect_uris: [CALLBACK] });
  const res = await fetch(`${base}/api/v1/apps/${app.client_id}/logo`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'image/png' },
    body: PNG,
  });
  assert.equal(res.status < 300, true, `logo upload: ${res.status}`);
  return app;
}

function authorizeUrl(app, scope) {
  const url = new URL(`${base}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope, state: 'e1',
  });
  return url.href;
}

/** A page at `viewport` whose requests to the app's callback are answered locally. */
async function pageAt(viewport) {
  const opened = await newPage(browser);
  await opened.page.setViewportSize({ width: viewport.width, height: viewport.height });
  await opened.context.route(`${CALLBACK}**`, (route) => route.fulfill({ status: 200, body: 'app' }));
  return opened;
}

/** Asserts the page shows no site navigation: nothing to click away from the flow. */
async function assertNoNavigation(page) {
  assert.equal(await page.getByRole('navigation', { name: 'Primary' }).count(), 0);
  for (const name of ['Home', 'Apps', 'Audit', 'Connected apps', 'PKCE demo']) {
    assert.equal(await page.getByRole('link', { name, exact: true }).count(), 0, name);
  }
}

/** Whether each matching element is laid out on one line (an inline box broken over lines
 * has several client rects). */
async function eachOnOneLine(locator) {
  return locator.evaluateAll((els) => els.map((e) => e.getClientRects().length === 1));
}

/** The page does not scroll sideways. */
async function assertNoSidewaysScroll(page, what) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${what}: ${scroll} px wide in a ${inner} px window`);
}

for (const viewport of VIEWPORTS) {
  test(`sign-in and consent show only the app and the question; "Not you?" switches account (${viewport.name})`, async () => {
    const app = await appWithLogo(`Focus ${viewport.name}`);
    try {
      const { page, errors, context } = await pageAt(viewport);
      await page.goto(authorizeUrl(app, 'offline_access email openid profile'));
      await page.waitForURL(/\/login\?interaction=/);
      const interaction = new URL(page.url()).searchParams.get('interaction');
      await page.getByText(`Focus ${viewport.name}`).waitFor();
      // The logo the app's settings promise on the sign-in page.
      const logo = page.locator('.login-app img.logo');
      await logo.waitFor();
      assert.match(await logo.getAttribute('src'), new RegExp(`/api/v1/apps/${app.client_id}/logo`));
      await assertNoNavigation(page);
      await assertNoSidewaysScroll(page, 'sign-in');
      await shot(page, `${viewport.name}-sign-in-focused`);

      await signIn(page, user, userPassword);
      await page.waitForURL(/\/consent\?interaction=/);
      await page.getByText(`Signed in as ${user}.`).waitFor();
      await assertNoNavigation(page);
      // Who they are first, staying connected last.
      const codes = page.locator('.scopes li code');
      assert.deepEqual(await codes.allTextContents(), ['openid', 'profile', 'email', 'offline_access']);
      assert.deepEqual(await eachOnOneLine(codes), [true, true, true, true]);
      await assertNoSidewaysScroll(page, 'consent');
      await shot(page, `${viewport.name}-consent-focused`);

      // Not you? The same request continues on the sign-in page, for whoever signs in.
      await page.getByRole('button', { name: 'Not you? Use another account' }).click();
      await page.waitForURL(`${base}/login?interaction=${interaction}`);
      await page.getByLabel('Username').waitFor();
      await signIn(page, user2, user2Password);
      await page.waitForURL(/\/consent\?interaction=/);
      await page.getByText(`Signed in as ${user2}.`).waitFor();
      await shot(page, `${viewport.name}-consent-other-account`);
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL(/focus\.example\/cb\?error=access_denied/);
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await admin(adminToken, 'DELETE', `/api/v1/apps/${app.client_id}`);
    }
  });

  test(`Connected apps revokes through the console's dialog; scope names and dates stay whole (${viewport.name})`, async () => {
    const name = `Linked ${viewport.name}`;
    const app = await appWithLogo(name);
    try {
      const { page, errors, context, dialogs } = await pageAt(viewport);
      // Alice allows the app and it redeems the code, so it holds a grant.
      await page.goto(authorizeUrl(app, 'openid email offline_access'));
      await page.waitForURL(/\/login\?interaction=/);
      await signIn(page, user, userPassword);
      await page.waitForURL(/\/consent\?interaction=/);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(/focus\.example\/cb\?code=/);
      const code = new URL(page.url()).searchParams.get('code');
      const res = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }),
      });
      assert.equal(res.status, 200);

      await page.goto(`${base}/account/apps`);
      const card = page.locator('li.app-card').filter({ has: page.getByRole('heading', { name }) });
      await card.waitFor();
      assert.deepEqual(await eachOnOneLine(card.locator('.scopes code')), [true, true, true]);
      assert.deepEqual(await eachOnOneLine(card.locator('.nowrap')), [true, true]);
      await assertNoSidewaysScroll(page, 'connected apps');
      const revoke = card.getByRole('button', { name: `Revoke ${name}` });
      if (viewport.name === 'desktop') {
        // At the card's top right, not floating in the middle.
        const [b, c] = [await revoke.boundingBox(), await card.boundingBox()];
        assert.ok(c.x + c.width - (b.x + b.width) < 40, `button ends ${c.x + c.width - (b.x + b.width)} px from the card's edge`);
        assert.ok(b.y - c.y < 40, `button starts ${b.y - c.y} px below the card's top`);
      }
      await shot(page, `${viewport.name}-connected-apps`);
      await revoke.click();
      // The console's own dialog, not the browser's confirm().
      const dialog = page.getByRole('dialog', { name: `Revoke ${name}'s access?` });
      await dialog.waitFor();
      await shot(page, `${viewport.name}-connected-apps-confirm`);
      await dialog.getByRole('button', { name: 'Revoke access' }).click();
      await page.getByText(`${name} no longer has access.`).waitFor();
      await card.waitFor({ state: 'detached' });
      assert.deepEqual(dialogs.seen, []);
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await admin(adminToken, 'DELETE', `/api/v1/apps/${app.client_id}`);
    }
  });

  test(`a bad authorization link gets Portico's page with a way back (${viewport.name})`, async () => {
    const { page, context } = await pageAt(viewport);
    const url = new URL(`${base}/oauth2/authorize`);
    url.search = new URLSearchParams({ response_type: 'code', client_id: 'no-such-app', redirect_uri: CALLBACK });
    const res = await page.goto(url.href);
    assert.equal(res.status(), 400);
    await page.getByRole('heading', { name: 'Unknown application' }).waitFor();
    await page.getByText('names an application Portico does not know').waitFor();
    // The console's look: Portico's bar across the top.
    const bar = await page.locator('header').evaluate((h) => getComputedStyle(h).backgroundColor);
    assert.notEqual(bar, 'rgba(0, 0, 0, 0)');
    // For the developer: what was received, on request.
    await page.getByText("For the app's developer").click();
    await page.getByText('no-such-app').waitFor();
    await page.getByText(CALLBACK).waitFor();
    await assertNoSidewaysScroll(page, 'error page');
    await shot(page, `${viewport.name}-error-page`);
    await page.getByRole('link', { name: "Portico's start page" }).click();
    await page.waitForURL(`${base}/`);
    await context.close();
  });
}

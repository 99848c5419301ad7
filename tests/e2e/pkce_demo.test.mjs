// The PKCE demo page as a developer uses it, on a desktop (1280 px) and a phone (390 px):
// "Create the demo app for me" for an administrator, the client ID remembered for the tab and
// checked before leaving, each step's JavaScript (from /pkce.js) beside its Rust, the code
// taken out of the address bar after the callback, refresh replacing the tokens shown and
// calling /me again, revocation; and nothing scrolls sideways.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, scrollsSideways, signIn,
  viewports,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
const demoCallback = `${base}/pkce-demo/callback`;
let browser;
let adminToken;
/** Apps this file made, deleted at the end (the server allows 10). */
const created = [];

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
});

after(async () => {
  for (const id of created) await admin(adminToken, 'DELETE', `/api/v1/apps/${id}`).catch(() => {});
  await closeBrowser(browser);
});

/** Signs in as admin through the console, then opens the demo from the menu. */
async function adminOnDemo(page) {
  await page.goto(`${base}/apps`);
  await page.waitForURL(/\/login\?interaction=/);
  await signIn(page, 'admin', adminPassword);
  await page.waitForURL(`${base}/apps`);
  await page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name: 'PKCE demo' }).click();
  await page.getByRole('heading', { name: 'PKCE demo' }).waitFor();
}

/** The access token step 7 shows (masked), and the one step 8 called /me with. */
const shownToken = (page) => page.locator('.tokens .secret-line code').first().textContent();
const meToken = (page) => page.locator('.me-call code').textContent();

for (const [name, viewport] of Object.entries(viewports)) {
  test(`${name}: an admin creates the demo app in one click and runs the demo to the end`, async () => {
    const { page, errors, context } = await newPage(browser, { viewport });
    await adminOnDemo(page);
    await page.getByRole('button', { name: 'Create the demo app for me' }).click();
    await page.getByText(/Created “PKCE demo” with client ID/).waitFor();
    const clientId = await page.getByLabel('Client ID').inputValue();
    assert.notEqual(clientId, '');
    created.push(clientId);
    const app = await admin(adminToken, 'GET', `/api/v1/apps/${clientId}`);
    assert.equal(app.type, 'single_page');
    assert.deepEqual(app.redirect_uris, [demoCallback]);
    await shot(page, `${name}-demo-app-created`);

    // Checked before leaving, then steps 1–4 with their JavaScript beside the Rust.
    await page.getByRole('button', { name: 'Prepare request' }).click();
    await page.getByText('Found the app “PKCE demo”').waitFor();
    await page.getByText('The JavaScript (pkce.js)').first().click();
    await page.locator('details.js-code pre').first().getByText('export function createVerifier()').waitFor();
    await page.getByText('The Rust code (this console)').nth(3).click();
    await page.locator('details.rust-code pre').nth(3).getByText('pub fn authorization_url(').waitFor();
    assert.equal(await scrollsSideways(page), false, 'the prepared steps scroll sideways');
    await shot(page, `${name}-demo-prepared`);
    await page.getByRole('button', { name: 'Go to authorization' }).click();

    // Signed in at Portico already: consent, then back.
    await page.waitForURL(/\/consent\?interaction=/);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByText(/state matches; iss is .*removed from the address bar/).waitFor();
    // history.replaceState: neither the code nor the state stays in the address bar.
    await page.waitForURL(demoCallback);
    assert.equal(new URL(page.url()).search, '');
    const me = await page.locator('pre.me').textContent();
    assert.equal(JSON.parse(me).username, 'admin');
    assert.match(me, /\n {2}"username": "admin"/, 'the JSON is pretty-printed');
    const first = await shownToken(page);
    assert.equal(await meToken(page), first);
    assert.match(await page.locator('pre.request').textContent(), /\n&code_verifier=/);
    assert.equal(await scrollsSideways(page), false, 'the return trip scrolls sideways');
    await shot(page, `${name}-demo-exchanged`);

    // Refresh: step 7 shows the new tokens, and step 8 calls /me again with the new one.
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await page.getByText('From refresh 1 (step 9).').waitFor();
    await page.getByText('The refresh token was rotated').waitFor();
    const second = await shownToken(page);
    assert.notEqual(second, first);
    await page.waitForFunction((t) => document.querySelector('.me-call code')?.textContent === t, second);
    assert.equal(JSON.parse(await page.locator('pre.me').textContent()).username, 'admin');
    assert.equal(await scrollsSideways(page), false);
    await shot(page, `${name}-demo-refreshed`);

    // Revoke: /me is refused with the access token of the revoked grant.
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByText('Revoked: the refresh token and its access tokens no longer work.').waitFor();
    await page.locator('pre.me').getByText('HTTP 401').waitFor();
    await shot(page, `${name}-demo-revoked`);

    // The client ID is remembered for this tab, not for another.
    await page.goto(`${base}/pkce-demo`);
    await page.waitForFunction((id) => document.querySelector('#demo-client')?.value === id, clientId);
    const other = await context.newPage();
    await other.goto(`${base}/pkce-demo`);
    await other.getByRole('button', { name: 'Prepare request' }).waitFor();
    assert.equal(await other.locator('#demo-client').inputValue(), '');
    await other.close();

    // A wrong client ID is caught here, not on Portico's error page.
    await page.getByLabel('Client ID').fill('no-such-client');
    await page.getByRole('button', { name: 'Prepare request' }).click();
    await page.getByText(/No single-page app with client ID “no-such-client” has .*\/pkce-demo\/callback as a redirect URL/).waitFor();
    assert.equal(page.url(), `${base}/pkce-demo`);
    assert.equal(await page.locator('code.verifier').count(), 0);
    assert.equal(await scrollsSideways(page), false);
    await shot(page, `${name}-demo-wrong-client`);
    // Expected: the 401 of /me after revocation, the 404 of the wrong ID's lookup.
    assert.deepEqual(errors.filter((e) => !/status of (401|404)/.test(e)), []);
    await context.close();
  });
}

test('at the app limit, "Create the demo app for me" says so and links to Apps', async () => {
  const { apps, limit } = await admin(adminToken, 'GET', '/api/v1/apps');
  const fillers = [];
  try {
    for (let i = apps.length; i < limit; i += 1) {
      const filler = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'machine_to_machine', name: `Filler ${i}` });
      fillers.push(filler.client_id);
    }
    const { page, errors, context } = await newPage(browser, { viewport: viewports.phone });
    await adminOnDemo(page);
    await page.getByRole('button', { name: 'Create the demo app for me' }).click();
    await page.getByText(`At most ${limit} apps may exist at once`).waitFor();
    await page.getByRole('link', { name: 'Go to Apps' }).waitFor();
    assert.equal(await page.getByLabel('Client ID').inputValue(), '');
    assert.equal(await scrollsSideways(page), false);
    await shot(page, 'demo-app-limit');
    assert.deepEqual(errors.filter((e) => !/status of 409/.test(e)), []);
    await context.close();
  } finally {
    for (const id of fillers) await admin(adminToken, 'DELETE', `/api/v1/apps/${id}`);
  }
});

// Admin API access for a machine-to-machine app, on a desktop and on a 390 px phone: the
// checkbox on the app's page asks before it changes anything (Cancel leaves it off), then
// turns it on; the page warns that the app has full admin power and the apps list marks it;
// the app's own client credentials token then lists the apps; the audit page shows the
// switch with its label; unticking (confirmed) turns it off and the same token is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, signIn,
  viewports,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
let browser;
let adminToken;
const created = [];

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
});

after(async () => {
  // Leave the server as the other test files expect it: none of this file's apps.
  const token = await consoleToken('admin', adminPassword);
  const { apps } = await admin(token, 'GET', '/api/v1/apps');
  for (const a of apps) {
    if (created.includes(a.client_id)) await admin(token, 'DELETE', `/api/v1/apps/${a.client_id}`);
  }
  await closeBrowser(browser);
});

/** The app's client credentials token with `scope`: [status, body]. */
async function appToken(app, scope) {
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return [res.status, await res.json()];
}

async function listAppsWith(token) {
  const res = await fetch(`${base}/api/v1/apps`, { headers: { authorization: `Bearer ${token}` } });
  return res.status;
}

async function assertNoSidewaysScroll(page, what) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${what}: ${scroll} px wide in a ${inner} px window`);
}

for (const [vp, size] of Object.entries(viewports)) {
  test(`an administrator gives a machine-to-machine app admin API access and takes it back (${vp})`, async () => {
    const name = `Deployer ${vp}`;
    const app = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'machine_to_machine', name });
    created.push(app.client_id);
    const { page, errors, context } = await newPage(browser, { viewport: size });
    try {
      await page.goto(`${base}/apps/${app.client_id}`);
      await page.waitForURL(/\/login\?interaction=/);
      await signIn(page, 'admin', adminPassword);
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      const box = page.getByRole('checkbox', { name: 'Allow this app to use the admin API' });
      const warning = page.locator('#admin-power-warning');
      await box.waitFor();
      assert.equal(await box.isChecked(), false);
      assert.equal(await warning.isVisible(), false);

      // Ticking asks first; Cancel leaves it off, on the page and on the server.
      await box.click();
      const dialog = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: `Give ${name} admin API access?` }) });
      await dialog.getByText('everything an administrator can').waitFor();
      assert.equal(await box.isChecked(), false);
      await assertNoSidewaysScroll(page, 'confirmation');
      await shot(page, `${vp}-confirm-on`);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await box.isChecked(), false);
      assert.equal((await admin(adminToken, 'GET', `/api/v1/apps/${app.client_id}`)).admin_api_access, false);
      let [status, body] = await appToken(app, 'admin');
      assert.equal(status, 400);
      assert.equal(body.error, 'invalid_scope');

      // Confirmed: on, with the warning.
      await box.click();
      await dialog.getByRole('button', { name: 'Give admin API access' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('status').filter({ hasText: /^Admin API access is on\.$/ }).waitFor();
      assert.equal(await box.isChecked(), true);
      await warning.waitFor();
      assert.match(await warning.textContent(), /full admin power over Portico/);
      await assertNoSidewaysScroll(page, 'app page with the warning');
      await shot(page, `${vp}-on`);

      // The app's own token now opens the admin API.
      [status, body] = await appToken(app, 'admin');
      assert.equal(status, 200, JSON.stringify(body));
      const token = body.access_token;
      assert.equal(await listAppsWith(token), 200);

      // The apps list marks it, and only it.
      await page.goto(`${base}/apps`);
      const card = page.locator('li.app-card').filter({ has: page.getByRole('heading', { name }) });
      await card.waitFor();
      await card.locator('.badge.admin-power').waitFor();
      assert.equal(await page.locator('.badge.admin-power').count(), 1);
      await assertNoSidewaysScroll(page, 'apps list');
      await shot(page, `${vp}-apps-list`);

      // The audit page names the switch, its label and who made it.
      await page.goto(`${base}/audit?action=app.admin_api_enable&client_id=${app.client_id}`);
      const row = page.locator('table.audit tbody tr[data-action="app.admin_api_enable"]');
      await row.waitFor();
      assert.match(await row.textContent(), /admin API access turned on/);
      assert.equal(await row.locator('td[data-label="Who"]').textContent(), 'admin');
      await assertNoSidewaysScroll(page, 'audit page');
      await shot(page, `${vp}-audit`);

      // Unticking asks too; confirmed, the app's token is refused at once.
      await page.goto(`${base}/apps/${app.client_id}`);
      await box.waitFor();
      assert.equal(await box.isChecked(), true);
      await box.click();
      const off = page.getByRole('dialog').filter({ has: page.getByRole('heading', { name: `Turn off admin API access for ${name}?` }) });
      await off.getByRole('button', { name: 'Turn off admin API access' }).click();
      await off.waitFor({ state: 'hidden' });
      await page.getByRole('status').filter({ hasText: /^Admin API access is off/ }).waitFor();
      assert.equal(await box.isChecked(), false);
      assert.equal(await warning.isVisible(), false);
      assert.equal(await listAppsWith(token), 403);
      assert.deepEqual(errors, []);
    } finally {
      await context.close().catch(() => {});
    }
  });
}

// The audit log page, on a desktop and on a 390 px phone: an end user's sign-in, consent and
// revocation (Connected apps) appear as user events; the filters (app, kind, action, actor)
// are applied by the API and kept in the URL; paging reaches older rows and "Newer" comes
// back a page at a time; an app is shown by
// name with its client ID on hover, a deleted app as "deleted app"; nothing scrolls sideways.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, signIn, user,
  userPassword,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
const CALLBACK = 'https://ledger.example/cb';
let browser;
let adminToken;

before(async () => {
  browser = await launch();
  adminToken = await consoleToken('admin', adminPassword);
});

after(async () => { await closeBrowser(browser); });

/** A page at `viewport` whose requests to the app's callback are answered locally. */
async function pageAt(viewport) {
  const opened = await newPage(browser);
  await opened.page.setViewportSize({ width: viewport.width, height: viewport.height });
  await opened.context.route(`${CALLBACK}**`, (route) => route.fulfill({ status: 200, body: 'app' }));
  return opened;
}

/** The page does not scroll sideways. */
async function assertNoSidewaysScroll(page, what) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `${what}: ${scroll} px wide in a ${inner} px window`);
}

/** The rows of the table shown: kind, action and the App cell's text, link and title. */
async function readRows(page) {
  return page.locator('table.audit tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const app = tr.querySelector('td.audit-app');
    const a = app.querySelector('a');
    const titled = app.querySelector('[title]');
    return {
      kind: tr.querySelector('.badge.kind').textContent,
      action: tr.dataset.action,
      app: app.textContent,
      href: a ? a.getAttribute('href') : null,
      title: titled ? titled.getAttribute('title') : null,
      appLines: titled ? titled.getClientRects().length : 0,
    };
  }));
}

/** The rows once the page shows what `ready` expects of them (a new read replaces the
 * table when its answer arrives), or as they are after 10 s for the assertions to report. */
async function rows(page, ready) {
  for (let i = 0; i < 100; i += 1) {
    // A full load gets the console's tokens again first (they live in memory), from the
    // browser's session, before the page reads the log.
    const shown = await readRows(page).catch(() => null);
    if (shown && ready(shown)) return shown;
    await page.waitForTimeout(100);
  }
  return readRows(page);
}

/** Chooses filters in the form and applies them; waits for the URL to carry them. */
async function applyFilters(page, { app, kind, action, actor }) {
  const form = page.getByRole('form', { name: 'Filter the audit log' });
  await form.getByLabel('App').selectOption(app ? { label: app } : { value: '' });
  await form.getByLabel('Kind').selectOption(kind ?? '');
  await form.getByLabel('Action').selectOption(action ?? '');
  await form.getByLabel('Actor').fill(actor ?? '');
  const before = page.url();
  await form.getByRole('button', { name: 'Apply filters' }).click();
  if (before !== page.url()) return;
  await page.waitForURL((u) => u.href !== before);
}

for (const viewport of VIEWPORTS) {
  test(`end users' events show as user events; filters, paging and deleted apps (${viewport.name})`, async () => {
    const name = `Ledger ${viewport.name}`;
    const app = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'web', name, redirect_uris: [CALLBACK] });
    // An app with more entries than one page holds, then deleted.
    const gone = await admin(adminToken, 'POST', '/api/v1/apps', { type: 'machine_to_machine', name: `Scrap ${viewport.name}` });
    try {
      for (let i = 0; i < 51; i += 1) {
        await admin(adminToken, 'PATCH', `/api/v1/apps/${gone.client_id}`, { description: `v${i}` });
      }
      await admin(adminToken, 'DELETE', `/api/v1/apps/${gone.client_id}`);

      // The end user signs in, allows, the app redeems the code; then she revokes it.
      const endUser = await pageAt(viewport);
      const url = new URL(`${base}/oauth2/authorize`);
      url.search = new URLSearchParams({
        response_type: 'code', client_id: app.client_id, redirect_uri: CALLBACK, scope: 'openid email', state: 'a1',
      });
      await endUser.page.goto(url.href);
      await endUser.page.waitForURL(/\/login\?interaction=/);
      await signIn(endUser.page, user, userPassword);
      await endUser.page.waitForURL(/\/consent\?interaction=/);
      await endUser.page.getByRole('button', { name: 'Allow' }).click();
      await endUser.page.waitForURL(/ledger\.example\/cb\?code=/);
      const code = new URL(endUser.page.url()).searchParams.get('code');
      const res = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }),
      });
      assert.equal(res.status, 200);
      await endUser.page.goto(`${base}/account/apps`);
      const card = endUser.page.locator('li.app-card').filter({ has: endUser.page.getByRole('heading', { name }) });
      await card.getByRole('button', { name: `Revoke ${name}` }).click();
      await endUser.page.getByRole('dialog').getByRole('button', { name: 'Revoke access' }).click();
      await endUser.page.getByText(`${name} no longer has access.`).waitFor();
      assert.deepEqual(endUser.errors, []);
      await endUser.context.close();

      // The administrator's audit page.
      const { page, errors, context } = await pageAt(viewport);
      await page.goto(`${base}/audit`);
      await page.waitForURL(/\/login\?interaction=/);
      await signIn(page, 'admin', adminPassword);
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await page.locator('table.audit').waitFor();
      await assertNoSidewaysScroll(page, 'audit log');
      await shot(page, `${viewport.name}-audit-all`);

      // By app and kind: the end user's three events, as user events, the app by name.
      await applyFilters(page, { app: name, kind: 'user' });
      const filtered = new URL(page.url()).searchParams;
      assert.equal(filtered.get('client_id'), app.client_id);
      assert.equal(filtered.get('kind'), 'user');
      let shown = await rows(page, (r) => r.length === 3);
      assert.deepEqual(shown.map((r) => r.action), ['consent.revoked', 'consent.given', 'signin.succeeded']);
      for (const r of shown) {
        assert.equal(r.kind, 'User');
        assert.equal(r.app, name);
        assert.equal(r.href, `/apps/${app.client_id}`);
        assert.equal(r.title, `Client ID ${app.client_id}`);
        assert.equal(r.appLines, 1, 'the app name stays on one line');
      }
      await assertNoSidewaysScroll(page, 'audit log by app');
      await shot(page, `${viewport.name}-audit-user-events-of-app`);

      // A bookmarked view comes back with the same filters chosen.
      await page.reload();
      await rows(page, (r) => r.length === 3);
      const form = page.getByRole('form', { name: 'Filter the audit log' });
      assert.equal(await form.getByLabel('Kind').inputValue(), 'user');
      assert.equal(await form.getByLabel('App').inputValue(), app.client_id);

      // By action and actor: only the end user's sign-ins, of any app.
      await applyFilters(page, { action: 'signin.succeeded', actor: user });
      shown = await rows(page, (r) => r.length > 0 && r.every((x) => x.action === 'signin.succeeded'));
      assert.ok(shown.length >= 1);
      assert.ok(shown.every((r) => r.action === 'signin.succeeded' && r.kind === 'User'), JSON.stringify(shown));
      await shot(page, `${viewport.name}-audit-sign-ins`);

      // The deleted app: its 53 entries say "deleted app", never a link; "Older" reaches
      // the oldest, "Newest" comes back.
      await page.goto(`${base}/audit?client_id=${gone.client_id}`);
      shown = await rows(page, (r) => r.length === 50);
      assert.equal(shown.length, 50);
      for (const r of shown) {
        assert.equal(r.app, 'deleted app');
        assert.equal(r.href, null);
        assert.equal(r.title, `Client ID ${gone.client_id}`);
        assert.equal(r.kind, 'Admin');
      }
      assert.equal(await form.getByLabel('App').inputValue(), gone.client_id);
      await assertNoSidewaysScroll(page, 'deleted app');
      await shot(page, `${viewport.name}-audit-deleted-app`);
      assert.equal(await page.getByRole('link', { name: 'Newer', exact: true }).count(), 0, 'nothing is newer than the newest page');
      await page.getByRole('link', { name: 'Older' }).click();
      shown = await rows(page, (r) => r.length === 3);
      assert.deepEqual(shown.map((r) => r.action), ['app.update', 'app.update', 'app.create']);
      assert.equal(new URL(page.url()).searchParams.get('client_id'), gone.client_id);
      assert.equal(await page.getByRole('link', { name: 'Older' }).count(), 0);
      await shot(page, `${viewport.name}-audit-older`);
      // "Newer" goes back one page, filters kept: the 50 newest again, with nothing newer.
      await page.getByRole('link', { name: 'Newer', exact: true }).click();
      await page.waitForURL(/[?&]after=\d+/);
      shown = await rows(page, (r) => r.length === 50);
      assert.ok(shown.every((r) => r.app === 'deleted app'), JSON.stringify(shown));
      assert.equal(new URL(page.url()).searchParams.get('client_id'), gone.client_id);
      assert.equal(await page.getByRole('link', { name: 'Newer', exact: true }).count(), 0);
      await page.getByRole('link', { name: 'Older' }).waitFor();
      await assertNoSidewaysScroll(page, 'newer page');
      await shot(page, `${viewport.name}-audit-newer`);
      await page.getByRole('link', { name: 'Newest' }).click();
      await rows(page, (r) => r.length === 50);

      // By kind only: a security filter shows no admin or user rows.
      await applyFilters(page, { kind: 'security' });
      await page.waitForURL(/kind=security/);
      await page.locator('table.audit, p.empty').first().waitFor();
      shown = await rows(page, (r) => r.every((x) => x.kind === 'Security'));
      assert.ok(shown.every((r) => r.kind === 'Security'), JSON.stringify(shown));
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await admin(adminToken, 'DELETE', `/api/v1/apps/${app.client_id}`);
    }
  });
}

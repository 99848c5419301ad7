// The admin console in headless Chromium against a real server: an admin signs in, creates
// an app of each type through the pages, sees each secret once, rotates secrets, generates a
// key pair in the browser (only the public half is ever sent), uploads a logo, edits
// refresh-token settings (guarded against leaving unsaved), fills the app limit and deletes
// an app. Every credential the pages hand out is then used against the token endpoints.
// A web app's ID tokens are switched to ES256, and its refresh-token reuse grace is set.
// A machine-to-machine app is given the users it may act as (JWT-bearer grant), and a
// single-page app's rotation switch is locked on. An app's page lists the users who allowed it
// and revokes it for all of them. A secret gets a note when it is added, the
// note is edited in place, and its last use shows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPrivateKey, generateKeyPairSync, randomUUID, sign,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  admin, adminPassword, base, closeBrowser, consoleToken, launch, newPage, screenshots, scrollsSideways, signIn, user, user2,
  userPassword, viewports,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
// A real 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let browser;
let page;
let errors;
let dialogs;
let context;
const requests = [];
const apps = {};

before(async () => {
  browser = await launch();
  ({ page, errors, dialogs, context } = await newPage(browser));
  // Everything this profile sends, to prove what never leaves the browser.
  context.on('request', (r) => requests.push(`${r.url()}\n${r.postData() ?? ''}`));
});

after(async () => {
  // Leave the server as the other test files expect it: none of this file's apps.
  const token = await consoleToken('admin', adminPassword);
  const { apps: left } = await admin(token, 'GET', '/api/v1/apps');
  for (const a of left) {
    if (Object.values(apps).includes(a.client_id) || a.name.startsWith('Filler ')) {
      await admin(token, 'DELETE', `/api/v1/apps/${a.client_id}`);
    }
  }
  await closeBrowser(browser);
});

const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Authenticates at the introspection endpoint with a secret: 200 when it is accepted. */
async function secretStatus(clientId, secret) {
  const res = await fetch(`${base}/oauth2/introspect`, {
    method: 'POST',
    headers: { authorization: basic(clientId, secret) },
    body: new URLSearchParams({ token: 'not-a-token' }),
  });
  return res.status;
}

/** Creates an app through /apps/new; returns its client ID and, for types with one, the secret shown. */
async function createApp(typeName, name, step) {
  await page.goto(`${base}/apps/new`);
  await page.getByRole('heading', { name: 'Create an app' }).waitFor();
  await page.getByRole('radio', { name: new RegExp(`^${typeName}`) }).check();
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  if (step) await shot(page, `${step}-form`);
  await page.getByRole('button', { name: 'Create app' }).click();
  let secret = null;
  let shownId = null;
  if (typeName !== 'Single-page application') {
    await page.getByRole('heading', { name: 'Copy the client secret now' }).waitFor();
    secret = await page.getByRole('textbox', { name: 'Client secret' }).inputValue();
    assert.match(secret, /^pcs_[A-Za-z0-9_-]{40,}$/);
    // The client ID is beside the secret (the app needs both), with its own Copy.
    shownId = await page.getByRole('dialog').locator('.client-id-line code').textContent();
    assert.match(shownId, /^[A-Za-z0-9_-]{16,}$/);
    await page.getByRole('dialog').getByRole('button', { name: 'Copy the client ID' }).waitFor();
    await page.getByText('This is the only time Portico shows this secret').waitFor();
    // The dialog cannot be closed before the admin says the secret is stored.
    assert.equal(await page.getByRole('button', { name: 'Done' }).isDisabled(), true);
    if (step) await shot(page, `${step}-secret-once`);
    await page.getByRole('checkbox', { name: 'I have stored this secret somewhere safe' }).check();
    await page.getByRole('button', { name: 'Done' }).click();
  }
  await page.waitForURL(/\/apps\/(?!new$)[^/]+$/);
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  const clientId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
  if (shownId !== null) assert.equal(shownId, clientId);
  return { clientId, secret };
}

test('an admin signs in and creates an app of each type; a secret is shown once', async () => {
  await page.goto(`${base}/apps`);
  await page.waitForURL(/\/login\?interaction=/);
  await shot(page, 'sign-in');
  await signIn(page, 'admin', adminPassword);
  await page.waitForURL(`${base}/apps`);
  await page.getByText(/\d+ of 10 apps/).waitFor();
  await shot(page, 'apps');

  const web = await createApp('Web application', 'Billing Portal', 'web');
  apps.web = web.clientId;
  apps.webSecret = web.secret;
  await page.getByText('Web application', { exact: true }).waitFor();
  await shot(page, 'web-app');
  assert.equal(await secretStatus(web.clientId, web.secret), 200);
  assert.equal(await secretStatus(web.clientId, `${web.secret}x`), 401);

  // Not after a reload, nor anywhere the API answers.
  await page.reload();
  await page.getByRole('heading', { name: 'Client secrets' }).waitFor();
  await page.getByRole('list', { name: 'Secrets' }).getByRole('listitem').first().waitFor();
  assert.equal((await page.content()).includes(web.secret), false);
  const token = await consoleToken('admin', adminPassword);
  const stored = JSON.stringify(await admin(token, 'GET', `/api/v1/apps/${web.clientId}`));
  assert.equal(stored.includes(web.secret), false);

  const m2m = await createApp('Machine to machine', 'Nightly Export', 'm2m');
  apps.m2m = m2m.clientId;
  await page.getByRole('heading', { name: 'Public keys' }).waitFor();
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic(m2m.clientId, m2m.secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  assert.equal(res.status, 200, await res.clone().text());

  const spa = await createApp('Single-page application', 'Photo Viewer', 'spa');
  apps.spa = spa.clientId;
  await page.getByText('A public client: signs users in', { exact: false }).waitFor();
  // A public client has no secrets panel.
  assert.equal(await page.getByRole('heading', { name: 'Client secrets' }).count(), 0);

  await page.goto(`${base}/apps`);
  for (const name of ['Billing Portal', 'Nightly Export', 'Photo Viewer']) {
    await page.getByRole('link', { name }).waitFor();
  }
  await shot(page, 'apps-three-types');
  assert.deepEqual(errors, []);
});

test('secrets rotate: add a second, delete the first', async () => {
  await page.goto(`${base}/apps/${apps.web}`);
  const list = page.getByRole('list', { name: 'Secrets' });
  await list.getByRole('listitem').first().waitFor();
  assert.equal(await list.getByRole('listitem').count(), 1);
  // A double click sends one request: the button is disabled while it works.
  await page.getByRole('button', { name: 'Add secret' }).dblclick();
  await page.getByRole('heading', { name: 'Copy the client secret now' }).waitFor();
  const second = await page.getByRole('textbox', { name: 'Client secret' }).inputValue();
  assert.notEqual(second, apps.webSecret);
  await shot(page, 'second-secret');
  await page.getByRole('checkbox', { name: 'I have stored this secret somewhere safe' }).check();
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByText(/^Secret .* added\.$/).waitFor();
  assert.equal(await list.getByRole('listitem').count(), 2);
  const token = await consoleToken('admin', adminPassword);
  const { secrets } = await admin(token, 'GET', `/api/v1/apps/${apps.web}`);
  assert.equal(secrets.length, 2);

  await list.getByRole('button', { name: /^Delete secret / }).first().click();
  const confirm = page.getByRole('dialog');
  await confirm.getByText('Software that still sends').waitFor();
  await shot(page, 'delete-secret-confirm');
  await confirm.getByRole('button', { name: 'Delete secret' }).click();
  await page.getByText(/^Secret .* deleted\.$/).waitFor();
  assert.equal(await list.getByRole('listitem').count(), 1);
  await shot(page, 'one-secret-left');

  assert.equal(await secretStatus(apps.web, apps.webSecret), 401);
  assert.equal(await secretStatus(apps.web, second), 200);

  // The last one gets the stronger warning.
  await list.getByRole('button', { name: /^Delete secret / }).click();
  await confirm.getByText("is this app's only secret").waitFor();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await secretStatus(apps.web, second), 200);
  assert.deepEqual(errors, []);
});

test('a secret carries a note: typed when it is added, edited in place, kept after a reload', async () => {
  await page.goto(`${base}/apps/${apps.web}`);
  const list = page.getByRole('list', { name: 'Secrets' });
  await list.getByRole('listitem').first().waitFor();
  await page.getByRole('textbox', { name: 'Note for the new secret (optional)' }).fill('CI deploy');
  await page.getByRole('button', { name: 'Add secret' }).click();
  await page.getByRole('heading', { name: 'Copy the client secret now' }).waitFor();
  const secret = await page.getByRole('textbox', { name: 'Client secret' }).inputValue();
  await page.getByRole('checkbox', { name: 'I have stored this secret somewhere safe' }).check();
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByText(/^Secret .* added\.$/).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Note for the new secret (optional)' }).inputValue(), '');
  const token = await consoleToken('admin', adminPassword);
  let { secrets } = await admin(token, 'GET', `/api/v1/apps/${apps.web}`);
  const created = secrets.find((x) => x.note === 'CI deploy');
  assert.ok(created, JSON.stringify(secrets));

  // The row shows the note in its field, the created date and "never" for last use.
  const note = list.getByRole('textbox', { name: `Note of secret ${created.hint}` });
  assert.equal(await note.inputValue(), 'CI deploy');
  const row = list.getByRole('listitem').filter({ has: page.getByRole('textbox', { name: `Note of secret ${created.hint}` }) });
  await row.getByText(/^Created \d{4}-\d{2}-\d{2}$/).waitFor();
  await row.getByText('Last used never', { exact: true }).waitFor();

  await note.fill('CI deploy (billing)');
  await list.getByRole('button', { name: `Save note of secret ${created.hint}` }).click();
  await page.getByText(`Note of secret ${created.hint} saved.`).waitFor();
  await shot(page, 'secret-note-saved');

  // Used once at the introspection endpoint, then reloaded: the note is kept and the
  // last-used date shows.
  assert.equal(await secretStatus(apps.web, secret), 200);
  await page.reload();
  await note.waitFor();
  assert.equal(await note.inputValue(), 'CI deploy (billing)');
  await row.getByText(/^Last used \d{4}-\d{2}-\d{2}$/).waitFor();
  ({ secrets } = await admin(token, 'GET', `/api/v1/apps/${apps.web}`));
  const stored = secrets.find((x) => x.id === created.id);
  assert.equal(stored.note, 'CI deploy (billing)');
  assert.equal(typeof stored.last_used_at, 'number');

  // Leave the app with the one secret the later tests expect.
  await admin(token, 'DELETE', `/api/v1/apps/${apps.web}/secrets/${created.id}`);
  assert.deepEqual(errors, []);
});

/** An RFC 7523 client assertion signed with `key` (ES256). */
function clientAssertion(clientId, kid, key) {
  const enc = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${enc({ alg: 'ES256', typ: 'JWT', kid })}.${enc({
    iss: clientId, sub: clientId, aud: `${base}/oauth2/token`, iat: now, exp: now + 60, jti: randomUUID(),
  })}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

test('a key pair is generated in the browser: the private key is downloaded and never sent', async () => {
  await page.goto(`${base}/apps/${apps.m2m}`);
  await page.getByRole('heading', { name: 'Public keys' }).waitFor();
  assert.match(await page.getByLabel('Algorithm').inputValue(), /ES256/);
  const sent = requests.length;
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Generate key pair' }).click(),
  ]);
  const pem = await readFile(await download.path(), 'utf8');
  assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n?$/);
  assert.match(download.suggestedFilename(), /\.pem$/);
  const status = page.getByText(/^Key .* \(ES256\) added\.$/);
  await status.waitFor();
  const kid = (await status.textContent()).match(/^Key (.*) \(ES256\) added\.$/)[1];
  await page.getByRole('list', { name: 'Public keys' }).getByText(kid, { exact: true }).waitFor();
  await page.getByText('Store the private key now.').waitFor();
  await shot(page, 'key-generated');

  // The private key in every form it could travel in: PKCS#8 base64, and the JWK's `d`.
  const key = createPrivateKey(pem);
  const der = pem.replace(/-----[^-]+-----|\s/g, '');
  const { d } = key.export({ format: 'jwk' });
  const after = requests.slice(sent);
  assert.ok(after.some((r) => r.includes('/public-keys')), 'the public key was registered');
  for (const r of requests) {
    assert.equal(r.includes(der.slice(0, 60)), false, 'PKCS#8 private key sent');
    assert.equal(r.includes(d), false, 'private scalar sent');
  }

  // The pair works: the app authenticates with private_key_jwt.
  const res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: apps.m2m,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion(apps.m2m, kid, key),
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  await page.getByRole('button', { name: 'Done' }).click();
  assert.deepEqual(errors, []);
});

test('a pasted private key is refused in the browser and never sent; key rows name the kid once, with Copy', async () => {
  try {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 400 ? 720 : 844 });
      await page.goto(`${base}/apps/${apps.m2m}`);
      const box = page.getByRole('textbox', { name: 'Public key (PEM or JWK)' });
      await box.waitFor();
      assert.match(await box.evaluate((el) => getComputedStyle(el).fontFamily), /monospace/);
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' });
      const sec1Pem = privateKey.export({ type: 'sec1', format: 'pem' });
      const privateJwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
      const sent = requests.length;
      for (const [what, text] of [['PKCS#8 PEM', privatePem], ['EC PEM', sec1Pem], ['JWK with d', privateJwk]]) {
        await box.fill(text);
        await page.getByRole('button', { name: 'Add key' }).click();
        await page.getByText('This is a private key, so it was not sent.', { exact: false }).waitFor();
        assert.equal(requests.slice(sent).some((r) => r.includes('/public-keys')), false, `${what} was sent`);
      }
      assert.ok(await sideways() <= 0, `${width}px scrolls sideways`);
      await shot(page, `private-key-refused-${width}`);

      await box.fill(publicKey.export({ type: 'spki', format: 'pem' }));
      await page.getByRole('button', { name: 'Add key' }).click();
      const status = page.getByText(/^Key .* \(ES256\) added\.$/);
      await status.waitFor();
      const kid = (await status.textContent()).match(/^Key (.*) \(ES256\) added\.$/)[1];
      const row = page.getByRole('list', { name: 'Public keys' }).getByRole('listitem').filter({ hasText: kid });
      // Labelled, shown once (the kid is the thumbprint), and copyable.
      await row.getByText('kid', { exact: true }).waitFor();
      assert.equal((await row.textContent()).split(kid).length - 1, 1, await row.textContent());
      await row.getByRole('button', { name: `Copy kid ${kid}` }).waitFor();
      assert.ok(await sideways() <= 0, `${width}px scrolls sideways`);
      await shot(page, `key-row-kid-${width}`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  assert.deepEqual(errors, []);
});

/** How far the page scrolls sideways (0 when it fits). */
const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test('a machine-to-machine app lists the users it may act as; refusals show on the field', async () => {
  const field = page.getByRole('textbox', { name: 'Users it may act as' });
  const fieldError = (text) => page.locator('#jwt_bearer_users-error').filter({ hasText: text });
  // PATCH bodies this page sends for the app.
  const patches = [];
  const onRequest = (r) => {
    if (r.method() === 'PATCH' && r.url().endsWith(`/api/v1/apps/${apps.m2m}`)) patches.push(JSON.parse(r.postData()));
  };
  page.on('request', onRequest);
  try {
    for (const [width, users] of [[1280, [user, user2]], [390, [user2, user]]]) {
      await page.setViewportSize({ width, height: width > 400 ? 720 : 844 });
      const step = (name) => shot(page, `jwt-users-${name}-${width}`);
      await page.goto(`${base}/apps/${apps.m2m}`);
      await field.waitFor();
      await page.getByText('Leave empty and the app can only act as itself.', { exact: false }).waitFor();
      assert.match(await field.evaluate((el) => getComputedStyle(el).fontFamily), /monospace/);

      // Two users, one per line: saved, and there after a reload.
      await field.fill(`${users[0]}\n${users[1]}\n`);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      assert.deepEqual(patches.at(-1), { jwt_bearer_users: users });
      await page.reload();
      await field.waitFor();
      assert.equal(await field.inputValue(), users.join('\n'));
      const token = await consoleToken('admin', adminPassword);
      assert.deepEqual((await admin(token, 'GET', `/api/v1/apps/${apps.m2m}`)).jwt_bearer_users, users);
      await step('saved');

      // An administrator: the server refuses, and says so on the field.
      const sent = patches.length;
      await field.fill(`${users[0]}\nadmin`);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await fieldError('admin is an administrator: apps may never act as administrators.').waitFor();
      assert.equal(await field.getAttribute('aria-invalid'), 'true');
      await page.getByText('The server refused some settings; see the fields marked above.').waitFor();
      assert.equal(patches.length, sent + 1);
      assert.ok(await sideways() <= 0, `${width}px: the refusal scrolls sideways`);
      await step('admin-refused');

      // A malformed name: the browser's own check, with the server's words, and no request.
      await field.fill(`${users[0]}\nbad name!`);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await fieldError('Username must be 1–64 characters of letters, digits and . _ @ - (bad name!)').waitFor();
      await page.getByText('Correct the fields marked above, then save again.').waitFor();
      await page.waitForTimeout(200);
      assert.equal(patches.length, sent + 1, 'nothing sent for a name the browser refused');
      assert.ok(await sideways() <= 0, `${width}px: the error scrolls sideways`);
      await step('browser-refused');

      await page.getByRole('button', { name: 'Discard changes' }).click();
      assert.equal(await field.inputValue(), users.join('\n'));
    }
  } finally {
    page.off('request', onRequest);
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  // The refused save is the one expected error: Chromium logs the 422 it answered.
  const refusals = errors.filter((e) => e.includes('status of 422'));
  assert.equal(refusals.length, 2, errors.join('\n'));
  errors.splice(0, errors.length, ...errors.filter((e) => !refusals.includes(e)));
  assert.deepEqual(errors, []);
});

test("a single-page app's rotation switch is on and locked, with the reason beside it", async () => {
  const rotate = page.getByRole('checkbox', { name: 'Rotate the refresh token on each use' });
  const reason = 'Single-page apps always rotate refresh tokens: a public client\'s refresh tokens must be rotated or sender-constrained (RFC 9700 §4.14.2).';
  try {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 400 ? 720 : 844 });
      await page.goto(`${base}/apps/${apps.spa}`);
      await page.getByRole('group', { name: 'Refresh tokens' }).waitFor();
      assert.equal(await rotate.isChecked(), true);
      assert.equal(await rotate.isDisabled(), true);
      const said = page.getByText(reason, { exact: true });
      assert.equal(await said.isVisible(), true);
      // The switch is described by what rotation does, then by why it is locked.
      const describedBy = (await rotate.getAttribute('aria-describedby')).split(' ');
      assert.ok(describedBy.includes(await said.getAttribute('id')), describedBy.join(' '));
      assert.ok(await sideways() <= 0, `${width}px scrolls sideways`);
      await shot(page, `spa-rotation-locked-${width}`);
    }
    // A web app keeps the choice.
    await page.goto(`${base}/apps/${apps.web}`);
    await page.getByRole('group', { name: 'Refresh tokens' }).waitFor();
    assert.equal(await rotate.isDisabled(), false);
    assert.equal(await page.getByText(reason).count(), 0);
    await shot(page, 'web-rotation-editable');
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  assert.deepEqual(errors, []);
});

test('a logo is checked in the browser, previewed, uploaded and shown', async () => {
  await page.goto(`${base}/apps/${apps.spa}`);
  const file = page.getByLabel('Choose an image');
  await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: Buffer.from('not really a PNG') });
  await page.getByText('The logo must be a PNG, JPEG or WebP image (SVG is not accepted).').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Upload logo' }).isDisabled(), true);
  await shot(page, 'logo-refused');

  await file.setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: PNG });
  await page.getByText('Preview — not uploaded yet').waitFor();
  await shot(page, 'logo-preview');
  await page.getByRole('button', { name: 'Upload logo' }).click();
  await page.getByText('Logo uploaded.').waitFor();
  await page.getByText('Current logo', { exact: true }).waitFor();
  const src = await page.getByRole('img', { name: 'Current logo' }).getAttribute('src');
  const img = await fetch(new URL(src, base));
  assert.equal(img.status, 200);
  assert.equal(img.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await img.arrayBuffer()), PNG);
  await shot(page, 'logo-uploaded');

  await page.goto(`${base}/apps`);
  const card = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Photo Viewer' }) });
  assert.equal(await card.locator('img.logo').getAttribute('src'), src);
  await shot(page, 'apps-with-logo');
  assert.deepEqual(errors, []);
});

test('refresh-token settings are saved, and leaving with unsaved changes asks first', async () => {
  // Opened from the list, so Back stays inside the console (a same-document navigation).
  await page.goto(`${base}/apps`);
  await page.getByRole('link', { name: 'Photo Viewer' }).click();
  await page.waitForURL(`${base}/apps/${apps.spa}`);
  const rotate = page.getByRole('checkbox', { name: 'Rotate the refresh token on each use' });
  assert.equal(await rotate.isChecked(), true, 'single-page apps always rotate');
  assert.equal(await rotate.isDisabled(), true);

  await page.getByRole('textbox', { name: 'Absolute expiry' }).fill('60d');
  await page.getByRole('checkbox', { name: 'Never' }).nth(1).check();
  await page.getByRole('textbox', { name: 'Redirect URLs' }).fill('https://photos.example.com/callback');
  await page.getByText('You have unsaved changes.').waitFor();

  // Staying: a link and Back both ask, and a refusal keeps the page and its edits.
  dialogs.answer = false;
  const asked = dialogs.seen.length;
  const here = page.url();
  await page.getByRole('link', { name: '← All apps' }).click();
  await page.waitForTimeout(200);
  assert.equal(page.url(), here);
  await page.goBack();
  await page.waitForTimeout(200);
  assert.equal(page.url(), here, JSON.stringify(dialogs.seen));
  assert.deepEqual(dialogs.seen.slice(asked), [
    'You have unsaved changes to this app. Leave without saving?',
    'You have unsaved changes to this app. Leave without saving?',
  ]);
  assert.equal(await page.getByRole('textbox', { name: 'Absolute expiry' }).inputValue(), '60d');
  dialogs.answer = true;
  await shot(page, 'unsaved-changes');

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  await page.reload();
  await page.waitForURL(`${base}/apps/${apps.spa}`);
  await page.getByRole('group', { name: 'Refresh tokens' }).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Absolute expiry' }).inputValue(), '60d');
  assert.equal(await page.getByRole('checkbox', { name: 'Never' }).nth(1).isChecked(), true);
  assert.equal(await page.getByRole('textbox', { name: 'Inactivity expiry' }).isDisabled(), true);
  assert.equal(await rotate.isChecked(), true);
  await shot(page, 'refresh-settings-saved');

  const token = await consoleToken('admin', adminPassword);
  const app = await admin(token, 'GET', `/api/v1/apps/${apps.spa}`);
  assert.equal(app.refresh_token_absolute_lifetime, 60 * 86400);
  assert.equal(app.refresh_token_inactivity_lifetime, null);
  assert.deepEqual(app.redirect_uris, ['https://photos.example.com/callback']);
  assert.deepEqual(errors, []);
});

test('every bad redirect URL is named at once; rotation and expiries are explained in plain sentences', async () => {
  try {
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width > 400 ? 720 : 844 });
      await page.goto(`${base}/apps/${apps.web}`);
      const field = page.getByRole('textbox', { name: 'Redirect URLs', exact: true });
      await field.waitFor();
      const before = await field.inputValue();
      const never = page.getByRole('checkbox', { name: 'Never' }).first();
      const neverBefore = await never.isChecked();
      await field.fill([
        'https://billing.example.com/cb',
        'http://billing.example.com/cb',
        'javascript:alert(1)',
        'https://billing.example.com/cb#top',
        'https://billing.example.com/cb',
      ].join('\n'));
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const error = page.locator('#redirect_uris-error');
      await error.getByText('javascript: scheme is not allowed', { exact: false }).waitFor();
      // One save shows all four problems, one per line.
      const lines = (await error.innerText()).split('\n').filter((l) => l.trim());
      assert.equal(lines.length, 4, lines.join(' | '));
      assert.match(lines[0], /must use https .*\(http:\/\/billing\.example\.com\/cb\)/);
      assert.match(lines[2], /fragment/);
      assert.match(lines[3], /listed twice/);
      await shot(page, `redirect-errors-at-once-${width}`);

      // What rotation does, and why the default differs by type, beside the switch.
      await page.getByText('Each refresh returns a new refresh token and retires the one used', { exact: false }).waitFor();
      await page.getByText('Off by default for web apps', { exact: false }).waitFor();
      // The duration's meaning is its own sentence, not glued to the hint.
      const absolute = page.getByRole('textbox', { name: 'Absolute expiry' });
      const absoluteBefore = await absolute.inputValue();
      await never.uncheck();
      await absolute.fill('30d');
      await page.locator('#refresh_token_absolute_lifetime-hint + .duration-words').getByText('Now: 30 days.', { exact: true }).waitFor();
      assert.equal(await page.getByText('e.g.', { exact: false }).count(), 0);
      assert.ok(await sideways() <= 0, `${width}px scrolls sideways`);
      await shot(page, `settings-hints-${width}`);
      // Put everything back as it was: nothing left unsaved for the next test.
      await absolute.fill(absoluteBefore);
      await never.setChecked(neverBefore);
      await field.fill(before);
      await page.getByText('You have unsaved changes.').waitFor({ state: 'hidden' });
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  assert.deepEqual(errors, []);
});

test('an older success message gives way to the newest one on the app page, at 1280 and 390 px', async () => {
  try {
    for (const [name, viewport] of Object.entries(viewports)) {
      await page.setViewportSize(viewport);
      await page.goto(`${base}/apps/${apps.m2m}`);
      const box = page.getByRole('textbox', { name: 'Public key (PEM or JWK)' });
      await box.waitFor();
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await box.fill(publicKey.export({ type: 'spki', format: 'pem' }));
      await page.getByRole('button', { name: 'Add key' }).click();
      const keyAdded = page.getByText(/^Key .* \(ES256\) added\.$/);
      await keyAdded.waitFor();
      await page.getByRole('textbox', { name: 'Description', exact: true }).fill(`Exports the night's orders (${name}).`);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      // "Key … added." was about an earlier action: it is gone now.
      await keyAdded.waitFor({ state: 'detached' });
      assert.equal(await scrollsSideways(page), false, `${viewport.width}px scrolls sideways`);
      await shot(page, `one-message-at-a-time-${viewport.width}px`);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  assert.deepEqual(errors, []);
});

test('the ID token signature is chosen in a select, saved alone, and kept after a reload', async () => {
  await page.goto(`${base}/apps/${apps.web}`);
  const select = page.getByRole('combobox', { name: 'ID token signature' });
  await select.waitFor();
  assert.equal(await select.inputValue(), 'RS256', 'RS256 by default');
  await page.getByText('RS256 is what every OpenID Connect client supports', { exact: false }).waitFor();
  const sent = requests.length;
  await select.selectOption('ES256');
  await page.getByText('You have unsaved changes.').waitFor();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  // The form sends only what changed.
  const patches = requests.slice(sent).filter((r) => r.startsWith(`${base}/api/v1/apps/${apps.web}\n{`));
  assert.deepEqual(patches.map((r) => JSON.parse(r.split('\n')[1])), [{ id_token_signed_response_alg: 'ES256' }]);

  await page.reload();
  await select.waitFor();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  assert.equal(await select.inputValue(), 'ES256');
  await shot(page, 'id-token-es256-saved');
  const token = await consoleToken('admin', adminPassword);
  const app = await admin(token, 'GET', `/api/v1/apps/${apps.web}`);
  assert.equal(app.id_token_signed_response_alg, 'ES256');
  assert.deepEqual(errors, []);
});

test('the refresh-token reuse grace is set beside the rotation switch, explained, saved and kept after a reload', async () => {
  await page.goto(`${base}/apps/${apps.web}`);
  const group = page.getByRole('group', { name: 'Refresh tokens' });
  await group.waitFor();
  // Beside the rotation switch, in the same group, with its one-sentence explanation.
  await group.getByRole('checkbox', { name: 'Rotate the refresh token on each use' }).waitFor();
  const grace = group.getByRole('spinbutton', { name: 'Reuse grace (seconds)' });
  assert.equal(await grace.inputValue(), '0', 'off by default');
  await group.getByText('after a refresh token is rotated, presenting it again still gets new tokens of the same sign-in', { exact: false }).waitFor();
  // Out of range: the server's own message, before anything is sent.
  await grace.fill('61');
  await grace.blur();
  await group.getByText('Reuse grace must be between 0 and 60 seconds.').waitFor();
  const sent = requests.length;
  await grace.fill('30');
  await page.getByText('You have unsaved changes.').waitFor();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.', { exact: true }).waitFor();
  const patches = requests.slice(sent).filter((r) => r.startsWith(`${base}/api/v1/apps/${apps.web}\n{`));
  assert.deepEqual(patches.map((r) => JSON.parse(r.split('\n')[1])), [{ refresh_token_reuse_grace: 30 }]);

  await page.reload();
  await grace.waitFor();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  assert.equal(await grace.inputValue(), '30');
  await shot(page, 'reuse-grace-saved');
  const token = await consoleToken('admin', adminPassword);
  const app = await admin(token, 'GET', `/api/v1/apps/${apps.web}`);
  assert.equal(app.refresh_token_reuse_grace, 30);
  assert.deepEqual(errors, []);
});

/** `username` signs in to a web app and allows it, through the interaction API as the console
 * pages would; returns the app's tokens. */
async function allowWebApp(app, callback, username, password) {
  const cookies = new Map();
  const keep = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const auth = new URL(`${base}/oauth2/authorize`);
  auth.search = new URLSearchParams({
    response_type: 'code', client_id: app.client_id, redirect_uri: callback, scope: 'openid offline_access', state: 's',
  });
  let res = await fetch(auth, { redirect: 'manual' });
  keep(res);
  const interaction = new URL(res.headers.get('location'), base).searchParams.get('interaction');
  const post = async (step, body) => {
    const r = await fetch(`${base}/api/v1/interactions/${interaction}/${step}`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: base, cookie: cookie() }, body: JSON.stringify(body),
    });
    keep(r);
    assert.equal(r.status, 200, `${step}: ${await r.clone().text()}`);
    return new URL((await r.json()).redirect_to, base);
  };
  let next = await post('login', { username, password });
  if (next.pathname === '/consent') next = await post('consent', { decision: 'allow' });
  res = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic(app.client_id, app.client_secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: next.searchParams.get('code'), redirect_uri: callback }),
  });
  const tokens = await res.json();
  assert.equal(res.status, 200, JSON.stringify(tokens));
  return tokens;
}

test("an app's page shows who allowed it, and Revoke for all users ends their tokens after a confirmation", async () => {
  const token = await consoleToken('admin', adminPassword);
  const callback = `${base}/e2e-callback`;
  const app = await admin(token, 'POST', '/api/v1/apps', { type: 'web', name: 'Team Wiki', redirect_uris: [callback] });
  apps.wiki = app.client_id;
  const alice = await allowWebApp(app, callback, user, userPassword);
  const boss = await allowWebApp(app, callback, 'admin', adminPassword);

  await page.goto(`${base}/apps/${app.client_id}`);
  const panel = page.getByRole('region', { name: 'Users' });
  await panel.getByText(/^2 users have allowed this app · last used \d{4}-\d{2}-\d{2}$/).waitFor();
  const rows = panel.getByRole('table').getByRole('row');
  assert.equal(await rows.count(), 3, 'a header and one row per user');
  // Each user with the scopes they allowed (both allowed within the same second, so in
  // either order).
  const names = [await rows.nth(1).getByRole('cell').first().textContent(), await rows.nth(2).getByRole('cell').first().textContent()];
  assert.deepEqual(names.sort(), ['admin', user].sort());
  assert.equal(await panel.getByRole('cell', { name: 'offline_access openid' }).count(), 2);
  await shot(page, 'app-users');

  // The button asks first; Cancel changes nothing.
  await panel.getByRole('button', { name: 'Revoke for all users' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this app for all users?' });
  await dialog.waitFor();
  await shot(page, 'revoke-for-all-confirm');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const me = async (t) => (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${t.access_token}` } })).status;
  assert.equal(await me(alice), 200);

  await panel.getByRole('button', { name: 'Revoke for all users' }).click();
  await dialog.getByRole('button', { name: 'Revoke for all users' }).click();
  await panel.getByText('Revoked for all users: 2 users must allow the app again; 2 grants and their tokens ended.').waitFor();
  await panel.getByText(/^0 users have allowed this app/).waitFor();
  assert.equal(await panel.getByRole('table').count(), 0);
  await shot(page, 'revoked-for-all');

  // Their tokens are dead; the app and its secret are not.
  for (const t of [alice, boss]) {
    assert.equal(await me(t), 401);
    const res = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic(app.client_id, app.client_secret) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error, 'invalid_grant');
  }
  assert.equal(await secretStatus(app.client_id, app.client_secret), 200);
  await page.reload();
  await page.getByRole('heading', { name: 'Team Wiki', level: 1 }).waitFor();
  await page.getByRole('region', { name: 'Users' }).getByText(/^0 users have allowed this app/).waitFor();
  const { entries } = await admin(token, 'GET', '/api/v1/audit');
  const entry = entries.find((e) => e.action === 'app.grants_revoke' && e.client_id === app.client_id);
  assert.ok(entry, JSON.stringify(entries.slice(0, 3)));
  assert.match(entry.detail, /2 users' consents withdrawn, 2 grants ended$/);
  assert.deepEqual(errors, []);
});

/** Controls no assistive technology could name, and how far the page scrolls sideways. */
function auditPage() {
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const named = (el) => {
    if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby')) return true;
    if (el.tagName === 'BUTTON') return el.textContent.trim() !== '';
    if (el.closest('label')) return true;
    return el.id !== '' && document.querySelector(`label[for="${CSS.escape(el.id)}"]`) !== null;
  };
  const unnamed = [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.type !== 'hidden' && visible(el) && !named(el))
    .map((el) => el.outerHTML.slice(0, 120));
  const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map((el) => `${el.tagName}.${el.className}:${Math.round(el.getBoundingClientRect().right)}`).slice(0, 12);
  return { unnamed, wide, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
}

test('from 360 px wide: nothing scrolls sideways, every control is named, focus is visible', async () => {
  await page.setViewportSize({ width: 360, height: 740 });
  try {
    for (const [path, ready] of [
      ['/apps', 'Applications'],
      ['/apps/new', 'Create an app'],
      [`/apps/${apps.m2m}`, 'Nightly Export'],
      [`/apps/${apps.spa}`, 'Photo Viewer'],
      ['/audit', 'Audit log'],
      ['/account/apps', 'Connected apps'],
    ]) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { name: ready, level: 1 }).waitFor();
      const { unnamed, overflow, wide } = await page.evaluate(auditPage);
      assert.deepEqual(unnamed, [], path);
      assert.ok(overflow <= 0, `${path} scrolls ${overflow}px sideways at 360px: ${wide.join(' ')}`);
      await shot(page, `narrow-${path.split('/').filter(Boolean).slice(0, 2).join('-').replace(apps.m2m, 'm2m').replace(apps.spa, 'spa')}`);
    }
    // Keyboard: Tab reaches the controls and the focused one is outlined.
    await page.goto(`${base}/apps/new`);
    await page.getByRole('heading', { name: 'Create an app' }).waitFor();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    assert.deepEqual(errors, []);
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
});

test('at the limit of 10 apps the Create button is disabled and says why', async () => {
  await page.goto(`${base}/apps`);
  const count = page.getByText(/^\d+ of 10 apps$/);
  let n = Number((await count.textContent()).split(' ')[0]);
  while (n < 10) {
    n += 1;
    await createApp('Single-page application', `Filler ${n}`);
  }
  await page.goto(`${base}/apps`);
  await page.getByText('10 of 10 apps', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create app' }).isDisabled(), true);
  await page.getByText('The limit of 10 apps is reached; delete one to create another.').waitFor();
  await shot(page, 'limit-reached');

  await page.goto(`${base}/apps/new`);
  await page.getByText(/The limit of 10 apps is reached/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Create app' }).isDisabled(), true);
  assert.deepEqual(errors, []);
});

/** Deletes the app named `name` through its page's dialog; the list then says so, once. */
async function deleteThroughThePage(clientId, name, width) {
  await page.goto(`${base}/apps/${clientId}`);
  await page.getByRole('button', { name: 'Delete app…' }).click();
  const confirm = page.getByRole('dialog');
  const go = confirm.getByRole('button', { name: 'Delete app' });
  assert.equal(await go.isDisabled(), true);
  await confirm.getByLabel(/Type the app's name/).fill(name.toLowerCase());
  assert.equal(await go.isDisabled(), true);
  await confirm.getByLabel(/Type the app's name/).fill(name);
  await shot(page, `delete-app-confirm-${width}px`);
  await go.click();
  await page.waitForURL(`${base}/apps`);
  // The list says what happened, once.
  const notice = page.getByRole('status').filter({ hasText: `${name} was deleted.` });
  await notice.waitFor();
  assert.equal(await notice.count(), 1);
  await page.getByText('9 of 10 apps', { exact: true }).waitFor();
  assert.equal(await page.getByRole('link', { name }).count(), 0);
  await page.getByRole('link', { name: 'Create app' }).waitFor();
  assert.equal(await scrollsSideways(page), false, `${width}px scrolls sideways`);
  await shot(page, `app-deleted-notice-${width}px`);

  const token = await consoleToken('admin', adminPassword);
  const res = await fetch(`${base}/api/v1/apps/${clientId}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 404);
}

test('deleting an app asks for its name, then the app is gone, at 1280 and 390 px', async () => {
  try {
    await page.setViewportSize(viewports.desktop);
    await deleteThroughThePage(apps.web, 'Billing Portal', viewports.desktop.width);
    delete apps.web;
    // On a phone: another app (back at the limit), deleted the same way.
    const token = await consoleToken('admin', adminPassword);
    const created = await admin(token, 'POST', '/api/v1/apps', { type: 'machine_to_machine', name: 'Phone Ledger' });
    apps.phone = created.client_id;
    await page.setViewportSize(viewports.phone);
    await deleteThroughThePage(apps.phone, 'Phone Ledger', viewports.phone.width);
    delete apps.phone;
  } finally {
    await page.setViewportSize({ width: 1280, height: 720 });
  }
  assert.deepEqual(errors, []);
});

test('Sign out ends the Portico session: the next visit asks for the password', async () => {
  await page.goto(`${base}/apps`);
  await page.getByText(/\d+ of 10 apps/).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  // A plain "You have signed out" page, not a sign-in form (and nothing else navigates
  // meanwhile)…
  await page.waitForURL(`${base}/signed-out?from=console`);
  await page.getByRole('heading', { name: 'You have signed out' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
  assert.equal(await page.getByLabel('Password').count(), 0);
  await shot(page, 'signed-out-page');
  // …whose Sign in again asks for the password.
  await page.getByRole('link', { name: 'Sign in again' }).click();
  await page.waitForURL(/\/login\?interaction=/);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await shot(page, 'signed-out');
  assert.deepEqual(errors, []);
});

// Speed as users feel it: time to interactive of /apps for a signed-in administrator whose
// browser already holds the console's files (warm cache). Measured from the moment the
// browser is told to open /apps until the apps list (or its empty state) and the "Create
// app" control are on screen, whatever navigations happen in between (a sign-in round trip
// through /oauth2/authorize and /auth/callback counts). Printed and written to
// artifacts/timings.txt (scripts/e2e.sh prints that file); never asserted: a loaded machine
// is slower, and that is not a bug. The same run also times the silent sign-in round trip
// that every full load made before `POST /api/v1/session/console-token` (the call answered
// as if there were no session), so the two figures compare under the same load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  adminPassword, artifacts, base, closeBrowser, closeContext, launch, newPage, screenshots, signIn, viewports,
} from './lib.mjs';

const shot = screenshots(import.meta.filename);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await closeBrowser(browser); });

/** One full load of `path`: milliseconds from the request to the page being usable. */
async function timeToInteractive(page, path) {
  const start = Date.now();
  await page.goto(`${base}${path}`, { waitUntil: 'commit' });
  // Polled on every animation frame, in the page: the first frame that shows the list.
  const ready = await page.waitForFunction(() => {
    const list = document.querySelector('.app-cards, .empty');
    const create = [...document.querySelectorAll('a, button')].some((e) => e.textContent.trim() === 'Create app');
    return list && create && location.pathname === '/apps' ? Date.now() : false;
  }, null, { polling: 'raf', timeout: 30_000 });
  return (await ready.jsonValue()) - start;
}

/** Loads the page (full navigations, not in-app links) `n` times and returns each time. */
async function measure(page, path, n) {
  const times = [];
  for (let i = 0; i < n; i += 1) times.push(await timeToInteractive(page, path));
  return times;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Measures `n` loads of /apps; returns the report line for them. */
async function report(page, label, n) {
  // How many navigations one load makes: the page, and any sign-in round trip.
  const documents = [];
  const onRequest = (r) => { if (r.isNavigationRequest() && r.frame() === page.mainFrame()) documents.push(new URL(r.url()).pathname); };
  page.on('request', onRequest);
  const times = await measure(page, '/apps', n);
  page.off('request', onRequest);
  const loads = documents.length / times.length;
  return `tti /apps (signed in, warm cache, ${viewports.desktop.width}px, ${label}): median ${median(times)} ms, `
    + `min ${Math.min(...times)} ms, max ${Math.max(...times)} ms over ${times.length} loads `
    + `[${times.join(', ')}]; navigations per load: ${loads} (${[...new Set(documents)].join(' → ')})`;
}

test('time to interactive of /apps, signed in, warm cache (reported, not asserted)', async (t) => {
  const { page, errors, context } = await newPage(browser, { viewport: viewports.desktop });
  // Sign in once, the way a user does, which also fills the cache.
  await page.goto(`${base}/apps`);
  await signIn(page, 'admin', adminPassword);
  await page.getByRole('heading', { name: 'Applications' }).waitFor();
  await measure(page, '/apps', 2);
  const now = await report(page, 'tokens from the session', 7);
  await shot(page, 'apps-after-timed-loads');

  // For comparison, in the same run: the silent sign-in round trip every load made before
  // (the session call answered as if there were no session, so the console redirects).
  await page.route(`${base}/api/v1/session/console-token`, (route) => route.fulfill({ status: 204 }));
  await measure(page, '/apps', 2);
  const roundTrip = await report(page, 'sign-in round trip, as before', 7);
  await page.unroute(`${base}/api/v1/session/console-token`);
  assert.deepEqual(errors, []);

  mkdirSync(artifacts, { recursive: true });
  for (const line of [now, roundTrip]) {
    t.diagnostic(line);
    console.log(line);
    appendFileSync(join(artifacts, 'timings.txt'), `${new Date().toISOString()} ${line}\n`);
  }
  await closeContext(context);
});

// The soak: Portico alone (the peer is not its subject) under a mix of every protocol scenario
// at BENCH_SOAK_CONNECTIONS connections for BENCH_SOAK_SECONDS, measured per slice of
// BENCH_SOAK_SLICE seconds: requests/s, p50, p99, errors, and Portico's RSS from start to end.
//
// One wrk (bench.lua, mode "mix") per slice, back to back, on the same apps, chains and feeds:
// wrk reports latency percentiles for a whole run only, and its Lua cannot pair an answer with
// the request it answers, so per-slice percentiles come from one run per slice (the gap between
// two is the few milliseconds wrk takes to exit and start; its connections are opened again).
// One wrk for the whole mix rather than one per kind: each connection's stream then interleaves
// every kind, as a server's traffic does, and the shares hold by construction (see bench.lua)
// rather than by what each kind's own connections happen to reach.
//
// Single-use items cannot run out: authorization codes (they live 60 s, so none can be minted
// for five minutes ahead) and client assertions are fed while the soak runs, by a Feeder per
// kind that keeps about FEED_LEAD_S seconds of each wrk thread's measured use in batch files
// ahead of it; refresh chains renew themselves (each answer's token is the next request's) and
// the code exchanges' refresh tokens start new ones. A kind that still finds nothing at hand is
// counted ("short") and reported as a list that ran out, never as success.
import {
  appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  authorizeUrl, basic, clientAssertions, exchangeCode, mintCodes, pkcePair, pool, portico,
} from './oauth.mjs';

/** The mix, by share of requests (per mille): what real traffic to an authorization server
 * looks like, resource-side checks first, token issuance after (README, "Benchmarks"). */
export const SOAK_MIX = [
  { name: 'introspection', weight: 380, title: 'introspection of a user access token' },
  { name: 'me', weight: 300, title: 'GET /api/v1/me with a bearer token' },
  { name: 'client_credentials_secret', weight: 150, title: 'client_credentials, client_secret_basic' },
  { name: 'client_credentials_jwt', weight: 50, title: 'client_credentials, private_key_jwt (fresh ES256 assertion)' },
  { name: 'refresh_rotation', weight: 100, title: 'refresh_token with rotation (chains)' },
  { name: 'authorization_code', weight: 20, title: 'authorization_code exchange (PKCE, secret)' },
];
const CODE_MAX_AGE_S = 45; // codes live 60 s; older ones are dropped unsent
const ASSERTION_LIFETIME_S = 300;
const FEED_LEAD_S = 10;
// Every soak request comes from one address of its own, through the proxy Portico trusts in
// the bench (--trusted-proxies 127.0.0.1): one busy backend. The per-address budget of failed
// client authentications (20 a minute) is then not the one the scenarios before it may have
// spent from 127.0.0.1, as the per-client budgets are not, the apps being its own.
const SOAK_FROM = 'X-Forwarded-For: 10.99.0.1';
// Before the first slice has shown the real rate: a total above what this machine reaches
// with the mix (it reaches a few thousand requests/s), so the first feeds are ample.
const GUESS_TOTAL_RPS = 15_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps single-use items ahead of each wrk thread: batch files `<name>-t<thread>-<seq>` in
 * `dir`, each written whole and renamed into place; bench.lua reads a thread's next one when it
 * has used the last and deletes it, which is how the feeder sees what was used.
 */
class Feeder {
  constructor({ dir, name, threads, guessRate, produce }) {
    Object.assign(this, { dir, name, threads, guessRate, produce });
    this.present = Array.from({ length: threads }, () => new Map()); // seq -> items
    this.next = new Array(threads).fill(0);
    this.inflight = new Array(threads).fill(null);
    this.consumed = new Array(threads).fill(0);
    this.samples = []; // [ms, consumed per thread]
    this.produced = 0;
    this.failures = 0;
    this.lastError = null;
    this.stopped = false;
    this.measuring = false; // set once the first slice runs
  }

  file(t, seq) { return `${this.name}-t${t}-${seq}`; }

  /** Which batches bench.lua has taken since the last look. */
  scan() {
    const names = new Set(readdirSync(this.dir));
    for (let t = 0; t < this.threads; t++) {
      for (const [seq, n] of this.present[t]) {
        if (!names.has(this.file(t, seq))) {
          this.present[t].delete(seq);
          this.consumed[t] += n;
        }
      }
    }
    const now = Date.now();
    this.samples.push([now, [...this.consumed]]);
    while (this.samples.length > 2 && now - this.samples[1][0] > 30_000) this.samples.shift();
  }

  /** Items a thread uses per second: the higher of the last 5 s and the last 30 s. */
  rate(t) {
    const now = Date.now();
    const [last] = this.samples.slice(-1);
    let best = 0;
    for (const win of [5_000, 30_000]) {
      const base = this.samples.find(([ms]) => now - ms <= win);
      if (base && last[0] - base[0] >= 2_000) best = Math.max(best, (last[1][t] - base[1][t]) * 1000 / (last[0] - base[0]));
    }
    return this.measuring && this.samples.length && now - this.startedMeasuring > 10_000
      ? best : Math.max(best, this.guessRate / this.threads);
  }

  remaining(t) { let n = 0; for (const v of this.present[t].values()) n += v; return n; }
  target(t) { return Math.max(20, Math.ceil(this.rate(t) * FEED_LEAD_S)); }

  /** Per thread, the batch its next run starts from (BENCH_FEED_START). */
  starts() {
    this.scan();
    return this.present.map((m, t) => Math.min(...m.keys(), this.inflight[t] ?? Infinity, this.next[t]));
  }

  startMeasuring() { this.measuring = true; this.startedMeasuring = Date.now(); }

  async run() {
    while (!this.stopped) {
      this.scan();
      let t = -1;
      let most = 0;
      for (let i = 0; i < this.threads; i++) {
        const deficit = this.target(i) - this.remaining(i);
        if (deficit > most) { most = deficit; t = i; }
      }
      if (t < 0) { await sleep(100); continue; }
      const n = Math.min(400, Math.max(10, Math.ceil(this.rate(t) / 2), Math.ceil(most / 4)));
      const seq = this.next[t]++;
      this.inflight[t] = seq;
      const mintedS = Math.floor(Date.now() / 1000); // the oldest item's time, rounded down
      let items = [];
      try {
        items = await this.produce(n);
      } catch (e) {
        this.failures++;
        this.lastError = e.message;
      }
      // Written even when empty, so that the thread waiting for this seq moves on.
      const tmp = join(this.dir, `.tmp-${this.file(t, seq)}`);
      writeFileSync(tmp, items.map((item) => `${mintedS}\t${item}\n`).join(''));
      renameSync(tmp, join(this.dir, this.file(t, seq)));
      this.present[t].set(seq, items.length);
      this.inflight[t] = null;
      this.produced += items.length;
      if (!items.length) await sleep(1000);
    }
  }

  /** Waits until every thread has its target ahead (at most `ms`). */
  async filled(ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      this.scan();
      if (Array.from({ length: this.threads }, (_, t) => this.remaining(t) >= this.target(t)).every(Boolean)) return true;
      await sleep(100);
    }
    return false;
  }

  summary() {
    this.scan();
    const left = this.present.reduce((a, _, t) => a + this.remaining(t), 0);
    return { produced: this.produced, taken: this.consumed.reduce((a, b) => a + b, 0), left, failures: this.failures, lastError: this.lastError };
  }
}

/**
 * Apps of the soak's own, made through the admin API, so that it shares no client (nor a
 * client's attempt budget) with the scenarios before it: machine-to-machine with a secret,
 * one with an ES256 key pair, a web app with rotation; alice signed in once, with consent.
 */
async function soakApps(p, { ADMIN, USER, REDIRECT }) {
  const token = await portico.adminToken(p.base, ADMIN.username, ADMIN.password);
  const admin = (m, path, b) => portico.admin(p.base, token, m, path, b);
  const m2m = await admin('POST', '/apps', { type: 'machine_to_machine', name: 'soak m2m secret' });
  const m2mJwt = await admin('POST', '/apps', { type: 'machine_to_machine', name: 'soak m2m jwt' });
  const pair = await admin('POST', `/apps/${m2mJwt.client_id}/key-pairs`, { alg: 'ES256' });
  const web = await admin('POST', '/apps', { type: 'web', name: 'soak web' });
  await admin('PATCH', `/apps/${web.client_id}`, { redirect_uris: [REDIRECT], rotate_refresh_token: true });
  const pkce = pkcePair();
  const params = {
    response_type: 'code', client_id: web.client_id, redirect_uri: REDIRECT,
    scope: 'openid profile email offline_access', state: 'soak',
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  };
  const webAuth = basic(web.client_id, web.client_secret);
  const { code, jar } = await portico.signIn(p.base, params, USER.username, USER.password);
  const first = await exchangeCode(`${p.base}/oauth2/token`, webAuth, code, REDIRECT, pkce.verifier);
  return {
    m2mAuth: basic(m2m.client_id, m2m.client_secret),
    jwt: { clientId: m2mJwt.client_id, audience: `${p.base}/oauth2/token`, privateKeyPem: pair.private_key_pem, kid: pair.kid },
    webAuth, pkce, jar, userToken: first.access_token,
    codeUrl: authorizeUrl(p.base, '/oauth2/authorize', params).toString(),
  };
}

/** Runs the soak on Portico `p`; returns what the report needs. */
export async function soak(p, { wrk, wrkThreads, status, log, cfg, ADMIN, USER, REDIRECT, ASSERTION_TYPE, FORM }) {
  const conns = cfg.soakConns;
  const total = cfg.soakSeconds;
  const sliceS = cfg.soakSlice;
  const threads = wrkThreads(conns);
  const dir = join(cfg.work, 'soak');
  const feedDir = join(dir, 'feed');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(feedDir, { recursive: true });
  log(`soak: ${total} s at ${conns} connections, slices of ${sliceS} s, Portico only`);
  const a = await soakApps(p, { ADMIN, USER, REDIRECT });
  const tail = `&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${a.pkce.verifier}`;
  const token = { method: 'POST', path: '/oauth2/token' };
  const kinds = {
    introspection: { source: 'fixed', method: 'POST', path: '/oauth2/introspect', prefix: `token=${a.userToken}&token_type_hint=access_token`, headers: [FORM, `Authorization: ${a.webAuth}`] },
    me: { source: 'fixed', method: 'GET', path: '/api/v1/me', prefix: '', headers: [`Authorization: Bearer ${a.userToken}`] },
    client_credentials_secret: { source: 'fixed', ...token, prefix: 'grant_type=client_credentials', headers: [FORM, `Authorization: ${a.m2mAuth}`] },
    client_credentials_jwt: { source: 'feed', maxAge: ASSERTION_LIFETIME_S - 60, ...token, prefix: '', headers: [FORM] },
    refresh_rotation: { source: 'chain', ...token, prefix: 'grant_type=refresh_token&refresh_token=', headers: [FORM, `Authorization: ${a.webAuth}`] },
    authorization_code: { source: 'feed', maxAge: CODE_MAX_AGE_S, ...token, prefix: 'grant_type=authorization_code&code=', suffix: tail, headers: [FORM, `Authorization: ${a.webAuth}`] },
  };
  const mixFile = join(dir, 'mix.tsv');
  writeFileSync(mixFile, SOAK_MIX.map(({ name, weight }) => {
    const k = kinds[name];
    return [name, weight, k.source, k.maxAge ?? 0, k.method, k.path, k.prefix, k.suffix ?? '', ...k.headers, SOAK_FROM].join('\t');
  }).join('\n') + '\n');
  const share = (name) => SOAK_MIX.find((k) => k.name === name).weight / SOAK_MIX.reduce((t, k) => t + k.weight, 0);

  // Refresh chains: two a connection and spares, so that a refresh always finds a token
  // while its thread's other connections hold theirs; a thread keeps at most its share.
  const seeds = conns * 2 + 8;
  /** Refresh tokens of `n` new sessions (as many as succeed). */
  const newChains = async (n) => {
    let codes = [];
    try { codes = await mintCodes(a.codeUrl, a.jar, n, { concurrency: 8 }); } catch { /* none */ }
    const tokens = await pool(codes.length, 8, (i) =>
      exchangeCode(`${p.base}/oauth2/token`, a.webAuth, codes[i], REDIRECT, a.pkce.verifier).catch(() => null));
    return tokens.filter(Boolean).map((t) => t.refresh_token);
  };
  const seedTokens = await newChains(seeds);
  if (seedTokens.length < conns) throw new Error(`soak: only ${seedTokens.length} refresh tokens for ${conns} connections`);
  const chainIn = join(dir, 'chains-in.txt');
  const chainOut = join(dir, 'chains-out.txt');
  writeFileSync(chainIn, seedTokens.join('\n') + '\n');
  const chainCap = Math.ceil(seeds / threads);
  let chainsAdded = 0;

  const feeders = [
    new Feeder({
      dir: feedDir, name: 'authorization_code', threads, guessRate: GUESS_TOTAL_RPS * share('authorization_code'),
      // As many authorize requests in flight as it takes to keep up with a saturated
      // server (each waits its turn like any other request: tens of ms), 16 to 48.
      produce: async (n) => (await mintCodes(a.codeUrl, a.jar, n, { concurrency: Math.min(48, Math.max(16, Math.ceil(n / 2))) })).map(encodeURIComponent),
    }),
    new Feeder({
      dir: feedDir, name: 'client_credentials_jwt', threads, guessRate: GUESS_TOTAL_RPS * share('client_credentials_jwt'),
      produce: async (n) => clientAssertions(n, { ...a.jwt, lifetime: ASSERTION_LIFETIME_S }).map((x) =>
        `grant_type=client_credentials&client_assertion_type=${ASSERTION_TYPE}&client_assertion=${x}`),
    }),
  ];
  const running = feeders.map((f) => f.run());
  const filled = await Promise.all(feeders.map((f) => f.filled(60_000)));
  if (!filled.every(Boolean)) log('soak: the feeds did not fill in 60 s; starting anyway (shortfalls will be reported)');

  const pids = [p.proc.pid, ...p.others.map((o) => o.pid)];
  const rss = () => pids.map((pid) => status(pid));
  const before = rss();
  const slices = [];
  const t0 = Date.now();
  for (const f of feeders) f.startMeasuring();
  const n = Math.ceil(total / sliceS);
  try {
    for (let i = 0; i < n; i++) {
      const secs = Math.min(sliceS, total - i * sliceS);
      // Error answers end chains (a code exchange's token starts one only when it succeeds):
      // below half the seeds, new sessions top them up between slices, so the mix keeps its
      // refresh share; the report counts them.
      const have = readFileSync(chainIn, 'utf8').split('\n').filter(Boolean).length;
      if (have < seeds / 2) {
        const more = await newChains(seeds - have);
        if (more.length) appendFileSync(chainIn, more.join('\n') + '\n');
        chainsAdded += more.length;
        log(`  soak: ${have} refresh chains left; ${more.length} new ones added`);
      }
      const start = rss();
      const feedStart = feeders.map((f) => `${f.name}=${f.starts().join(',')}`).join(';');
      const at = (Date.now() - t0) / 1000;
      const r = await wrk({
        url: `${p.base}/`, method: 'GET', mode: 'mix', headers: [], duration: secs,
        env: {
          BENCH_MIX: mixFile, BENCH_FEED_DIR: feedDir, BENCH_FEED_START: feedStart,
          BENCH_CHAIN_LIST: chainIn, BENCH_CHAIN_OUT: chainOut, BENCH_CHAIN_CAP: String(chainCap),
        },
      }, conns, p.proc.pid);
      renameSync(chainOut, chainIn);
      const end = rss();
      const secsRun = r.duration_us / 1e6;
      const non2xx = Object.values(r.statuses).reduce((x, y) => x + y, 0);
      const inactive = r.error_codes.inactive ?? 0;
      const socket = r.connect_errors + r.read_errors + r.write_errors + r.timeouts;
      const s = {
        i: i + 1, at, secs: secsRun, requests: r.requests,
        rps: r.requests / secsRun, okRps: Math.max(0, r.requests - non2xx - inactive) / secsRun,
        p50: r.p50_us / 1000, p90: r.p90_us / 1000, p99: r.p99_us / 1000, max: r.max_us / 1000,
        errors: non2xx + inactive + socket, non2xx, inactive, socket,
        statuses: r.statuses, errorCodes: r.error_codes, sent: r.sent, short: r.short, stale: r.stale,
        chainsLeft: r.chains_left, chainsEnded: r.chains_ended,
        rssStart: start.map((x) => x.rss), rssEnd: end.map((x) => x.rss), rssPeak: r.rss_kb, hwm: end.map((x) => x.hwm),
      };
      slices.push(s);
      const shortN = Object.values(s.short).reduce((x, y) => x + y, 0);
      log(`soak ${String(s.i).padStart(2)}/${n} ${secsRun.toFixed(0)} s ${s.rps.toFixed(0).padStart(6)} req/s ` +
        `p50 ${s.p50.toFixed(2)} ms p99 ${s.p99.toFixed(2)} ms errors ${s.errors}` +
        `${s.errors ? ` ${JSON.stringify(s.errorCodes)}${socket ? ` socket ${socket}` : ''}` : ''} ` +
        `RSS ${s.rssStart.map((x) => (x / 1024).toFixed(1)).join('/')} → ${s.rssEnd.map((x) => (x / 1024).toFixed(1)).join('/')} MB` +
        `${shortN ? ` (list ran out: ${JSON.stringify(s.short)})` : ''}`);
    }
  } finally {
    for (const f of feeders) f.stopped = true;
    await Promise.all(running);
  }
  const sum = (key) => {
    const out = {};
    for (const s of slices) for (const [k, v] of Object.entries(s[key])) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const last = slices.at(-1);
  // RSS growth: from the end of the first slice (every kind has run at full load: pools,
  // caches and buffers are as big as this load makes them) to the end of the last; with a
  // single slice, from before the load.
  const base = slices.length > 1 ? slices[0].rssEnd : before.map((x) => x.rss);
  const growth = last.rssEnd.map((x, k) => (base[k] ? ((x - base[k]) / base[k]) * 100 : null));
  const out = {
    conns, seconds: total, sliceS, threads, copies: pids.length, slices,
    requests: slices.reduce((t, s) => t + s.requests, 0),
    errors: slices.reduce((t, s) => t + s.errors, 0),
    socket: slices.reduce((t, s) => t + s.socket, 0),
    statuses: sum('statuses'), errorCodes: sum('errorCodes'), sent: sum('sent'), short: sum('short'), stale: sum('stale'),
    shortTotal: Object.values(sum('short')).reduce((x, y) => x + y, 0),
    rssBefore: before.map((x) => x.rss), rssBase: base, rssEnd: last.rssEnd, hwm: last.hwm,
    baseLabel: slices.length > 1 ? `end of slice 1 (${slices[0].secs.toFixed(0)} s)` : 'before the load',
    growth, maxGrowth: Math.max(...growth.map((g) => g ?? -Infinity)),
    feeds: Object.fromEntries(feeders.map((f) => [f.name, f.summary()])),
    chains: { seeds: seedTokens.length, cap: chainCap * threads, left: last.chainsLeft, added: chainsAdded },
    elapsed: (Date.now() - t0) / 1000,
  };
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  return out;
}

const mb = (kb) => (kb / 1024).toFixed(1);
const each = (xs, f) => xs.map(f).join(' / ');

/** The soak's rows in the targets table (`t` adds one). */
export function soakTargets(sk, t, dbLabel) {
  if (!sk) {
    t('soak: 0 errors over the soak at 64 connections', '–', null);
    t('soak: RSS growth start→end ≤ 10%', '–', null);
    return;
  }
  const ran = sk.shortTotal ? `; a list ran out: ${Object.entries(sk.short).filter(([, v]) => v).map(([k, v]) => `${v} ${k} not sent`).join(', ')}` : '';
  t(`soak: 0 errors over ${sk.seconds} s at ${sk.conns} connections (${dbLabel}, every scenario mixed)`,
    `${sk.errors} errors in ${sk.requests} requests${ran}`, sk.errors === 0 && !sk.shortTotal);
  t('soak: RSS growth start→end ≤ 10%',
    `${each(sk.growth, (g) => (g == null ? '–' : `${g >= 0 ? '+' : ''}${g.toFixed(1)}%`))} (${each(sk.rssBase, mb)} → ${each(sk.rssEnd, mb)} MB from the ${sk.baseLabel}; VmHWM ${each(sk.hwm, mb)} MB)`,
    Number.isFinite(sk.maxGrowth) ? sk.maxGrowth <= 10 : null);
}

/** The report's "Soak" section. */
export function soakSection(sk, dbLabel) {
  const L = ['## Soak', ''];
  if (!sk) return [...L, 'not measured (scenario `soak`)', ''];
  const totalW = SOAK_MIX.reduce((x, k) => x + k.weight, 0);
  const copies = sk.copies > 1 ? ` (${sk.copies} copies: RSS figures are per copy, a / b)` : '';
  L.push(`Portico alone (the peer is not the subject here), ${dbLabel}${copies}: ${sk.seconds} s at ${sk.conns} connections`,
    `(wrk, ${sk.threads} threads), last in the run, on apps of its own, from an address of its own`,
    `(\`${SOAK_FROM}\`, Portico trusting 127.0.0.1 as a proxy). Every connection's request`,
    'stream interleaves every protocol scenario in the shares below (bench.lua, mode `mix`): one wrk',
    `per slice of ${sk.sliceS} s, back to back, so that each slice has its own percentiles. Codes and`,
    'client assertions are minted and signed while it runs, about 10 s ahead of use (so the feed',
    '`GET /oauth2/authorize` of a signed-in browser adds about one request per code exchange, not',
    'counted below); refresh chains carry over from slice to slice. An error is any answer but a',
    '2xx (a 400 or a 429 included), an introspection answering `"active":false`, or a socket error',
    'or timeout (5 s). A refresh chain ends at an error answer, so errors can also leave refresh',
    'requests unsent for want of a token.', '');
  L.push('| kind | share | sent | not sent: list ran out | dropped unsent: stale |', '|---|--:|--:|--:|--:|');
  for (const k of SOAK_MIX) {
    L.push(`| ${k.title} | ${((k.weight / totalW) * 100).toFixed(1)}% | ${sk.sent[k.name] ?? 0} | ${sk.short[k.name] ?? 0} | ${sk.stale[k.name] ?? 0} |`);
  }
  L.push('');
  L.push(`| slice | from s | req/s | 2xx/s | p50 ms | p90 ms | p99 ms | max ms | errors | RSS start MB | RSS end MB | peak MB${sk.copies > 1 ? ' (first copy)' : ''} |`,
    '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const s of sk.slices) {
    const why = [...Object.entries(s.errorCodes).map(([k, v]) => `${k}: ${v}`), ...(s.socket ? [`socket/timeout: ${s.socket}`] : [])];
    L.push(`| ${s.i} | ${s.at.toFixed(0)} | ${s.rps.toFixed(0)} | ${s.okRps.toFixed(0)} | ${s.p50.toFixed(2)} | ${s.p90.toFixed(2)} | ${s.p99.toFixed(2)} | ${s.max.toFixed(1)} | ` +
      `${s.errors}${s.errors ? ` (${why.join(', ')})` : ''} | ${each(s.rssStart, mb)} | ${each(s.rssEnd, mb)} | ${mb(s.rssPeak)} |`);
  }
  L.push('');
  L.push(`- requests: ${sk.requests} answered; errors: ${sk.errors}` +
    (sk.errors ? ` (${Object.entries(sk.errorCodes).map(([k, v]) => `${k}: ${v}`).join(', ')}${sk.socket ? `, socket errors and timeouts: ${sk.socket}` : ''})` : ''));
  L.push(`- RSS (VmRSS): before the load ${each(sk.rssBefore, mb)} MB, ${sk.baseLabel} ${each(sk.rssBase, mb)} MB, end ${each(sk.rssEnd, mb)} MB: ` +
    `${each(sk.growth, (g) => (g == null ? '–' : `${g >= 0 ? '+' : ''}${g.toFixed(1)}%`))}; VmHWM at the end ${each(sk.hwm, mb)} MB; "peak" is the highest 100 ms sample in the slice`);
  for (const [name, f] of Object.entries(sk.feeds)) {
    L.push(`- feed ${name}: ${f.produced} made, ${f.taken} taken by wrk, ${f.left} left unused at the end` +
      (f.failures ? `; ${f.failures} batches failed (${f.lastError})` : ''));
  }
  L.push(`- refresh chains: ${sk.chains.seeds} to begin with, at most ${sk.chains.cap} kept, ${sk.chains.left} left at the end` +
    (sk.chains.added ? `; ${sk.chains.added} new ones added between slices, after error answers had ended chains` : ''));
  L.push('');
  return L;
}

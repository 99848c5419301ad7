// The benchmark run: Portico, node-oidc-provider and an axum ceiling, side by side, driven by
// wrk on loopback; writes docs/benchmarks.md. Started by bench/run, which installs and builds
// what this needs. Settings (environment):
//   BENCH_DURATION      seconds per timed run (default 10)
//   BENCH_CONNECTIONS   connection counts (default 1,16,64)
//   BENCH_REPEATS       A B A B rounds for the headline scenarios (default 2)
//   BENCH_SCENARIOS     comma list to run a subset (default all; the names in bench/run)
//   BENCH_OUT           the report (default docs/benchmarks.md; "-" for stdout only)
//   BENCH_PORTICO       the Portico binary (default $CARGO_TARGET_DIR or target/, release/portico)
//   BENCH_PERF          1: flat perf profiles; graph: with DWARF call graphs; stat: counters
//   BENCH_SOAK_SECONDS  length of the soak (default 300), BENCH_SOAK_CONNECTIONS (64),
//   BENCH_SOAK_SLICE    seconds per reported slice of it (60); see soak.mjs
//   BENCH_ID_TOKEN_ALG  how both servers sign the web app's ID tokens: ES256 (default) or RS256
//                       (as every earlier run)
import { spawn, execFileSync } from 'node:child_process';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpus, totalmem, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, gunzipSync, brotliCompressSync, brotliDecompressSync, constants as zc } from 'node:zlib';
import {
  Jar, basic, clientAssertions, exchangeCode, mintCodes, pkcePair, pool, portico, peer,
  authorizeUrl,
} from './oauth.mjs';
import { soak, soakSection, soakTargets } from './soak.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const cfg = {
  duration: Number(env.BENCH_DURATION ?? 10),
  conns: (env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number),
  repeats: Number(env.BENCH_REPEATS ?? 2),
  scenarios: env.BENCH_SCENARIOS ? new Set(env.BENCH_SCENARIOS.split(',')) : null,
  // BENCH_DATABASE=postgres: Portico on the throwaway PostgreSQL server bench/run starts
  // (PORTICO_TEST_POSTGRES_URL), BENCH_COPIES copies of it behind wrk's threads in turn.
  postgres: env.BENCH_DATABASE === 'postgres' ? env.PORTICO_TEST_POSTGRES_URL : null,
  copies: Number(env.BENCH_COPIES ?? 1),
  out: env.BENCH_OUT ?? join(root, env.BENCH_DATABASE === 'postgres'
    ? `docs/benchmarks-postgres-${env.BENCH_COPIES ?? 1}.md` : 'docs/benchmarks.md'),
  portico: env.BENCH_PORTICO ?? join(env.CARGO_TARGET_DIR ? resolve(env.CARGO_TARGET_DIR) : join(root, 'target'), 'release/portico'),
  ceiling: join(env.CARGO_TARGET_DIR ? resolve(env.CARGO_TARGET_DIR) : join(root, 'bench/ceiling/target'), 'release/portico-bench-ceiling'),
  work: join(root, 'bench/.work'),
  lua: join(root, 'bench/lib/bench.lua'),
  soakSeconds: Number(env.BENCH_SOAK_SECONDS ?? 300),
  soakConns: Number(env.BENCH_SOAK_CONNECTIONS ?? 64),
  soakSlice: Number(env.BENCH_SOAK_SLICE ?? 60),
  // The web app's id_token_signed_response_alg, the same on both servers.
  idTokenAlg: env.BENCH_ID_TOKEN_ALG ?? 'ES256',
};
if (!['ES256', 'RS256'].includes(cfg.idTokenAlg)) throw new Error(`BENCH_ID_TOKEN_ALG must be ES256 or RS256, not ${cfg.idTokenAlg}`);
const DB_LABEL = cfg.postgres ? `PostgreSQL${cfg.copies > 1 ? `, ${cfg.copies} copies` : ''}` : 'SQLite';
const API = 'https://api.bench.test/';
const REDIRECT = 'http://127.0.0.1/bench/callback';
const USER = { username: 'alice', password: randomBytes(18).toString('base64url'), name: 'Alice Bench', email: 'alice@bench.test' };
const ADMIN = { username: 'admin', password: randomBytes(18).toString('base64url') };
const started = Date.now();
/** Whether any of `keys` is among the scenarios to run (all of them without BENCH_SCENARIOS). */
const wants = (...keys) => !cfg.scenarios || keys.some((k) => cfg.scenarios.has(k));
// The scenarios that compare Portico with the peer (and, the first, with the ceiling).
const PROTOCOL = ['client_credentials_secret', 'client_credentials_jwt', 'refresh_rotation',
  'introspection', 'authorization_code', 'me'];
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s]`, ...a);

// ---------------------------------------------------------------------------------------
// Processes

const children = new Set();
function launch(name, cmd, args, extraEnv = {}) {
  const out = openSync(join(cfg.work, `${name}.log`), 'a');
  const proc = spawn(cmd, args, {
    env: { ...env, ...extraEnv }, stdio: ['ignore', out, out],
  });
  children.add(proc);
  proc.on('exit', () => children.delete(proc));
  return proc;
}
async function stop(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
function killAll() {
  for (const p of children) p.kill('SIGKILL');
}
process.on('exit', killAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { killAll(); process.exit(130); });

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/** Polls `url` until it answers 200; returns the ms it took from `t0` (performance.now()). */
async function waitReady(url, proc, t0 = performance.now(), timeoutMs = 30_000) {
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${url}: the server exited (${proc.exitCode})`);
    try {
      const res = await fetch(url, { headers: { connection: 'close' } });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - t0;
    } catch { /* not listening yet */ }
    if (performance.now() - t0 > timeoutMs) throw new Error(`${url} not ready in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function status(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

// ---------------------------------------------------------------------------------------
// wrk

let seq = 0;
/** wrk's threads for `c` connections (bench.lua splits lists and feeds by thread). */
const wrkThreads = (c) => Math.min(c, 2);
/**
 * One timed run. spec: { url, method, headers[], mode: fixed|list|chain|mix, body, lines[],
 * chainPrefix, duration (s; default BENCH_DURATION), env (more for bench.lua) }. Returns the
 * summary with req/s of successful answers and peak RSS.
 */
let porticoAddrs = null; // set once Portico is up: its copies, for BENCH_ADDRS
async function wrk(spec, c, pid) {
  if (!spec.addrs && porticoAddrs && spec.url.startsWith(porticoAddrs.base)) spec = { ...spec, addrs: porticoAddrs.list };
  const threads = wrkThreads(c);
  const duration = spec.duration ?? cfg.duration; // the soak's slices set their own
  const id = ++seq;
  const outFile = join(cfg.work, `wrk-${id}.json`);
  const benchEnv = {
    BENCH_MODE: spec.mode, BENCH_METHOD: spec.method, BENCH_THREADS: String(threads),
    BENCH_OUT: outFile, ...spec.env,
  };
  if (spec.body !== undefined) benchEnv.BENCH_BODY = spec.body;
  if (spec.lines) {
    const listFile = join(cfg.work, `list-${id}.txt`);
    writeFileSync(listFile, `${spec.lines.join('\n')}\n`);
    benchEnv.BENCH_LIST = listFile;
  }
  if (spec.chainPrefix) benchEnv.BENCH_CHAIN_PREFIX = spec.chainPrefix;
  // Several copies: each wrk thread talks to the next copy in turn (bench.lua, setup).
  if (spec.addrs && spec.addrs.length > 1) benchEnv.BENCH_ADDRS = spec.addrs.join(',');
  const args = ['-t', String(threads), '-c', String(c), '-d', `${duration}s`, '--timeout', '5s',
    '-s', cfg.lua, ...spec.headers.flatMap((h) => ['-H', h]), spec.url];
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, status(pid).rss); }, 100);
  // BENCH_PERF=1: a flat perf profile of Portico during each of its runs (bench/.work/perf-*).
  // BENCH_PERF=stat: counters instead (CPU time, context switches, sleeps), per request.
  let perf;
  const statFile = join(cfg.work, `perf-stat-${id}.csv`);
  if (env.BENCH_PERF === 'stat' && spec.profileAs) {
    perf = spawn('perf', ['stat', '-x', ',', '-o', statFile, '-e',
      'task-clock,context-switches,syscalls:sys_enter_clock_nanosleep,syscalls:sys_enter_futex',
      '-p', String(pid), '--', 'sleep', String(duration)], { stdio: 'ignore' });
  } else if (env.BENCH_PERF && spec.profileAs) {
    const graph = env.BENCH_PERF === 'graph' ? ['--call-graph', 'dwarf,16384'] : [];
    perf = spawn('perf', ['record', '-F', '999', ...graph, '-p', String(pid), '-o',
      join(cfg.work, `perf-${spec.profileAs}-c${c}-${id}.data`), '--', 'sleep', String(duration)],
    { stdio: 'ignore' });
  }
  const proc = spawn('wrk', args, { env: { ...env, ...benchEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  proc.stdout.resume();
  const code = await new Promise((r) => proc.on('exit', r));
  clearInterval(sampler);
  peak = Math.max(peak, status(pid).rss);
  if (perf && perf.exitCode === null) await new Promise((r) => perf.on('exit', r));
  if (code !== 0) throw new Error(`wrk exited ${code}: ${stderr}`);
  if (env.BENCH_DEBUG && stderr) log(`wrk stderr: ${stderr.trim()}`);
  const r = JSON.parse(readFileSync(outFile, 'utf8'));
  rmSync(outFile);
  if (benchEnv.BENCH_LIST) rmSync(benchEnv.BENCH_LIST);
  const secs = r.duration_us / 1e6;
  if (perf && env.BENCH_PERF === 'stat') {
    const counts = {};
    for (const line of readFileSync(statFile, 'utf8').split('\n')) {
      const f = line.split(',');
      if (f.length > 3 && f[0] && !Number.isNaN(Number(f[0]))) counts[f[2]] = Number(f[0]);
    }
    const per = (k) => (counts[k] ?? 0) / Math.max(1, r.requests);
    log(`  perf stat ${spec.profileAs} c=${c}: per request ${(per('task-clock') * 1000).toFixed(1)} µs CPU, ` +
      `${per('context-switches').toFixed(2)} context switches, ${per('syscalls:sys_enter_futex').toFixed(2)} futex calls, ` +
      `${per('syscalls:sys_enter_clock_nanosleep').toFixed(3)} sleeps`);
  }
  const errors = r.status_errors + r.connect_errors + r.read_errors + r.write_errors + r.timeouts;
  return {
    ...r,
    errors,
    rps: Math.max(0, r.requests - r.status_errors) / secs,
    // With a list that ran out, the rate while it lasted.
    rate_while_listed: r.exhausted && r.exhausted_at_s > 0 ? r.used / r.exhausted_at_s : null,
    rss_kb: peak,
  };
}

// ---------------------------------------------------------------------------------------
// Setup

function sh(cmd, args, input) {
  return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}
function tryVersion(cmd, args) {
  try { return sh(cmd, args).split('\n')[0]; } catch { return 'n/a'; }
}

async function startPortico(dbUrl, port, issuer) {
  const proc = launch('portico', cfg.portico, ['serve', '--addr', `127.0.0.1:${port}`, '--management-addr', '127.0.0.1:0', '--shutdown-delay', '0',
    '--database-url', dbUrl, '--console-dir', join(root, 'dist'), '--trusted-proxies', '127.0.0.1', ...(issuer ? ['--issuer', issuer] : [])]);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/.well-known/openid-configuration`, proc);
  return { proc, base };
}

async function setupPortico() {
  const dbUrl = cfg.postgres ?? `sqlite://${join(cfg.work, 'portico.db')}`;
  // Users the real way: `portico user add`, password on standard input, before the start.
  sh(cfg.portico, ['user', 'add', ADMIN.username, '--admin', '--database-url', dbUrl], `${ADMIN.password}\n`);
  sh(cfg.portico, ['user', 'add', USER.username, '--email', USER.email, '--name', USER.name,
    '--database-url', dbUrl], `${USER.password}\n`);
  const port = await freePort();
  const { proc, base } = await startPortico(dbUrl, port);
  // Further copies on the same database answer for the first one's issuer.
  const addrs = [`127.0.0.1:${port}`];
  const others = [];
  for (let i = 1; i < cfg.copies; i++) {
    const p2 = await freePort();
    others.push((await startPortico(dbUrl, p2, base)).proc);
    addrs.push(`127.0.0.1:${p2}`);
  }
  const token = await portico.adminToken(base, ADMIN.username, ADMIN.password);
  const admin = (m, p, b) => portico.admin(base, token, m, p, b);
  const m2m = await admin('POST', '/apps', { type: 'machine_to_machine', name: 'bench m2m secret' });
  const m2mJwt = await admin('POST', '/apps', { type: 'machine_to_machine', name: 'bench m2m jwt' });
  const pair = await admin('POST', `/apps/${m2mJwt.client_id}/key-pairs`, { alg: 'ES256' });
  const web = await admin('POST', '/apps', { type: 'web', name: 'bench web' });
  await admin('PATCH', `/apps/${web.client_id}`, { redirect_uris: [REDIRECT], rotate_refresh_token: true,
    id_token_signed_response_alg: cfg.idTokenAlg });
  const pkce = pkcePair();
  const params = (scope) => ({
    response_type: 'code', client_id: web.client_id, redirect_uri: REDIRECT, scope, state: 'bench',
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const webAuth = basic(web.client_id, web.client_secret);
  // One sign-in with consent; afterwards authorize answers this browser with a code at once.
  const { code, jar } = await portico.signIn(base, params('openid profile email offline_access'),
    USER.username, USER.password);
  const first = await exchangeCode(`${base}/oauth2/token`, webAuth, code, REDIRECT, pkce.verifier);
  const codeUrl = authorizeUrl(base, '/oauth2/authorize', params('openid profile email offline_access')).toString();
  return {
    name: cfg.copies > 1 ? `Portico ×${cfg.copies}` : 'Portico', proc, base, dbUrl, port, addrs, others,
    tokenUrl: `${base}/oauth2/token`, introspectUrl: `${base}/oauth2/introspect`, meUrl: `${base}/api/v1/me`,
    m2mAuth: basic(m2m.client_id, m2m.client_secret),
    jwt: { clientId: m2mJwt.client_id, audience: `${base}/oauth2/token`, privateKeyPem: pair.private_key_pem, kid: pair.kid },
    webAuth, pkce,
    userToken: first.access_token, // a user's access token: for /api/v1/me and introspection
    mintCodes: (n, deadline) => mintCodes(codeUrl, jar, n, { concurrency: 16, deadline }),
    mintWindowMs: 35_000, // its codes live 60 s: minted and used within that
    mintSeeds: (n) => mintCodes(codeUrl, jar, n, { concurrency: 8 }),
    loginParams: params('openid profile email'),
  };
}

async function setupPeer() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secret = () => randomBytes(32).toString('base64url');
  const m2mSecret = secret();
  const webSecret = secret();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bench-m2m-jwt-key';
  const clientsFile = join(cfg.work, 'peer-clients.json');
  writeFileSync(clientsFile, JSON.stringify({
    user: { id: 'bench-user-alice', username: USER.username, name: USER.name, email: USER.email },
    clients: [
      { client_id: 'bench-m2m', client_secret: m2mSecret, grant_types: ['client_credentials'],
        response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' },
      { client_id: 'bench-m2m-jwt', grant_types: ['client_credentials'], response_types: [],
        redirect_uris: [], token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] } },
      { client_id: 'bench-web', client_secret: webSecret,
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: cfg.idTokenAlg },
    ],
  }));
  const proc = launch('peer', process.execPath, [join(root, 'bench/peer/peer.mjs'), String(port), clientsFile]);
  await waitReady(`${base}/.well-known/openid-configuration`, proc);
  const pkce = pkcePair();
  const params = (scope, extra = {}) => ({
    response_type: 'code', client_id: 'bench-web', redirect_uri: REDIRECT, scope, state: 'bench',
    code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra,
  });
  const webAuth = basic('bench-web', webSecret);
  // Codes for the API (JWT access token). offline_access survives only with prompt=consent
  // here (the peer's interaction route answers it at once): used for the refresh chains'
  // seeds. The codes for the exchange runs skip that round trip (the peer issues their
  // refresh tokens anyway, see peer.mjs).
  const scope = 'openid profile email offline_access api:read';
  const seedParams = params(scope, { resource: API, prompt: 'consent' });
  const codeParams = params(scope, { resource: API });
  const { jar } = await peer.signIn(base, seedParams);
  const mint = (p, concurrency) => async (n, deadline = Infinity) => {
    const codes = [];
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n && Date.now() < deadline) {
        next++;
        codes.push((await peer.signIn(base, p, cloneJar(jar))).code);
      }
    }));
    return codes;
  };
  // The UserInfo token (opaque, kept in memory): what its /me (userinfo) and introspection take.
  const { code } = await peer.signIn(base, params('openid profile email'), cloneJar(jar));
  const first = await exchangeCode(`${base}/token`, webAuth, code, REDIRECT, pkce.verifier);
  const probe = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${first.access_token}` } });
  if (probe.status !== 200) throw new Error(`peer userinfo answered ${probe.status}`);
  return {
    name: 'node-oidc-provider', proc, base,
    tokenUrl: `${base}/token`, introspectUrl: `${base}/token/introspection`, meUrl: `${base}/me`,
    m2mAuth: basic('bench-m2m', m2mSecret),
    jwt: { clientId: 'bench-m2m-jwt', audience: `${base}/token`, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }), kid },
    webAuth, pkce,
    userToken: first.access_token,
    mintCodes: mint(codeParams, 16),
    // Its authorize endpoint mints codes slowly (about 300/s here); their lifetime is raised
    // to 10 min in peer.mjs so that a whole run's worth can be minted before it starts.
    mintWindowMs: 120_000,
    // One at a time: concurrent consent rounds on one session are refused by the peer.
    mintSeeds: mint(seedParams, 1),
  };
}

function cloneJar(jar) {
  const j = new Jar();
  for (const [k, v] of jar.cookies) j.cookies.set(k, v);
  return j;
}

async function setupCeiling() {
  const port = await freePort();
  const proc = launch('ceiling', cfg.ceiling, [`127.0.0.1:${port}`]);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/`, proc);
  return { name: 'axum ceiling', proc, base, tokenUrl: `${base}/oauth2/token` };
}

/** One request of each scenario, checked, before any timed run: a run of errors is no figure. */
async function probe(srv) {
  const form = (url, body, authorization) => fetch(url, {
    method: 'POST', body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
  });
  const need = async (what, res, keys = []) => {
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${srv.name} ${what}: ${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text);
    for (const k of keys) if (!body[k]) throw new Error(`${srv.name} ${what}: no ${k} in ${text.slice(0, 300)}`);
    return body;
  };
  await need('client_credentials', await form(srv.tokenUrl, 'grant_type=client_credentials', srv.m2mAuth), ['access_token']);
  const [a] = clientAssertions(1, srv.jwt);
  await need('private_key_jwt', await form(srv.tokenUrl,
    `grant_type=client_credentials&client_assertion_type=${ASSERTION_TYPE}&client_assertion=${a}`), ['access_token']);
  for (const [what, mint] of [['code', srv.mintCodes], ['seed', srv.mintSeeds]]) {
    const [code] = await mint(1, Infinity);
    const t = await need(`${what} exchange`, await form(srv.tokenUrl, new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: srv.pkce.verifier,
    }).toString(), srv.webAuth), ['access_token', 'id_token', 'refresh_token']);
    const r = await need('refresh', await form(srv.tokenUrl,
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(t.refresh_token)}`, srv.webAuth),
    ['access_token', 'id_token', 'refresh_token']);
    if (r.refresh_token === t.refresh_token) throw new Error(`${srv.name}: refresh token not rotated`);
    for (const { id_token: jwt } of [t, r]) {
      const { alg } = JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url'));
      if (alg !== cfg.idTokenAlg) throw new Error(`${srv.name}: ${alg} ID token, not ${cfg.idTokenAlg}`);
    }
  }
  const i = await need('introspection', await form(srv.introspectUrl,
    `token=${srv.userToken}&token_type_hint=access_token`, srv.webAuth));
  if (i.active !== true) throw new Error(`${srv.name}: introspection says inactive`);
  await need('me', await fetch(srv.meUrl, { headers: { authorization: `Bearer ${srv.userToken}` } }), ['sub']);
}

// ---------------------------------------------------------------------------------------
// Scenarios: each turns a server into a wrk spec (minting what must be fresh per request).

const FORM = 'Content-Type: application/x-www-form-urlencoded';
const ASSERTION_TYPE = encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
const results = []; // { scenario, server, c, rep, ...wrk }
const best = (scenario, server, c) => {
  const rs = results.filter((r) => r.scenario === scenario && r.server === server && (c === undefined || r.c === c));
  return rs.length ? Math.max(...rs.map((r) => r.rate_while_listed ?? r.rps)) : null;
};

/** Runs a list scenario, minting again once with the measured rate if the list ran out. */
async function listRun(scenario, srv, c, makeLines, firstGuess) {
  let n = Math.ceil(firstGuess * cfg.duration * 1.3) + 200;
  for (let attempt = 1; ; attempt++) {
    const mintStart = Date.now();
    const spec = await makeLines(n);
    const mintSecs = (Date.now() - mintStart) / 1000;
    const r = await wrk(spec, c, srv.proc.pid);
    r.minted = spec.lines.length;
    r.mint_s = mintSecs;
    if (!r.exhausted || attempt === 2 || spec.lines.length < n) return r;
    log(`  ${scenario} ${srv.name} c=${c}: ${spec.lines.length} ran out after ${r.exhausted_at_s}s, minting more`);
    n = Math.ceil((r.rate_while_listed ?? n / cfg.duration) * cfg.duration * 1.4) + 200;
  }
}

const scenarios = {
  client_credentials_secret: {
    title: 'client_credentials, client_secret_basic',
    headline: true,
    withCeiling: true,
    spec: (srv) => ({
      url: srv.tokenUrl, method: 'POST', mode: 'fixed', body: 'grant_type=client_credentials',
      headers: [FORM, `Authorization: ${srv.m2mAuth ?? 'Basic Y2VpbGluZzpjZWlsaW5n'}`],
    }),
  },
  client_credentials_jwt: {
    title: 'client_credentials, private_key_jwt (ES256)',
    run: (srv, c) => listRun('client_credentials_jwt', srv, c, async (n) => ({
      url: srv.tokenUrl, method: 'POST', mode: 'list', headers: [FORM], profileAs: profiled(srv, 'client_credentials_jwt'),
      lines: clientAssertions(n, srv.jwt).map((a) =>
        `grant_type=client_credentials&client_assertion_type=${ASSERTION_TYPE}&client_assertion=${a}`),
    }), best('client_credentials_jwt', srv.name) ? best('client_credentials_jwt', srv.name) * 1.6
      : best('client_credentials_secret', srv.name, c) ?? 2000),
  },
  refresh_rotation: {
    title: 'refresh_token with rotation',
    headline: true,
    run: async (srv, c) => {
      // One chain per connection (and spares): each answer's new refresh token is sent next.
      const seeds = c * 2 + 8;
      const codes = await srv.mintSeeds(seeds);
      const tokens = await pool(codes.length, 8, (i) =>
        exchangeCode(srv.tokenUrl, srv.webAuth, codes[i], REDIRECT, srv.pkce.verifier));
      if (tokens.length < c) throw new Error(`${srv.name}: only ${tokens.length} refresh tokens for ${c} chains`);
      return wrk({
        url: srv.tokenUrl, method: 'POST', mode: 'chain', headers: [FORM, `Authorization: ${srv.webAuth}`], profileAs: profiled(srv, 'refresh_rotation'),
        lines: tokens.map((t) => t.refresh_token), chainPrefix: 'grant_type=refresh_token&refresh_token=',
      }, c, srv.proc.pid);
    },
  },
  introspection: {
    title: 'introspection of a user access token',
    spec: (srv) => ({
      url: srv.introspectUrl, method: 'POST', mode: 'fixed',
      body: `token=${srv.userToken}&token_type_hint=access_token`,
      headers: [FORM, `Authorization: ${srv.webAuth}`],
    }),
  },
  authorization_code: {
    title: 'authorization_code exchange (PKCE, secret; access, refresh and ID token)',
    run: (srv, c) => listRun('authorization_code', srv, c, async (n) => {
      const codes = await srv.mintCodes(n, Date.now() + srv.mintWindowMs);
      const tail = `&redirect_uri=${encodeURIComponent(REDIRECT)}&code_verifier=${srv.pkce.verifier}`;
      return {
        url: srv.tokenUrl, method: 'POST', mode: 'list', headers: [FORM, `Authorization: ${srv.webAuth}`], profileAs: profiled(srv, 'authorization_code'),
        lines: codes.map((code) => `grant_type=authorization_code&code=${encodeURIComponent(code)}${tail}`),
      };
    }, 1.1 * Math.max(best('authorization_code', srv.name) ?? 0, best('refresh_rotation', srv.name, c) ?? 0, 300)),
  },
  me: {
    title: 'GET /api/v1/me with a bearer token (peer: userinfo)',
    spec: (srv) => ({
      url: srv.meUrl, method: 'GET', mode: 'fixed', headers: [`Authorization: Bearer ${srv.userToken}`],
    }),
  },
};

const profiled = (srv, key) => (srv.name === 'Portico' ? key : undefined);

async function runScenario(key, servers, ceiling) {
  const s = scenarios[key];
  if (cfg.scenarios && !cfg.scenarios.has(key)) return;
  const reps = s.headline ? cfg.repeats : 1;
  for (const c of cfg.conns) {
    for (let rep = 1; rep <= reps; rep++) {
      const order = s.withCeiling && ceiling ? [...servers, ceiling] : servers;
      for (const srv of order) {
        const r = s.run ? await s.run(srv, c) : await wrk({ ...s.spec(srv), profileAs: profiled(srv, key) }, c, srv.proc.pid);
        results.push({ scenario: key, server: srv.name, c, rep, ...r });
        log(`${key.padEnd(26)} ${srv.name.padEnd(18)} c=${String(c).padStart(2)} ` +
          `${r.rps.toFixed(0).padStart(7)} req/s p50 ${(r.p50_us / 1000).toFixed(2)} ms ` +
          `p99 ${(r.p99_us / 1000).toFixed(2)} ms RSS ${(r.rss_kb / 1024).toFixed(1)} MB` +
          `${r.errors ? ` errors ${r.errors}` : ''}${r.exhausted ? ' (list ran out)' : ''}`);
      }
    }
  }
}

async function loginRuns(srv) {
  if (cfg.scenarios && !cfg.scenarios.has('login')) return;
  const body = JSON.stringify({ username: USER.username, password: USER.password });
  // Sign-ins from 256 addresses in turn (X-Forwarded-For, from a trusted proxy: Portico
  // runs with --trusted-proxies 127.0.0.1), as from many browsers: the sign-in limits
  // allow a few attempts in progress per user and address (runtime/limits.rs), and from
  // one address the rest of 16 or 64 connections would measure only quick 429 answers.
  const from = (k) => `X-Forwarded-For: 10.14.0.${k % 256}`;
  const runOne = async (s, c) => {
    const r = await listRun('login', s, c, async (n) => {
      const made = await pool(n, 16, () => portico.newInteraction(s.base, s.loginParams));
      return {
        url: `${s.base}/`, method: 'POST', mode: 'list', profileAs: 'login', addrs: s.addrs,
        headers: ['Content-Type: application/json', `Origin: ${srv.base}`],
        lines: made.map((i, k) => `${body}\t/api/v1/interactions/${i.id}/login\tCookie: ${i.cookie}\t${from(k)}`),
      };
    }, Math.max(best('login', s.name) ?? 0, 60));
    // VmHWM: the copy's peak RSS since it started, which no 100 ms sample can miss.
    r.hwm_kb = status(s.proc.pid).hwm;
    results.push({ scenario: 'login', server: s.name, c, rep: 1, ...r });
    log(`login (argon2id)           ${s.name.padEnd(18)} c=${String(c).padStart(2)} ${r.rps.toFixed(0).padStart(7)} req/s ` +
      `p50 ${(r.p50_us / 1000).toFixed(1)} ms p99 ${(r.p99_us / 1000).toFixed(1)} ms RSS ${(r.rss_kb / 1024).toFixed(1)} MB ` +
      `(VmHWM ${(r.hwm_kb / 1024).toFixed(1)} MB)${r.errors ? ` errors ${r.errors}` : ''}${r.exhausted ? ' (list ran out)' : ''}`);
  };
  // The one-core figure, in the same run: a second copy on the same database, pinned to
  // core 0 by taskset. Portico runs one argon2id per core it may use (the affinity mask),
  // so this copy runs one at a time. wrk is not pinned: it shares the cores as before. The
  // two copies take turns at each connection count, so a machine whose speed drifts (a
  // shared VM) drifts for both alike.
  // (Several copies: the all-cores figure is theirs together; no one-core comparison.)
  let one = null;
  const taskset = cfg.copies === 1 && tryVersion('taskset', ['-V']) !== 'n/a';
  if (cfg.copies === 1 && !taskset) log('login: no taskset here; the one-core figure is not measured');
  if (taskset) {
    const port = await freePort();
    const proc = launch('portico-1core', 'taskset', ['-c', '0', cfg.portico, 'serve', '--addr', `127.0.0.1:${port}`,
      '--management-addr', '127.0.0.1:0', '--shutdown-delay', '0', '--database-url', srv.dbUrl,
      '--console-dir', join(root, 'dist'), '--issuer', srv.base, '--trusted-proxies', '127.0.0.1']);
    const base = `http://127.0.0.1:${port}`;
    await waitReady(`${base}/.well-known/openid-configuration`, proc);
    one = { ...srv, name: ONE_CORE(srv.name), proc, base, addrs: [`127.0.0.1:${port}`] };
  }
  for (const c of cfg.conns) {
    await runOne(srv, c);
    if (one) await runOne(one, c);
  }
  if (one) await stop(one.proc);
}
const ONE_CORE = (name) => `${name} (1 core)`;

async function coldStarts(dbUrl) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const once = async (url) => {
    const port = await freePort();
    const t0 = performance.now();
    const proc = launch('portico-cold', cfg.portico, ['serve', '--addr', `127.0.0.1:${port}`, '--management-addr', '127.0.0.1:0', '--shutdown-delay', '0',
      '--database-url', url, '--console-dir', join(root, 'dist')]);
    const ms = await waitReady(`http://127.0.0.1:${port}/.well-known/openid-configuration`, proc, t0);
    await stop(proc);
    return ms;
  };
  const existing = [];
  for (let i = 0; i < 5; i++) existing.push(await once(dbUrl));
  const fresh = [];
  for (let i = 0; i < 5; i++) fresh.push(await once(`sqlite://${join(cfg.work, `cold-${i}.db`)}`));
  return { existing, fresh, existingMedian: median(existing), freshMedian: median(fresh) };
}

function bundle() {
  const dist = join(root, 'dist');
  let files;
  try { files = readdirSync(dist).filter((f) => /\.(wasm|js)$/.test(f)); } catch { return null; }
  if (!files.length) return null;
  const rows = files.map((f) => {
    const buf = readFileSync(join(dist, f));
    return {
      file: f,
      raw: buf.length,
      gzip: gzipSync(buf, { level: 9 }).length,
      brotli: brotliCompressSync(buf, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
      mtime: statSync(join(dist, f)).mtime,
    };
  });
  const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  return { rows, total };
}

// ---------------------------------------------------------------------------------------
// The console on the wire (issue 14): what a browser downloads from the running Portico.

/** Chromium's Accept-Encoding; the server picks brotli from it. */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';

/**
 * One GET on `agent`'s single keep-alive connection, as a browser sends it. Returns the status,
 * headers, the body as it came (still compressed), and the bytes received for it on the wire
 * (status line, headers and body, counted on the socket).
 */
function wireGet(agent, base, path, headers) {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest(`${base}${path}`, { agent, headers: { 'accept-encoding': BROWSER_ENCODINGS, ...headers } });
    req.on('error', reject);
    req.on('socket', (socket) => {
      const before = socket.bytesRead;
      req.on('response', (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => resolvePromise({
          path, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks),
          wire: socket.bytesRead - before,
        }));
      });
    });
    req.end();
  });
}

/** A body as the browser reads it, whatever its Content-Encoding. */
function decoded(r) {
  const coding = r.headers['content-encoding'];
  return coding === 'br' ? brotliDecompressSync(r.body) : coding === 'gzip' ? gunzipSync(r.body) : r.body;
}

/**
 * A first visit (an empty cache: GET / and every file index.html names, each once, as Chromium
 * does for the stylesheet, the module preload of the JS, the wasm preload and the icon), then a
 * repeat visit with that cache warm: what is fresh by its Cache-Control (max-age, and not
 * no-cache) is not requested at all; the rest is revalidated with If-None-Match /
 * If-Modified-Since from the first answers (RFC 9111 §4.3.1). Returns both lists of requests.
 */
async function consoleTransfer(base) {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = [await wireGet(agent, base, '/', { accept: 'text/html' })];
    if (first[0].status !== 200) throw new Error(`console_transfer: GET / answered ${first[0].status}`);
    const html = decoded(first[0]).toString('utf8');
    // Every same-origin file the page names: href/src attributes and the start-up module's URLs.
    const files = [...new Set([...html.matchAll(/["'](\/[^"'\s?#]+\.[a-z0-9]+)["']/gi)].map((m) => m[1]))];
    if (!files.some((f) => f.endsWith('.wasm'))) throw new Error('console_transfer: index.html names no .wasm (no dist/?)');
    for (const f of files) {
      const r = await wireGet(agent, base, f, { accept: '*/*' });
      if (r.status !== 200) throw new Error(`console_transfer: GET ${f} answered ${r.status}`);
      first.push(r);
    }
    const repeat = [];
    for (const r of first) {
      const cc = r.headers['cache-control'] ?? '';
      const maxAge = Number(cc.match(/max-age=(\d+)/)?.[1] ?? 0);
      if (maxAge > 0 && !/no-cache|no-store/.test(cc)) {
        repeat.push({ path: r.path, status: 'cached', headers: {}, body: Buffer.alloc(0), wire: 0 });
        continue;
      }
      const conditional = {};
      if (r.headers.etag) conditional['if-none-match'] = r.headers.etag;
      if (r.headers['last-modified']) conditional['if-modified-since'] = r.headers['last-modified'];
      repeat.push(await wireGet(agent, base, r.path, { accept: r.path === '/' ? 'text/html' : '*/*', ...conditional }));
    }
    const total = (rs) => rs.reduce((t, r) => t + r.wire, 0);
    const result = { first, repeat, firstBytes: total(first), repeatBytes: total(repeat) };
    log(`console_transfer: first visit ${result.firstBytes} B on the wire (${first.length} requests), ` +
      `repeat visit ${result.repeatBytes} B (${repeat.filter((r) => r.wire).length} requests)`);
    return result;
  } finally {
    agent.destroy();
  }
}

/** The targets of issue 14, as rows of the targets table (`t` adds one). */
function consoleTransferTargets(ct, t) {
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  t('console first visit ≤ 300 KB on the wire (issue 14; headers included, 1 KB = 1000 B)', ct ? kb(ct.firstBytes) : '–', ct ? ct.firstBytes <= 300_000 : null);
  t('console repeat visit ≤ 5 KB on the wire (issue 14; warm cache)', ct ? kb(ct.repeatBytes) : '–', ct ? ct.repeatBytes <= 5_000 : null);
}

/** The report's section: every request of both visits. */
function consoleTransferSection(ct) {
  const L = ['## Console on the wire', ''];
  if (!ct) return [...L, 'not measured (scenario `console_transfer`)', ''];
  L.push('Bytes received from the running Portico (release build, `dist/` from `trunk build --release`',
    'with its precompressed copies) over HTTP/1.1 on loopback, counted on the socket: status line,',
    `headers and body as sent. Requests carry \`Accept-Encoding: ${BROWSER_ENCODINGS}\` as Chromium's do.`,
    'First visit: an empty cache, `/` and every file `index.html` names, once each. Repeat visit:',
    'what the first answers made fresh (`max-age`, not `no-cache`) is not requested; the rest is',
    'revalidated with `If-None-Match` / `If-Modified-Since`.', '');
  L.push('| visit | path | status | encoding | Cache-Control | body bytes | on the wire |', '|---|---|--:|---|---|--:|--:|');
  for (const [visit, rs] of [['first', ct.first], ['repeat', ct.repeat]]) {
    for (const r of rs) {
      L.push(`| ${visit} | \`${r.path}\` | ${r.status} | ${r.headers['content-encoding'] ?? (r.status === 200 ? 'identity' : '–')} | ` +
        `${r.headers['cache-control'] ?? '–'} | ${r.body.length} | ${r.wire} |`);
    }
  }
  L.push(`| first visit | | | | | | **${ct.firstBytes}** |`, `| repeat visit | | | | | | **${ct.repeatBytes}** |`, '');
  return L;
}

// ---------------------------------------------------------------------------------------
// Report

function machine() {
  const cpu = cpus();
  let gitRev = 'n/a';
  try {
    gitRev = sh('git', ['-C', root, 'rev-parse', '--short', 'HEAD']);
    if (sh('git', ['-C', root, 'status', '--porcelain', '--', 'server', 'proto', 'Cargo.toml', 'Cargo.lock'])) gitRev += ' (with uncommitted server changes)';
  } catch { /* not a checkout */ }
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: tryVersion('uname', ['-sr']),
    rustc: tryVersion('rustc', ['--version']),
    node: process.version,
    wrk: tryVersion('sh', ['-c', 'wrk --version 2>&1 | head -1']).replace(/ Copyright.*/, ''),
    peer: (() => {
      try {
        return `oidc-provider ${JSON.parse(readFileSync(join(root, 'bench/peer/node_modules/oidc-provider/package.json'), 'utf8')).version}`;
      } catch { return 'oidc-provider not installed (not needed for this run)'; }
    })(),
    portico: gitRev,
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
function agg(scenario, server, c) {
  const rs = results.filter((r) => r.scenario === scenario && r.server === server && r.c === c);
  if (!rs.length) return null;
  return {
    rps: mean(rs.map((r) => r.rps)),
    p50: mean(rs.map((r) => r.p50_us)) / 1000,
    p99: mean(rs.map((r) => r.p99_us)) / 1000,
    rss: Math.max(...rs.map((r) => r.rss_kb)) / 1024,
    errors: rs.reduce((t, r) => t + r.errors, 0),
    exhausted: rs.some((r) => r.exhausted),
    runs: rs.length,
  };
}
const peakRps = (scenario, server) => Math.max(0, ...cfg.conns.map((c) => agg(scenario, server, c)?.rps ?? 0));

function report({ mach, cold, bun, ct, sk, date, elapsed, loadBefore, loadAfter, names }) {
  const f0 = (x) => (x == null ? '–' : x.toFixed(0));
  const f2 = (x) => (x == null ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
  const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
  const L = [];
  L.push('# Benchmarks', '');
  L.push('Written by `bench/run` — do not edit by hand; run it again. Portico (release build, ' +
    (cfg.postgres
      ? `PostgreSQL: a local throwaway server, default settings (synchronous_commit on), sharing the cores; ${cfg.copies} cop${cfg.copies > 1 ? 'ies, each wrk thread sending to the next copy in turn' : 'y'}; durable writes)`
      : 'SQLite file, durable writes)'),
    'against node-oidc-provider (in memory) and a trivial axum server that',
    'answers every request with a fixed token response (the ceiling any axum server reaches here),',
    'all on 127.0.0.1, each driven by the same wrk. The load generator shares the cores with the',
    'server under test.', '');
  L.push(`- date: ${date} (run took ${(elapsed / 60).toFixed(1)} min)`);
  L.push(`- machine: ${mach.cpu}, ${mach.cores} cores, ${mach.memory}, ${mach.kernel}`);
  L.push(`- load average before / after: ${loadBefore} / ${loadAfter}`);
  L.push(`- versions: ${mach.rustc}; node ${mach.node}; ${mach.peer}; ${mach.wrk}; Portico ${mach.portico}`);
  L.push(`- ID tokens: ${cfg.idTokenAlg} on both servers (\`BENCH_ID_TOKEN_ALG\`; the web app's \`id_token_signed_response_alg\`)`);
  L.push(`- each run: ${cfg.duration} s; wrk with min(connections, 2) threads; headline scenarios`,
    `  run ${cfg.repeats}× in turn (Portico, peer, ceiling, Portico, …) and averaged`);
  L.push('');
  L.push('## Throughput and latency', '');
  L.push('Requests/s count successful answers only. RSS is the peak VmRSS sampled every 100 ms during the run.', '');
  L.push(`| scenario | conns | Portico req/s | p50 ms | p99 ms | RSS MB | peer req/s | p50 ms | p99 ms | RSS MB | ceiling req/s | Portico/peer | Portico/ceiling |`);
  L.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  const notes = [];
  for (const [key, s] of Object.entries(scenarios)) {
    for (const c of cfg.conns) {
      const p = agg(key, names.portico, c);
      if (!p) continue;
      const n = agg(key, names.peer, c);
      const ce = agg('client_credentials_secret', names.ceiling, c);
      const mark = (a) => (a && (a.errors || a.exhausted) ? '*' : '');
      if ((p.errors || p.exhausted) || (n && (n.errors || n.exhausted))) {
        notes.push(`${key} at ${c}: Portico ${p.errors} errors${p.exhausted ? ', list ran out' : ''}; peer ${n?.errors ?? 0} errors${n?.exhausted ? ', list ran out' : ''}`);
      }
      L.push(`| ${s.title} | ${c} | ${f0(p.rps)}${mark(p)} | ${f2(p.p50)} | ${f2(p.p99)} | ${f2(p.rss)} | ` +
        `${f0(n?.rps)}${mark(n)} | ${f2(n?.p50)} | ${f2(n?.p99)} | ${f2(n?.rss)} | ${f0(ce?.rps)} | ${ratio(p.rps, n?.rps)} | ${ratio(p.rps, ce?.rps)} |`);
    }
  }
  for (const [server, label] of [[names.portico, 'all cores'], [ONE_CORE(names.portico), 'copy pinned to 1 core']]) {
    const login = cfg.conns.map((c) => [c, agg('login', server, c)]).filter(([, a]) => a);
    for (const [c, a] of login) {
      L.push(`| sign-in (argon2id, POST interaction login; ${label}) | ${c} | ${f0(a.rps)}${a.errors || a.exhausted ? '*' : ''} | ${f2(a.p50)} | ${f2(a.p99)} | ${f2(a.rss)} | – | – | – | – | – | – | – |`);
    }
  }
  L.push('');
  if (notes.length) {
    L.push('\\* errors or a minted list that ran out in the run (the figure is then a lower bound):', '');
    for (const n of notes) L.push(`- ${n}`);
    L.push('');
  }

  // Targets (issues 7 and 14).
  const P = names.portico;
  const N = names.peer;
  const cc = (srv) => peakRps('client_credentials_secret', srv);
  const p99at64 = agg('client_credentials_secret', P, 64)?.p99;
  const protoRss = Math.max(0, ...results.filter((r) => r.server === P && r.scenario !== 'login').map((r) => r.rss_kb)) / 1024;
  const loginRss = Math.max(0, ...results.filter((r) => r.server === P && r.scenario === 'login').map((r) => r.rss_kb)) / 1024;
  const targets = [];
  const t = (name, measured, pass) => targets.push(`| ${name} | ${measured} | ${pass == null ? 'not measured' : pass ? 'PASS' : 'MISS'} |`);
  const rt = (sc, k) => {
    const a = peakRps(sc, P);
    const b = peakRps(sc, N);
    return [a && b ? a / b : null, a, b];
  };
  {
    const [r, a, b] = rt('client_credentials_secret');
    t('client_credentials (secret) ≥ 8× peer (peak req/s)', r == null ? '–' : `${r.toFixed(2)}× (${f0(a)} vs ${f0(b)})`, r == null ? null : r >= 8);
    const ce = cc(names.ceiling);
    t('client_credentials (secret) ≥ 40% of the axum ceiling (peak req/s)', ce ? `${((a / ce) * 100).toFixed(0)}% (${f0(a)} vs ${f0(ce)})` : '–', ce ? a / ce >= 0.4 : null);
    t('client_credentials (secret) p99 at 64 connections < 5 ms', p99at64 == null ? '–' : `${p99at64.toFixed(2)} ms`, p99at64 == null ? null : p99at64 < 5);
  }
  {
    const [r, a, b] = rt('refresh_rotation');
    t(`refresh with rotation (Portico on ${DB_LABEL}) ≥ 2× peer in memory (peak)`, r == null ? '–' : `${r.toFixed(2)}× (${f0(a)} vs ${f0(b)})`, r == null ? null : r >= 2);
  }
  // Issue 14: the write path at 16 and 64 connections, each against the peer at the same
  // count (on PostgreSQL refresh too; the code exchange also by its p99 on SQLite).
  const atConns = (sc, c) => {
    const a = agg(sc, P, c);
    const b = agg(sc, N, c);
    return { r: a && b && b.rps ? a.rps / b.rps : null, a, b };
  };
  const writeScenarios = cfg.postgres
    ? [['authorization_code', 'authorization_code exchange'], ['refresh_rotation', 'refresh with rotation']]
    : [['authorization_code', 'authorization_code exchange']];
  for (const [sc, label] of writeScenarios) {
    for (const c of [16, 64]) {
      const { r, a, b } = atConns(sc, c);
      t(`${label} (${DB_LABEL}) ≥ 2× peer at ${c} connections`, r == null ? '–' : `${r.toFixed(2)}× (${f0(a.rps)} vs ${f0(b.rps)})`, r == null ? null : r >= 2);
      if (sc === 'authorization_code' && !cfg.postgres) {
        t(`${label} p99 at ${c} connections ≤ 20 ms`, a ? `${a.p99.toFixed(1)} ms` : '–', a ? a.p99 <= 20 : null);
      }
    }
  }
  {
    const [r, a, b] = rt('client_credentials_jwt');
    const want = cfg.postgres ? 4 : 3;
    t(`private_key_jwt client_credentials (${DB_LABEL}) ≥ ${want}× peer (peak)`, r == null ? '–' : `${r.toFixed(2)}× (${f0(a)} vs ${f0(b)})`, r == null ? null : r >= want);
  }
  for (const [sc, label] of [['introspection', 'introspection'], ['me', '/api/v1/me (peer: userinfo)']]) {
    const [r, a, b] = rt(sc);
    t(`${label} ≥ 5× peer`, r == null ? '–' : `${r.toFixed(2)}× (${f0(a)} vs ${f0(b)})`, r == null ? null : r >= 5);
  }
  t('server RSS under load ≤ 60 MB (protocol scenarios, peak)', protoRss ? `${protoRss.toFixed(1)} MB` : '–', protoRss ? protoRss <= 60 : null);
  {
    // Issue 14: sign-in uses every core. Both figures from this run (see loginRuns).
    const all = peakRps('login', P);
    const one = peakRps('login', ONE_CORE(P));
    const r = all && one ? all / one : null;
    t(`sign-in on all ${mach.cores} cores ≥ 1.8× a copy pinned to one core (peak sign-ins/s)`, r == null ? '–' : `${r.toFixed(2)}× (${f0(all)} vs ${f0(one)})`, r == null ? null : r >= 1.8);
    t(`sign-in ≥ 100/s on 2 cores (of the faster machine; here ${mach.cores} cores)`, all ? `${f0(all)}/s` : '–', all && mach.cores === 2 ? all >= 100 : null);
    const hwm = Math.max(0, ...results.filter((x) => x.server === P && x.scenario === 'login').map((x) => x.hwm_kb ?? 0)) / 1024;
    t('server RSS during the sign-in runs ≤ 60 MB (peak of 100 ms samples; VmHWM since start)', loginRss ? `${loginRss.toFixed(1)} MB (VmHWM ${hwm.toFixed(1)} MB)` : '–', loginRss ? loginRss <= 60 : null);
  }
  t('cold start < 300 ms (existing database, median of 5)', cold ? `${cold.existingMedian.toFixed(0)} ms` : '–', cold ? cold.existingMedian < 300 : null);
  t('cold start < 300 ms (new database: migrations, keys, admin, median of 5)', cold ? `${cold.freshMedian.toFixed(0)} ms` : '–', cold ? cold.freshMedian < 300 : null);
  t('console ≤ 350 KB gzip (wasm + JS, 1 KB = 1000 B)', bun ? `${(bun.total.gzip / 1000).toFixed(1)} KB (${(bun.total.gzip / 1024).toFixed(1)} KiB)` : '–', bun ? bun.total.gzip <= 350_000 : null);
  consoleTransferTargets(ct, t);
  soakTargets(sk, t, DB_LABEL);
  L.push('## Targets (issues 7 and 14)', '');
  L.push('Ratios compare each server\'s best requests/s over the connection counts.', '');
  L.push('| target | measured | result |', '|---|---|---|', ...targets, '');
  L.push(...soakSection(sk, DB_LABEL));

  L.push('## Cold start', '');
  if (cold) {
    L.push('From spawning `portico serve` to the first 200 from `/.well-known/openid-configuration`.', '');
    L.push(`- existing database (a restart): ${cold.existing.map((x) => x.toFixed(0)).join(', ')} ms → median ${cold.existingMedian.toFixed(0)} ms`);
    L.push(`- new database (migrations, signing keys, generated admin password hashed): ${cold.fresh.map((x) => x.toFixed(0)).join(', ')} ms → median ${cold.freshMedian.toFixed(0)} ms`);
  } else L.push('not measured');
  L.push('');
  L.push('## Console bundle', '');
  if (bun) {
    L.push(`From \`dist/\` (built ${bun.rows.map((r) => r.mtime.toISOString()).sort().at(-1)}). gzip -9, brotli quality 11.`, '');
    L.push('| file | raw | gzip | brotli |', '|---|--:|--:|--:|');
    for (const r of bun.rows) L.push(`| ${r.file} | ${r.raw} | ${r.gzip} | ${r.brotli} |`);
    L.push(`| total | ${bun.total.raw} | ${bun.total.gzip} | ${bun.total.brotli} |`);
  } else L.push('not measured: no `dist/` (run `trunk build --release`)');
  L.push('');
  L.push(...consoleTransferSection(ct));
  L.push('## What each scenario sends', '');
  L.push('- **client_credentials, secret**: the same form body with HTTP Basic credentials every time.',
    '- **private_key_jwt**: a fresh ES256 client assertion (unique `jti`, audience the token endpoint) per request, signed before the run.',
    `- **refresh with rotation**: one chain per connection; each answer's new refresh token is the next request's (wrk Lua). Scope \`openid profile email offline_access\`, so both servers also sign an ${cfg.idTokenAlg} ID token per refresh. Portico writes every rotation to ${DB_LABEL} (on SQLite: one job, sharing a transaction with the jobs queued beside it, on its writer thread) and signs the ID token ${cfg.idTokenAlg === 'RS256' ? 'on its blocking pool' : 'inline'}; the peer keeps tokens in memory.`,
    '- **introspection**: the web app (Basic) introspects a user\'s access token. Portico\'s is its RFC 9068 JWT: the same token every time, so after the first request its signature is not checked again (remembered per copy) and its grant and user are re-read only after a revocation on that copy or every 5 s; the peer can introspect only tokens it stores, so its opaque UserInfo token (a memory lookup).',
    `- **authorization_code**: codes minted by a signed-in browser before the run (authorize answers with a code at once), each exchanged once with PKCE and the client secret; the answer holds an ES256 access token, an ${cfg.idTokenAlg} ID token and a refresh token on both servers. The peer's codes live 10 min instead of 60 s, only so that its slower authorize endpoint can mint a run's worth before the run.`,
    '- **/api/v1/me**: Portico\'s sample resource with the user\'s bearer JWT (remembered as for introspection); the peer\'s equivalent is its UserInfo endpoint with its opaque token.',
    '- **sign-in**: one fresh interaction per request (made before the run), correct password, argon2id (m = 9 MiB, t = 4, p = 1); Portico hashes one password per core at a time, in reused memory. Requests come from 256 addresses in turn (`X-Forwarded-For`, Portico started with `--trusted-proxies 127.0.0.1`), as from many browsers, since the sign-in limits allow only a few attempts in progress per user and address. The one-core figure comes from a second copy on the same database, started with `taskset -c 0` in the same run (wrk not pinned).',
    '- **soak**: Portico alone, every scenario above but sign-in in one request stream (shares in the Soak section), on apps of its own, with codes and client assertions made while it runs; see the Soak section.',
    `- The peer: node-oidc-provider with its MemoryAdapter (LRU enlarged to 1,000,000 entries), ES256 JWT access tokens for an RFC 8707 resource, ${cfg.idTokenAlg} ID tokens (the client's \`id_token_signed_response_alg\`), \`rotateRefreshToken: true\`, PKCE required.`,
    '');
  L.push('The machine was not idle when this was measured unless the load averages above are near 0; re-measure on a quiet machine before quoting the figures.');
  return `${L.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------

async function main() {
  rmSync(cfg.work, { recursive: true, force: true });
  mkdirSync(cfg.work, { recursive: true });
  const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
  log('setting up Portico');
  const p = await setupPortico();
  porticoAddrs = { base: p.base, list: p.addrs };
  log(`Portico on ${p.base} (pid ${p.proc.pid})${cfg.postgres ? `, PostgreSQL, ${cfg.copies} cop${cfg.copies > 1 ? 'ies' : 'y'}: ${p.addrs.join(' ')}` : ''}`);
  // The peer and the ceiling only when a scenario compares with them: a run of the soak,
  // sign-in or cold start alone needs neither (nor their install and build in bench/run).
  let n = null;
  if (wants(...PROTOCOL)) {
    log('setting up node-oidc-provider');
    n = await setupPeer();
    log(`peer on ${n.base} (pid ${n.proc.pid})`);
  }
  let ce = null;
  if (wants('client_credentials_secret')) {
    ce = await setupCeiling();
    log(`ceiling on ${ce.base} (pid ${ce.proc.pid})`);
  }
  await probe(p);
  if (n) await probe(n);
  log(`every scenario answers on ${n ? 'both servers' : 'Portico'}`);
  const ct = wants('console_transfer') ? await consoleTransfer(p.base) : null;
  const servers = n ? [p, n] : [p];
  for (const key of Object.keys(scenarios)) await runScenario(key, servers, ce);
  await loginRuns(p);
  if (ce) await stop(ce.proc);
  if (n) await stop(n.proc);
  // The soak last, the peer and the ceiling stopped: Portico alone, on apps of its own.
  const sk = wants('soak') ? await soak(p, {
    wrk, wrkThreads, status, log, cfg, ADMIN, USER, REDIRECT, ASSERTION_TYPE, FORM,
  }) : null;
  await stop(p.proc);
  for (const o of p.others) await stop(o);
  let cold = null;
  if (!cfg.postgres && (!cfg.scenarios || cfg.scenarios.has('cold_start'))) {
    log('cold start');
    cold = await coldStarts(p.dbUrl);
    log(`cold start: existing db median ${cold.existingMedian.toFixed(0)} ms, new db median ${cold.freshMedian.toFixed(0)} ms`);
  }
  const bun = bundle();
  const doc = report({
    mach: machine(), cold, bun, ct, sk, date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    elapsed: (Date.now() - started) / 1000,
    loadBefore, loadAfter: loadavg().map((x) => x.toFixed(2)).join(' '),
    names: { portico: p.name, peer: n?.name ?? 'node-oidc-provider', ceiling: ce?.name ?? 'axum ceiling' },
  });
  writeFileSync(join(cfg.work, 'results.json'), JSON.stringify(results, null, 1));
  if (sk) writeFileSync(join(cfg.work, 'soak.json'), JSON.stringify(sk, null, 1));
  if (cfg.out !== '-') {
    mkdirSync(dirname(cfg.out), { recursive: true });
    writeFileSync(cfg.out, doc);
    log(`wrote ${cfg.out}`);
  }
  console.log(`\n${doc}`);
}

main().catch((e) => {
  console.error(`bench: ${e.stack ?? e}`);
  killAll();
  process.exit(1);
});

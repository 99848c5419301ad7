// The flows the benchmark needs before its timed runs, done the way a browser, the console or
// an integrating app does them (no back door into either server): sign-in and consent through
// each server's interaction pages, the admin API, codes minted with a signed-in browser,
// client assertions signed with the app's key. Node's own fetch and crypto only.
import { createHash, createPrivateKey, randomBytes, randomUUID, sign } from 'node:crypto';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

export function pkcePair() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

export const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A cookie jar of one browser. */
export class Jar {
  constructor() {
    this.cookies = new Map();
  }
  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1);
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function expectOk(res, what) {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: ${res.status} ${text.slice(0, 400)}`);
  return text ? JSON.parse(text) : null;
}

export function authorizeUrl(base, path, params) {
  const u = new URL(path, base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u;
}

/** GET without following redirects; the jar keeps what the server sets. */
async function visit(url, jar) {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: jar.cookies.size ? { cookie: jar.header() } : {},
  });
  jar.keep(res);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

const codeOf = (location) => {
  const u = new URL(location);
  const code = u.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return code;
};

// ---------------------------------------------------------------------------------------
// Portico

export const portico = {
  /**
   * Signs `username` in through the interaction API (login, then consent "allow" when asked)
   * for `authParams`; returns the code and the browser's jar, now holding portico_session.
   */
  async signIn(issuer, authParams, username, password, jar = new Jar()) {
    let res = await visit(authorizeUrl(issuer, '/oauth2/authorize', authParams), jar);
    if (res.status !== 303 && res.status !== 302) {
      throw new Error(`authorize answered ${res.status}`);
    }
    let location = new URL(res.headers.get('location'), issuer).toString();
    for (let step = 0; step < 4; step++) {
      const u = new URL(location);
      const interaction = u.searchParams.get('interaction');
      if (u.origin !== new URL(issuer).origin || !interaction) return { code: codeOf(location), jar };
      const page = u.pathname.replace(/^\//, '');
      const body = page === 'login' ? { username, password } : { decision: 'allow' };
      res = await fetch(`${issuer}/api/v1/interactions/${interaction}/${page}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: issuer, cookie: jar.header() },
        body: JSON.stringify(body),
      });
      jar.keep(res);
      location = new URL((await expectOk(res, `interaction ${page}`)).redirect_to, issuer).toString();
    }
    throw new Error('too many interaction steps');
  },

  /** The admin's access token, signed in with the console's own client (code + PKCE S256). */
  async adminToken(issuer, username, password) {
    const { verifier, challenge } = pkcePair();
    const redirectUri = `${issuer}/auth/callback`;
    const { code } = await portico.signIn(issuer, {
      response_type: 'code', client_id: 'portico-console', redirect_uri: redirectUri,
      scope: 'openid admin', state: 'bench', code_challenge: challenge,
      code_challenge_method: 'S256',
    }, username, password);
    const res = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, redirect_uri: redirectUri,
        client_id: 'portico-console', code_verifier: verifier,
      }),
    });
    return (await expectOk(res, 'admin token')).access_token;
  },

  async admin(issuer, token, method, path, body) {
    const res = await fetch(`${issuer}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return expectOk(res, `${method} /api/v1${path}`);
  },

  /** A fresh interaction for the login benchmark: its id and the browser cookie bound to it. */
  async newInteraction(issuer, authParams) {
    const jar = new Jar();
    const res = await visit(authorizeUrl(issuer, '/oauth2/authorize', authParams), jar);
    const location = new URL(res.headers.get('location') ?? '', issuer);
    const id = location.searchParams.get('interaction');
    if (!id) throw new Error(`authorize did not ask for a sign-in: ${res.status} ${location}`);
    return { id, cookie: jar.header() };
  },
};

// ---------------------------------------------------------------------------------------
// node-oidc-provider (bench/peer/peer.mjs answers its interaction pages at once)

export const peer = {
  async signIn(issuer, authParams, jar = new Jar()) {
    let url = authorizeUrl(issuer, '/auth', authParams).toString();
    for (let step = 0; step < 8; step++) {
      const res = await visit(url, jar);
      const location = res.headers.get('location');
      if (!location) throw new Error(`peer ${url} answered ${res.status} without a redirect: ${res.text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").slice(-300)}`);
      const next = new URL(location, issuer);
      if (next.origin !== new URL(issuer).origin) return { code: codeOf(next.toString()), jar };
      url = next.toString();
    }
    throw new Error('peer: too many redirects');
  },
};

// ---------------------------------------------------------------------------------------
// Both

/**
 * Mints up to `n` codes with a signed-in browser (authorize answers straight with a redirect
 * to the client), `concurrency` at a time, stopping at `deadline` (ms since the epoch).
 */
export async function mintCodes(url, jar, n, { concurrency = 8, deadline = Infinity } = {}) {
  const codes = [];
  const cookie = jar.header();
  let next = 0;
  let failure;
  async function worker() {
    while (next < n && Date.now() < deadline && !failure) {
      next++;
      const res = await fetch(url, { redirect: 'manual', headers: { cookie } });
      await res.arrayBuffer();
      const location = res.headers.get('location');
      try {
        codes.push(codeOf(new URL(location ?? '', url).toString()));
      } catch (e) {
        failure = new Error(`minting codes: ${res.status} ${location}: ${e.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure && codes.length === 0) throw failure;
  return codes;
}

/** Runs `fn(i)` for i in 0..n, `concurrency` at a time; returns the results in order. */
export async function pool(n, concurrency, fn) {
  const out = new Array(n);
  let next = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return out;
}

export async function exchangeCode(tokenUrl, authorization, code, redirectUri, verifier) {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
    }),
  });
  return expectOk(res, 'code exchange');
}

/** RFC 7523 §2.2 client assertions, ES256, each with its own jti. */
export function clientAssertions(n, { clientId, audience, privateKeyPem, kid, lifetime = 1800 }) {
  const key = createPrivateKey(privateKeyPem);
  const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid }));
  const now = Math.floor(Date.now() / 1000);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const payload = b64url(JSON.stringify({
      iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + lifetime,
      jti: randomUUID(),
    }));
    const input = `${header}.${payload}`;
    const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    out[i] = `${input}.${b64url(sig)}`;
  }
  return out;
}

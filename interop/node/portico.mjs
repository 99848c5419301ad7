// Test-side helpers for driving a running `portico serve`: a scripted browser that signs in
// and consents through the interaction API (as the console's pages do), an admin API client
// whose token comes from signing in as the bootstrap admin with the built-in
// `portico-console` client (code + PKCE), and JWS signing with WebCrypto for grant assertions.
// Nothing here uses a back door: every request is one a browser, the console or an app makes.

import { createHash, randomBytes, webcrypto } from 'node:crypto'

const { subtle } = webcrypto
const TIMEOUT_MS = 10_000

function need(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set (scripts/interop.sh sets it)`)
  return value
}

export const env = {
  get issuer() {
    return need('PORTICO_ISSUER').replace(/\/+$/, '')
  },
  get adminPassword() {
    return need('PORTICO_ADMIN_PASSWORD')
  },
  get username() {
    return need('PORTICO_USER')
  },
  get password() {
    return need('PORTICO_USER_PASSWORD')
  },
}

export function b64url(bytes) {
  return Buffer.from(bytes).toString('base64url')
}

function http(url, init = {}) {
  return fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), ...init })
}

/** A user agent with a cookie jar that never follows redirects by itself. */
export class Browser {
  constructor(issuer) {
    this.issuer = issuer
    this.cookies = new Map()
    this.pages = []
  }

  keep(res) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const i = pair.indexOf('=')
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim())
    }
  }

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  /** `['login', id]` for `/login?interaction=id` on Portico, `null` for anywhere else. */
  consolePage(location) {
    const url = new URL(location, this.issuer + '/')
    if (url.origin !== new URL(this.issuer).origin) return null
    const interaction = url.searchParams.get('interaction')
    if ((url.pathname === '/login' || url.pathname === '/consent') && interaction) {
      return [url.pathname.slice(1), interaction]
    }
    return null
  }

  async post(path, body) {
    // The interaction API accepts only requests from Portico's own origin.
    const res = await http(this.issuer + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: this.issuer,
        cookie: this.cookieHeader,
      },
      body: JSON.stringify(body),
    })
    this.keep(res)
    const text = await res.text()
    if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${text}`)
    return JSON.parse(text)
  }

  /**
   * Follows `authorizationUrl` through sign-in and consent and returns the URL (a URL object)
   * the browser is finally sent to at the client.
   */
  async signIn(authorizationUrl, username, password, decision = 'allow') {
    const res = await http(authorizationUrl, { headers: { cookie: this.cookieHeader } })
    this.keep(res)
    if (res.status !== 302 && res.status !== 303) {
      throw new Error(`authorize answered ${res.status}: ${(await res.text()).slice(0, 300)}`)
    }
    let location = res.headers.get('location')
    for (let i = 0; i < 5; i++) {
      const page = this.consolePage(location)
      if (!page) return new URL(location)
      const [name, interaction] = page
      this.pages.push(name)
      const body =
        name === 'login'
          ? await this.post(`/api/v1/interactions/${interaction}/login`, { username, password })
          : await this.post(`/api/v1/interactions/${interaction}/consent`, { decision })
      location = body.redirect_to
    }
    throw new Error('too many interaction steps')
  }
}

function pkce() {
  const verifier = b64url(randomBytes(32))
  const challenge = b64url(createHash('sha256').update(verifier).digest())
  return { verifier, challenge }
}

/** Signs in as `admin` with the console's own public client and returns an access token. */
export async function adminAccessToken() {
  const { verifier, challenge } = pkce()
  const state = b64url(randomBytes(16))
  const redirectUri = env.issuer + '/auth/callback'
  const url = new URL(env.issuer + '/oauth2/authorize')
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: 'portico-console',
    redirect_uri: redirectUri,
    scope: 'openid admin',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString()
  const callback = await new Browser(env.issuer).signIn(url, 'admin', env.adminPassword)
  if (callback.searchParams.get('state') !== state) throw new Error(`bad state in ${callback}`)
  const res = await http(env.issuer + '/oauth2/token', {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code'),
      redirect_uri: redirectUri,
      client_id: 'portico-console',
      code_verifier: verifier,
    }),
  })
  const body = await res.json()
  if (res.status !== 200) throw new Error(`admin token: ${res.status} ${JSON.stringify(body)}`)
  return body.access_token
}

/** The admin API (`/api/v1`), as the console calls it. */
export class Admin {
  static async signIn() {
    return new Admin(env.issuer, await adminAccessToken())
  }

  constructor(issuer, token) {
    this.issuer = issuer
    this.token = token
    this.created = []
  }

  async call(method, path, body, expect = 200) {
    const res = await http(this.issuer + '/api/v1' + path, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    })
    const text = await res.text()
    if (res.status !== expect) {
      throw new Error(`${method} /api/v1${path} answered ${res.status}, expected ${expect}: ${text}`)
    }
    return text ? JSON.parse(text) : {}
  }

  /** Creates an app, applies `settings` with PATCH, returns the 201 body. */
  async createApp(type, name, settings) {
    const app = await this.call('POST', '/apps', { type, name }, 201)
    this.created.push(app.client_id)
    if (settings) await this.call('PATCH', `/apps/${app.client_id}`, settings)
    return app
  }

  /** A server-generated key pair: `{ kid, alg, thumbprint, private_key_pem }`. */
  keyPair(clientId, alg) {
    return this.call('POST', `/apps/${clientId}/key-pairs`, { alg }, 201)
  }

  async deleteCreated() {
    for (const id of this.created.splice(0)) {
      await http(this.issuer + `/api/v1/apps/${id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${this.token}` },
      })
    }
  }
}

/** `GET /api/v1/me`: whom an access token speaks for. */
export async function me(accessToken) {
  const res = await http(env.issuer + '/api/v1/me', {
    headers: { authorization: `Bearer ${accessToken}` },
  })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`/api/v1/me answered ${res.status}: ${text}`)
  return JSON.parse(text)
}

const IMPORT = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
}

/** Imports a PKCS#8 PEM private key from the key-pairs endpoint as a WebCrypto key. */
export function importPrivateKey(pem, alg) {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
  return subtle.importKey('pkcs8', der, IMPORT[alg], false, ['sign'])
}

/** A compact JWS over `claims` (RFC 7515), signed with WebCrypto. */
export async function signJwt(key, header, claims) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const params =
    key.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: 'SHA-256' } : key.algorithm
  // WebCrypto's ECDSA signature is already the JOSE form (r || s).
  const sig = await subtle.sign(params, key, Buffer.from(input))
  return `${input}.${b64url(new Uint8Array(sig))}`
}

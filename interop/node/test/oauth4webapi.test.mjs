// Interop: oauth4webapi, the strictest OAuth 2.0 / OpenID Connect client in the field,
// against a running Portico. Sign-in and consent go through the interaction API.
// Run by scripts/interop.sh (see README.md, "Interop").

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'

import * as oauth from 'oauth4webapi'

import { Admin, Browser, env, importPrivateKey, me, signJwt } from '../portico.mjs'

const REDIRECT_URI = 'http://127.0.0.1:9/oauth4webapi/cb' // never really visited
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
// oauth4webapi refuses plain http unless told; everything here runs on 127.0.0.1.
const insecure = { [oauth.allowInsecureRequests]: true }

let admin
let as
let spa
let m2m
const keys = {}

before(async () => {
  admin = await Admin.signIn()
  spa = await admin.createApp('single_page', 'oauth4webapi spa', {
    redirect_uris: [REDIRECT_URI],
    rotate_refresh_token: true,
  })
  // The admin lets this app act as the end user in the JWT-bearer grant (empty by default).
  m2m = await admin.createApp('machine_to_machine', 'oauth4webapi m2m', {
    jwt_bearer_users: [env.username],
  })
  for (const alg of ['ES256', 'RS256', 'EdDSA']) {
    const pair = await admin.keyPair(m2m.client_id, alg)
    keys[alg] = { kid: pair.kid, key: await importPrivateKey(pair.private_key_pem, alg) }
  }
  const issuer = new URL(env.issuer)
  as = await oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
  )
})

after(async () => {
  await admin?.deleteCreated()
})

/** Runs the code flow with PKCE for the single-page app; returns the token response. */
async function codeFlow(scope, { nonce } = {}) {
  const client = { client_id: spa.client_id }
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', client.client_id)
  url.searchParams.set('redirect_uri', REDIRECT_URI)
  url.searchParams.set('scope', scope)
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier))
  url.searchParams.set('code_challenge_method', 'S256')
  if (nonce) url.searchParams.set('nonce', nonce)

  const callback = await new Browser(env.issuer).signIn(url, env.username, env.password)
  // RFC 9207 `iss` and the `state` are checked here; an error response throws.
  const params = oauth.validateAuthResponse(as, client, callback, state)
  const response = await oauth.authorizationCodeGrantRequest(
    as, client, oauth.None(), params, REDIRECT_URI, codeVerifier, insecure,
  )
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: nonce ?? oauth.expectNoNonce,
    requireIdToken: scope.split(' ').includes('openid'),
  })
  return { client, result, params }
}

function privateKeyJwt(alg) {
  return oauth.PrivateKeyJwt(keys[alg])
}

describe('discovery', () => {
  test('RFC 8414 metadata is accepted for the issuer it was fetched from', () => {
    assert.equal(as.issuer, env.issuer)
    assert.ok(as.code_challenge_methods_supported.includes('S256'))
    assert.equal(as.authorization_response_iss_parameter_supported, true)
    assert.ok(as.grant_types_supported.includes(JWT_BEARER))
  })

  test('OpenID Connect discovery document is accepted too', async () => {
    const issuer = new URL(env.issuer)
    const oidc = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }),
    )
    assert.equal(oidc.issuer, env.issuer)
    assert.equal(oidc.token_endpoint, as.token_endpoint)
  })
})

describe('authorization code with PKCE (single-page app)', () => {
  test('signs the user in; iss and state in the callback validate', async () => {
    const nonce = oauth.generateRandomNonce()
    const { result, params } = await codeFlow('openid profile', { nonce })
    assert.equal(params.get('iss'), env.issuer)
    assert.equal(result.token_type.toLowerCase(), 'bearer')
    const claims = oauth.getValidatedIdTokenClaims(result)
    assert.equal(claims.iss, env.issuer)
    assert.equal(claims.aud, spa.client_id)
    assert.equal(claims.nonce, nonce)
    const who = await me(result.access_token)
    assert.equal(who.kind, 'user')
    assert.equal(who.username, env.username)
    assert.equal(who.sub, claims.sub)
    assert.equal(result.refresh_token, undefined, 'no offline_access, no refresh token')
    // OIDC Core §5.3.2: the UserInfo `sub` must be the ID token's.
    const userinfo = await oauth.processUserInfoResponse(
      as, { client_id: spa.client_id }, claims.sub,
      await oauth.userInfoRequest(as, { client_id: spa.client_id }, result.access_token, insecure),
    )
    assert.equal(userinfo.preferred_username, env.username)
  })

  test('a callback with the wrong state is rejected by the client', async () => {
    const client = { client_id: spa.client_id }
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: spa.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'profile',
      state: 'the-real-state',
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: 'S256',
    }).toString()
    const callback = await new Browser(env.issuer).signIn(url, env.username, env.password)
    assert.throws(() => oauth.validateAuthResponse(as, client, callback, 'another-state'), {
      code: oauth.INVALID_RESPONSE,
    })
  })

  test('a denied consent comes back as access_denied with iss', async () => {
    const client = { client_id: spa.client_id }
    const state = oauth.generateRandomState()
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: spa.client_id,
      redirect_uri: REDIRECT_URI,
      scope: 'email', // not granted before, so consent is asked
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: 'S256',
      prompt: 'consent',
    }).toString()
    const browser = new Browser(env.issuer)
    const callback = await browser.signIn(url, env.username, env.password, 'deny')
    assert.ok(browser.pages.includes('consent'), `consent asked: ${browser.pages}`)
    assert.throws(() => oauth.validateAuthResponse(as, client, callback, state), (err) => {
      assert.equal(err.code, oauth.AUTHORIZATION_RESPONSE_ERROR)
      assert.equal(err.error, 'access_denied')
      return true
    })
  })
})

describe('refresh token (single-page app, rotation on)', () => {
  test('refresh returns a rotated refresh token and a working access token', async () => {
    const { client, result } = await codeFlow('openid profile offline_access')
    assert.ok(result.refresh_token, 'offline_access brings a refresh token')
    const refreshed = await oauth.processRefreshTokenResponse(
      as, client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), result.refresh_token, insecure),
    )
    assert.notEqual(refreshed.refresh_token, result.refresh_token)
    assert.equal((await me(refreshed.access_token)).username, env.username)

    // The rotated-out token is refused.
    const replay = await oauth.refreshTokenGrantRequest(
      as, client, oauth.None(), result.refresh_token, insecure,
    )
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, replay), (err) => {
      assert.equal(err.code, oauth.RESPONSE_BODY_ERROR)
      assert.equal(err.error, 'invalid_grant')
      return true
    })
  })
})

describe('client_credentials with private_key_jwt (machine-to-machine app)', () => {
  for (const alg of ['ES256', 'RS256']) {
    test(`the app gets a token for itself, assertion signed with ${alg}`, async () => {
      const client = { client_id: m2m.client_id }
      const response = await oauth.clientCredentialsGrantRequest(
        as, client, privateKeyJwt(alg), new URLSearchParams(), insecure,
      )
      const result = await oauth.processClientCredentialsResponse(as, client, response)
      assert.equal(result.token_type.toLowerCase(), 'bearer')
      const who = await me(result.access_token)
      assert.equal(who.kind, 'app')
      assert.equal(who.client_id, m2m.client_id)
    })
  }

  test('Ed25519 key, with the assertion header alg set to EdDSA', async () => {
    const client = { client_id: m2m.client_id }
    const auth = oauth.PrivateKeyJwt(keys.EdDSA, {
      [oauth.modifyAssertion]: (header) => {
        header.alg = 'EdDSA'
      },
    })
    const response = await oauth.clientCredentialsGrantRequest(
      as, client, auth, new URLSearchParams(), insecure,
    )
    const result = await oauth.processClientCredentialsResponse(as, client, response)
    assert.equal((await me(result.access_token)).kind, 'app')
  })

  // oauth4webapi 3.x names an Ed25519 signature `Ed25519` (RFC 9864's fully-specified
  // identifier, which deprecates `EdDSA`); Portico accepts both.
  test('Ed25519 key, with oauth4webapi\'s default header alg Ed25519 (RFC 9864)', async () => {
    const client = { client_id: m2m.client_id }
    const response = await oauth.clientCredentialsGrantRequest(
      as, client, privateKeyJwt('EdDSA'), new URLSearchParams(), insecure,
    )
    const result = await oauth.processClientCredentialsResponse(as, client, response)
    assert.equal((await me(result.access_token)).kind, 'app')
  })

  test('the access token validates as an RFC 9068 JWT access token', async () => {
    const client = { client_id: m2m.client_id }
    const result = await oauth.processClientCredentialsResponse(
      as, client,
      await oauth.clientCredentialsGrantRequest(
        as, client, privateKeyJwt('ES256'), new URLSearchParams(), insecure,
      ),
    )
    const request = new Request(env.issuer + '/api/v1/me', {
      headers: { authorization: `Bearer ${result.access_token}` },
    })
    const claims = await oauth.validateJwtAccessToken(as, request, env.issuer, insecure)
    assert.equal(claims.client_id, m2m.client_id)
    assert.equal(claims.sub, m2m.client_id)
  })
})

describe('introspection (RFC 7662) and revocation (RFC 7009)', () => {
  test('a revoked access token introspects as inactive and stops working', async () => {
    const client = { client_id: m2m.client_id }
    const auth = privateKeyJwt('ES256')
    const { access_token: token } = await oauth.processClientCredentialsResponse(
      as, client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), insecure),
    )
    const introspect = async () =>
      oauth.processIntrospectionResponse(
        as, client, await oauth.introspectionRequest(as, client, auth, token, insecure),
      )
    const live = await introspect()
    assert.equal(live.active, true)
    assert.equal(live.client_id, m2m.client_id)
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, auth, token, insecure),
    )
    assert.deepEqual(await introspect(), { active: false })
    await assert.rejects(me(token), /401/)
  })
})

describe('JWT-bearer grant (RFC 7523 §2.1) through genericTokenEndpointRequest', () => {
  async function assertion(alg, aud) {
    const now = Math.floor(Date.now() / 1000)
    return signJwt(
      keys[alg].key,
      { alg, typ: 'JWT', kid: keys[alg].kid },
      { iss: m2m.client_id, sub: env.username, aud, iat: now, exp: now + 300, jti: randomUUID() },
    )
  }

  for (const [alg, aud] of [['ES256', 'issuer'], ['RS256', 'token_endpoint']]) {
    test(`the app acts for the user (${alg} assertion, aud = ${aud})`, async () => {
      const client = { client_id: m2m.client_id }
      const response = await oauth.genericTokenEndpointRequest(
        as, client, privateKeyJwt('ES256'), JWT_BEARER,
        { assertion: await assertion(alg, as[aud]), scope: 'openid profile' },
        insecure,
      )
      const result = await oauth.processGenericTokenEndpointResponse(as, client, response)
      assert.equal(result.token_type.toLowerCase(), 'bearer')
      assert.equal(result.refresh_token, undefined)
      const who = await me(result.access_token)
      assert.equal(who.kind, 'user')
      assert.equal(who.username, env.username)
      assert.equal(who.client_id, m2m.client_id)
    })
  }

  test('the app authenticates with its client secret (client_secret_basic)', async () => {
    const client = { client_id: m2m.client_id }
    const response = await oauth.genericTokenEndpointRequest(
      as, client, oauth.ClientSecretBasic(m2m.client_secret), JWT_BEARER,
      { assertion: await assertion('ES256', as.issuer), scope: 'profile' },
      insecure,
    )
    const result = await oauth.processGenericTokenEndpointResponse(as, client, response)
    assert.equal((await me(result.access_token)).username, env.username)
  })

  test('offline_access is refused for the JWT-bearer grant', async () => {
    const client = { client_id: m2m.client_id }
    const response = await oauth.genericTokenEndpointRequest(
      as, client, privateKeyJwt('ES256'), JWT_BEARER,
      { assertion: await assertion('ES256', as.issuer), scope: 'offline_access' },
      insecure,
    )
    await assert.rejects(oauth.processGenericTokenEndpointResponse(as, client, response), {
      code: oauth.RESPONSE_BODY_ERROR,
      error: 'invalid_scope',
    })
  })
})

// The benchmark's peer: node-oidc-provider, configured like Portico's bench apps.
//
//   node peer.mjs <port> <clients.json>
//
// In memory (the library's MemoryAdapter, over an LRU big enough for the tokens minted
// before a timed run), JWT access tokens signed
// ES256 for the API resource, ID tokens as the client's id_token_signed_response_alg says
// (the bench sets it as for Portico's web app: BENCH_ID_TOKEN_ALG), refresh tokens rotated
// on every use, introspection on. Sign-in and consent are answered at once for the bench
// user (no password check: the peer is only measured on token-endpoint work, never on login).
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import MemoryAdapter, { setStorage } from 'oidc-provider/lib/adapters/memory_adapter.js';
import QuickLRU from 'quick-lru';

const [port, clientsFile] = process.argv.slice(2);
if (!port || !clientsFile) {
  console.error('usage: node peer.mjs <port> <clients.json>');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
// The resource the JWT access tokens are for (RFC 8707).
export const API = 'https://api.bench.test/';

const setup = JSON.parse(readFileSync(clientsFile, 'utf8'));

function signingJwk(type, options, kid, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
}
const jwks = {
  keys: [
    // First key of an alg is the one used: RS256 for ID tokens (the default), ES256 for ATs
    // and for the ID tokens of a client whose id_token_signed_response_alg is ES256
    // (enabledJWA.idTokenSigningAlgValues allows RS256, PS256, ES256 and EdDSA by default).
    signingJwk('rsa', { modulusLength: 2048 }, 'peer-rs256', 'RS256'),
    signingJwk('ec', { namedCurve: 'P-256' }, 'peer-es256', 'ES256'),
  ],
};

// The library's own in-memory adapter, over a bigger LRU: its default holds 1000 entries,
// too few for the codes and tokens minted before a timed run.
setStorage(new QuickLRU({ maxSize: 1_000_000 }));

const user = setup.user; // { id, username, name, email }

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  clients: setup.clients,
  jwks,
  cookies: { keys: ['portico-bench-peer-cookie-key'] },
  clientDefaults: { id_token_signed_response_alg: 'RS256' },
  scopes: ['openid', 'profile', 'email', 'offline_access'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
  },
  async findAccount(ctx, sub) {
    if (sub !== user.id) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: user.name,
          preferred_username: user.username,
          email: user.email,
        };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // client_credentials without `resource` gets the API; authorization requests without
      // it get a UserInfo (opaque, stored) access token.
      async defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf;
        return ctx.oidc.params?.grant_type === 'client_credentials' ? API : undefined;
      },
      // A code or refresh token granted for the API yields an API token without `resource`.
      async useGrantedResource() {
        return true;
      },
      async getResourceServerInfo() {
        return {
          scope: 'api:read',
          audience: API,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  pkce: { required: () => true, methods: ['S256'] },
  // Portico issues a refresh token with every code exchange whose scope has offline_access.
  // The peer keeps offline_access only with prompt=consent (a consent round trip per code,
  // which would slow minting codes before a run), so it issues one to every client allowed
  // the refresh_token grant: the same work per exchange.
  async issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 3600,
    // Its authorize endpoint mints codes slowly; a longer life (not a cheaper exchange) lets
    // a whole run's worth be minted before the run starts.
    AuthorizationCode: 600,
    ClientCredentials: 3600,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
    Interaction: 600,
    Session: 14 * 24 * 3600,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

// Sign-in and consent, answered at once for the bench user.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!m) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'login') {
    result = { login: { accountId: user.id } };
  } else {
    const { client_id: clientId, scope, resource } = details.params;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: user.id, clientId });
    grant.addOIDCScope(scope.split(' ').filter((s) => s !== 'api:read').join(' '));
    for (const r of [resource].flat().filter(Boolean)) grant.addResourceScope(r, 'api:read');
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
});

provider.on('server_error', (ctx, err) => console.error('peer server_error', err));
// The first few refused grants, with the reason the response hides (for the bench log).
let grantErrors = 0;
provider.on('grant.error', (ctx, err) => {
  if (++grantErrors <= 3) console.error(`peer grant.error: ${err.message}: ${err.error_detail ?? ''}`);
});
const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`peer listening on ${issuer}`);
});
server.keepAliveTimeout = 65_000;
process.on('SIGTERM', () => server.close(() => process.exit(0)));

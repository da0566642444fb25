// A real OpenID Connect provider (panva/oidc-provider) on loopback, for the gateway's tests. Never for production:
// its login form is the package's development interaction (any password is accepted for a known user), accounts
// live in this file or in OIDC_USERS, and everything (sessions, grants, keys) is in memory and gone at exit.
//
// Environment (defaults in brackets):
//   OIDC_PORT                   port on 127.0.0.1 [4000]
//   OIDC_ISSUER                 issuer URL [http://127.0.0.1:<port>]; a second instance given the first one's
//                               issuer signs look-alike tokens with another key
//   OIDC_CLIENT_ID / _SECRET    the one confidential client [gateway / gateway-secret]
//   OIDC_REDIRECT_URIS          comma-separated redirect URIs [http://127.0.0.1:8080/signin-oidc]
//   OIDC_POST_LOGOUT_URIS       comma-separated post-logout redirect URIs [http://127.0.0.1:8080/signout-callback-oidc]
//   OIDC_RESOURCES              comma-separated resource indicators (RFC 8707) that get JWT access tokens whose
//                               `aud` is the indicator; the first is the default [urn:gateway:api]
//   OIDC_ACCESS_TOKEN_TTL       access-token lifetime in seconds [300]
//   OIDC_CLIENT_ROLES           comma-separated roles put in client-credentials tokens [reader]
//   OIDC_SHORT_LIVED_TTL        a second confidential client, `<client id>-short-lived` with the same secret, whose
//                               client-credentials tokens live this many seconds: for expired-token tests [2]
//   OIDC_USERS                  JSON array of {id, email, name, roles} [alice: editor, bob: reader, carol: none]
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const env = process.env;
const list = (value) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

const port = Number.parseInt(env.OIDC_PORT ?? '4000', 10);
const issuer = env.OIDC_ISSUER || `http://127.0.0.1:${port}`;
const resources = list(env.OIDC_RESOURCES ?? 'urn:gateway:api');
const accessTokenTtl = Number.parseInt(env.OIDC_ACCESS_TOKEN_TTL ?? '300', 10);
const clientRoles = list(env.OIDC_CLIENT_ROLES ?? 'reader');
const shortLivedTtl = Number.parseInt(env.OIDC_SHORT_LIVED_TTL ?? '2', 10);
const clientId = env.OIDC_CLIENT_ID || 'gateway';
const clientSecret = env.OIDC_CLIENT_SECRET || 'gateway-secret';
const shortLivedClientId = `${clientId}-short-lived`;
const users = new Map((env.OIDC_USERS ? JSON.parse(env.OIDC_USERS) : [
  { id: 'alice', email: 'alice@example.test', name: 'Alice Editor', roles: ['editor'] },
  { id: 'bob', email: 'bob@example.test', name: 'Bob Reader', roles: ['reader'] },
  { id: 'carol', email: 'carol@example.test', name: 'Carol Nobody', roles: [] },
]).map((user) => [user.id, user]));

// A fresh signing key per start: two instances never share one (the package's built-in development key would).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };

const configuration = {
  clients: [{
    client_id: shortLivedClientId,
    client_secret: clientSecret,
    redirect_uris: [],
    grant_types: ['client_credentials'],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_post',
  }, {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: list(env.OIDC_REDIRECT_URIS ?? 'http://127.0.0.1:8080/signin-oidc'),
    post_logout_redirect_uris: list(env.OIDC_POST_LOGOUT_URIS ?? 'http://127.0.0.1:8080/signout-callback-oidc'),
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'roles'],
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'], roles: ['roles'] },
  // The claims of the granted scopes go into the ID token too (as most hosted providers do), not only to userinfo.
  conformIdTokenClaims: false,
  ttl: {
    AccessToken: accessTokenTtl,
    ClientCredentials: (_ctx, _token, client) => (client.clientId === shortLivedClientId ? shortLivedTtl : accessTokenTtl),
    AuthorizationCode: 60,
    IdToken: 300,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (_ctx, _client, oneOf) => oneOf ?? undefined,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (!resources.includes(resource)) {
          throw new errors.InvalidTarget();
        }
        return { scope: 'api', audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  findAccount: async (_ctx, id) => {
    const user = users.get(id);
    if (!user) {
      return undefined;
    }
    return {
      accountId: id,
      claims: async () => ({ sub: id, name: user.name, email: user.email, email_verified: true, roles: user.roles }),
    };
  },
  // Roles in JWT access tokens: the user's for user tokens, the configured ones for client-credentials tokens.
  extraTokenClaims: async (ctx, token) => {
    if (token.kind === 'ClientCredentials') {
      return { roles: clientRoles };
    }
    const user = token.accountId ? users.get(token.accountId) : undefined;
    return user ? { roles: user.roles } : undefined;
  },
  clientBasedCORS: () => false,
  renderError: async (ctx, out) => {
    ctx.type = 'application/json';
    ctx.body = out;
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (_ctx, error) => console.error(`oidc-provider: server error: ${error.message}`));

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}, issuer ${issuer}`);
});

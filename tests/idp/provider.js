// A real OpenID Connect provider (the oidc-provider package) for the single sign-on tests.
// Started on loopback by the idp_server fixture (tests/core/conftest.py); nothing else uses it.
//
//   node provider.js            PORT, ACCOUNTS (a JSON file), REDIRECT_URI from the environment
//
// Accounts are read from the ACCOUNTS file at every sign-in, so a test changes a person's
// groups by rewriting the file. Each account: {"email", "name", "groups": [...], "org", "role"}.
// Sign-in is the package's development login form (any password), posted by the tests;
// consent is granted at once for the registered clients. Tokens live one minute.
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const redirectUri = process.env.REDIRECT_URI;
const issuer = `http://127.0.0.1:${port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
});

const accounts = () => JSON.parse(readFileSync(process.env.ACCOUNTS, 'utf8'));

const provider = new Provider(issuer, {
  clients: [client('procurement'), client('other-app')],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups', 'org', 'role'],
  },
  async findAccount(ctx, id) {
    const person = accounts()[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email_verified: true, preferred_username: id, ...person };
      },
    };
  },
  // First-party clients: no consent screen; the grant covers whatever was asked for.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  ttl: { AccessToken: 60, AuthorizationCode: 60, IdToken: 60, Interaction: 60, Session: 600, Grant: 600 },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));

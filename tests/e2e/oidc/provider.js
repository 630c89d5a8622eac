// A real OpenID Connect provider for the single sign-on tests: oidc-provider with its development login form.
// Usage: ISSUER=http://127.0.0.1:PORT REDIRECT_URI=http://127.0.0.1:APP/admin/oidc/callback node provider.js
// The development form accepts any password; the login name picks one of the ACCOUNTS below.
import Provider from 'oidc-provider';

const { ISSUER, REDIRECT_URI, CLIENT_ID = 'tunewise', CLIENT_SECRET = 'tunewise-test-secret' } = process.env;
if (!ISSUER || !REDIRECT_URI) {
  console.error('set ISSUER and REDIRECT_URI');
  process.exit(2);
}

const ACCOUNTS = {
  ada: { email: 'ada@example.test', email_verified: true, groups: ['staff'] },
  grace: { email: 'grace@example.test', email_verified: true, groups: ['tunewise-admins'] },
  mallory: { email: 'mallory@example.test', email_verified: true, groups: ['staff'] },
  eve: { email: 'ada.unverified@example.test', email_verified: false, groups: ['tunewise-admins'] },
};

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },  // S256 only: oidc-provider accepts no other method
  claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
  // Email and groups in the ID token, as Google and Keycloak do; CLAIMS_IN_ID_TOKEN=no keeps them for the user info
  // endpoint only (OIDC Core 5.4, as strict providers do).
  conformIdTokenClaims: process.env.CLAIMS_IN_ID_TOKEN === 'no',
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});

const { port } = new URL(ISSUER);
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider listening on ${ISSUER}`));

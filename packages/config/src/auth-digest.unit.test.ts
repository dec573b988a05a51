import { createHash } from 'node:crypto';
import { TokenAuthenticator } from './auth';

// A service started by scripts/services.sh is given digests of the tokens it accepts, never the
// tokens themselves (issue 11, defect 12): a digest entry authenticates the same bearer token.
describe('TokenAuthenticator digest entries (sha256:<hex>=tenant:role)', () => {
  const token = 'analyst-0123456789abcdef0123456789abcdef';
  const digest = createHash('sha256').update(token, 'utf8').digest('hex');

  it('authenticates the bearer token whose SHA-256 the entry holds, with the same principal as the token entry', () => {
    const byDigest = TokenAuthenticator.parse(`sha256:${digest}=demo:analyst:ann@example.com`);
    const byToken = TokenAuthenticator.parse(`${token}=demo:analyst:ann@example.com`);
    expect(byDigest.authenticate(`Bearer ${token}`)).toEqual({ tenantId: 'demo', role: 'analyst', tokenId: digest.slice(0, 8), subject: 'ann@example.com' });
    expect(byDigest.authenticate(`Bearer ${token}`)).toEqual(byToken.authenticate(`Bearer ${token}`));
    // The digest itself is not a token.
    expect(byDigest.authenticate(`Bearer sha256:${digest}`)).toBeUndefined();
    expect(byDigest.authenticate(`Bearer ${token}x`)).toBeUndefined();
  });

  it('refuses a malformed digest entry, naming it', () => {
    expect(() => TokenAuthenticator.parse(`sha256:${digest.slice(1)}=demo:analyst`)).toThrow('API_TOKENS entry 1: a digest entry is sha256: and 64 lower-case hex digits');
    expect(() => TokenAuthenticator.parse(`sha256:${digest.toUpperCase()}=demo:analyst`)).toThrow('a digest entry is sha256: and 64 lower-case hex digits');
  });
});

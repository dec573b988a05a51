import type { Principal } from '@customs/config';
import { SessionStore, csrfMatches } from './sessions';

const principal: Principal = { tenantId: 't', role: 'analyst', tokenId: 'abcd1234', subject: 'ana@t' };

describe('console sessions', () => {
  it('issues unguessable ids and CSRF tokens, and finds a session only by its id', () => {
    const store = new SessionStore(60_000);
    const a = store.create('token-a-0123456789', principal);
    const b = store.create('token-b-0123456789', principal);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.toBe(b.id);
    expect(a.csrf).not.toBe(a.id);
    expect(store.get(a.id)?.token).toBe('token-a-0123456789');
    expect(store.get('made-up')).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });

  it('expires an idle session and slides the expiry of a used one', () => {
    let now = 1_000_000;
    const store = new SessionStore(1000, () => now);
    const s = store.create('token-a-0123456789', principal);
    now += 900;
    expect(store.get(s.id)).toBeDefined(); // used: expiry moves to now + 1000
    now += 900;
    expect(store.get(s.id)).toBeDefined();
    now += 1001;
    expect(store.get(s.id)).toBeUndefined();
  });

  it('signing out deletes the session', () => {
    const store = new SessionStore(60_000);
    const s = store.create('token-a-0123456789', principal);
    store.delete(s.id);
    expect(store.get(s.id)).toBeUndefined();
  });

  it('accepts only the exact CSRF token', () => {
    const s = new SessionStore(60_000).create('token-a-0123456789', principal);
    expect(csrfMatches(s, s.csrf)).toBe(true);
    expect(csrfMatches(s, undefined)).toBe(false);
    expect(csrfMatches(s, '')).toBe(false);
    expect(csrfMatches(s, s.csrf.slice(1))).toBe(false);
    expect(csrfMatches(s, [s.csrf])).toBe(false);
    expect(csrfMatches(s, `${s.csrf.slice(0, -1)}${s.csrf.endsWith('A') ? 'B' : 'A'}`)).toBe(false);
  });
});

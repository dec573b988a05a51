// Server-side sessions: the browser holds only an opaque, HttpOnly, SameSite=Strict cookie; the
// bearer token it was exchanged for stays here, in memory, and is never sent back to the page.
// A restart of the console signs everyone out, which is the safe failure.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '@customs/config';

export const COOKIE = 'console_session';

export interface Session {
  id: string;
  token: string;
  principal: Principal;
  /** Sent by the page on every state change (x-csrf-token) and compared in constant time. */
  csrf: string;
  expiresAt: number;
}

export class SessionStore {
  private readonly byId = new Map<string, Session>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(token: string, principal: Principal): Session {
    this.sweep();
    const s: Session = { id: randomBytes(32).toString('base64url'), token, principal, csrf: randomBytes(32).toString('base64url'), expiresAt: this.now() + this.ttlMs };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session of a cookie value; sliding expiry, so an analyst at work is not signed out. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (s.expiresAt <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    s.expiresAt = this.now() + this.ttlMs;
    return s;
  }

  delete(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, s] of this.byId) if (s.expiresAt <= t) this.byId.delete(k);
  }
}

export function csrfMatches(s: Session, header: string | string[] | undefined): boolean {
  const got = Buffer.from(typeof header === 'string' ? header : '');
  const want = Buffer.from(s.csrf);
  return got.length === want.length && timingSafeEqual(got, want);
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Who is calling: the tenant (importer organisation) and the caller's role. */
export interface Principal {
  tenantId: string;
  /** "analyst" (read + triage), "integrator" (submit data), "admin" (everything). */
  role: 'analyst' | 'integrator' | 'admin';
  /** Short, non-secret token fingerprint for logs and audit trails. */
  tokenId: string;
  /**
   * Who acts, for audit trails (alert history, rule settings): the token's subject
   * ("token=tenant:role:subject", e.g. a person's e-mail or a system's name), or "token:<tokenId>"
   * for a token issued without one.
   */
  subject: string;
}

const ROLES = new Set(['analyst', 'integrator', 'admin']);

/**
 * Bearer-token authentication shared by the HTTP and gRPC adapters. Tokens come from
 * API_TOKENS ("token=tenant[:role],…") or API_TOKENS_FILE (one pair per line), never from the
 * repo; only SHA-256 digests are kept in memory and looked up by digest, so the secret itself is
 * never compared byte by byte.
 */
export class TokenAuthenticator {
  private readonly byDigest = new Map<string, Principal>();

  constructor(entries: { token: string; tenantId: string; role: Principal['role']; subject?: string }[]) {
    for (const e of entries) {
      const digest = sha256(e.token);
      const tokenId = digest.toString('hex').slice(0, 8);
      this.byDigest.set(digest.toString('hex'), { tenantId: e.tenantId, role: e.role, tokenId, subject: e.subject || `token:${tokenId}` });
    }
  }

  /** Parses "token=tenant[:role[:subject]]" pairs separated by commas or newlines; errors name the entry. */
  static parse(spec: string, origin = 'API_TOKENS'): TokenAuthenticator {
    const entries: { token: string; tenantId: string; role: Principal['role']; subject?: string }[] = [];
    spec
      .split(/[,\n]/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0 && !s.startsWith('#'))
      .forEach((pair, i) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new Error(`${origin} entry ${i + 1}: expected token=tenant[:role]`);
        const token = pair.slice(0, eq);
        const [tenantId, role = 'analyst', subject] = pair.slice(eq + 1).split(':');
        if (token.length < 16) throw new Error(`${origin} entry ${i + 1}: token must be at least 16 characters`);
        if (!tenantId || !/^[A-Za-z0-9_.-]{1,64}$/.test(tenantId)) throw new Error(`${origin} entry ${i + 1}: tenant must be 1-64 of [A-Za-z0-9_.-]`);
        if (!ROLES.has(role)) throw new Error(`${origin} entry ${i + 1}: role must be analyst, integrator or admin`);
        if (subject !== undefined && !/^[A-Za-z0-9_.@+-]{1,128}$/.test(subject)) throw new Error(`${origin} entry ${i + 1}: subject must be 1-128 of [A-Za-z0-9_.@+-]`);
        entries.push({ token, tenantId, role: role as Principal['role'], subject });
      });
    return new TokenAuthenticator(entries);
  }

  /** From API_TOKENS and/or API_TOKENS_FILE. */
  static fromConfig(cfg: { API_TOKENS: string; API_TOKENS_FILE: string }): TokenAuthenticator {
    const parts = [cfg.API_TOKENS];
    if (cfg.API_TOKENS_FILE) parts.push(readFileSync(cfg.API_TOKENS_FILE, 'utf8'));
    return TokenAuthenticator.parse(parts.filter(Boolean).join('\n'), cfg.API_TOKENS_FILE ? `API_TOKENS/API_TOKENS_FILE` : 'API_TOKENS');
  }

  get size(): number {
    return this.byDigest.size;
  }

  /** Resolves an "Authorization: Bearer <token>" value; undefined when unknown or malformed. */
  authenticate(authorization: string | undefined): Principal | undefined {
    if (!authorization) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return undefined;
    const digest = sha256(m[1]!);
    const found = this.byDigest.get(digest.toString('hex'));
    return found;
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** True when the principal may perform an action needing `need`. */
export function hasRole(p: Principal, need: Principal['role']): boolean {
  if (p.role === 'admin') return true;
  return p.role === need;
}

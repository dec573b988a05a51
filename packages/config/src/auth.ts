import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ROLES, type Role } from './permissions';

/** Who is calling: the tenant (importer organisation) and the caller's role. */
export interface Principal {
  tenantId: string;
  /** What the token may do: see ROLE_GRANTS in permissions.ts (the one permission matrix). */
  role: Role;
  /**
   * A broker's delegated importers (EORIs): every answer it gets is narrowed to these. Only a
   * broker token has them; undefined means the whole tenant.
   */
  importers?: readonly string[];
  /** Short, non-secret token fingerprint for logs and audit trails. */
  tokenId: string;
  /**
   * Who acts, for audit trails (alert history, rule settings): the token's subject
   * ("token=tenant:role:subject", e.g. a person's e-mail or a system's name), or "token:<tokenId>"
   * for a token issued without one.
   */
  subject: string;
}

const ROLE_SET = new Set<string>(ROLES);
const EORI = /^[A-Z]{2}[A-Z0-9]{1,15}$/;

type Entry = { token: string; tenantId: string; role: Principal['role']; subject?: string; digest?: boolean; importers?: string[] };

/**
 * Bearer-token authentication shared by the HTTP and gRPC adapters. Tokens come from
 * API_TOKENS ("token=tenant[:role],…") or API_TOKENS_FILE (one pair per line), never from the
 * repo; only SHA-256 digests are kept in memory and looked up by digest, so the secret itself is
 * never compared byte by byte.
 */
export class TokenAuthenticator {
  private readonly byDigest = new Map<string, Principal>();

  constructor(entries: Entry[]) {
    for (const e of entries) {
      // A "sha256:<hex>" entry is the token's digest itself: a service can check a token it was
      // never given (scripts/services.sh hands services digests only, never the secrets).
      const digest = e.digest ? Buffer.from(e.token.slice('sha256:'.length), 'hex') : sha256(e.token);
      const tokenId = digest.toString('hex').slice(0, 8);
      const principal: Principal = { tenantId: e.tenantId, role: e.role, tokenId, subject: e.subject || `token:${tokenId}` };
      if (e.importers) principal.importers = Object.freeze([...e.importers]);
      this.byDigest.set(digest.toString('hex'), Object.freeze(principal));
    }
  }

  /**
   * Parses "token=tenant[:role[:subject[:importers]]]" pairs separated by commas or newlines;
   * errors name the entry. A broker names the importers it acts for, EORIs joined by "+"
   * ("tok=acme:broker:jane@agency:GB123456789000+GB987654321000"); no other role may. The token may be given as its SHA-256 digest, "sha256:<64 hex digits>" (of the
   * token's UTF-8 bytes), so a process that only checks tokens never holds one.
   */
  static parse(spec: string, origin = 'API_TOKENS'): TokenAuthenticator {
    const entries: Entry[] = [];
    spec
      .split(/[,\n]/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0 && !s.startsWith('#'))
      .forEach((pair, i) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new Error(`${origin} entry ${i + 1}: expected token=tenant[:role]`);
        const token = pair.slice(0, eq);
        const [tenantId, role = 'analyst', rawSubject, importerList, ...rest] = pair.slice(eq + 1).split(':');
        const subject = rawSubject === '' ? undefined : rawSubject;
        const digest = token.startsWith('sha256:');
        if (digest && !/^sha256:[0-9a-f]{64}$/.test(token)) throw new Error(`${origin} entry ${i + 1}: a digest entry is sha256: and 64 lower-case hex digits`);
        if (!digest && token.length < 16) throw new Error(`${origin} entry ${i + 1}: token must be at least 16 characters`);
        if (!tenantId || !/^[A-Za-z0-9_.-]{1,64}$/.test(tenantId)) throw new Error(`${origin} entry ${i + 1}: tenant must be 1-64 of [A-Za-z0-9_.-]`);
        if (!ROLE_SET.has(role)) throw new Error(`${origin} entry ${i + 1}: role must be one of ${ROLES.join(', ')}`);
        if (rest.length > 0) throw new Error(`${origin} entry ${i + 1}: expected token=tenant[:role[:subject[:importers]]], found more fields`);
        let importers: string[] | undefined;
        if (role === 'broker') {
          importers = (importerList ?? '').split('+').filter(Boolean);
          if (importers.length === 0) throw new Error(`${origin} entry ${i + 1}: a broker token names the importers it acts for (EORIs joined by "+") after its subject`);
          const bad = importers.find((e) => !EORI.test(e));
          if (bad !== undefined) throw new Error(`${origin} entry ${i + 1}: importer "${bad}" is not an EORI (two letters and up to 15 letters or digits)`);
        } else if (importerList !== undefined) {
          throw new Error(`${origin} entry ${i + 1}: only a broker token names importers`);
        }
        if (subject !== undefined && !/^[A-Za-z0-9_.@+-]{1,128}$/.test(subject)) throw new Error(`${origin} entry ${i + 1}: subject must be 1-128 of [A-Za-z0-9_.@+-]`);
        entries.push({ token, tenantId, role: role as Principal['role'], subject, digest, importers });
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

/**
 * Whether the principal may see data of this importer: everyone of the tenant may, a broker only
 * its delegated importers' (an unknown importer is not visible to a broker).
 */
export function maySeeImporter(p: Principal, importer: string | null | undefined): boolean {
  if (!p.importers) return true;
  return importer !== null && importer !== undefined && p.importers.includes(importer);
}

/**
 * Control characters in untrusted text, found and named before they reach Postgres: the rule
 * every edge of the platform applies to what it is sent (HTTP and gRPC in @customs/http and
 * @customs/grpc, documents in ingestion's parsers). Pure, here so parsers may use it too.
 *
 * Postgres text and jsonb cannot hold U+0000 at all (a NUL in a parameter is "invalid byte
 * sequence for encoding UTF8: 0x00", and `\u0000` in json/jsonb is "unsupported Unicode escape
 * sequence"); an unpaired UTF-16 surrogate cannot be encoded as UTF-8 (node-pg silently turns it
 * into U+FFFD, json casts refuse its `\ud800` escape). The other C0 controls and DEL are storable,
 * but never belong in an identifier, and in document text they are corruption (or an attempt to
 * hide something from a reviewer). So the platform refuses at its edges:
 * - identifiers and filters (HTTP path/query values, id headers, gRPC string fields): every C0
 *   control (U+0000–U+001F), DEL (U+007F) and unpaired surrogates;
 * - text (document cells and values, JSON request bodies): the same, except TAB, LF and CR.
 *
 * A regular expression over UTF-16 code units: one native scan, nothing worth a dependency.
 * (String.prototype.isWellFormed would find the surrogates but not say where, and is ES2024.)
 */

/** What was found, and where (index in UTF-16 code units, 0-based). */
export interface ControlCharacter {
  index: number;
  codePoint: number;
  /** "U+0000 (NUL)", "U+007F (DEL)", "U+D800 (unpaired surrogate)". */
  label: string;
}

export interface ControlCharacterOptions {
  /** Text, not an identifier: TAB, LF and CR are allowed. */
  text?: boolean;
}

const SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const IN_ID = new RegExp(`[\\u0000-\\u001f\\u007f]|${SURROGATE}`);
const IN_TEXT = new RegExp(`[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]|${SURROGATE}`);
const ALL_ID = new RegExp(IN_ID.source, 'g');
const ALL_TEXT = new RegExp(IN_TEXT.source, 'g');

const C0_NAMES = [
  'NUL',
  'SOH',
  'STX',
  'ETX',
  'EOT',
  'ENQ',
  'ACK',
  'BEL',
  'BS',
  'TAB',
  'LF',
  'VT',
  'FF',
  'CR',
  'SO',
  'SI',
  'DLE',
  'DC1',
  'DC2',
  'DC3',
  'DC4',
  'NAK',
  'SYN',
  'ETB',
  'CAN',
  'EM',
  'SUB',
  'ESC',
  'FS',
  'GS',
  'RS',
  'US',
];

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

function labelOf(codePoint: number): string {
  const name = codePoint < 0x20 ? C0_NAMES[codePoint] : codePoint === 0x7f ? 'DEL' : 'unpaired surrogate';
  return `U+${hex4(codePoint)} (${name})`;
}

/** The first forbidden character of `s`, or undefined when there is none. */
export function findControlCharacter(s: string, opts: ControlCharacterOptions = {}): ControlCharacter | undefined {
  const m = (opts.text ? IN_TEXT : IN_ID).exec(s);
  if (!m) return undefined;
  const codePoint = s.charCodeAt(m.index);
  return { index: m.index, codePoint, label: labelOf(codePoint) };
}

/** "U+0000 (NUL) at character 3" (1-based, as people count). */
export function describeControlCharacter(c: ControlCharacter): string {
  return `${c.label} at character ${c.index + 1}`;
}

/**
 * `s` with every forbidden character written as a visible `\uXXXX` escape, for storing text the
 * platform did not write itself (a filename, a parser's message quoting the input) where it must
 * be readable and must not fail the insert. Not reversible when `s` already held such an escape:
 * never use it to build an identifier that something else is looked up by.
 */
export function escapeControlCharacters(s: string, opts: ControlCharacterOptions = {}): string {
  if (!(opts.text ? IN_TEXT : IN_ID).test(s)) return s;
  return s.replace(opts.text ? ALL_TEXT : ALL_ID, (c) => `\\u${hex4(c.charCodeAt(0)).toLowerCase()}`);
}

/** Where in a structured value (a parsed JSON body, a decoded protobuf message) the first forbidden character is. */
export interface ControlCharacterAt {
  /** JSONPath-like: `reason`, `queries[2].commodity_code`, or `(key) a\u0000b` for an object key. */
  path: string;
  found: ControlCharacter;
}

export interface DeepOptions extends ControlCharacterOptions {
  /** Spells a field name as the caller's contract does (gRPC: its snake_case proto name). */
  fieldName?: (name: string) => string;
}

const MAX_DEPTH = 64;

/**
 * Walks strings, arrays and plain objects (keys too); byte arrays and other values are skipped.
 * Depth-capped: a message nested deeper than any contract here is reported, not recursed into.
 */
export function findControlCharacterIn(value: unknown, opts: DeepOptions = {}, path = '', depth = 0): ControlCharacterAt | undefined {
  if (typeof value === 'string') {
    const found = findControlCharacter(value, opts);
    return found ? { path: path || '(value)', found } : undefined;
  }
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const r = findControlCharacterIn(value[i], opts, `${path}[${i}]`, depth + 1);
      if (r) return r;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const name = opts.fieldName ? opts.fieldName(k) : k;
    const keyProblem = findControlCharacter(k);
    if (keyProblem) return { path: `${path ? `${path}.` : ''}(key) ${escapeControlCharacters(k)}`, found: keyProblem };
    const r = findControlCharacterIn(v, opts, path ? `${path}.${name}` : name, depth + 1);
    if (r) return r;
  }
  return undefined;
}

/**
 * What a tenant id may be: letters, digits, dot, underscore and hyphen, starting with a letter or
 * digit, at most 64 characters. Tenant ids become row values, RLS settings, topic keys and log
 * fields, so anything else ("*", which row-level security reads as "all tenants", SQL text, control
 * characters, a 300-character name) is refused wherever a tenant id enters the platform.
 */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Why `s` is not a valid tenant id, or undefined when it is one. */
export function tenantIdProblem(s: string): string | undefined {
  if (TENANT_ID_PATTERN.test(s)) return undefined;
  if (s === '') return 'is empty';
  const c = findControlCharacter(s);
  if (c) return `contains ${describeControlCharacter(c)}`;
  if (s.length > 64) return `is ${s.length} characters long (at most 64)`;
  return 'may hold only letters, digits, ".", "_" and "-", starting with a letter or digit';
}

// Signed Kafka submissions (issue 11, defect 10; docs/adr/0011-signed-kafka-submissions.md): the
// broker here authenticates no one (PLAINTEXT), so a submission proves its tenant with an
// HMAC-SHA256 over what it claims, made with a secret that tenant was issued. Headers:
//   signature-key: <key id>          which of the tenant's keys signed (keys rotate)
//   signature:     v1=<base64url>    HMAC-SHA256(secret, "customs-submission-v1\n" + tenant + "\n" + ce_id + "\n" + value)
// The tenant header and the CloudEvents id are inside the MAC, so neither can be changed or
// replayed under another tenant; the value is the Submission protobuf exactly as produced.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TENANT = /^[A-Za-z0-9_.-]{1,64}$/;
const MIN_SECRET = 32;

export interface SubmissionKey {
  keyId: string;
  tenantId: string;
  secret: Buffer;
}

/**
 * Parses "keyId=tenant:secret" entries (commas or newlines; '#' comments), errors naming the entry:
 * SUBMISSION_KEYS inline and/or SUBMISSION_KEYS_FILE. A secret is at least 32 characters.
 */
export function parseSubmissionKeys(spec: string, origin = 'SUBMISSION_KEYS'): Map<string, SubmissionKey> {
  const keys = new Map<string, SubmissionKey>();
  spec
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.startsWith('#'))
    .forEach((entry, i) => {
      const eq = entry.indexOf('=');
      const colon = entry.indexOf(':', eq + 1);
      if (eq <= 0 || colon < 0) throw new Error(`${origin} entry ${i + 1}: expected keyId=tenant:secret`);
      const keyId = entry.slice(0, eq);
      const tenantId = entry.slice(eq + 1, colon);
      const secret = entry.slice(colon + 1);
      if (!KEY_ID.test(keyId)) throw new Error(`${origin} entry ${i + 1}: key id must be 1-64 of [A-Za-z0-9_.-]`);
      if (!TENANT.test(tenantId)) throw new Error(`${origin} entry ${i + 1}: tenant must be 1-64 of [A-Za-z0-9_.-]`);
      if (secret.length < MIN_SECRET) throw new Error(`${origin} entry ${i + 1}: secret must be at least ${MIN_SECRET} characters`);
      if (keys.has(keyId)) throw new Error(`${origin} entry ${i + 1}: key id "${keyId}" is given twice`);
      keys.set(keyId, { keyId, tenantId, secret: Buffer.from(secret, 'utf8') });
    });
  return keys;
}

export function loadSubmissionKeys(cfg: { SUBMISSION_KEYS: string; SUBMISSION_KEYS_FILE: string }): Map<string, SubmissionKey> {
  const parts = [cfg.SUBMISSION_KEYS];
  if (cfg.SUBMISSION_KEYS_FILE) parts.push(readFileSync(cfg.SUBMISSION_KEYS_FILE, 'utf8'));
  return parseSubmissionKeys(parts.filter(Boolean).join('\n'), cfg.SUBMISSION_KEYS_FILE ? 'SUBMISSION_KEYS/SUBMISSION_KEYS_FILE' : 'SUBMISSION_KEYS');
}

function mac(secret: Buffer, tenant: string, ceId: string, value: Buffer): Buffer {
  return createHmac('sha256', secret).update(`customs-submission-v1\n${tenant}\n${ceId}\n`, 'utf8').update(value).digest();
}

/** The two headers a producer adds (the producer's side; also used by the tests). */
export function signSubmission(key: { keyId: string; secret: string | Buffer }, tenant: string, ceId: string, value: Buffer): { 'signature-key': string; signature: string } {
  const secret = typeof key.secret === 'string' ? Buffer.from(key.secret, 'utf8') : key.secret;
  return { 'signature-key': key.keyId, signature: `v1=${mac(secret, tenant, ceId, value).toString('base64url')}` };
}

/** Why a submission is not authentic, or undefined when it is. */
export interface SignatureRefusal {
  code: 'UNSIGNED' | 'NO_EVENT_ID' | 'UNKNOWN_SIGNING_KEY' | 'SIGNING_KEY_OF_ANOTHER_TENANT' | 'BAD_SIGNATURE';
  reason: string;
}

export function verifySubmission(keys: ReadonlyMap<string, SubmissionKey>, m: { tenant: string; ceId: string; headers: Record<string, string>; value: Buffer }): SignatureRefusal | undefined {
  const keyId = m.headers['signature-key'];
  const sig = m.headers.signature;
  if (!keyId || !sig) return { code: 'UNSIGNED', reason: 'the submission carries no "signature-key" and "signature" headers; submissions must be signed with a key issued to the tenant' };
  // The id is signed and deduplicated on: without one a signed message could be replayed.
  if (!m.ceId) return { code: 'NO_EVENT_ID', reason: 'a signed submission carries its CloudEvents id in a "ce_id" header: it is covered by the signature and deduplicated on' };
  const key = keys.get(keyId);
  if (!key) return { code: 'UNKNOWN_SIGNING_KEY', reason: `signing key "${keyId.slice(0, 64)}" is not one this service knows` };
  if (key.tenantId !== m.tenant) return { code: 'SIGNING_KEY_OF_ANOTHER_TENANT', reason: `signing key "${keyId}" was issued to another tenant than the "tenant" header names ("${m.tenant}")` };
  const given = /^v1=([A-Za-z0-9_-]{43})$/.exec(sig);
  const expected = mac(key.secret, m.tenant, m.ceId, m.value);
  if (!given || !timingSafeEqual(Buffer.from(given[1]!, 'base64url'), expected))
    return { code: 'BAD_SIGNATURE', reason: `the signature does not match the submission (tenant, ce_id and content) under key "${keyId}"` };
  return undefined;
}

// The hostile-input corpus (issue 11, "Fault tolerance, proven"): cases are data, in cases/*.json;
// this module loads them and turns each case's body recipe into the bytes to send. Large or binary
// inputs are built here at test time from small recipes, so the repository holds no megabytes.
// See README.md in this folder for the format.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as contracts from '@customs/contracts';
import { HMRC_SAMPLES, REPO_ROOT, fodsOf, odsOf, xlsxOf, xlsxOfSheetXml, zipOf } from '../src';

export const CHANNELS = ['rest-upload', 'rest-json', 'rest-query', 'grpc', 'kafka', 'ott'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Service = 'reference' | 'ingestion' | 'validation' | 'scoring' | 'alerting';
/** Who calls: the main tenant's roles, another tenant's, the platform's service token, or no/garbage token. */
export type As = 'analyst' | 'integrator' | 'admin' | 'auditor' | 'broker' | 'platform' | 'other-analyst' | 'other-admin' | 'other-integrator' | 'none' | 'garbage';

/** A body recipe: a string, or an object with one `$` key (see README.md). */
export type Recipe = string | { [k: string]: unknown };

export interface RestCase {
  id: string;
  channel: 'rest-upload' | 'rest-json' | 'rest-query' | 'ott';
  about: string;
  service: Service;
  method: string;
  /** May hold {declA} (the main tenant's seeded declaration id) and {batchA}. */
  path: string;
  as?: As;
  body?: Recipe;
  contentType?: string;
  expect: {
    status: number;
    /** The problem's stable code (`error`, the last segment of `type`). */
    code?: string;
    /** Document refusals (422): an issue of the stored batch with this code. */
    issue?: string;
    /** The refused document's batch: "kept" = its raw bytes read back as sent; "hashed" = only size and hash (over the cap). */
    batch?: 'kept' | 'hashed';
    /** Fields the (JSON) answer must have, e.g. an empty list where another tenant's data is asked for. */
    body?: Record<string, unknown>;
  };
  /** The product does not answer this as it should yet: why (run last, as a known failure; README "Open defects"). */
  openDefect?: string;
}

export interface GrpcCase {
  id: string;
  channel: 'grpc';
  about: string;
  service: Service;
  /** "ReferenceService/ComputeDuties" */
  rpc: string;
  /** The request: a message of `type` from @customs/contracts (proto3 JSON field names in camelCase), or raw bytes. */
  type?: string;
  request?: unknown;
  bytes?: Recipe;
  as?: As;
  expect: { code: keyof typeof GRPC_CODES; details?: string };
  openDefect?: string;
}

export interface KafkaCase {
  id: string;
  channel: 'kafka';
  about: string;
  /** A Submission (format, filename, content, idempotencyKey, tenantId); or `value`: raw bytes that are no Submission. */
  submission?: { format?: string; filename?: string; content?: Recipe; idempotencyKey?: string; tenantId?: string };
  value?: Recipe;
  /** How it is signed: "signed" (the main tenant's key), "unsigned", "tampered", "unknown-key", "no-ce-id"; `tenant` overrides the tenant header after signing. */
  sign?: 'signed' | 'unsigned' | 'tampered' | 'unknown-key' | 'no-ce-id';
  tenant?: string;
  expect: { batch?: { status: string; issue: string }; refused?: string; deadLetter?: string };
  openDefect?: string;
}

export type HostileCase = RestCase | GrpcCase | KafkaCase;

export const GRPC_CODES = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNAUTHENTICATED: 16,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
} as const;

export const CORPUS_DIR = path.join(__dirname, 'cases');

export function loadCorpus(): HostileCase[] {
  const files = fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const all: HostileCase[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const doc = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, f), 'utf8')) as { cases: HostileCase[] };
    for (const c of doc.cases) {
      if (seen.has(c.id)) throw new Error(`${f}: case id "${c.id}" is given twice`);
      if (!CHANNELS.includes(c.channel)) throw new Error(`${f}: case "${c.id}" has unknown channel "${c.channel}"`);
      seen.add(c.id);
      all.push(c);
    }
  }
  return all;
}

const bytesOf = (v: Buffer | string): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
const textOf = (r: Recipe): string => bytesOf(build(r)).toString('utf8');
/** Resolves recipes nested inside a JSON value ($json). */
function expandJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(expandJson);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('$repeatJson' in o) return Array.from({ length: o.times as number }, () => expandJson(o.$repeatJson));
    if (Object.keys(v).some((k) => k.startsWith('$'))) return textOf(v as Recipe);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandJson(x)]));
  }
  return v;
}
/** Rows of cells: a recipe each, or (.ods) a cell spec object without `$` keys, passed as is. */
const rowsOf = (rows: unknown): any[][] => (rows as Recipe[][]).map((r) => r.map((c) => (typeof c === 'object' && !Object.keys(c).some((k) => k.startsWith('$')) ? c : textOf(c))));

/** The bytes a recipe stands for. */
export function build(r: Recipe): Buffer | string {
  if (typeof r === 'string') return r;
  const o = r as Record<string, any>;
  if ('$repeat' in o) return textOf(o.$repeat).repeat(o.times as number);
  if ('$concat' in o) return Buffer.concat((o.$concat as Recipe[]).map((x) => bytesOf(build(x))));
  if ('$base64' in o) return Buffer.from(o.$base64 as string, 'base64');
  if ('$hex' in o) return Buffer.from(o.$hex as string, 'hex');
  if ('$sample' in o) return fs.readFileSync(path.join(HMRC_SAMPLES, o.$sample as string));
  if ('$fixture' in o) return fs.readFileSync(path.join(REPO_ROOT, 'packages/testing', o.$fixture as string));
  if ('$replace' in o) {
    let s = textOf(o.$replace);
    for (const [from, to] of o.with as [string, Recipe][]) {
      if (!s.includes(from)) throw new Error(`recipe: "${from}" is not in the text to replace in`);
      s = s.replace(from, textOf(to));
    }
    return s;
  }
  if ('$json' in o) return JSON.stringify(expandJson(o.$json));
  if ('$xlsx' in o) return xlsxOf(rowsOf(o.$xlsx), o.doctype ?? '', o.options ?? {});
  if ('$xlsxSheet' in o)
    return xlsxOfSheetXml(
      textOf(o.$xlsxSheet),
      ((o.parts ?? []) as { name: string; data: Recipe; store?: boolean }[]).map((p) => ({ ...p, data: build(p.data) })),
    );
  if ('$ods' in o) return odsOf(rowsOf(o.$ods), o.options ?? {});
  if ('$fods' in o) return Buffer.from(fodsOf(rowsOf(o.$fods), o.options ?? {}));
  if ('$zip' in o) return zipOf((o.$zip as { name: string; data: Recipe; store?: boolean }[]).map((e) => ({ ...e, data: bytesOf(build(e.data)) })) as never);
  if ('$protobuf' in o) {
    const codec = (contracts as Record<string, any>)[o.$protobuf as string];
    if (!codec?.encode) throw new Error(`recipe: no message ${o.$protobuf} in @customs/contracts`);
    return Buffer.from(codec.encode(codec.fromPartial(expandJson(o.value))).finish());
  }
  if ('$multipart' in o) {
    // A multipart/form-data body with boundary "HOSTILE" (the case's contentType names it).
    const parts = o.$multipart as { name?: string; filename?: string; type?: string; data: Recipe }[];
    const chunks: Buffer[] = [];
    for (const p of parts) {
      const disp = `form-data; name="${p.name ?? 'file'}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
      chunks.push(Buffer.from(`--HOSTILE\r\nContent-Disposition: ${disp}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`), bytesOf(build(p.data)), Buffer.from('\r\n'));
    }
    if (!o.unterminated) chunks.push(Buffer.from('--HOSTILE--\r\n'));
    return Buffer.concat(chunks);
  }
  throw new Error(`recipe: unknown form ${JSON.stringify(Object.keys(o))}`);
}

export const buildBuffer = (r: Recipe): Buffer => bytesOf(build(r));

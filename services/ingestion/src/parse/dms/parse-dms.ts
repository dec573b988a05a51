import { type Declaration, SourceFormat } from '@customs/contracts';
import { mapDeclaration } from './map';
import { DEFAULT_MAX_BYTES, DmsReader } from './reader';
import type { DmsParseOptions, DmsParseResult, ParseIssue, ParseIssueCode } from './types';
import { DMS_SCHEMA_NAME, dmsSchemaCheckSettings, validateDms, validateDmsAsync, type XsdResult } from './xsd';

const DEFAULT_MAX_WARNINGS = 1000;

/** Incremental parser: write() chunks as they arrive, then end() for the result. */
export interface DmsDeclarationParser {
  write(chunk: Uint8Array | string): void;
  /** True once the input is rejected; a caller can stop reading its source. */
  readonly failed: boolean;
  end(): DmsParseResult;
}

/**
 * Creates an incremental parser of one WCO Data Model 3.6 / DMS import declaration. No I/O: the
 * caller supplies the bytes (the optional XSD check runs in xsd.ts's worker thread). Size, encoding, DTD and field-length limits apply as the chunks
 * arrive, so a hostile stream is cut off at the limit rather than buffered. With the schema check
 * on, the chunks of a document still being accepted are kept (at most maxBytes) so that an accepted
 * declaration can be checked against HMRC's XSDs at end().
 */
export function createDmsDeclarationParser(opts: DmsParseOptions): DmsDeclarationParser {
  return createParser(opts, null);
}

/** `whole`: the complete input when the caller has it in hand (parseDmsDeclaration); else chunks are kept. */
function createParser(opts: DmsParseOptions, whole: Buffer | Uint8Array | string | null): DmsDeclarationParser {
  const reader = new DmsReader(opts);
  const schemaCheck = opts.schemaCheck ?? dmsSchemaCheckSettings().enabled;
  const kept: (Uint8Array | string)[] | null = schemaCheck && whole === null ? [] : null;
  return {
    write: (chunk) => {
      const failedBefore = reader.failed;
      reader.write(chunk);
      // The chunk that made the reader fail is kept too; nothing after it is (it is never read).
      // Bytes are copied: a caller may reuse its buffer for the next chunk.
      if (kept !== null && !failedBefore) kept.push(typeof chunk === 'string' ? chunk : new Uint8Array(chunk));
    },
    get failed() {
      return reader.failed;
    },
    end: (): DmsParseResult => {
      const result = finish(reader.end(), opts);
      if (!schemaCheck) return result;
      if (result.ok) return withSchemaWarnings(result, validateDms(whole ?? joinChunks(kept!)), opts.sourceName);
      // A rejection is explained by libxml2 only when the whole document is known: a stream stops
      // being read at the rejection, and libxml2 would only complain that it ends early.
      return whole !== null && explainedByLibxml2(result) ? withSchemaDetail(result, validateDms(whole)) : result;
    },
  };
}

function finish(read: ReturnType<DmsReader['end']>, opts: DmsParseOptions): DmsParseResult {
  if (!read.ok) return { ok: false, errors: [read.error] };
  const mapped = mapDeclaration(read.declaration, read.basePath, opts.sourceName, opts.maxWarnings ?? DEFAULT_MAX_WARNINGS);
  if (!mapped.ok) return { ok: false, errors: [mapped.error] };
  const declaration: Declaration = {
    ...mapped.declaration,
    sourceFormat: SourceFormat.SOURCE_FORMAT_DMS_XML,
    sourceName: opts.sourceName,
    // Hash of the bytes exactly as received: re-sending the same file is recognisably the same.
    contentSha256: read.sha256,
  };
  return { ok: true, declaration, warnings: mapped.warnings, kind: mapped.kind, amendments: mapped.amendments };
}

function joinChunks(chunks: (Uint8Array | string)[]): Uint8Array | string {
  if (chunks.length === 1) return chunks[0]!;
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}

/**
 * Schema policy for an accepted document: every XSD error is an XSD_INVALID warning (line, element
 * path, element name, libxml2's message). CDS validates submissions against this schema and would
 * have rejected such a declaration as sent, so it is worth flagging, but the declaration is still
 * ingested: its values are what the broker declared, and the compliance checks need them either way.
 * All of HMRC's own import samples validate, so the warning is not noise on real declarations.
 */
function withSchemaWarnings(result: Extract<DmsParseResult, { ok: true }>, xsd: XsdResult, sourceName: string): DmsParseResult {
  const issue = (line: number, elementPath: string, field: string, reason: string, code: ParseIssueCode): ParseIssue => ({ sourceName, line, column: 0, elementPath, field, reason, code });
  const extra: ParseIssue[] = [];
  if (xsd.status === 'invalid') {
    for (const i of xsd.issues) extra.push(issue(i.line, i.path ?? xsd.validated ?? '(document)', i.element ?? '(schema)', i.message, 'XSD_INVALID'));
    if (xsd.omitted > 0) {
      const count = xsd.capped
        ? `at least ${xsd.omitted} further ${DMS_SCHEMA_NAME} errors were not listed (libxml2 reports at most 1000 per document)`
        : `${xsd.omitted} further ${DMS_SCHEMA_NAME} errors were not listed`;
      extra.push(issue(0, xsd.validated ?? '(document)', '(schema)', count, 'XSD_INVALID'));
    }
  } else if (xsd.status === 'malformed') {
    // saxes accepted what libxml2 will not parse: the schema could not be applied.
    const first = xsd.issues[0];
    extra.push(issue(first?.line ?? 0, '(document)', '(schema)', `not checked against ${DMS_SCHEMA_NAME}: libxml2 cannot parse the document${first ? `: ${first.message}` : ''}`, 'XSD_UNCHECKED'));
  } else if (xsd.status === 'skipped') {
    extra.push(issue(0, '(document)', '(schema)', `not checked against ${DMS_SCHEMA_NAME}: ${xsd.reason ?? 'skipped'}`, 'XSD_UNCHECKED'));
  }
  return extra.length === 0 ? result : { ...result, warnings: [...result.warnings, ...extra] };
}

/** Rejections libxml2 can say more about: its parse error, or the schema's view of the root/namespace. */
const EXPLAINED_BY_LIBXML2: ReadonlySet<ParseIssueCode> = new Set(['XML_NOT_WELL_FORMED', 'WRONG_NAMESPACE', 'MISSING_ELEMENT']);

function explainedByLibxml2(result: Extract<DmsParseResult, { ok: false }>): boolean {
  const error = result.errors[0];
  return error !== undefined && EXPLAINED_BY_LIBXML2.has(error.code);
}

/**
 * Schema policy for a rejected document: the rejection stands as the parser made it (code, line,
 * element), and for malformed XML, a wrong namespace or an envelope without its declaration the
 * reason gains libxml2's first error with its line — the message a broker would get from a
 * schema-validating gateway such as CDS's. DTDs, oversize, encoding and notification rejections are
 * never passed to libxml2: there is nothing it could add, and a DTD must not reach any XML library.
 */
function withSchemaDetail(result: Extract<DmsParseResult, { ok: false }>, xsd: XsdResult): DmsParseResult {
  const error = result.errors[0];
  if (error === undefined || !EXPLAINED_BY_LIBXML2.has(error.code)) return result;
  const first = xsd.issues[0];
  if ((xsd.status !== 'malformed' && xsd.status !== 'invalid') || first === undefined) return result;
  const what = xsd.status === 'malformed' ? 'libxml2' : `${DMS_SCHEMA_NAME} (libxml2)`;
  const more = xsd.issues.length + xsd.omitted > 1 ? ` (+${xsd.issues.length + xsd.omitted - 1} more)` : '';
  return { ok: false, errors: [{ ...error, reason: `${error.reason.replace(/\.$/, '')}; ${what} at line ${first.line}: ${first.message}${more}` }, ...result.errors.slice(1)] };
}

/**
 * Parses one DMS declaration (a file as brokers submit it to CDS, with or without HMRC's MDG
 * envelope) into the canonical Declaration. Rejects only what makes the document unusable: too
 * large, not UTF-8, a DTD, not well-formed, wrong namespace, not a declaration (e.g. a DMS
 * notification), or an original declaration without goods items. Doubtful values are warnings.
 * Unless `schemaCheck` is off, the document is then checked against HMRC's XSDs (see
 * withSchemaWarnings / withSchemaDetail for what that adds).
 */
export function parseDmsDeclaration(input: Buffer | Uint8Array | string, opts: DmsParseOptions): DmsParseResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  // Checked before any parsing; a string's UTF-8 size is at most 3 bytes per UTF-16 unit.
  const size = typeof input === 'string' ? (input.length * 3 <= maxBytes ? 0 : Buffer.byteLength(input, 'utf8')) : input.length;
  if (size > maxBytes) {
    return {
      ok: false,
      errors: [
        { sourceName: opts.sourceName, line: 0, column: 0, elementPath: '(document)', field: '(document)', reason: `the document is ${size} bytes; the limit is ${maxBytes}`, code: 'TOO_LARGE' },
      ],
    };
  }
  const parser = createParser(opts, input);
  parser.write(input);
  return parser.end();
}

/**
 * parseDmsDeclaration for a server: the same result, but the schema check is awaited rather than
 * waited for, so the event loop keeps serving other requests while libxml2 works on its thread.
 */
export async function parseDmsDeclarationAsync(input: Buffer | Uint8Array | string, opts: DmsParseOptions): Promise<DmsParseResult> {
  const result = parseDmsDeclaration(input, { ...opts, schemaCheck: false });
  if (!(opts.schemaCheck ?? dmsSchemaCheckSettings().enabled)) return result;
  if (result.ok) return withSchemaWarnings(result, await validateDmsAsync(input), opts.sourceName);
  // Oversize input never reaches the check (TOO_LARGE is not explained by libxml2).
  return explainedByLibxml2(result) ? withSchemaDetail(result, await validateDmsAsync(input)) : result;
}

/** Parses a declaration arriving as a (possibly async) sequence of chunks, e.g. a file or HTTP stream. */
export async function parseDmsDeclarationStream(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, opts: DmsParseOptions): Promise<DmsParseResult> {
  const parser = createDmsDeclarationParser(opts);
  for await (const chunk of chunks) {
    parser.write(chunk);
    // Stop pulling from the source once rejected (e.g. past maxBytes): the rest cannot change the answer.
    if (parser.failed) break;
  }
  return parser.end();
}

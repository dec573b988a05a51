import { Declaration, SourceFormat } from '@customs/contracts';
import { mapDeclaration } from './map';
import { DEFAULT_MAX_BYTES, DmsReader } from './reader';
import type { DmsParseOptions, DmsParseResult } from './types';

const DEFAULT_MAX_WARNINGS = 1000;

/** Incremental parser: write() chunks as they arrive, then end() for the result. */
export interface DmsDeclarationParser {
  write(chunk: Uint8Array | string): void;
  /** True once the input is rejected; a caller can stop reading its source. */
  readonly failed: boolean;
  end(): DmsParseResult;
}

/**
 * Creates an incremental parser of one WCO Data Model 3.6 / DMS import declaration. Pure: no I/O;
 * the caller supplies the bytes. Size, encoding, DTD and field-length limits apply as the chunks
 * arrive, so a hostile stream is cut off at the limit rather than buffered.
 */
export function createDmsDeclarationParser(opts: DmsParseOptions): DmsDeclarationParser {
  const reader = new DmsReader(opts);
  return {
    write: (chunk) => reader.write(chunk),
    get failed() {
      return reader.failed;
    },
    end: (): DmsParseResult => {
      const read = reader.end();
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
    },
  };
}

/**
 * Parses one DMS declaration (a file as brokers submit it to CDS, with or without HMRC's MDG
 * envelope) into the canonical Declaration. Rejects only what makes the document unusable: too
 * large, not UTF-8, a DTD, not well-formed, wrong namespace, not a declaration (e.g. a DMS
 * notification), or an original declaration without goods items. Doubtful values are warnings.
 */
export function parseDmsDeclaration(input: Buffer | Uint8Array | string, opts: DmsParseOptions): DmsParseResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  // Checked before any parsing; a string's UTF-8 size is at most 3 bytes per UTF-16 unit.
  const size = typeof input === 'string' ? (input.length * 3 <= maxBytes ? 0 : Buffer.byteLength(input, 'utf8')) : input.length;
  if (size > maxBytes) {
    return { ok: false, errors: [{ sourceName: opts.sourceName, line: 0, column: 0, elementPath: '(document)', field: '(document)', reason: `the document is ${size} bytes; the limit is ${maxBytes}`, code: 'TOO_LARGE' }] };
  }
  const parser = createDmsDeclarationParser(opts);
  parser.write(input);
  return parser.end();
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

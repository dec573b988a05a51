import { isWorkbook, SheetLimitError, workbookKind, WorkbookWorkerError, WorkbookWorkerPool, type WorkbookKind, type WorkbookWorkerOptions } from '@customs/spreadsheet';
import { parseDmsDeclarationAsync } from '../parse/dms';
import type { IngestIssue, ParsedDocument } from './ingest';
import { parseCdsReports, type CdsIssue } from '../parse/cds/cds-report';
import { parseChiefMss } from '../parse/chief/chief-mss';

/**
 * Formats a document can be submitted in (REST body, multipart, Kafka submission, CLI file):
 * a broker's WCO/DMS declaration XML; HMRC CDS data reports as CSV, .xlsx, .ods or .fods (header,
 * item and tax-line reports; send them together in one multipart upload to have them joined); a
 * legacy CHIEF MSS import entry item report; ERP purchase / goods-receipt lines as JSON or CSV
 * (stored as receipts for reconciliation, not as declarations); HMRC's duty deferment electronic
 * statement as CSV (ddes-csv, docs/deferment-statement.md: published for reconciliation, C42).
 */
export const DOCUMENT_FORMATS = ['dms-xml', 'cds-report', 'chief-mss', 'erp-json', 'erp-csv', 'ddes-csv'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];
/** The importer's own books (not declarations): each document is stored and published in one transaction of its own. */
export type BooksFormat = 'erp-json' | 'erp-csv' | 'ddes-csv';
export type DeclarationFormat = Exclude<DocumentFormat, BooksFormat>;

// Names the Submission contract documents for API producers, mapped onto the formats above.
const ALIASES: Record<string, DocumentFormat> = {
  'cds-header-csv': 'cds-report',
  'cds-item-csv': 'cds-report',
  'cds-taxline-csv': 'cds-report',
  'deferment-statement-csv': 'ddes-csv',
  ddes: 'ddes-csv',
};

/** The canonical format name for a submitted one (aliases resolved), or the input unchanged. */
export function canonicalFormat(f: string): string {
  return ALIASES[f] ?? f;
}

export function isDocumentFormat(f: string): f is DocumentFormat {
  return (DOCUMENT_FORMATS as readonly string[]).includes(f);
}

/** ERP receipts or a deferment statement: stored by ingestBuffered in one transaction, never group-committed with declarations. */
export function isBooksFormat(f: string): f is BooksFormat {
  return f === 'erp-json' || f === 'erp-csv' || f === 'ddes-csv';
}

/** The same test under its first name (callers route every books format by it, deferment statements included). */
export const isErpFormat = isBooksFormat;

export async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

export function cdsIssue(i: CdsIssue): IngestIssue {
  return { severity: i.severity, sourceName: i.sourceName, line: i.row || undefined, location: i.row ? `row ${i.row}` : '(file)', field: i.column || i.field, code: i.code, reason: i.reason };
}

/** What to call a workbook that failed: its kind when the container told it, else its file name's. */
function workbookLabel(kind: WorkbookKind | undefined, sourceName: string): string {
  if (kind) return `.${kind}`;
  if (/\.fods$/i.test(sourceName)) return '.fods';
  if (/\.ods$/i.test(sourceName)) return '.ods';
  if (/\.xlsx$/i.test(sourceName)) return '.xlsx';
  return '.xlsx or .ods';
}

/**
 * Workbooks are read on worker threads of their own, each with a heap limit and a deadline
 * (WorkbookWorkerPool): a workbook that would take the service's memory or a core for long is
 * stopped and rejected, and the service goes on. Set from the service's configuration at start
 * (WORKBOOK_TIMEOUT_MS, WORKBOOK_MAX_MEMORY_MB, WORKBOOK_CONCURRENCY); the defaults otherwise.
 */
let workbooks = new WorkbookWorkerPool();

/**
 * Reads workbooks with these settings from now on. The pool before is left to finish what it
 * reads (a pool keeps no idle workers, so there is nothing else to stop).
 */
export function configureWorkbookReading(opts: WorkbookWorkerOptions): WorkbookWorkerPool {
  workbooks = new WorkbookWorkerPool(opts);
  return workbooks;
}

/**
 * Stops a pool's workers (the service's, at shutdown); if it is the one in use, later reads use
 * a new pool with the defaults.
 */
export async function closeWorkbookReading(pool: WorkbookWorkerPool = workbooks): Promise<void> {
  if (pool === workbooks) workbooks = new WorkbookWorkerPool();
  await pool.close();
}

/**
 * The issue that rejects a workbook that could not be read: past a cap (WORKBOOK_LIMIT, naming
 * the part, row and cell, and the cap as its field), stopped for time or memory (WORKBOOK_LIMIT,
 * field timeout / memory), or unreadable (BAD_WORKBOOK).
 */
function workbookIssue(e: Error, kind: WorkbookKind | undefined, sourceName: string): IngestIssue {
  const reason = `not a readable ${workbookLabel(kind, sourceName)} report: ${e.message}`;
  if (e instanceof SheetLimitError) {
    const d = e.details;
    const at = d.row !== undefined ? `row ${d.row}${d.cell ? `, cell ${d.cell}` : ''}` : d.cell;
    const location = [d.part, at].filter(Boolean).join(': ') || '(file)';
    return { severity: 'error', sourceName, line: d.row, location, field: d.cap, code: 'WORKBOOK_LIMIT', reason };
  }
  if (e instanceof WorkbookWorkerError && (e.reason === 'timeout' || e.reason === 'memory'))
    return { severity: 'error', sourceName, location: '(file)', field: e.reason, code: 'WORKBOOK_LIMIT', reason };
  return { severity: 'error', sourceName, location: '(file)', field: '(workbook)', code: 'BAD_WORKBOOK', reason };
}

/** Parses several files of one format as one submission (CDS reports are joined across files). */
export async function parseDocuments(format: DeclarationFormat, files: { sourceName: string; content: Buffer }[], maxBytes: number): Promise<ParsedDocument> {
  if (format === 'cds-report') {
    // HMRC also ships the reports as .xlsx, and they reach us as .ods too (the open format UK
    // government's open-standards policy names for editable documents, and what LibreOffice and
    // Google Sheets export), and as flat .fods (the same OpenDocument as one XML file): a workbook
    // is recognised by its content (a ZIP container, ODS or XLSX by its parts; or an
    // office:document XML root), not by its file name; its first sheet is read (no DTDs, capped
    // inflate and repeats) and re-expressed as CSV, so every form goes through the same column
    // aliases, joins and checks. It is read on a bounded worker thread (above), which gives the CSV.
    const issues: IngestIssue[] = [];
    const csvFiles: { sourceName: string; content: Buffer }[] = [];
    for (const f of files) {
      if (!isWorkbook(f.content)) {
        csvFiles.push(f);
        continue;
      }
      let kind: WorkbookKind | undefined;
      try {
        kind = workbookKind(f.content, f.sourceName); // the central directory only: names the kind in errors
        csvFiles.push({ sourceName: f.sourceName, content: (await workbooks.readCsv(f.content, f.sourceName)).csv });
      } catch (e) {
        // A reader closed as the service stops is no verdict on the file: the request fails and
        // is sent again (a Kafka submission is redelivered), rather than stored as rejected.
        if (e instanceof WorkbookWorkerError && e.reason === 'closed') throw e;
        issues.push(workbookIssue(e as Error, kind, f.sourceName));
      }
    }
    const r = await parseCdsReports(csvFiles.map((f) => ({ sourceName: f.sourceName, chunks: once(f.content) })));
    return { declarations: r.declarations, changes: [], issues: [...issues, ...r.issues.map(cdsIssue)] };
  }
  const parsed = await Promise.all(files.map((f) => parseDocument(format, f.content, f.sourceName, maxBytes)));
  return { declarations: parsed.flatMap((p) => p.declarations), changes: parsed.flatMap((p) => p.changes ?? []), issues: parsed.flatMap((p) => p.issues) };
}

/** Parses one document of a known format into declarations and issues (pure). */
export async function parseDocument(format: DeclarationFormat, content: Buffer, sourceName: string, maxBytes: number): Promise<ParsedDocument> {
  switch (format) {
    case 'chief-mss': {
      const r = await parseChiefMss(content, sourceName);
      return { declarations: r.declarations, changes: [], issues: r.issues.map(cdsIssue) };
    }
    case 'cds-report':
      return parseDocuments(format, [{ sourceName, content }], maxBytes);
    case 'dms-xml': {
      const r = await parseDmsDeclarationAsync(content, { sourceName, maxBytes });
      const toIssue =
        (severity: IngestIssue['severity']) =>
        (i: { sourceName: string; line: number; column: number; elementPath: string; field: string; reason: string; code: string }): IngestIssue => ({
          severity,
          sourceName: i.sourceName,
          line: i.line || undefined,
          column: i.column || undefined,
          location: i.elementPath,
          field: i.field,
          code: i.code,
          reason: i.reason,
        });
      if (!r.ok) return { declarations: [], changes: [], issues: r.errors.map(toIssue('error')) };
      // A COR amendment is a delta and an INV a request: neither is a full declaration version.
      if (r.kind !== 'declaration') return { declarations: [], changes: [{ kind: r.kind, declaration: r.declaration, amendments: r.amendments }], issues: r.warnings.map(toIssue('warning')) };
      return { declarations: [r.declaration], changes: [], issues: r.warnings.map(toIssue('warning')) };
    }
  }
}

import { parseDmsDeclaration } from '../parse/dms';
import type { IngestIssue, ParsedDocument } from './ingest';

/** Formats a single document can be submitted in (REST body, Kafka submission, CLI file). */
export const DOCUMENT_FORMATS = ['dms-xml'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export function isDocumentFormat(f: string): f is DocumentFormat {
  return (DOCUMENT_FORMATS as readonly string[]).includes(f);
}

/** Parses one document of a known format into declarations and issues (pure). */
export function parseDocument(format: DocumentFormat, content: Buffer, sourceName: string, maxBytes: number): ParsedDocument {
  switch (format) {
    case 'dms-xml': {
      const r = parseDmsDeclaration(content, { sourceName, maxBytes });
      const toIssue = (severity: IngestIssue['severity']) => (i: { sourceName: string; line: number; column: number; elementPath: string; field: string; reason: string; code: string }): IngestIssue => ({
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

import { describeControlCharacter, escapeControlCharacters, findControlCharacter } from '@customs/contracts';
import type { IngestIssue } from './ingest';

/**
 * Text that ingestion writes to text columns but did not write itself (file names, parsers'
 * messages quoting the input, a producer's format name): control characters other than TAB, LF
 * and CR written as visible `\uXXXX` escapes, so that the batch record of a refused document can
 * always be stored (Postgres text cannot hold U+0000) and a reviewer sees what came.
 */
export function storable(s: string): string {
  return escapeControlCharacters(s, { text: true });
}

/**
 * A submitted file name → the name the batch, its issues and its declarations carry (every
 * control character, line breaks included, escaped), and a warning naming what was escaped. The
 * document itself is still read: a file name is a label, not content.
 */
export function safeSourceName(raw: string, field = 'filename'): { sourceName: string; issue?: IngestIssue } {
  const found = findControlCharacter(raw);
  if (!found) return { sourceName: raw };
  const sourceName = escapeControlCharacters(raw);
  return {
    sourceName,
    issue: {
      severity: 'warning',
      sourceName,
      location: '(request)',
      field,
      code: 'CONTROL_CHARACTER',
      reason: `the file name contains ${describeControlCharacter(found)}; control characters are not allowed in file names, so it is stored as "${sourceName}"`,
    },
  };
}

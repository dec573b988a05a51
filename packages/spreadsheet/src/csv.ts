/**
 * Rows as RFC 4180 CSV text, so spreadsheet reports reuse the CSV parsers. Every field is
 * quoted: a cell's text is data, whatever it contains (commas, quotes, line breaks, "=…").
 */
export function rowsToCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
}

/** Characters of CSV gathered before they are encoded into a buffer of their own. */
const CHUNK_CHARS = 1 << 20;

/**
 * The rows as rowsToCsv's CSV (every field quoted, CRLF), in UTF-8 buffers of about a MB each:
 * outside the V8 heap, and never one string the size of the sheet (a large allocation near the
 * heap limit would be fatal to the process, not only to this worker).
 */
export function csvChunks(rows: readonly (readonly string[])[]): Uint8Array[] {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let pending: string[] = [];
  let chars = 0;
  const flush = () => {
    if (pending.length) chunks.push(encoder.encode(pending.join('')));
    pending = [];
    chars = 0;
  };
  const put = (s: string) => {
    pending.push(s);
    chars += s.length;
    if (chars >= CHUNK_CHARS) flush();
  };
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) put(',');
      const v = row[i]!;
      put('"');
      put(v.includes('"') ? v.replace(/"/g, '""') : v);
      put('"');
    }
    put('\r\n');
  }
  if (rows.length === 0) put('\r\n'); // as rowsToCsv: an empty sheet is one empty line
  flush();
  return chunks;
}

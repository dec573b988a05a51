/**
 * Incremental RFC 4180 CSV record splitter for the report hot path: text goes in as it is decoded,
 * complete records come out; an unfinished record waits for the next chunk (so a quoted field
 * may span chunks and lines). Records end at LF or CRLF (a file with only CR line ends is
 * recognised from its first chunk). Empty lines are skipped; a leading BOM is dropped.
 *
 * Strict where it matters for safety: a quote inside an unquoted field, text after a closing
 * quote, an unclosed quote at the end, or a record over `maxRecordChars` is a CsvError (the
 * caller reports the file malformed at that record) rather than a guess. Values are returned as
 * text, never interpreted ("=cmd|…" stays a string).
 *
 * Why not csv-parse: on a 1 GB report its per-character state machine and per-field Buffer work
 * were the largest CPU cost of the service after GC; most report lines hold no quote at all and
 * split with one native String#split here.
 */
export class CsvError extends Error {}

export class CsvSplitter {
  private pending = '';
  /** Where to continue looking for a record end in `pending`, and quotes counted so far. */
  private scanFrom = 0;
  private quotes = 0;
  private started = false;
  private eol: '\n' | '\r' | undefined;

  constructor(private readonly maxRecordChars: number) {}

  push(text: string): string[][] {
    if (!this.started) {
      if (text === '') return [];
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.pending = this.pending === '' ? text : this.pending + text;
    const out: string[][] = [];
    const p = this.pending;
    if (this.eol === undefined) {
      // LF or CRLF files end records at LF; a CR not followed by LF means a CR-only file. A CR
      // at the very end of what has arrived may be half a CRLF: wait for the next chunk.
      const lf = p.indexOf('\n');
      const cr = p.indexOf('\r');
      if (cr >= 0 && (lf < 0 || cr < lf - 1) && cr < p.length - 1) this.eol = '\r';
      else if (lf >= 0) this.eol = '\n';
      else return out;
    }
    let start = 0;
    let scan = this.scanFrom;
    let quotes = this.quotes;
    for (;;) {
      const nl = p.indexOf(this.eol!, scan);
      if (nl < 0) break;
      // Count quotes up to this line end: an odd count means the line end is inside a quoted field.
      for (let q = p.indexOf('"', scan); q >= 0 && q < nl; q = p.indexOf('"', q + 1)) quotes++;
      scan = nl + 1;
      if (quotes % 2 === 1) continue;
      let end = nl;
      if (this.eol === '\n' && end > start && p.charCodeAt(end - 1) === 13) end--;
      if (end - start > this.maxRecordChars) throw new CsvError(`a record is longer than ${this.maxRecordChars} characters`);
      if (end > start) out.push(parseRecord(p, start, end, quotes > 0));
      start = scan;
      quotes = 0;
    }
    this.pending = start === 0 ? p : p.slice(start);
    this.scanFrom = scan - start;
    this.quotes = quotes;
    if (this.pending.length > this.maxRecordChars) throw new CsvError(`a record is longer than ${this.maxRecordChars} characters (unclosed quote?)`);
    return out;
  }

  /** The last record (a file need not end with a line break). */
  end(): string[][] {
    const p = this.pending;
    this.pending = '';
    if (p === '' || p === '\r') return [];
    let quotes = 0;
    for (let q = p.indexOf('"'); q >= 0; q = p.indexOf('"', q + 1)) quotes++;
    if (quotes % 2 === 1) throw new CsvError('the file ends inside a quoted field (unclosed quote)');
    const end = p.charCodeAt(p.length - 1) === 13 ? p.length - 1 : p.length;
    return end > 0 ? [parseRecord(p, 0, end, quotes > 0)] : [];
  }
}

/** One record's fields from text[start, end). */
export function parseRecord(text: string, start: number, end: number, hasQuotes: boolean): string[] {
  const line = text.slice(start, end);
  if (!hasQuotes) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      // Quoted field: "" is a quote; the closing quote must end the field.
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q < 0) throw new CsvError(`unclosed quote in field ${fields.length + 1}`);
        if (line.charCodeAt(q + 1) === 34) {
          value += line.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += line.slice(from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i >= n) return fields;
      if (line.charCodeAt(i) !== 44) throw new CsvError(`text after the closing quote of field ${fields.length}`);
      i++;
      if (i === n) {
        fields.push('');
        return fields;
      }
      continue;
    }
    const comma = line.indexOf(',', i);
    const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
    if (value.includes('"')) throw new CsvError(`a quote inside unquoted field ${fields.length + 1}`);
    fields.push(value);
    if (comma < 0) return fields;
    i = comma + 1;
    if (i === n) {
      fields.push('');
      return fields;
    }
  }
}

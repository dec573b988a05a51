// Test-only access to the shipped reference data (tests may read files; the engine may not).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DATA_DIR = path.resolve(__dirname, '../../../../services/reference/data');

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export interface UkgtRow {
  commodity: string;
  description: string;
  cet: string;
  ukgt: string;
}

let ukgt: UkgtRow[] | undefined;
export function ukgtRows(): UkgtRow[] {
  if (!ukgt) {
    const rows = parseCsv(fs.readFileSync(path.join(DATA_DIR, 'tariff/ukgt_2021-01-01_global-uk-tariff.csv'), 'utf8'));
    const header = rows.shift()!;
    const ix = (name: string) => header.indexOf(name);
    const [c, d, cet, uk] = [ix('commodity'), ix('description'), ix('cet_duty_rate'), ix('ukgt_duty_rate')];
    ukgt = rows.filter((r) => r.length > 3).map((r) => ({ commodity: r[c]!, description: r[d]!, cet: r[cet]!, ukgt: r[uk]! }));
  }
  return ukgt;
}

export function ukgtRow(commodity: string): UkgtRow {
  const row = ukgtRows().find((r) => r.commodity === commodity);
  if (!row) throw new Error(`commodity ${commodity} not in the UKGT file`);
  return row;
}

/** seasonal_rates.csv: CN8, season start dd/mm, season end dd/mm, in-season rate, text. */
export function seasonalRows(): { commodity: string; start: string; end: string; rate: string; text: string }[] {
  return parseCsv(fs.readFileSync(path.join(DATA_DIR, 'tariff/seasonal_rates.csv'), 'utf8'))
    .filter((r) => r.length >= 5)
    .map((r) => ({ commodity: r[0]!, start: r[1]!, end: r[2]!, rate: r[3]!, text: r[4]!.trim() }));
}

export function ottCherryTomatoes(): {
  basic_duty_rate: string;
  import_measures: {
    measure_type: { id: string };
    geographical_area: { id: string; description: string };
    duty_expression: { base: string; formatted_base: string };
    effective_start_date: string;
    effective_end_date: string | null;
  }[];
} {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'samples/ott_api_commodity_0702000007_cherry_tomatoes.json'), 'utf8'));
}

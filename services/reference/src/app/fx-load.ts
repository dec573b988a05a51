import { parseHmrcMonthlyCsv, parseHmrcMonthlyXml, parseNormalisedFxCsv, type FxRow } from '../parse/fx';
import { sourceName } from './ott-load';
import { datasetVersion, type DatasetInfo, type ReferenceStore } from './store';

export interface FxLoadPorts {
  persist(
    source: string,
    version: string,
    rows: FxRow[],
  ): Promise<{ info: DatasetInfo; previousVersion: string; duplicate: boolean; rows: (FxRow & { version: string })[]; effectiveFrom: string; effectiveTo: string }>;
}

/** An exchange-rate file was refused (the message names the file, row/entry and field). */
export class FxImportError extends Error {}

/** HMRC XML, HMRC's published CSV (Windows-1252) or the normalised "CUR,start,end,rate" form, by content. */
export function parseFxFile(source: string, content: Buffer): { format: 'hmrc-xml' | 'hmrc-csv' | 'normalised-csv'; rows: FxRow[] } {
  let parsed: ReturnType<typeof parseByContent>;
  try {
    parsed = parseByContent(source, content);
  } catch (e) {
    throw new FxImportError((e as Error).message);
  }
  // HMRC lists a currency once per country using it (USD for the USA, Ecuador, …): one rate per
  // currency and period, and the same rate everywhere, or the file contradicts itself.
  const byKey = new Map<string, FxRow>();
  for (const r of parsed.rows) {
    const key = `${r.currency}|${r.start}|${r.end}`;
    const seen = byKey.get(key);
    if (seen && seen.rate !== r.rate) throw new FxImportError(`${source}: ${r.currency} ${r.start}..${r.end} has two different rates (${seen.rate} and ${r.rate})`);
    byKey.set(key, seen ?? r);
  }
  return { format: parsed.format, rows: [...byKey.values()] };
}

function parseByContent(source: string, content: Buffer): { format: 'hmrc-xml' | 'hmrc-csv' | 'normalised-csv'; rows: FxRow[] } {
  const head = content
    .subarray(0, 200)
    .toString('latin1')
    .replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '')
    .trimStart();
  if (head.startsWith('<')) return { format: 'hmrc-xml', rows: parseHmrcMonthlyXml(source, content.toString('utf8')) };
  if (/currency code/i.test(head.split(/\r?\n/)[0] ?? '')) return { format: 'hmrc-csv', rows: parseHmrcMonthlyCsv(source, content) };
  return { format: 'normalised-csv', rows: parseNormalisedFxCsv(source, content.toString('utf8')) };
}

/** Loads one HMRC exchange-rate file: parse (all or nothing), persist with version + event, serve. */
export async function loadFxFile(store: ReferenceStore, ports: FxLoadPorts, fileName: string, content: Buffer) {
  const source = sourceName(fileName);
  const { format, rows } = parseFxFile(source, content);
  const out = await ports.persist(source, datasetVersion(source, content), rows);
  if (!out.duplicate) store.applyFxLoad(out.info, out.rows);
  return { ...out, format };
}

import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { CommodityResult, FxResult } from '@customs/contracts';

/** A loaded dataset's identity: name, version (content hash) and row count. */
export interface DatasetInfo {
  dataset: string;
  version: string;
  source: string;
  rows: number;
}

interface NomenclatureRow {
  code: string;
  suffix: string;
  description: string;
  start: string;
  end: string;
  sid: string;
}

/** Version string of a dataset: its source name and the first 12 hex of its content hash. */
export function datasetVersion(source: string, content: string | Buffer): string {
  return `${source}@${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
}

/**
 * Point-in-time answers over the nomenclature (validity dates, suffix, leaf), the UKGT MFN
 * rates and HMRC monthly exchange rates. Pure: built from file contents, no I/O.
 */
export class ReferenceStore {
  private readonly byCode = new Map<string, NomenclatureRow[]>();
  private readonly parentSids = new Set<string>();
  private readonly mfnByCn8 = new Map<string, string>();
  private readonly fxByCurrency = new Map<string, { start: string; end: string; rate: string }[]>();
  readonly datasets: DatasetInfo[] = [];
  private nomenclatureVersion = '';
  private fxVersion = '';

  /** Loads the DBT "commodities-report" CSV (code, suffix, validity, parent). */
  loadNomenclature(source: string, csv: string): void {
    const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    for (const r of rows) {
      const row: NomenclatureRow = {
        code: r.commodity__code ?? '',
        suffix: r.commodity__suffix ?? '',
        description: r.commodity__description ?? '',
        start: r.commodity__validity_start ?? '',
        end: r.commodity__validity_end === '#NA' ? '' : (r.commodity__validity_end ?? ''),
        sid: r.commodity__sid ?? '',
      };
      if (!/^\d{10}$/.test(row.code)) throw new Error(`${source}: row ${r.id ?? '?'} field commodity__code: "${row.code}" is not 10 digits`);
      const list = this.byCode.get(row.code) ?? [];
      list.push(row);
      this.byCode.set(row.code, list);
      if (r.parent__sid && r.parent__sid !== '#NA') this.parentSids.add(r.parent__sid);
    }
    this.nomenclatureVersion = datasetVersion(source, csv);
    this.datasets.push({ dataset: 'nomenclature', version: this.nomenclatureVersion, source, rows: rows.length });
  }

  /** Loads the UK Global Tariff CSV (8-digit commodity → MFN rate as published). */
  loadUkgt(source: string, csv: string): void {
    const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    for (const r of rows) if (r.commodity && r.ukgt_duty_rate) this.mfnByCn8.set(r.commodity.padStart(8, '0'), r.ukgt_duty_rate);
    this.datasets.push({ dataset: 'ukgt', version: datasetVersion(source, csv), source, rows: rows.length });
  }

  /** Loads HMRC monthly rates in the normalised form "CUR,start,end,rate" (units per £1). */
  loadMonthlyFx(source: string, csv: string): void {
    const rows = parse(csv, { columns: false, skip_empty_lines: true }) as string[][];
    rows.forEach((r, i) => {
      const [cur, start, end, rate] = r;
      if (!cur || !/^\d{4}-\d{2}-\d{2}$/.test(start ?? '') || !/^\d{4}-\d{2}-\d{2}$/.test(end ?? '') || !/^\d+(\.\d+)?$/.test(rate ?? '')) {
        throw new Error(`${source}: row ${i + 1}: expected currency,start,end,rate with ISO dates and a decimal rate`);
      }
      const list = this.fxByCurrency.get(cur) ?? [];
      list.push({ start: start!, end: end!, rate: rate! });
      this.fxByCurrency.set(cur, list);
    });
    this.fxVersion = datasetVersion(source, csv);
    this.datasets.push({ dataset: 'fx', version: this.fxVersion, source, rows: rows.length });
  }

  /** Nomenclature facts for a code on a date. */
  commodity(code: string, date: string): CommodityResult {
    const rows = this.byCode.get(code) ?? [];
    const base = { commodityCode: code, date, datasetVersion: this.nomenclatureVersion };
    if (rows.length === 0) return { ...base, known: false, declarableOnDate: false, description: '', validityStart: '', validityEnd: '', thirdCountryDuty: '' };
    // Several rows share a code (suffixes 10/20 are headings); the suffix-80 row is the goods line.
    const line = rows.find((r) => r.suffix === '80' && r.start <= date && (!r.end || date <= r.end)) ?? rows.find((r) => r.suffix === '80') ?? rows[0]!;
    const validOnDate = line.start <= date && (!line.end || date <= line.end);
    const leaf = !this.parentSids.has(line.sid);
    return {
      ...base,
      known: true,
      declarableOnDate: line.suffix === '80' && leaf && validOnDate,
      description: line.description,
      validityStart: line.start,
      validityEnd: line.end,
      thirdCountryDuty: this.mfnByCn8.get(code.slice(0, 8)) ?? '',
    };
  }

  /** HMRC monthly rate (units per £1) for the month containing the date; unknown outside coverage. */
  fx(currency: string, date: string): FxResult {
    const cur = currency.toUpperCase();
    const base = { currency: cur, date, datasetVersion: this.fxVersion };
    if (cur === 'GBP') return { ...base, known: true, unitsPerGbp: '1', period: date.slice(0, 7) };
    const hit = (this.fxByCurrency.get(cur) ?? []).find((r) => r.start <= date && date <= r.end);
    return hit ? { ...base, known: true, unitsPerGbp: hit.rate, period: hit.start.slice(0, 7) } : { ...base, known: false, unitsPerGbp: '', period: '' };
  }
}

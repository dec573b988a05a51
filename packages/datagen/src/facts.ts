// The shipped reference facts the generated world is drawn from, and that its ReferenceView
// answers with: UK nomenclature (validity, suffix, leaves), UK Global Tariff MFN rates, HMRC
// monthly exchange rates, UK preference schemes (roo_schemes_uk.json) and the CDS code lists.
// Read once from services/reference/data (the bundled reference data, provenance in its SOURCES.md); the
// package has no runtime dependency on any service's code.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';

export const FILES = {
  nomenclature: 'tariff/uk-tariff-2021-01-01--v4.0.1205--commodities-report.csv',
  ukgt: 'tariff/ukgt_2021-01-01_global-uk-tariff.csv',
  fx: 'exchange_rates/hmrc_monthly_rates_2020-01_to_2023-08.csv',
  schemes: 'origin/roo_schemes_uk.json',
  proofCodes: 'origin/proof_document_codes.csv',
  cpcCombos: 'codes/cpc/cpc-combos.json',
  apcs: 'codes/cpc/apcs.json',
  documents: 'codes/documents/appendix5a_document_codes_all.json',
  preferences: 'codes/preference_codes_DE4-17.json',
  countries: 'codes/geo/countries.json',
  currencies: 'exchange_rates/currency.csv',
  units: 'codes/units/measurement_units.json',
} as const;

export interface NomenclatureLine {
  code: string;
  sid: string;
  suffix: string;
  description: string;
  start: string;
  /** "" = open-ended. */
  end: string;
}

export interface UkgtLine {
  /** CN8, or the 10-digit code where UKGT publishes a line of its own. */
  cn8: string;
  description: string;
  rate: string;
  /** The EU Common External Tariff rate the UKGT replaced on 1 Jan 2021. */
  cetRate: string;
  tradeRemedy: boolean;
  suspension: boolean;
  quota: boolean;
}

export interface Scheme {
  id: string;
  name: string;
  countries: string[];
  proofs: string[];
  proofDocumentCodes: string[];
  validFrom: string;
  validTo: string;
}

/** Same version string the reference service stamps: source name @ first 12 hex of the content hash. */
export function datasetVersion(source: string, content: string): string {
  return `${source}@${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
}

/** One row of origin/proof_document_codes.csv (team-written mapping, DOMAIN.md §2.3 [INFERRED]). */
interface ProofRow {
  scheme: string;
  proofClass: string;
  summaryPrefix: string;
  codes: string[];
}

/** DE 2/3 codes of one scheme proof. Precedence as the file states: scheme row > summary row > class row. */
function proofCodes(rows: ProofRow[], schemeId: string, proofClass: string, summary: string): string[] {
  const byClass = rows.filter((r) => r.proofClass === proofClass);
  const hit =
    byClass.find((r) => r.scheme === schemeId) ?? byClass.find((r) => !r.scheme && r.summaryPrefix && summary.startsWith(r.summaryPrefix)) ?? byClass.find((r) => !r.scheme && !r.summaryPrefix);
  return hit?.codes ?? [];
}

/** Default location of the shipped reference data (this package sits at packages/datagen/{src,dist}). */
export function defaultDataDir(): string {
  return process.env.DATAGEN_REFERENCE_DIR || path.resolve(__dirname, '../../../services/reference/data');
}

/** All facts, loaded once per data folder. */
export class ReferenceFacts {
  readonly nomenclature = new Map<string, NomenclatureLine[]>();
  readonly parentSids = new Set<string>();
  readonly ukgt = new Map<string, UkgtLine>();
  readonly fxRates = new Map<string, { start: string; end: string; rate: string }[]>();
  readonly schemes: Scheme[] = [];
  readonly codeLists = new Map<string, Map<string, string>>();
  /** DE 1/10 → the DE 1/11 codes the CPC/APC combination list allows (empty: none listed). */
  readonly cpcApcs = new Map<string, Set<string>>();
  readonly versions: Record<string, string> = {};

  constructor(readonly dataDir: string = defaultDataDir()) {
    const read = (rel: string) => {
      const p = path.join(dataDir, rel);
      if (!fs.existsSync(p)) throw new Error(`reference data file missing: ${p} (set DATAGEN_REFERENCE_DIR)`);
      return fs.readFileSync(p, 'utf8');
    };
    const version = (key: string, rel: string, content: string) => (this.versions[key] = datasetVersion(path.basename(rel).replace(/\.(csv|json)$/, ''), content));

    const nom = read(FILES.nomenclature);
    version('nomenclature', FILES.nomenclature, nom);
    for (const r of parse(nom, { columns: true, skip_empty_lines: true }) as Record<string, string>[]) {
      const line: NomenclatureLine = {
        code: r.commodity__code!,
        sid: r.commodity__sid!,
        suffix: r.commodity__suffix!,
        description: r.commodity__description ?? '',
        start: r.commodity__validity_start ?? '',
        end: r.commodity__validity_end === '#NA' ? '' : (r.commodity__validity_end ?? ''),
      };
      const list = this.nomenclature.get(line.code) ?? [];
      list.push(line);
      this.nomenclature.set(line.code, list);
      if (r.parent__sid && r.parent__sid !== '#NA') this.parentSids.add(r.parent__sid);
    }

    const ukgt = read(FILES.ukgt);
    version('ukgt', FILES.ukgt, ukgt);
    for (const r of parse(ukgt, { columns: true, skip_empty_lines: true }) as Record<string, string>[]) {
      if (!r.commodity || !r.ukgt_duty_rate) continue;
      // Mostly CN8 lines; ~2,500 are 10-digit lines with their own rate (e.g. 3926909760 at 0%).
      const cn8 = r.commodity.length > 8 ? r.commodity.padEnd(10, '0') : r.commodity.padStart(8, '0');
      this.ukgt.set(cn8, {
        cn8,
        description: r.description ?? '',
        rate: r.ukgt_duty_rate,
        cetRate: r.cet_duty_rate ?? '',
        tradeRemedy: r.trade_remedy_applies === 'True',
        suspension: r.suspension_applies === 'True',
        quota: r.atq_applies === 'True',
      });
    }

    const fx = read(FILES.fx);
    version('fx', FILES.fx, fx);
    for (const [cur, start, end, rate] of parse(fx, { columns: false, skip_empty_lines: true }) as string[][]) {
      const list = this.fxRates.get(cur!) ?? [];
      list.push({ start: start!, end: end!, rate: rate! });
      this.fxRates.set(cur!, list);
    }

    const roo = read(FILES.schemes);
    version('schemes', FILES.schemes, roo);
    const proofCsv = read(FILES.proofCodes);
    version('proofCodes', FILES.proofCodes, proofCsv);
    const proofRows: ProofRow[] = (parse(proofCsv, { columns: true, comment: '#', skip_empty_lines: true }) as Record<string, string>[]).map((r) => ({
      scheme: r.scheme ?? '',
      proofClass: r.proof_class ?? '',
      summaryPrefix: r.summary_prefix ?? '',
      codes: (r.document_codes ?? '').split(/\s+/).filter(Boolean),
    }));
    for (const s of (
      JSON.parse(roo) as {
        schemes: {
          scheme_code: string;
          title: string;
          countries?: string[];
          proofs?: { summary: string; proof_class?: string }[];
          validity_start_date?: string | null;
          validity_end_date?: string | null;
        }[];
      }
    ).schemes) {
      const proofs = (s.proofs ?? []).map((p) => p.summary);
      this.schemes.push({
        id: s.scheme_code,
        name: s.title,
        countries: (s.countries ?? []).filter((c) => /^[A-Z]{2}$/.test(c)),
        proofs,
        proofDocumentCodes: [...new Set((s.proofs ?? []).flatMap((p) => proofCodes(proofRows, s.scheme_code, p.proof_class ?? '', p.summary)))],
        validFrom: s.validity_start_date ?? '',
        validTo: s.validity_end_date ?? '',
      });
    }

    const list = (name: string, entries: [string, string][]) => this.codeLists.set(name, new Map(entries));
    const combos = JSON.parse(read(FILES.cpcCombos)) as { previous_codes?: { code: string; description: string; union_apcs?: string[]; national_apcs?: string[] }[] }[];
    const cpcs: [string, string][] = [];
    for (const c of combos) {
      for (const p of c.previous_codes ?? []) {
        cpcs.push([p.code, p.description]);
        this.cpcApcs.set(p.code, new Set([...(p.union_apcs ?? []), ...(p.national_apcs ?? [])]));
      }
    }
    list('cpc', cpcs);
    list('apc', [['000', 'No other additional procedure code'], ...(JSON.parse(read(FILES.apcs)) as { code: string; description: string }[]).map((a): [string, string] => [a.code, a.description])]);
    list(
      'document',
      (JSON.parse(read(FILES.documents)) as { document_code: string; details_cds?: string }[]).map((d) => [d.document_code, (d.details_cds ?? '').slice(0, 120)]),
    );
    list(
      'preference',
      (JSON.parse(read(FILES.preferences)) as { id: string; description: string }[]).map((p) => [p.id, p.description]),
    );
    list(
      'country',
      (JSON.parse(read(FILES.countries)) as { geographical_area_id: string; description: string }[]).map((c) => [c.geographical_area_id, c.description]),
    );
    // HMRC's list holds the currencies it publishes rates for (per £1), so sterling itself is added.
    list('currency', [
      ['GBP', 'Pound sterling'],
      ...(parse(read(FILES.currencies), { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[]).map((c): [string, string] => [c.currency!, c.currency_description ?? '']),
    ]);
    list(
      'unit',
      Object.values(JSON.parse(read(FILES.units)) as Record<string, { measurement_unit_code: string; expansion?: string }>).map((u) => [u.measurement_unit_code, u.expansion ?? '']),
    );
    for (const name of ['cpc', 'cpc-apc', 'apc', 'document', 'preference', 'country', 'currency', 'unit']) this.versions[`codes.${name}`] = `${name}@bundled`;
  }

  /** The suffix-80 line of a code valid on the date (else any suffix-80 line, else the first). */
  line(code: string, date: string): NomenclatureLine | undefined {
    const rows = this.nomenclature.get(code);
    if (!rows) return undefined;
    return rows.find((r) => r.suffix === '80' && r.start <= date && (!r.end || date <= r.end)) ?? rows.find((r) => r.suffix === '80') ?? rows[0];
  }

  isLeaf(line: NomenclatureLine): boolean {
    return !this.parentSids.has(line.sid);
  }

  /** The UKGT line of a 10-digit code: its own 10-digit line if published, else its CN8 line (as the reference service). */
  ukgtLine(code: string): UkgtLine | undefined {
    return this.ukgt.get(code) ?? this.ukgt.get(code.slice(0, 8));
  }

  /** HMRC monthly rate for the month containing the date. */
  fx(currency: string, date: string): { rate: string; period: string } | undefined {
    if (currency === 'GBP') return { rate: '1', period: date.slice(0, 7) };
    const hit = (this.fxRates.get(currency) ?? []).find((r) => r.start <= date && date <= r.end);
    return hit ? { rate: hit.rate, period: hit.start.slice(0, 7) } : undefined;
  }

  /** Schemes covering a country on a date. */
  schemesFor(country: string, date: string): Scheme[] {
    return this.schemes.filter((s) => s.countries.includes(country) && (!s.validFrom || s.validFrom <= date) && (!s.validTo || date <= s.validTo));
  }
}

let cached: ReferenceFacts | undefined;
/** Shared instance for the default data folder (loading takes ~0.3 s). */
export function loadFacts(dataDir?: string): ReferenceFacts {
  if (dataDir) return new ReferenceFacts(dataDir);
  cached ??= new ReferenceFacts();
  return cached;
}

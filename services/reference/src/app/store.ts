import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { CodeListResult, CommodityResult, FxResult, MeasureFact, RateResult, SchemeFact, SchemeResult } from '@customs/contracts';
import type { FxRow } from '../parse/fx';
import type { OttMeasure } from '../parse/ott';
import { goodsCovers, type QuantityUnit, type SeasonalPreference } from '../parse/bundled-extra';
import { seasonalExpression, type CodeMap, type CpcCombos, type DocumentCode, type Scheme, type SeasonalRate } from '../parse/codes';

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

/** A measure from an OTT load, stamped with the load's dataset version. */
export interface StoredMeasure extends OttMeasure {
  datasetVersion: string;
}

/** Code lists the store answers (CodeListName of the validation service). */
export const CODE_LISTS = ['cpc', 'apc', 'cpc-apc', 'document', 'preference', 'country', 'unit', 'currency'] as const;
export type CodeListName = (typeof CODE_LISTS)[number];

/** Measure types by role in a rate answer (DOMAIN.md §3.0 rate source order). */
export const MEASURE_ROLES = {
  thirdCountry: new Set(['103']),
  preferential: new Set(['142', '143', '145', '146']),
  suspensions: new Set(['112', '115', '117', '119']),
  tradeRemedies: new Set(['551', '552', '553', '554', '695', '696']),
  vat: new Set(['305']),
  supplementaryUnit: new Set(['109']),
};

/** Areas that cover every origin: 1011 ERGA OMNES, 1008 all third countries. */
const EVERY_ORIGIN = new Set(['1011', '1008']);
/** The UK Global Tariff applies from this date; before it the EU CET applied (not held here). */
const UKGT_START = '2021-01-01';

/** Version string of a dataset: its source name and the first 12 hex of its content hash. */
export function datasetVersion(source: string, content: string | Buffer): string {
  return `${source}@${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
}

const validOn = (from: string, to: string, date: string) => from <= date && (!to || date <= to);
const shiftDay = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Point-in-time answers over the nomenclature (validity dates, suffix, leaf), the UKGT MFN rates
 * with seasonal rates, tariff measures loaded from the Online Trade Tariff, HMRC monthly exchange
 * rates, code lists and UK preference schemes. Pure: built from file contents, no I/O.
 */
export class ReferenceStore {
  private readonly byCode = new Map<string, NomenclatureRow[]>();
  private readonly parentSids = new Set<string>();
  private readonly mfnByLine = new Map<string, string>();
  private readonly seasonalByCn8 = new Map<string, SeasonalRate>();
  private readonly innByCn8 = new Map<string, string[]>();
  private readonly fxByCurrency = new Map<string, (FxRow & { version: string })[]>();
  /** fxCoverage() memo; null = to be computed (reset by every FX load). */
  private fxCover: { from: string; to: string } | undefined | null = null;
  private readonly measuresByCode = new Map<string, StoredMeasure[]>();
  private readonly groups = new Map<string, Set<string>>();
  private suppUnits?: { byCode: Map<string, QuantityUnit[]>; asOf: string; version: string };
  private seasonalPrefs?: { list: SeasonalPreference[]; asOf: string; version: string };
  private intermediates?: { byCn8: Map<string, string[]>; asOf: string; version: string };
  /** Codes whose measures came from as-of snapshots: complete from this date on (see ott_coverage). */
  private readonly completeFrom = new Map<string, string>();
  private taxTypes = new Map<string, string>();
  private schemes: Scheme[] = [];
  private cpc: CpcCombos = { procedures: new Map(), allowed: new Map() };
  private readonly lists = new Map<Exclude<CodeListName, 'cpc' | 'cpc-apc' | 'document'>, CodeMap>();
  private documents = new Map<string, DocumentCode>();
  /** Latest version of every dataset by name (the list keeps every load for /v1/datasets). */
  private readonly versions = new Map<string, string>();
  readonly datasets: DatasetInfo[] = [];

  private record(info: DatasetInfo): void {
    this.datasets.push(info);
    this.versions.set(info.dataset, info.version);
  }

  /** Latest version of a dataset, "" when not loaded. */
  version(dataset: string): string {
    return this.versions.get(dataset) ?? '';
  }

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
    this.record({ dataset: 'nomenclature', version: datasetVersion(source, csv), source, rows: rows.length });
  }

  /** Loads the UK Global Tariff CSV (8-digit commodity → MFN rate as published). */
  loadUkgt(source: string, csv: string): void {
    const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    // Keyed as published: 8-digit CN lines, and 10-digit lines where the UKGT sets a different
    // rate for a subheading (e.g. 2710194810 0.0% under 27101948 2.0%).
    for (const r of rows) if (r.commodity && r.ukgt_duty_rate) this.mfnByLine.set(r.commodity.length > 8 ? r.commodity.padEnd(10, '0') : r.commodity.padStart(8, '0'), r.ukgt_duty_rate);
    this.record({ dataset: 'ukgt', version: datasetVersion(source, csv), source, rows: rows.length });
  }

  /** Seasonal MFN rates (resolve UKGT lines such as "14.00% (01 JUL - 31 JAN), 0.00% (01 FEB - 30 JUN)"). */
  loadSeasonal(source: string, content: string, rates: SeasonalRate[]): void {
    for (const s of rates) this.seasonalByCn8.set(s.cn8, s);
    this.record({ dataset: 'seasonal', version: datasetVersion(source, content), source, rows: rates.length });
  }

  /** Per-commodity supplementary units (a dated snapshot: answered with its date, not as current). */
  loadSupplementaryUnits(source: string, content: string, byCode: Map<string, QuantityUnit[]>, asOf: string): void {
    this.suppUnits = { byCode, asOf, version: datasetVersion(source, content) };
    this.record({ dataset: 'supplementary-units', version: this.suppUnits.version, source, rows: byCode.size });
  }

  /** Seasonal preferential rates by partner (a dated worksheet). */
  loadSeasonalPreferences(source: string, content: string, list: SeasonalPreference[], asOf: string): void {
    this.seasonalPrefs = { list, asOf, version: datasetVersion(source, content) };
    this.record({ dataset: 'seasonal-preferences', version: this.seasonalPrefs.version, source, rows: list.length });
  }

  /** Pharmaceutical intermediates annex (CN8 → names). */
  loadPharmaIntermediates(source: string, content: string, byCn8: Map<string, string[]>, asOf: string): void {
    this.intermediates = { byCn8, asOf, version: datasetVersion(source, content) };
    this.record({ dataset: 'pharma-intermediates', version: this.intermediates.version, source, rows: [...byCn8.values()].reduce((n, l) => n + l.length, 0) });
  }

  /**
   * The dated extras for a code: each says the date of its data and the dataset version, so an
   * answer from a 2022 snapshot is never read as today's tariff. Not used by LookupRates.
   */
  commodityExtras(code: string, date: string) {
    const units = this.suppUnits?.byCode.get(code);
    return {
      supplementaryUnits: this.suppUnits ? { asOf: this.suppUnits.asOf, datasetVersion: this.suppUnits.version, known: units !== undefined, quantities: units ?? [] } : undefined,
      seasonalPreferences: this.seasonalPrefs
        ? {
            asOf: this.seasonalPrefs.asOf,
            datasetVersion: this.seasonalPrefs.version,
            rates: this.seasonalPrefs.list
              .filter((p) => goodsCovers(p.goodsCode, code))
              .map((p) => ({ ...p, inSeasonOn: date, inSeason: p.from <= p.to ? p.from <= date.slice(5) && date.slice(5) <= p.to : date.slice(5) >= p.from || date.slice(5) <= p.to })),
          }
        : undefined,
      pharmaIntermediates: this.intermediates ? { asOf: this.intermediates.asOf, datasetVersion: this.intermediates.version, names: this.intermediates.byCn8.get(code.slice(0, 8)) ?? [] } : undefined,
    };
  }

  /** Pharmaceutical INN duty-free annex (CN8 → INN names). */
  loadPharmaInn(source: string, content: string, byCn8: Map<string, string[]>): void {
    for (const [k, v] of byCn8) this.innByCn8.set(k, v);
    this.record({ dataset: 'pharma-inn', version: datasetVersion(source, content), source, rows: [...byCn8.values()].reduce((n, l) => n + l.length, 0) });
  }

  /** Loads HMRC monthly rates in the normalised form "CUR,start,end,rate" (units per £1). */
  loadMonthlyFx(source: string, content: string | Buffer, rows: FxRow[], dataset = 'fx'): string {
    const version = datasetVersion(source, content);
    this.fxCover = null;
    for (const r of rows) {
      const list = (this.fxByCurrency.get(r.currency) ?? []).filter((x) => !(x.start === r.start && x.end === r.end));
      list.push({ ...r, version });
      list.sort((a, b) => a.start.localeCompare(b.start));
      this.fxByCurrency.set(r.currency, list);
    }
    this.record({ dataset, version, source, rows: rows.length });
    return version;
  }

  /** Applies FX rows persisted by a load (each row keeps the version of the load that wrote it). */
  applyFxLoad(info: DatasetInfo, rows: (FxRow & { version: string })[]): void {
    this.fxCover = null;
    for (const r of rows) {
      const list = (this.fxByCurrency.get(r.currency) ?? []).filter((x) => !(x.start === r.start && x.end === r.end));
      list.push(r);
      list.sort((a, b) => a.start.localeCompare(b.start));
      this.fxByCurrency.set(r.currency, list);
    }
    this.record(info);
  }

  loadTaxTypes(source: string, content: string, map: Map<string, string>): void {
    this.taxTypes = map;
    this.record({ dataset: 'tax-types', version: datasetVersion(source, content), source, rows: map.size });
  }

  loadSchemes(source: string, content: string, schemes: Scheme[]): void {
    this.schemes = schemes;
    this.record({ dataset: 'schemes', version: datasetVersion(source, content), source, rows: schemes.length });
  }

  loadCpc(source: string, content: string, combos: CpcCombos): void {
    this.cpc = combos;
    this.record({ dataset: 'code-list:cpc', version: datasetVersion(source, content), source, rows: combos.procedures.size });
  }

  loadDocuments(source: string, content: string, docs: Map<string, DocumentCode>): void {
    this.documents = docs;
    this.record({ dataset: 'code-list:document', version: datasetVersion(source, content), source, rows: docs.size });
  }

  loadCodeList(list: 'apc' | 'preference' | 'country' | 'unit' | 'currency', source: string, content: string, codes: CodeMap): void {
    this.lists.set(list, codes);
    this.record({ dataset: `code-list:${list}`, version: datasetVersion(source, content), source, rows: codes.size });
  }

  /**
   * Applies an OTT load: measures are upserted by (commodity, measure SID), so a later load
   * updates a measure (e.g. its end date) while measures that ended before it stay answerable
   * for past acceptance dates. Group memberships stated by the load replace earlier ones.
   */
  applyOttLoad(info: DatasetInfo, measures: StoredMeasure[], groups: Map<string, string[]>, coverage?: Map<string, string>): void {
    for (const [code, from] of coverage ?? []) {
      const held = this.completeFrom.get(code);
      if (!held || from < held) this.completeFrom.set(code, from);
    }
    for (const m of measures) {
      const list = this.measuresByCode.get(m.commodityCode) ?? [];
      const i = list.findIndex((x) => x.sid === m.sid);
      if (i >= 0) list[i] = m;
      else list.push(m);
      this.measuresByCode.set(m.commodityCode, list);
    }
    for (const [g, members] of groups) this.groups.set(g, new Set(members));
    this.record(info);
  }

  /** Members of a geographical-area group as loaded (undefined = membership never loaded). */
  groupMembers(group: string): string[] | undefined {
    const m = this.groups.get(group);
    return m ? [...m].sort() : undefined;
  }

  /** Number of OTT measures held (all codes, all dates). */
  get ottMeasureCount(): number {
    let n = 0;
    for (const l of this.measuresByCode.values()) n += l.length;
    return n;
  }

  /** The UKGT line of a 10-digit code: its own 10-digit line if published, else its CN8 line. */
  private ukgtLine(code: string): { key: string; rate: string } | undefined {
    for (const key of [code, code.slice(0, 8)]) {
      const rate = this.mfnByLine.get(key);
      if (rate !== undefined) return { key, rate };
    }
    return undefined;
  }

  /** Nomenclature facts for a code on a date. */
  commodity(code: string, date: string): CommodityResult {
    const rows = this.byCode.get(code) ?? [];
    const base = { commodityCode: code, date, datasetVersion: this.version('nomenclature') };
    if (rows.length === 0) return { ...base, known: false, declarableOnDate: false, description: '', validityStart: '', validityEnd: '', thirdCountryDuty: '' };
    // Several rows share a code (suffixes 10/20 are headings); the suffix-80 row is the goods line.
    const line = rows.find((r) => r.suffix === '80' && validOn(r.start, r.end, date)) ?? rows.find((r) => r.suffix === '80') ?? rows[0]!;
    const leaf = !this.parentSids.has(line.sid);
    return {
      ...base,
      known: true,
      declarableOnDate: line.suffix === '80' && leaf && validOn(line.start, line.end, date),
      description: line.description,
      validityStart: line.start,
      validityEnd: line.end,
      thirdCountryDuty: this.ukgtLine(code)?.rate ?? '',
    };
  }

  /** INN names of the pharmaceutical duty-free annex for the code's CN8 ([] when none). */
  pharmaInn(code: string): string[] {
    return this.innByCn8.get(code.slice(0, 8)) ?? [];
  }

  /** HMRC monthly rate (units per £1) for the month containing the date; unknown (with the reason) outside coverage. */
  fx(currency: string, date: string): FxResult {
    const cur = currency.toUpperCase();
    const base = { currency: cur, date, datasetVersion: this.version('fx'), unknownReason: '' };
    if (cur === 'GBP') return { ...base, known: true, unitsPerGbp: '1', period: date.slice(0, 7) };
    const list = this.fxByCurrency.get(cur) ?? [];
    const hit = list.find((r) => r.start <= date && date <= r.end);
    if (hit) return { ...base, known: true, unitsPerGbp: hit.rate, period: hit.start.slice(0, 7), datasetVersion: hit.version };
    const cover = this.fxCoverage();
    const reason = !cover
      ? 'no HMRC exchange rates are loaded'
      : list.length === 0
        ? `HMRC publishes no monthly rate for ${cur} in the loaded months (${cover.from.slice(0, 7)}..${cover.to.slice(0, 7)})`
        : date > cover.to
          ? `HMRC rates for ${date.slice(0, 7)} are not loaded (latest month loaded: ${cover.to.slice(0, 7)}); load HMRC's monthly file for that month (POST /v1/admin/fx-loads or an OTT sync)`
          : date < cover.from
            ? `no HMRC rates are held before ${cover.from.slice(0, 7)}`
            : `HMRC published no ${cur} rate for ${date.slice(0, 7)} (${cur} is held for ${list[0]!.start.slice(0, 7)}..${list.at(-1)!.end.slice(0, 7)} with gaps)`;
    return { ...base, known: false, unitsPerGbp: '', period: '', unknownReason: reason };
  }

  /** First and last day covered by any loaded monthly rate (undefined when none are loaded). */
  fxCoverage(): { from: string; to: string } | undefined {
    // Cached: unknown answers ask for it per query, and a batch may hold 10,000 of them.
    if (this.fxCover !== null) return this.fxCover;
    let from = '';
    let to = '';
    for (const list of this.fxByCurrency.values()) {
      for (const r of list) {
        if (!from || r.start < from) from = r.start;
        if (r.end > to) to = r.end;
      }
    }
    this.fxCover = to ? { from, to } : undefined;
    return this.fxCover;
  }

  /** Is the origin inside the area (itself, erga omnes, or a member of a loaded group)? undefined = group membership not loaded. */
  private areaCovers(area: string, origin: string): boolean | undefined {
    if (area === origin || EVERY_ORIGIN.has(area)) return true;
    const members = this.groups.get(area);
    if (members) return members.has(origin);
    // A two-letter area is a country: not the origin. A group without membership is unknown.
    return /^[A-Z]{2}$/.test(area) ? false : undefined;
  }

  private fact(m: { measureType: string; geographicalArea: string; expression: string; additionalCode: string; validFrom: string; validTo: string; datasetVersion: string }): MeasureFact {
    return {
      measureType: m.measureType,
      geographicalArea: m.geographicalArea,
      expression: m.expression,
      // The mapping file leaves VAT to "rules in the application"; import VAT is DE 4/3 B00.
      taxType: this.taxTypes.get(m.measureType) ?? (MEASURE_ROLES.vat.has(m.measureType) ? 'B00' : ''),
      additionalCode: m.additionalCode,
      validFrom: m.validFrom,
      validTo: m.validTo,
      datasetVersion: m.datasetVersion,
    };
  }

  private schemeFacts(country: string, date: string): SchemeFact[] {
    return this.schemes
      .filter((s) => s.countries.has(country) && validOn(s.validFrom, s.validTo, date))
      .map((s) => ({ id: s.id, name: s.name, proofDocumentCodes: s.proofDocumentCodes, validFrom: s.validFrom, validTo: s.validTo }));
  }

  /** Preference schemes covering a country on a date. */
  schemesFor(country: string, date: string): SchemeResult {
    const c = country.toUpperCase();
    return { country: c, date, schemes: this.schemeFacts(c, date), datasetVersion: this.version('schemes') };
  }

  /**
   * What the tariff says for (code, origin) on the date. Measures loaded from the OTT come first;
   * the third-country rate falls back to the UKGT baseline (seasonal lines resolved by date) when
   * no loaded 103 measure is valid on the date. Unknown is said, never guessed.
   */
  rates(code: string, originIn: string, date: string): RateResult {
    const origin = originIn.toUpperCase();
    const used: [string, string][] = [];
    const use = (d: string) => {
      const v = this.version(d);
      if (v && !used.some(([n]) => n === d)) used.push([d, v]);
    };
    const empty = {
      commodityCode: code,
      origin,
      date,
      preferential: [],
      suspensions: [],
      tradeRemedies: [],
      vat: [],
      supplementaryUnit: '',
      thirdCountry: undefined as MeasureFact | undefined,
      measuresLoaded: false,
    };
    const done = (r: Omit<RateResult, 'datasetVersion' | 'schemes' | 'stableFrom' | 'stableTo'>): RateResult => {
      use('schemes');
      use('tax-types');
      return { ...r, schemes: this.schemeFacts(origin, date), datasetVersion: used.map(([n, v]) => `${n}=${v}`).join(';'), ...this.stableWindow(code, origin, date) };
    };
    const unknown = (reason: string) => done({ ...empty, known: false, unknownReason: reason });

    const loaded = this.measuresByCode.get(code) ?? [];
    const notes: string[] = [];
    const onDate = loaded.filter((m) => validOn(m.validFrom, m.validTo, date));
    const unknownGroups = new Set<string>();
    const applies = (m: StoredMeasure): boolean => {
      for (const ex of m.excludedAreas) {
        const excluded = this.areaCovers(ex, origin);
        if (excluded) return false;
        // Whether the origin is excluded cannot be told: do not apply the measure, say why.
        if (excluded === undefined) {
          unknownGroups.add(ex);
          return false;
        }
      }
      const covers = this.areaCovers(m.geographicalArea, origin);
      if (covers === undefined) unknownGroups.add(m.geographicalArea);
      return covers === true;
    };
    const pick = (types: Set<string>, forOrigin: boolean) => onDate.filter((m) => types.has(m.measureType) && (!forOrigin || applies(m))).map((m) => this.fact(m));
    if (loaded.length) use('ott-measures');

    // Third country: a loaded 103 valid on the date (without additional code first), else UKGT.
    const tc = pick(MEASURE_ROLES.thirdCountry, true).sort((a, b) => Number(!!a.additionalCode) - Number(!!b.additionalCode))[0];
    let thirdCountry = tc;
    if (!thirdCountry) {
      const nomen = this.commodity(code, date);
      use('nomenclature');
      const line = this.ukgtLine(code);
      const published = line?.rate;
      if (!loaded.length && !nomen.known) return unknown(`commodity code ${code} is not in the UK nomenclature (${this.version('nomenclature')}) and no tariff measures are loaded for it`);
      if (!loaded.length && !nomen.declarableOnDate)
        return unknown(`commodity code ${code} is not a declarable goods line on ${date} (validity ${nomen.validityStart}–${nomen.validityEnd || 'open'})`);
      if (date < UKGT_START) return unknown(`no UK tariff is held before ${UKGT_START} (the EU Common Customs Tariff applied)`);
      if (published === undefined)
        return unknown(`no third-country measure for ${code} valid on ${date}: none loaded from the Online Trade Tariff and the UKGT baseline has no line ${code.slice(0, 8)}`);
      let expression = published;
      const seasonal = this.seasonalByCn8.get(code.slice(0, 8));
      if (seasonal || /\(\d{2} [A-Z]{3} - \d{2} [A-Z]{3}\)/.test(published)) {
        const inSeason = seasonal && seasonalExpression(seasonal, date);
        if (!inSeason) return unknown(`UKGT line ${code.slice(0, 8)} is seasonal ("${published}") and no season covers ${date}`);
        expression = inSeason;
        use('seasonal');
      }
      use('ukgt');
      thirdCountry = this.fact({ measureType: '103', geographicalArea: '1011', expression, additionalCode: '', validFrom: UKGT_START, validTo: '', datasetVersion: this.version('ukgt') });
      notes.push(
        loaded.length
          ? `no loaded third-country measure valid on ${date}: UKGT ${UKGT_START} baseline used`
          : `no Online Trade Tariff measures loaded for ${code}: preferences, suspensions, trade remedies and VAT are not known (UKGT ${UKGT_START} baseline used for the third-country rate)`,
      );
    }
    const supp = onDate.find((m) => MEASURE_ROLES.supplementaryUnit.has(m.measureType));
    const result = {
      ...empty,
      known: true,
      thirdCountry,
      preferential: pick(MEASURE_ROLES.preferential, true),
      suspensions: pick(MEASURE_ROLES.suspensions, true),
      tradeRemedies: pick(MEASURE_ROLES.tradeRemedies, true),
      vat: pick(MEASURE_ROLES.vat, false),
      supplementaryUnit: supp?.expression ?? '',
    };
    if (unknownGroups.size) notes.push(`membership of geographical area group(s) ${[...unknownGroups].sort().join(', ')} not loaded: their measures were not applied to ${origin}`);
    // A snapshot as of a later date does not list measures that ended before it.
    const from = this.completeFrom.get(code);
    const beforeSnapshot = !!from && date < from;
    if (beforeSnapshot) notes.push(`the Online Trade Tariff measures of ${code} are held as of ${from}: measures that ended before then are not held, so the absence of one on ${date} is not known`);
    // Absence of a measure means "none" only when the code's measures are loaded (complete on the
    // date) and every group the origin might belong to is known.
    return done({ ...result, measuresLoaded: loaded.length > 0 && unknownGroups.size === 0 && !beforeSnapshot, unknownReason: notes.join('; ') });
  }

  /**
   * The widest date interval around `date` over which rates(code, origin, ·) gives the same
   * answer: bounded by the nearest start / day-after-end of any measure, nomenclature line,
   * scheme of the origin, UKGT start or seasonal period. "" = unbounded on that side.
   */
  private stableWindow(code: string, origin: string, date: string): { stableFrom: string; stableTo: string } {
    const starts: string[] = [UKGT_START];
    const span = (from: string, to: string) => {
      if (from) starts.push(from);
      if (to) starts.push(shiftDay(to, 1));
    };
    for (const m of this.measuresByCode.get(code) ?? []) span(m.validFrom, m.validTo);
    const complete = this.completeFrom.get(code);
    if (complete) starts.push(complete);
    for (const r of this.byCode.get(code) ?? []) span(r.start, r.end);
    for (const sc of this.schemes) if (sc.countries.has(origin)) span(sc.validFrom, sc.validTo);
    const seasonal = this.seasonalByCn8.get(code.slice(0, 8));
    if (seasonal) {
      const y = Number(date.slice(0, 4));
      for (const yr of [y - 1, y, y + 1]) for (const p of seasonal.periods) span(`${yr}-${p.from}`, `${yr}-${p.to}`);
    }
    let from = '';
    let next = '';
    for (const b of starts) {
      if (b <= date) from = b > from ? b : from;
      else if (!next || b < next) next = b;
    }
    return { stableFrom: from, stableTo: next ? shiftDay(next, -1) : '' };
  }

  /** Membership of a code in a code list. Lists are snapshots (not dated): the date is echoed. */
  codeList(listIn: string, codeIn: string, date: string): CodeListResult {
    const list = listIn.toLowerCase();
    const code = codeIn.trim().toUpperCase();
    const base = { list, code: codeIn, date };
    const answer = (dataset: string, known: boolean, member: boolean, description: string): CodeListResult => ({ ...base, known, member, description, datasetVersion: this.version(dataset) });
    switch (list) {
      case 'cpc': {
        // DE 1/10: 4 digits (requested + previous procedure), or the 7-character CPC whose first 4 say it.
        if (!/^\d{4}([0-9A-Z]{3})?$/.test(code)) return answer('code-list:cpc', this.cpc.procedures.size > 0, false, 'not a 4- or 7-character procedure code');
        const d = this.cpc.procedures.get(code.slice(0, 4));
        return answer('code-list:cpc', this.cpc.procedures.size > 0, d !== undefined, d ?? '');
      }
      case 'cpc-apc': {
        const m = /^(\d{4})(?:[0-9A-Z]{3})?\s*[/:]\s*([0-9A-Z]{3})$/.exec(code);
        if (!m) return answer('code-list:cpc', true, false, 'expected "CPC/APC", e.g. "4000000/C07" or "4000/C07"');
        const [, cpc, apc] = m as unknown as [string, string, string];
        const allowed = this.cpc.allowed.get(cpc);
        // The combination list is a prototype: procedures it does not list, or lists without any
        // APC, say nothing about validity, so membership is unknown rather than "invalid".
        if (!allowed) return answer('code-list:cpc', false, false, `procedure ${cpc} is not in the CPC/APC combination list`);
        if (apc === '000') return answer('code-list:cpc', true, true, 'no additional procedure');
        if (allowed.size === 0) return answer('code-list:cpc', false, false, `no additional procedure codes are listed for ${cpc}`);
        const desc = this.lists.get('apc')?.get(apc) ?? '';
        return answer('code-list:cpc', true, allowed.has(apc), allowed.has(apc) ? desc : `${apc} is not an allowed additional procedure for ${cpc}`);
      }
      case 'document': {
        const m = /^([0-9A-Z]{4})(?:\s*[/:]\s*([A-Z]{2}))?$/.exec(code);
        if (!m) return answer('code-list:document', this.documents.size > 0, false, 'expected a 4-character document code, optionally "/STATUS"');
        const doc = this.documents.get(m[1]!);
        if (!doc) return answer('code-list:document', this.documents.size > 0, false, '');
        if (!m[2]) return answer('code-list:document', true, true, doc.description);
        if (doc.statusCodes.size === 0) return answer('code-list:document', false, false, `status codes are not listed for ${m[1]}`);
        return answer(
          'code-list:document',
          true,
          doc.statusCodes.has(m[2]),
          doc.statusCodes.has(m[2]) ? doc.description : `status ${m[2]} is not allowed with ${m[1]} (allowed: ${[...doc.statusCodes].join(', ')})`,
        );
      }
      case 'apc':
      case 'preference':
      case 'country':
      case 'unit':
      case 'currency': {
        if (list === 'apc' && code === '000') return answer('code-list:apc', true, true, 'no additional procedure');
        const codes = this.lists.get(list);
        if (!codes) return answer(`code-list:${list}`, false, false, `code list ${list} is not loaded`);
        const d = codes.get(code) ?? (list === 'currency' && code === 'GBP' ? 'Pound sterling' : undefined);
        return answer(`code-list:${list}`, true, d !== undefined, d ?? '');
      }
      default:
        return { ...base, known: false, member: false, description: `unknown code list "${listIn}" (one of ${CODE_LISTS.join(', ')})`, datasetVersion: '' };
    }
  }
}

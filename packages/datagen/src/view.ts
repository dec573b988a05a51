// Reference facts of the generated world in the shapes of the validation rules' ReferenceView
// (services/validation/src/rules/types.ts), as plain data: this package does not depend on the
// validation service; its quality test adapts this object to the interface.
import type { CommodityResult, FxResult } from '@customs/contracts';
import { FILES, type ReferenceFacts } from './facts';
import { MODELLED_BY_CODE, type ModelledTariffLine } from './modelled';
import { NON_PARTNERS, PARTNERS } from './world';

export interface MeasureFactData {
  measureType: string;
  geographicalArea: string;
  expression: string;
  taxType: string;
  additionalCode: string;
  validFrom: string;
  validTo: string;
  datasetVersion: string;
}

export interface SchemeFactData {
  id: string;
  name: string;
  proofDocumentCodes: string[];
  validFrom: string;
  validTo: string;
}

export interface RateFactsData {
  known: boolean;
  unknownReason: string;
  thirdCountry?: MeasureFactData;
  preferential: MeasureFactData[];
  suspensions: MeasureFactData[];
  tradeRemedies: MeasureFactData[];
  vat: MeasureFactData[];
  supplementaryUnit: string;
  schemes: SchemeFactData[];
  datasetVersion: string;
  /** The generated catalogue's measures are complete, so absence means none (RateFacts.measuresLoaded). */
  measuresLoaded: boolean;
}

export interface CodeListFactData {
  known: boolean;
  member: boolean;
  description: string;
  datasetVersion: string;
}

export type CodeListNameData = 'cpc' | 'apc' | 'cpc-apc' | 'document' | 'preference' | 'country' | 'unit' | 'currency';

const EU = new Set(['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK']);

/**
 * Point-in-time facts for the generated world. Tariff facts are "known" only where the shipped
 * data (plus the world's stated model) is complete:
 *  - third country: UKGT 2021 rate (measure 103, erga omnes 1011);
 *  - preferential: 0.00% (measure 142) for the modelled partner origins (EU TCA, CH, NO, TR, KR:
 *    zero tariff on originating industrial goods; BD: GSP-LDC / DCTS-LDC duty free) on the codes
 *    of the world's catalogue, none for the modelled non-partner origins (CN, US, TW, HK, TH, BR);
 *  - no suspensions, trade remedies or quotas: the catalogue excludes codes UKGT flags with any;
 *  - except the MODELLED lines of src/modelled.ts (rules' fixture facts, not shipped data), for
 *    their modelled origins only: 3826001020 from CA with anti-dumping 552 "144.10 GBP / 1000 kg"
 *    (A30) in `tradeRemedies`, 8407909020 from US with autonomous suspension 112 at 0.00% in
 *    `suspensions` — any other origin of those codes is unknown;
 *  - VAT 20% (standard rate: the catalogue's chapters are standard-rated);
 *  - supplementary units: not in the shipped data, so ''.
 * Any other (code, origin) answers known=false with the reason, never a guess.
 */
export class GeneratedReferenceView {
  private readonly catalogueCodes: Set<string>;
  // Answers are memoised per key, as the validation adapter resolves each lookup once per batch:
  // rules then pay a map lookup, and a benchmark measures the rules rather than this view. Nested
  // maps, not concatenated string keys: building a key string per lookup cost more than the rules.
  private readonly memo = new Map<string, Map<string, Map<string, unknown>>>();

  private cached<T>(kind: string, a: string, b: string, make: () => T): T {
    let byA = this.memo.get(kind);
    if (!byA) this.memo.set(kind, (byA = new Map()));
    let byB = byA.get(a);
    if (!byB) byA.set(a, (byB = new Map()));
    let v = byB.get(b) as T | undefined;
    if (v === undefined) byB.set(b, (v = make()));
    return v;
  }

  constructor(
    private readonly facts: ReferenceFacts,
    catalogueCodes: Iterable<string>,
  ) {
    this.catalogueCodes = new Set(catalogueCodes);
  }

  /** Dataset versions, as the engine records them on findings. */
  versions(): Record<string, string> {
    return { ...this.facts.versions };
  }

  commodity(code: string, date: string): CommodityResult {
    return this.cached('c', date, code, () => this.commodityUncached(code, date));
  }

  fx(currency: string, date: string): FxResult {
    return this.cached('f', date, currency, () => this.fxUncached(currency, date));
  }

  rates(code: string, origin: string, date: string): RateFactsData {
    return this.cached(`r${origin}`, date, code, () => this.ratesUncached(code, origin, date));
  }

  codeList(list: CodeListNameData, code: string, date: string): CodeListFactData {
    return this.cached(`l${list}`, date, code, () => this.codeListUncached(list, code, date));
  }

  private commodityUncached(code: string, date: string): CommodityResult {
    const base = { commodityCode: code, date, datasetVersion: this.facts.versions.nomenclature! };
    const line = this.facts.line(code, date);
    if (!line) return { ...base, known: false, declarableOnDate: false, description: '', validityStart: '', validityEnd: '', thirdCountryDuty: '' };
    const valid = line.start <= date && (!line.end || date <= line.end);
    return {
      ...base,
      known: true,
      declarableOnDate: line.suffix === '80' && this.facts.isLeaf(line) && valid,
      description: line.description,
      validityStart: line.start,
      validityEnd: line.end,
      thirdCountryDuty: this.facts.ukgtLine(code)?.rate ?? '',
    };
  }

  private fxUncached(currency: string, date: string): FxResult {
    const cur = currency.toUpperCase();
    const hit = this.facts.fx(cur, date);
    const base = { currency: cur, date, datasetVersion: this.facts.versions.fx! };
    return hit
      ? { ...base, known: true, unitsPerGbp: hit.rate, period: hit.period, unknownReason: '' }
      : { ...base, known: false, unitsPerGbp: '', period: '', unknownReason: `no HMRC rate for ${cur} in ${date.slice(0, 7)} in ${FILES.fx}` };
  }

  private ratesUncached(code: string, origin: string, date: string): RateFactsData {
    const datasetVersion = this.facts.versions.ukgt!;
    const unknown = (reason: string): RateFactsData => ({
      known: false,
      unknownReason: reason,
      preferential: [],
      suspensions: [],
      tradeRemedies: [],
      vat: [],
      supplementaryUnit: '',
      schemes: [],
      datasetVersion,
      measuresLoaded: false,
    });
    const ukgt = this.facts.ukgtLine(code);
    if (!ukgt) return unknown(`no UK Global Tariff rate for ${code}`);
    const modelled = MODELLED_BY_CODE.get(code);
    if (modelled) return this.modelledRates(modelled, ukgt.rate, origin, date, datasetVersion, unknown);
    if (!this.catalogueCodes.has(code)) return unknown(`${code} is outside the generated catalogue: preferential, suspension, remedy and VAT measures are not loaded for it`);
    const isPartner = origin in PARTNERS;
    if (!isPartner && !(origin in NON_PARTNERS)) return unknown(`preferential rates for origin ${origin} are not loaded`);
    const m = (measureType: string, geographicalArea: string, expression: string, taxType: string): MeasureFactData => ({
      measureType,
      geographicalArea,
      expression,
      taxType,
      additionalCode: '',
      validFrom: '2021-01-01',
      validTo: '',
      datasetVersion,
    });
    const schemes = this.facts.schemesFor(origin, date).map((s) => ({ id: s.id, name: s.name, proofDocumentCodes: s.proofDocumentCodes, validFrom: s.validFrom, validTo: s.validTo }));
    return {
      known: true,
      unknownReason: '',
      thirdCountry: m('103', '1011', ukgt.rate, 'A00'),
      preferential: isPartner && schemes.length ? [m('142', EU.has(origin) ? '1013' : origin, '0.00%', 'A00')] : [],
      suspensions: [],
      tradeRemedies: [],
      vat: [m('305', '1011', '20.00%', 'B00')],
      supplementaryUnit: '',
      schemes,
      datasetVersion,
      measuresLoaded: true,
    };
  }

  /** MODELLED facts for the generated world (src/modelled.ts), for the modelled origins only. */
  private modelledRates(line: ModelledTariffLine, ukgtRate: string, origin: string, date: string, datasetVersion: string, unknown: (reason: string) => RateFactsData): RateFactsData {
    if (!line.origins.includes(origin)) return unknown(`${line.code} is modelled for origin ${line.origins.join('/')} only: measures for ${origin} are not loaded`);
    // The modelled measures say so in their dataset version (it shows in the findings' evidence).
    const m = (x: { measureType: string; geographicalArea: string; expression: string; taxType: string }, version = `${datasetVersion}+modelled`): MeasureFactData => ({
      ...x,
      additionalCode: '',
      validFrom: '2021-01-01',
      validTo: '',
      datasetVersion: version,
    });
    return {
      known: true,
      unknownReason: '',
      thirdCountry: m({ measureType: '103', geographicalArea: '1011', expression: ukgtRate, taxType: 'A00' }, datasetVersion),
      // No preferential rate is modelled for these lines (the rules' fixture has none).
      preferential: [],
      suspensions: line.suspensions.map((x) => m(x)),
      tradeRemedies: line.tradeRemedies.map((x) => m(x)),
      vat: [m({ measureType: '305', geographicalArea: '1011', expression: '20.00%', taxType: 'B00' }, datasetVersion)],
      supplementaryUnit: '',
      schemes: this.facts.schemesFor(origin, date).map((s) => ({ id: s.id, name: s.name, proofDocumentCodes: s.proofDocumentCodes, validFrom: s.validFrom, validTo: s.validTo })),
      datasetVersion,
      measuresLoaded: true,
    };
  }

  private codeListUncached(list: CodeListNameData, code: string, _date: string): CodeListFactData {
    const datasetVersion = this.facts.versions[`codes.${list}`] ?? '';
    // Query forms as the reference service accepts them: a CPC as 4 or 7 characters, "CPC/APC" (or
    // "CPC:APC", 7-character CPC allowed) for combinations, a document code optionally with "/STATUS".
    if (list === 'cpc-apc') {
      const m = /^(\d{4})(?:[0-9A-Z]{3})?\s*[/:]\s*([0-9A-Z]{3})$/.exec(code.trim().toUpperCase());
      if (!m) return { known: true, member: false, description: 'expected "CPC/APC"', datasetVersion };
      const allowed = this.facts.cpcApcs.get(m[1]!);
      // The combination list is a prototype: a procedure it does not list, or lists without any APC,
      // says nothing about validity (unknown), except that "000" (no APC) always goes.
      if (!allowed) return { known: false, member: false, description: `procedure ${m[1]} is not in the CPC/APC combination list`, datasetVersion };
      if (m[2] === '000') return { known: true, member: true, description: 'no additional procedure', datasetVersion };
      if (allowed.size === 0) return { known: false, member: false, description: `no additional procedure codes are listed for ${m[1]}`, datasetVersion };
      return { known: true, member: allowed.has(m[2]!), description: this.facts.codeLists.get('apc')?.get(m[2]!) ?? '', datasetVersion };
    }
    const l = this.facts.codeLists.get(list);
    if (!l) return { known: false, member: false, description: '', datasetVersion };
    let key = code.trim().toUpperCase();
    if (list === 'cpc') key = key.slice(0, 4);
    if (list === 'document') key = key.slice(0, 4);
    const description = l.get(key);
    return { known: true, member: description !== undefined, description: description ?? '', datasetVersion };
  }
}

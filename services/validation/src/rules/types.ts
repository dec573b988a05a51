import type { CommodityResult, Declaration, Evidence, FxResult, GoodsItem, Severity } from '@customs/contracts';

/** Rule families (DOMAIN.md §3). */
export type RuleFamily = 'data-integrity' | 'classification' | 'origin-preference' | 'valuation' | 'procedures-reliefs' | 'duplicates-vat';

/** Metadata every rule file declares; docs/rules.md is generated from it. */
export interface RuleMeta {
  /** Catalogue id, e.g. "C01" (DOMAIN.md §3). */
  id: string;
  /** Semantic version; bump when the logic or pricing changes (findings record it). */
  version: string;
  title: string;
  family: RuleFamily;
  /** Data elements read, e.g. ["DE 3/16", "DE 3/18"]. */
  dataElements: string[];
  /** Legal basis / guidance reference. */
  legalBasis: string;
  /** How severity is decided. */
  severityLogic: string;
  /** Pricing formula in words. */
  pricing: string;
  /** C285 claim basis or C2001 route the finding maps to. */
  correctionRoute: string;
  /** One-line statement of the business rule. */
  businessRule: string;
}

/**
 * Point-in-time reference facts a rule may consult. The adapter fetches them in one batched
 * call per consumed batch before evaluation, so rules stay pure and synchronous.
 */
export interface ReferenceView {
  /** Nomenclature facts for a code on a date; undefined when the reference service was not asked. */
  commodity(code: string, date: string): CommodityResult | undefined;
  /** HMRC monthly rate for a currency on a date; undefined when not asked. */
  fx(currency: string, date: string): FxResult | undefined;
  /** Tariff measures for (code, origin country) on a date; undefined when not asked (declare it in needs().rates). */
  rates?(code: string, origin: string, date: string): RateFacts | undefined;
  /** Membership of a code in a reference code list on a date; undefined when not asked (needs().codeLists). */
  codeList?(list: CodeListName, code: string, date: string): CodeListFact | undefined;
}

/** Code lists the reference service publishes (DOMAIN.md §4). */
export type CodeListName = 'cpc' | 'apc' | 'cpc-apc' | 'document' | 'preference' | 'country' | 'unit' | 'currency';

/** A tariff measure as published (DOMAIN.md §3.0 rate source order). */
export interface MeasureFact {
  /** '103' third country, '142' preference, '143' preferential quota, '112'/'115' suspensions, '551'–'554' trade remedies, '695'/'696' additional duties, '305' VAT, '109' supplementary unit. */
  measureType: string;
  /** '1011' erga omnes, a group such as '1013' (EU), or an ISO country code. */
  geographicalArea: string;
  /** Duty expression as published, e.g. "8.00%", "0.00%", "12.00% + 1.50 GBP / 100 kg". */
  expression: string;
  /** DE 4/3 tax type, e.g. "A00", "A30", "B00". */
  taxType: string;
  additionalCode: string;
  validFrom: string;
  /** "" = open-ended. */
  validTo: string;
  datasetVersion: string;
}

/** UK preference scheme covering an origin on a date (data/origin/roo_schemes_uk.json). */
export interface SchemeFact {
  id: string;
  name: string;
  /** DE 2/3 proof-of-origin codes the scheme accepts. */
  proofDocumentCodes: string[];
  validFrom: string;
  validTo: string;
}

/** What the tariff says for (code, origin) on a date. `known=false` means "unknown", never a guess. */
export interface RateFacts {
  known: boolean;
  unknownReason: string;
  thirdCountry?: MeasureFact;
  /** Preferential measures (142/143) applicable to the origin on the date. */
  preferential: MeasureFact[];
  /** Suspensions (112/115/117/119) on the date. */
  suspensions: MeasureFact[];
  /** Trade remedies and additional duties (551–554, 695/696) applicable to the origin. */
  tradeRemedies: MeasureFact[];
  /** VAT measures for the code (rate expression, e.g. "20.00%"); empty when not loaded. */
  vat: MeasureFact[];
  /** Supplementary unit required by measure 109 (e.g. "p/st"), "" when none. */
  supplementaryUnit: string;
  /** Preference schemes whose members include the origin on the date. */
  schemes: SchemeFact[];
  datasetVersion: string;
  /**
   * The code's full measures are loaded (Online Trade Tariff), so an empty `preferential`,
   * `suspensions`, `tradeRemedies`, `vat` or `supplementaryUnit` means "none". false = only the
   * third-country baseline is known and absence proves nothing.
   */
  measuresLoaded: boolean;
}

export interface CodeListFact {
  /** The list itself is loaded (false → membership unknown, rules stay silent). */
  known: boolean;
  member: boolean;
  description: string;
  datasetVersion: string;
}

/** Everything a rule sees. */
export interface RuleContext {
  declaration: Declaration;
  reference: ReferenceView;
  /** Evaluation date "YYYY-MM-DD" (passed in: rules never read the clock). */
  today: string;
  /**
   * Records that the rule could not decide on an item (0 = the declaration) and why: a missing
   * measure, field or unsupported procedure. "Unknown" is reported, never read as "no finding";
   * the engine stamps the rule id and version and the service stores and serves the records.
   */
  notChecked?(itemNumber: number, reason: string): void;
}

/** One hit of a rule, before the engine stamps ids, versions and deadlines. */
export interface RuleHit {
  /** 0 = header-level. */
  itemNumber: number;
  severity: Severity;
  exposureDutyPence?: number;
  exposureVatPence?: number;
  reclaimDutyPence?: number;
  reclaimVatPence?: number;
  evidence: Evidence[];
  explanation: string;
  remediation: string;
}

/** Reference lookups a rule needs for one item; the adapter batches them across a consumed batch. */
export interface ReferenceNeeds {
  commodities?: { code: string; date: string }[];
  fx?: { currency: string; date: string }[];
  rates?: { code: string; origin: string; date: string }[];
  codeLists?: { list: CodeListName; code: string; date: string }[];
}

/** A rule: metadata plus a pure evaluation. */
export interface Rule {
  meta: RuleMeta;
  /** Reference lookups the rule needs for an item (so the adapter can batch them). */
  needs?(declaration: Declaration, item: GoodsItem): ReferenceNeeds;
  evaluate(ctx: RuleContext): RuleHit[];
}

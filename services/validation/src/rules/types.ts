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
}

/** Everything a rule sees. */
export interface RuleContext {
  declaration: Declaration;
  reference: ReferenceView;
  /** Evaluation date "YYYY-MM-DD" (passed in: rules never read the clock). */
  today: string;
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

/** A rule: metadata plus a pure evaluation. */
export interface Rule {
  meta: RuleMeta;
  /** Reference lookups the rule needs for an item (so the adapter can batch them). */
  needs?(declaration: Declaration, item: GoodsItem): { commodities?: { code: string; date: string }[]; fx?: { currency: string; date: string }[] };
  evaluate(ctx: RuleContext): RuleHit[];
}

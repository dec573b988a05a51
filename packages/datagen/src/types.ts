import type { Declaration } from '@customs/contracts';

/** One injected error, as the rule that should find it is expected to report it. */
export interface TruthEntry {
  declarationId: string;
  mrn: string;
  /** 0 = header-level finding. */
  itemNumber: number;
  ruleId: string;
  exposureDutyPence: number;
  exposureVatPence: number;
  reclaimDutyPence: number;
  reclaimVatPence: number;
  /** What was done to the clean declaration, in words. */
  note: string;
}

/** One generated declaration with the findings it must (and must only) produce. */
export interface GeneratedDeclaration {
  index: number;
  declaration: Declaration;
  /** Empty for a clean declaration: every rule must stay silent on it. */
  truth: TruthEntry[];
  /** Rule ids whose injector changed this declaration. */
  injected: string[];
}

/** What the generator knows about each item (not part of the declaration; injectors use it to price). */
export interface ItemFacts {
  /** Customs value in pence as CDS computes it: (price + additions − deductions) / HMRC rate, rounded down. */
  cvPence: bigint;
  /** Item price in hundredths of the invoice currency. */
  priceCents: bigint;
  /** Net DE 4/9 additions − deductions for the item (its own, or its share of the header's), same unit. */
  adjustCents: bigint;
  currency: string;
  fxRate: string;
  /** Third-country duty expression (UKGT) and rate ×10^6. */
  mfnExpression: string;
  mfnRate: bigint;
  /** Rate applied (×10^6): preferential 0 or MFN. */
  appliedRate: bigint;
  dutyPence: bigint;
  vatPence: bigint;
  /** Net mass (DE 6/1) in grams. */
  netGrams: bigint;
  /**
   * MODELLED anti-dumping duty (src/modelled.ts) the item is liable to: GBP per 1000 kg in pence,
   * and whether the broker declared its A30 line. Absent on every catalogue code.
   */
  remedy?: { taxType: string; pencePerTonne: bigint; declared: boolean };
  /** Remedy duty charged on the A30 line (0 when none). */
  remedyPence: bigint;
  /** Origin covered by a UK preference scheme modelled in this world. */
  partnerOrigin: boolean;
  preferenceScheme: string;
}

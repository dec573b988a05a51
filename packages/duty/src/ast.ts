import type { Rational } from './rational';
import type { UnitInfo } from './units';

/** r % of the customs value, or of the declared retail price ("16.50 % / Retail Price", excise on cigarettes). */
export interface AdValoremComponent {
  kind: 'adValorem';
  percent: Rational;
  /** What the percentage is of; undefined = the customs value. */
  base?: 'retailPrice';
  /** As written, e.g. "12.00". */
  percentText: string;
  /**
   * The EU CN printed a few compound rates without "%" ("6.4 + 24.6 EUR/100 kg") because the
   * column itself is headed "%"; the number is read as a percentage and the explanation says so.
   */
  impliedPercent: boolean;
}

/** amount currency per unit, e.g. 34.00 GBP / 100 kg. */
export interface SpecificComponent {
  kind: 'specific';
  amount: Rational;
  amountText: string;
  /** "GBP" for UK measures; "EUR" appears in the EU CET column and needs a conversion rate. */
  currency: string;
  unit: UnitInfo;
  /** The unit as written ("100kg eda"). */
  unitText: string;
}

/**
 * Meursing agricultural component (EA, reduced EAR) and additional duties on sugar/flour
 * (ADSZ, ADFM and reduced forms): the amount depends on the milk-fat/protein/starch/sugar
 * composition code of the goods, which a declaration line does not carry.
 */
export interface AgriculturalComponent {
  kind: 'agricultural';
  code: 'EA' | 'EAR' | 'ADSZ' | 'ADSZR' | 'ADFM' | 'ADFMR';
}

/** Entry price system: the duty depends on the declared entry price against the trigger table. */
export interface EntryPriceComponent {
  kind: 'entryPrice';
}

/**
 * A component; `subtract` marks one written after "-" (TARIC duty expression 05, e.g. a small
 * producer relief discount "… - 1.00 GBP / for each litre of pure alcohol, multiplied by the SPR discount").
 */
export type DutyComponent = (AdValoremComponent | SpecificComponent | AgriculturalComponent | EntryPriceComponent) & { subtract?: boolean };

/** A MIN floor or MAX ceiling, itself a sum of components ("MAX 18.90% + 16.50 EUR / 100 kg"). */
export interface DutyClause {
  kind: 'min' | 'max';
  components: DutyComponent[];
}

/** Sum of components, then each MIN/MAX clause applied in written order. */
export interface SimpleDutyExpression {
  kind: 'simple';
  components: DutyComponent[];
  clauses: DutyClause[];
}

/** Day of year as written (month 1–12, day 1–31); "31 APR" is kept, it only bounds a range. */
export interface MonthDay {
  month: number;
  day: number;
}

export interface SeasonRange {
  from: MonthDay;
  /** Inclusive. When to < from the range wraps over 31 Dec. */
  to: MonthDay;
}

export interface Season {
  /** Empty means "the rest of the year" (a trailing rate without dates). */
  ranges: SeasonRange[];
  expression: SimpleDutyExpression;
}

export interface SeasonalDutyExpression {
  kind: 'seasonal';
  seasons: Season[];
}

export type DutyExpressionBody = SimpleDutyExpression | SeasonalDutyExpression;

export type DutyExpression = DutyExpressionBody & {
  /** As given to the parser. */
  text: string;
  /** After removing HTML markup and collapsing whitespace; positions in errors refer to this. */
  normalized: string;
  /**
   * Why the expression can never be evaluated from declaration data alone (entry price,
   * agricultural components), or undefined when it can be (possibly given extra quantities).
   */
  unevaluableReason?: string;
};

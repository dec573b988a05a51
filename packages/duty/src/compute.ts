// Recomputes what should have been paid on one declaration line: customs value in GBP, each
// duty measure as its own tax line (rounded down to the penny, as CDS does per tax line), and
// import VAT on top.

import { evaluateDutyExpression, CurrencyRates, DutyQuantities } from './evaluate';
import { DutyExpressionError, parseDutyExpression } from './parse';
import {
  HUNDRED,
  Rational,
  add,
  div,
  floor,
  formatPence,
  formatPoundsExact,
  mul,
  parseDecimal,
  parseRate,
  roundHalfUp,
  sub,
  toSafeNumber,
} from './rational';

/** Customs value already in sterling, in pence. */
export interface CustomsValuePence {
  pence: number;
}

/** Customs value from the invoice: (amount + additions − deductions) ÷ unitsPerGbp. */
export interface CustomsValueFromInvoice {
  /** DE 4/14 item price, in `currency` (decimal string). */
  amount: string;
  /** ISO 4217, e.g. "USD"; "GBP" needs unitsPerGbp "1". */
  currency: string;
  /** Currency units per £1 (HMRC monthly rate or a declared contract rate), exact decimal string. */
  unitsPerGbp: string;
  /** Where the rate came from, e.g. "HMRC monthly rate 2023-01" — shown in the explanation. */
  rateSource: string;
  /** DE 4/9 additions (freight, insurance …) in `currency`. */
  additions?: string;
  /** DE 4/9 deductions in `currency`. */
  deductions?: string;
}

export type CustomsValueInput = CustomsValuePence | CustomsValueFromInvoice;

/**
 * How the converted customs value is brought to whole pence. The law leaves it to HMRC's public
 * notice (TCTA 2018 s.18(4)(e)); we default to the nearest penny (halves up), as a sterling value
 * is normally stated, and allow "down" for reconciliation experiments.
 */
export type CustomsValueRounding = 'halfUp' | 'down';

export interface DutyMeasureInput {
  /** TARIC measure type, e.g. "103" third-country duty, "142" tariff preference, "552" anti-dumping. */
  measureType: string;
  /** DE 4/3 tax type the measure is paid under (codes/measure_type_to_tax_type.csv), e.g. "A00", "A30". */
  taxType: string;
  /** Duty expression as published (UKGT CSV, OTT "base" or "formatted_base"). */
  expression: string;
  /** Provenance of the rate, e.g. "UKGT 2021-01-01 61091000". */
  source: string;
}

export interface DutyLineInput {
  /** Acceptance date (tax point), YYYY-MM-DD: picks seasonal rates; the caller picks FX and measures by it. */
  acceptanceDate: string;
  customsValue: CustomsValueInput;
  customsValueRounding?: CustomsValueRounding;
  quantities: DutyQuantities;
  /** Duty measures to apply, each becoming one tax line. */
  measures: DutyMeasureInput[];
  /** Only for specific duties written in a foreign currency (EUR amounts of the old CET). */
  currencyRates?: CurrencyRates;
  /** "20", "5" or "0"; omitted → no VAT computed. */
  vatRatePercent?: string;
  /** Excise and other charges that enter the VAT value, in pence. */
  exciseAndOtherPence?: number;
  /** VAT adjustments (e.g. transport to the first UK destination), in pence. */
  vatAdjustmentsPence?: number;
}

export interface DutyTaxLine {
  /** DE 4/3 tax type: the measure's (A00, A30 …) or "B00" for import VAT. */
  taxType: string;
  /** TARIC measure type, or "VAT" for the VAT line. */
  measureType: string;
  source: string;
  status: 'computed' | 'unknown';
  unknownReason?: string;
  /** Money base: customs value for duties, VAT value for VAT. */
  basePence: number;
  /** Quantity used by specific components, e.g. "12.5 × 100 kg". */
  baseQuantity?: string;
  expression: string;
  /** Rounded down to the penny; 0 when status is "unknown". */
  amountPence: number;
  /** Exact amount in pounds before rounding, e.g. "148.1472". */
  exactAmount?: string;
  explanation: string;
}

export interface DutyLineResult {
  /** "unknown" when any measure could not be evaluated; dutyPence then sums only the computed lines. */
  status: 'computed' | 'unknown';
  unknownReason?: string;
  customsValuePence: number;
  /** Sum of the computed duty tax lines (not VAT). */
  dutyPence: number;
  /** Import VAT (0 when no VAT rate was given or a duty is unknown). */
  vatPence: number;
  /** CV + duties + excise + VAT adjustments, when VAT was computed. */
  vatValuePence?: number;
  taxLines: DutyTaxLine[];
  /** Every step an analyst needs to follow the numbers, in order. */
  explanation: string[];
}

const MEASURE_LABELS: Record<string, string> = {
  '103': 'third-country duty',
  '105': 'third-country duty under end use',
  '106': 'customs union duty',
  '112': 'autonomous tariff suspension',
  '115': 'autonomous suspension under end use',
  '117': 'suspension for ships and platforms',
  '119': 'airworthiness tariff suspension',
  '122': 'non-preferential tariff quota',
  '123': 'non-preferential quota under end use',
  '142': 'tariff preference',
  '143': 'preferential tariff quota',
  '145': 'preference under end use',
  '146': 'preferential quota under end use',
  '551': 'provisional anti-dumping duty',
  '552': 'definitive anti-dumping duty',
  '553': 'provisional countervailing duty',
  '554': 'definitive countervailing duty',
  '695': 'additional duty',
  '696': 'additional duty (safeguard)',
};

export function measureLabel(measureType: string): string {
  return MEASURE_LABELS[measureType] ?? `measure type ${measureType}`;
}

function isPence(v: CustomsValueInput): v is CustomsValuePence {
  return (v as CustomsValuePence).pence !== undefined;
}

/** Customs value in whole pence, with the explanation of the conversion. */
export function computeCustomsValue(v: CustomsValueInput, rounding: CustomsValueRounding = 'halfUp'): { pence: number; text: string; explanation: string } {
  if (isPence(v)) {
    if (!Number.isSafeInteger(v.pence) || v.pence < 0) throw new RangeError(`customsValue.pence must be a non-negative integer: ${v.pence}`);
    const text = formatPence(v.pence);
    return { pence: v.pence, text, explanation: `Customs value ${text} (declared in sterling)` };
  }
  const cur = v.currency.toUpperCase();
  const amount = parseDecimal(v.amount, 'customsValue.amount');
  const additions = v.additions !== undefined ? parseDecimal(v.additions, 'customsValue.additions') : undefined;
  const deductions = v.deductions !== undefined ? parseDecimal(v.deductions, 'customsValue.deductions') : undefined;
  const rate = parseRate(v.unitsPerGbp, 'customsValue.unitsPerGbp');
  if (rate.n <= 0n) throw new RangeError(`customsValue.unitsPerGbp must be positive: ${v.unitsPerGbp}`);
  let total: Rational = amount;
  if (additions) total = add(total, additions);
  if (deductions) total = sub(total, deductions);
  if (total.n < 0n) throw new RangeError(`customs value is negative: ${v.amount} + ${v.additions ?? '0'} − ${v.deductions ?? '0'}`);
  const exactPence = div(mul(total, HUNDRED), rate);
  const pence = toSafeNumber(rounding === 'down' ? floor(exactPence) : roundHalfUp(exactPence), 'customs value');
  const sumText = `${cur} ${v.amount}${v.additions !== undefined ? ` + ${v.additions} additions` : ''}${v.deductions !== undefined ? ` − ${v.deductions} deductions` : ''}`;
  const conv = cur === 'GBP' && v.unitsPerGbp.replace(/\.0*$/, '') === '1' ? `${sumText} (no conversion)` : `(${sumText}) ÷ ${v.unitsPerGbp} ${cur}/£ (${v.rateSource})`;
  const roundingText = rounding === 'down' ? 'rounded down to the penny' : 'rounded to the nearest penny, halves up';
  const text = formatPence(pence);
  return { pence, text, explanation: `Customs value ${conv} = ${formatPoundsExact(exactPence)} → ${text} (${roundingText})` };
}

function roundedNote(exact: Rational, pence: bigint, exactText: string): string {
  return exact.n === pence * exact.d ? '' : ` (${exactText} rounded down)`;
}

function unknownLine(m: DutyMeasureInput, cvPence: number, reason: string): DutyTaxLine {
  return {
    taxType: m.taxType,
    measureType: m.measureType,
    source: m.source,
    status: 'unknown',
    unknownReason: reason,
    basePence: cvPence,
    expression: m.expression,
    amountPence: 0,
    explanation: `${m.taxType} ${measureLabel(m.measureType)} ${JSON.stringify(m.expression)}: cannot be computed — ${reason}`,
  };
}

const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export function computeDutyLine(input: DutyLineInput): DutyLineResult {
  // Checked even when no seasonal rate needs it: a bad date means the caller picked rates and FX blind.
  if (!DATE_RE.test(input.acceptanceDate)) throw new RangeError(`acceptanceDate must be YYYY-MM-DD: ${JSON.stringify(input.acceptanceDate)}`);
  const explanation: string[] = [];
  const cv = computeCustomsValue(input.customsValue, input.customsValueRounding);
  const cvText = cv.text;
  explanation.push(cv.explanation);
  const taxLines: DutyTaxLine[] = [];
  const unknownReasons: string[] = [];
  let dutyPence = 0;
  const ctx = { customsValuePence: cv.pence, customsValueText: cvText, acceptanceDate: input.acceptanceDate, quantities: input.quantities, currencyRates: input.currencyRates };

  for (const m of input.measures) {
    explanation.push(`Measure ${m.measureType} (${measureLabel(m.measureType)}) paid as ${m.taxType}: "${m.expression}" from ${m.source}`);
    let line: DutyTaxLine;
    try {
      const expr = parseDutyExpression(m.expression);
      const ev = evaluateDutyExpression(expr, ctx);
      if (ev.status === 'unknown') {
        line = unknownLine(m, cv.pence, ev.reason);
      } else {
        if (ev.pence.n < 0n) throw new RangeError(`negative duty ${formatPoundsExact(ev.pence)} for ${m.expression}`);
        const rounded = floor(ev.pence);
        const amountPence = toSafeNumber(rounded, 'duty');
        const exactText = formatPoundsExact(ev.pence);
        for (const n of ev.notes) explanation.push(`  ${n}`);
        line = {
          taxType: m.taxType,
          measureType: m.measureType,
          source: m.source,
          status: 'computed',
          basePence: cv.pence,
          ...(ev.baseQuantity !== undefined ? { baseQuantity: ev.baseQuantity } : {}),
          expression: m.expression,
          amountPence,
          exactAmount: exactText,
          explanation: `${m.taxType} ${measureLabel(m.measureType)} ${ev.workings} = ${formatPence(amountPence)}${roundedNote(ev.pence, rounded, exactText)}`,
        };
      }
    } catch (e) {
      if (!(e instanceof DutyExpressionError)) throw e;
      line = unknownLine(m, cv.pence, e.message);
    }
    if (line.status === 'unknown') unknownReasons.push(`${m.taxType}/${m.measureType}: ${line.unknownReason}`);
    else dutyPence += line.amountPence;
    explanation.push(line.explanation);
    taxLines.push(line);
  }

  let vatPence = 0;
  let vatValuePence: number | undefined;
  if (input.vatRatePercent !== undefined) {
    const excise = input.exciseAndOtherPence ?? 0;
    const adj = input.vatAdjustmentsPence ?? 0;
    if (!Number.isSafeInteger(excise) || !Number.isSafeInteger(adj)) throw new RangeError('exciseAndOtherPence and vatAdjustmentsPence must be integers');
    const value = cv.pence + dutyPence + excise + adj;
    // OTT VAT measures read "20.00 %"; accept that as well as a bare "20".
    const vatRate = input.vatRatePercent.replace(/\s*%\s*$/, '');
    const expression = `${vatRate}%`;
    if (unknownReasons.length > 0) {
      const reason = 'VAT value depends on a duty that could not be computed';
      taxLines.push({ taxType: 'B00', measureType: 'VAT', source: 'vatRatePercent', status: 'unknown', unknownReason: reason, basePence: value, expression, amountPence: 0, explanation: `B00 import VAT ${expression}: cannot be computed — ${reason}` });
      explanation.push(`B00 import VAT ${expression}: not computed — ${reason}`);
    } else {
      const rate = parseRate(vatRate, 'vatRatePercent');
      const exact = div(mul({ n: BigInt(value), d: 1n }, rate), HUNDRED);
      const rounded = floor(exact);
      vatPence = toSafeNumber(rounded, 'VAT');
      vatValuePence = value;
      const basis = `customs value ${cvText} + duty ${formatPence(dutyPence)} + excise and other ${formatPence(excise)} + VAT adjustments ${formatPence(adj)}`;
      const exactText = formatPoundsExact(exact);
      const text = `B00 import VAT ${expression} × ${formatPence(value)} (${basis}) = ${formatPence(vatPence)}${roundedNote(exact, rounded, exactText)}`;
      taxLines.push({ taxType: 'B00', measureType: 'VAT', source: 'vatRatePercent', status: 'computed', basePence: value, expression, amountPence: vatPence, exactAmount: exactText, explanation: text });
      explanation.push(text);
    }
  }

  explanation.push(
    unknownReasons.length > 0
      ? `Incomplete: ${unknownReasons.length} measure(s) could not be computed; duty shown (${formatPence(dutyPence)}) covers only the computed lines`
      : `Total duty ${formatPence(dutyPence)}${input.vatRatePercent !== undefined ? `, import VAT ${formatPence(vatPence)}` : ''}`,
  );

  return {
    status: unknownReasons.length > 0 ? 'unknown' : 'computed',
    ...(unknownReasons.length > 0 ? { unknownReason: unknownReasons.join('; ') } : {}),
    customsValuePence: cv.pence,
    dutyPence,
    vatPence,
    ...(vatValuePence !== undefined ? { vatValuePence } : {}),
    taxLines,
    explanation,
  };
}

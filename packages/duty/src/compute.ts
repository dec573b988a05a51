// Recomputes what should have been paid on one declaration line: customs value in GBP, each
// duty measure as its own tax line (rounded down to the penny, as CDS does per tax line), and
// import VAT on top.

import { evaluateDutyExpression, type CurrencyRates, type DutyQuantities } from './evaluate';
import { type Liability, type ProcedureInput, type VatCategory, type VatInput, procedureLiability, resolveVatRate, taxClassOf } from './liability';
import { DutyExpressionError, parseDutyExpression } from './parse';
import { HUNDRED, ONE, type Rational, add, div, floor, formatPence, formatPoundsExact, formatQuantity, mul, parseDecimal, parseRate, roundHalfUp, sub, toSafeNumber } from './rational';

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
  /** DE 4/8 method of payment declared for this tax type (a security code makes the line "secured"). */
  methodOfPayment?: string;
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
  /** "20", "5" or "0" when the caller has settled the rate; omitted (and no `vat`) → no VAT computed. */
  vatRatePercent?: string;
  /**
   * What the declaration and the tariff say about VAT (VAT additional code, VAT measures, declared
   * rate): the engine picks the rate (resolveVatRate) and reports "unknown" when nothing settles
   * it. Ignored when vatRatePercent is given.
   */
  vat?: VatInput;
  /** Excise and other charges that enter the VAT value, in pence. */
  exciseAndOtherPence?: number;
  /** VAT adjustments (e.g. transport to the first UK destination), in pence. */
  vatAdjustmentsPence?: number;
  /**
   * DE 1/10 and DE 1/11: under a relief, suspension or security CDS assesses the lines but charges
   * nothing (DutyTaxLine.liability). Omitted → every line is treated as payable (free circulation).
   */
  procedure?: ProcedureInput;
  /**
   * Set when the trade remedies (anti-dumping, countervailing, safeguard, additional duties) that
   * may apply to the item are not known (e.g. the code's measures are not loaded): they belong in
   * the VAT value, so VAT is then "unknown" with this reason instead of a figure on a short base.
   */
  tradeRemediesUnknownReason?: string;
  /** Same for excise that may apply and is not passed as a measure or in exciseAndOtherPence. */
  exciseUnknownReason?: string;
  /**
   * A tariff quota (DE 8/1 order number) covering all or part of the item: CDS charges the
   * allocated quantity at the quota rate and the rest at the normal rate, so one declared item
   * becomes two calculated lines, each on its share of the customs value and quantities.
   */
  quota?: QuotaAllocationInput;
}

export interface QuotaAllocationInput {
  /** DE 8/1 quota order number, e.g. "054003". */
  orderNumber: string;
  /** The in-quota measure: 122/123 non-preferential or 143/146 preferential quota. */
  measure: DutyMeasureInput;
  /** Quantity allocated from the quota (decimal string), in the same unit as declaredQuantity. */
  allocatedQuantity: string;
  /** The item's quantity in the quota's unit (e.g. its net mass in kg). */
  declaredQuantity: string;
  /** The quota's unit, for the explanation ("kg", "p/st"). */
  unit?: string;
  /** Measure type the in-quota rate replaces for the allocated share; default "103" (third-country duty). */
  replacesMeasureType?: string;
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
  /** Assessed amount, rounded down to the penny; 0 when status is "unknown". */
  amountPence: number;
  /** Exact amount in pounds before rounding, e.g. "148.1472". */
  exactAmount?: string;
  /**
   * Whether CDS charges the assessed amount: "payable", or assessed but not charged ("relieved",
   * "suspended", "secured"), or "unknown" when the declared procedure codes may remove the charge.
   */
  liability: Liability;
  liabilityReason?: string;
  /**
   * What is charged: amountPence when payable and computed, 0 when relieved/suspended/secured
   * (whatever the assessed amount), undefined when either the amount or the liability is unknown.
   */
  payablePence?: number;
  /** B00 only: the VAT category of the rate applied. */
  vatCategory?: VatCategory;
  /** Set on the lines of an item a quota covers: which part of the item the line charges. */
  quota?: { orderNumber: string; portion: 'inQuota' | 'outOfQuota'; share: string };
  explanation: string;
}

export interface DutyLineResult {
  /** "unknown" when any measure could not be evaluated; dutyPence then sums only the computed lines. */
  status: 'computed' | 'unknown';
  unknownReason?: string;
  customsValuePence: number;
  /** Sum of the computed duty and excise tax lines (not VAT), as assessed. */
  dutyPence: number;
  /** The excise part of dutyPence (tax types 3xx/4xx…). */
  excisePence: number;
  /** Import VAT as assessed (0 when no VAT rate was given or VAT is unknown). */
  vatPence: number;
  /** Duty and excise charged (Σ payablePence); undefined when any line's charge is unknown. */
  payableDutyPence?: number;
  /** Import VAT charged; undefined when unknown (rate, base or liability). */
  payableVatPence?: number;
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
    liability: 'payable',
    explanation: `${m.taxType} ${measureLabel(m.measureType)} ${JSON.stringify(m.expression)}: cannot be computed — ${reason}`,
  };
}

/** Stamps liability and payablePence on a line and says so in its explanation. */
function withLiability(line: DutyTaxLine, procedure: ProcedureInput | undefined, methodOfPayment: string | undefined): DutyTaxLine {
  const d = procedureLiability(procedure, line.taxType, methodOfPayment);
  line.liability = d.liability;
  if (d.reason) line.liabilityReason = d.reason;
  if (d.liability === 'payable') {
    if (line.status === 'computed') line.payablePence = line.amountPence;
  } else if (d.liability !== 'unknown') {
    line.payablePence = 0;
    line.explanation += ` — ${d.liability}, not payable: ${d.reason}`;
  } else if (line.status === 'computed' && line.amountPence === 0) {
    // Nothing assessed, nothing charged: whether a relief applies does not matter (e.g. VATZ).
    line.payablePence = 0;
  } else {
    line.explanation += ` — charge unknown: ${d.reason}`;
  }
  return line;
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
  let excisePence = 0;
  // Duty lines that enter the VAT value: a relieved duty is not due, so it is not part of it; a
  // suspended or secured one is (CDS assesses VAT on the full liability).
  let dutyInVatValue = 0;
  const vatValueUnknown: string[] = [];
  let payableDuty: number | undefined = 0;
  const ctx = { customsValuePence: cv.pence, customsValueText: cvText, acceptanceDate: input.acceptanceDate, quantities: input.quantities, currencyRates: input.currencyRates };

  // The work list: every measure on the whole item, except that a quota splits the measure it
  // replaces into an in-quota line (quota rate, allocated share) and an out-of-quota line (the rest).
  interface Job {
    m: DutyMeasureInput;
    cvPence: number;
    share?: Rational;
    quota?: DutyTaxLine['quota'];
  }
  const jobs: Job[] = [];
  const q = input.quota;
  if (q) {
    const allocated = parseDecimal(q.allocatedQuantity, 'quota.allocatedQuantity');
    const declared = parseDecimal(q.declaredQuantity, 'quota.declaredQuantity');
    if (declared.n <= 0n) throw new RangeError(`quota.declaredQuantity must be positive: ${q.declaredQuantity}`);
    if (allocated.n < 0n || allocated.n * declared.d > declared.n * allocated.d)
      throw new RangeError(`quota.allocatedQuantity ${q.allocatedQuantity} must lie between 0 and the declared ${q.declaredQuantity}`);
    const share = div(allocated, declared);
    const rest = sub(ONE, share);
    // The in-quota value is rounded down to the penny; the out-of-quota part takes the remainder,
    // so the two bases add up to the customs value.
    const cvIn = toSafeNumber(floor(mul({ n: BigInt(cv.pence), d: 1n }, share)), 'in-quota value');
    const replaces = q.replacesMeasureType ?? '103';
    const unitText = q.unit ? ` ${q.unit}` : '';
    explanation.push(
      `Quota ${q.orderNumber}: ${q.allocatedQuantity}${unitText} of ${q.declaredQuantity}${unitText} allocated (share ${formatQuantity(share)}): ${formatPence(cvIn)} of the customs value at the quota rate, ${formatPence(cv.pence - cvIn)} at measure ${replaces}`,
    );
    if (share.n > 0n) jobs.push({ m: q.measure, cvPence: cvIn, share, quota: { orderNumber: q.orderNumber, portion: 'inQuota', share: formatQuantity(share) } });
    for (const m of input.measures) {
      if (m.measureType !== replaces) jobs.push({ m, cvPence: cv.pence });
      else if (rest.n > 0n) jobs.push({ m, cvPence: cv.pence - cvIn, share: rest, quota: { orderNumber: q.orderNumber, portion: 'outOfQuota', share: formatQuantity(rest) } });
    }
  } else for (const m of input.measures) jobs.push({ m, cvPence: cv.pence });

  for (const job of jobs) {
    const m = job.m;
    const jobCtx = job.share ? { ...ctx, customsValuePence: job.cvPence, customsValueText: formatPence(job.cvPence), quantityShare: job.share } : ctx;
    explanation.push(
      `Measure ${m.measureType} (${measureLabel(m.measureType)}) paid as ${m.taxType}: "${m.expression}" from ${m.source}${job.quota ? ` — ${job.quota.portion === 'inQuota' ? 'in-quota' : 'out-of-quota'} share ${job.quota.share} of quota ${job.quota.orderNumber}` : ''}`,
    );
    let line: DutyTaxLine;
    try {
      const expr = parseDutyExpression(m.expression);
      const ev = evaluateDutyExpression(expr, jobCtx);
      if (ev.status === 'unknown') {
        line = unknownLine(m, job.cvPence, ev.reason);
      } else if (ev.pence.n < 0n) {
        // A minus component larger than the rest: nothing can be charged, and the law gives no
        // negative duty; say so instead of guessing a zero.
        line = unknownLine(m, job.cvPence, `the expression gives a negative amount (${formatPoundsExact(ev.pence)}): check the relief inputs`);
      } else {
        const rounded = floor(ev.pence);
        const amountPence = toSafeNumber(rounded, 'duty');
        const exactText = formatPoundsExact(ev.pence);
        for (const n of ev.notes) explanation.push(`  ${n}`);
        line = {
          taxType: m.taxType,
          measureType: m.measureType,
          source: m.source,
          status: 'computed',
          basePence: job.cvPence,
          ...(ev.baseQuantity !== undefined ? { baseQuantity: ev.baseQuantity } : {}),
          expression: m.expression,
          amountPence,
          exactAmount: exactText,
          liability: 'payable',
          explanation: `${m.taxType} ${measureLabel(m.measureType)} ${ev.workings} = ${formatPence(amountPence)}${roundedNote(ev.pence, rounded, exactText)}`,
        };
      }
    } catch (e) {
      if (!(e instanceof DutyExpressionError)) throw e;
      line = unknownLine(m, job.cvPence, e.message);
    }
    if (job.quota) line.quota = job.quota;
    withLiability(line, input.procedure, m.methodOfPayment);
    if (line.status === 'unknown') {
      unknownReasons.push(`${m.taxType}/${m.measureType}: ${line.unknownReason}`);
      if (line.liability !== 'relieved') vatValueUnknown.push(`${m.taxType} could not be computed`);
    } else {
      dutyPence += line.amountPence;
      // Excise tax types are the numeric ones; a char test keeps the regex off the hot path.
      const c0 = m.taxType.charCodeAt(0);
      if (c0 >= 48 && c0 <= 57 && taxClassOf(m.taxType) === 'excise') excisePence += line.amountPence;
      if (line.liability === 'unknown') vatValueUnknown.push(`whether ${m.taxType} is relieved is unknown (${line.liabilityReason})`);
      else if (line.liability !== 'relieved') dutyInVatValue += line.amountPence;
    }
    if (line.payablePence === undefined) payableDuty = undefined;
    else if (payableDuty !== undefined) payableDuty += line.payablePence;
    explanation.push(line.explanation);
    taxLines.push(line);
  }

  let vatPence = 0;
  let vatValuePence: number | undefined;
  let payableVat: number | undefined;
  const vatWanted = input.vatRatePercent !== undefined || input.vat !== undefined;
  if (vatWanted) {
    const excise = input.exciseAndOtherPence ?? 0;
    const adj = input.vatAdjustmentsPence ?? 0;
    if (!Number.isSafeInteger(excise) || !Number.isSafeInteger(adj)) throw new RangeError('exciseAndOtherPence and vatAdjustmentsPence must be integers');
    const value = cv.pence + dutyInVatValue + excise + adj;
    let rateText: string | undefined;
    let category: VatCategory | undefined;
    let rateSource = 'vatRatePercent';
    let rateUnknown: string | undefined;
    if (input.vatRatePercent !== undefined) {
      // OTT VAT measures read "20.00 %"; accept that as well as a bare "20".
      rateText = input.vatRatePercent.replace(/\s*%\s*$/, '');
    } else {
      const decision = resolveVatRate(input.vat!);
      if (decision.status === 'known') {
        rateText = decision.ratePercent;
        category = decision.category;
        rateSource = decision.source;
      } else rateUnknown = decision.reason;
    }
    const expression = rateText !== undefined ? `${rateText}%` : '';
    const baseUnknown = vatValueUnknown;
    if (input.tradeRemediesUnknownReason) baseUnknown.push(`trade remedies unknown: ${input.tradeRemediesUnknownReason}`);
    if (input.exciseUnknownReason) baseUnknown.push(`excise unknown: ${input.exciseUnknownReason}`);
    let line: DutyTaxLine;
    // At a zero rate (VATZ, exempt) the VAT is £0 whatever the base: an incomplete base does not matter.
    const zeroRate = rateText !== undefined && parseRate(rateText, 'vatRatePercent').n === 0n;
    if (zeroRate && baseUnknown.length > 0) {
      const text = `B00 import VAT ${expression} = £0.00 (${category ?? 'zero'} rate; the VAT value is incomplete — ${baseUnknown.join('; ')} — which a zero rate makes irrelevant)${rateSource !== 'vatRatePercent' ? ` [rate: ${rateSource}]` : ''}`;
      line = {
        taxType: 'B00',
        measureType: 'VAT',
        source: rateSource,
        status: 'computed',
        basePence: value,
        expression,
        amountPence: 0,
        exactAmount: '0.00',
        liability: 'payable',
        ...(category ? { vatCategory: category } : {}),
        explanation: text,
      };
    } else if (rateUnknown !== undefined || baseUnknown.length > 0) {
      const reason = rateUnknown ?? `VAT value incomplete: ${baseUnknown.join('; ')}`;
      line = {
        taxType: 'B00',
        measureType: 'VAT',
        source: rateSource,
        status: 'unknown',
        unknownReason: reason,
        basePence: value,
        expression,
        amountPence: 0,
        liability: 'payable',
        explanation: `B00 import VAT ${expression || '(rate unknown)'}: cannot be computed — ${reason}`,
      };
      unknownReasons.push(`B00: ${reason}`);
    } else {
      const rate = parseRate(rateText!, 'vatRatePercent');
      const exact = div(mul({ n: BigInt(value), d: 1n }, rate), HUNDRED);
      const rounded = floor(exact);
      vatPence = toSafeNumber(rounded, 'VAT');
      vatValuePence = value;
      const relievedNote = dutyInVatValue !== dutyPence ? ` (relieved duty ${formatPence(dutyPence - dutyInVatValue)} left out)` : '';
      const basis = `customs value ${cvText} + duty ${formatPence(dutyInVatValue)}${relievedNote} + excise and other ${formatPence(excise)} + VAT adjustments ${formatPence(adj)}`;
      const exactText = formatPoundsExact(exact);
      const text = `B00 import VAT ${expression} × ${formatPence(value)} (${basis}) = ${formatPence(vatPence)}${roundedNote(exact, rounded, exactText)}${rateSource !== 'vatRatePercent' ? ` [rate: ${rateSource}]` : ''}`;
      line = {
        taxType: 'B00',
        measureType: 'VAT',
        source: rateSource,
        status: 'computed',
        basePence: value,
        expression,
        amountPence: vatPence,
        exactAmount: exactText,
        liability: 'payable',
        ...(category ? { vatCategory: category } : {}),
        explanation: text,
      };
    }
    withLiability(line, input.procedure, input.vat?.methodOfPayment);
    payableVat = line.payablePence;
    explanation.push(line.explanation);
    taxLines.push(line);
  }

  explanation.push(
    unknownReasons.length > 0
      ? `Incomplete: ${unknownReasons.length} line(s) could not be computed; duty shown (${formatPence(dutyPence)}) covers only the computed lines`
      : `Total duty ${formatPence(dutyPence)}${vatWanted ? `, import VAT ${formatPence(vatPence)}` : ''}`,
  );
  if (taxLines.some((l) => l.liability !== 'payable')) {
    const charged = [
      payableDuty !== undefined ? `duty ${formatPence(payableDuty)}` : 'duty unknown',
      ...(vatWanted ? [payableVat !== undefined ? `VAT ${formatPence(payableVat)}` : 'VAT unknown'] : []),
    ];
    explanation.push(`Charged: ${charged.join(', ')}`);
  }

  return {
    status: unknownReasons.length > 0 ? 'unknown' : 'computed',
    ...(unknownReasons.length > 0 ? { unknownReason: unknownReasons.join('; ') } : {}),
    customsValuePence: cv.pence,
    dutyPence,
    excisePence,
    vatPence,
    ...(payableDuty !== undefined ? { payableDutyPence: payableDuty } : {}),
    ...(payableVat !== undefined ? { payableVatPence: payableVat } : {}),
    ...(vatValuePence !== undefined ? { vatValuePence } : {}),
    taxLines,
    explanation,
  };
}

import { Severity, type Declaration, type GoodsItem, type TaxLine } from '@customs/contracts';
import { VAT_ONLY_ADJUSTMENTS, claimsPreference, fromTraderReports } from './codes';
import { computeDutyLine, procedureLiability, resolveVatRate, type LiabilityDecision } from '@customs/duty';
import { daysLeft, statutoryDeadline } from '@customs/legal-clock';
import type { MeasureFact, RateFacts, ReferenceNeeds, ReferenceView, RuleHit } from './types';

// Pricing of findings: customs value, duty under a tariff measure and VAT, in integer pence with
// each line rounded down. Ad valorem and per-kg forms (nearly every UKGT line) are priced here
// directly; every other expression form goes through the reference service's pure duty engine
// (dutyByEngine, docs/adr/0002). What the data cannot settle is "not priced", never guessed.

/** Exact decimal string → integer number of 1/10^scale units (no floats). */
function scaled(value: string, scale: number): bigint | undefined {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(scale, '0').slice(0, scale);
  return BigInt(m[1]!) * 10n ** BigInt(scale) + BigInt(frac || '0');
}

/** Customs value of an item in pence: reported value, or GBP item price, or item price / HMRC rate. */
export function customsValuePence(d: Declaration, item: GoodsItem, reference: ReferenceView): { pence: number; how: string } | undefined {
  if (item.customsValuePresent) return { pence: item.customsValuePence, how: 'customs value as reported' };
  const price = item.itemPrice;
  if (!price?.value) return undefined;
  const amount = scaled(price.value, 2);
  if (amount === undefined) return undefined;
  const currency = (price.currency || 'GBP').toUpperCase();
  if (currency === 'GBP') return { pence: Number(amount), how: `item price £${price.value}` };
  const fx = reference.fx(currency, d.acceptanceDate);
  if (!fx?.known) return undefined;
  const rate = scaled(fx.unitsPerGbp, 6);
  if (!rate || rate === 0n) return undefined;
  // pence = amount(1/100 units) / (units per £) → floor, as CDS truncates.
  return { pence: Number((amount * 1_000_000n) / rate), how: `item price ${price.value} ${currency} at HMRC rate ${fx.unitsPerGbp} per £ (${fx.period})` };
}

/** Ad valorem rate in basis points ×100 (1% = 10000) from "12.00%" or "2.0%"; else undefined. */
export function adValoremRate(expression: string): bigint | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(expression);
  return m ? scaled(m[1]!, 4) : undefined;
}

/** Duty in pence at an ad valorem rate, rounded down to the penny as CDS does. */
export function adValoremDutyPence(customsValuePence: number, rate: bigint): number {
  return Number((BigInt(customsValuePence) * rate) / 1_000_000n);
}

export function pounds(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const p = Math.abs(pence);
  // Thousands separators by hand: toLocaleString was the rules engine's single hottest call.
  return `${sign}£${String(Math.floor(p / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(p % 100).padStart(2, '0')}`;
}

/**
 * Third-country duty of an item from the nomenclature lookup's UKGT rate (for rules that ask only
 * commodity facts): the same measure pricing as every other scenario, so compound, specific and
 * seasonal forms are priced too.
 */
export function mfnDuty(d: Declaration, item: GoodsItem, reference: ReferenceView): { pence: number; text: string; rate: string; cvPence: number } | { reason: string } {
  const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
  const fact = /^\d{10}$/.test(code) ? reference.commodity(code, d.acceptanceDate) : undefined;
  if (!fact?.thirdCountryDuty) return { reason: 'the third-country duty for this code is unknown in the loaded tariff' };
  const measure: MeasureFact = {
    measureType: '103',
    geographicalArea: '1011',
    expression: fact.thirdCountryDuty,
    taxType: 'A00',
    additionalCode: '',
    validFrom: '',
    validTo: '',
    datasetVersion: fact.datasetVersion,
  };
  const priced = dutyUnder(d, item, reference, measure);
  return 'pence' in priced ? { pence: priced.pence, rate: fact.thirdCountryDuty, cvPence: priced.cvPence, text: `third-country ${priced.text}` } : priced;
}

/** The reference lookups mfnDuty needs for an item. */
export function mfnNeeds(d: Declaration, item: GoodsItem): { commodities: { code: string; date: string }[]; fx: { currency: string; date: string }[] } {
  if (!/^\d{8}(\d{2})?$/.test(item.commodityCode)) return { commodities: [], fx: [] };
  const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
  const currency = item.itemPrice?.currency?.toUpperCase();
  return { commodities: [{ code, date: d.acceptanceDate }], fx: currency && currency !== 'GBP' ? [{ currency, date: d.acceptanceDate }] : [] };
}

// ---------------------------------------------------------------------------------------------
// Scenario pricing on tariff measures (RateFacts). Every rule's money goes through these helpers
// so that switching to the reference service's full duty engine is a change in one place.
// Supported: ad valorem ("8.00%"), specific per kg / 100 kg / 1000 kg (tonne) of net mass in GBP,
// and the sum of one of each (compound). MIN/MAX clauses, EUR amounts, per-litre/per-item and
// agricultural (Meursing) components are reported as "not priced", never guessed.

/** A duty expression split into exact components. */
export interface DutyComponents {
  /** Ad valorem rate ×10^4 per 1 % (as adValoremRate). */
  adValorem?: bigint;
  /** Specific duty: pence per `perKg` kg of net mass. */
  specific?: { pence: bigint; perKg: bigint };
}

const SPECIFIC = /^(\d+(?:\.\d+)?)\s*GBP\s*\/\s*(1000\s*kg|100\s*kg|kg|tonne)$/i;

/** Parses the duty expressions we can price exactly; undefined for anything else. */
export function parseDutyExpression(expression: string): DutyComponents | undefined {
  const parts = expression.trim().split(/\s*\+\s*/);
  if (parts.length === 0 || parts.length > 2 || parts.some((p) => p === '')) return undefined;
  const out: DutyComponents = {};
  for (const part of parts) {
    const av = adValoremRate(part);
    if (av !== undefined) {
      if (out.adValorem !== undefined) return undefined;
      out.adValorem = av;
      continue;
    }
    const m = SPECIFIC.exec(part.trim());
    if (!m || out.specific) return undefined;
    const unit = m[2]!.replace(/\s+/g, '').toLowerCase();
    out.specific = { pence: scaled(m[1]!, 2)!, perKg: unit === 'kg' ? 1n : unit === '100kg' ? 100n : 1000n };
  }
  return out;
}

/** A priced scenario: duty in pence under one measure, with the working in words. */
export interface PricedDuty {
  pence: number;
  text: string;
  cvPence: number;
  measure: MeasureFact;
}
export type Priced = PricedDuty | { reason: string };

const measureLabel = (m: MeasureFact) => `measure ${m.measureType}${m.geographicalArea ? ` ${m.geographicalArea}` : ''}${m.additionalCode ? ` additional code ${m.additionalCode}` : ''}`;

/**
 * Duty on an item under one tariff measure: ad valorem on the customs value, specific on the net
 * mass, or both; the whole line rounded down to the penny as CDS does.
 */
export function dutyUnder(d: Declaration, item: GoodsItem, reference: ReferenceView, measure: MeasureFact, value?: { pence: number; how: string }): Priced {
  const parts = parseDutyExpression(measure.expression);
  const cv = value ?? dutyValuePence(d, item, reference);
  if (!cv) return { reason: 'the customs value cannot be established from the data' };
  if (!parts) return dutyByEngine(d, item, measure, cv, rateFacts(d, item, reference)?.supplementaryUnit ?? '');
  // Exact sum in millionths of a penny, then one floor: a compound line is rounded once.
  let micro = 0n;
  const words: string[] = [];
  if (parts.adValorem !== undefined) {
    micro += BigInt(cv.pence) * parts.adValorem;
    words.push(`${adValoremText(parts.adValorem)} of ${pounds(cv.pence)} (${cv.how})`);
  }
  if (parts.specific) {
    const net = item.netMassKg ? scaled(item.netMassKg, 6) : undefined;
    if (net === undefined || net === 0n) return { reason: `the specific duty "${measure.expression}" needs the net mass (DE 6/1), which is not declared` };
    micro += (parts.specific.pence * net) / parts.specific.perKg;
    words.push(`${pounds(Number(parts.specific.pence))} per ${parts.specific.perKg === 1n ? '' : `${parts.specific.perKg} `}kg on ${item.netMassKg} kg net`);
  }
  const pence = Number(micro / 1_000_000n);
  return {
    pence,
    cvPence: cv.pence,
    measure,
    text: `${words.join(' + ')} = ${pounds(pence)} (${measureLabel(measure)} "${measure.expression}", rounded down to the penny; tariff ${measure.datasetVersion})`,
  };
}

/**
 * Every other duty expression form (per hl, per % vol/hl, per item, MIN/MAX clauses, seasonal …)
 * through the reference service's pure duty engine, in-process (docs/adr/0002): one tax line,
 * rounded down to the penny, with the engine's explanation. Forms the data cannot settle (entry
 * price, agricultural components, a missing quantity) stay "not priced" with the engine's reason.
 */
function dutyByEngine(d: Declaration, item: GoodsItem, measure: MeasureFact, cv: { pence: number; how: string }, supplementaryUnit: string): Priced {
  let result: ReturnType<typeof computeDutyLine>;
  try {
    result = computeDutyLine({
      acceptanceDate: d.acceptanceDate,
      customsValue: { pence: cv.pence },
      // DE 6/2 carries no unit: it is in the code's supplementary unit (measure 109) when known.
      quantities: {
        netMassKg: item.netMassKg || undefined,
        grossMassKg: item.grossMassKg || undefined,
        supplementaryUnits: item.supplementaryUnits || undefined,
        supplementaryUnit: supplementaryUnit || undefined,
      },
      measures: [{ measureType: measure.measureType, taxType: measure.taxType || 'A00', expression: measure.expression, source: `${measureLabel(measure)}; tariff ${measure.datasetVersion}` }],
    });
  } catch (e) {
    return { reason: `the duty expression "${measure.expression}" (${measureLabel(measure)}) cannot be evaluated: ${(e as Error).message}` };
  }
  const line = result.taxLines.find((t) => t.taxType !== 'B00');
  if (!line || line.status !== 'computed')
    return { reason: `the duty "${measure.expression}" (${measureLabel(measure)}) cannot be priced from the data: ${line?.unknownReason ?? result.unknownReason ?? 'unknown'}` };
  return {
    pence: line.amountPence,
    cvPence: cv.pence,
    measure,
    text: `${line.explanation} on ${pounds(cv.pence)} (${cv.how}; ${measureLabel(measure)} "${measure.expression}", tariff ${measure.datasetVersion})`,
  };
}

/**
 * The value ad valorem duty is charged on, best source first: the GBP tax base of the A00 lines
 * (DE 4/4, what CDS actually used), the customs value as reported, or the invoice price with its
 * DE 4/9 additions and deductions at the HMRC rate (DOMAIN.md §3.0).
 */
export function dutyValuePence(d: Declaration, item: GoodsItem, reference: ReferenceView): { pence: number; how: string } | undefined {
  const a00 = item.taxLines.filter((t) => t.taxType === 'A00');
  if (a00.length && a00.every((t) => t.baseAmount && (!t.baseUnit || t.baseUnit.toUpperCase() === 'GBP'))) {
    const bases = a00.map((t) => scaled(t.baseAmount, 2));
    // Several A00 lines (e.g. duty + a separate specific component) repeat the same base.
    if (bases.every((b) => b !== undefined && b === bases[0])) return { pence: Number(bases[0]), how: 'A00 tax base (DE 4/4)' };
  }
  if (item.customsValuePresent) return { pence: item.customsValuePence, how: 'customs value as reported' };
  const calc = invoiceCustomsValue(d, item, reference);
  return 'pence' in calc ? calc : undefined;
}

function adValoremText(rate: bigint): string {
  const whole = rate / 10_000n;
  const frac = (rate % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}%`;
}

/** The cheapest priced measure among several (a trader is entitled to the lowest applicable rate). */
export function cheapestDuty(d: Declaration, item: GoodsItem, reference: ReferenceView, measures: readonly MeasureFact[]): Priced | undefined {
  let best: Priced | undefined;
  for (const m of measures) {
    const p = dutyUnder(d, item, reference, m);
    if (!('pence' in p)) {
      best ??= p;
      continue;
    }
    if (!best || !('pence' in best) || p.pence < best.pence) best = p;
  }
  return best;
}

/** Third-country duty (measure 103) of an item from RateFacts. */
export function thirdCountryDuty(d: Declaration, item: GoodsItem, reference: ReferenceView, facts: RateFacts): Priced {
  if (!facts.thirdCountry) return { reason: 'the tariff gives no third-country (103) measure for this code on the date' };
  return dutyUnder(d, item, reference, facts.thirdCountry);
}

/** DE 4/17 codes that draw on a preferential quota (143 measures apply only with them). */
const PREFERENTIAL_QUOTA = /^[23]2\d$/;

/** Lowest preferential duty for the origin: 142 measures, and 143 only when a quota is claimed. */
export function preferentialDuty(d: Declaration, item: GoodsItem, reference: ReferenceView, facts: RateFacts, withQuota = PREFERENTIAL_QUOTA.test(item.preference)): Priced | undefined {
  const measures = facts.preferential.filter((m) => m.measureType === '142' || (withQuota && m.measureType === '143'));
  return cheapestDuty(d, item, reference, measures);
}

/**
 * Customs duty (A00) charged on an item in pence: the sum of its A00 lines, 0 when the item has tax
 * lines but none for A00 (CDS charged no duty), undefined when the item carries no tax data at all.
 */
export function a00Charged(d: Declaration, item: GoodsItem): number | undefined {
  const lines = item.taxLines.filter((t) => t.taxType === 'A00' && amountStated(d, t));
  if (lines.length === 0) return undefined;
  return lines.reduce((s, t) => s + t.payablePence, 0);
}

/**
 * Whether a tax line states what was charged. HMRC's CDS/MSS reports give the amount CDS charged
 * (0 means zero); a broker's DMS declaration usually leaves the amount to CDS, so a DMS line with
 * no amount (trader_declared false) says nothing about the duty charged — it is not "£0 charged".
 */
function amountStated(d: Declaration, t: TaxLine): boolean {
  return t.traderDeclared || fromTraderReports(d.sourceFormat);
}

/**
 * Import VAT (B00) charged on an item in pence, or undefined when unknown: no B00 line, or a
 * postponed line (method G) with no amount — CDS item reports give "VAT Paid" 0 for postponed VAT
 * and its amount elsewhere, so 0 there means "not reported", not "not charged".
 */
export function b00Charged(d: Declaration, item: GoodsItem): number | undefined {
  const lines = item.taxLines.filter((t) => t.taxType === 'B00' && amountStated(d, t));
  if (lines.length === 0 || lines.some((t) => t.payablePence === 0 && t.methodOfPayment.toUpperCase() === 'G')) return undefined;
  return lines.reduce((s, t) => s + t.payablePence, 0);
}

/** Sum of an item's tax lines of the given DE 4/3 types in pence. */
export function taxPaidPence(d: Declaration, item: GoodsItem, types: ReadonlySet<string> | ((taxType: string) => boolean)): number | undefined {
  const test = typeof types === 'function' ? types : (t: string) => types.has(t);
  const lines = item.taxLines.filter((t) => test(t.taxType));
  // A matching line whose amount CDS calculates (DMS, no amount) makes the total unknown.
  if (lines.some((t) => !amountStated(d, t))) return undefined;
  return lines.reduce((s, t) => s + t.payablePence, 0);
}

/** VAT rate as a scaled percentage (×10^4 per 1 %), with where it came from. */
export interface VatRate {
  rate: bigint;
  source: string;
}

/**
 * The tariff VAT measure that applies to an item: the one whose additional code (VATZ, VATR, …)
 * the item declares, else the one without an additional code; undefined when the facts do not say.
 */
export function tariffVat(item: GoodsItem, facts: RateFacts | undefined): { rate: bigint; measure: MeasureFact } | undefined {
  if (!facts?.known || facts.vat.length === 0) return undefined;
  const declared = new Set(item.additionalCodes.map((c) => c.toUpperCase()));
  const match = facts.vat.find((m) => m.additionalCode && declared.has(m.additionalCode.toUpperCase())) ?? facts.vat.find((m) => !m.additionalCode);
  const rate = match ? adValoremRate(match.expression) : undefined;
  return match && rate !== undefined ? { rate, measure: match } : undefined;
}

/**
 * Whether CDS charges an item's tax lines of a type, by its procedure (DE 1/10), additional
 * procedure codes (DE 1/11) and the line's method of payment (DE 4/8): under inward processing,
 * temporary admission, warehousing, a relief or a security CDS assesses the line but charges
 * nothing, so no exposure or reclaim can be priced on it ("unknown" for codes without a rule).
 */
export function chargeOf(item: GoodsItem, taxType: string): LiabilityDecision {
  const mop = item.taxLines.find((t) => t.taxType === taxType)?.methodOfPayment;
  return procedureLiability({ cpc: item.procedureCode, apcs: item.additionalProcedureCodes }, taxType, mop || undefined);
}

/**
 * Why an exposure on the item's customs duty cannot be priced from what was charged: CDS assessed
 * the A00 line without charging it (suspended, relieved, secured), or an APC without a rule may
 * relieve it. Undefined when A00 is charged normally.
 */
export function dutyNotCharged(item: GoodsItem): string | undefined {
  const c = chargeOf(item, 'A00');
  if (c.liability === 'payable') return undefined;
  return c.liability === 'unknown' ? `whether customs duty is charged is unknown: ${c.reason}` : `customs duty is ${c.liability}, not charged: ${c.reason}`;
}

/**
 * The VAT rate CDS applied to an item: the tariff VAT measure for its declared VAT additional code
 * (VATZ, VATR, VATE), else that code's meaning, else the tariff's default VAT measure (when the
 * code's measures are loaded), else the rate its B00 line declares; undefined (with why) when none
 * of them says — never 20 % by assumption.
 */
export function vatRateFor(item: GoodsItem, facts: RateFacts | undefined): VatRate | { reason: string } {
  const measures =
    facts?.known && (facts.measuresLoaded || facts.vat.length > 0)
      ? facts.vat.map((m) => ({ expression: m.expression, additionalCode: m.additionalCode, source: `tariff ${m.datasetVersion}` }))
      : undefined;
  const declaredRatePercent = item.taxLines.find((t) => t.taxType === 'B00' && t.rate.trim() !== '')?.rate;
  const d = resolveVatRate({ declaredAdditionalCodes: item.additionalCodes, measures, ...(declaredRatePercent ? { declaredRatePercent } : {}) });
  if (d.status === 'unknown') return { reason: d.reason };
  const rate = scaled(d.ratePercent, 4);
  return rate === undefined ? { reason: `VAT rate ${d.ratePercent} is not a decimal` } : { rate, source: `${d.source.replace(/ \(tariff [^)]*\)$/, '')}` };
}

/** VAT on a (signed) change of the VAT value, rounded down to the penny on its magnitude. */
export function vatOn(deltaPence: number, vat: VatRate): number {
  const magnitude = Number((BigInt(Math.abs(deltaPence)) * vat.rate) / 1_000_000n);
  return deltaPence < 0 ? -magnitude : magnitude;
}

/** Δ (signed) scaled by an exact fraction num/den, truncated toward zero (duty on a value change). */
export function proportional(pence: number, num: number, den: number): number {
  if (den === 0) return 0;
  const r = (BigInt(Math.abs(pence)) * BigInt(Math.abs(num))) / BigInt(Math.abs(den));
  return (pence < 0 !== num < 0) !== den < 0 ? -Number(r) : Number(r);
}

/**
 * Duty effect of changing an item's customs value by `deltaCvPence` (signed). Ad valorem duty scales
 * with the value, so the duty actually charged on A00 is scaled by Δ/CV ("suffered rate"); without
 * A00 data the MFN ad valorem rate is used only when no preference is claimed.
 */
export function dutyOnValueChange(d: Declaration, item: GoodsItem, reference: ReferenceView, declaredCvPence: number, deltaCvPence: number): { pence: number; text: string } | { reason: string } {
  const charged = a00Charged(d, item);
  if (charged !== undefined && declaredCvPence > 0) {
    const pence = proportional(charged, deltaCvPence, declaredCvPence);
    return { pence, text: `duty charged ${pounds(charged)} on ${pounds(declaredCvPence)} scaled to a value change of ${pounds(deltaCvPence)} = ${pounds(pence)}` };
  }
  if (claimsPreference(item.preference)) return { reason: 'no duty is recorded on the item and a preference is claimed, so the rate suffered is unknown' };
  const code = item.commodityCode.length === 8 ? `${item.commodityCode}00` : item.commodityCode;
  const fact = /^\d{10}$/.test(code) ? reference.commodity(code, d.acceptanceDate) : undefined;
  const rate = fact?.thirdCountryDuty ? adValoremRate(fact.thirdCountryDuty) : undefined;
  if (rate === undefined) return { reason: 'no duty is recorded on the item and its third-country rate is not a known ad valorem rate' };
  const magnitude = adValoremDutyPence(Math.abs(deltaCvPence), rate);
  const pence = deltaCvPence < 0 ? -magnitude : magnitude;
  return { pence, text: `third-country duty ${fact!.thirdCountryDuty} on a value change of ${pounds(deltaCvPence)} = ${pounds(pence)} (tariff ${fact!.datasetVersion})` };
}

/** Severity of an underpayment (DOMAIN.md §3.0): CRITICAL from £10,000, otherwise HIGH. */
export function underpaymentSeverity(pence: number): Severity {
  return pence >= 1_000_000 ? Severity.SEVERITY_CRITICAL : Severity.SEVERITY_HIGH;
}

/**
 * Severity of an overpayment (DOMAIN.md §3.0): HIGH when ≥ £1,000 and the C285 window (acceptance
 * + 3 years) closes within 90 days of `today`; LOW once the window has closed (nothing left to
 * claim); otherwise MEDIUM.
 */
export function reclaimSeverity(pence: number, acceptanceDate: string, today: string): Severity {
  const deadline = statutoryDeadline(acceptanceDate);
  if (!deadline) return Severity.SEVERITY_MEDIUM;
  const left = daysLeft(deadline, today);
  if (left < 0) return Severity.SEVERITY_LOW;
  if (pence >= 100_000 && left < 90) return Severity.SEVERITY_HIGH;
  return Severity.SEVERITY_MEDIUM;
}

/** The 10-digit code to look tariff facts up for: as declared, or CN8 + "00". */
export function tariffCode(item: GoodsItem): string | undefined {
  if (/^\d{10}$/.test(item.commodityCode)) return item.commodityCode;
  if (/^\d{8}$/.test(item.commodityCode)) return `${item.commodityCode}00`;
  return undefined;
}

/** An ISO country code; "EU" is a group some brokers write in DE 5/16, not a country. */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && code !== 'EU';
}

/**
 * The origin to ask the tariff about: the preferential origin (DE 5/16) when a preference is
 * claimed, else the origin (DE 5/15); a group code (e.g. 1013) as declared when no country is
 * given; "1011" (erga omnes) when neither is declared, since third-country, suspension, VAT and
 * supplementary-unit facts do not depend on origin.
 */
export function rateOrigin(item: GoodsItem): string {
  const pref = item.preferentialOrigin.trim().toUpperCase();
  const origin = item.originCountry.trim().toUpperCase();
  if (claimsPreference(item.preference) && isCountryCode(pref)) return pref;
  if (isCountryCode(origin)) return origin;
  if (isCountryCode(pref)) return pref;
  return pref || '1011';
}

/** Known rate facts for an item and origin, or undefined (not asked, or unknown: rules stay silent). */
export function rateFacts(d: Declaration, item: GoodsItem, reference: ReferenceView, origin = rateOrigin(item)): RateFacts | undefined {
  const code = tariffCode(item);
  if (!code || !reference.rates) return undefined;
  const facts = reference.rates(code, origin, d.acceptanceDate);
  return facts?.known ? facts : undefined;
}

/** The lookups rateFacts + dutyUnder need for an item: rates for each origin, fx for the price. */
export function rateNeeds(d: Declaration, item: GoodsItem, origins: readonly string[] = [rateOrigin(item)]): ReferenceNeeds {
  const code = tariffCode(item);
  if (!code) return {};
  const currency = item.itemPrice?.currency?.toUpperCase();
  return {
    rates: [...new Set(origins)].map((origin) => ({ code, origin, date: d.acceptanceDate })),
    fx: currency && currency !== 'GBP' ? [{ currency, date: d.acceptanceDate }] : [],
  };
}

/** An amount in a currency → pence at the HMRC monthly rate for the acceptance month. */
export function toPence(d: Declaration, reference: ReferenceView, value: string, currency: string): { pence: bigint; how: string } | undefined {
  const amount = scaled(value, 2);
  if (amount === undefined) return undefined;
  const cur = (currency || 'GBP').toUpperCase();
  if (cur === 'GBP') return { pence: amount, how: `£${value}` };
  const fx = reference.fx(cur, d.acceptanceDate);
  if (!fx?.known) return undefined;
  const rate = scaled(fx.unitsPerGbp, 6);
  if (!rate) return undefined;
  return { pence: (amount * 1_000_000n) / rate, how: `${value} ${cur} at HMRC rate ${fx.unitsPerGbp} per £ (${fx.period})` };
}

const fmtCents = (c: bigint) => `${c < 0n ? '-' : ''}${(c < 0n ? -c : c) / 100n}.${String((c < 0n ? -c : c) % 100n).padStart(2, '0')}`;

/**
 * An item's share of a header-level DE 4/9 amount (in hundredths of its currency): pro rata to the
 * item prices, rounded down, the last item taking the remainder so the shares add up. Header
 * amounts must apply equally to every item (CDSSG07030); that CDS apportions them by item price
 * this way is an assumption [UNVERIFIED against the CDS tax calculation specification].
 */
function headerShare(d: Declaration, item: GoodsItem, value: string, price: string): { cents: bigint; text: string } | { reason: string } {
  const amount = scaled(value, 2);
  if (amount === undefined) return { reason: `header DE 4/9 amount "${value}" is not a decimal amount` };
  if (d.items.length <= 1) return { cents: amount, text: value };
  const currency = (item.itemPrice?.currency ?? '').toUpperCase();
  const prices = d.items.map((i) => (i === item ? scaled(price, 2) : i.itemPrice?.value && (i.itemPrice.currency ?? '').toUpperCase() === currency ? scaled(i.itemPrice.value, 2) : undefined));
  if (prices.some((p) => p === undefined)) return { reason: 'header-level additions/deductions cannot be apportioned: item prices are missing or in different currencies' };
  const total = prices.reduce((s, p) => s! + p!, 0n)!;
  if (total <= 0n) return { reason: 'header-level additions/deductions cannot be apportioned: the item prices add up to zero' };
  const idx = d.items.indexOf(item);
  const last = d.items.length - 1;
  const shareOf = (k: number) => (amount * prices[k]!) / total;
  let cents: bigint;
  if (idx === last) {
    let before = 0n;
    for (let k = 0; k < last; k++) before += shareOf(k);
    cents = amount - before;
  } else cents = shareOf(idx);
  return { cents, text: `${fmtCents(cents)} (share of header ${value} by item price)` };
}

/** An item's share of a header-level DE 4/9 amount in pence (apportioned as headerShare, then converted). */
export function headerAdjustmentPence(d: Declaration, item: GoodsItem, reference: ReferenceView, value: string, currency: string): { pence: bigint; how: string } | undefined {
  const share = headerShare(d, item, value, item.itemPrice?.value ?? '');
  if ('reason' in share) return undefined;
  const converted = toPence(d, reference, fmtCents(share.cents < 0n ? -share.cents : share.cents), currency);
  return converted ? { pence: share.cents < 0n ? -converted.pence : converted.pence, how: `${share.text} ${converted.how}` } : undefined;
}

/**
 * Customs value recomputed from the invoice (DOMAIN.md §3.0): (item price + additions − deductions)
 * at the HMRC rate, summed per currency and converted once. Header-level DE 4/9 amounts are
 * apportioned by item price (headerShare); VAT-only adjustments (AV) are left out. Additions are "A…" codes, deductions "B…" codes (Appendix 10).
 */
export function invoiceCustomsValue(d: Declaration, item: GoodsItem, reference: ReferenceView, price = item.itemPrice?.value ?? ''): { pence: number; how: string } | { reason: string } {
  if (!price || !item.itemPrice) return { reason: 'no item price' };
  // (price + additions − deductions) summed per currency first, then converted once (DOMAIN.md §3.0
  // CV_calc), so a same-currency invoice is rounded down once, as CDS does.
  const sums = new Map<string, bigint>();
  const add = (currency: string, value: string, sign: bigint): boolean => {
    const amount = scaled(value, 2);
    if (amount === undefined) return false;
    const cur = (currency || 'GBP').toUpperCase();
    sums.set(cur, (sums.get(cur) ?? 0n) + sign * amount);
    return true;
  };
  if (!add(item.itemPrice.currency, price, 1n)) return { reason: `item price "${price}" is not a decimal amount` };
  const words = [`item price ${price} ${(item.itemPrice.currency || 'GBP').toUpperCase()}`];
  for (const a of item.adjustments) {
    const code = a.code.toUpperCase();
    if (VAT_ONLY_ADJUSTMENTS.has(code) || !a.amount?.value || !/^[AB]/.test(code)) continue;
    if (!add(a.amount.currency, a.amount.value, code.startsWith('A') ? 1n : -1n)) return { reason: `DE 4/9 ${code} "${a.amount.value}" is not a decimal amount` };
    words.push(`${code.startsWith('A') ? '+' : '−'} ${code} ${a.amount.value} ${(a.amount.currency || 'GBP').toUpperCase()}`);
  }
  for (const a of d.adjustments) {
    const code = a.code.toUpperCase();
    if (VAT_ONLY_ADJUSTMENTS.has(code) || !a.amount?.value || !/^[AB]/.test(code)) continue;
    const share = headerShare(d, item, a.amount.value, price);
    if ('reason' in share) return share;
    const cur = (a.amount.currency || 'GBP').toUpperCase();
    sums.set(cur, (sums.get(cur) ?? 0n) + (code.startsWith('A') ? 1n : -1n) * share.cents);
    words.push(`${code.startsWith('A') ? '+' : '−'} ${code} ${share.text} ${cur}`);
  }
  let total = 0n;
  const rates: string[] = [];
  for (const [cur, sum] of sums) {
    if (cur === 'GBP') {
      total += sum;
      continue;
    }
    const fx = reference.fx(cur, d.acceptanceDate);
    const rate = fx?.known ? scaled(fx.unitsPerGbp, 6) : undefined;
    if (!rate) return { reason: `no HMRC rate for ${cur} in ${d.acceptanceDate.slice(0, 7)}` };
    const magnitude = ((sum < 0n ? -sum : sum) * 1_000_000n) / rate;
    total += sum < 0n ? -magnitude : magnitude;
    rates.push(`at HMRC rate ${fx!.unitsPerGbp} per £ (${fx!.period})`);
  }
  return { pence: Number(total), how: `${words.join(' ')}${rates.length ? ` ${rates.join(', ')}` : ''}` };
}

/**
 * The A00 duty an item should have been charged on a corrected customs value: at the ad valorem
 * rate declared on its A00 line (DE 4/5), else at the tariff measure its preference selects,
 * rounded down as CDS does. Undefined when neither is known.
 */
function dutyOnValue(d: Declaration, item: GoodsItem, reference: ReferenceView, valuePence: number): { pence: number; text: string } | undefined {
  const a00 = item.taxLines.filter((t) => t.taxType === 'A00');
  // A quota covering part of the item splits its duty into an in-quota and an out-of-quota line
  // at different rates: no single rate applies to the whole value, so the caller scales the duty
  // actually charged (dutyOnValueChange) instead of pricing it at the third-country rate.
  if (a00.length > 1 && item.quotaOrderNumber) return undefined;
  const declared = a00.length === 1 && (!a00[0]!.baseUnit || a00[0]!.baseUnit.toUpperCase() === 'GBP') ? declaredPercent(a00[0]!.rate) : undefined;
  if (declared !== undefined) {
    const pence = adValoremDutyPence(valuePence, declared);
    return { pence, text: `A00 at the declared ${percentText(declared)} of ${pounds(valuePence)} = ${pounds(pence)}` };
  }
  const facts = rateFacts(d, item, reference);
  if (!facts) return undefined;
  const priced = claimsPreference(item.preference) ? preferentialDuty(d, item, reference, facts) : thirdCountryDuty(d, item, reference, facts);
  if (!priced || !('pence' in priced)) return undefined;
  const redo = dutyUnder(d, item, reference, priced.measure, { pence: valuePence, how: 'corrected value' });
  return 'pence' in redo ? { pence: redo.pence, text: redo.text } : undefined;
}

/**
 * Duty and VAT effect of a (signed) change of an item's customs value, with the working. Each line
 * is recomputed on the corrected value and rounded down, then the lines charged are subtracted
 * (DOMAIN.md §3.0), so the difference is exact to the penny; only without a rate or charged lines
 * does it fall back to scaling the duty charged (dutyOnValueChange) and VAT on the change.
 */
export function valueChangeEffect(d: Declaration, item: GoodsItem, reference: ReferenceView, declaredCvPence: number, deltaCvPence: number): { dutyPence: number; vatPence: number; text: string } {
  const correct = declaredCvPence + deltaCvPence;
  let dutyPence = 0;
  const parts: string[] = [];
  // Only money CDS charged can be under- or overpaid: a suspended, relieved or secured line moves
  // nothing (e.g. a decimal slip on an inward-processing entry is no reclaim at the third-country rate).
  const dutyCharge = chargeOf(item, 'A00');
  if (dutyCharge.liability !== 'payable') {
    parts.push(`duty: ${dutyCharge.liability === 'unknown' ? `not priced — ${dutyCharge.reason}` : `none — ${dutyCharge.liability}, not charged (${dutyCharge.reason})`}`);
  } else {
    const charged = a00Charged(d, item);
    const expected = charged !== undefined ? dutyOnValue(d, item, reference, correct) : undefined;
    if (expected && charged !== undefined) {
      dutyPence = expected.pence - charged;
      parts.push(`duty: ${expected.text} against ${pounds(charged)} charged = ${pounds(dutyPence)}`);
    } else {
      const duty = dutyOnValueChange(d, item, reference, declaredCvPence, deltaCvPence);
      if ('pence' in duty) dutyPence = duty.pence;
      parts.push('pence' in duty ? `duty: ${duty.text}` : `duty not priced: ${duty.reason}`);
    }
  }
  // VAT follows the value (VAT value = CV + duty + …) unless the item's tax lines show no VAT at all
  // (a VAT relief such as onward supply).
  const b00 = item.taxLines.filter((t) => t.taxType === 'B00');
  let vatPence = 0;
  const vatCharge = chargeOf(item, 'B00');
  if (vatCharge.liability !== 'payable') {
    parts.push(`VAT: ${vatCharge.liability === 'unknown' ? `not priced — ${vatCharge.reason}` : `none — ${vatCharge.liability}, not charged (${vatCharge.reason})`}`);
  } else if (item.taxLines.length === 0 || b00.length > 0) {
    const declaredRate = b00.map((t) => declaredPercent(t.rate)).find((r) => r !== undefined);
    const rate: VatRate | { reason: string } =
      declaredRate !== undefined ? { rate: declaredRate, source: `B00 rate declared ${percentText(declaredRate)}` } : vatRateFor(item, rateFacts(d, item, reference));
    const base = vatValuePence(item);
    const vatCharged = b00Charged(d, item);
    if (!('rate' in rate)) parts.push(`VAT not priced: ${rate.reason}`);
    else if (vatCharged !== undefined && base) {
      const newBase = base.pence + deltaCvPence + dutyPence;
      const expectedVat = vatOn(newBase, rate);
      vatPence = expectedVat - vatCharged;
      parts.push(`VAT: ${rate.source} of ${pounds(newBase)} = ${pounds(expectedVat)} against ${pounds(vatCharged)} charged = ${pounds(vatPence)}`);
    } else {
      vatPence = vatOn(deltaCvPence + dutyPence, rate);
      parts.push(`VAT: ${rate.source} on ${pounds(deltaCvPence + dutyPence)} = ${pounds(vatPence)}`);
    }
  }
  return { dutyPence, vatPence, text: parts.join('; ') };
}

/**
 * Money fields and severity of a signed duty/VAT difference (DOMAIN.md §3.0): positive = underpaid
 * (exposure, HIGH/CRITICAL), negative = overpaid (reclaim, by the C285 clock), zero = LOW.
 */
export function signedMoney(
  dutyPence: number,
  vatPence: number,
  acceptanceDate: string,
  today: string,
): Pick<RuleHit, 'severity' | 'exposureDutyPence' | 'exposureVatPence' | 'reclaimDutyPence' | 'reclaimVatPence'> {
  const total = dutyPence + vatPence;
  if (total > 0) return { severity: underpaymentSeverity(total), exposureDutyPence: Math.max(0, dutyPence), exposureVatPence: Math.max(0, vatPence) };
  if (total < 0) return { severity: reclaimSeverity(-total, acceptanceDate, today), reclaimDutyPence: Math.max(0, -dutyPence), reclaimVatPence: Math.max(0, -vatPence) };
  return { severity: Severity.SEVERITY_LOW };
}

/** A DE 4/5 rate as declared ("20", "20.00", "20%") → scaled percentage, or undefined. */
export function declaredPercent(rate: string): bigint | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(rate);
  return m ? scaled(m[1]!, 4) : undefined;
}

/** An exact GBP decimal ("1234.56") → pence, or undefined. */
export function gbpPence(value: string): number | undefined {
  const v = scaled(value, 2);
  return v === undefined ? undefined : Number(v);
}

/** The VAT value (B00 tax base) of an item in pence: as reported, else the GBP base of its B00 lines. */
export function vatValuePence(item: GoodsItem): { pence: number; how: string } | undefined {
  if (item.vatValuePresent) return { pence: item.vatValuePence, how: 'VAT value as reported' };
  const bases = item.taxLines.filter((t) => t.taxType === 'B00' && t.baseAmount && (!t.baseUnit || t.baseUnit.toUpperCase() === 'GBP')).map((t) => gbpPence(t.baseAmount));
  if (bases.length === 0 || bases.some((b) => b === undefined)) return undefined;
  return { pence: bases.reduce((s, b) => s! + b!, 0)!, how: 'B00 tax base (DE 4/4)' };
}

/** Percentage text of a scaled rate, e.g. 200000n → "20%". */
export function percentText(rate: bigint): string {
  return adValoremText(rate);
}

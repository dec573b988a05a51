// Evaluates a parsed duty expression against one declaration line, exactly (no rounding here:
// the caller rounds the tax line once, down to the penny, as CDS does).

import type { DutyComponent, DutyExpression, MonthDay, Season, SeasonRange, SimpleDutyExpression } from './ast';
import { unevaluableComponentReason } from './parse';
import { HUNDRED, type Rational, ZERO, add, cmp, div, formatPence, formatPoundsExact, formatQuantity, mul, parseDecimal, parseRate, sub } from './rational';
import { type QuantityBasis, type UnitInfo, resolveUnit } from './units';

/** Quantities of the goods on the line, as decimal strings (as declared). */
export interface DutyQuantities {
  /** DE 6/1 net mass. */
  netMassKg?: string;
  /** DE 6/5 gross mass (specific duties "/100 kg/gross", "/br"). */
  grossMassKg?: string;
  /** DE 6/2 supplementary units, in the unit named by supplementaryUnit. */
  supplementaryUnits?: string;
  /** TARIC unit code of the supplementary units: LTR, HLT, NAR, MIL, NPR, MTK, MTQ, ASVX, LPA, KGM … */
  supplementaryUnit?: string;
  /** Actual alcoholic strength, % vol (turns litres into % vol × hl). */
  alcoholPercentVol?: string;
  /** % sucrose by weight incl. other sugars expressed as sucrose ("/100kg/net/%sacchar."). */
  sucrosePercent?: string;
  /** Quantities measured directly in a TARIC unit, e.g. { KGME: "850" } for net drained weight. */
  byUnit?: Record<string, string>;
  /** Recommended retail selling price in £ ("… % / Retail Price", tobacco excise). */
  retailPriceGbp?: string;
  /** Small producer relief: the producer's SPR discount in £ per litre of pure alcohol (alcohol duty from 1 Aug 2023). */
  sprDiscountGbpPerLpa?: string;
}

/** Rates to turn non-GBP specific amounts (EUR in the old CET column) into sterling. */
export type CurrencyRates = Record<string, { unitsPerGbp: string; source: string }>;

export interface EvaluationContext {
  /** Customs value in pence (already rounded to the penny). */
  customsValuePence: number;
  /** formatPence(customsValuePence), when the caller already has it. */
  customsValueText?: string;
  /** YYYY-MM-DD, selects seasonal rates. */
  acceptanceDate: string;
  quantities: DutyQuantities;
  currencyRates?: CurrencyRates;
  /**
   * Share of the declared quantities (and of the retail price) this evaluation covers, e.g. the
   * in-quota part of an item a quota covers only partly; undefined = all of it.
   */
  quantityShare?: Rational;
}

export type Evaluation =
  | {
      status: 'computed';
      /** Exact duty in pence, before rounding. */
      pence: Rational;
      /** Human-readable arithmetic, e.g. "12.00% × £1,234.56". */
      workings: string;
      /** Quantities used by specific components, e.g. "12.5 × 100 kg". */
      baseQuantity?: string;
      /** Extra notes (season chosen, MIN/MAX decisions, currency conversion). */
      notes: string[];
    }
  | { status: 'unknown'; reason: string };

interface Part {
  pence: Rational;
  text: string;
  quantity?: string;
}

class Unknown {
  constructor(readonly reason: string) {}
}

function monthDayOf(date: string): MonthDay {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`acceptanceDate must be YYYY-MM-DD: ${JSON.stringify(date)}`);
  return { month: Number(m[2]), day: Number(m[3]) };
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const md = (x: MonthDay) => x.month * 100 + x.day;
const fmtMd = (x: MonthDay) => `${String(x.day).padStart(2, '0')} ${MONTH_NAMES[x.month - 1]}`;

function inRange(r: SeasonRange, d: MonthDay): boolean {
  const v = md(d);
  const a = md(r.from);
  const b = md(r.to);
  return a <= b ? v >= a && v <= b : v >= a || v <= b;
}

/** The season whose dates contain the acceptance date, else the undated remainder season. */
export function selectSeason(seasons: Season[], acceptanceDate: string): Season | undefined {
  const d = monthDayOf(acceptanceDate);
  for (const s of seasons) if (s.ranges.some((r) => inRange(r, d))) return s;
  return seasons.find((s) => s.ranges.length === 0);
}

function describeSeason(s: Season): string {
  return s.ranges.length === 0 ? 'rest of the year' : s.ranges.map((r) => `${fmtMd(r.from)} – ${fmtMd(r.to)}`).join(', ');
}

/** Quantities are measurements: a negative one is a data error, not a refund. */
function parseQuantity(text: string, what: string): Rational {
  const r = parseDecimal(text, what);
  if (r.n < 0n) throw new RangeError(`${what} must not be negative: ${text}`);
  return r;
}

interface Basis {
  value: Rational;
  how: string;
}

function declaredInBasis(q: DutyQuantities, basis: QuantityBasis, content?: string): Basis | undefined {
  if (q.byUnit) {
    for (const [code, text] of Object.entries(q.byUnit)) {
      const u = resolveUnit(code);
      if (u && u.basis === basis && u.content === content) {
        return { value: mul(parseQuantity(text, `quantities.byUnit.${code}`), u.size), how: `${text} ${code}` };
      }
    }
  }
  if (q.supplementaryUnit !== undefined && q.supplementaryUnits !== undefined) {
    const u = resolveUnit(q.supplementaryUnit);
    if (u && u.basis === basis && u.content === content) {
      return {
        value: mul(parseQuantity(q.supplementaryUnits, 'supplementaryUnits'), u.size),
        how: `supplementary units ${q.supplementaryUnits} ${q.supplementaryUnit}`,
      };
    }
  }
  return undefined;
}

/** Litres of pure alcohol from a declared volume and strength. */
function litresOfPureAlcohol(q: DutyQuantities): Basis | undefined {
  const litres = declaredInBasis(q, 'litres');
  if (!litres || q.alcoholPercentVol === undefined) return undefined;
  const pct = parseQuantity(q.alcoholPercentVol, 'alcoholPercentVol');
  return { value: div(mul(litres.value, pct), HUNDRED), how: `${litres.how} × ${q.alcoholPercentVol} % vol =` };
}

function basisQuantity(q: DutyQuantities, unit: UnitInfo): Basis | Unknown {
  const basis = unit.basis;
  const direct = declaredInBasis(q, basis, unit.content);
  if (direct) return direct;
  switch (basis) {
    case 'netMassKg':
      if (q.netMassKg !== undefined) return { value: parseQuantity(q.netMassKg, 'netMassKg'), how: `net mass ${q.netMassKg} kg` };
      return new Unknown('net mass (kg) not declared');
    case 'grossMassKg':
      if (q.grossMassKg !== undefined) return { value: parseQuantity(q.grossMassKg, 'grossMassKg'), how: `gross mass ${q.grossMassKg} kg` };
      return new Unknown('gross mass (kg) not declared');
    case 'alcoholPercentVolHl': {
      const litres = declaredInBasis(q, 'litres');
      if (!litres) return new Unknown('volume (litres/hl) not declared for a % vol/hl duty');
      if (q.alcoholPercentVol === undefined) return new Unknown('alcoholic strength (% vol) not declared for a % vol/hl duty');
      const pct = parseQuantity(q.alcoholPercentVol, 'alcoholPercentVol');
      return {
        value: div(mul(litres.value, pct), HUNDRED),
        how: `${litres.how} = ${formatQuantity(div(litres.value, HUNDRED))} hl × ${q.alcoholPercentVol} % vol`,
      };
    }
    case 'sprDiscountLpa': {
      if (q.sprDiscountGbpPerLpa === undefined) return new Unknown('the small producer relief discount (£ per litre of pure alcohol) is not declared (quantities.sprDiscountGbpPerLpa)');
      const lpa = declaredInBasis(q, 'alcoholPercentVolHl') ?? litresOfPureAlcohol(q);
      if (!lpa) return new Unknown('litres of pure alcohol not declared for the SPR discount (volume and % vol, or LPA)');
      const disc = parseQuantity(q.sprDiscountGbpPerLpa, 'sprDiscountGbpPerLpa');
      return { value: mul(lpa.value, disc), how: `${lpa.how} litres of pure alcohol × SPR discount £${q.sprDiscountGbpPerLpa}` };
    }
    case 'sucroseDegreeHundredKg': {
      if (q.netMassKg === undefined) return new Unknown('net mass (kg) not declared');
      if (q.sucrosePercent === undefined) return new Unknown('sucrose content (% sacchar.) not declared');
      const kg = parseQuantity(q.netMassKg, 'netMassKg');
      const pct = parseQuantity(q.sucrosePercent, 'sucrosePercent');
      return { value: div(mul(kg, pct), HUNDRED), how: `net mass ${q.netMassKg} kg ÷ 100 × ${q.sucrosePercent} % sucrose` };
    }
    case 'litres':
    case 'items':
    case 'pairs':
    case 'squareMetres':
    case 'metres':
    case 'cubicMetres':
      return new Unknown(`no quantity in ${unit.basisLabel} declared (supplementary units in such a unit, or quantities.byUnit)`);
    case 'measuredContent':
      return new Unknown(`quantity in ${unit.content} (${unit.code}) is not part of the declaration data; supply it in quantities.byUnit`);
    default:
      return new Unknown(`quantity in ${basis} is not part of the declaration data; supply it in quantities.byUnit`);
  }
}

function componentLabel(c: DutyComponent): string {
  switch (c.kind) {
    case 'adValorem':
      return c.impliedPercent ? `${c.percentText}% (written without %)` : c.base === 'retailPrice' ? `${c.percentText}% of the retail price` : `${c.percentText}%`;
    case 'specific':
      return `${c.amountText} ${c.currency}/${c.unit.label}`;
    case 'agricultural':
      return c.code;
    case 'entryPrice':
      return 'entry price';
  }
}

function evalComponent(c: DutyComponent, ctx: EvaluationContext, notes: string[]): Part | Unknown {
  switch (c.kind) {
    case 'adValorem': {
      if (c.base === 'retailPrice') {
        const rp = ctx.quantities.retailPriceGbp;
        if (rp === undefined) return new Unknown(`${componentLabel(c)}: the retail price is not declared (quantities.retailPriceGbp)`);
        let rpPence = mul(parseQuantity(rp, 'retailPriceGbp'), HUNDRED);
        if (ctx.quantityShare) rpPence = mul(rpPence, ctx.quantityShare);
        return { pence: div(mul(rpPence, c.percent), HUNDRED), text: `${componentLabel(c)} £${rp}${ctx.quantityShare ? ` × ${formatQuantity(ctx.quantityShare)}` : ''}` };
      }
      // cv × n / (d × 100): one bigint product instead of generic rational steps.
      return { pence: { n: BigInt(ctx.customsValuePence) * c.percent.n, d: c.percent.d * 100n }, text: `${componentLabel(c)} × ${ctx.customsValueText ?? formatPence(ctx.customsValuePence)}` };
    }
    case 'specific': {
      let perUnitPence = mul(c.amount, HUNDRED);
      if (c.currency !== 'GBP') {
        const fx = ctx.currencyRates?.[c.currency];
        if (!fx) return new Unknown(`specific rate in ${c.currency} needs a ${c.currency}→GBP conversion rate (currencyRates.${c.currency})`);
        perUnitPence = div(perUnitPence, parseRate(fx.unitsPerGbp, `currencyRates.${c.currency}`));
        notes.push(`${c.amountText} ${c.currency} converted at ${fx.unitsPerGbp} ${c.currency}/£ (${fx.source}) = ${formatPoundsExact(perUnitPence)} GBP/${c.unit.label}`);
      }
      const b = basisQuantity(ctx.quantities, c.unit);
      if (b instanceof Unknown) {
        const q = ctx.quantities;
        const unrecognised = q.supplementaryUnit !== undefined && !resolveUnit(q.supplementaryUnit) ? ` (supplementary unit ${JSON.stringify(q.supplementaryUnit)} not recognised)` : '';
        return new Unknown(`${componentLabel(c)}: ${b.reason}${unrecognised}`);
      }
      const share = ctx.quantityShare;
      const units = div(share ? mul(b.value, share) : b.value, c.unit.size);
      const quantity = `${formatQuantity(units)} × ${c.unit.label}`;
      return { pence: mul(perUnitPence, units), text: `${componentLabel(c)} × ${formatQuantity(units)} [${b.how}${share ? ` × share ${formatQuantity(share)}` : ''}]`, quantity };
    }
    default:
      return new Unknown(unevaluableComponentReason(c)!);
  }
}

function evalSum(components: DutyComponent[], ctx: EvaluationContext, notes: string[]): { pence: Rational; parts: Part[] } | Unknown {
  let pence = ZERO;
  const parts: Part[] = [];
  for (const c of components) {
    const p = evalComponent(c, ctx, notes);
    if (p instanceof Unknown) return p;
    if (c.subtract) {
      pence = sub(pence, p.pence);
      parts.push({ ...p, pence: { n: -p.pence.n, d: p.pence.d }, text: `− ${p.text}` });
    } else {
      pence = add(pence, p.pence);
      parts.push(p);
    }
  }
  return { pence, parts };
}

function partsText(parts: Part[]): string {
  if (parts.length === 1) return parts[0]!.text;
  return parts.map((p) => `(${p.text} = ${formatPoundsExact(p.pence)})`).join(' + ');
}

function evalSimple(e: SimpleDutyExpression, ctx: EvaluationContext, notes: string[]): Evaluation {
  const base = evalSum(e.components, ctx, notes);
  if (base instanceof Unknown) return { status: 'unknown', reason: base.reason };
  let pence = base.pence;
  let workings = partsText(base.parts);
  let quantities: string[] | undefined;
  const addQuantities = (parts: Part[]) => {
    for (const p of parts) {
      if (p.quantity === undefined) continue;
      quantities ??= [];
      if (!quantities.includes(p.quantity)) quantities.push(p.quantity);
    }
  };
  addQuantities(base.parts);
  for (const clause of e.clauses) {
    const c = evalSum(clause.components, ctx, notes);
    if (c instanceof Unknown) return { status: 'unknown', reason: `${clause.kind.toUpperCase()} clause: ${c.reason}` };
    addQuantities(c.parts);
    const label = clause.kind === 'min' ? 'MIN' : 'MAX';
    const order = cmp(pence, c.pence);
    const binds = clause.kind === 'min' ? order < 0 : order > 0;
    notes.push(`${label} ${partsText(c.parts)} = ${formatPoundsExact(c.pence)}: ${binds ? `applies instead of ${formatPoundsExact(pence)}` : `not reached by ${formatPoundsExact(pence)}`}`);
    if (binds) {
      pence = c.pence;
      workings = `${label} ${partsText(c.parts)}`;
    }
  }
  const result: Evaluation = { status: 'computed', pence, workings, notes };
  if (quantities) result.baseQuantity = quantities.join('; ');
  return result;
}

/** Exact duty of one expression for the line; never guesses — unevaluable forms give a reason. */
export function evaluateDutyExpression(expr: DutyExpression, ctx: EvaluationContext): Evaluation {
  if (expr.unevaluableReason && expr.kind === 'simple') return { status: 'unknown', reason: expr.unevaluableReason };
  const notes: string[] = [];
  let simple: SimpleDutyExpression;
  if (expr.kind === 'seasonal') {
    const season = selectSeason(expr.seasons, ctx.acceptanceDate);
    if (!season) return { status: 'unknown', reason: `no season of ${JSON.stringify(expr.normalized)} covers ${ctx.acceptanceDate}` };
    notes.push(`season ${describeSeason(season)} applies on ${ctx.acceptanceDate}`);
    simple = season.expression;
  } else {
    simple = expr;
  }
  return evalSimple(simple, ctx, notes);
}

// Parser for duty expressions as the UK Global Tariff CSV, the EU CET column, the seasonal
// rates file and the Online Trade Tariff API ("base" / "formatted_base") write them.

import type { AgriculturalComponent, DutyClause, DutyComponent, DutyExpression, DutyExpressionBody, MonthDay, Season, SeasonRange, SimpleDutyExpression } from './ast';
import { type Rational, parseDecimal } from './rational';
import { lookupUnit } from './units';

export class DutyExpressionError extends Error {
  constructor(
    readonly text: string,
    /** 0-based offset into `normalized`. */
    readonly position: number,
    readonly normalized: string,
    readonly detail: string,
  ) {
    const shown = normalized === text ? JSON.stringify(text) : `${JSON.stringify(text)} (normalised ${JSON.stringify(normalized)})`;
    super(`cannot parse duty expression ${shown} at position ${position}: ${detail}`);
    this.name = 'DutyExpressionError';
  }
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", euro: '€' };

/** Removes OTT HTML markup (<span>, <abbr title=…>) and entities, normalises € and whitespace. */
export function normalizeDutyText(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/€/g, ' EUR ')
    .replace(/\s+/g, ' ')
    .trim();
}

const MONTHS: Record<string, number> = {
  JAN: 1,
  JANUARY: 1,
  FEB: 2,
  FEBRUARY: 2,
  MAR: 3,
  MARCH: 3,
  APR: 4,
  APRIL: 4,
  MAY: 5,
  JUN: 6,
  JUNE: 6,
  JUL: 7,
  JULY: 7,
  AUG: 8,
  AUGUST: 8,
  SEP: 9,
  SEPT: 9,
  SEPTEMBER: 9,
  OCT: 10,
  OCTOBER: 10,
  NOV: 11,
  NOVEMBER: 11,
  DEC: 12,
  DECEMBER: 12,
};

// Thousands grouping only with exactly three digits so "1,000 items" is one number while the
// comma between seasons ("…), 0.00% (…") is still a separator.
const NUMBER_RE = /\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+/y;
const AGRI_RE = /(EAR|EA|ADSZR|ADSZ|ADFMR|ADFM)(?![A-Za-z])/y;
const ENTRY_PRICE_RE = /entry\s*price(?![A-Za-z])/iy;
const NIHIL_RE = /nihil(?![A-Za-z])/iy;
const CURRENCY_RE = /(GBP|EUR)(?![A-Za-z])/iy;
const CLAUSE_RE = /(MIN|MAX)(?![A-Za-z])/iy;
const RETAIL_RE = /\/\s*retail\s*price(?![A-Za-z])/iy;
// A minus between components ("12.00 % - 3.00 GBP / 100 kg"): a "-" followed by a rate, so that
// hyphens inside unit names and season ranges ("01 JAN-31 MAR", inside parentheses) are not one.
const MINUS_RE = /-(?=\s*(?:\d|\.\d))/y;
// A unit runs until the next component, clause, season dates, season separator or the end.
const UNIT_RE = /[^+(]*?(?=\s*(?:\+|\s-\s*\d|(?<![A-Za-z])(?:MIN|MAX)(?![A-Za-z])|\(|,(?!\d)|\)|$))/iy;
// The one unit whose name holds a comma (measurement_units.json SPQ): small producer relief.
const SPR_UNIT_RE = /for each litre of pure alcohol,\s*multiplied by the SPR discount/iy;
const DAY_RE = /\d{1,2}/y;
const MONTH_RE = /[A-Za-z]+/y;

class Parser {
  pos = 0;
  constructor(
    readonly text: string,
    readonly s: string,
  ) {}

  fail(detail: string, at = this.pos): never {
    throw new DutyExpressionError(this.text, at, this.s, detail);
  }

  ws(): void {
    while (this.s.charCodeAt(this.pos) === 32) this.pos++;
  }

  match(re: RegExp): RegExpExecArray | undefined {
    this.ws();
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m) return undefined;
    this.pos = re.lastIndex;
    return m;
  }

  char(c: string): boolean {
    this.ws();
    if (this.s[this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  atEnd(): boolean {
    this.ws();
    return this.pos >= this.s.length;
  }

  expression(): DutyExpressionBody {
    if (this.atEnd()) this.fail('empty duty expression');
    const seasons: Season[] = [];
    for (;;) {
      const expression = this.simple();
      const ranges: SeasonRange[] = [];
      if (this.char('(')) {
        ranges.push(...this.ranges());
        if (!this.char(')')) this.fail("expected ')' after season dates");
      }
      seasons.push({ ranges, expression });
      this.ws();
      const commaAt = this.pos;
      if (!this.char(',')) break;
      // Only the last rate may omit its dates ("…, 13.60% MIN 1.6€/100kg/net").
      if (ranges.length === 0) this.fail('a rate without season dates must come last', commaAt);
    }
    if (!this.atEnd()) this.fail(`unexpected ${JSON.stringify(this.s.slice(this.pos, this.pos + 12))}`);
    if (seasons.length === 1 && seasons[0]!.ranges.length === 0) return seasons[0]!.expression;
    return { kind: 'seasonal', seasons };
  }

  simple(): SimpleDutyExpression {
    const components = this.sum();
    const clauses: DutyClause[] = [];
    for (let m = this.match(CLAUSE_RE); m; m = this.match(CLAUSE_RE)) {
      clauses.push({ kind: m[1]!.toUpperCase() === 'MIN' ? 'min' : 'max', components: this.sum() });
    }
    return { kind: 'simple', components, clauses };
  }

  sum(): DutyComponent[] {
    const out = [this.component()];
    for (;;) {
      if (this.char('+')) out.push(this.component());
      else if (this.match(MINUS_RE)) out.push({ ...this.component(), subtract: true });
      else break;
    }
    return out;
  }

  component(): DutyComponent {
    if (this.match(ENTRY_PRICE_RE)) return { kind: 'entryPrice' };
    const agri = this.match(AGRI_RE);
    if (agri) return { kind: 'agricultural', code: agri[1] as AgriculturalComponent['code'] };
    if (this.match(NIHIL_RE)) return { kind: 'adValorem', percent: { n: 0n, d: 1n }, percentText: '0', impliedPercent: false };
    const start = this.pos;
    const num = this.match(NUMBER_RE);
    if (!num) this.fail('expected a rate (number, EA/ADSZ/ADFM or Entry Price)');
    const numText = num[0];
    const value: Rational = parseDecimal(numText, 'duty rate');
    if (this.char('%')) {
      if (this.match(RETAIL_RE)) return { kind: 'adValorem', percent: value, percentText: numText, impliedPercent: false, base: 'retailPrice' };
      return { kind: 'adValorem', percent: value, percentText: numText, impliedPercent: false };
    }
    const cur = this.match(CURRENCY_RE);
    if (this.char('/')) {
      if (!cur) this.fail('specific rate without a currency', start);
      this.ws();
      const unitStart = this.pos;
      const u = this.match(SPR_UNIT_RE) ?? this.match(UNIT_RE);
      const unitText = (u?.[0] ?? '').trim();
      if (unitText === '') this.fail('expected a unit after "/"', unitStart);
      const unit = lookupUnit(unitText);
      if (!unit) this.fail(`unknown unit ${JSON.stringify(unitText)}`, unitStart);
      return { kind: 'specific', amount: value, amountText: numText, currency: cur[1]!.toUpperCase(), unit, unitText };
    }
    if (cur) this.fail(`expected "/ unit" after ${cur[1]}`);
    return { kind: 'adValorem', percent: value, percentText: numText, impliedPercent: true };
  }

  ranges(): SeasonRange[] {
    const out = [this.range()];
    while (this.char(',')) out.push(this.range());
    return out;
  }

  range(): SeasonRange {
    const at = this.pos;
    const d1 = this.day();
    const m1 = this.month(true);
    if (!this.char('-')) this.fail("expected '-' in season dates");
    const d2 = this.day();
    const m2 = this.month(false)!;
    // "01-31 DEC" writes the month once for both ends.
    const from: MonthDay = { month: m1 ?? m2, day: d1 };
    const to: MonthDay = { month: m2, day: d2 };
    if (d1 < 1 || d1 > 31 || d2 < 1 || d2 > 31) this.fail('day out of range in season dates', at);
    return { from, to };
  }

  day(): number {
    const m = this.match(DAY_RE);
    if (!m) this.fail('expected a day in season dates');
    return Number(m[0]);
  }

  month(optional: boolean): number | undefined {
    this.ws();
    const save = this.pos;
    const m = this.match(MONTH_RE);
    const month = m ? MONTHS[m[0].toUpperCase()] : undefined;
    if (month === undefined) {
      if (optional && (!m || m[0] === '')) {
        this.pos = save;
        return undefined;
      }
      this.fail('expected a month (JAN–DEC) in season dates', save);
    }
    return month;
  }
}

function walkComponents(body: DutyExpressionBody): DutyComponent[] {
  const simples = body.kind === 'simple' ? [body] : body.seasons.map((s) => s.expression);
  return simples.flatMap((s) => [...s.components, ...s.clauses.flatMap((c) => c.components)]);
}

/** Why a component can never be computed from a declaration line, or undefined. */
export function unevaluableComponentReason(c: DutyComponent): string | undefined {
  if (c.kind === 'entryPrice') {
    return 'entry price system: the duty depends on the entry price of the consignment against the trigger-price table, which the declaration line does not carry';
  }
  if (c.kind === 'agricultural') {
    return `agricultural component ${c.code}: the amount depends on the Meursing additional code (milk fat, milk protein, starch/glucose and sucrose content), which the declaration line does not carry`;
  }
  return undefined;
}

export function parseDutyExpressionUncached(text: string): DutyExpression {
  const normalized = normalizeDutyText(text);
  const body = new Parser(text, normalized).expression();
  let unevaluableReason: string | undefined;
  for (const c of walkComponents(body)) {
    unevaluableReason ??= unevaluableComponentReason(c);
  }
  return Object.freeze({ ...body, text, normalized, ...(unevaluableReason ? { unevaluableReason } : {}) }) as DutyExpression;
}

// Tariffs carry a few hundred distinct expression strings, so the cache stays small; the bound
// only protects against a caller feeding unbounded garbage.
const CACHE_LIMIT = 50_000;
const cache = new Map<string, DutyExpression | DutyExpressionError>();

/** Parses (memoised; the returned AST is shared, do not mutate). Throws DutyExpressionError. */
export function parseDutyExpression(text: string): DutyExpression {
  const hit = cache.get(text);
  if (hit !== undefined) {
    if (hit instanceof DutyExpressionError) throw hit;
    return hit;
  }
  let value: DutyExpression | DutyExpressionError;
  try {
    value = parseDutyExpressionUncached(text);
  } catch (e) {
    if (!(e instanceof DutyExpressionError)) throw e;
    value = e;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, value);
  if (value instanceof DutyExpressionError) throw value;
  return value;
}

export function dutyExpressionCacheSize(): number {
  return cache.size;
}

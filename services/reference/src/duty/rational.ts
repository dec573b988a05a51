// Exact arithmetic for money, rates and quantities. Rates such as "1.2406" and quantities such as
// "12.345" kg are decimal strings; FX division makes denominators non-decimal, so a rational
// (bigint numerator / positive bigint denominator) keeps every intermediate exact until the one
// rounding step the law prescribes.

export interface Rational {
  readonly n: bigint;
  /** Always > 0. Not necessarily reduced: reduction costs a gcd and is only needed for display. */
  readonly d: bigint;
}

export const ZERO: Rational = { n: 0n, d: 1n };
export const ONE: Rational = { n: 1n, d: 1n };
export const HUNDRED: Rational = { n: 100n, d: 1n };

const POW10: bigint[] = [];
for (let i = 0, p = 1n; i <= 30; i++, p *= 10n) POW10.push(p);
function pow10(k: number): bigint {
  return POW10[k] ?? 10n ** BigInt(k);
}

// Thousands separators are accepted only in the standard 3-digit grouping so that "1,5" (a
// continental decimal comma) is rejected instead of silently read as 15.
const DECIMAL_RE = /^([+-])?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$/;

/** Parses "1,234.5678", "-0.5", ".5", "12" exactly; returns undefined for anything else. */
export function tryParseDecimal(text: string): Rational | undefined {
  const t = text.trim();
  const m = DECIMAL_RE.exec(t);
  if (!m || (m[2] === undefined && m[3] === undefined)) return undefined;
  const intPart = (m[2] ?? '0').replace(/,/g, '');
  const frac = m[3] ?? '';
  let n = BigInt(intPart + frac);
  if (m[1] === '-') n = -n;
  return { n, d: pow10(frac.length) };
}

export function parseDecimal(text: string, what: string): Rational {
  const r = tryParseDecimal(text);
  if (!r) throw new RangeError(`${what}: not a decimal number: ${JSON.stringify(text)}`);
  return r;
}

export function fromInt(n: number | bigint): Rational {
  return { n: BigInt(n), d: 1n };
}

export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return { n: a.n + b.n, d: a.d };
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

export function sub(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return { n: a.n - b.n, d: a.d };
  return { n: a.n * b.d - b.n * a.d, d: a.d * b.d };
}

export function mul(a: Rational, b: Rational): Rational {
  return { n: a.n * b.n, d: a.d * b.d };
}

export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n };
}

export function cmp(a: Rational, b: Rational): number {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isZero(a: Rational): boolean {
  return a.n === 0n;
}

/** Largest integer <= a (bigint division truncates toward zero, so negatives need a step down). */
export function floor(a: Rational): bigint {
  const q = a.n / a.d;
  return a.n < 0n && q * a.d !== a.n ? q - 1n : q;
}

/** Nearest integer, halves away from zero (the usual commercial rounding). */
export function roundHalfUp(a: Rational): bigint {
  const neg = a.n < 0n;
  const n = neg ? -a.n : a.n;
  const q = (2n * n + a.d) / (2n * a.d);
  return neg ? -q : q;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function reduce(a: Rational): Rational {
  const g = gcd(a.n, a.d);
  return g <= 1n ? a : { n: a.n / g, d: a.d / g };
}

/**
 * Decimal rendering for explanations: exact when the value terminates within maxDp places,
 * otherwise truncated to maxDp places and marked with "…" so nobody mistakes it for exact.
 * minDp pads (money is shown with at least 2 places).
 */
export function toDecimalString(a: Rational, minDp = 0, maxDp = 6): string {
  const neg = a.n < 0n;
  const n = neg ? -a.n : a.n;
  const scale = pow10(maxDp);
  const scaled = n * scale;
  const q = scaled / a.d;
  const inexact = q * a.d !== scaled;
  const intPart = q / scale;
  let frac = (q % scale).toString().padStart(maxDp, '0');
  if (!inexact) {
    frac = frac.replace(/0+$/, '');
    if (frac.length < minDp) frac = frac.padEnd(minDp, '0');
  }
  const body = frac.length > 0 ? `${intPart}.${frac}` : `${intPart}`;
  return `${neg ? '-' : ''}${body}${inexact ? '…' : ''}`;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** £1,234.56 from integer pence. */
export function formatPence(pence: number | bigint): string {
  const p = BigInt(pence);
  const neg = p < 0n;
  const abs = neg ? -p : p;
  const pounds = groupThousands((abs / 100n).toString());
  const pp = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}£${pounds}.${pp}`;
}

/** Exact pence as pounds with thousands separators, e.g. 14814.72p → "148.1472". */
export function formatPoundsExact(pence: Rational): string {
  const s = toDecimalString({ n: pence.n, d: pence.d * 100n }, 2, 6);
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  return `${neg ? '-' : ''}${groupThousands(intPart)}${dot < 0 ? '' : body.slice(dot)}`;
}

/** Quantity rendering with grouping, no padding ("1,250", "12.5"). */
export function formatQuantity(q: Rational): string {
  const s = toDecimalString(q, 0, 6);
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const dot = body.indexOf('.');
  const intPart = dot < 0 ? body : body.slice(0, dot);
  return `${neg ? '-' : ''}${groupThousands(intPart)}${dot < 0 ? '' : body.slice(dot)}`;
}

/** Pence beyond Number.MAX_SAFE_INTEGER (≈ £90 trillion) would silently lose precision. */
export function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} out of safe integer range: ${v}`);
  }
  return Number(v);
}

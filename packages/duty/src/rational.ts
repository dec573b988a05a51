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

// Rates (VAT %, FX units per £) repeat across millions of lines; quantities do not, so only
// rates go through this small memo.
const rateCache = new Map<string, Rational>();
export function parseRate(text: string, what: string): Rational {
  let r = rateCache.get(text);
  if (r === undefined) {
    r = parseDecimal(text, what);
    if (rateCache.size >= 10_000) rateCache.clear();
    rateCache.set(text, r);
  }
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

const POW10_EXPONENT = new Map<bigint, number>(POW10.map((p, i) => [p, i]));

// Explanations are built on every computation, so rendering avoids bigint division and regular
// expressions whenever the denominator is a power of ten (the usual case: rates × pence).
function splitDecimal(a: Rational, maxDp: number): { neg: boolean; int: string; frac: string; inexact: boolean } {
  const neg = a.n < 0n;
  const n = neg ? -a.n : a.n;
  const k = POW10_EXPONENT.get(a.d);
  if (k !== undefined) {
    const digits = n.toString();
    if (k === 0) return { neg, int: digits, frac: '', inexact: false };
    const padded = digits.length <= k ? '0'.repeat(k - digits.length + 1) + digits : digits;
    let frac = padded.slice(padded.length - k);
    let end = frac.length;
    while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
    frac = frac.slice(0, end);
    const inexact = frac.length > maxDp;
    return { neg, int: padded.slice(0, padded.length - k), frac: inexact ? frac.slice(0, maxDp) : frac, inexact };
  }
  const scale = pow10(maxDp);
  const scaled = n * scale;
  const q = scaled / a.d;
  const inexact = q * a.d !== scaled;
  let frac = (q % scale).toString().padStart(maxDp, '0');
  if (!inexact) {
    let end = frac.length;
    while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
    frac = frac.slice(0, end);
  }
  return { neg, int: (q / scale).toString(), frac, inexact };
}

function joinDecimal(x: { neg: boolean; int: string; frac: string; inexact: boolean }, minDp: number, group: boolean): string {
  let frac = x.frac;
  if (!x.inexact && frac.length < minDp) frac = frac + '0'.repeat(minDp - frac.length);
  const int = group ? groupThousands(x.int) : x.int;
  return `${x.neg ? '-' : ''}${frac.length > 0 ? `${int}.${frac}` : int}${x.inexact ? '…' : ''}`;
}

/**
 * Decimal rendering for explanations: exact when the value terminates within maxDp places,
 * otherwise truncated to maxDp places and marked with "…" so nobody mistakes it for exact.
 * minDp pads (money is shown with at least 2 places).
 */
export function toDecimalString(a: Rational, minDp = 0, maxDp = 6): string {
  return joinDecimal(splitDecimal(a, maxDp), minDp, false);
}

function groupThousands(digits: string): string {
  const len = digits.length;
  if (len <= 3) return digits;
  let out = digits.slice(0, len % 3 || 3);
  for (let i = len % 3 || 3; i < len; i += 3) out += ',' + digits.slice(i, i + 3);
  return out;
}

/** £1,234.56 from integer pence. */
export function formatPence(pence: number | bigint): string {
  if (pence === 0) return '£0.00';
  if (typeof pence === 'number' && Number.isSafeInteger(pence)) {
    const abs = Math.abs(pence);
    const pp = abs % 100;
    return `${pence < 0 ? '-' : ''}£${groupThousands(String((abs - pp) / 100))}.${pp < 10 ? '0' : ''}${pp}`;
  }
  const p = BigInt(pence);
  const neg = p < 0n;
  const abs = neg ? -p : p;
  const pp = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}£${groupThousands((abs / 100n).toString())}.${pp}`;
}

/** Exact pence as pounds with thousands separators, e.g. 14814.72p → "148.1472". */
export function formatPoundsExact(pence: Rational): string {
  return joinDecimal(splitDecimal({ n: pence.n, d: pence.d * 100n }, 6), 2, true);
}

/** Quantity rendering with grouping, no padding ("1,250", "12.5"). */
export function formatQuantity(q: Rational): string {
  return joinDecimal(splitDecimal(q, 6), 0, true);
}

/** Pence beyond Number.MAX_SAFE_INTEGER (≈ £90 trillion) would silently lose precision. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
export function toSafeNumber(v: bigint, what: string): number {
  if (v > MAX_SAFE || v < MIN_SAFE) {
    throw new RangeError(`${what} out of safe integer range: ${v}`);
  }
  return Number(v);
}

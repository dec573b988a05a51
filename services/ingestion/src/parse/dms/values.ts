// Value checks and conversions for DMS text. All exact: decimals stay strings, pence are computed
// on digit strings with BigInt, so no binary float ever touches an amount.
import { dateProblem, type DateWindow } from '../dates';

/** Unsigned decimal as DMS writes it: digits, optionally a point and more digits ("1000", "0.125"). */
const DECIMAL = /^[0-9]+(?:\.[0-9]+)?$/;

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

export type PenceResult = { ok: true; pence: number } | { ok: false; reason: string };

/**
 * Converts an exact GBP decimal string to integer pence. Rejects (rather than rounds) sub-penny
 * precision: a declared amount of "10.005" is not a number of pence, and choosing a rounding here
 * would invent a value; validation sees the warning instead. Trailing zeros ("10.500") are exact.
 */
export function gbpToPence(value: string): PenceResult {
  if (!DECIMAL.test(value)) return { ok: false, reason: `"${value}" is not a decimal amount` };
  const dot = value.indexOf('.');
  const whole = dot < 0 ? value : value.slice(0, dot);
  const frac = dot < 0 ? '' : value.slice(dot + 1);
  const extra = frac.slice(2);
  if (extra !== '' && !/^0+$/.test(extra)) return { ok: false, reason: `"${value}" has a fraction of a penny` };
  const pence = BigInt(whole) * 100n + BigInt(frac.slice(0, 2).padEnd(2, '0'));
  // The contract's int64 surfaces as a JS number; refuse what a number cannot hold exactly.
  if (pence > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: `"${value}" is too large to hold exactly in pence` };
  return { ok: true, pence: Number(pence) };
}

export type DateResult = { ok: true; date: string } | { ok: false; reason: string };

/**
 * Calendar date of a DMS DateTimeString. formatCode 304 is CCYYMMDDhhmmss followed by a zone ("Z",
 * "+01", "+0100"); 102 is CCYYMMDD. The date is taken as written, not shifted by the zone: the
 * declared calendar day is what CDS shows as the acceptance date, and converting "20250326000000+01"
 * to UTC would move it to the previous day. The day must be real and plausible (range in ../dates).
 */
export function dmsDate(value: string, formatCode: string, window?: DateWindow): DateResult {
  const m = formatCode === '102' ? /^(\d{4})(\d{2})(\d{2})$/.exec(value) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(value);
  if (!m) return { ok: false, reason: `"${value}" is not a DMS date-time (formatCode ${formatCode || '304'}: ${formatCode === '102' ? 'CCYYMMDD' : 'CCYYMMDDhhmmss plus zone'})` };
  const problem = dateProblem(`${m[1]}-${m[2]}-${m[3]}`, value, window);
  if (problem) return { ok: false, reason: problem };
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return { ok: false, reason: `"${value}" has an impossible time of day` };
  return { ok: true, date: `${m[1]}-${m[2]}-${m[3]}` };
}

/**
 * Whether a date read from an input file is a real calendar date in a plausible range. Shared by
 * every parser (CDS reports, CHIEF MSS, ERP receipts, DMS XML), each of which reads its own
 * spelling (dd/mm/yyyy, yyyy-mm-dd, CCYYMMDD…) into an ISO yyyy-mm-dd first. Pure: the caller
 * may pass the window (tests do); by default it is taken from the clock once per call.
 *
 * Why a range and not only the calendar: a date of 01/01/0001, 1900 or 2999 is a real day but
 * never a customs date, and the ones downstream compute with (the acceptance date dates the
 * tariff, the HMRC exchange rate and the 3-year deadline) must be plausible, or every rule and
 * Postgres date column works on nonsense. The range:
 * - not before 1990-01-01: no UK electronic import record is older (CHIEF went live in 1994,
 *   CDS in 2018; ERP exports of those imports are no older), so an earlier year is a keying
 *   error (a two-digit year read as 19xx, the 0000 of an empty date);
 * - not more than 366 days after today: an acceptance date is in the past by definition, but a
 *   pre-lodged declaration, an ERP goods receipt planned ahead or a clock or time-zone skew may
 *   be ahead by days or months; a year and more ahead (2999, 2203 for 2023) is a keying error.
 */

export const EARLIEST_PLAUSIBLE_DATE = '1990-01-01';
export const MAX_DAYS_AHEAD = 366;

/** Inclusive ISO bounds a date must fall in. */
export interface DateWindow {
  earliest: string;
  latest: string;
}

/** The plausible window on `now`'s day (UTC). */
export function plausibleDateWindow(now: Date = new Date()): DateWindow {
  const latest = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + MAX_DAYS_AHEAD));
  return { earliest: EARLIEST_PLAUSIBLE_DATE, latest: latest.toISOString().slice(0, 10) };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Days in a month of the proleptic Gregorian calendar (no Date: Date.UTC maps years 0–99 to 19xx). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Why `iso` (yyyy-mm-dd, as a parser read it from `written`) is not a real, plausible date, in
 * words naming the value as the file spelled it; undefined when it is one.
 */
export function dateProblem(iso: string, written: string, window: DateWindow = plausibleDateWindow()): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return `"${written}" is not a date`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `"${written}" is not a real calendar date: there is no month ${m[2]}`;
  if (day < 1) return `"${written}" is not a real calendar date: there is no day ${m[3]}`;
  const days = daysInMonth(year, month);
  if (day > days) return `"${written}" is not a real calendar date: ${MONTHS[month - 1]} ${m[1]} has ${days} days`;
  if (iso < window.earliest) return `"${written}" is before ${window.earliest}, earlier than any UK electronic customs record: a keying error?`;
  if (iso > window.latest) return `"${written}" is more than ${MAX_DAYS_AHEAD} days in the future (after ${window.latest}): a keying error?`;
  return undefined;
}

// The legal clock of a finding, in one place (DOMAIN.md §3.0 "Clock", docs/scoring-domain.md,
// docs/reporting.md): the statutory deadline is the acceptance date (AD) + 3 years — the window
// for the importer's C285 repayment claim and, normally, for HMRC to notify a debt (C18
// post-clearance demand) — and every finding has `days_left = deadline − today`. The last day is
// still in time: a deadline has expired only once `today` is after it.
//
// Pure: no clock is read here; the caller passes the day (or the instant) it judges by.
// Days are calendar dates "YYYY-MM-DD" (proleptic Gregorian), done in integer day numbers, so
// leap years, month ends and summer time never shift a result. An instant becomes a day by its
// UTC date (`dayOf`): that is what every service judged deadlines by before this module, and the
// acceptance date itself is the date the declaration carries, not converted between zones.

/** The clocks that run from the acceptance date. Both are 3 years today; they are named apart because they are different rights. */
export type ClockKind = 'c285_repayment' | 'hmrc_demand';

/**
 * Years each clock runs from the acceptance date: C285 "3 years for overpayments"; HMRC's normal
 * limit to notify a debt is 3 years from the entry (extendable, up to 20 years for deliberate
 * errors — an extension is a decision on the case, not a different clock).
 */
export const CLOCK_YEARS: Readonly<Record<ClockKind, number>> = Object.freeze({ c285_repayment: 3, hmrc_demand: 3 });

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeap(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Year, month, day of a real calendar date "YYYY-MM-DD"; undefined for anything else (2023-02-29, 2024-13-01, "2024-1-5", a timestamp). */
function parts(date: string): [number, number, number] | undefined {
  const m = ISO_DAY.exec(date);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return [y, mo, d];
}

/** Whether `date` is a real calendar date written "YYYY-MM-DD". */
export function isCalendarDate(date: string): boolean {
  return parts(date) !== undefined;
}

/** Day number of a calendar date (days since 1970-01-01); NaN when it is not one. */
export function dayNumber(date: string): number {
  const p = parts(date);
  if (!p) return Number.NaN;
  // Days from civil (H. Hinnant): integer arithmetic on a March-based year.
  const [y0, m, d] = p;
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The calendar date "YYYY-MM-DD" of a day number; '' when it is not a whole number or falls outside years 0000–9999. */
export function dateOfDay(n: number): string {
  if (!Number.isInteger(n)) return '';
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) return '';
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** The UTC calendar date of an instant ("YYYY-MM-DD"); '' for an invalid Date. */
export function dayOf(now: Date): string {
  const t = now.getTime();
  return Number.isFinite(t) ? dateOfDay(Math.floor(t / 86_400_000)) : '';
}

/** `date` moved by whole days; '' when `date` is not a calendar date. */
export function addDays(date: string, days: number): string {
  const n = dayNumber(date);
  return Number.isNaN(n) || !Number.isInteger(days) ? '' : dateOfDay(n + days);
}

/** The same day `years` later; a day the target month lacks (29 February in a common year) becomes that month's last day. '' when `date` is not a calendar date. */
export function addYears(date: string, years: number): string {
  const p = parts(date);
  if (!p || !Number.isInteger(years)) return '';
  const [y0, m, d] = p;
  const y = y0 + years;
  if (y < 0 || y > 9999) return '';
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(Math.min(d, daysInMonth(y, m))).padStart(2, '0')}`;
}

/**
 * The statutory deadline of a clock from the acceptance date: AD + 3 years, 29 February → 28
 * February. '' when the acceptance date is not a calendar date (no deadline is known).
 */
export function statutoryDeadline(acceptanceDate: string, kind: ClockKind = 'c285_repayment'): string {
  return addYears(acceptanceDate, CLOCK_YEARS[kind]);
}

/** Whole days from `from` to `to` (negative when `to` is earlier); NaN when either is not a calendar date. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Whole days left on `today` until `deadline`: 0 on the last day, negative once it has passed; NaN when either is not a calendar date. */
export function daysLeft(deadline: string, today: string): number {
  return daysBetween(today, deadline);
}

/** Whether the deadline has passed on `today` (the last day is still in time); false when either is not a calendar date — an unknown deadline never expires. */
export function expired(deadline: string, today: string): boolean {
  return daysLeft(deadline, today) < 0;
}

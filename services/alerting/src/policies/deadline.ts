// Statutory clocks: days left to a deadline and the escalation band it is in. Pure; `today` is
// passed in ("YYYY-MM-DD", UTC). The day arithmetic is the platform's legal clock (@customs/legal-clock).
import * as clock from '@customs/legal-clock';
import type { DeadlineBand } from './rules';

/** The UTC calendar day of an instant (the legal clock's day, @customs/legal-clock). */
export function isoDay(now: Date): string {
  return clock.dayOf(now);
}

/** Day number (days since 1970-01-01) of "YYYY-MM-DD" (a longer ISO string counts by its first 10 characters); NaN when not a date. */
const DAY_CACHE = new Map<string, number>();

export function dayNumber(date: string): number {
  // Windows compare the same few thousand dates over and over: parse each once.
  let n = DAY_CACHE.get(date);
  if (n === undefined) {
    n = /^\d{4}-\d{2}-\d{2}/.test(date) ? clock.dayNumber(date.slice(0, 10)) : Number.NaN;
    if (DAY_CACHE.size > 100_000) DAY_CACHE.clear();
    DAY_CACHE.set(date, n);
  }
  return n;
}

/** Whole days from `today` to `deadline` (0 on the last day, negative once passed). */
export function daysLeft(deadline: string, today: string): number {
  return dayNumber(deadline) - dayNumber(today);
}

/** `date` moved by whole days ("YYYY-MM-DD"); '' when `date` is not a date. */
export function addDays(date: string, days: number): string {
  return clock.dateOfDay(dayNumber(date) + days);
}

/** The narrowest band the deadline is within (e.g. 30 when 12 days are left), or undefined. */
export function bandFor(bands: readonly DeadlineBand[], left: number): DeadlineBand | undefined {
  let hit: DeadlineBand | undefined;
  for (const b of bands) if (left <= b.days && (!hit || b.days < hit.days)) hit = b;
  return hit;
}

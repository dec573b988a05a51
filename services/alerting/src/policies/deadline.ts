// Statutory clocks: days left to a deadline and the escalation band it is in. Pure; `today` is
// passed in ("YYYY-MM-DD", UTC).
import type { DeadlineBand } from './rules';

const DAY = 86_400_000;

export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Day number (days since 1970-01-01) of "YYYY-MM-DD"; NaN when not a date. */
const DAY_CACHE = new Map<string, number>();

export function dayNumber(date: string): number {
  // Windows compare the same few thousand dates over and over: parse each once.
  let n = DAY_CACHE.get(date);
  if (n === undefined) {
    n = /^\d{4}-\d{2}-\d{2}/.test(date) ? Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY) : Number.NaN;
    if (DAY_CACHE.size > 100_000) DAY_CACHE.clear();
    DAY_CACHE.set(date, n);
  }
  return n;
}

/** Whole days from `today` to `deadline` (negative once passed). */
export function daysLeft(deadline: string, today: string): number {
  return dayNumber(deadline) - dayNumber(today);
}

export function addDays(date: string, days: number): string {
  return new Date((dayNumber(date) + days) * DAY).toISOString().slice(0, 10);
}

/** The narrowest band the deadline is within (e.g. 30 when 12 days are left), or undefined. */
export function bandFor(bands: readonly DeadlineBand[], left: number): DeadlineBand | undefined {
  let hit: DeadlineBand | undefined;
  for (const b of bands) if (left <= b.days && (!hit || b.days < hit.days)) hit = b;
  return hit;
}

// What an OTT load changed, as DatasetChanged carries it for narrowed re-evaluation and
// tariff-change alerts. Pure.
import type { TariffChange } from '@customs/contracts';
import { MEASURE_ROLES } from './store';

const QUOTA_TYPES = new Set(['122', '123', '143', '146']);
/** The part a measure type plays in a rate answer, for tariff-change alerts. */
export function measureRole(measureType: string, quotaOrderNumber = ''): string {
  if (QUOTA_TYPES.has(measureType) || quotaOrderNumber) return 'quota';
  if (MEASURE_ROLES.tradeRemedies.has(measureType) || /^55\d$/.test(measureType)) return 'trade_remedy';
  if (MEASURE_ROLES.suspensions.has(measureType)) return 'suspension';
  if (MEASURE_ROLES.preferential.has(measureType)) return 'preference';
  if (MEASURE_ROLES.thirdCountry.has(measureType)) return 'third_country';
  if (MEASURE_ROLES.vat.has(measureType)) return 'vat';
  if (MEASURE_ROLES.supplementaryUnit.has(measureType)) return 'supplementary_unit';
  return 'other';
}

/** At most this many measure changes travel on one DatasetChanged (a few hundred kB). */
export const MAX_EVENT_CHANGES = 5000;
/** Roles alerting needs first: remedies, suspensions and quotas, then the rate itself, then preferences. */
const ROLE_ORDER = ['trade_remedy', 'suspension', 'quota', 'third_country', 'vat', 'supplementary_unit', 'preference'];

/**
 * The changes an event carries: by role priority (measures of no rate role never), at most
 * MAX_EVENT_CHANGES; how many were left out is said, so a consumer knows the list is partial.
 */
export function eventChanges(all: TariffChange[]): { tariffChanges: TariffChange[]; tariffChangesOmitted: number } {
  const ranked = all.filter((c) => ROLE_ORDER.includes(c.role)).sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));
  const kept = ranked.slice(0, MAX_EVENT_CHANGES);
  return { tariffChanges: kept, tariffChangesOmitted: all.length - kept.length };
}

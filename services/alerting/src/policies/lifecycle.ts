import { AlertStatus } from '@customs/contracts';

/**
 * Structured dispositions when an alert is resolved (DESIGN.md §7). `findings_withdrawn` is the
 * system's own: every contributing finding was withdrawn or superseded.
 */
export const DISPOSITIONS = ['true_positive_corrected_c2001', 'true_positive_reclaimed_c285', 'true_positive_disclosed', 'accepted_risk', 'false_positive', 'duplicate'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const SYSTEM_DISPOSITION_WITHDRAWN = 'findings_withdrawn';

const S = AlertStatus;
// OCSF-like lifecycle: what an analyst may move an alert to from each state. `expired` is the
// system's (a deadline passed); an analyst may still archive it or take it back into work
// (e.g. HMRC opened an enquiry within the extended time limit).
const ALLOWED: Record<number, AlertStatus[]> = {
  [S.ALERT_STATUS_NEW]: [S.ALERT_STATUS_ACKNOWLEDGED, S.ALERT_STATUS_IN_PROGRESS, S.ALERT_STATUS_SUPPRESSED, S.ALERT_STATUS_RESOLVED],
  [S.ALERT_STATUS_ACKNOWLEDGED]: [S.ALERT_STATUS_IN_PROGRESS, S.ALERT_STATUS_SUPPRESSED, S.ALERT_STATUS_RESOLVED, S.ALERT_STATUS_NEW],
  [S.ALERT_STATUS_IN_PROGRESS]: [S.ALERT_STATUS_SUPPRESSED, S.ALERT_STATUS_RESOLVED, S.ALERT_STATUS_NEW, S.ALERT_STATUS_ACKNOWLEDGED],
  [S.ALERT_STATUS_SUPPRESSED]: [S.ALERT_STATUS_IN_PROGRESS, S.ALERT_STATUS_RESOLVED, S.ALERT_STATUS_NEW],
  [S.ALERT_STATUS_RESOLVED]: [S.ALERT_STATUS_ARCHIVED, S.ALERT_STATUS_IN_PROGRESS],
  [S.ALERT_STATUS_EXPIRED]: [S.ALERT_STATUS_ARCHIVED, S.ALERT_STATUS_IN_PROGRESS],
  [S.ALERT_STATUS_ARCHIVED]: [],
};

export const STATUS_NAMES: Record<string, AlertStatus> = {
  new: S.ALERT_STATUS_NEW,
  acknowledged: S.ALERT_STATUS_ACKNOWLEDGED,
  in_progress: S.ALERT_STATUS_IN_PROGRESS,
  suppressed: S.ALERT_STATUS_SUPPRESSED,
  resolved: S.ALERT_STATUS_RESOLVED,
  expired: S.ALERT_STATUS_EXPIRED,
  archived: S.ALERT_STATUS_ARCHIVED,
};

export function statusName(s: AlertStatus): string {
  return Object.entries(STATUS_NAMES).find(([, v]) => v === s)?.[0] ?? 'unspecified';
}

/** Checks an analyst's transition; returns the reason it is refused, or undefined when allowed. */
export function checkTransition(from: AlertStatus, to: AlertStatus, disposition: string | undefined, reason: string | undefined): string | undefined {
  if (!(ALLOWED[from] ?? []).includes(to)) return `cannot move an alert from ${statusName(from)} to ${statusName(to)}`;
  if (!reason || !reason.trim()) return 'a reason is required for every change (it goes into the alert history)';
  if (to === S.ALERT_STATUS_RESOLVED && (!disposition || !(DISPOSITIONS as readonly string[]).includes(disposition))) {
    return `resolving needs a disposition: one of ${DISPOSITIONS.join(', ')}`;
  }
  if (to !== S.ALERT_STATUS_RESOLVED && disposition) return 'a disposition is given only when resolving';
  return undefined;
}

/** States that take repeats of their key (keyed suppression) and that deadlines still act on. */
export const OPEN_STATUSES: readonly AlertStatus[] = [S.ALERT_STATUS_NEW, S.ALERT_STATUS_IN_PROGRESS, S.ALERT_STATUS_SUPPRESSED, S.ALERT_STATUS_ACKNOWLEDGED];

export function isOpen(s: AlertStatus): boolean {
  return OPEN_STATUSES.includes(s);
}

import { AlertStatus } from '@customs/contracts';

/** Structured dispositions when an alert is resolved (DESIGN.md §7). */
export const DISPOSITIONS = ['true_positive_corrected_c2001', 'true_positive_reclaimed_c285', 'true_positive_disclosed', 'accepted_risk', 'false_positive', 'duplicate'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

// OCSF-like lifecycle: what an analyst may move an alert to from each state.
const ALLOWED: Record<number, AlertStatus[]> = {
  [AlertStatus.ALERT_STATUS_NEW]: [AlertStatus.ALERT_STATUS_IN_PROGRESS, AlertStatus.ALERT_STATUS_SUPPRESSED, AlertStatus.ALERT_STATUS_RESOLVED],
  [AlertStatus.ALERT_STATUS_IN_PROGRESS]: [AlertStatus.ALERT_STATUS_SUPPRESSED, AlertStatus.ALERT_STATUS_RESOLVED, AlertStatus.ALERT_STATUS_NEW],
  [AlertStatus.ALERT_STATUS_SUPPRESSED]: [AlertStatus.ALERT_STATUS_IN_PROGRESS, AlertStatus.ALERT_STATUS_RESOLVED],
  [AlertStatus.ALERT_STATUS_RESOLVED]: [AlertStatus.ALERT_STATUS_ARCHIVED, AlertStatus.ALERT_STATUS_IN_PROGRESS],
  [AlertStatus.ALERT_STATUS_ARCHIVED]: [],
};

export const STATUS_NAMES: Record<string, AlertStatus> = {
  new: AlertStatus.ALERT_STATUS_NEW,
  in_progress: AlertStatus.ALERT_STATUS_IN_PROGRESS,
  suppressed: AlertStatus.ALERT_STATUS_SUPPRESSED,
  resolved: AlertStatus.ALERT_STATUS_RESOLVED,
  archived: AlertStatus.ALERT_STATUS_ARCHIVED,
};

export function statusName(s: AlertStatus): string {
  return Object.entries(STATUS_NAMES).find(([, v]) => v === s)?.[0] ?? 'unspecified';
}

/** Checks an analyst's transition; returns the reason it is refused, or undefined when allowed. */
export function checkTransition(from: AlertStatus, to: AlertStatus, disposition: string | undefined, reason: string | undefined): string | undefined {
  if (!(ALLOWED[from] ?? []).includes(to)) return `cannot move an alert from ${statusName(from)} to ${statusName(to)}`;
  if (!reason || !reason.trim()) return 'a reason is required for every change (it goes into the alert history)';
  if (to === AlertStatus.ALERT_STATUS_RESOLVED && (!disposition || !(DISPOSITIONS as readonly string[]).includes(disposition))) {
    return `resolving needs a disposition: one of ${DISPOSITIONS.join(', ')}`;
  }
  return undefined;
}

/** Alerts in these states take repeats of their key (keyed suppression); others do not. */
export function isOpen(s: AlertStatus): boolean {
  return s === AlertStatus.ALERT_STATUS_NEW || s === AlertStatus.ALERT_STATUS_IN_PROGRESS || s === AlertStatus.ALERT_STATUS_SUPPRESSED;
}

// How an alert reads over REST: every field present (proto3 JSON drops zeros and empty lists, so
// "£0 reclaim" would vanish), days left computed at read time, state names for people. Pure.
import { Alert, ContributingFinding, Finding } from '@customs/contracts';
import { daysLeft } from './deadline';
import { statusName } from './lifecycle';

const ALERT_DEFAULTS = Alert.toJSON(Alert.fromPartial({})) as Record<string, unknown>;

function withDefaults(json: Record<string, unknown>, template: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) out[k] = json[k] ?? v;
  for (const [k, v] of Object.entries(json)) out[k] = v;
  return out;
}

// Alert.toJSON of an empty alert is {}: build the template from the message's own keys.
const TEMPLATE: Record<string, unknown> = (() => {
  const empty = Alert.fromPartial({}) as unknown as Record<string, unknown>;
  const t: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(empty)) t[k] = Array.isArray(v) ? [] : typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : v;
  t.severity = 'SEVERITY_UNSPECIFIED';
  t.status = 'ALERT_STATUS_UNSPECIFIED';
  return { ...t, ...ALERT_DEFAULTS };
})();
const FINDING_TEMPLATE: Record<string, unknown> = (() => {
  const empty = ContributingFinding.fromPartial({}) as unknown as Record<string, unknown>;
  const t: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(empty)) t[k] = typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : v;
  t.severity = 'SEVERITY_UNSPECIFIED';
  return t;
})();

const FEED_FINDING_TEMPLATE: Record<string, unknown> = (() => {
  const empty = Finding.fromPartial({}) as unknown as Record<string, unknown>;
  const t: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(empty)) t[k] = Array.isArray(v) ? [] : typeof v === 'number' ? 0 : typeof v === 'boolean' ? false : v !== null && typeof v === 'object' ? {} : v;
  t.severity = 'SEVERITY_UNSPECIFIED';
  return t;
})();

/** A finding as REST shows it: every field present (£0 reclaim stays visible). */
export function findingJson(f: Finding): Record<string, unknown> {
  return withDefaults(Finding.toJSON(f) as Record<string, unknown>, FEED_FINDING_TEMPLATE);
}

/** The alert as REST shows it, with `daysLeft` as of `today` (null when no deadline is known). */
export function alertJson(a: Alert, today: string): Record<string, unknown> {
  const json = withDefaults(Alert.toJSON(a) as Record<string, unknown>, TEMPLATE);
  json.findings = a.findings.map((f) => withDefaults(ContributingFinding.toJSON(f) as Record<string, unknown>, FINDING_TEMPLATE));
  json.daysLeft = a.deadline ? daysLeft(a.deadline, today) : null;
  json.hasDeadline = a.deadline !== '';
  json.statusName = statusName(a.status);
  json.moneyAtStakePence = a.exposurePence + a.reclaimPence;
  return json;
}

/** The alert as gRPC sends it: days left as of today. */
export function alertForRead(a: Alert, today: string): Alert {
  return { ...a, daysLeft: a.deadline ? daysLeft(a.deadline, today) : 0, hasDeadline: a.deadline !== '' };
}

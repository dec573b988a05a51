/**
 * What a delivery channel sends for one alert change, and to whom — pure: no I/O, the clock is
 * passed in. One AlertChanged (an alert_history row: the alert as it became, plus who moved it
 * from what to what and why) maps to
 *   - an OCSF Detection Finding (class_uid 2004) JSON body carrying the customs fields (money at
 *     stake in pence and £, statutory deadline and days left, importer, broker),
 *   - a CloudEvents 1.0 envelope around that body (built and validated by the `cloudevents` SDK),
 *   - a CEF:0 line for a customer's SIEM (syslog channel),
 * and a subscriber's filter (severity ≥, states, rule ids, min £) decides whether it gets it.
 */
import { CloudEvent, HTTP } from 'cloudevents';
import { AlertStatus, Severity, alertStatusToJSON, severityToJSON, type Alert, type AlertChanged } from '@customs/contracts';
import { daysLeft as clockDaysLeft, dayOf, isCalendarDate } from '@customs/legal-clock';

/** CloudEvents `type` and `source` of every alert change this service delivers. */
export const ALERT_CHANGED_TYPE = 'customs.alerting.alert.changed.v1';
export const ALERT_SOURCE = '/customs/alerting';
export const OCSF_VERSION = '1.3.0';
const VENDOR = 'Customs Monitor';
const PRODUCT = 'alerting';
const PRODUCT_VERSION = '1.0';

/**
 * A correlated alert (a broker's threshold, an importer's risk) can gather thousands of findings;
 * a delivered change lists the latest ones (they are appended) and says how many there are — the
 * whole alert is at GET /v1/alerts/:id. Keeps a webhook body or syslog line bounded.
 */
export const MAX_LISTED_FINDINGS = 50;

function latest<T>(xs: readonly T[] | undefined): T[] {
  return (xs ?? []).slice(-MAX_LISTED_FINDINGS);
}

/** The event id of an alert change: the same on Kafka (ce_id), webhooks, SSE and syslog. */
export function changeEventId(tenantId: string, cursor: number): string {
  return `alert-change/${tenantId}/${cursor}`;
}

/** "in_progress" for ALERT_STATUS_IN_PROGRESS; follows the enum as the proto grows. */
export function statusKey(s: AlertStatus): string {
  return alertStatusToJSON(s)
    .replace(/^ALERT_STATUS_/, '')
    .toLowerCase();
}
/** "high" for SEVERITY_HIGH. */
export function severityKey(s: Severity): string {
  return severityToJSON(s)
    .replace(/^SEVERITY_/, '')
    .toLowerCase();
}

/** Every state name a filter may name (derived from the enum, so new states are accepted). */
export function stateNames(): Record<string, AlertStatus> {
  const out: Record<string, AlertStatus> = {};
  for (const v of Object.values(AlertStatus)) {
    if (typeof v !== 'number' || v === AlertStatus.ALERT_STATUS_UNSPECIFIED) continue;
    out[statusKey(v)] = v;
  }
  return out;
}
export function severityNames(): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  for (const v of Object.values(Severity)) {
    if (typeof v !== 'number' || v === Severity.SEVERITY_UNSPECIFIED) continue;
    out[severityKey(v)] = v;
  }
  return out;
}

/** Pence as an exact decimal string of pounds ("1234.05"); never a float. */
export function penceToPounds(pence: number): string {
  const sign = pence < 0 ? '-' : '';
  const p = Math.abs(Math.trunc(pence));
  return `${sign}${Math.floor(p / 100)}.${String(p % 100).padStart(2, '0')}`;
}

/** Whole days from `now`'s UTC date to a "YYYY-MM-DD" deadline (0 on the day, negative after). */
export function daysLeft(deadline: string, now: Date): number | undefined {
  return isCalendarDate(deadline) ? clockDaysLeft(deadline, dayOf(now)) : undefined;
}

function epochMs(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : undefined;
}

/** Money at stake: what HMRC can demand plus what the importer can recover. */
export function moneyAtStakePence(a: Alert): number {
  return a.exposurePence + a.reclaimPence;
}

// ---------------------------------------------------------------------------------------------
// Filters

/** A subscriber's filter; every present criterion must hold. */
export interface DeliveryFilter {
  /** Alert severity at least this. */
  minSeverity?: Severity;
  /** Alert state (after the change) is one of these. */
  states?: AlertStatus[];
  /** The alert rule (AR-001) or one of its findings' rules (C08) is one of these. */
  ruleIds?: string[];
  /** Money at stake (exposure + reclaim) at least this many pence. */
  minPence?: number;
}

export function matchesFilter(f: DeliveryFilter, a: Alert): boolean {
  if (f.minSeverity !== undefined && a.severity < f.minSeverity) return false;
  if (f.states?.length && !f.states.includes(a.status)) return false;
  if (f.ruleIds?.length && !f.ruleIds.includes(a.alertRuleId) && !a.ruleIds.some((r) => f.ruleIds!.includes(r))) return false;
  if (f.minPence !== undefined && moneyAtStakePence(a) < f.minPence) return false;
  return true;
}

/** The filter as the API shows it (names, pounds). */
export function filterToJson(f: DeliveryFilter): Record<string, unknown> {
  return {
    ...(f.minSeverity !== undefined ? { minSeverity: severityKey(f.minSeverity) } : {}),
    ...(f.states?.length ? { states: f.states.map(statusKey) } : {}),
    ...(f.ruleIds?.length ? { ruleIds: f.ruleIds } : {}),
    ...(f.minPence !== undefined ? { minPounds: Number(penceToPounds(f.minPence)) } : {}),
  };
}

/** A refused input: which field and why (the API answers 400 with both). */
export interface FieldProblem {
  field: string;
  message: string;
}

const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reads a filter from API input: `{minSeverity, states, ruleIds, minPounds}` (JSON body) or the
 * same names as query strings with comma lists (SSE). Problems name the field, e.g.
 * "filters.minSeverity".
 */
export function parseDeliveryFilter(input: unknown, where = 'filters'): { filter: DeliveryFilter } | { problem: FieldProblem } {
  if (input === undefined || input === null) return { filter: {} };
  if (typeof input !== 'object' || Array.isArray(input)) return { problem: { field: where, message: 'must be an object' } };
  const o = input as Record<string, unknown>;
  const known = ['minSeverity', 'states', 'ruleIds', 'minPounds'];
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown) return { problem: { field: `${where}.${unknown}`, message: `unknown filter; known: ${known.join(', ')}` } };
  const f: DeliveryFilter = {};
  const list = (v: unknown): unknown[] =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : Array.isArray(v)
        ? v
        : [v];
  if (o.minSeverity !== undefined && o.minSeverity !== '') {
    const sev = severityNames()[String(o.minSeverity).toLowerCase()];
    if (sev === undefined) return { problem: { field: `${where}.minSeverity`, message: `must be one of ${Object.keys(severityNames()).join(', ')}` } };
    f.minSeverity = sev;
  }
  if (o.states !== undefined && o.states !== '') {
    const names = stateNames();
    const states: AlertStatus[] = [];
    for (const s of list(o.states)) {
      const st = typeof s === 'string' ? names[s.toLowerCase()] : undefined;
      if (st === undefined) return { problem: { field: `${where}.states`, message: `each state must be one of ${Object.keys(names).join(', ')}` } };
      states.push(st);
    }
    if (states.length) f.states = [...new Set(states)];
  }
  if (o.ruleIds !== undefined && o.ruleIds !== '') {
    const ids = list(o.ruleIds);
    if (ids.length > 100) return { problem: { field: `${where}.ruleIds`, message: 'at most 100 rule ids' } };
    for (const r of ids) if (typeof r !== 'string' || !RULE_ID.test(r)) return { problem: { field: `${where}.ruleIds`, message: 'each rule id must be like AR-001 or C08' } };
    if (ids.length) f.ruleIds = [...new Set(ids as string[])];
  }
  if (o.minPounds !== undefined && o.minPounds !== '') {
    const text = String(o.minPounds);
    // Pounds with at most two decimals, turned into pence exactly (no float rounding).
    const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
    if (!m || (typeof o.minPounds !== 'number' && typeof o.minPounds !== 'string'))
      return { problem: { field: `${where}.minPounds`, message: 'must be a non-negative amount in pounds with at most 2 decimals' } };
    f.minPence = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  }
  return { filter: f };
}

// ---------------------------------------------------------------------------------------------
// OCSF Detection Finding

const CLOSED = new Set(['resolved', 'archived', 'expired']);
// OCSF status_id of a Detection Finding: New 1, In Progress 2, Suppressed 3, Resolved 4,
// Archived 5, Other 99 (our acknowledged / expired, named in `status`).
const OCSF_STATUS: Record<string, number> = { new: 1, in_progress: 2, suppressed: 3, resolved: 4, archived: 5 };

export interface OcsfDetectionFinding {
  class_uid: 2004;
  class_name: 'Detection Finding';
  category_uid: 2;
  category_name: 'Findings';
  activity_id: 1 | 2 | 3;
  activity_name: 'Create' | 'Update' | 'Close';
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  time: number;
  message: string;
  comment: string;
  metadata: Record<string, unknown>;
  finding_info: Record<string, unknown>;
  resources: Record<string, unknown>[];
  customs: Record<string, unknown>;
  [k: string]: unknown;
}

function capitalised(s: string): string {
  return s
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/**
 * The OCSF 1.3 Detection Finding of an alert change. Customs fields travel in the `customs`
 * object, declared as an extension in `metadata.extensions` (OCSF's place for attributes its
 * schema does not have); everything that has an OCSF home (severity, status, times, analytic,
 * resources) is also mapped there.
 */
export function toOcsfFinding(change: AlertChanged, now: Date): OcsfDetectionFinding {
  const a = (change.alert ?? {}) as Alert;
  const c = change.change;
  const to = statusKey(a.status);
  const from = c ? statusKey(c.fromStatus) : 'unspecified';
  const activity = from === 'unspecified' ? 1 : CLOSED.has(to) && !CLOSED.has(from) ? 3 : 2;
  const activityName = activity === 1 ? 'Create' : activity === 3 ? 'Close' : 'Update';
  const at = c?.at || a.updatedAt;
  const left = daysLeft(a.deadline, now);
  const importer = a.importerEori;
  const broker = a.declarantId;
  const resources: Record<string, unknown>[] = [];
  const declarations = a.declarationIds?.length ? a.declarationIds : a.declarationId ? [a.declarationId] : [];
  for (const d of declarations) resources.push({ type: 'declaration', uid: d, ...(d === a.declarationId && a.mrn ? { name: a.mrn } : {}) });
  for (const code of a.commodityCodes ?? []) resources.push({ type: 'commodity_code', uid: code });
  if (importer) resources.push({ type: 'importer', uid: importer });
  if (broker) resources.push({ type: 'broker', uid: broker });
  const money = (total: number, duty?: number, vat?: number) => ({
    pence: total,
    gbp: penceToPounds(total),
    ...(duty !== undefined && vat !== undefined && (duty || vat) ? { duty_pence: duty, duty_gbp: penceToPounds(duty), vat_pence: vat, vat_gbp: penceToPounds(vat) } : {}),
  });
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    category_uid: 2,
    category_name: 'Findings',
    activity_id: activity,
    activity_name: activityName,
    type_uid: 200400 + activity,
    type_name: `Detection Finding: ${activityName}`,
    // Our Severity enum uses OCSF's own numbers (1 Informational … 5 Critical).
    severity_id: a.severity ?? 0,
    severity: capitalised(a.severity ? severityKey(a.severity) : 'unknown').replace('Info', 'Informational'),
    status_id: OCSF_STATUS[to] ?? 99,
    status: capitalised(to),
    time: epochMs(at) ?? now.getTime(),
    message: a.summary || a.title,
    comment: c?.reason ?? '',
    metadata: {
      version: OCSF_VERSION,
      product: { name: PRODUCT, vendor_name: VENDOR, version: PRODUCT_VERSION },
      uid: changeEventId(a.tenantId, a.cursor),
      tenant_uid: a.tenantId,
      sequence: a.cursor,
      extensions: [{ name: 'customs', uid: '999', version: '1.0.0' }],
    },
    finding_info: {
      uid: a.alertId,
      title: a.title,
      desc: c?.reason ?? '',
      created_time: epochMs(a.createdAt),
      modified_time: epochMs(a.updatedAt),
      first_seen_time: epochMs(a.firstSeen),
      last_seen_time: epochMs(a.lastSeen),
      analytic: { uid: a.alertRuleId, name: a.alertRuleId, type_id: 1, type: 'Rule', version: a.alertRuleHash, ...(a.alertRuleType ? { category: a.alertRuleType } : {}) },
      types: a.ruleIds,
      related_events: a.findings?.length
        ? latest(a.findings).map((f) => ({ uid: f.findingId, type: 'customs finding', title: f.title, ...(f.withdrawn ? { status: 'withdrawn' } : {}) }))
        : latest(a.findingIds).map((uid) => ({ uid, type: 'customs finding' })),
    },
    resources,
    customs: {
      tenant_id: a.tenantId,
      alert_id: a.alertId,
      cursor: a.cursor,
      state: to,
      disposition: a.disposition || undefined,
      exposure: money(a.exposurePence, a.exposureDutyPence, a.exposureVatPence),
      reclaim: money(a.reclaimPence, a.reclaimDutyPence, a.reclaimVatPence),
      money_at_stake: money(moneyAtStakePence(a)),
      deadline: a.deadline || undefined,
      days_left: left,
      importer: importer || undefined,
      broker: broker || undefined,
      mrn: a.mrn || undefined,
      declaration_id: a.declarationId || undefined,
      declaration_ids: a.declarationIds?.length ? a.declarationIds : undefined,
      commodity_codes: a.commodityCodes?.length ? a.commodityCodes : undefined,
      finding_count: a.findingIds.length,
      // The latest MAX_LISTED_FINDINGS only (see there).
      finding_ids: latest(a.findingIds),
      findings: a.findings?.length
        ? latest(a.findings).map((f) => ({
            finding_id: f.findingId,
            rule_id: f.ruleId,
            title: f.title,
            severity: f.severity ? severityKey(f.severity) : undefined,
            declaration_id: f.declarationId || undefined,
            mrn: f.mrn || undefined,
            exposure_pence: f.exposureDutyPence + f.exposureVatPence,
            reclaim_pence: f.reclaimDutyPence + f.reclaimVatPence,
            deadline: f.deadline || undefined,
            withdrawn: f.withdrawn || undefined,
          }))
        : undefined,
      rule_ids: a.ruleIds,
      families: a.families?.length ? a.families : undefined,
      alert_rule: { id: a.alertRuleId, hash: a.alertRuleHash, type: a.alertRuleType || undefined },
      summary: a.summary || undefined,
      assignee: a.assignee || undefined,
      suppressed_count: a.suppressedCount,
      change: { actor: c?.actor ?? '', kind: c?.kind || undefined, from, to, reason: c?.reason ?? '', at },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CloudEvents

/** The CloudEvents 1.0 envelope of an alert change, validated by the SDK. */
export function toCloudEvent(change: AlertChanged, now: Date): CloudEvent<OcsfDetectionFinding> {
  const a = change.alert!;
  return new CloudEvent<OcsfDetectionFinding>({
    specversion: '1.0',
    id: changeEventId(a.tenantId, a.cursor),
    source: ALERT_SOURCE,
    type: ALERT_CHANGED_TYPE,
    subject: a.alertId,
    time: new Date(epochMs(change.change?.at || a.updatedAt) ?? now.getTime()).toISOString(),
    datacontenttype: 'application/json',
    dataschema: `https://schema.ocsf.io/${OCSF_VERSION}/classes/detection_finding`,
    data: toOcsfFinding(change, now),
    tenantid: a.tenantId,
    // CloudEvents "sequence" extension: compared as strings, hence zero-padded.
    sequence: String(a.cursor).padStart(16, '0'),
  });
}

/** CloudEvents `type` of the test delivery an admin asks for (POST /v1/webhooks/:id/test). */
export const WEBHOOK_TEST_TYPE = 'customs.alerting.webhook.test.v1';

/** A test delivery's body: a CloudEvent that carries no alert, so a receiver can tell it apart. */
export function toTestEventJson(tenantId: string, subscriptionId: string, now: Date): { id: string; body: string } {
  const id = `webhook-test/${subscriptionId}/${now.getTime()}`;
  const ce = new CloudEvent({
    specversion: '1.0',
    id,
    source: ALERT_SOURCE,
    type: WEBHOOK_TEST_TYPE,
    subject: subscriptionId,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: { message: 'test delivery from customs-monitor alerting', subscription_id: subscriptionId },
    tenantid: tenantId,
  });
  return { id, body: String(HTTP.structured(ce).body) };
}

/** Structured-mode HTTP body (application/cloudevents+json) of an alert change. */
export function toStructuredJson(change: AlertChanged, now: Date): { contentType: string; body: string } {
  const msg = HTTP.structured(toCloudEvent(change, now));
  return { contentType: String(msg.headers['content-type'] ?? 'application/cloudevents+json; charset=utf-8'), body: String(msg.body) };
}

// ---------------------------------------------------------------------------------------------
// CEF

/** CEF header fields escape backslash and pipe. */
export function cefHeader(v: string): string {
  return v
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ');
}
/** CEF extension values escape backslash and equals, and write line breaks as \n / \r. */
export function cefValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

// CEF severity 0–10 from ours.
const CEF_SEVERITY: Record<number, number> = { 0: 0, 1: 1, 2: 3, 3: 5, 4: 8, 5: 10 };

/**
 * The CEF:0 line of an alert change. Standard keys where CEF has them (rt, externalId, msg,
 * suser, reason, act, cnt, start, end, eventId), labelled custom fields (csN/cnN/cfpN/flex*) for
 * the customs ones; the field list is in services/alerting/README.md.
 */
export function toCef(change: AlertChanged, now: Date): string {
  const a = (change.alert ?? {}) as Alert;
  const c = change.change;
  const to = statusKey(a.status);
  const importer = a.importerEori;
  const broker = a.declarantId;
  const left = daysLeft(a.deadline, now);
  const deadlineMs = a.deadline ? Date.parse(`${a.deadline}T00:00:00Z`) : NaN;
  const ext: [string, string | number | undefined][] = [
    ['rt', epochMs(c?.at || a.updatedAt)],
    ['eventId', a.cursor],
    ['externalId', a.alertId],
    ['cat', 'customs-alert'],
    ['act', c?.kind || (c && c.fromStatus === AlertStatus.ALERT_STATUS_UNSPECIFIED ? 'raised' : `${c ? statusKey(c.fromStatus) : ''}->${to}`)],
    ['outcome', to],
    ['suser', c?.actor],
    ['reason', c?.reason],
    ['msg', a.summary || a.title],
    ['cnt', a.findingIds.length],
    ['start', epochMs(a.firstSeen)],
    ['end', epochMs(a.lastSeen)],
    ['cs1Label', 'tenant'],
    ['cs1', a.tenantId],
    ['cs2Label', 'importer'],
    ['cs2', importer || undefined],
    ['cs3Label', 'broker'],
    ['cs3', broker || undefined],
    ['cs4Label', 'mrn'],
    ['cs4', a.mrn || undefined],
    ['cs5Label', 'findingRules'],
    ['cs5', a.ruleIds.join(',') || undefined],
    ['cs6Label', 'ruleHash'],
    ['cs6', a.alertRuleHash || undefined],
    ['cn1Label', 'exposurePence'],
    ['cn1', a.exposurePence],
    ['cn2Label', 'reclaimPence'],
    ['cn2', a.reclaimPence],
    ['cn3Label', 'daysLeft'],
    ['cn3', left],
    ['cfp1Label', 'exposureGBP'],
    ['cfp1', penceToPounds(a.exposurePence)],
    ['cfp2Label', 'reclaimGBP'],
    ['cfp2', penceToPounds(a.reclaimPence)],
    ['flexDate1Label', 'deadline'],
    ['flexDate1', Number.isFinite(deadlineMs) ? deadlineMs : undefined],
    ['flexString1Label', 'deadlineDate'],
    ['flexString1', a.deadline || undefined],
    ['flexString2Label', 'declarationId'],
    ['flexString2', a.declarationId || undefined],
  ];
  // A label without its value says nothing: drop both.
  const present = new Set(ext.filter(([, v]) => v !== undefined && v !== '').map(([k]) => k));
  const fields = ext.filter(([k, v]) => v !== undefined && v !== '' && (!k.endsWith('Label') || present.has(k.slice(0, -'Label'.length))));
  const header = ['CEF:0', VENDOR, PRODUCT, PRODUCT_VERSION, a.alertRuleId || 'alert', a.title || 'alert change', String(CEF_SEVERITY[a.severity] ?? 0)].map((h, i) => (i === 0 ? h : cefHeader(h)));
  return `${header.join('|')}|${fields.map(([k, v]) => `${k}=${cefValue(String(v))}`).join(' ')}`;
}

/** RFC 5424 severity (0 emergency … 7 debug) of an alert severity. */
export function syslogSeverity(s: Severity): number {
  switch (s) {
    case Severity.SEVERITY_CRITICAL:
      return 2;
    case Severity.SEVERITY_HIGH:
      return 3;
    case Severity.SEVERITY_MEDIUM:
      return 4;
    case Severity.SEVERITY_LOW:
      return 5;
    default:
      return 6;
  }
}

const PRINTUSASCII = /[^\x21-\x7e]/g;

/**
 * One RFC 5424 syslog message carrying a CEF line, framed by octet counting (RFC 6587 §3.4.1:
 * "LEN SP MSG") for TCP. MSG is written without the UTF-8 BOM RFC 5424 suggests: CEF parsers
 * (and rsyslog's msg property) would keep it as part of the first header field.
 */
export function toSyslogFrame(change: AlertChanged, opts: { facility: number; hostname: string; appName?: string; now: Date }): Buffer {
  const a = change.alert!;
  const pri = opts.facility * 8 + syslogSeverity(a.severity);
  const ts = new Date(epochMs(change.change?.at || a.updatedAt) ?? opts.now.getTime()).toISOString();
  const host = (opts.hostname.replace(PRINTUSASCII, '') || '-').slice(0, 255);
  const app = (opts.appName ?? 'customs-alerting').replace(PRINTUSASCII, '').slice(0, 48) || '-';
  const msg = Buffer.from(`<${pri}>1 ${ts} ${host} ${app} - alert - ${toCef(change, opts.now)}`, 'utf8');
  return Buffer.concat([Buffer.from(`${msg.length} `, 'ascii'), msg]);
}

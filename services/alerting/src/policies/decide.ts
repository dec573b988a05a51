// Correlation, pure: needs(inputs, rules) says which state to load; decide(state, inputs, rules,
// now) says what changes (raise / absorb / escalate / expire / auto-resolve / reopen) and which
// facts to remember. decideTick(state, rules, now) is the scheduled pass (deadlines move with
// time, not only with arrivals). No I/O, no clock: `now` is an argument.
import { createHash } from 'node:crypto';
import { Alert, AlertStatus, ContributingFinding, Severity, type Finding } from '@customs/contracts';
import { addDays, bandFor, dayNumber, daysLeft, isoDay } from './deadline';
import { matchingException, type AlertException } from './exceptions';
import { SYSTEM_DISPOSITION_WITHDRAWN, isOpen, statusName } from './lifecycle';
import type { AlertEffect, ChangeKind, Decision, Input, KeyedAlert, Needs, PendingTerm, RulesFor, Slice, State } from './model';
import {
  SEVERITY_BY_LEVEL,
  type AlertRule,
  type DeadlineRule,
  type FindingFilter,
  type FindingMatchRule,
  type GroupField,
  type Level,
  type NewTermsRule,
  type RiskAccumulationRule,
  type ScoreChangeRule,
  type ThresholdRule,
} from './rules';

const S = AlertStatus;
const LEVEL_OF: Record<number, Level> = {
  [Severity.SEVERITY_INFO]: 'info',
  [Severity.SEVERITY_LOW]: 'low',
  [Severity.SEVERITY_MEDIUM]: 'medium',
  [Severity.SEVERITY_HIGH]: 'high',
  [Severity.SEVERITY_CRITICAL]: 'critical',
};

/** Contributing findings listed on one alert; more are counted and priced, not listed (bounded payloads). */
export const MAX_LISTED_FINDINGS = 500;

export const money = (f: Finding) => f.exposureDutyPence + f.exposureVatPence + f.reclaimDutyPence + f.reclaimVatPence;
const exposure = (f: Finding) => f.exposureDutyPence + f.exposureVatPence;
const reclaim = (f: Finding) => f.reclaimDutyPence + f.reclaimVatPence;
const pounds = (p: number) => `£${(p / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** Event time of a finding: the declaration's acceptance date (backfills arrive in bulk, years late). */
const eventDay = (f: Finding) => f.acceptanceDate || f.raisedAt.slice(0, 10);

/** Value of a group-by field on a finding. */
export function fieldOf(f: Finding, g: GroupField): string {
  switch (g) {
    case 'declaration_id':
      return f.declarationId;
    case 'rule_id':
      return f.ruleId;
    case 'importer':
      return f.importerEori;
    case 'broker':
    case 'declarant':
      return f.declarantId;
    case 'item_number':
      return String(f.itemNumber);
    case 'supplier':
      return f.supplier;
    case 'commodity_code':
      return f.commodityCode;
    case 'origin_country':
      return f.originCountry;
    case 'cpc':
      return f.cpc;
    case 'family':
      return f.family;
  }
}

/** Does the finding pass the rule's filter? */
export function filterMatches(m: FindingFilter, f: Finding): boolean {
  if (m.families && !m.families.includes(f.family)) return false;
  if (m.ruleIds && !m.ruleIds.includes(f.ruleId)) return false;
  if (m.maxSeverity !== undefined && f.severity > m.maxSeverity) return false;
  if (m.minPence !== undefined && money(f) < m.minPence) return false;
  const severityOk = m.minSeverity === undefined || f.severity >= m.minSeverity;
  return severityOk || (m.orMoneyAtStake === true && money(f) > 0);
}

/** Suppression key of a finding under a grouping rule; undefined when a group value is unknown. */
export function groupKey(rule: { id: string; groupBy: GroupField[] }, f: Finding): string | undefined {
  const parts = rule.groupBy.map((g) => fieldOf(f, g));
  // A finding with no broker (self-lodged) or no supplier does not belong to a "same broker" group.
  if (rule.groupBy.some((g, i) => g !== 'item_number' && parts[i] === '')) return undefined;
  return `${rule.id}|${parts.join('|')}`;
}

const riskKey = (r: RiskAccumulationRule, f: Finding) => {
  const v = fieldOf(f, r.entity);
  return v ? `${r.id}|${r.entity}=${v}` : undefined;
};
const deadlineKey = (r: DeadlineRule, declarationId: string) => `${r.id}|${declarationId}`;
export const termKey = (r: { id: string }, importer: string, field: string, value: string) => `${r.id}|${importer}|${field}|${value}`;
const scoreKey = (r: ScoreChangeRule, type: string, id: string) => `${r.id}|${type}|${id}`;

function alertIdFor(tenantId: string, key: string, seed: string): string {
  const h = createHash('sha256').update(`${tenantId}|${key}|${seed}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------- needs

/** The slices still worth loading once the alerts of their keys are known (open keys absorb, no window). */
export function slicesToLoad(slices: readonly Slice[], alerts: readonly KeyedAlert[]): Slice[] {
  const open = new Set(alerts.filter((a) => isOpen(a.alert.status)).map((a) => `${a.alert.tenantId}|${a.key}`));
  return slices.filter((s) => s.keys.length === 0 || s.keys.some((k) => !open.has(`${s.tenantId}|${k}`)));
}

/** Which state decide() needs for these inputs (the app loads it in a few batched queries). */
export function needs(inputs: readonly Input[], rulesFor: RulesFor): Needs {
  const keys = new Map<string, { tenantId: string; key: string }>();
  const findingIds: Needs['findingIds'] = [];
  const slices = new Map<string, Slice>();
  const terms = new Map<string, Needs['terms'][number]>();
  const importers = new Map<string, Needs['importers'][number]>();
  const scoreMarks = new Map<string, Needs['scoreMarks'][number]>();
  const key = (tenantId: string, k: string | undefined) => {
    if (k) keys.set(`${tenantId}|${k}`, { tenantId, key: k });
  };
  const slice = (tenantId: string, field: GroupField, value: string, from: string, to: string, forKey: string) => {
    if (!value) return;
    const id = `${tenantId}|${field}|${value}`;
    const s = slices.get(id);
    if (!s) slices.set(id, { tenantId, field, value, from, to, keys: [forKey] });
    else {
      if (!s.keys.includes(forKey)) s.keys.push(forKey);
      // One slice per (field, value): widen the date range; "" = open on that side.
      s.from = s.from === '' || from === '' ? '' : from < s.from ? from : s.from;
      s.to = s.to === '' || to === '' ? '' : to > s.to ? to : s.to;
    }
  };
  for (const input of inputs) {
    const rules = rulesFor(input.tenantId);
    if (input.kind === 'checked') {
      for (const id of input.supersededIds) findingIds.push({ tenantId: input.tenantId, findingId: id });
      // Every alert listing a finding raised again, whatever its key (restored there by decide).
      for (const id of input.raisedAgainIds ?? []) findingIds.push({ tenantId: input.tenantId, findingId: id });
      for (const f of input.findings) {
        const day = eventDay(f);
        for (const r of rules) {
          if (r.type === 'finding_match' && filterMatches(r.match, f)) key(input.tenantId, groupKey(r, f));
          if (r.type === 'threshold' && filterMatches(r.match, f)) {
            const k = groupKey(r, f);
            key(input.tenantId, k);
            if (k)
              slice(input.tenantId, r.groupBy.find((g) => g !== 'item_number')!, fieldOf(f, r.groupBy.find((g) => g !== 'item_number')!), addDays(day, -r.windowDays), addDays(day, r.windowDays), k);
          }
          if (r.type === 'risk_accumulation' && filterMatches(r.match, f)) {
            const k = riskKey(r, f);
            key(input.tenantId, k);
            if (k) slice(input.tenantId, r.entity, fieldOf(f, r.entity), addDays(day, -r.windowDays), addDays(day, r.windowDays), k);
          }
          if (r.type === 'deadline') {
            key(input.tenantId, deadlineKey(r, f.declarationId));
            slice(input.tenantId, 'declaration_id', f.declarationId, '', '', deadlineKey(r, f.declarationId));
          }
        }
      }
    } else if (input.kind === 'declaration') {
      if (!input.importer) continue;
      importers.set(`${input.tenantId}|${input.importer}`, { tenantId: input.tenantId, importer: input.importer });
      for (const t of input.terms) {
        terms.set(`${input.tenantId}|${input.importer}|${t.field}|${t.value}`, { tenantId: input.tenantId, importer: input.importer, field: t.field, value: t.value });
        for (const r of rules) if (r.type === 'new_terms' && r.fields.includes(t.field)) key(input.tenantId, termKey(r, input.importer, t.field, t.value));
      }
    } else {
      for (const r of rules) {
        if (r.type !== 'score_change' || !(r.entityTypes as string[]).includes(input.entityType)) continue;
        const k = scoreKey(r, input.entityType, input.entityId);
        key(input.tenantId, k);
        scoreMarks.set(`${input.tenantId}|${k}`, { tenantId: input.tenantId, key: k });
      }
    }
  }
  return { keys: [...keys.values()], findingIds, slices: [...slices.values()], terms: [...terms.values()], importers: [...importers.values()], scoreMarks: [...scoreMarks.values()] };
}

// ---------------------------------------------------------------- working set

class Work {
  /** tenant|finding id of findings new to the store in this batch (undefined: treat all as new). */
  fresh: Set<string> | undefined;
  readonly byKey = new Map<string, KeyedAlert>();
  readonly byId = new Map<string, KeyedAlert>();
  readonly effects = new Map<string, AlertEffect>();
  readonly at: string;
  readonly today: string;

  constructor(
    state: State,
    readonly rulesFor: RulesFor,
    readonly now: Date,
    readonly exceptions: readonly AlertException[],
  ) {
    this.at = now.toISOString();
    this.today = isoDay(now);
    for (const ka of state.alerts) {
      const copy = { key: ka.key, alert: Alert.fromPartial(ka.alert) };
      this.byId.set(copy.alert.alertId, copy);
      const k = `${copy.alert.tenantId}|${copy.key}`;
      // Prefer the open alert of a key over a reopenable one.
      const cur = this.byKey.get(k);
      if (!cur || (!isOpen(cur.alert.status) && isOpen(copy.alert.status))) this.byKey.set(k, copy);
    }
  }

  isNew(f: Finding): boolean {
    return !this.fresh || this.fresh.has(`${f.tenantId}|${f.findingId}`);
  }

  ruleOf(a: Alert): AlertRule | undefined {
    return this.rulesFor(a.tenantId).find((r) => r.id === a.alertRuleId);
  }

  /** The open alert of a key, if any. */
  open(tenantId: string, key: string): KeyedAlert | undefined {
    const ka = this.byKey.get(`${tenantId}|${key}`);
    return ka && isOpen(ka.alert.status) ? ka : undefined;
  }

  /** The latest alert of a key, whatever its status. */
  latest(tenantId: string, key: string): KeyedAlert | undefined {
    return this.byKey.get(`${tenantId}|${key}`);
  }

  /** The alert of a key that was auto-resolved because its findings were withdrawn (reopens when a finding joins). */
  reopenable(tenantId: string, key: string): KeyedAlert | undefined {
    const ka = this.byKey.get(`${tenantId}|${key}`);
    return ka && ka.alert.status === S.ALERT_STATUS_RESOLVED && ka.alert.disposition === SYSTEM_DISPOSITION_WITHDRAWN ? ka : undefined;
  }

  record(ka: KeyedAlert, isNew: boolean, from: AlertStatus, kind: ChangeKind, reason: string, notifyWanted = true): void {
    const a = ka.alert;
    a.updatedAt = this.at;
    let notify = notifyWanted;
    if (kind === 'absorbed' && notifyWanted) {
      // Throttling is separate from detection: the repeat is recorded either way, but pages
      // subscribers again only once the rule's throttle has elapsed since the last page.
      const throttleMs = (this.ruleOf(a)?.throttleMinutes ?? 60) * 60_000;
      notify = !a.notifiedAt || this.now.getTime() - Date.parse(a.notifiedAt) >= throttleMs;
    }
    if (notify) a.notifiedAt = this.at;
    let eff = this.effects.get(a.alertId);
    if (!eff) {
      eff = { key: ka.key, alert: a, isNew, entries: [] };
      this.effects.set(a.alertId, eff);
    }
    const last = eff.entries[eff.entries.length - 1];
    // Consecutive absorbs of one batch are one history entry (reasons joined), not one per finding.
    if (last && last.kind === 'absorbed' && kind === 'absorbed' && last.to === a.status) {
      last.reason = `${last.reason}; ${reason}`;
      last.notify = last.notify || notify;
      last.snapshot = Alert.fromPartial(a);
      return;
    }
    eff.entries.push({ actor: 'system', at: this.at, from, to: a.status, kind, reason, notify, snapshot: Alert.fromPartial(a) });
  }

  /** Raises a new alert (suppressed instead when an active exception covers it). */
  raise(key: string, alert: Alert, reason: string): KeyedAlert {
    const ka = { key, alert };
    const exception = matchingException(this.exceptions, alert, this.now);
    if (exception) {
      alert.status = S.ALERT_STATUS_SUPPRESSED;
      alert.exceptionId = exception.id;
      reason = `${reason}; suppressed by exception ${exception.id} (owner ${exception.owner}: ${exception.reason}; until ${exception.expiresAt})`;
    }
    this.byKey.set(`${alert.tenantId}|${key}`, ka);
    this.byId.set(alert.alertId, ka);
    this.record(ka, true, S.ALERT_STATUS_UNSPECIFIED, 'raised', reason, !exception);
    return ka;
  }

  base(rule: AlertRule, tenantId: string, key: string, seed: string, severity: Severity): Alert {
    return Alert.fromPartial({
      alertId: alertIdFor(tenantId, key, seed),
      tenantId,
      alertRuleId: rule.id,
      alertRuleHash: rule.hash,
      alertRuleType: rule.type,
      severity,
      status: S.ALERT_STATUS_NEW,
      createdAt: this.at,
      updatedAt: this.at,
      firstSeen: this.at,
      lastSeen: this.at,
    });
  }
}

function contributing(f: Finding, riskPoints = 0): ContributingFinding {
  return ContributingFinding.fromPartial({
    findingId: f.findingId,
    ruleId: f.ruleId,
    family: f.family,
    title: f.title,
    severity: f.severity,
    declarationId: f.declarationId,
    mrn: f.mrn,
    itemNumber: f.itemNumber,
    exposureDutyPence: f.exposureDutyPence,
    exposureVatPence: f.exposureVatPence,
    reclaimDutyPence: f.reclaimDutyPence,
    reclaimVatPence: f.reclaimVatPence,
    deadline: f.deadline,
    acceptanceDate: f.acceptanceDate,
    commodityCode: f.commodityCode,
    riskPoints,
  });
}

/** Recomputes an alert's money, deadlines and pivots from its live contributing findings. */
export function recompute(a: Alert): void {
  if (a.findings.length === 0) return;
  const live = a.findings.filter((f) => !f.withdrawn);
  const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x !== ''))];
  a.findingIds = [...new Set([...a.findingIds, ...a.findings.map((f) => f.findingId)])];
  a.exposureDutyPence = live.reduce((s, f) => s + f.exposureDutyPence, 0) + a.omittedExposureDutyPence;
  a.exposureVatPence = live.reduce((s, f) => s + f.exposureVatPence, 0) + a.omittedExposureVatPence;
  a.reclaimDutyPence = live.reduce((s, f) => s + f.reclaimDutyPence, 0) + a.omittedReclaimDutyPence;
  a.reclaimVatPence = live.reduce((s, f) => s + f.reclaimVatPence, 0) + a.omittedReclaimVatPence;
  a.exposurePence = a.exposureDutyPence + a.exposureVatPence;
  a.reclaimPence = a.reclaimDutyPence + a.reclaimVatPence;
  const deadlines = [...live.map((f) => f.deadline), a.omittedEarliestDeadline, a.omittedLatestDeadline].filter((d) => d !== '').sort();
  a.deadline = deadlines[0] ?? '';
  a.latestDeadline = deadlines[deadlines.length - 1] ?? '';
  a.hasDeadline = deadlines.length > 0;
  a.declarationIds = uniq(a.findings.map((f) => f.declarationId));
  a.commodityCodes = uniq(live.map((f) => f.commodityCode));
  a.ruleIds = uniq(a.findings.map((f) => f.ruleId));
  a.families = uniq(live.map((f) => f.family));
  a.riskPoints = live.reduce((s, f) => s + f.riskPoints, 0);
}

function pivotsFrom(a: Alert, f: Finding): void {
  a.importerEori ||= f.importerEori;
  a.declarantId ||= f.declarantId;
  a.mrn ||= f.mrn;
  a.declarationId ||= f.declarationId;
}

/** Adds a finding to an open alert (keyed suppression: counted, not re-raised). */
function absorb(w: Work, ka: KeyedAlert, f: Finding, severity: Severity | undefined, riskPoints = 0): void {
  const a = ka.alert;
  // A finding withdrawn and now raised again (scoring judged the history again) contributes again.
  const was = a.findings.find((c) => c.findingId === f.findingId);
  if (was?.withdrawn) {
    was.withdrawn = false;
    was.withdrawnReason = '';
    recompute(a);
    w.record(ka, false, a.status, 'absorbed', `finding ${f.ruleId} ${f.findingId} raised again after it was withdrawn; ${a.findings.filter((x) => !x.withdrawn).length} contribute`);
    return;
  }
  // findingIds too: alerts raised before contributing findings were recorded list only the ids.
  if (was || a.findingIds.includes(f.findingId)) return;
  if (a.findings.length >= MAX_LISTED_FINDINGS) {
    // Beyond the listed findings: counted once (a re-sent finding the store already knew is not
    // counted again) and priced, not listed.
    if (!w.isNew(f)) return;
    a.omittedFindings += 1;
    a.omittedExposureDutyPence += f.exposureDutyPence;
    a.omittedExposureVatPence += f.exposureVatPence;
    a.omittedReclaimDutyPence += f.reclaimDutyPence;
    a.omittedReclaimVatPence += f.reclaimVatPence;
    if (f.deadline && (!a.omittedEarliestDeadline || f.deadline < a.omittedEarliestDeadline)) a.omittedEarliestDeadline = f.deadline;
    if (f.deadline && f.deadline > a.omittedLatestDeadline) a.omittedLatestDeadline = f.deadline;
    // Risk points stay those of the listed findings: the alert has long fired.
  } else {
    a.findings.push(contributing(f, riskPoints));
  }
  a.suppressedCount += 1;
  a.lastSeen = f.raisedAt || w.at;
  if (severity !== undefined) a.severity = Math.max(a.severity, severity) as Severity;
  recompute(a);
  w.record(ka, false, a.status, 'absorbed', `repeat suppressed: finding ${f.ruleId} ${f.findingId}${f.declarationId !== a.declarationId ? ` on declaration ${f.mrn || f.declarationId}` : ''}`);
}

function reopen(w: Work, ka: KeyedAlert, f: Finding, riskPoints = 0): void {
  const a = ka.alert;
  const from = a.status;
  a.status = S.ALERT_STATUS_NEW;
  a.disposition = '';
  // The same finding raised again after it was withdrawn takes its place back (not listed twice).
  const again = a.findings.findIndex((c) => c.findingId === f.findingId);
  if (again >= 0) a.findings[again] = contributing(f, riskPoints);
  else a.findings.push(contributing(f, riskPoints));
  a.lastSeen = f.raisedAt || w.at;
  recompute(a);
  w.record(ka, false, from, 'reopened', `reopened: finding ${f.ruleId} ${f.findingId} ${again >= 0 ? 'raised again after it was withdrawn' : 'joined after the earlier findings were withdrawn'}`);
}

/** Open alert of the key absorbs the finding, an auto-resolved one reopens; true when handled. */
function joinExisting(w: Work, tenantId: string, key: string, f: Finding, severity: Severity | undefined, riskPoints = 0): boolean {
  const open = w.open(tenantId, key);
  if (open) {
    absorb(w, open, f, severity, riskPoints);
    return true;
  }
  const again = w.reopenable(tenantId, key);
  // Not on a finding it already lists, unless that one was withdrawn and is now raised again (new to the store once more).
  if (again && (!again.alert.findings.some((c) => c.findingId === f.findingId) || w.isNew(f))) {
    reopen(w, again, f, riskPoints);
    return true;
  }
  // A closed alert of the key (expired, or closed by an analyst) that lists this finding as
  // withdrawn: the finding raised again contributes there again; no second alert for it.
  const closed = w.latest(tenantId, key);
  return closed !== undefined && restoreInClosed(w, closed, f);
}

/**
 * A finding raised again after it was withdrawn counts again in every alert that lists it as
 * withdrawn, whichever rule path reached it above (or none: an older alert of a key that has a
 * newer one, a rule whose group no longer qualifies). An open alert counts it; the key's
 * auto-resolved alert reopens; any other closed one lists it live and keeps its status.
 */
function restoreRaisedAgain(w: Work, f: Finding): void {
  for (const ka of w.byId.values()) {
    if (ka.alert.tenantId !== f.tenantId) continue;
    const was = ka.alert.findings.find((c) => c.findingId === f.findingId && c.withdrawn);
    if (!was) continue;
    if (isOpen(ka.alert.status)) absorb(w, ka, f, undefined, was.riskPoints);
    else if (w.reopenable(f.tenantId, ka.key) === ka) reopen(w, ka, f, was.riskPoints);
    else restoreInClosed(w, ka, f);
  }
}

/** A closed alert that lists the finding as withdrawn counts it again (it was raised again); true when it did. */
function restoreInClosed(w: Work, ka: KeyedAlert, f: Finding): boolean {
  const was = ka.alert.findings.find((c) => c.findingId === f.findingId && c.withdrawn);
  if (!was) return false;
  was.withdrawn = false;
  was.withdrawnReason = '';
  recompute(ka.alert);
  w.record(ka, false, ka.alert.status, 'absorbed', `finding ${f.ruleId} ${f.findingId} raised again after it was withdrawn (the alert stays ${statusName(ka.alert.status)})`, false);
  return true;
}

// ---------------------------------------------------------------- sliding windows

/**
 * The best window of `windowDays` days that contains day `t` (by event time), over items that
 * carry a day: windows ending on each item day from t to t + windowDays − 1 are tried, so a
 * backfilled finding can complete a window that ends after it.
 */
function windows<T>(items: readonly T[], dayOf: (x: T) => string, t: string, windowDays: number): T[][] {
  const td = dayNumber(t);
  // Sorted once by day: each window is then a contiguous run (two pointers, no re-filtering).
  const sorted = items.map((x) => ({ x, d: dayNumber(dayOf(x)) })).sort((a, b) => a.d - b.d);
  const ends = [...new Set(sorted.map((e) => e.d).filter((d) => d >= td && d < td + windowDays))];
  const out: T[][] = [];
  let lo = 0;
  let hi = 0;
  for (const e of ends) {
    while (lo < sorted.length && sorted[lo]!.d <= e - windowDays) lo++;
    while (hi < sorted.length && sorted[hi]!.d <= e) hi++;
    out.push(sorted.slice(lo, hi).map((v) => v.x));
  }
  return out;
}

function measureOf(r: ThresholdRule, fs: readonly Finding[]): number {
  switch (r.measure) {
    case 'count':
      return fs.length;
    case 'money_at_stake':
      return fs.reduce((s, f) => s + money(f), 0);
    case 'exposure':
      return fs.reduce((s, f) => s + exposure(f), 0);
    case 'reclaim':
      return fs.reduce((s, f) => s + reclaim(f), 0);
  }
}

/** Risk points per finding in date order, each validation rule capped per entity and window. */
function riskPoints(r: RiskAccumulationRule, fs: readonly Finding[], already: Map<string, number> = new Map()): Map<string, number> {
  const used = new Map(already);
  const out = new Map<string, number>();
  for (const f of [...fs].sort((a, b) => eventDay(a).localeCompare(eventDay(b)) || a.findingId.localeCompare(b.findingId))) {
    const raw = r.points[LEVEL_OF[f.severity] ?? 'info'];
    const u = used.get(f.ruleId) ?? 0;
    const p = Math.max(0, Math.min(raw, r.perRuleCap - u));
    used.set(f.ruleId, u + p);
    out.set(f.findingId, p);
  }
  return out;
}

// ---------------------------------------------------------------- per rule type

function onFindingMatch(w: Work, r: FindingMatchRule, tenantId: string, f: Finding): void {
  if (!filterMatches(r.match, f)) return;
  const key = groupKey(r, f);
  if (!key) return;
  const severity = Math.max(SEVERITY_BY_LEVEL[r.level], f.severity) as Severity;
  if (joinExisting(w, tenantId, key, f, severity)) return;
  const a = w.base(r, tenantId, key, f.findingId, severity);
  a.title = `${r.name}: ${f.ruleId} ${f.title}`;
  a.entityType = 'declaration';
  a.entityId = f.declarationId;
  a.firstSeen = a.lastSeen = f.raisedAt || w.at;
  a.findings = [contributing(f)];
  pivotsFrom(a, f);
  recompute(a);
  a.summary = `${f.ruleId} on declaration ${f.mrn || f.declarationId}: ${pounds(money(f))} at stake`;
  w.raise(key, a, `raised by ${r.id} on finding ${f.ruleId} ${f.findingId}`);
}

function groupDescription(r: { groupBy: GroupField[] }, f: Finding): string {
  return r.groupBy.map((g) => `${g === 'declarant' ? 'broker' : g.replace('_', ' ')} ${fieldOf(f, g)}`).join(', ');
}

/**
 * The batch's stored findings that it does not withdraw, and their groups per rule: each is
 * computed once per batch, the first time a rule asks, so a finding's threshold, risk and deadline
 * rules read their group instead of scanning every stored finding (that scan, once per finding and
 * rule, made alerting's CPU per line grow with the history: docs/performance.md). A group is
 * handed out as a copy, in stored order, as the scan gave it.
 */
class StoredFindings {
  private readonly groups = new Map<string, Map<string, Finding[]>>();
  constructor(readonly all: readonly Finding[]) {}

  /** The tenant's stored findings that `match` admits and whose `keyOf` is `key`; `id` names the grouping. */
  group(id: string, tenantId: string, match: FindingFilter | undefined, keyOf: (g: Finding) => string | undefined, key: string): Finding[] {
    const cacheKey = `${tenantId}|${id}`;
    let m = this.groups.get(cacheKey);
    if (!m) {
      m = new Map();
      for (const g of this.all) {
        if (g.tenantId !== tenantId || (match && !filterMatches(match, g))) continue;
        const k = keyOf(g);
        if (k === undefined) continue;
        const l = m.get(k);
        if (l) l.push(g);
        else m.set(k, [g]);
      }
      this.groups.set(cacheKey, m);
    }
    return [...(m.get(key) ?? [])];
  }
}

function onThreshold(w: Work, r: ThresholdRule, tenantId: string, f: Finding, stored: StoredFindings): void {
  if (!filterMatches(r.match, f)) return;
  const key = groupKey(r, f);
  if (!key) return;
  if (joinExisting(w, tenantId, key, f, undefined)) return;
  const group = stored.group(`threshold|${r.id}`, tenantId, r.match, (g) => groupKey(r, g), key);
  if (!group.some((g) => g.findingId === f.findingId)) group.push(f);
  // No window can reach the threshold when the whole group does not.
  if (measureOf(r, group) < r.atLeast) return;
  const hit = windows(group, eventDay, eventDay(f), r.windowDays).find((win) => measureOf(r, win) >= r.atLeast);
  if (!hit) return;
  const a = w.base(r, tenantId, key, `${eventDay(f)}|${f.findingId}`, SEVERITY_BY_LEVEL[r.level]);
  const value = measureOf(r, hit);
  const what = r.measure === 'count' ? `${value} findings` : `${pounds(value)} ${r.measure.replace(/_/g, ' ')}`;
  const first = r.groupBy.find((g) => g !== 'item_number')!;
  a.entityType = first === 'declarant' ? 'broker' : first;
  a.entityId = fieldOf(f, first);
  a.findings = hit.map((g) => contributing(g));
  for (const g of hit) pivotsFrom(a, g);
  if (!r.groupBy.includes('importer')) a.importerEori = hit.every((g) => g.importerEori === f.importerEori) ? f.importerEori : '';
  a.declarationId = '';
  a.mrn = '';
  recompute(a);
  a.title = `${r.name}: ${what} (${groupDescription(r, f)}) within ${r.windowDays} days`;
  a.summary = `${what} from ${groupDescription(r, f)} accepted between ${hit.map(eventDay).sort()[0]} and ${hit.map(eventDay).sort().at(-1)} (threshold ${r.measure === 'count' ? r.atLeast : pounds(r.atLeast)} in ${r.windowDays} days)`;
  w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
}

function onRisk(w: Work, r: RiskAccumulationRule, tenantId: string, f: Finding, stored: StoredFindings): void {
  if (!filterMatches(r.match, f)) return;
  const key = riskKey(r, f);
  if (!key) return;
  const value = fieldOf(f, r.entity);
  const open = w.open(tenantId, key);
  if (open) {
    const used = new Map<string, number>();
    for (const c of open.alert.findings) if (!c.withdrawn) used.set(c.ruleId, (used.get(c.ruleId) ?? 0) + c.riskPoints);
    absorb(w, open, f, undefined, riskPoints(r, [f], used).get(f.findingId) ?? 0);
    return;
  }
  // Auto-resolved because its findings were withdrawn, and this one is raised again: it reopens
  // with the finding in its place (with its points), not a second alert of the key.
  const resolved = w.reopenable(tenantId, key);
  const was = resolved?.alert.findings.find((c) => c.findingId === f.findingId && c.withdrawn);
  if (resolved && was) {
    reopen(w, resolved, f, was.riskPoints);
    return;
  }
  const group = stored.group(`risk|${r.id}`, tenantId, r.match, (g) => fieldOf(g, r.entity), value);
  if (!group.some((g) => g.findingId === f.findingId)) group.push(f);
  // No window can fire when the whole group (capped per rule) does not: skip the window scan.
  const allPoints = [...riskPoints(r, group).values()].reduce((x, p) => x + p, 0);
  const allFamilies = new Set(group.map((g) => g.family)).size;
  if (!(r.fireAtPoints > 0 && allPoints >= r.fireAtPoints) && !(r.fireAtFamilies > 0 && allFamilies >= r.fireAtFamilies)) return;
  for (const win of windows(group, eventDay, eventDay(f), r.windowDays)) {
    const points = riskPoints(r, win);
    const total = [...points.values()].reduce((s, p) => s + p, 0);
    const families = new Set(win.map((g) => g.family));
    const byPoints = r.fireAtPoints > 0 && total >= r.fireAtPoints;
    const byFamilies = r.fireAtFamilies > 0 && families.size >= r.fireAtFamilies;
    if (!byPoints && !byFamilies) continue;
    const a = w.base(r, tenantId, key, `${eventDay(f)}|${f.findingId}`, SEVERITY_BY_LEVEL[r.level]);
    a.entityType = r.entity === 'commodity_code' ? 'commodity' : r.entity;
    a.entityId = value;
    a.findings = win.map((g) => contributing(g, points.get(g.findingId) ?? 0));
    for (const g of win) pivotsFrom(a, g);
    if (r.entity !== 'importer') a.importerEori = win.every((g) => g.importerEori === f.importerEori) ? f.importerEori : '';
    if (r.entity !== 'broker') a.declarantId = win.every((g) => g.declarantId === f.declarantId) ? f.declarantId : '';
    a.declarationId = '';
    a.mrn = '';
    recompute(a);
    const why = [
      byPoints ? `${total} risk points (threshold ${r.fireAtPoints})` : '',
      byFamilies ? `${families.size} rule families (${[...families].sort().join(', ')}; threshold ${r.fireAtFamilies})` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    a.title = `${r.name}: ${a.entityType} ${value} — ${why} within ${r.windowDays} days`;
    a.summary = `${win.length} findings on ${a.entityType} ${value}: ${why}`;
    w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
    return;
  }
}

/** A deadline rule on one declaration's live findings: raise, escalate or nothing. */
function evaluateDeadline(w: Work, r: DeadlineRule, tenantId: string, declarationId: string, live: readonly Finding[]): void {
  const key = deadlineKey(r, declarationId);
  const amount = (f: Finding) => (r.measure === 'reclaim' ? reclaim(f) : exposure(f));
  const dated = live.filter((f) => amount(f) > 0 && f.deadline !== '');
  const measured = dated.filter((f) => daysLeft(f.deadline, w.today) >= 0);
  const open = w.open(tenantId, key);
  if (open) {
    // absorb also counts again a listed finding that was withdrawn and is live again.
    for (const f of measured) if (!open.alert.findings.some((c) => c.findingId === f.findingId && !c.withdrawn)) absorb(w, open, f, undefined);
    escalate(w, r, open);
    return;
  }
  // Once raised for a declaration, a deadline rule does not raise again (an analyst who resolved
  // it — e.g. a C285 filed — is not paged anew); the alert itself escalates and expires. A
  // finding it lists as withdrawn that is live again counts there again.
  const before = w.latest(tenantId, key);
  if (before) {
    for (const f of live) restoreInClosed(w, before, f);
    return;
  }
  const total = measured.reduce((s, f) => s + amount(f), 0);
  if (measured.length === 0 || total < r.minPence) {
    // Time-barred on arrival (a backfill of old history): recorded once as `expired`, so the
    // money that was lost (reclaim) or escaped demand (exposure) is visible, not silently dropped.
    const passed = dated.filter((f) => daysLeft(f.deadline, w.today) < 0 && daysLeft(f.deadline, w.today) >= -r.passedWithinDays);
    const lost = passed.reduce((s, f) => s + amount(f), 0);
    if (r.passedWithinDays === 0 || measured.length > 0 || passed.length === 0 || lost < r.minPence) return;
    const latest = passed
      .map((f) => f.deadline)
      .sort()
      .at(-1)!;
    const a = w.base(r, tenantId, key, `${declarationId}|passed`, SEVERITY_BY_LEVEL[r.bands[r.bands.length - 1]!.level]);
    a.entityType = 'declaration';
    a.entityId = declarationId;
    a.findings = passed.map((f) => contributing(f));
    for (const f of passed) pivotsFrom(a, f);
    recompute(a);
    a.title = `${r.name}: ${pounds(lost)} ${r.measure} on declaration ${a.mrn || declarationId} — time-barred since ${latest}`;
    a.summary = `${pounds(lost)} ${r.measure} whose statutory deadline ${latest} passed ${-daysLeft(latest, w.today)} days ago`;
    w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
    return;
  }
  const earliest = measured.map((f) => f.deadline).sort()[0]!;
  const band = bandFor(r.bands, daysLeft(earliest, w.today));
  if (!band) return;
  const a = w.base(r, tenantId, key, `${declarationId}|${w.today}`, SEVERITY_BY_LEVEL[band.level]);
  a.entityType = 'declaration';
  a.entityId = declarationId;
  a.findings = measured.map((f) => contributing(f));
  for (const f of measured) pivotsFrom(a, f);
  recompute(a);
  a.deadlineBand = band.days;
  const left = daysLeft(earliest, w.today);
  a.title = `${r.name}: ${pounds(total)} ${r.measure} on declaration ${a.mrn || declarationId} — deadline ${earliest} (${left} days)`;
  a.summary = `${pounds(total)} ${r.measure} whose statutory deadline ${earliest} is within ${band.days} days (${left} left)`;
  w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
}

/** Moves a deadline alert into a narrower band as days pass (severity up, subscribers told). */
function escalate(w: Work, r: DeadlineRule, ka: KeyedAlert): void {
  const a = ka.alert;
  if (!a.hasDeadline) return;
  const left = daysLeft(a.deadline, w.today);
  const band = bandFor(r.bands, left);
  if (!band || (a.deadlineBand !== 0 && band.days >= a.deadlineBand)) return;
  const from = a.deadlineBand;
  a.deadlineBand = band.days;
  a.severity = Math.max(a.severity, SEVERITY_BY_LEVEL[band.level]) as Severity;
  w.record(ka, false, a.status, 'escalated', `escalated: deadline ${a.deadline} is ${left} days away (band ${from || '—'} → ${band.days} days, ${band.level})`);
}

/** An open alert all of whose statutory deadlines have passed becomes `expired` (time-barred). */
function expireIfPassed(w: Work, ka: KeyedAlert): void {
  const a = ka.alert;
  if (!isOpen(a.status) || !a.hasDeadline || !a.latestDeadline || daysLeft(a.latestDeadline, w.today) >= 0) return;
  const from = a.status;
  a.status = S.ALERT_STATUS_EXPIRED;
  const what =
    a.reclaimPence > 0 && a.exposurePence === 0
      ? `the reclaim of ${pounds(a.reclaimPence)} can no longer be claimed (C285 window closed)`
      : `HMRC can no longer demand the ${pounds(a.exposurePence)} exposure${a.reclaimPence > 0 ? ` and the ${pounds(a.reclaimPence)} reclaim is lost` : ''}`;
  w.record(ka, false, from, 'expired', `expired: statutory deadline ${a.latestDeadline} passed — ${what} (time-barred, 3 years from acceptance)`);
}

function withdraw(w: Work, tenantId: string, findingId: string, why: string): void {
  for (const ka of w.byId.values()) {
    const a = ka.alert;
    if (a.tenantId !== tenantId) continue;
    const c = a.findings.find((x) => x.findingId === findingId && !x.withdrawn);
    if (!c) continue;
    c.withdrawn = true;
    c.withdrawnReason = why;
    recompute(a);
    const from = a.status;
    if (a.findings.every((x) => x.withdrawn) && isOpen(a.status)) {
      a.status = S.ALERT_STATUS_RESOLVED;
      a.disposition = SYSTEM_DISPOSITION_WITHDRAWN;
      w.record(ka, false, from, 'auto_resolved', `auto-resolved: every contributing finding was withdrawn or superseded (last: ${c.ruleId} ${findingId}, ${why})`);
    } else {
      w.record(ka, false, from, 'absorbed', `finding ${c.ruleId} ${findingId} withdrawn (${why}); ${a.findings.filter((x) => !x.withdrawn).length} still contribute`, false);
    }
  }
}

/** Require history before calling anything new: an importer's first declarations (or a backfill's first weeks) would otherwise make every value "new". */
function historyOk(r: NewTermsRule, count: number, first: string, date: string): boolean {
  return count >= r.minHistoryDeclarations && first !== '' && daysLeft(date, first) >= r.historyDays;
}

/** Pending first sightings judged again with the history that has arrived since (scheduled pass). */
function onPendingTerm(w: Work, p: PendingTerm, out: Decision): void {
  let stillPending = false;
  for (const r of w.rulesFor(p.tenantId)) {
    if (r.type !== 'new_terms' || !r.fields.includes(p.field)) continue;
    if (r.ignoreSelf && p.field === 'declarant' && p.value === p.importer) continue;
    const key = termKey(r, p.importer, p.field, p.value);
    if (w.byKey.has(`${p.tenantId}|${key}`)) continue;
    if (!historyOk(r, p.historyCount, p.historyFirst, p.firstDate)) {
      stillPending = true;
      continue;
    }
    const a = w.base(r, p.tenantId, key, p.declarationId, SEVERITY_BY_LEVEL[r.level]);
    a.entityType = 'importer';
    a.entityId = p.importer;
    a.importerEori = p.importer;
    if (p.field === 'declarant') a.declarantId = p.value;
    a.declarationId = p.declarationId;
    a.declarationIds = [p.declarationId];
    a.termField = p.field;
    a.termValue = p.value;
    if (p.field === 'commodity_code') a.commodityCodes = [p.value];
    a.title = `${r.name}: ${p.field.replace('_', ' ')} ${p.value} first seen for importer ${p.importer}`;
    a.summary = `first appearance of ${p.field} ${p.value} for importer ${p.importer} on declaration ${p.declarationId} (accepted ${p.firstDate}), after ${p.historyCount} declarations since ${p.historyFirst} (history that arrived after it)`;
    w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
  }
  out.termChecks.push({ tenantId: p.tenantId, importer: p.importer, field: p.field, value: p.value, pending: stillPending });
}

function onDeclaration(w: Work, d: Extract<Input, { kind: 'declaration' }>, state: State, out: Decision): void {
  if (!d.importer || !d.acceptanceDate) return;
  const rules = w.rulesFor(d.tenantId).filter((r): r is NewTermsRule => r.type === 'new_terms');
  const ik = `${d.tenantId}|${d.importer}`;
  const hist = state.importers.get(ik) ?? { firstDate: '', count: 0 };
  for (const t of d.terms) {
    const tk = `${d.tenantId}|${d.importer}|${t.field}|${t.value}`;
    const seen = state.terms.get(tk);
    if (seen && seen.firstDate <= d.acceptanceDate) continue;
    let pending = false;
    for (const r of rules) {
      if (!r.fields.includes(t.field)) continue;
      if (r.ignoreSelf && t.field === 'declarant' && t.value === d.importer) continue;
      const key = termKey(r, d.importer, t.field, t.value);
      const open = w.open(d.tenantId, key);
      if (seen && open) {
        // History arrived late: the "new" term had been used earlier, so the alert was wrong.
        const from = open.alert.status;
        open.alert.status = S.ALERT_STATUS_RESOLVED;
        open.alert.disposition = 'duplicate';
        w.record(
          open,
          false,
          from,
          'auto_resolved',
          `auto-resolved: ${t.field} ${t.value} was already used by importer ${d.importer} on declaration ${d.mrn || d.declarationId} accepted ${d.acceptanceDate}, before ${seen.firstDate}`,
        );
        continue;
      }
      if (seen || open) continue;
      // Require history before calling anything new: an importer's first declarations (or a
      // backfill's first weeks) would otherwise make every value "new".
      if (!historyOk(r, hist.count, hist.firstDate, d.acceptanceDate)) {
        pending = true;
        continue;
      }
      const a = w.base(r, d.tenantId, key, d.declarationId, SEVERITY_BY_LEVEL[r.level]);
      a.entityType = 'importer';
      a.entityId = d.importer;
      a.importerEori = d.importer;
      a.declarantId = d.declarant;
      a.declarationId = d.declarationId;
      a.declarationIds = [d.declarationId];
      a.mrn = d.mrn;
      a.termField = t.field;
      a.termValue = t.value;
      if (t.field === 'commodity_code') a.commodityCodes = [t.value];
      a.title = `${r.name}: ${t.field.replace('_', ' ')} ${t.value} first seen for importer ${d.importer}`;
      a.summary = `first appearance of ${t.field} ${t.value} for importer ${d.importer} on declaration ${d.mrn || d.declarationId} (accepted ${d.acceptanceDate}), after ${hist.count} declarations since ${hist.firstDate}`;
      w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
    }
    state.terms.set(tk, { firstDate: d.acceptanceDate, declarationId: d.declarationId });
    out.terms.push({ tenantId: d.tenantId, importer: d.importer, field: t.field, value: t.value, firstDate: d.acceptanceDate, declarationId: d.declarationId, pending });
  }
  // An amendment (version > 1) is not a new declaration of the importer's history.
  if (d.version <= 1) {
    state.importers.set(ik, { firstDate: hist.firstDate === '' || d.acceptanceDate < hist.firstDate ? d.acceptanceDate : hist.firstDate, count: hist.count + 1 });
    out.importerDeclarations.push({ tenantId: d.tenantId, importer: d.importer, declarationId: d.declarationId, acceptanceDate: d.acceptanceDate });
  }
}

function onScore(w: Work, s: Extract<Input, { kind: 'score' }>, state: State, out: Decision): void {
  for (const r of w.rulesFor(s.tenantId)) {
    if (r.type !== 'score_change' || !(r.entityTypes as string[]).includes(s.entityType)) continue;
    const key = scoreKey(r, s.entityType, s.entityId);
    const mk = `${s.tenantId}|${key}`;
    // The high-water mark: a slow slide of many small drops still fires once it totals N. The
    // first score alerting sees is the baseline (a new broker starts at the scorer's 100, so its
    // first finding is not a "drop").
    let mark = state.scoreMarks.get(mk) ?? s.score;
    if (s.score > mark) mark = s.score;
    const drop = mark - s.score;
    if (drop >= r.dropPoints) {
      const open = w.open(s.tenantId, key);
      if (open) {
        open.alert.scoreAfter = s.score;
        open.alert.suppressedCount += 1;
        open.alert.lastSeen = w.at;
        w.record(open, false, open.alert.status, 'absorbed', `score of ${s.entityType} ${s.entityId} fell again: ${mark} → ${s.score}`);
      } else {
        const a = w.base(r, s.tenantId, key, s.eventId, SEVERITY_BY_LEVEL[r.level]);
        a.entityType = s.entityType;
        a.entityId = s.entityId;
        if (s.entityType === 'broker') a.declarantId = s.entityId;
        else a.importerEori = s.entityId;
        a.scoreBefore = mark;
        a.scoreAfter = s.score;
        a.title = `${r.name}: ${s.entityType} ${s.entityId} score ${mark} → ${s.score} (−${drop})`;
        a.summary = `${s.entityType} score fell ${drop} points from its high-water mark ${mark} to ${s.score} (threshold ${r.dropPoints})`;
        w.raise(key, a, `raised by ${r.id}: ${a.summary}`);
      }
      mark = s.score;
    }
    state.scoreMarks.set(mk, mark);
    out.scoreMarks.push({ tenantId: s.tenantId, key, highWater: mark });
  }
}

function finish(w: Work, out: Decision): Decision {
  // Every alert touched, and every loaded one, is checked against the clock: a time-barred
  // alert does not stay "new" (or critical) after its deadline.
  for (const ka of w.byId.values()) expireIfPassed(w, ka);
  out.alerts = [...w.effects.values()];
  // Last write wins per mark key.
  out.scoreMarks = [...new Map(out.scoreMarks.map((m) => [`${m.tenantId}|${m.key}`, m])).values()];
  return out;
}

/** What a batch of inputs changes, given the state needs() asked for. */
export function decide(state: State, inputs: readonly Input[], rulesFor: RulesFor, now: Date): Decision {
  const w = new Work(state, rulesFor, now, state.exceptions);
  if (inputs.some((i) => i.kind === 'checked' && i.newFindingIds !== undefined)) {
    w.fresh = new Set(inputs.flatMap((i) => (i.kind === 'checked' ? (i.newFindingIds ?? i.findings.map((f) => f.findingId)).map((id) => `${i.tenantId}|${id}`) : [])));
  }
  const out: Decision = { alerts: [], terms: [], termChecks: [], importerDeclarations: [], scoreMarks: [] };
  // Declarations in acceptance-date order, so a backfill's earliest sighting of a term wins.
  const ordered = [...inputs].sort((a, b) => (a.kind === 'declaration' && b.kind === 'declaration' ? a.acceptanceDate.localeCompare(b.acceptanceDate) : 0));
  const withdrawnIds = new Set(inputs.flatMap((i) => (i.kind === 'checked' ? i.supersededIds : [])));
  // The same for every input of the batch (decide reads state.findings, never changes it).
  const stored = new StoredFindings(state.findings.filter((f) => !withdrawnIds.has(f.findingId)));
  for (const input of ordered) {
    if (input.kind === 'declaration') onDeclaration(w, input, state, out);
    else if (input.kind === 'score') onScore(w, input, state, out);
    else {
      const rules = rulesFor(input.tenantId);
      // The version's new findings first, then the findings it superseded: a finding that carries
      // over to version 2 is absorbed before version 1's copy is withdrawn, so the alert stays open.
      for (const f of input.findings) {
        if (f.tenantId !== input.tenantId) continue;
        for (const r of rules) {
          if (r.type === 'finding_match') onFindingMatch(w, r, input.tenantId, f);
          else if (r.type === 'threshold') onThreshold(w, r, input.tenantId, f, stored);
          else if (r.type === 'risk_accumulation') onRisk(w, r, input.tenantId, f, stored);
        }
      }
      const raisedAgain = new Set(input.raisedAgainIds ?? []);
      for (const f of input.findings) if (f.tenantId === input.tenantId && raisedAgain.has(f.findingId)) restoreRaisedAgain(w, f);
      for (const id of input.supersededIds) withdraw(w, input.tenantId, id, input.withdrawnReason ?? `superseded by version ${input.version} of declaration ${input.declarationId}`);
      for (const r of rules) {
        if (r.type !== 'deadline') continue;
        const live = stored.group('declaration', input.tenantId, undefined, (g) => g.declarationId, input.declarationId);
        for (const f of input.findings) if (!live.some((x) => x.findingId === f.findingId)) live.push(f);
        if (live.length || input.supersededIds.length) evaluateDeadline(w, r, input.tenantId, input.declarationId, live);
      }
    }
  }
  return finish(w, out);
}

/** State of the scheduled pass: open alerts with deadlines, and live findings of candidate declarations. */
export interface TickState {
  alerts: KeyedAlert[];
  /** Live findings of declarations with money due within the widest deadline band and no alert of that rule yet. */
  candidates: Finding[];
  exceptions: AlertException[];
  /** First sightings waiting for history (new_terms), with the alerts of their keys in `alerts`. */
  pendingTerms: PendingTerm[];
}

/** Widest band of any deadline rule (how far ahead the tick must look). */
export function deadlinePastDays(rules: readonly AlertRule[]): number {
  return Math.max(0, ...rules.filter((r): r is DeadlineRule => r.type === 'deadline').map((r) => r.passedWithinDays));
}

export function deadlineHorizonDays(rules: readonly AlertRule[]): number {
  return Math.max(0, ...rules.filter((r): r is DeadlineRule => r.type === 'deadline').flatMap((r) => r.bands.map((b) => b.days)));
}

/** The scheduled pass: deadline alerts raised and escalated as time passes; time-barred alerts expire. */
export function decideTick(state: TickState, rulesFor: RulesFor, now: Date): Decision {
  const w = new Work({ alerts: state.alerts, findings: [], terms: new Map(), importers: new Map(), scoreMarks: new Map(), exceptions: state.exceptions }, rulesFor, now, state.exceptions);
  const out: Decision = { alerts: [], terms: [], termChecks: [], importerDeclarations: [], scoreMarks: [] };
  for (const ka of w.byId.values()) {
    const r = w.ruleOf(ka.alert);
    if (r?.type === 'deadline' && isOpen(ka.alert.status)) escalate(w, r, ka);
  }
  const byDecl = new Map<string, Finding[]>();
  for (const f of state.candidates) byDecl.set(`${f.tenantId}|${f.declarationId}`, [...(byDecl.get(`${f.tenantId}|${f.declarationId}`) ?? []), f]);
  for (const fs of byDecl.values()) {
    const { tenantId, declarationId } = fs[0]!;
    for (const r of rulesFor(tenantId)) if (r.type === 'deadline') evaluateDeadline(w, r, tenantId, declarationId, fs);
  }
  for (const p of state.pendingTerms) onPendingTerm(w, p, out);
  return finish(w, out);
}

// An in-memory stand-in for the store, for pure tests of the policies: it answers needs() the
// way the SQL repository does (open alert per key or the latest, windows by field and date,
// first sightings, importer history, score marks) and applies decisions.
import { Alert, AlertStatus, Finding, Severity } from '@customs/contracts';
import { decide, decideTick, deadlineHorizonDays, deadlinePastDays, fieldOf } from '../decide';
import { addDays, isoDay } from '../deadline';
import type { AlertException } from '../exceptions';
import { isOpen } from '../lifecycle';
import type { AlertEffect, HistoryEntry, Input, KeyedAlert, Needs, RulesFor, State } from '../model';
import { needs, slicesToLoad } from '../decide';
import type { AlertRule, TermField } from '../rules';

export class MemoryStore {
  alerts: KeyedAlert[] = [];
  history: (HistoryEntry & { alertId: string; cursor: number })[] = [];
  findings: (Finding & { withdrawn?: boolean })[] = [];
  terms = new Map<string, { firstDate: string; declarationId: string; pending?: boolean }>();
  importerDeclarations = new Map<string, { acceptanceDate: string }>();
  scoreMarks = new Map<string, number>();
  exceptions: AlertException[] = [];
  private cursor = 0;

  constructor(readonly rulesFor: RulesFor) {}

  private byKeys(keys: { tenantId: string; key: string }[]): KeyedAlert[] {
    const out: KeyedAlert[] = [];
    for (const k of keys) {
      const of = this.alerts.filter((a) => a.alert.tenantId === k.tenantId && a.key === k.key);
      const pick = of.find((a) => isOpen(a.alert.status)) ?? of.sort((a, b) => b.alert.createdAt.localeCompare(a.alert.createdAt))[0];
      if (pick) out.push({ key: pick.key, alert: Alert.fromPartial(pick.alert) });
    }
    return out;
  }

  load(n: Needs, now: Date): State {
    const alerts = this.byKeys(n.keys);
    for (const f of n.findingIds) {
      for (const a of this.alerts) {
        if (a.alert.tenantId === f.tenantId && a.alert.findings.some((c) => c.findingId === f.findingId) && !alerts.some((x) => x.alert.alertId === a.alert.alertId))
          alerts.push({ key: a.key, alert: Alert.fromPartial(a.alert) });
      }
    }
    const slices = slicesToLoad(n.slices, alerts);
    const findings = this.findings.filter(
      (f) =>
        !f.withdrawn && slices.some((s) => s.tenantId === f.tenantId && fieldOf(f, s.field) === s.value && (s.from === '' || f.acceptanceDate >= s.from) && (s.to === '' || f.acceptanceDate <= s.to)),
    );
    const importers = new Map<string, { firstDate: string; count: number }>();
    for (const i of n.importers) {
      const ds = [...this.importerDeclarations.entries()]
        .filter(([k]) => k.startsWith(`${i.tenantId}|${i.importer}|`))
        .map(([, v]) => v.acceptanceDate)
        .sort();
      if (ds.length) importers.set(`${i.tenantId}|${i.importer}`, { firstDate: ds[0]!, count: ds.length });
    }
    return {
      alerts,
      findings: findings.map((f) => Finding.fromPartial(f)),
      terms: new Map(this.terms),
      importers,
      scoreMarks: new Map(this.scoreMarks),
      exceptions: this.exceptions.filter((e) => !e.revokedAt && Date.parse(e.expiresAt) > now.getTime()),
    };
  }

  private apply(effects: AlertEffect[]): AlertEffect[] {
    for (const e of effects) {
      const i = this.alerts.findIndex((a) => a.alert.alertId === e.alert.alertId);
      if (i >= 0) this.alerts[i] = { key: e.key, alert: e.alert };
      else this.alerts.push({ key: e.key, alert: e.alert });
      for (const h of e.entries) this.history.push({ ...h, alertId: e.alert.alertId, cursor: ++this.cursor });
    }
    return effects;
  }

  /** One consumed batch, as the Correlator runs it. */
  batch(inputs: Input[], now: Date): AlertEffect[] {
    inputs = inputs.map((i) =>
      i.kind === 'checked'
        ? {
            ...i,
            newFindingIds: i.findings.filter((f) => !this.findings.some((x) => x.tenantId === f.tenantId && x.findingId === f.findingId && !x.withdrawn)).map((f) => f.findingId),
            raisedAgainIds: i.findings.filter((f) => this.findings.some((x) => x.tenantId === f.tenantId && x.findingId === f.findingId && x.withdrawn)).map((f) => f.findingId),
          }
        : i,
    );
    for (const i of inputs) {
      if (i.kind !== 'checked') continue;
      for (const f of i.findings) {
        const had = this.findings.find((x) => x.tenantId === f.tenantId && x.findingId === f.findingId);
        // As the Postgres store: a withdrawn finding raised again is live again.
        if (had) had.withdrawn = false;
        else this.findings.push(f);
      }
      for (const id of i.supersededIds) for (const f of this.findings) if (f.tenantId === i.tenantId && f.findingId === id) f.withdrawn = true;
    }
    const d = decide(this.load(needs(inputs, this.rulesFor), now), inputs, this.rulesFor, now);
    for (const t of d.terms) {
      const k = `${t.tenantId}|${t.importer}|${t.field}|${t.value}`;
      const cur = this.terms.get(k);
      if (!cur || t.firstDate < cur.firstDate) this.terms.set(k, { firstDate: t.firstDate, declarationId: t.declarationId, pending: t.pending });
    }
    for (const x of d.importerDeclarations) this.importerDeclarations.set(`${x.tenantId}|${x.importer}|${x.declarationId}`, { acceptanceDate: x.acceptanceDate });
    for (const m of d.scoreMarks) this.scoreMarks.set(`${m.tenantId}|${m.key}`, m.highWater);
    return this.apply(d.alerts);
  }

  /** The scheduled pass, as the Correlator runs it. */
  tick(rules: readonly AlertRule[], now: Date): AlertEffect[] {
    const today = isoDay(now);
    const horizon = addDays(today, deadlineHorizonDays(rules));
    const alerts = this.alerts
      .filter((a) => isOpen(a.alert.status) && ((a.alert.latestDeadline !== '' && a.alert.latestDeadline < today) || a.alert.alertRuleType === 'deadline'))
      .map((a) => ({ key: a.key, alert: Alert.fromPartial(a.alert) }));
    const live = this.findings.filter((f) => !f.withdrawn);
    const from = addDays(today, -deadlinePastDays(rules));
    const decls = new Set(
      live
        .filter((f) => f.deadline >= from && f.deadline <= horizon && f.exposureDutyPence + f.exposureVatPence + f.reclaimDutyPence + f.reclaimVatPence > 0)
        .map((f) => `${f.tenantId}|${f.declarationId}`),
    );
    const candidates = live.filter((f) => decls.has(`${f.tenantId}|${f.declarationId}`)).map((f) => Finding.fromPartial(f));
    const deadlineIds = rules.filter((r) => r.type === 'deadline').map((r) => r.id);
    for (const k of this.byKeys([...decls].flatMap((d) => deadlineIds.map((id) => ({ tenantId: d.split('|')[0]!, key: `${id}|${d.split('|')[1]}` })))))
      if (!alerts.some((a) => a.alert.alertId === k.alert.alertId)) alerts.push(k);
    const pendingTerms = [...this.terms.entries()]
      .filter(([, v]) => v.pending)
      .map(([k, v]) => {
        const [tenantId, importer, field, value] = k.split('|') as [string, string, TermField, string];
        const before = [...this.importerDeclarations.entries()]
          .filter(([ik, d]) => ik.startsWith(`${tenantId}|${importer}|`) && d.acceptanceDate < v.firstDate)
          .map(([, d]) => d.acceptanceDate)
          .sort();
        return { tenantId, importer, field, value, firstDate: v.firstDate, declarationId: v.declarationId, historyCount: before.length, historyFirst: before[0] ?? '' };
      });
    const termIds = rules.filter((r) => r.type === 'new_terms').map((r) => r.id);
    for (const k of this.byKeys(pendingTerms.flatMap((p) => termIds.map((id) => ({ tenantId: p.tenantId, key: `${id}|${p.importer}|${p.field}|${p.value}` })))))
      if (!alerts.some((a) => a.alert.alertId === k.alert.alertId)) alerts.push(k);
    const d = decideTick({ alerts, candidates, exceptions: this.exceptions, pendingTerms }, this.rulesFor, now);
    for (const c of d.termChecks) {
      const t = this.terms.get(`${c.tenantId}|${c.importer}|${c.field}|${c.value}`);
      if (t) t.pending = c.pending;
    }
    return this.apply(d.alerts);
  }

  openOf(ruleId: string): Alert[] {
    return this.alerts.filter((a) => a.alert.alertRuleId === ruleId).map((a) => a.alert);
  }
}

/** A finding with plausible defaults; deadline = acceptance + 3 years. */
export function finding(p: Partial<Finding> & { findingId: string }): Finding {
  const acceptanceDate = p.acceptanceDate ?? '2024-01-15';
  const y = Number(acceptanceDate.slice(0, 4)) + 3;
  return Finding.fromPartial({
    tenantId: 't1',
    declarationId: 'd1',
    declarationVersion: 1,
    mrn: '24GB00000000000001',
    ruleId: 'C09',
    ruleVersion: '1.0.0',
    title: 'Duty charged differs from the tariff rate',
    family: 'classification',
    severity: Severity.SEVERITY_MEDIUM,
    importerEori: 'GB100000000001',
    declarantId: 'GB200000000002',
    itemNumber: 1,
    commodityCode: '6109100010',
    originCountry: 'CN',
    cpc: '4000/000',
    supplier: 'SUPPLIER-1',
    raisedAt: '2026-12-01T00:00:00Z',
    ...p,
    acceptanceDate,
    deadline: p.deadline ?? `${y}${acceptanceDate.slice(4)}`,
  });
}

export const OPEN_STATES = [AlertStatus.ALERT_STATUS_NEW, AlertStatus.ALERT_STATUS_ACKNOWLEDGED, AlertStatus.ALERT_STATUS_IN_PROGRESS];

// Correlation use cases: a consumed batch (or the scheduled pass) → load what the pure policy
// needs in a few batched queries → decide → write, all in one transaction with the inbox claim,
// so a crash anywhere replays the batch with no effect lost or doubled.
import type { AlertChanged, Finding } from '@customs/contracts';
import { decide, decideTick, needs } from '../policies/decide';
import { addDays, isoDay } from '../policies/deadline';
import type { Input, RulesFor } from '../policies/model';
import { rulesForTenant, type AlertRule, type DeadlineRule, type RuleSetting } from '../policies/rules';
import type { AlertStore, CorrelationTx } from './ports';

export interface Clock {
  now(): Date;
}

export interface ConsumedInput {
  eventId: string;
  topic: string;
  input: Input;
}

function rulesLookup(rules: readonly AlertRule[], settings: Map<string, Map<string, RuleSetting>>): RulesFor {
  const cache = new Map<string, AlertRule[]>();
  return (tenantId) => {
    let r = cache.get(tenantId);
    if (!r) {
      r = rulesForTenant(rules, settings.get(tenantId));
      cache.set(tenantId, r);
    }
    return r;
  };
}

export class Correlator {
  constructor(
    private readonly store: AlertStore,
    private readonly rules: readonly AlertRule[],
    private readonly clock: Clock,
  ) {}

  /**
   * Processes one consumed batch exactly once: one transaction per tenant (inbox claim and
   * effects together), the tenants' transactions at once. A partition carries every tenant
   * (events are keyed by tenant and declaration), so a transaction over the whole batch would
   * hold every tenant's lock and serialise all consumers again (ADR 0015). If one tenant's
   * transaction fails the batch is redelivered and the tenants already committed are skipped
   * by their inbox claims.
   */
  async consume(group: string, batch: readonly ConsumedInput[]): Promise<AlertChanged[]> {
    const byTenant = new Map<string, ConsumedInput[]>();
    for (const b of batch) {
      const part = byTenant.get(b.input.tenantId);
      if (part) part.push(b);
      else byTenant.set(b.input.tenantId, [b]);
    }
    const parts = await Promise.all([...byTenant].map(([tenantId, part]) => this.consumeTenant(group, tenantId, part)));
    return parts.flat();
  }

  private consumeTenant(group: string, tenantId: string, batch: readonly ConsumedInput[]): Promise<AlertChanged[]> {
    return this.store.correlation([tenantId], async (tx) => {
      const fresh = await tx.claim(
        group,
        batch.map((b) => ({ eventId: b.eventId, topic: b.topic })),
      );
      return this.run(
        tx,
        batch.filter((b) => fresh.has(b.eventId)).map((b) => b.input),
      );
    });
  }

  private async run(tx: CorrelationTx, inputs: Input[]): Promise<AlertChanged[]> {
    if (inputs.length === 0) return [];
    const now = this.clock.now();
    const at = now.toISOString();
    // Facts first (the findings as they arrived, the ones withdrawn), so the windows loaded
    // below include this batch.
    const findings: Finding[] = inputs.flatMap((i) => (i.kind === 'checked' ? i.findings.filter((f) => f.tenantId === i.tenantId) : []));
    const { fresh, again } = await tx.storeFindings(findings, at);
    // Which findings the store already knew (a re-evaluation re-sends unchanged ones): decide
    // counts an unlisted finding of a large alert only once. Those withdrawn before and raised
    // again are restored in every alert that lists them (loaded by finding id).
    inputs = inputs.map((i) => {
      if (i.kind !== 'checked') return i;
      const ids = (s: Set<string>) => i.findings.filter((f) => s.has(`${i.tenantId}|${f.findingId}`)).map((f) => f.findingId);
      return { ...i, newFindingIds: ids(fresh), raisedAgainIds: ids(again) };
    });
    await tx.withdrawFindings(
      inputs.flatMap((i) => (i.kind === 'checked' ? i.supersededIds.map((findingId) => ({ tenantId: i.tenantId, findingId })) : [])),
      at,
    );
    const tenants = [...new Set(inputs.map((i) => i.tenantId))];
    const rulesFor = rulesLookup(this.rules, await tx.settings(tenants));
    const state = await tx.load(needs(inputs, rulesFor), tenants, now);
    return tx.apply(decide(state, inputs, rulesFor, now));
  }

  /**
   * The scheduled pass: deadline alerts raised and escalated as days pass, time-barred alerts
   * expired. Repeats until a pass changes nothing (bounded per pass); returns the changes.
   */
  async tick(maxPasses = 20): Promise<AlertChanged[]> {
    const all: AlertChanged[] = [];
    const deadlineRules = this.rules.filter((r): r is DeadlineRule => r.type === 'deadline' && r.status !== 'deprecated');
    const newTermsRuleIds = this.rules.filter((r) => r.type === 'new_terms' && r.status !== 'deprecated').map((r) => r.id);
    for (let pass = 0; pass < maxPasses; pass++) {
      const changed = await this.store.everyTenant(async (tx) => {
        const now = this.clock.now();
        const today = isoDay(now);
        // Tenant settings may lower a rule's minimum; the scan uses the file's, so a tenant that
        // lowered it sees smaller amounts on arrival (decide) but not from the schedule alone.
        const scans = deadlineRules.map((r) => ({
          id: r.id,
          measure: r.measure,
          minPence: r.minPence,
          from: addDays(today, -r.passedWithinDays),
          to: addDays(today, Math.max(...r.bands.map((b) => b.days))),
        }));
        const state = await tx.loadTick(today, scans, newTermsRuleIds, 500, now);
        const tenants = [...new Set([...state.alerts.map((a) => a.alert.tenantId), ...state.candidates.map((f) => f.tenantId), ...state.pendingTerms.map((p) => p.tenantId)])];
        const rulesFor = rulesLookup(this.rules, await tx.settings(tenants));
        const decision = decideTick(state, rulesFor, now);
        const published = await tx.apply(decision);
        // Another pass only while this one changed alerts or settled pending sightings.
        return { published, more: published.length > 0 || decision.termChecks.some((t) => !t.pending) };
      });
      all.push(...changed.published);
      if (!changed.more) break;
    }
    return all;
  }
}

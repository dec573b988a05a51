import { Score, type Finding } from '@customs/contracts';
import { HISTORY_RULES } from '../rules';
import type { DeclFact } from '../rules/types';
import { contributionOf, delta, placementOf, type Metrics } from '../scoring/contribution';
import { MODEL_VERSION, liteOf, scoreDeclaration, type FindingLite } from '../scoring/model';
import { brokerScore, brokerScorecard, readiness, sum } from '../scoring/scorecards';
import type { AggregateDelta, EntityScoreRow } from '../db/score-repo';
import type { Outgoing, Store } from './ports';
import { createHash } from 'node:crypto';

const CONFIDENCE = new Map(HISTORY_RULES.map((r) => [r.meta.id, r.meta.confidence]));

/** Confidence of a finding's rule: history checks state theirs; validation's per-declaration rules are 1. */
export function confidenceOf(f: Finding): number {
  return f.source === 'scoring' ? (CONFIDENCE.get(f.ruleId) ?? 0.5) : 1;
}

/** Months of the 3-year window ending at `to` ("YYYY-MM"): 36 months, `to` included. */
export function windowFrom(to: string): string {
  const [y, m] = to.split('-').map(Number) as [number, number];
  const start = y * 12 + (m - 1) - 35;
  return `${Math.floor(start / 12)}-${String((start % 12) + 1).padStart(2, '0')}`;
}

const eventId = (...parts: (string | number)[]) => createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);

export interface Checked {
  version: number;
  findings: FindingLite[];
  mrn: string;
  lrn: string;
  importer: string;
  declarant: string;
  date: string;
}

/**
 * Re-scores declarations from what is stored (facts, validation's latest findings, active history
 * findings), moves their agents', importers' and the tenant's monthly aggregates by new − old,
 * refreshes the touched agents' and importers' scores and month snapshots. Called with the tenant
 * lock held.
 */
export async function rescore(
  store: Store,
  tenant: string,
  ids: readonly string[],
  now: string,
  parent: string,
  checked: Map<string, Checked> = new Map(),
  known: Map<string, { version: number; fact: DeclFact }> = new Map(),
): Promise<Outgoing[]> {
  if (ids.length === 0) return [];
  const today = now.slice(0, 10);
  // Facts the caller already holds (the batch it just folded) are not read back.
  const facts = new Map(known);
  for (const [k, v] of await store.loadDeclFacts(
    tenant,
    ids.filter((id) => !known.has(id)),
  ))
    facts.set(k, v);
  const [stored, history, contributions] = [await store.loadDeclScores(tenant, ids), await store.activeHistoryFindings(tenant, ids), await store.loadContributions(tenant, ids)];
  const historyBy = new Map<string, Finding[]>();
  for (const f of history) historyBy.set(f.declarationId, [...(historyBy.get(f.declarationId) ?? []), f]);
  const out: Outgoing[] = [];
  const rows = [];
  const newContribs = [];
  const deltas: AggregateDelta[] = [];
  const touchedAgents = new Set<string>();
  const touchedImporters = new Set<string>();
  const months = new Set<string>();
  for (const id of ids) {
    const prev = stored.get(id);
    const fact: DeclFact | undefined = facts.get(id)?.fact;
    const c = checked.get(id);
    const validation = c?.findings ?? prev?.validation_findings ?? [];
    const hist = (historyBy.get(id) ?? []).map((f) => liteOf(f, confidenceOf(f)));
    const all = [...validation, ...hist];
    const version = Math.max(fact?.version ?? 0, c?.version ?? 0, prev?.declaration_version ?? 0);
    const base = {
      importer: fact?.importer || c?.importer || prev?.importer_id || '',
      declarant: fact?.declarant || c?.declarant || prev?.declarant_id || '',
      date: fact?.date || c?.date || prev?.acceptance_date || '',
    };
    if (!base.importer || !base.date) continue;
    const s = scoreDeclaration(all, today);
    const placement = placementOf(fact, base);
    const invalidated = fact?.status === 'invalidated';
    const metrics: Metrics = invalidated ? {} : contributionOf(fact, all, placement, version > 1 || fact?.changeKind === 'amendment');
    const old = contributions.get(id);
    if (old && (old.agent_id !== placement.agent || old.importer_id !== placement.importer || old.month !== placement.month)) {
      pushDeltas(deltas, { agent: old.agent_id, importer: old.importer_id, month: old.month }, delta({}, old.metrics));
      pushDeltas(deltas, placement, metrics);
      touchedAgents.add(old.agent_id);
      touchedImporters.add(old.importer_id);
      months.add(old.month);
    } else pushDeltas(deltas, placement, delta(metrics, old?.metrics));
    touchedAgents.add(placement.agent);
    touchedImporters.add(placement.importer);
    months.add(placement.month);
    newContribs.push({ declaration_id: id, agent_id: placement.agent, importer_id: placement.importer, month: placement.month, metrics });
    const mrn = fact?.mrn ?? c?.mrn ?? prev?.mrn ?? '';
    const lrn = fact?.lrn ?? c?.lrn ?? prev?.lrn ?? '';
    rows.push({
      tenant_id: tenant,
      declaration_id: id,
      declaration_version: version,
      mrn,
      lrn,
      importer_id: base.importer,
      declarant_id: base.declarant,
      score: s.score,
      finding_count: all.length,
      exposure_pence: s.exposurePence,
      reclaim_pence: s.reclaimPence,
      acceptance_date: base.date,
      model_version: MODEL_VERSION,
      updated_at: now,
      validation_findings: JSON.stringify(validation),
      risk: s.risk,
      as_of: today,
      checked: !!c || !!prev?.checked,
    });
    const previousScore = prev?.score ?? 100;
    if (!prev || prev.score !== s.score || c) {
      const score = Score.fromPartial({
        tenantId: tenant,
        entityType: 'declaration',
        entityId: id,
        score: s.score,
        risk: s.risk,
        components: s.components,
        factors: s.factors,
        lines: s.lines,
        explanation: s.explanation,
        findingCount: all.length,
        exposurePence: s.exposurePence,
        reclaimPence: s.reclaimPence,
        updatedAt: now,
        modelVersion: MODEL_VERSION,
        declarationCount: 1,
        asOf: today,
        validationChecked: !!c || !!prev?.checked,
      });
      out.push({
        kind: 'score',
        score,
        previousScore,
        key: `${tenant}/${mrn || lrn || id}`,
        id: `score/${tenant}/declaration/${id}/${eventId(
          version,
          previousScore,
          s.score,
          all
            .map((f) => f.id)
            .sort()
            .join(','),
          MODEL_VERSION,
          today,
        )}`,
        parentEventId: parent,
      });
    }
  }
  await store.upsertDeclScores(rows as never);
  await store.upsertContributions(tenant, newContribs);
  await store.applyAggregateDeltas(tenant, deltas);
  out.push(...(await refreshEntities(store, tenant, [...touchedAgents], [...touchedImporters], [...months], now, parent)));
  return out;
}

function pushDeltas(out: AggregateDelta[], p: { agent: string; importer: string; month: string }, d: Metrics): void {
  for (const [metric, value] of Object.entries(d)) {
    out.push({ scope: 'agent', entity: p.agent, month: p.month, metric, value });
    out.push({ scope: 'importer', entity: p.importer, month: p.month, metric, value });
    out.push({ scope: 'tenant', entity: '*', month: p.month, metric, value });
  }
}

/** Broker and importer scores over their 3-year window and the touched months' snapshots. */
async function refreshEntities(store: Store, tenant: string, agents: string[], importers: string[], months: string[], now: string, parent: string): Promise<Outgoing[]> {
  const out: Outgoing[] = [];
  const latest = (await store.latestMonth(tenant, 'tenant')) ?? months.sort().at(-1)!;
  const from = windowFrom(latest);
  const agentAgg = await store.readAggregates(tenant, 'agent', { entities: agents, from, to: latest });
  const importerAgg = await store.readAggregates(tenant, 'importer', { entities: importers, from, to: latest });
  const previous = new Map([...(await store.loadEntityScores(tenant, 'broker', agents)).entries()].map(([k, v]) => [`broker|${k}`, v]));
  for (const [k, v] of await store.loadEntityScores(tenant, 'importer', importers)) previous.set(`importer|${k}`, v);
  const rows: EntityScoreRow[] = [];
  const entity = (type: 'broker' | 'importer', id: string, m: Metrics, score: number, explanation: string) => {
    const row = {
      tenant_id: tenant,
      entity_type: type,
      entity_id: id,
      score,
      finding_count: m.findings ?? 0,
      exposure_pence: m.exposure ?? 0,
      reclaim_pence: m.reclaim ?? 0,
      declaration_count: m.entries ?? 0,
      components: '[]',
      model_version: MODEL_VERSION,
      updated_at: now,
      explanation,
    };
    rows.push(row);
    const prev = previous.get(`${type}|${id}`);
    if (prev !== score) {
      const s = Score.fromPartial({
        tenantId: tenant,
        entityType: type,
        entityId: id,
        score,
        findingCount: row.finding_count,
        exposurePence: row.exposure_pence,
        reclaimPence: row.reclaim_pence,
        declarationCount: row.declaration_count,
        updatedAt: now,
        modelVersion: MODEL_VERSION,
        explanation,
      });
      out.push({
        kind: 'score',
        score: s,
        previousScore: prev ?? 100,
        key: `${tenant}/${type}/${id}`,
        id: `score/${tenant}/${type}/${id}/${eventId(prev ?? 100, score, JSON.stringify(m), MODEL_VERSION)}`,
        parentEventId: parent,
      });
    }
  };
  for (const a of agents) {
    const m = sum([...(agentAgg.get(a)?.values() ?? [])]);
    const s = brokerScore(m);
    entity('broker', a, m, s.score, `${from}..${latest}: ${s.explanation}`);
  }
  for (const i of importers) {
    const m = sum([...(importerAgg.get(i)?.values() ?? [])]);
    const r = readiness(i, from, latest, m);
    entity('importer', i, m, r.score, `audit readiness ${from}..${latest}: ${r.explanation}`);
  }
  await store.upsertEntityScores(rows);
  // Month snapshots of what the board sees for each touched month, with the model that made them.
  const snapshots = [];
  // The touched months' peers, tenant totals and importers: one query per scope for all of them.
  const touchedMonths = [...new Set(months)].sort();
  const peersAll = await store.readAggregates(tenant, 'agent', { months: touchedMonths });
  const tenantAll = (await store.readAggregates(tenant, 'tenant', { months: touchedMonths })).get('*');
  const impAgg = await store.readAggregates(tenant, 'importer', { entities: importers, months: touchedMonths });
  for (const month of touchedMonths) {
    const tenantMonth = tenantAll?.get(month) ?? {};
    const peers = [...peersAll.entries()].filter(([, byMonth]) => byMonth.has(month)).map(([agentId, byMonth]) => ({ agentId, score: brokerScore(byMonth.get(month)!).score }));
    for (const a of agents) {
      const m = peersAll.get(a)?.get(month);
      if (!m) continue;
      const card = brokerScorecard(a, month, m, tenantMonth, peers);
      snapshots.push({ entity_type: 'broker', entity_id: a, month, score: card.score, payload: card });
    }
    for (const i of importers) {
      const m = impAgg.get(i)?.get(month);
      if (!m) continue;
      const r = readiness(i, month, month, m);
      snapshots.push({ entity_type: 'importer', entity_id: i, month, score: r.score, payload: r });
    }
  }
  await store.upsertSnapshots(tenant, MODEL_VERSION, snapshots, now);
  return out;
}

/**
 * Use case: re-score one page of a tenant's declarations (after a model change, or to move
 * deadline nearness to today). The caller runs pages in their own transactions, each with the
 * tenant lock, so a long re-score never holds one transaction open; returns the last id done.
 */
export async function rescorePage(store: Store, tenant: string, after: string, limit: number, now: string): Promise<{ last: string; count: number; events: Outgoing[] }> {
  await store.lockTenants([tenant]);
  const ids = await store.declarationIdsAfter(tenant, after, limit);
  const events = await rescore(store, tenant, ids, now, '');
  return { last: ids.at(-1) ?? after, count: ids.length, events };
}

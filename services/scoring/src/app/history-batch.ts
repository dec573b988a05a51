import type { Declaration } from '@customs/contracts';
import { HISTORY_RULES, applyBatch, decideHistory, declFact, emptyState, keysOf } from '../rules';
import { c20Withdrawals, isConcentrated } from '../rules/c20-importers-knowledge-concentration';
import { knowledgeKeysRepricedBy } from '../rules/state';
import type { DeclFact, HistoryRule, HistoryState } from '../rules/types';
import { MINORITY_LINES } from '../rules/c11-classification-drift';
import { type Outgoing, type Store, withdrawals } from './ports';
import { rejudgeKnowledge } from './evidence';
import { rescore } from './rescore';

export interface ReceivedDeclaration {
  eventId: string;
  declaration: Declaration;
}

function minoritySupplierGroups(state: HistoryState, have: Set<string>): string[] {
  const out = new Set<string>();
  for (const [key, g] of state.descGroups) {
    const [importer, desc] = key.split('|') as [string, string];
    for (const b of Object.values(g.codes))
      if (b.n <= MINORITY_LINES)
        for (const r of b.refs) {
          const k = `${importer}|${r.supplier}|${desc}`;
          if (!have.has(k)) out.add(k);
        }
  }
  return [...out];
}

/**
 * Use case: full declarations arrived (ingestion.declaration.received.v1). Per tenant: load the
 * history the batch touches (one query per kind of key), take superseded versions out and the
 * new ones in, run the history checks once over the batch, store new findings, supersede the old
 * versions' ones, and re-score every declaration whose findings moved.
 */
export async function onDeclarationsReceived(store: Store, events: readonly ReceivedDeclaration[], now: string, rules: readonly HistoryRule[] = HISTORY_RULES): Promise<Outgoing[]> {
  const out: Outgoing[] = [];
  const byTenant = new Map<string, Map<string, ReceivedDeclaration>>();
  for (const e of events) {
    const d = e.declaration;
    const m = byTenant.get(d.tenantId) ?? new Map<string, ReceivedDeclaration>();
    const have = m.get(d.declarationId);
    // Latest version in the batch wins.
    if (!have || have.declaration.version <= d.version) m.set(d.declarationId, e);
    byTenant.set(d.tenantId, m);
  }
  await store.lockTenants([...byTenant.keys()]);
  for (const [tenant, decls] of [...byTenant.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const previous = await store.loadDeclFacts(tenant, [...decls.keys()]);
    const batch: { fact: DeclFact; previous?: DeclFact; parent: string }[] = [];
    for (const [id, e] of decls) {
      const prev = previous.get(id);
      // A version already in history (redelivery under another event id) or older than it changes nothing.
      if (prev && prev.version >= e.declaration.version) continue;
      batch.push({ fact: declFact(e.declaration), previous: prev?.fact, parent: e.eventId });
    }
    if (batch.length === 0) continue;
    const keys = {
      supplierGroups: [] as string[],
      descGroups: [] as string[],
      unitValues: [] as string[],
      invoices: [] as string[],
      declarants: [] as string[],
      importers: [] as string[],
      knowledge: [] as string[],
      returns: [] as string[],
    };
    for (const b of batch) for (const f of [b.fact, b.previous]) if (f) for (const [k, v] of Object.entries(keysOf(f))) keys[k as keyof typeof keys].push(...v);
    const state = emptyState();
    await store.loadState(tenant, keys, state);
    // C20's evidence register for the batch's suppliers (one query; none when no importer keeps one).
    await store.loadEvidence(tenant, keys.knowledge, state);
    // C10 asks whether a minority line's own supplier has an established code (then it is C11's):
    // those suppliers' groups are loaded too, even when the batch has no line of theirs.
    const extra = minoritySupplierGroups(state, new Set(keys.supplierGroups));
    if (extra.length) await store.loadState(tenant, { supplierGroups: extra, descGroups: [], unitValues: [], invoices: [], declarants: [], importers: [], knowledge: [], returns: [] }, state);
    // C20 prices a U112 line by the third-country rate of an ordinary line of the same goods, which
    // may arrive after the claim: the groups of the suppliers whose lines this batch can price are
    // loaded too (and judged again when a price changes).
    const repriced = knowledgeKeysRepricedBy(state, batch).filter((k) => !keys.knowledge.includes(k));
    if (repriced.length) {
      await store.loadState(tenant, { supplierGroups: [], descGroups: [], unitValues: [], invoices: [], declarants: [], importers: [], knowledge: repriced, returns: [] }, state);
      await store.loadEvidence(tenant, repriced, state);
      keys.knowledge.push(...repriced);
    }
    const verdictBefore = new Map([...state.knowledge].map(([k, g]) => [k, g.concentrated]));
    const input = applyBatch(state, batch);
    const findings = decideHistory(input, tenant, now.slice(0, 10), now, rules);
    // C20 judges a supplier on its whole history as it stands, so a verdict can change as the rest
    // arrives: the findings a judgement no longer reaches are withdrawn (below), and each group
    // keeps its verdict to see it turn.
    const judged = rules.some((r) => r.meta.id === 'C20')
      ? [...input.touched.knowledge].filter((k) => {
          const g = state.knowledge.get(k)!;
          return (verdictBefore.has(k) && verdictBefore.get(k) !== false) || isConcentrated(g) || (state.evidenceKept?.has(k.slice(0, k.indexOf('|'))) ?? false);
        })
      : [];
    for (const k of input.touched.knowledge) {
      const g = state.knowledge.get(k);
      if (g) g.concentrated = isConcentrated(g);
    }
    await store.saveState(tenant, state, keys);
    await store.saveDeclFacts(
      batch.map((b) => b.fact),
      now,
    );
    // Findings of earlier versions are superseded; an invalidated declaration keeps none.
    const superseded = await store.supersedeFindings(
      tenant,
      batch.filter((b) => b.previous || b.fact.status === 'invalidated').map((b) => ({ id: b.fact.id, keepVersion: b.fact.status === 'invalidated' ? 2 ** 31 - 1 : b.fact.version })),
      now,
    );
    const c20 = findings.filter((f) => f.ruleId === 'C20');
    const active = judged.length ? await store.activeRuleFindings(tenant, 'C20', [...new Set(judged.flatMap((k) => state.knowledge.get(k)!.refs.map((r) => r.d)))]) : [];
    const withdrawn = c20Withdrawals(state, judged, c20, active, verdictBefore);
    const rejudged = await store.supersedeFindingIds(tenant, withdrawn.supersede, now);
    // A C20 verdict reached again after it was withdrawn (the share back over the threshold) makes its finding active again.
    const activated = await store.activateFindings(c20);
    const fresh = [...(await store.insertFindings(findings.filter((f) => f.ruleId !== 'C20'))), ...activated.findings];
    const parent = batch[0]!.parent;
    // Withdrawals first: on a declaration's key they come before what is raised on it.
    out.push(...withdrawals(tenant, superseded, 'superseded by a later version of the declaration', now, parent));
    out.push(...withdrawals(tenant, rejudged, 'C20 judged the supplier’s history again and no longer reaches it', now, parent));
    for (const f of fresh)
      out.push({ kind: 'finding', finding: f, parentEventId: batch.find((b) => b.fact.id === f.declarationId)?.parent ?? parent, ...(activated.again.has(f.findingId) ? { again: now } : {}) });
    const affected = new Set<string>([...batch.map((b) => b.fact.id), ...fresh.map((f) => f.declarationId), ...[...superseded, ...rejudged].map((s) => s.declarationId)]);
    out.push(...(await rescore(store, tenant, [...affected].sort(), now, parent, new Map(), new Map(batch.map((b) => [b.fact.id, { version: b.fact.version, fact: b.fact }])))));
    // A supplier's share fell under the threshold: its findings on lines older than the kept ones go too.
    for (const importer of withdrawn.rejudgeImporters) out.push(...(await rejudgeKnowledge(store, tenant, importer, now, parent)).events);
  }
  return out;
}

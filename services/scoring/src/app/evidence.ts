import { randomUUID } from 'node:crypto';
import type { Finding } from '@customs/contracts';
import { decideHistory, emptyState } from '../rules';
import { c20ImportersKnowledgeConcentration } from '../rules/c20-importers-knowledge-concentration';
import { repriceKnowledge } from '../rules/state';
import type { HistoryInput, OriginEvidence } from '../rules/types';
import { type Outgoing, type Store, withdrawals } from './ports';
import { rescore } from './rescore';

// Use cases of C20's origin evidence register: an entry added, replaced or removed re-judges the
// importer's U112 lines at once, in the same transaction (under the tenant's lock, as the
// consumers): a line the register now covers has its finding superseded, a line no longer covered
// is flagged, and the declarations whose findings moved are re-scored. Whether the importer keeps
// a register at all can change with any entry, so every supplier of the importer is re-judged.

export type EvidenceInput = Omit<OriginEvidence, 'id' | 'importer'>;

export interface Rejudged {
  raised: Finding[];
  superseded: string[];
  events: Outgoing[];
}

/** Re-judges C20 over the importer's kept U112 lines against its register as it is now. */
export async function rejudgeKnowledge(store: Store, tenant: string, importer: string, now: string, parent: string): Promise<Rejudged> {
  const keys = await store.knowledgeKeysOf(tenant, importer);
  if (keys.length === 0) return { raised: [], superseded: [], events: [] };
  const state = emptyState();
  await store.loadState(tenant, { supplierGroups: [], descGroups: [], unitValues: [], invoices: [], declarants: [], importers: [importer], knowledge: keys, returns: [] }, state);
  await store.loadEvidence(tenant, keys, state);
  // The lines judged: the supplier's kept U112 lines, and every line of the importer a C20 finding
  // was ever raised on (the group keeps only the latest lines: a finding on an older one must be
  // able to go, and a line flagged before to be flagged again). An older line is rebuilt from the
  // declaration's stored facts (only while they are still the version flagged), its third-country
  // rate from the finding's evidence (what history knew when it was flagged). A line beyond the
  // latest that was never flagged is not judged again (docs/history-rules.md, C20).
  const kept = new Set(keys.flatMap((k) => (state.knowledge.get(k)?.refs ?? []).map((r) => `${r.d}#${r.i}`)));
  const ever = (await store.ruleFindings(tenant, 'C20')).filter((x) => x.finding.importerEori === importer);
  // A line flagged more than once (unpriced, then priced once its third-country rate was known) is rebuilt from its priced finding.
  const rateOf = (f: Finding) => f.evidence.find((e) => e.field === 'history.third_country_rate')?.value ?? '';
  const older = ever
    .map((x) => x.finding)
    .filter((f) => !kept.has(`${f.declarationId}#${f.itemNumber}`))
    .sort((a, b) => Number(rateOf(a) === 'unknown' || rateOf(a) === '') - Number(rateOf(b) === 'unknown' || rateOf(b) === ''));
  const facts = await store.loadDeclFacts(tenant, [...new Set(older.map((f) => f.declarationId))]);
  for (const f of older) {
    const fact = facts.get(f.declarationId)?.fact;
    const l = fact?.version === f.declarationVersion ? fact.lines.find((x) => x.item === f.itemNumber) : undefined;
    const g = fact && state.knowledge.get(`${importer}|${fact.supplier}`);
    if (!fact || !l || !g || g.refs.some((r) => r.d === fact.id && r.i === l.item)) continue;
    const tc = rateOf(f);
    g.refs.push({
      d: fact.id,
      v: fact.version,
      i: l.item,
      mrn: fact.mrn,
      lrn: fact.lrn,
      date: fact.date,
      declarant: fact.declarant,
      code: l.code,
      origin: l.origin,
      cv: l.cv,
      duty: l.duty,
      vat: l.vat,
      a00Rate: l.a00Rate,
      vatRate: l.vatRate,
      supplier: fact.supplier,
      preference: l.preference,
      cpc: l.cpc,
      tcRate: tc === 'unknown' ? '' : tc,
      ...(l.desc ? { desc: l.desc } : {}),
    });
  }
  // The third-country rate history knows now for each line's goods (it may have been learned after the line was kept).
  const descKeys = [...new Set(keys.flatMap((k) => (state.knowledge.get(k)?.refs ?? []).filter((r) => r.desc).map((r) => `${importer}|${r.desc}`)))];
  if (descKeys.length) await store.loadState(tenant, { supplierGroups: [], descGroups: descKeys, unitValues: [], invoices: [], declarants: [], importers: [], knowledge: [], returns: [] }, state);
  repriceKnowledge(state);
  const input: HistoryInput = {
    state,
    batch: [],
    touched: { supplierGroups: new Set(), descGroups: new Set(), invoices: new Set(), declarantsNew: new Set(), knowledge: new Set(keys), returns: new Set() },
    unitValueLines: [],
    importersBefore: new Map(),
  };
  const findings = decideHistory(input, tenant, now.slice(0, 10), now, [c20ImportersKnowledgeConcentration]);
  // The subjects judged: those lines; their active C20 findings not decided again go.
  const refs = keys.flatMap((k) => state.knowledge.get(k)?.refs ?? []);
  const lines = new Set(refs.map((r) => `${r.d}#${r.i}`));
  const keep = new Set(findings.map((f) => f.findingId));
  const active = ever.filter((x) => x.active && lines.has(`${x.finding.declarationId}#${x.finding.itemNumber}`) && !keep.has(x.finding.findingId)).map((x) => x.finding);
  const moved = await store.supersedeFindingIds(
    tenant,
    active.map((f) => f.findingId),
    now,
  );
  // A verdict reached again on a line whose finding was superseded (evidence removed after it was added) makes that finding active again.
  const activated = await store.activateFindings(findings);
  const fresh = activated.findings;
  const events: Outgoing[] = [
    ...withdrawals(tenant, moved, 'C20 judged the importer’s U112 lines again (origin evidence register or supplier history changed) and no longer reaches it', now, parent),
    ...fresh.map((f): Outgoing => ({ kind: 'finding', finding: f, parentEventId: parent, ...(activated.again.has(f.findingId) ? { again: now } : {}) })),
  ];
  const affected = [...new Set([...moved.map((m) => m.declarationId), ...fresh.map((f) => f.declarationId)])].sort();
  events.push(...(await rescore(store, tenant, affected, now, parent)));
  return { raised: fresh, superseded: active.map((f) => f.findingId), events };
}

/** Adds (no id) or replaces (id) an entry, then re-judges. */
export async function putOriginEvidence(store: Store, tenant: string, importer: string, id: string | undefined, e: EvidenceInput, by: string, now: string) {
  await store.lockTenants([tenant]);
  const entry: OriginEvidence = { ...e, id: id ?? randomUUID(), importer };
  await store.putEvidence(tenant, entry, by, now);
  const r = await rejudgeKnowledge(store, tenant, importer, now, '');
  return { entry: (await store.getEvidence(tenant, importer, entry.id))!, ...r };
}

/** Removes an entry, then re-judges; undefined when there was none. */
export async function deleteOriginEvidence(store: Store, tenant: string, importer: string, id: string, now: string) {
  await store.lockTenants([tenant]);
  if (!(await store.deleteEvidence(tenant, importer, id))) return undefined;
  return rejudgeKnowledge(store, tenant, importer, now, '');
}

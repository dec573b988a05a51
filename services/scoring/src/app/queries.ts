import { Score, type Finding, type ScoreComponent } from '@customs/contracts';
import type { DeclScoreRow, EntityScoreRow } from '../db/score-repo';
import { MODEL_VERSION, liteOf, scoreDeclaration, type FindingLite } from '../scoring/model';
import { brokerScore, brokerScorecard, dutyUnderManagement, readiness, sum, type BrokerScorecard, type DutyUnderManagement, type Readiness } from '../scoring/scorecards';
import type { Store } from './ports';
import { confidenceOf, windowFrom } from './rescore';

// Read use cases: scores, scorecards, readiness, duty under management, trends and drill-down.

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

function entityScore(row: EntityScoreRow): Score {
  return Score.fromPartial({
    tenantId: row.tenant_id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    score: row.score,
    components: parse<ScoreComponent[]>(row.components),
    findingCount: row.finding_count,
    exposurePence: Number(row.exposure_pence),
    reclaimPence: Number(row.reclaim_pence),
    updatedAt: new Date(row.updated_at).toISOString(),
    modelVersion: row.model_version,
    declarationCount: row.declaration_count,
    explanation: row.explanation,
  });
}

/**
 * Declaration scores with their explanation recomputed from the stored findings on the day each
 * was computed for: the model is pure, so it is the one the stored score came from.
 */
async function explained(store: Store, tenant: string, rows: readonly DeclScoreRow[]): Promise<Score[]> {
  const history = new Map<string, FindingLite[]>();
  for (const f of await store.activeHistoryFindings(
    tenant,
    rows.map((r) => r.declaration_id),
  ))
    history.set(f.declarationId, [...(history.get(f.declarationId) ?? []), liteOf(f, confidenceOf(f))]);
  return rows.map((d) => {
    const s = scoreDeclaration([...parse<FindingLite[]>(d.validation_findings), ...(history.get(d.declaration_id) ?? [])], d.as_of);
    return Score.fromPartial({
      tenantId: tenant,
      entityType: 'declaration',
      entityId: d.declaration_id,
      score: d.score,
      risk: d.risk,
      components: s.components,
      factors: s.factors,
      lines: s.lines,
      explanation: d.model_version === MODEL_VERSION ? s.explanation : `scored with ${d.model_version}, explained with ${MODEL_VERSION} (re-score: POST /v1/admin/rescore): ${s.explanation}`,
      findingCount: d.finding_count,
      exposurePence: Number(d.exposure_pence),
      reclaimPence: Number(d.reclaim_pence),
      updatedAt: new Date(d.updated_at).toISOString(),
      modelVersion: d.model_version,
      declarationCount: 1,
      asOf: d.as_of,
      validationChecked: d.checked,
    });
  });
}

export async function getScore(store: Store, tenant: string, type: string, id: string): Promise<Score | undefined> {
  if (type === 'declaration') {
    const d = await store.getDeclScoreRow(tenant, id);
    return d ? (await explained(store, tenant, [d]))[0] : undefined;
  }
  const row = await store.getEntityScore(tenant, type, id);
  return row ? entityScore(row) : undefined;
}

/** Declarations: the riskiest first; brokers and importers: the lowest score first. */
export async function listScores(store: Store, tenant: string, type: string, limit: number, after?: readonly (string | number)[]): Promise<Score[]> {
  if (type === 'declaration')
    return explained(store, tenant, await store.listRiskiestDeclarations(tenant, limit, after && { risk: Number(after[0]), moneyPence: Number(after[1]), declarationId: String(after[2]) }));
  return (await store.listEntityScores(tenant, type, limit, after && { score: Number(after[0]), exposurePence: Number(after[1]), entityId: String(after[2]) })).map(entityScore);
}

/** The sort key of a score in listScores' order (its page cursor). */
export function scoreKey(s: Score): (string | number)[] {
  return s.entityType === 'declaration' ? [s.risk, s.exposurePence + s.reclaimPence, s.entityId] : [s.score, s.exposurePence, s.entityId];
}

/** Scorecards of a month (the latest with entries when not given), for one agent or all, with peer percentiles. */
export async function scorecards(store: Store, tenant: string, opts: { agent?: string; month?: string }): Promise<{ month: string; scorecards: BrokerScorecard[] }> {
  const month = opts.month ?? (await store.latestMonth(tenant, 'tenant'));
  if (!month) return { month: '', scorecards: [] };
  const agents = await store.readAggregates(tenant, 'agent', { month });
  const tenantMonth = (await store.readAggregates(tenant, 'tenant', { month })).get('*')?.get(month) ?? {};
  const peers = [...agents.entries()].map(([agentId, m]) => ({ agentId, score: brokerScore(m.get(month) ?? {}).score }));
  const cards = [...agents.entries()].filter(([a]) => !opts.agent || a === opts.agent).map(([a, m]) => brokerScorecard(a, month, m.get(month) ?? {}, tenantMonth, peers));
  return { month, scorecards: cards.sort((a, b) => a.score - b.score || a.agentId.localeCompare(b.agentId)) };
}

/** Audit readiness and duty under management over the 3-year window ending at `toMonth` (default: the importer's latest month). */
export async function readinessOf(store: Store, tenant: string, importer: string, toMonth?: string): Promise<{ readiness: Readiness; dum: DutyUnderManagement } | undefined> {
  const to = toMonth ?? (await store.latestMonth(tenant, 'importer', importer));
  if (!to) return undefined;
  const from = windowFrom(to);
  const agg = await store.readAggregates(tenant, 'importer', { entities: [importer], from, to });
  const months = agg.get(importer);
  if (!months) return undefined;
  const m = sum([...months.values()]);
  return { readiness: readiness(importer, from, to, m), dum: dutyUnderManagement(importer, from, to, m) };
}

export async function trend(store: Store, tenant: string, type: string, id: string) {
  return store.readSnapshots(tenant, type, id);
}

/** A declaration's score with the findings behind it, line by line. */
export async function scoredLines(store: Store, tenant: string, id: string): Promise<{ score: Score; validation: FindingLite[]; history: Finding[] } | undefined> {
  const score = await getScore(store, tenant, 'declaration', id);
  if (!score) return undefined;
  const row = await store.getDeclScoreRow(tenant, id);
  return { score, validation: parse<FindingLite[]>(row!.validation_findings), history: await store.activeHistoryFindings(tenant, [id]) };
}

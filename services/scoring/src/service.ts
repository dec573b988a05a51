import { Score, ScoreUpdated, ScoringServiceService, Topics, declarationKey, type DeclarationChecked, type GetScoreRequest, type GetScoreResponse, type ScoreComponent } from '@customs/contracts';
import { chunksFor, claimInbox, enqueueOutbox, sql, withAllTenants, withTenant, type Transaction } from '@customs/db';
import { buildEvent, type ConsumedEvent, type EncodedEvent } from '@customs/kafka';
import { GrpcError, status, type CallContext } from '@customs/grpc';
import { HttpError, principalOf } from '@customs/http';
import { startPlatformService, type RunningService } from '@customs/service';
import { MODEL_VERSION, scoreDeclaration, scoreEntity } from './scoring/model';
import { migrations, type ScoringDb } from './db/migrations';
import type { ScoringConfig } from './config';

const GROUP = 'scoring';
const ENTITY_TYPES = new Set(['declaration', 'broker', 'importer']);

function toScore(row: ScoringDb['entity_scores']): Score {
  return Score.fromPartial({
    tenantId: row.tenant_id,
    entityType: row.entity_type,
    entityId: row.entity_id,
    score: row.score,
    // jsonb arrives parsed from the database and as a string from freshly built rows.
    components: (typeof row.components === 'string' ? JSON.parse(row.components) : row.components) as ScoreComponent[],
    findingCount: row.finding_count,
    exposurePence: row.exposure_pence,
    reclaimPence: row.reclaim_pence,
    updatedAt: new Date(row.updated_at).toISOString(),
    modelVersion: row.model_version,
    declarationCount: row.declaration_count,
  });
}

/**
 * Recomputes broker and importer scores for the entities a batch touched: one aggregate query per
 * entity type and one multi-row upsert, whatever the batch size.
 */
async function refreshEntities(trx: Transaction<ScoringDb>, touched: { tenant: string; type: 'broker' | 'importer'; id: string; ev: ConsumedEvent<DeclarationChecked> }[], now: string): Promise<EncodedEvent[]> {
  const out: EncodedEvent[] = [];
  for (const type of ['broker', 'importer'] as const) {
    const list = touched.filter((t) => t.type === type && t.id);
    if (list.length === 0) continue;
    const column = type === 'broker' ? 'declarant_id' : 'importer_id';
    const keys = list.map((t) => sql`(${t.tenant}, ${t.id})`);
    const agg = await sql<{ tenant_id: string; entity_id: string; scores: number[]; finding_count: number; exposure_pence: number; reclaim_pence: number; declaration_count: number }>`
      select tenant_id, ${sql.ref(column)} as entity_id, array_agg(score) as scores, sum(finding_count)::bigint as finding_count,
             sum(exposure_pence)::bigint as exposure_pence, sum(reclaim_pence)::bigint as reclaim_pence, count(*)::int as declaration_count
      from declaration_scores where (tenant_id, ${sql.ref(column)}) in (values ${sql.join(keys)})
      group by tenant_id, ${sql.ref(column)}`.execute(trx);
    const previous = await trx.selectFrom('entity_scores').select(['tenant_id', 'entity_id', 'score']).where('entity_type', '=', type).where(sql<boolean>`(tenant_id, entity_id) in (values ${sql.join(keys)})`).execute();
    const rows: ScoringDb['entity_scores'][] = agg.rows.map((a) => ({ tenant_id: a.tenant_id, entity_type: type, entity_id: a.entity_id, score: scoreEntity(a.scores), finding_count: Number(a.finding_count), exposure_pence: Number(a.exposure_pence), reclaim_pence: Number(a.reclaim_pence), declaration_count: a.declaration_count, components: '[]', model_version: MODEL_VERSION, updated_at: now }));
    await upsertEntityScores(trx, rows);
    for (const row of rows) {
      const ev = list.find((t) => t.tenant === row.tenant_id && t.id === row.entity_id)!.ev;
      const prev = previous.find((p) => p.tenant_id === row.tenant_id && p.entity_id === row.entity_id)?.score ?? 100;
      out.push(buildEvent({ topic: Topics.scoreUpdated, key: `${row.tenant_id}/${type}/${row.entity_id}`, value: ScoreUpdated.fromPartial({ score: toScore(row), previousScore: prev }), tenant: row.tenant_id, source: 'scoring', subject: row.entity_id, parent: ev.context }));
    }
  }
  return out;
}

async function upsertEntityScores(trx: Transaction<ScoringDb>, rows: ScoringDb['entity_scores'][]): Promise<void> {
  for (const chunk of chunksFor(rows, 11)) {
    await trx
      .insertInto('entity_scores')
      .values(chunk)
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'entity_type', 'entity_id']).doUpdateSet((eb) => ({
          score: eb.ref('excluded.score'),
          finding_count: eb.ref('excluded.finding_count'),
          exposure_pence: eb.ref('excluded.exposure_pence'),
          reclaim_pence: eb.ref('excluded.reclaim_pence'),
          declaration_count: eb.ref('excluded.declaration_count'),
          components: eb.ref('excluded.components'),
          model_version: eb.ref('excluded.model_version'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** Starts the scoring service: scores declarations, brokers and importers from checked events. */
export async function startScoringService(config: ScoringConfig): Promise<RunningService> {
  return startPlatformService<ScoringDb>({
    name: 'scoring',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      kit.consume<DeclarationChecked>({
        groupId: GROUP,
        topic: Topics.declarationChecked,
        handle: async (events) => {
          await withAllTenants(db, async (trx) => {
            const fresh = await claimInbox(trx, GROUP, events.map((e) => ({ eventId: e.eventId, topic: e.topic })));
            const now = new Date().toISOString();
            // Latest event per declaration in this batch (a later version wins).
            const latest = new Map<string, ConsumedEvent<DeclarationChecked>>();
            for (const ev of events) {
              if (!fresh.has(ev.eventId) || ev.value.tenantId !== ev.tenant) continue;
              const k = `${ev.value.tenantId}|${ev.value.declarationId}`;
              const have = latest.get(k);
              if (!have || have.value.declarationVersion <= ev.value.declarationVersion) latest.set(k, ev);
            }
            if (latest.size === 0) return;
            const keys = [...latest.values()].map((e) => sql`(${e.value.tenantId}, ${e.value.declarationId})`);
            const stored = await trx.selectFrom('declaration_scores').select(['tenant_id', 'declaration_id', 'declaration_version', 'score']).where(sql<boolean>`(tenant_id, declaration_id) in (values ${sql.join(keys)})`).execute();
            const storedBy = new Map(stored.map((s) => [`${s.tenant_id}|${s.declaration_id}`, s]));
            const declRows: ScoringDb['declaration_scores'][] = [];
            const entityRows: ScoringDb['entity_scores'][] = [];
            const out: EncodedEvent[] = [];
            const touched = new Map<string, { tenant: string; type: 'broker' | 'importer'; id: string; ev: ConsumedEvent<DeclarationChecked> }>();
            for (const [k, ev] of latest) {
              const c = ev.value;
              const previous = storedBy.get(k);
              // An older version arriving late must not overwrite the newer one's score.
              if (previous && previous.declaration_version > c.declarationVersion) continue;
              const s = scoreDeclaration(c.findings);
              declRows.push({ tenant_id: c.tenantId, declaration_id: c.declarationId, declaration_version: c.declarationVersion, mrn: c.mrn, lrn: c.lrn, importer_id: c.importerEori, declarant_id: c.declarantId, score: s.score, finding_count: c.findings.length, exposure_pence: s.exposurePence, reclaim_pence: s.reclaimPence, components: JSON.stringify(s.components), acceptance_date: c.acceptanceDate, model_version: MODEL_VERSION, updated_at: now });
              const declScore: ScoringDb['entity_scores'] = { tenant_id: c.tenantId, entity_type: 'declaration', entity_id: c.declarationId, score: s.score, finding_count: c.findings.length, exposure_pence: s.exposurePence, reclaim_pence: s.reclaimPence, declaration_count: 1, components: JSON.stringify(s.components), model_version: MODEL_VERSION, updated_at: now };
              entityRows.push(declScore);
              out.push(buildEvent({ topic: Topics.scoreUpdated, key: declarationKey(c.tenantId, c.mrn || c.lrn), value: ScoreUpdated.fromPartial({ score: toScore(declScore), previousScore: previous?.score ?? 100 }), tenant: c.tenantId, source: 'scoring', subject: c.declarationId, parent: ev.context, id: `score/${c.tenantId}/${c.declarationId}/${c.declarationVersion}${c.evaluationId ? `/${c.evaluationId}` : ''}` }));
              if (c.declarantId) touched.set(`${c.tenantId}|broker|${c.declarantId}`, { tenant: c.tenantId, type: 'broker', id: c.declarantId, ev });
              if (c.importerEori) touched.set(`${c.tenantId}|importer|${c.importerEori}`, { tenant: c.tenantId, type: 'importer', id: c.importerEori, ev });
            }
            for (const chunk of chunksFor(declRows, 15)) {
              await trx
                .insertInto('declaration_scores')
                .values(chunk)
                .onConflict((oc) =>
                  oc.columns(['tenant_id', 'declaration_id']).doUpdateSet((eb) => ({
                    declaration_version: eb.ref('excluded.declaration_version'),
                    mrn: eb.ref('excluded.mrn'),
                    lrn: eb.ref('excluded.lrn'),
                    importer_id: eb.ref('excluded.importer_id'),
                    declarant_id: eb.ref('excluded.declarant_id'),
                    score: eb.ref('excluded.score'),
                    finding_count: eb.ref('excluded.finding_count'),
                    exposure_pence: eb.ref('excluded.exposure_pence'),
                    reclaim_pence: eb.ref('excluded.reclaim_pence'),
                    components: eb.ref('excluded.components'),
                    acceptance_date: eb.ref('excluded.acceptance_date'),
                    model_version: eb.ref('excluded.model_version'),
                    updated_at: eb.ref('excluded.updated_at'),
                  })),
                )
                .execute();
            }
            await upsertEntityScores(trx, entityRows);
            // Brokers and importers are recomputed once per batch, not once per declaration.
            out.push(...(await refreshEntities(trx, [...touched.values()], now)));
            await enqueueOutbox(trx, 'scoring', out);
          });
        },
      });

      const getScore = async (tenantId: string, entityType: string, entityId: string): Promise<Score | undefined> => {
        const row = await withTenant(db, tenantId, (trx) => trx.selectFrom('entity_scores').selectAll().where('tenant_id', '=', tenantId).where('entity_type', '=', entityType).where('entity_id', '=', entityId).executeTakeFirst());
        return row ? toScore(row) : undefined;
      };
      kit.grpc.addService(ScoringServiceService as never, {
        getScore: async (req: GetScoreRequest, call: CallContext): Promise<GetScoreResponse> => {
          if (!ENTITY_TYPES.has(req.entityType)) throw new GrpcError(status.INVALID_ARGUMENT, 'entity_type must be declaration, broker or importer');
          const s = await getScore(call.principal.tenantId, req.entityType, req.entityId);
          if (!s) throw new GrpcError(status.NOT_FOUND, `no ${req.entityType} score for ${req.entityId}`);
          return { score: s };
        },
      });
      kit.http.get<{ Params: { type: string; id: string } }>('/v1/scores/:type/:id', async (req) => {
        const p = principalOf(req);
        if (!ENTITY_TYPES.has(req.params.type)) throw new HttpError(400, 'invalid_entity_type', 'entity type must be declaration, broker or importer');
        const s = await getScore(p.tenantId, req.params.type, req.params.id);
        if (!s) throw new HttpError(404, 'not_found', `no ${req.params.type} score for ${req.params.id}`);
        return Score.toJSON(s);
      });
      kit.http.get<{ Params: { type: string }; Querystring: { limit?: string } }>('/v1/scores/:type', async (req) => {
        const p = principalOf(req);
        if (!ENTITY_TYPES.has(req.params.type)) throw new HttpError(400, 'invalid_entity_type', 'entity type must be declaration, broker or importer');
        const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
        const rows = await withTenant(db, p.tenantId, (trx) => trx.selectFrom('entity_scores').selectAll().where('tenant_id', '=', p.tenantId).where('entity_type', '=', req.params.type).orderBy('score', 'asc').orderBy(sql`exposure_pence`, 'desc').limit(limit).execute());
        return { scores: rows.map((r) => Score.toJSON(toScore(r))) };
      });
    },
  });
}

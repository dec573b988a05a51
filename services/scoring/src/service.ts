import { Score, ScoreUpdated, ScoringServiceService, Topics, declarationKey, type DeclarationChecked, type GetScoreRequest, type GetScoreResponse, type ScoreComponent } from '@customs/contracts';
import { claimInbox, enqueueOutbox, sql, withAllTenants, withTenant, type Transaction } from '@customs/db';
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

/** Recomputes and upserts the broker/importer score of one entity; returns the update event. */
async function refreshEntity(trx: Transaction<ScoringDb>, tenantId: string, entityType: 'broker' | 'importer', entityId: string, now: string, ev: ConsumedEvent<DeclarationChecked>): Promise<EncodedEvent | undefined> {
  if (!entityId) return undefined;
  const column = entityType === 'broker' ? 'declarant_id' : 'importer_id';
  const rows = await trx.selectFrom('declaration_scores').select(['score', 'finding_count', 'exposure_pence', 'reclaim_pence']).where('tenant_id', '=', tenantId).where(column, '=', entityId).execute();
  const previous = await trx.selectFrom('entity_scores').select('score').where('tenant_id', '=', tenantId).where('entity_type', '=', entityType).where('entity_id', '=', entityId).executeTakeFirst();
  const row: ScoringDb['entity_scores'] = {
    tenant_id: tenantId,
    entity_type: entityType,
    entity_id: entityId,
    score: scoreEntity(rows.map((r) => r.score)),
    finding_count: rows.reduce((s, r) => s + r.finding_count, 0),
    exposure_pence: rows.reduce((s, r) => s + r.exposure_pence, 0),
    reclaim_pence: rows.reduce((s, r) => s + r.reclaim_pence, 0),
    declaration_count: rows.length,
    components: '[]',
    model_version: MODEL_VERSION,
    updated_at: now,
  };
  await trx.insertInto('entity_scores').values(row).onConflict((oc) => oc.columns(['tenant_id', 'entity_type', 'entity_id']).doUpdateSet(row)).execute();
  return buildEvent({ topic: Topics.scoreUpdated, key: `${tenantId}/${entityType}/${entityId}`, value: ScoreUpdated.fromPartial({ score: toScore(row), previousScore: previous?.score ?? 100 }), tenant: tenantId, source: 'scoring', subject: entityId, parent: ev.context });
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
            const out: EncodedEvent[] = [];
            const touched = new Map<string, { tenant: string; type: 'broker' | 'importer'; id: string; ev: ConsumedEvent<DeclarationChecked> }>();
            const now = new Date().toISOString();
            for (const ev of events) {
              if (!fresh.has(ev.eventId) || ev.value.tenantId !== ev.tenant) continue;
              const c = ev.value;
              const s = scoreDeclaration(c.findings);
              const previous = await trx.selectFrom('declaration_scores').select(['score', 'declaration_version']).where('tenant_id', '=', c.tenantId).where('declaration_id', '=', c.declarationId).executeTakeFirst();
              // An older version arriving late must not overwrite the newer one's score.
              if (previous && previous.declaration_version > c.declarationVersion) continue;
              const row = { tenant_id: c.tenantId, declaration_id: c.declarationId, declaration_version: c.declarationVersion, mrn: c.mrn, lrn: c.lrn, importer_id: c.importerEori, declarant_id: c.declarantId, score: s.score, finding_count: c.findings.length, exposure_pence: s.exposurePence, reclaim_pence: s.reclaimPence, components: JSON.stringify(s.components), acceptance_date: c.acceptanceDate, model_version: MODEL_VERSION, updated_at: now };
              await trx.insertInto('declaration_scores').values(row).onConflict((oc) => oc.columns(['tenant_id', 'declaration_id']).doUpdateSet(row)).execute();
              const declScore: ScoringDb['entity_scores'] = { tenant_id: c.tenantId, entity_type: 'declaration', entity_id: c.declarationId, score: s.score, finding_count: c.findings.length, exposure_pence: s.exposurePence, reclaim_pence: s.reclaimPence, declaration_count: 1, components: JSON.stringify(s.components), model_version: MODEL_VERSION, updated_at: now };
              await trx.insertInto('entity_scores').values(declScore).onConflict((oc) => oc.columns(['tenant_id', 'entity_type', 'entity_id']).doUpdateSet(declScore)).execute();
              out.push(buildEvent({ topic: Topics.scoreUpdated, key: declarationKey(c.tenantId, c.mrn || c.lrn), value: ScoreUpdated.fromPartial({ score: toScore(declScore), previousScore: previous?.score ?? 100 }), tenant: c.tenantId, source: 'scoring', subject: c.declarationId, parent: ev.context, id: `score/${c.tenantId}/${c.declarationId}/${c.declarationVersion}` }));
              if (c.declarantId) touched.set(`${c.tenantId}|broker|${c.declarantId}`, { tenant: c.tenantId, type: 'broker', id: c.declarantId, ev });
              if (c.importerEori) touched.set(`${c.tenantId}|importer|${c.importerEori}`, { tenant: c.tenantId, type: 'importer', id: c.importerEori, ev });
            }
            // Brokers and importers are recomputed once per batch, not once per declaration.
            for (const t of touched.values()) {
              const e = await refreshEntity(trx, t.tenant, t.type, t.id, now, t.ev);
              if (e) out.push(e);
            }
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

import {
  Finding,
  ScoringServiceService,
  type GetBrokerScorecardsRequest,
  type GetBrokerScorecardsResponse,
  type GetImporterReadinessRequest,
  type GetImporterReadinessResponse,
  type GetScoreRequest,
  type GetScoreResponse,
  type GetTrendRequest,
  type GetTrendResponse,
  type ListScoredLinesRequest,
  type ListScoredLinesResponse,
} from '@customs/contracts';
import { withTenant, type Kysely } from '@customs/db';
import { GrpcError, status, type CallContext, type GrpcServer } from '@customs/grpc';
import { bindStore, type Store } from '../app/ports';
import { getScore, readinessOf, scorecards, scoredLines, trend } from '../app/queries';
import type { ScoringDb } from '../db/migrations';
import type { BrokerScorecard, Readiness } from '../scoring/scorecards';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const TYPES = new Set(['declaration', 'broker', 'importer']);

const cardProto = (tenant: string, c: BrokerScorecard) => ({
  tenantId: tenant,
  agentId: c.agentId,
  month: c.month,
  modelVersion: c.modelVersion,
  score: c.score,
  scoreExplanation: c.scoreExplanation,
  metrics: c.metrics,
  peerPercentile: c.peerPercentile,
  peerCount: c.peerCount,
});
const readinessProto = (tenant: string, r: Readiness) => ({
  tenantId: tenant,
  importerId: r.importerId,
  from: r.from,
  to: r.to,
  modelVersion: r.modelVersion,
  score: r.score,
  explanation: r.explanation,
  dimensions: r.dimensions,
});

/** gRPC adapter: the same read use cases as REST. */
export function registerGrpc(grpc: GrpcServer, db: Kysely<ScoringDb>): void {
  const read = <T>(tenant: string, fn: (s: Store) => Promise<T>) => withTenant(db, tenant, (trx) => fn(bindStore(trx)));
  const month = (m: string, field: string) => {
    if (m && !MONTH.test(m)) throw new GrpcError(status.INVALID_ARGUMENT, `${field} must be YYYY-MM`);
    return m || undefined;
  };
  grpc.addService(ScoringServiceService as never, {
    getScore: async (req: GetScoreRequest, call: CallContext): Promise<GetScoreResponse> => {
      if (!TYPES.has(req.entityType)) throw new GrpcError(status.INVALID_ARGUMENT, 'entity_type must be declaration, broker or importer');
      if (!req.entityId) throw new GrpcError(status.INVALID_ARGUMENT, 'entity_id is required');
      const s = await read(call.principal.tenantId, (st) => getScore(st, call.principal.tenantId, req.entityType, req.entityId));
      if (!s) throw new GrpcError(status.NOT_FOUND, `no ${req.entityType} score for ${req.entityId}`);
      return { score: s };
    },
    getBrokerScorecards: async (req: GetBrokerScorecardsRequest, call: CallContext): Promise<GetBrokerScorecardsResponse> => {
      const t = call.principal.tenantId;
      const r = await read(t, (st) => scorecards(st, t, { agent: req.agentId || undefined, month: month(req.month, 'month') }));
      return { scorecards: r.scorecards.map((c) => cardProto(t, c)) };
    },
    getImporterReadiness: async (req: GetImporterReadinessRequest, call: CallContext): Promise<GetImporterReadinessResponse> => {
      const t = call.principal.tenantId;
      if (!req.importerId) throw new GrpcError(status.INVALID_ARGUMENT, 'importer_id is required');
      const r = await read(t, (st) => readinessOf(st, t, req.importerId, month(req.toMonth, 'to_month')));
      if (!r) throw new GrpcError(status.NOT_FOUND, `no history for importer ${req.importerId}`);
      return { readiness: readinessProto(t, r.readiness), dutyUnderManagement: { tenantId: t, importerId: r.dum.importerId, from: r.dum.from, to: r.dum.to, metrics: r.dum.metrics } };
    },
    getTrend: async (req: GetTrendRequest, call: CallContext): Promise<GetTrendResponse> => {
      const t = call.principal.tenantId;
      if (req.entityType !== 'broker' && req.entityType !== 'importer') throw new GrpcError(status.INVALID_ARGUMENT, 'entity_type must be broker or importer');
      const points = await read(t, (st) => trend(st, t, req.entityType, req.entityId));
      return {
        points: points.map((p) => ({
          entityType: req.entityType,
          entityId: req.entityId,
          month: p.month,
          score: p.score,
          metrics: (p.payload as { metrics?: [] }).metrics ?? [],
          modelVersion: p.model_version,
          recordedAt: p.recorded_at,
        })),
      };
    },
    listScoredLines: async (req: ListScoredLinesRequest, call: CallContext): Promise<ListScoredLinesResponse> => {
      const t = call.principal.tenantId;
      if (!req.declarationId) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration_id is required');
      const r = await read(t, (st) => scoredLines(st, t, req.declarationId));
      if (!r) throw new GrpcError(status.NOT_FOUND, `no score for declaration ${req.declarationId}`);
      // Validation's findings are kept in compact form; their full text is validation's ListFindings.
      const validation = r.validation.map((f) =>
        Finding.fromPartial({
          findingId: f.id,
          tenantId: t,
          declarationId: req.declarationId,
          itemNumber: f.item,
          ruleId: f.rule,
          family: f.family,
          severity: f.severity,
          exposureDutyPence: f.exposureDuty,
          exposureVatPence: f.exposureVat,
          reclaimDutyPence: f.reclaimDuty,
          reclaimVatPence: f.reclaimVat,
          deadline: f.deadline,
          source: f.source,
        }),
      );
      return { score: r.score, findings: [...validation, ...r.history] };
    },
  });
}

import { Finding, FindingRaised, Topics, ValidationServiceService, declarationKey, type DeclarationReceived, type ListFindingsRequest, type ListFindingsResponse } from '@customs/contracts';
import { chunksFor, claimInbox, enqueueOutbox, sql, withAllTenants, withTenant } from '@customs/db';
import { buildEvent, type ConsumedEvent } from '@customs/kafka';
import { GrpcError, status, type CallContext } from '@customs/grpc';
import { HttpError, principalOf } from '@customs/http';
import { context } from '@opentelemetry/api';
import { startPlatformService, type RunningService } from '@customs/service';
import { RULES, daysLeft } from './rules';
import { checkBatch } from './app/check-batch';
import { CachedReferenceClient } from './grpc/reference-client';
import { migrations, type ValidationDb } from './db/migrations';
import type { ValidationConfig } from './config';

const GROUP = 'validation';

/** Starts the validation service: consumes declarations, evaluates the rules, publishes findings. */
export async function startValidationService(config: ValidationConfig): Promise<RunningService> {
  return startPlatformService<ValidationDb>({
    name: 'validation',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      const reference = new CachedReferenceClient(config.REFERENCE_GRPC_ADDRESS, config.SERVICE_TOKEN, kit.metrics);
      kit.lifecycle.add('reference-client', async () => reference.close());
      const findingsRaised = kit.metrics.counter('customs_findings_raised_total', 'Findings raised, by rule', ['rule']);

      kit.consume<DeclarationReceived>({
        groupId: GROUP,
        topic: Topics.declarationReceived,
        handle: async (events: ConsumedEvent<DeclarationReceived>[]) => {
          const usable = events.filter((e) => e.value.declaration && e.value.declaration.tenantId === e.tenant);
          // The batch's one reference lookup runs in the first event's trace (the others link to
          // it through their own consumer spans), so a declaration's trace shows the gRPC call.
          const results = await context.with(usable[0]?.context ?? context.active(), () => checkBatch(RULES, reference, usable.map((e) => e.value.declaration!), new Date()));
          await withAllTenants(db, async (trx) => {
            const fresh = await claimInbox(trx, GROUP, events.map((e) => ({ eventId: e.eventId, topic: e.topic })));
            const todo = results.map((r, i) => ({ r, ev: usable[i]! })).filter(({ ev }) => fresh.has(ev.eventId));
            if (todo.length === 0) return;
            for (const chunk of chunksFor(todo, 10)) await trx
              .insertInto('checks')
              .values(chunk.map(({ r }) => ({ tenant_id: r.summary.tenantId, declaration_id: r.summary.declarationId, declaration_version: r.summary.declarationVersion, mrn: r.summary.mrn, lrn: r.summary.lrn, checked_at: r.summary.checkedAt, finding_count: r.findings.length, exposure_pence: r.summary.exposurePence, reclaim_pence: r.summary.reclaimPence, rules_evaluated: r.summary.rulesEvaluated })))
              .onConflict((oc) => oc.columns(['tenant_id', 'declaration_id', 'declaration_version']).doNothing())
              .execute();
            const allFindings = todo.flatMap(({ r }) => r.findings);
            for (const chunk of chunksFor(allFindings, 13)) {
              await trx
                .insertInto('findings')
                .values(chunk.map((f) => ({ finding_id: f.findingId, tenant_id: f.tenantId, declaration_id: f.declarationId, declaration_version: f.declarationVersion, item_number: f.itemNumber, rule_id: f.ruleId, rule_version: f.ruleVersion, severity: f.severity, exposure_pence: f.exposureDutyPence + f.exposureVatPence, reclaim_pence: f.reclaimDutyPence + f.reclaimVatPence, deadline: f.deadline || null, raised_at: f.raisedAt, payload: Buffer.from(Finding.encode(f).finish()) })))
                .onConflict((oc) => oc.column('finding_id').doNothing())
                .execute();
            }
            // Later versions supersede earlier versions' findings; history stays (status only).
            // One statement for the whole batch, after the inserts so a version 1 and 2 in the same
            // batch end with version 1's findings superseded.
            const versions = todo.map(({ r }) => sql`(${r.declaration.tenantId}, ${r.declaration.declarationId}, ${r.declaration.version}::int)`);
            const superseded = await sql<{ finding_id: string; tenant_id: string; declaration_id: string }>`
              update findings f set status = 'superseded', superseded_at = now()
              from (values ${sql.join(versions)}) as v(tenant_id, declaration_id, version)
              where f.tenant_id = v.tenant_id and f.declaration_id = v.declaration_id and f.declaration_version < v.version and f.status = 'active'
              returning f.finding_id, f.tenant_id, f.declaration_id`.execute(trx);
            for (const { r } of todo) {
              r.summary.supersededFindingIds = superseded.rows.filter((x) => x.tenant_id === r.declaration.tenantId && x.declaration_id === r.declaration.declarationId).map((x) => x.finding_id);
            }
            const messages = todo.flatMap(({ r, ev }) => {
              const key = declarationKey(r.declaration.tenantId, r.declaration.mrn || r.declaration.lrn);
              const common = { tenant: r.declaration.tenantId, source: 'validation', subject: r.declaration.declarationId, parent: ev.context };
              return [
                ...r.findings.map((f) => buildEvent({ ...common, topic: Topics.validationFindingRaised, key, value: FindingRaised.fromPartial({ finding: f }), id: `finding/${f.findingId}` })),
                buildEvent({ ...common, topic: Topics.declarationChecked, key, value: r.summary, id: `checked/${r.declaration.tenantId}/${r.declaration.declarationId}/${r.declaration.version}` }),
              ];
            });
            await enqueueOutbox(trx, 'validation', messages);
            for (const f of allFindings) findingsRaised.inc({ rule: f.ruleId });
          });
        },
      });

      const listFindings = async (tenantId: string, declarationId: string, includeSuperseded: boolean): Promise<Finding[]> =>
        withTenant(db, tenantId, async (trx) => {
          let q = trx.selectFrom('findings').select(['payload']).where('tenant_id', '=', tenantId).where('declaration_id', '=', declarationId);
          if (!includeSuperseded) q = q.where('status', '=', 'active');
          const rows = await q.orderBy('declaration_version').orderBy('item_number').orderBy('rule_id').execute();
          return rows.map((r) => Finding.decode(r.payload));
        });

      kit.grpc.addService(ValidationServiceService as never, {
        listFindings: async (req: ListFindingsRequest, call: CallContext): Promise<ListFindingsResponse> => {
          if (!req.declarationId) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration_id is required');
          return { findings: await listFindings(call.principal.tenantId, req.declarationId, req.includeSuperseded) };
        },
      });

      kit.http.get<{ Params: { id: string }; Querystring: { includeSuperseded?: string } }>('/v1/declarations/:id/findings', async (req) => {
        const p = principalOf(req);
        const today = new Date().toISOString().slice(0, 10);
        const findings = await listFindings(p.tenantId, req.params.id, req.query.includeSuperseded === 'true');
        return { declarationId: req.params.id, findings: findings.map((f) => ({ ...Finding.toJSON(f) as object, daysLeft: f.deadline ? daysLeft(f.deadline, today) : null })) };
      });
      kit.http.get<{ Params: { id: string } }>('/v1/declarations/:id/checks', async (req) => {
        const p = principalOf(req);
        const rows = await withTenant(db, p.tenantId, (trx) => trx.selectFrom('checks').selectAll().where('tenant_id', '=', p.tenantId).where('declaration_id', '=', req.params.id).orderBy('declaration_version').execute());
        if (rows.length === 0) throw new HttpError(404, 'not_found', `no checks for declaration ${req.params.id}`);
        return { declarationId: req.params.id, checks: rows };
      });
      kit.http.get('/v1/rules', async () => ({ rules: RULES.map((r) => r.meta) }));
    },
  });
}

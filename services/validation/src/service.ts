import {
  Finding,
  Topics,
  ValidationServiceService,
  type DatasetChanged,
  type DeclarationReceived,
  type ListFindingsRequest,
  type ListFindingsResponse,
  type CheckDeclarationRequest,
  type CheckDeclarationResponse,
} from '@customs/contracts';
import { claimInbox, sql, withAllTenants, withTenant } from '@customs/db';
import type { ConsumedEvent, DeadLetter } from '@customs/kafka';
import { GrpcError, status, type CallContext } from '@customs/grpc';
import { HttpError, principalOf } from '@customs/http';
import { context } from '@opentelemetry/api';
import { startPlatformService, type RunningService } from '@customs/service';
import { RULES, daysLeft, ruleSetFingerprint } from './rules';
import { persistFirstChecks, reevaluateStored } from './app/persist-checks';
import { checkBatch, uncheckableReason } from './app/check-batch';
import { isTransientError } from './app/transient';
import { deadLetterEntry, undecidedEntries, unusableEventEntry } from './app/not-checked';
import { recordNotChecked, type NotCheckedEntry } from './db/not-checked-repo';
import { registerNotCheckedRoutes } from './http/not-checked-routes';
import { draftProblem, registerDraftCheckRoutes, runDraftCheck } from './http/draft-check-routes';
import { randomUUID } from 'node:crypto';
import { createReferenceClient } from './grpc/reference-client';
import { migrations, type ValidationDb } from './db/migrations';
import type { ValidationConfig } from './config';

const GROUP = 'validation';
const REEVALUATION_GROUP = 'validation-reevaluation';

/** Starts the validation service: consumes declarations, evaluates the rules, publishes findings. */
export async function startValidationService(config: ValidationConfig): Promise<RunningService> {
  return startPlatformService<ValidationDb>({
    name: 'validation',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      const reference = createReferenceClient(config.REFERENCE_GRPC_ADDRESS, config.SERVICE_TOKEN, kit.metrics);
      kit.lifecycle.add('reference-client', async () => reference.close());
      const findingsRaised = kit.metrics.counter('customs_findings_raised_total', 'Findings raised, by rule', ['rule']);
      // Nothing validation receives may vanish unseen: whatever it could not check is recorded in
      // not_checked (GET /v1/not-checked), counted here (alert: infra/prometheus/alerts.yml) and
      // logged as an error. Counted after the recording committed, once per occurrence.
      const notCheckedTotal = kit.metrics.counter(
        'customs_declarations_not_checked_total',
        'Declarations (or one rule on a declaration) validation could not check, by tenant and cause (dead_lettered, unusable_event, rule_failed, rule_not_checked); see GET /v1/not-checked',
        ['tenant', 'cause'],
      );
      const notChecked = (recorded: readonly NotCheckedEntry[]): void => {
        for (const e of recorded) {
          notCheckedTotal.inc({ tenant: e.tenantId || 'unknown', cause: e.cause });
          kit.logger.error(
            {
              tenant: e.tenantId,
              declarationId: e.declarationId,
              version: e.declarationVersion,
              mrn: e.mrn,
              lrn: e.lrn,
              ruleId: e.ruleId || undefined,
              cause: e.cause,
              reason: e.reason,
              topic: e.topic,
              partition: e.partition,
              offset: e.offset,
            },
            e.ruleId ? 'rule could not decide on a declaration; recorded as not checked' : 'declaration not checked; recorded as not checked',
          );
        }
      };
      const recordDeadLetter = async (dead: DeadLetter<DeclarationReceived> | DeadLetter<DatasetChanged>): Promise<void> => {
        notChecked(await withAllTenants(db, (trx) => recordNotChecked(trx, [deadLetterEntry(dead)])));
      };

      kit.consume<DeclarationReceived>({
        groupId: GROUP,
        topic: Topics.declarationReceived,
        handle: async (events: ConsumedEvent<DeclarationReceived>[]) => {
          const unusable: NotCheckedEntry[] = [];
          const usable: ConsumedEvent<DeclarationReceived>[] = [];
          for (const e of events) {
            const entry = unusableEventEntry(e, GROUP, uncheckableReason);
            if (entry) unusable.push(entry);
            else usable.push(e);
          }
          // The batch's one reference lookup runs in the first event's trace (the others link to
          // it through their own consumer spans), so a declaration's trace shows the gRPC call.
          const results = await context.with(usable[0]?.context ?? context.active(), () =>
            checkBatch(
              RULES,
              reference,
              usable.map((e) => e.value.declaration!),
              new Date(),
            ),
          );
          const recorded = await withAllTenants(db, async (trx) => {
            const fresh = await claimInbox(
              trx,
              GROUP,
              events.map((e) => ({ eventId: e.eventId, topic: e.topic })),
            );
            const todo = results.map((r, i) => ({ r, parent: usable[i]!.context, event: usable[i]!, eventId: usable[i]!.eventId })).filter(({ eventId }) => fresh.has(eventId));
            const raised = await persistFirstChecks(trx, todo);
            for (const f of raised) findingsRaised.inc({ rule: f.ruleId });
            const entries = [...unusable.filter((u) => fresh.has(u.eventId)), ...todo.flatMap(({ r, event }) => undecidedEntries(r, { event: event as ConsumedEvent<unknown>, consumerGroup: GROUP }))];
            return recordNotChecked(trx, entries);
          });
          notChecked(recorded);
        },
        onDeadLetter: recordDeadLetter,
        // The reference service or Postgres unreachable is waited out, not dead-lettered.
        isTransient: isTransientError,
      });

      // A new reference dataset version (tariff, FX, code lists) can change findings on
      // declarations already checked: forget cached lookups and re-evaluate the affected window,
      // only the declarations with the commodity codes the change names when it names any.
      const reevaluated = kit.metrics.counter(
        'customs_validation_reevaluated_declarations_total',
        'Declarations re-checked after a reference DatasetChanged, by scope (commodity_codes: narrowed to the codes the change named; window: every code in its date window)',
        ['scope'],
      );
      kit.consume<DatasetChanged>({
        groupId: REEVALUATION_GROUP,
        topic: Topics.datasetChanged,
        handle: async (events) => {
          reference.clear();
          for (const ev of events) {
            const c = ev.value;
            const report = await reevaluateStored(
              db,
              RULES,
              reference,
              { evaluationId: `reference:${c.dataset}@${c.version}`, from: c.effectiveFrom, to: c.effectiveTo, commodityCodes: c.commodityCodes, onNotChecked: notChecked },
              () => new Date(),
            );
            const scope = c.commodityCodes.length ? 'commodity_codes' : 'window';
            reevaluated.inc({ scope }, report.declarations);
            kit.logger.info({ dataset: c.dataset, version: c.version, scope, commodityCodes: c.commodityCodes.length, ...report }, 're-evaluated declarations after a reference dataset change');
          }
          // Claimed after the work: re-evaluation is idempotent, so a crash before this line only repeats it.
          await withAllTenants(db, (trx) =>
            claimInbox(
              trx,
              REEVALUATION_GROUP,
              events.map((e) => ({ eventId: e.eventId, topic: e.topic })),
            ),
          );
        },
        onDeadLetter: recordDeadLetter,
        // The reference service or Postgres unreachable is waited out, not dead-lettered.
        isTransient: isTransientError,
      });

      // A deploy that changes a rule's version re-evaluates everything stored, once. Runs in the
      // background (the reference service may still be starting) and records the new fingerprint
      // only after success, so a crash or an unreachable reference service means a retry, not a
      // skipped re-evaluation. Two replicas doing it at once is harmless: re-evaluation is idempotent.
      let stopped = false;
      const fingerprint = ruleSetFingerprint(RULES);
      const reevaluateOnRuleChange = async (): Promise<void> => {
        const stored = await db.selectFrom('evaluation_state').select('value').where('key', '=', 'rule_set').executeTakeFirst();
        if (stored && stored.value !== fingerprint) {
          const report = await reevaluateStored(db, RULES, reference, { evaluationId: `rules:${fingerprint}`, onNotChecked: notChecked }, () => new Date());
          kit.logger.info({ fingerprint, previous: stored.value, ...report }, 're-evaluated declarations after a rule version change');
        }
        await db
          .insertInto('evaluation_state')
          .values({ key: 'rule_set', value: fingerprint })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: fingerprint, updated_at: sql`now()` } as never))
          .execute();
      };
      const retry = (delayMs: number): void => {
        const t = setTimeout(() => {
          reevaluateOnRuleChange().catch((err: unknown) => {
            kit.logger.warn({ err, retryInMs: 30000 }, 'rule-change re-evaluation failed; will retry');
            if (!stopped) retry(30000);
          });
        }, delayMs);
        t.unref();
      };
      retry(1000);
      kit.lifecycle.add('rule-change-reevaluation', async () => {
        stopped = true;
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
        // Check before lodging over gRPC: the same check and draft record as POST /v1/checks.
        checkDeclaration: async (req: CheckDeclarationRequest, call: CallContext): Promise<CheckDeclarationResponse> => {
          const p = call.principal;
          if (p.role !== 'admin' && p.role !== 'integrator' && p.role !== 'analyst') throw new GrpcError(status.PERMISSION_DENIED, 'this call needs role integrator or analyst');
          if (!req.declaration) throw new GrpcError(status.INVALID_ARGUMENT, 'declaration is required');
          const problem = draftProblem(req.declaration);
          if (problem) throw new GrpcError(status.INVALID_ARGUMENT, `declaration.${problem.field}: ${problem.message}`);
          const checkId = randomUUID();
          const { result, check } = await runDraftCheck(db, RULES, reference, p.tenantId, checkId, { ...req.declaration, tenantId: p.tenantId, declarationId: `draft-${checkId}`, version: 1 });
          return {
            checkId,
            declaration: check.declaration,
            findings: check.findings,
            notChecked: result.notChecked,
            exposurePence: result.exposurePence,
            reclaimPence: result.reclaimPence,
            checkedAt: result.checkedAt,
            rulesEvaluated: result.rulesEvaluated,
          };
        },
      });

      kit.http.get<{ Params: { id: string }; Querystring: { includeSuperseded?: string } }>('/v1/declarations/:id/findings', async (req) => {
        const p = principalOf(req);
        const today = new Date().toISOString().slice(0, 10);
        const findings = await listFindings(p.tenantId, req.params.id, req.query.includeSuperseded === 'true');
        return { declarationId: req.params.id, findings: findings.map((f) => ({ ...(Finding.toJSON(f) as object), daysLeft: f.deadline ? daysLeft(f.deadline, today) : null })) };
      });
      kit.http.get<{ Params: { id: string } }>('/v1/declarations/:id/checks', async (req) => {
        const p = principalOf(req);
        const rows = await withTenant(db, p.tenantId, (trx) =>
          trx.selectFrom('checks').selectAll().where('tenant_id', '=', p.tenantId).where('declaration_id', '=', req.params.id).orderBy('declaration_version').execute(),
        );
        if (rows.length === 0) throw new HttpError(404, 'not_found', `no checks for declaration ${req.params.id}`);
        return { declarationId: req.params.id, checks: rows };
      });
      kit.http.get('/v1/rules', async () => ({ rules: RULES.map((r) => r.meta) }));
      registerNotCheckedRoutes(kit.http, db);
      registerDraftCheckRoutes(kit.http, db, RULES, reference);
    },
  });
}

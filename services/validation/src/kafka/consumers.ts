// Kafka adapters: declarations to check, and reference dataset changes that re-evaluate them.
import { Topics, type DatasetChanged, type DeclarationReceived } from '@customs/contracts';
import { claimInbox, withAllTenants, type Kysely } from '@customs/db';
import type { ConsumedEvent, DeadLetter } from '@customs/kafka';
import type { PlatformKit } from '@customs/service';
import { context } from '@opentelemetry/api';
import { checkBatch, uncheckableReason } from '../app/check-batch';
import { deadLetterEntry, undecidedEntries, unusableEventEntry } from '../app/not-checked';
import type { NotCheckedReporter } from '../app/not-checked-reporter';
import { persistFirstChecks, reevaluateStored } from '../app/persist-checks';
import type { ReferencePort } from '../app/reference-port';
import { isTransientError } from '../app/transient';
import type { ValidationDb } from '../db/migrations';
import { recordNotChecked, type NotCheckedEntry } from '../db/not-checked-repo';
import { RULES } from '../rules';

export const GROUP = 'validation';
export const REEVALUATION_GROUP = 'validation-reevaluation';

export interface ConsumerDeps {
  db: Kysely<ValidationDb>;
  reference: ReferencePort & { clear(): void };
  notChecked: NotCheckedReporter;
  /** customs_findings_raised_total, by rule. */
  findingsRaised: { inc(labels: { rule: string }): void };
}

export function registerConsumers(kit: Pick<PlatformKit<ValidationDb>, 'consume' | 'logger' | 'metrics'>, { db, reference, notChecked, findingsRaised }: ConsumerDeps): void {
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
      // The batch's one reference lookup runs in the first event's trace, so a declaration's
      // trace shows the gRPC call (the other events' consumer spans link to the batch span,
      // @customs/kafka, not to this call; their own outgoing events keep their own trace).
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
}

import { type DeclarationReceived, type DefermentStatementReceived, type ErpReceiptsReceived, Topics, type TopicDef } from '@customs/contracts';
import { claimInbox, enqueueOutbox, type Kysely, withAllTenants } from '@customs/db';
import type { ConsumedEvent } from '@customs/kafka';
import type { PlatformKit } from '@customs/service';
import { bindStore } from '../app/ports';
import { bindReconStore, onReconciliationEvents, type ReconEvent } from '../app/reconciliation-batch';
import type { ScoringDb } from '../db/migrations';
import { encode } from './consumers';

// Kafka adapter for reconciliation (C03, C42): declarations, ERP receipts and deferment statement
// parts, each topic under its own group; each consumed batch is one transaction — inbox claim,
// effects and outbox together (exactly-once effects), like the other consumers.

export const RECONCILIATION_GROUPS = { declarations: 'scoring-reconciliation', receipts: 'scoring-erp-receipts', statements: 'scoring-deferment' } as const;

export function registerReconciliationConsumers(kit: PlatformKit<ScoringDb>, db: Kysely<ScoringDb>): void {
  const consume = <T>(groupId: string, topic: TopicDef<T>, toEvent: (e: ConsumedEvent<T>) => ReconEvent | undefined) =>
    kit.consume<T>({
      groupId,
      topic,
      handle: async (events) => {
        await withAllTenants(db, async (trx) => {
          const fresh = await claimInbox(
            trx,
            groupId,
            events.map((e) => ({ eventId: e.eventId, topic: e.topic })),
          );
          const mine = events.filter((e) => fresh.has(e.eventId)).flatMap((e) => toEvent(e) ?? []);
          if (mine.length === 0) return;
          const out = await onReconciliationEvents(bindStore(trx), bindReconStore(trx), mine, new Date().toISOString());
          const parents = new Map(events.map((e) => [e.eventId, e as ConsumedEvent<unknown>]));
          await enqueueOutbox(
            trx,
            'scoring',
            out.map((o) => encode(o, parents)),
          );
        });
      },
    });
  // The tenant of an event is its header; a body naming another tenant is not trusted.
  consume<DeclarationReceived>(RECONCILIATION_GROUPS.declarations, Topics.declarationReceived, (e) =>
    e.value.declaration && e.value.declaration.tenantId === e.tenant ? { eventId: e.eventId, kind: 'declaration', declaration: e.value.declaration } : undefined,
  );
  consume<ErpReceiptsReceived>(RECONCILIATION_GROUPS.receipts, Topics.erpReceiptsReceived, (e) =>
    e.value.tenantId === e.tenant
      ? { eventId: e.eventId, kind: 'receipts', tenant: e.tenant, lines: e.value.lines.filter((l) => l.tenantId === e.tenant), declarationsIngested: e.value.declarationsIngested }
      : undefined,
  );
  consume<DefermentStatementReceived>(RECONCILIATION_GROUPS.statements, Topics.defermentStatementReceived, (e) =>
    e.value.tenantId === e.tenant ? { eventId: e.eventId, kind: 'statement', statement: e.value } : undefined,
  );
}

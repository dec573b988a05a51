import { FindingRaised, ScoreUpdated, Topics, declarationKey, type DeclarationChecked, type DeclarationReceived } from '@customs/contracts';
import { claimInbox, enqueueOutbox, withAllTenants, type Kysely } from '@customs/db';
import { buildEvent, type ConsumedEvent, type EncodedEvent } from '@customs/kafka';
import type { PlatformKit } from '@customs/service';
import { onDeclarationsChecked } from '../app/checked-batch';
import { onDeclarationsReceived } from '../app/history-batch';
import { bindStore, type Outgoing } from '../app/ports';
import type { ScoringDb } from '../db/migrations';

// Kafka adapter: each consumed batch is one transaction — inbox claim, effects and outbox
// together (exactly-once effects); the use cases decide, this file only moves events.

export const CHECKED_GROUP = 'scoring';
export const HISTORY_GROUP = 'scoring-history';

/** An outgoing event of a use case as an outbox message (parent = the consumed event that caused it, when there is one). */
export function encode(o: Outgoing, parents: Map<string, ConsumedEvent<unknown>> = new Map()): EncodedEvent {
  const parent = parents.get(o.parentEventId)?.context;
  if (o.kind === 'finding') {
    const f = o.finding;
    return buildEvent({
      topic: Topics.scoringFindingRaised,
      key: declarationKey(f.tenantId, f.declarationId),
      value: FindingRaised.fromPartial({ finding: f }),
      tenant: f.tenantId,
      source: 'scoring',
      subject: f.declarationId,
      parent,
      // A finding raised again after it was withdrawn is another event (consumers' inboxes would drop a repeated id).
      id: o.again ? `history-finding/${f.tenantId}/${f.findingId}/again/${o.again}` : `history-finding/${f.tenantId}/${f.findingId}`,
    });
  }
  if (o.kind === 'withdrawn') {
    return buildEvent({
      topic: Topics.scoringFindingRaised,
      key: declarationKey(o.tenantId, o.declarationId),
      value: FindingRaised.fromPartial({ tenantId: o.tenantId, declarationId: o.declarationId, supersededFindingIds: o.findingIds, reason: o.reason }),
      tenant: o.tenantId,
      source: 'scoring',
      subject: o.declarationId,
      parent,
      id: `history-finding-withdrawn/${o.tenantId}/${o.declarationId}/${o.at}/${o.findingIds[0]}`,
    });
  }
  return buildEvent({
    topic: Topics.scoreUpdated,
    key: o.key,
    value: ScoreUpdated.fromPartial({ score: o.score, previousScore: o.previousScore }),
    tenant: o.score.tenantId,
    source: 'scoring',
    subject: o.score.entityId,
    parent,
    id: o.id,
  });
}

export function registerConsumers(kit: PlatformKit<ScoringDb>, db: Kysely<ScoringDb>): void {
  kit.consume<DeclarationReceived>({
    groupId: HISTORY_GROUP,
    topic: Topics.declarationReceived,
    handle: async (events) => {
      await withAllTenants(db, async (trx) => {
        const fresh = await claimInbox(
          trx,
          HISTORY_GROUP,
          events.map((e) => ({ eventId: e.eventId, topic: e.topic })),
        );
        // The tenant of an event is its header; a body naming another tenant is not trusted.
        const mine = events.filter((e) => fresh.has(e.eventId) && e.value.declaration && e.value.declaration.tenantId === e.tenant);
        if (mine.length === 0) return;
        const out = await onDeclarationsReceived(
          bindStore(trx),
          mine.map((e) => ({ eventId: e.eventId, declaration: e.value.declaration! })),
          new Date().toISOString(),
        );
        const parents = new Map(mine.map((e) => [e.eventId, e as ConsumedEvent<unknown>]));
        await enqueueOutbox(
          trx,
          'scoring',
          out.map((o) => encode(o, parents)),
        );
      });
    },
  });
  kit.consume<DeclarationChecked>({
    groupId: CHECKED_GROUP,
    topic: Topics.declarationChecked,
    handle: async (events) => {
      await withAllTenants(db, async (trx) => {
        const fresh = await claimInbox(
          trx,
          CHECKED_GROUP,
          events.map((e) => ({ eventId: e.eventId, topic: e.topic })),
        );
        const mine = events.filter((e) => fresh.has(e.eventId) && e.value.tenantId === e.tenant);
        if (mine.length === 0) return;
        const out = await onDeclarationsChecked(
          bindStore(trx),
          mine.map((e) => ({ eventId: e.eventId, checked: e.value })),
          new Date().toISOString(),
        );
        const parents = new Map(mine.map((e) => [e.eventId, e as ConsumedEvent<unknown>]));
        await enqueueOutbox(
          trx,
          'scoring',
          out.map((o) => encode(o, parents)),
        );
      });
    },
  });
}

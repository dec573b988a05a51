// Kafka adapters: one consumer group per topic (kafkajs cannot mix subscriptions in one group),
// each with its own dead-letter topic (`<group>.dlq`, infra/kafka/topics.json). Each maps its
// events to policy inputs and hands the batch to the correlator.
import { Topics, type DeclarationChecked, type DeclarationReceived, type FindingRaised, type ScoreUpdated, type TopicDef } from '@customs/contracts';
import type { ConsumedEvent } from '@customs/kafka';
import type { PlatformKit } from '@customs/service';
import type { ConsumedInput, Correlator } from '../app/correlate';
import type { Input } from '../policies/model';
import { declarationInput } from '../policies/terms';

/** Consumer groups of the alerting service. `alerting` keeps its historic name. */
export const GROUPS = { checked: 'alerting', declarations: 'alerting-declarations', scores: 'alerting-scores', history: 'alerting-history' } as const;

function register<T>(kit: PlatformKit<unknown>, correlator: Correlator, groupId: string, topic: TopicDef<T>, toInput: (ev: ConsumedEvent<T>) => Input | undefined): void {
  kit.consume<T>({
    groupId,
    topic,
    handle: async (events) => {
      const batch: ConsumedInput[] = [];
      for (const ev of events) {
        const input = toInput(ev);
        // An event whose payload names another tenant than its header is ignored: the header
        // is what the producer's tenant scoping set.
        if (input && input.tenantId === ev.tenant) batch.push({ eventId: ev.eventId, topic: ev.topic, input });
      }
      await correlator.consume(groupId, batch);
    },
  });
}

export function registerConsumers(kit: PlatformKit<unknown>, correlator: Correlator): void {
  // Findings come with the check of their declaration version: one ordered event carries the
  // version's findings and the earlier findings it superseded, so an amendment that keeps a
  // problem is absorbed before the old copy is withdrawn (finding.raised and checked are
  // separate topics with no order between them).
  register<DeclarationChecked>(kit, correlator, GROUPS.checked, Topics.declarationChecked, (ev) => ({
    kind: 'checked',
    eventId: ev.eventId,
    tenantId: ev.value.tenantId,
    declarationId: ev.value.declarationId,
    version: ev.value.declarationVersion,
    findings: ev.value.findings,
    supersededIds: ev.value.supersededFindingIds,
  }));
  // Scoring's history checks (C10, C11, C20, C23, C30, …) raise findings across declarations,
  // correlated like validation's, one per event; an event may instead withdraw history findings of
  // one declaration that scoring no longer reaches (a later version, C20 judged again), which
  // withdraws them from their alerts. Both on the declaration's key, in order.
  register<FindingRaised>(kit, correlator, GROUPS.history, Topics.scoringFindingRaised, (ev) => {
    const f = ev.value.finding;
    if (f) return { kind: 'checked', eventId: ev.eventId, tenantId: f.tenantId, declarationId: f.declarationId, version: f.declarationVersion, findings: [f], supersededIds: [] };
    if (ev.value.supersededFindingIds.length === 0 || !ev.value.tenantId) return undefined;
    return {
      kind: 'checked',
      eventId: ev.eventId,
      tenantId: ev.value.tenantId,
      declarationId: ev.value.declarationId,
      version: 0,
      findings: [],
      supersededIds: ev.value.supersededFindingIds,
      ...(ev.value.reason ? { withdrawnReason: ev.value.reason } : {}),
    };
  });
  register<DeclarationReceived>(kit, correlator, GROUPS.declarations, Topics.declarationReceived, (ev) => (ev.value.declaration ? declarationInput(ev.eventId, ev.value.declaration) : undefined));
  register<ScoreUpdated>(kit, correlator, GROUPS.scores, Topics.scoreUpdated, (ev) => {
    const s = ev.value.score;
    if (!s || (s.entityType !== 'broker' && s.entityType !== 'importer')) return undefined;
    return { kind: 'score', eventId: ev.eventId, tenantId: s.tenantId, entityType: s.entityType, entityId: s.entityId, score: s.score, previousScore: ev.value.previousScore };
  });
}

// Kafka adapters of tariff-change alerts: declarations (their imported lanes) and reference
// dataset changes, each in a consumer group of its own with its dead-letter topic
// (`<group>.dlq`, infra/kafka/topics.json).
import { Topics, type DatasetChanged, type DeclarationReceived } from '@customs/contracts';
import type { PlatformKit } from '@customs/service';
import type { TariffChangeAlerts } from '../app/tariff-alerts';
import { lanesOf } from '../policies/tariff-change';

export const TARIFF_GROUPS = { lanes: 'alerting-lanes', tariff: 'alerting-tariff' } as const;

export function registerTariffChangeConsumers(kit: PlatformKit<unknown>, alerts: TariffChangeAlerts): void {
  kit.consume<DeclarationReceived>({
    groupId: TARIFF_GROUPS.lanes,
    topic: Topics.declarationReceived,
    // Upserts are idempotent (latest declaration wins), so a redelivered batch changes nothing.
    handle: async (events) => {
      await alerts.recordLanes(events.flatMap((ev) => (ev.value.declaration && ev.value.declaration.tenantId === ev.tenant ? lanesOf(ev.value.declaration) : [])));
    },
  });
  kit.consume<DatasetChanged>({
    groupId: TARIFF_GROUPS.tariff,
    topic: Topics.datasetChanged,
    handle: async (events) => {
      for (const ev of events) {
        const c = ev.value;
        if (c.tariffChanges.length === 0 && c.stopPress.length === 0) continue;
        const changed = await alerts.consume(TARIFF_GROUPS.tariff, ev.eventId, ev.topic, {
          dataset: c.dataset,
          version: c.version,
          tariffChanges: c.tariffChanges,
          stopPress: c.stopPress,
          areaGroups: c.areaGroups,
          tariffChangesOmitted: c.tariffChangesOmitted,
        });
        if (changed.length) kit.logger.info({ dataset: c.dataset, version: c.version, alerts: changed.length }, 'tariff-change alerts after a reference dataset change');
      }
    },
  });
}

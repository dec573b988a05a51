// Tariff-change alerts use case: the importers' imported lanes are kept from the declarations
// alerting receives; a reference dataset change loads the lanes under the codes it names, then,
// in one transaction with the inbox claim, the alerts of the candidate keys → decide → write.
import type { AlertChanged } from '@customs/contracts';
import type { RulesFor } from '../policies/model';
import { rulesForTenant, type AlertRule } from '../policies/rules';
import { decideTariffChanges, tariffChangeCodes, tariffChangeKeys, type ImportedLane, type TariffChangeEvent } from '../policies/tariff-change';
import type { Clock } from './correlate';
import type { AlertStore } from './ports';

/** Storage of the imported lanes (src/db/lane-repo.ts). */
export interface LaneStore {
  record(lanes: readonly ImportedLane[]): Promise<void>;
  /** Every tenant's lanes under the 8-digit CN prefixes. */
  under(codes8: readonly string[]): Promise<ImportedLane[]>;
}

export class TariffChangeAlerts {
  constructor(
    private readonly store: AlertStore,
    private readonly lanes: LaneStore,
    private readonly rules: readonly AlertRule[],
    private readonly clock: Clock,
  ) {}

  recordLanes(lanes: readonly ImportedLane[]): Promise<void> {
    return this.lanes.record(lanes);
  }

  /** One dataset change, exactly once (inbox claim and alerts in one transaction). */
  async consume(group: string, eventId: string, topic: string, ev: TariffChangeEvent): Promise<AlertChanged[]> {
    if (!this.rules.some((r) => r.type === 'tariff_change' && r.status !== 'deprecated')) return [];
    // Read before the transaction: which tenants it writes is known only from the lanes.
    const lanes = await this.lanes.under(tariffChangeCodes(ev));
    const tenants = [...new Set(lanes.map((l) => l.tenantId))].sort();
    return this.store.correlation(tenants, async (tx) => {
      const fresh = await tx.claim(group, [{ eventId, topic }]);
      if (!fresh.has(eventId) || lanes.length === 0) return [];
      const settings = await tx.settings(tenants);
      const rulesFor: RulesFor = (tenantId) => rulesForTenant(this.rules, settings.get(tenantId));
      const now = this.clock.now();
      const keys = tariffChangeKeys(ev, lanes, rulesFor, now);
      if (keys.length === 0) return [];
      const state = await tx.load({ keys, findingIds: [], slices: [], terms: [], importers: [], scoreMarks: [] }, tenants, now);
      return tx.apply(decideTariffChanges({ alerts: state.alerts, exceptions: state.exceptions, lanes }, ev, rulesFor, now));
    });
  }
}

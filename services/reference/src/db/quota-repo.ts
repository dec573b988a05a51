// Tariff quota definitions (ott_quota_definitions): every SQL statement on them.
import { chunksFor, sql, type Kysely, type Transaction } from '@customs/db';
import type { HeldQuotaDefinition } from '../app/quota-allocation';
import type { ReferenceDb } from './migrations';

/** A quota definition as parsed from /quotas/search, with the measures it governs. */
export interface QuotaDefinitionRow extends HeldQuotaDefinition {
  measureSids: string[];
}

/** Upserts definitions by (order number, period start): the latest snapshot's balance wins. In the caller's transaction. */
export async function storeQuotaDefinitions(trx: Transaction<ReferenceDb>, defs: readonly QuotaDefinitionRow[], version: string): Promise<void> {
  for (const chunk of chunksFor(defs, 10)) {
    if (chunk.length === 0) continue;
    await trx
      .insertInto('ott_quota_definitions')
      .values(
        chunk.map((d) => ({
          order_number: d.orderNumber,
          valid_from: d.validFrom,
          valid_to: d.validTo,
          initial_volume: d.initialVolume,
          balance: d.balance,
          status: d.status,
          unit: d.unit,
          measure_sids: d.measureSids,
          as_of: d.asOf,
          dataset_version: version,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['order_number', 'valid_from'])
          .doUpdateSet((eb) => ({
            valid_to: eb.ref('excluded.valid_to'),
            initial_volume: eb.ref('excluded.initial_volume'),
            balance: eb.ref('excluded.balance'),
            status: eb.ref('excluded.status'),
            unit: eb.ref('excluded.unit'),
            measure_sids: eb.ref('excluded.measure_sids'),
            as_of: eb.ref('excluded.as_of'),
            dataset_version: eb.ref('excluded.dataset_version'),
          }))
          // An older snapshot (a resumed or back-dated sync) never overwrites a newer balance.
          .where(sql<boolean>`ott_quota_definitions.as_of <= excluded.as_of`),
      )
      .execute();
  }
}

/** The definitions held for these order numbers (one query per chunk). */
export async function quotaDefinitions(db: Kysely<ReferenceDb>, orderNumbers: readonly string[]): Promise<HeldQuotaDefinition[]> {
  const out: HeldQuotaDefinition[] = [];
  for (const chunk of chunksFor([...new Set(orderNumbers)], 1)) {
    if (chunk.length === 0) continue;
    const rows = await db.selectFrom('ott_quota_definitions').selectAll().where('order_number', 'in', chunk).orderBy('order_number').orderBy('valid_from').execute();
    for (const r of rows)
      out.push({ orderNumber: r.order_number, validFrom: r.valid_from, validTo: r.valid_to, initialVolume: r.initial_volume, balance: r.balance, status: r.status, unit: r.unit, asOf: r.as_of });
  }
  return out;
}

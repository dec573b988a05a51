// The importers' imported (commodity code, origin) lanes, for tariff-change alerts: every SQL
// statement on imported_lanes. Written from the declarations alerting receives; read by the
// 8-digit CN prefixes a reference dataset change names.
import { chunksFor, sql, withAllTenants, type Kysely } from '@customs/db';
import type { LaneStore } from '../app/tariff-alerts';
import type { ImportedLane } from '../policies/tariff-change';
import type { AlertingDb } from './migrations';

export class LaneRepo implements LaneStore {
  constructor(private readonly db: Kysely<AlertingDb>) {}

  /** Upserts lanes in one statement per chunk; the latest declaration of a lane wins (idempotent, any order). */
  async record(lanes: readonly ImportedLane[]): Promise<void> {
    if (lanes.length === 0) return;
    // One row per lane in a statement (Postgres refuses to update a row twice in one insert).
    const latest = new Map<string, ImportedLane & { firstDate: string }>();
    for (const l of lanes) {
      const k = `${l.tenantId}|${l.importer}|${l.commodityCode}|${l.origin}`;
      const cur = latest.get(k);
      if (!cur) latest.set(k, { ...l, firstDate: l.lastDate });
      else latest.set(k, { ...(l.lastDate > cur.lastDate ? l : cur), firstDate: l.lastDate < cur.firstDate ? l.lastDate : cur.firstDate });
    }
    await withAllTenants(this.db, async (trx) => {
      for (const chunk of chunksFor([...latest.values()], 8)) {
        await trx
          .insertInto('imported_lanes')
          .values(
            chunk.map((l) => ({
              tenant_id: l.tenantId,
              importer: l.importer,
              commodity_code: l.commodityCode,
              origin: l.origin,
              first_date: l.firstDate,
              last_date: l.lastDate,
              declaration_id: l.declarationId,
              mrn: l.mrn,
            })),
          )
          .onConflict((oc) =>
            oc.columns(['tenant_id', 'importer', 'commodity_code', 'origin']).doUpdateSet({
              first_date: sql`least(imported_lanes.first_date, excluded.first_date)`,
              last_date: sql`greatest(imported_lanes.last_date, excluded.last_date)`,
              declaration_id: sql`case when excluded.last_date >= imported_lanes.last_date then excluded.declaration_id else imported_lanes.declaration_id end`,
              mrn: sql`case when excluded.last_date >= imported_lanes.last_date then excluded.mrn else imported_lanes.mrn end`,
            } as never),
          )
          .execute();
      }
    });
  }

  /** Every tenant's lanes under the given 8-digit CN prefixes. */
  async under(codes8: readonly string[]): Promise<ImportedLane[]> {
    if (codes8.length === 0) return [];
    const rows = await withAllTenants(this.db, (trx) =>
      sql<AlertingDb['imported_lanes']>`
        select tenant_id, importer, commodity_code, origin, to_char(first_date, 'YYYY-MM-DD') as first_date, to_char(last_date, 'YYYY-MM-DD') as last_date, declaration_id, mrn
        from imported_lanes where left(commodity_code, 8) = any(${[...codes8]}::text[])
        order by tenant_id, importer, commodity_code, origin`.execute(trx),
    );
    return rows.rows.map((r) => ({
      tenantId: r.tenant_id,
      importer: r.importer,
      commodityCode: r.commodity_code,
      origin: r.origin,
      lastDate: r.last_date,
      declarationId: r.declaration_id,
      mrn: r.mrn,
    }));
  }
}

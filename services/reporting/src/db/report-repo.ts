// All of reporting's SQL for board report versions. A version is written once, with its
// reporting.report.published.v1 event in the same transaction (outbox), and never updated.
import { enqueueOutbox, sql, withTenant, type Kysely } from '@customs/db';
import type { EncodedEvent } from '@customs/kafka';
import type { ReportingDb } from './migrations';
import { VersionTaken, type ReportRecord, type ReportStore } from '../app/ports';

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));

function toRecord(r: Record<string, unknown>): ReportRecord {
  return {
    reportId: String(r.report_id),
    kind: 'board',
    importer: String(r.importer),
    version: Number(r.version),
    asOf: String(r.as_of),
    trigger: r.trigger as ReportRecord['trigger'],
    content: r.content as ReportRecord['content'],
    dataVersions: r.data_versions as Record<string, unknown>,
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
  };
}

const META = ['report_id', 'kind', 'importer', 'version', 'as_of', 'trigger', 'content', 'data_versions', 'created_by', 'created_at'] as const;

export class ReportRepo implements ReportStore {
  constructor(private readonly db: Kysely<ReportingDb>) {}

  async latest(tenant: string, importer: string): Promise<ReportRecord | null> {
    return withTenant(this.db, tenant, async (trx) => {
      const r = await trx
        .selectFrom('reports')
        .select(META)
        .where('tenant_id', '=', tenant)
        .where('kind', '=', 'board')
        .where('importer', '=', importer)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? toRecord(r as never) : null;
    });
  }

  /**
   * Stores a version (the next after the latest the caller read) with its event. Two concurrent
   * generations for one importer both render version N; the unique key lets one in and the other
   * fails (VersionTaken), so a stored document always shows its own version number.
   */
  async insert(tenant: string, r: ReportRecord, html: string, pdf: Buffer, event: EncodedEvent): Promise<ReportRecord> {
    const version = r.version;
    return withTenant(this.db, tenant, async (trx) => {
      await trx
        .insertInto('reports')
        .values({
          tenant_id: tenant,
          report_id: r.reportId,
          kind: r.kind,
          importer: r.importer,
          version,
          as_of: r.asOf,
          trigger: r.trigger,
          content: JSON.stringify(r.content),
          data_versions: JSON.stringify(r.dataVersions),
          html,
          pdf,
          created_by: r.createdBy,
          created_at: r.createdAt,
        })
        .execute();
      await enqueueOutbox(trx, 'reporting', [event]);
      return r;
    }).catch((e: { code?: string; constraint?: string }) => {
      if (e.code === '23505') throw new VersionTaken(`version ${version} of the board report for ${r.importer} was just stored by another request; ask again`);
      throw e;
    });
  }

  async list(tenant: string, opts: { importer?: string; limit: number; after?: { createdAt: string; version: number; id: string } }): Promise<ReportRecord[]> {
    return withTenant(this.db, tenant, async (trx) => {
      let q = trx.selectFrom('reports').select(META).where('tenant_id', '=', tenant);
      if (opts.importer) q = q.where('importer', '=', opts.importer);
      // Keyset on the same order: the previous page's last (created_at, version, report_id).
      if (opts.after) q = q.where(sql<boolean>`(created_at, version, report_id) < (${opts.after.createdAt}::timestamptz, ${opts.after.version}, ${opts.after.id})`);
      // Newest first; versions break a tie (an injected clock can stamp two versions alike).
      const rows = await q.orderBy('created_at', 'desc').orderBy('version', 'desc').orderBy('report_id', 'desc').limit(opts.limit).execute();
      return rows.map((x) => toRecord(x as never));
    });
  }

  async get(tenant: string, id: string): Promise<ReportRecord | null> {
    return withTenant(this.db, tenant, async (trx) => {
      const r = await trx.selectFrom('reports').select(META).where('tenant_id', '=', tenant).where('report_id', '=', id).executeTakeFirst();
      return r ? toRecord(r as never) : null;
    });
  }

  async document(tenant: string, id: string, format: 'html' | 'pdf'): Promise<string | Buffer | null> {
    return withTenant(this.db, tenant, async (trx) => {
      const r = await trx
        .selectFrom('reports')
        .select(format === 'html' ? 'html' : 'pdf')
        .where('tenant_id', '=', tenant)
        .where('report_id', '=', id)
        .executeTakeFirst();
      return r ? (r as Record<string, string | Buffer>)[format]! : null;
    });
  }
}

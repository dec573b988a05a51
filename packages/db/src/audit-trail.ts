import { type Kysely, type Migration, sql, type Transaction } from 'kysely';
import { withTenant } from './database';
import { enableTenantRls } from './migrations';

/**
 * The audit trail every service keeps in its own schema (issue 11, defect 13): who changed what,
 * from where and when. Append-only twice over: the service's own role loses UPDATE, DELETE and
 * TRUNCATE on the table (it owns the table, so this is the strongest grant it can give up), and
 * triggers refuse any UPDATE, DELETE or TRUNCATE that a role holding those privileges tries
 * (a superuser included, short of dropping the trigger). Rows are tenant-isolated by RLS.
 */
export const auditTrailMigration: Migration = {
  async up(db) {
    await sql`
      create table audit_trail (
        id bigserial primary key,
        tenant_id text not null,
        at timestamptz not null default clock_timestamp(),
        subject text not null,
        role text not null,
        token_id text not null,
        source_ip text not null,
        user_agent text not null,
        request_id text not null,
        action text not null,
        target text not null,
        outcome int not null,
        details jsonb not null default '{}'::jsonb
      )`.execute(db);
    await sql`create index audit_trail_by_time on audit_trail (tenant_id, at)`.execute(db);
    await sql`
      create function audit_trail_refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_trail is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
      end $$`.execute(db);
    await sql`create trigger audit_trail_append_only before update or delete on audit_trail for each row execute function audit_trail_refuse_change()`.execute(db);
    await sql`create trigger audit_trail_no_truncate before truncate on audit_trail for each statement execute function audit_trail_refuse_change()`.execute(db);
    await enableTenantRls(db, 'audit_trail');
    await sql`revoke update, delete, truncate on audit_trail from current_user`.execute(db);
  },
};

/**
 * Migrations every platform service gets from @customs/service, tracked apart from the service's
 * own (their own migration table), so adding one here never reorders a service's list.
 */
export const PLATFORM_MIGRATIONS: Record<string, Migration> = {
  '0001_audit_trail': auditTrailMigration,
};

/** One entry of the audit trail. */
export interface AuditEntry {
  tenantId: string;
  /** Who acted: the token's subject (a person's e-mail, a system's name), never the token. */
  subject: string;
  role: string;
  /** The token's short public fingerprint, to tell two tokens of one subject apart. */
  tokenId: string;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  /** What was done: "POST /v1/alerts/:id/transition" (the route) or a named action. */
  action: string;
  /** What it was done to: the concrete path, or the named record. */
  target: string;
  /** The answer's HTTP status (2xx done; 4xx refused, recorded too). */
  outcome: number;
  details: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  at: string;
}

/** Appends entries (one statement; with the tenant set for RLS). */
export async function appendAudit(db: Kysely<unknown>, entries: AuditEntry[]): Promise<void> {
  const byTenant = new Map<string, AuditEntry[]>();
  for (const e of entries) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), e]);
  for (const [tenant, list] of byTenant) {
    await withTenant(db, tenant, (trx) => appendAuditIn(trx, list));
  }
}

/** Appends entries inside the caller's transaction (a change and its audit entry commit together). */
export async function appendAuditIn<DB>(trx: Kysely<DB> | Transaction<DB>, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await sql`
    insert into audit_trail (tenant_id, subject, role, token_id, source_ip, user_agent, request_id, action, target, outcome, details)
    values ${sql.join(
      entries.map(
        (e) => sql`(${e.tenantId}, ${e.subject}, ${e.role}, ${e.tokenId}, ${e.sourceIp}, ${e.userAgent}, ${e.requestId}, ${e.action}, ${e.target}, ${e.outcome}, ${JSON.stringify(e.details)}::jsonb)`,
      ),
    )}`.execute(trx);
}

export interface AuditQuery {
  from?: string;
  to?: string;
  subject?: string;
  action?: string;
  /** Entries older than this id (the previous page's nextCursor). */
  before?: number;
  limit: number;
}

/** One tenant's entries, newest first, filtered; `limit` + 1 is read to know if a page follows. */
export async function listAudit(db: Kysely<unknown>, tenantId: string, q: AuditQuery): Promise<{ entries: AuditRecord[]; nextCursor: number | null }> {
  const rows = await withTenant(db, tenantId, async (trx) => {
    const where = [sql`tenant_id = ${tenantId}`];
    if (q.from !== undefined) where.push(sql`at >= ${q.from}::timestamptz`);
    if (q.to !== undefined) where.push(sql`at < ${q.to}::timestamptz`);
    if (q.subject !== undefined) where.push(sql`subject = ${q.subject}`);
    if (q.action !== undefined) where.push(sql`action = ${q.action}`);
    if (q.before !== undefined) where.push(sql`id < ${q.before}`);
    const { rows } = await sql<{
      id: string;
      tenant_id: string;
      at: Date;
      subject: string;
      role: string;
      token_id: string;
      source_ip: string;
      user_agent: string;
      request_id: string;
      action: string;
      target: string;
      outcome: number;
      details: Record<string, unknown>;
    }>`select * from audit_trail where ${sql.join(where, sql` and `)} order by id desc limit ${q.limit + 1}`.execute(trx);
    return rows;
  });
  const page = rows.slice(0, q.limit).map((r) => ({
    id: Number(r.id),
    tenantId: r.tenant_id,
    at: r.at.toISOString(),
    subject: r.subject,
    role: r.role,
    tokenId: r.token_id,
    sourceIp: r.source_ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    details: r.details,
  }));
  return { entries: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null };
}

import type { Generated } from 'kysely';
import { Declaration } from '@customs/contracts';
import { sql, enableTenantRls, inboxOutboxMigration, outboxPackedMigration, outboxDeadLetterMigration, type Migration } from '@customs/db';

/** The validation schema: one row per checked declaration version, and its findings. */
export const migrations: Record<string, Migration> = {
  '0001_inbox_outbox': inboxOutboxMigration,
  '0002_checks_findings': {
    async up(db) {
      await sql`
        create table checks (
          tenant_id text not null,
          declaration_id text not null,
          declaration_version int not null,
          mrn text not null,
          lrn text not null,
          checked_at timestamptz not null,
          finding_count int not null,
          exposure_pence bigint not null,
          reclaim_pence bigint not null,
          rules_evaluated text[] not null,
          primary key (tenant_id, declaration_id, declaration_version)
        )`.execute(db);
      await sql`
        create table findings (
          finding_id text primary key,
          tenant_id text not null,
          declaration_id text not null,
          declaration_version int not null,
          item_number int not null,
          rule_id text not null,
          rule_version text not null,
          severity int not null,
          exposure_pence bigint not null,
          reclaim_pence bigint not null,
          deadline date,
          status text not null default 'active' check (status in ('active', 'superseded')),
          superseded_at timestamptz,
          raised_at timestamptz not null,
          payload bytea not null
        )`.execute(db);
      await sql`create index findings_by_declaration on findings (tenant_id, declaration_id, status)`.execute(db);
      await enableTenantRls(db, 'checks');
      await enableTenantRls(db, 'findings');
    },
  },
  // Validation keeps its own copy of each declaration version it checked, so it can re-evaluate
  // when a reference dataset or a rule version changes without reaching into ingestion's schema.
  '0003_checked_declarations': {
    async up(db) {
      await sql`
        create table checked_declarations (
          tenant_id text not null,
          declaration_id text not null,
          declaration_version int not null,
          acceptance_date date,
          payload bytea not null,
          primary key (tenant_id, declaration_id, declaration_version)
        )`.execute(db);
      await sql`create index checked_declarations_by_date on checked_declarations (acceptance_date)`.execute(db);
      await enableTenantRls(db, 'checked_declarations');
      await sql`create table evaluation_state (key text primary key, value text not null, updated_at timestamptz not null default now())`.execute(db);
    },
  },
  '0004_outbox_packed': outboxPackedMigration,
  '0005_outbox_dead_letters': outboxDeadLetterMigration,
  // What validation could not check, so that nothing it consumed disappears unseen: a declaration
  // whose event was dead-lettered or unusable (rule_id ''), or one rule that could not decide on
  // it. `dedupe_key` makes recording idempotent (a redelivered batch records nothing twice).
  '0006_not_checked': {
    async up(db) {
      await sql`
        create table not_checked (
          id bigserial primary key,
          tenant_id text not null,
          declaration_id text not null,
          declaration_version int,
          mrn text not null,
          lrn text not null,
          rule_id text not null,
          cause text not null check (cause in ('dead_lettered', 'unusable_event', 'rule_failed')),
          reason text not null,
          consumer_group text not null,
          topic text not null,
          kafka_partition int,
          kafka_offset bigint,
          event_id text not null,
          dedupe_key text not null unique,
          recorded_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index not_checked_by_tenant on not_checked (tenant_id, id desc)`.execute(db);
      await enableTenantRls(db, 'not_checked');
    },
  },
  // A rule that ran but could not decide on one item (a missing measure, field or unsupported
  // procedure) is recorded too — "unknown" must be visible — with the item it is about.
  '0007_not_checked_items': {
    async up(db) {
      await sql`alter table not_checked add column item_number int`.execute(db);
      await sql`alter table not_checked drop constraint not_checked_cause_check`.execute(db);
      await sql`alter table not_checked add constraint not_checked_cause_check check (cause in ('dead_lettered', 'unusable_event', 'rule_failed', 'rule_not_checked'))`.execute(db);
      await sql`create index not_checked_by_declaration on not_checked (tenant_id, declaration_id, id desc)`.execute(db);
    },
  },
  // Check before lodging: a declaration a broker/ERP is about to submit, checked on request and
  // kept only as the tenant's draft check (never a declaration: no findings rows, no events).
  '0008_draft_checks': {
    async up(db) {
      await sql`
        create table draft_checks (
          check_id uuid primary key,
          tenant_id text not null,
          lrn text not null,
          checked_at timestamptz not null,
          finding_count int not null,
          exposure_pence bigint not null,
          reclaim_pence bigint not null,
          result jsonb not null
        )`.execute(db);
      await sql`create index draft_checks_by_tenant on draft_checks (tenant_id, checked_at desc)`.execute(db);
      await enableTenantRls(db, 'draft_checks');
    },
  },
  // The 8-digit prefixes of the commodity codes a declaration version declares, so a reference
  // change naming commodity codes re-evaluates only declarations with those codes (CN level:
  // an 8-digit declared code is matched by any 10-digit code under it). Filled for rows already
  // stored by decoding their payloads; NULL (never after this) would mean "always re-evaluated".
  '0009_checked_declaration_codes': {
    async up(db) {
      await sql`alter table checked_declarations add column commodity_codes8 text[]`.execute(db);
      // Every tenant's rows (the table's row-level security), for this migration's transaction only.
      await sql`select set_config('app.tenant_id', '*', true)`.execute(db);
      for (;;) {
        const rows = await sql<{ tenant_id: string; declaration_id: string; declaration_version: number; payload: Buffer }>`
          select tenant_id, declaration_id, declaration_version, payload from checked_declarations where commodity_codes8 is null limit 500`.execute(db);
        if (rows.rows.length === 0) break;
        const values = rows.rows.map((r) => sql`(${r.tenant_id}, ${r.declaration_id}, ${r.declaration_version}::int, ${commodityCodes8(Declaration.decode(r.payload))}::text[])`);
        await sql`
          update checked_declarations c set commodity_codes8 = v.codes
          from (values ${sql.join(values)}) as v(tenant_id, declaration_id, declaration_version, codes)
          where c.tenant_id = v.tenant_id and c.declaration_id = v.declaration_id and c.declaration_version = v.declaration_version`.execute(db);
      }
      await sql`create index checked_declarations_by_code on checked_declarations using gin (commodity_codes8)`.execute(db);
    },
  },
};

/** The distinct 8-digit prefixes of the declaration's item commodity codes (see migration 0009). */
export function commodityCodes8(d: Declaration): string[] {
  return [...new Set(d.items.map((i) => i.commodityCode.replace(/\s/g, '').slice(0, 8)).filter((c) => c !== ''))].sort();
}

export interface ValidationDb {
  checks: {
    tenant_id: string;
    declaration_id: string;
    declaration_version: number;
    mrn: string;
    lrn: string;
    checked_at: Date | string;
    finding_count: number;
    exposure_pence: number;
    reclaim_pence: number;
    rules_evaluated: string[];
  };
  findings: {
    finding_id: string;
    tenant_id: string;
    declaration_id: string;
    declaration_version: number;
    item_number: number;
    rule_id: string;
    rule_version: string;
    severity: number;
    exposure_pence: number;
    reclaim_pence: number;
    deadline: string | null;
    status: Generated<string>;
    superseded_at: Generated<Date | string | null>;
    raised_at: Date | string;
    payload: Buffer;
  };
  checked_declarations: {
    tenant_id: string;
    declaration_id: string;
    declaration_version: number;
    acceptance_date: string | null;
    payload: Buffer;
    commodity_codes8: string[] | null;
  };
  evaluation_state: { key: string; value: string; updated_at: Generated<Date | string> };
  not_checked: {
    id: Generated<string>;
    tenant_id: string;
    declaration_id: string;
    declaration_version: number | null;
    mrn: string;
    lrn: string;
    rule_id: string;
    cause: 'dead_lettered' | 'unusable_event' | 'rule_failed' | 'rule_not_checked';
    item_number: number | null;
    reason: string;
    consumer_group: string;
    topic: string;
    kafka_partition: number | null;
    kafka_offset: string | null;
    event_id: string;
    dedupe_key: string;
    recorded_at: Generated<Date | string>;
  };
  draft_checks: {
    check_id: string;
    tenant_id: string;
    lrn: string;
    checked_at: Date | string;
    finding_count: number;
    exposure_pence: number;
    reclaim_pence: number;
    result: unknown;
  };
  inbox: { consumer_group: string; event_id: string; topic: string };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string; published_at: Date | null };
}

import type { Generated } from 'kysely';
import { deliveryMigrations } from './delivery-migrations';
import { sql, enableTenantRls, inboxOutboxMigration, outboxPackedMigration, outboxDeadLetterMigration, type Migration } from '@customs/db';

export const migrations: Record<string, Migration> = {
  '0001_inbox_outbox': inboxOutboxMigration,
  '0002_alerts': {
    async up(db) {
      await sql`
        create table alerts (
          alert_id text primary key,
          tenant_id text not null,
          alert_key text not null,
          alert_rule_id text not null,
          alert_rule_hash text not null,
          status int not null,
          severity int not null,
          payload bytea not null,
          created_at timestamptz not null,
          updated_at timestamptz not null
        )`.execute(db);
      // At most one open alert per key: repeats are suppressed into it.
      await sql`create unique index alerts_open_key on alerts (tenant_id, alert_key) where status in (1, 2, 3)`.execute(db);
      await sql`create index alerts_by_tenant on alerts (tenant_id, updated_at desc)`.execute(db);
      // Append-only history: every change with who, when, from, to, why, and the alert as it
      // became. Its bigserial is the stream cursor for resume-from-cursor delivery.
      await sql`
        create table alert_history (
          cursor bigserial primary key,
          tenant_id text not null,
          alert_id text not null,
          actor text not null,
          from_status int not null,
          to_status int not null,
          reason text not null,
          at timestamptz not null,
          snapshot bytea not null
        )`.execute(db);
      await sql`create index alert_history_by_tenant on alert_history (tenant_id, cursor)`.execute(db);
      await sql`create index alert_history_by_alert on alert_history (alert_id, cursor)`.execute(db);
      await sql`
        create function alert_history_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'alert_history is append-only (% refused)', tg_op;
        end $$`.execute(db);
      await sql`create trigger alert_history_no_update before update or delete on alert_history for each row execute function alert_history_append_only()`.execute(db);
      await enableTenantRls(db, 'alerts');
      await enableTenantRls(db, 'alert_history');
    },
  },
  '0003_outbox_packed': outboxPackedMigration,
  '0004_outbox_dead_letters': outboxDeadLetterMigration,
  // Delivery channels (webhooks, syslog): keys from 0100_, see delivery-migrations.ts.
  ...deliveryMigrations,
  '0200_siem_core': {
    async up(db) {
      // Sortable, filterable columns beside the encoded alert (the payload stays the truth).
      await sql`
        alter table alerts
          add column alert_rule_type text not null default '',
          add column importer text not null default '',
          add column broker text not null default '',
          add column exposure_pence bigint not null default 0,
          add column reclaim_pence bigint not null default 0,
          add column money_pence bigint not null default 0,
          add column deadline date,
          add column latest_deadline date,
          add column disposition text not null default '',
          add column assignee text not null default '',
          add column last_cursor bigint not null default 0`.execute(db);
      // Acknowledged (6) is open too: repeats of its key are absorbed into it.
      await sql`drop index alerts_open_key`.execute(db);
      await sql`create unique index alerts_open_key on alerts (tenant_id, alert_key) where status in (1, 2, 3, 6)`.execute(db);
      await sql`create index alerts_by_key on alerts (tenant_id, alert_key, created_at desc)`.execute(db);
      await sql`create index alerts_by_cursor on alerts (tenant_id, last_cursor)`.execute(db);
      await sql`create index alerts_open_deadline on alerts (latest_deadline) where status in (1, 2, 3, 6)`.execute(db);
      await sql`
        alter table alert_history
          add column kind text not null default '',
          add column notify boolean not null default true,
          add column disposition text not null default '',
          add column note text not null default ''`.execute(db);
      // Which alerts a finding contributes to (withdrawals find their alerts here).
      await sql`create table alert_findings (tenant_id text not null, alert_id text not null, finding_id text not null, primary key (alert_id, finding_id))`.execute(db);
      await sql`create index alert_findings_by_finding on alert_findings (tenant_id, finding_id)`.execute(db);
      // The tenant's findings as alerting saw them: windows (threshold, risk), deadlines, the feed.
      await sql`
        create table findings (
          tenant_id text not null,
          finding_id text not null,
          declaration_id text not null,
          rule_id text not null,
          family text not null,
          severity int not null,
          importer text not null,
          broker text not null,
          supplier text not null,
          commodity_code text not null,
          origin_country text not null,
          cpc text not null,
          acceptance_date date,
          deadline date,
          exposure_pence bigint not null,
          reclaim_pence bigint not null,
          withdrawn_at timestamptz,
          payload bytea not null,
          primary key (tenant_id, finding_id)
        )`.execute(db);
      for (const c of ['broker', 'importer', 'supplier', 'commodity_code', 'declaration_id', 'rule_id']) {
        await sql.raw(`create index findings_by_${c} on findings (tenant_id, ${c}, acceptance_date) where withdrawn_at is null`).execute(db);
      }
      await sql`create index findings_by_deadline on findings (deadline) where withdrawn_at is null`.execute(db);
      // Findings feed for API consumers: append-only, cursor = stream position.
      await sql`create table finding_feed (cursor bigserial primary key, tenant_id text not null, finding_id text not null, change text not null, at timestamptz not null)`.execute(db);
      await sql`create index finding_feed_by_tenant on finding_feed (tenant_id, cursor)`.execute(db);
      // new_terms memory: first appearance of each term per importer, and the importer's history.
      await sql`create table seen_terms (tenant_id text not null, importer text not null, field text not null, value text not null, first_date date not null, declaration_id text not null, primary key (tenant_id, importer, field, value))`.execute(
        db,
      );
      await sql`create table importer_declarations (tenant_id text not null, importer text not null, declaration_id text not null, acceptance_date date not null, primary key (tenant_id, importer, declaration_id))`.execute(
        db,
      );
      await sql`create table score_marks (tenant_id text not null, mark_key text not null, high_water int not null, primary key (tenant_id, mark_key))`.execute(db);
      await sql`
        create table alert_exceptions (
          exception_id text primary key,
          tenant_id text not null,
          scope jsonb not null,
          owner text not null,
          reason text not null,
          expires_at timestamptz not null,
          created_by text not null,
          created_at timestamptz not null,
          revoked_at timestamptz,
          revoked_by text
        )`.execute(db);
      await sql`create index alert_exceptions_by_tenant on alert_exceptions (tenant_id)`.execute(db);
      await sql`create table rule_settings (tenant_id text not null, rule_id text not null, enabled boolean not null, params jsonb not null, updated_by text not null, updated_at timestamptz not null, primary key (tenant_id, rule_id))`.execute(
        db,
      );
      // Audit of tenant settings and exceptions: who, when, before and after. Append-only.
      await sql`
        create table settings_audit (
          id bigserial primary key,
          tenant_id text not null,
          subject_type text not null,
          subject_id text not null,
          actor text not null,
          at timestamptz not null,
          before jsonb,
          after jsonb
        )`.execute(db);
      await sql`create index settings_audit_by_tenant on settings_audit (tenant_id, id)`.execute(db);
      await sql`create trigger settings_audit_no_update before update or delete on settings_audit for each row execute function alert_history_append_only()`.execute(db);
      for (const t of ['alert_findings', 'findings', 'finding_feed', 'seen_terms', 'importer_declarations', 'score_marks', 'alert_exceptions', 'rule_settings', 'settings_audit'])
        await enableTenantRls(db, t);
    },
  },
  '0201_pending_terms': {
    async up(db) {
      // A first sighting made before the importer had history stays pending; the scheduled pass
      // judges it again (oldest check first) once earlier history has arrived.
      await sql`alter table seen_terms add column pending boolean not null default false, add column rechecked_at timestamptz`.execute(db);
      await sql`create index seen_terms_pending on seen_terms (rechecked_at nulls first) where pending`.execute(db);
      await sql`create index importer_declarations_by_date on importer_declarations (tenant_id, importer, acceptance_date)`.execute(db);
    },
  },
  // Tariff-change alerts (rule type tariff_change): each importer's (commodity code, origin) lanes
  // from the declarations alerting receives, with the latest one; looked up by 8-digit CN prefix.
  '0300_imported_lanes': {
    async up(db) {
      await sql`
        create table imported_lanes (
          tenant_id text not null,
          importer text not null,
          commodity_code text not null,
          origin text not null,
          first_date date not null,
          last_date date not null,
          declaration_id text not null,
          mrn text not null,
          primary key (tenant_id, importer, commodity_code, origin)
        )`.execute(db);
      await sql`create index imported_lanes_by_cn on imported_lanes (left(commodity_code, 8))`.execute(db);
      await enableTenantRls(db, 'imported_lanes');
    },
  },
};

export interface AlertingDb {
  alerts: {
    alert_id: string;
    tenant_id: string;
    alert_key: string;
    alert_rule_id: string;
    alert_rule_hash: string;
    status: number;
    severity: number;
    payload: Buffer;
    created_at: Date | string;
    updated_at: Date | string;
    alert_rule_type: string;
    importer: string;
    broker: string;
    exposure_pence: number;
    reclaim_pence: number;
    money_pence: number;
    deadline: string | null;
    latest_deadline: string | null;
    disposition: string;
    assignee: string;
    last_cursor: number;
  };
  alert_history: {
    cursor: Generated<number>;
    tenant_id: string;
    alert_id: string;
    actor: string;
    from_status: number;
    to_status: number;
    reason: string;
    at: Date | string;
    snapshot: Buffer;
    kind: string;
    notify: boolean;
    disposition: string;
    note: string;
  };
  alert_findings: { tenant_id: string; alert_id: string; finding_id: string };
  findings: {
    tenant_id: string;
    finding_id: string;
    declaration_id: string;
    rule_id: string;
    family: string;
    severity: number;
    importer: string;
    broker: string;
    supplier: string;
    commodity_code: string;
    origin_country: string;
    cpc: string;
    acceptance_date: string | null;
    deadline: string | null;
    exposure_pence: number;
    reclaim_pence: number;
    withdrawn_at: Date | string | null;
    payload: Buffer;
  };
  finding_feed: { cursor: Generated<number>; tenant_id: string; finding_id: string; change: string; at: Date | string };
  seen_terms: { tenant_id: string; importer: string; field: string; value: string; first_date: string; declaration_id: string; pending: boolean; rechecked_at: Date | string | null };
  importer_declarations: { tenant_id: string; importer: string; declaration_id: string; acceptance_date: string };
  score_marks: { tenant_id: string; mark_key: string; high_water: number };
  imported_lanes: { tenant_id: string; importer: string; commodity_code: string; origin: string; first_date: string; last_date: string; declaration_id: string; mrn: string };
  alert_exceptions: {
    exception_id: string;
    tenant_id: string;
    scope: unknown;
    owner: string;
    reason: string;
    expires_at: Date | string;
    created_by: string;
    created_at: Date | string;
    revoked_at: Date | string | null;
    revoked_by: string | null;
  };
  rule_settings: { tenant_id: string; rule_id: string; enabled: boolean; params: unknown; updated_by: string; updated_at: Date | string };
  settings_audit: { id: Generated<number>; tenant_id: string; subject_type: string; subject_id: string; actor: string; at: Date | string; before: unknown; after: unknown };
  inbox: { consumer_group: string; event_id: string; topic: string };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string };
}

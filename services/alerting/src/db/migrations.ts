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
  };
  inbox: { consumer_group: string; event_id: string; topic: string };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string };
}

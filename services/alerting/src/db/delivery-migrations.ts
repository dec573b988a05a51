import type { Generated } from 'kysely';
import { sql, enableTenantRls, type Migration } from '@customs/db';

/**
 * Tables of the delivery channels (webhooks, syslog), keyed from '0100_' so they sort after the
 * alerting core's own migrations. Every channel keeps its own cursor into alert_history (the
 * stream position), so a restart resumes where the last acknowledged delivery left off.
 */
export const deliveryMigrations: Record<string, Migration> = {
  '0100_delivery': {
    async up(db) {
      // Readers of alert_history go "after cursor N": that is only gap-free if cursors become
      // visible in cursor order. Two writers (the finding consumer and a REST transition) could
      // otherwise commit cursor 11 before cursor 10, and a reader that already moved past 11
      // would never see 10. A statement-level BEFORE trigger runs before the row's bigserial
      // default is drawn, so taking a transaction-scoped advisory lock there makes each writer
      // draw its cursors and commit before the next one draws any. Lock order matters: a writer
      // should take its alert row locks before it inserts history (the lock is held from there to
      // commit), or a triage call holding a row and a consumer holding this lock can deadlock
      // (Postgres then aborts one, which is retried or answered with an error).
      await sql`
        create function alert_history_serialise() returns trigger language plpgsql as $$
        begin
          perform pg_advisory_xact_lock(hashtext('alerting.alert_history'));
          return null;
        end $$`.execute(db);
      await sql`create trigger alert_history_serialise before insert on alert_history for each statement execute function alert_history_serialise()`.execute(db);

      await sql`
        create table webhook_subscriptions (
          subscription_id text primary key,
          tenant_id text not null,
          url text not null,
          description text not null default '',
          -- Needed in clear to sign (HMAC); never returned by the API after creation, never logged.
          secret text not null,
          filters jsonb not null default '{}',
          enabled boolean not null default true,
          -- Last alert_history cursor this subscription has settled (delivered, or handed to the
          -- retry queue): the dispatcher reads after it.
          cursor bigint not null,
          created_by text not null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index webhook_subscriptions_by_tenant on webhook_subscriptions (tenant_id, created_at)`.execute(db);

      // Deliveries that failed and wait for their next attempt; dead_at set = in the dead-letter
      // list (after the last attempt), until an admin redelivers it.
      await sql`
        create table webhook_retries (
          subscription_id text not null references webhook_subscriptions on delete cascade,
          history_cursor bigint not null,
          tenant_id text not null,
          attempts int not null,
          next_attempt_at timestamptz not null,
          last_status int,
          last_error text,
          dead_at timestamptz,
          primary key (subscription_id, history_cursor)
        )`.execute(db);
      await sql`create index webhook_retries_due on webhook_retries (next_attempt_at) where dead_at is null`.execute(db);

      // One row per attempt: when, what the receiver answered, how long it took, what failed.
      await sql`
        create table webhook_attempts (
          id bigserial primary key,
          subscription_id text not null references webhook_subscriptions on delete cascade,
          tenant_id text not null,
          history_cursor bigint not null,
          event_id text not null,
          attempt int not null,
          at timestamptz not null,
          status_code int,
          latency_ms int not null,
          error text,
          outcome text not null
        )`.execute(db);
      await sql`create index webhook_attempts_by_subscription on webhook_attempts (subscription_id, id desc)`.execute(db);

      await sql`
        create table syslog_destinations (
          destination_id text primary key,
          tenant_id text not null,
          host text not null,
          port int not null,
          tls boolean not null default false,
          -- PEM of the CA that signed the receiver's certificate (TLS); empty = system CAs.
          ca_pem text not null default '',
          server_name text not null default '',
          facility int not null default 16,
          filters jsonb not null default '{}',
          enabled boolean not null default true,
          cursor bigint not null,
          last_error text,
          created_by text not null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )`.execute(db);
      await sql`create index syslog_destinations_by_tenant on syslog_destinations (tenant_id, created_at)`.execute(db);

      for (const t of ['webhook_subscriptions', 'webhook_retries', 'webhook_attempts', 'syslog_destinations']) await enableTenantRls(db, t);
    },
  },
};

export interface DeliveryDb {
  webhook_subscriptions: {
    subscription_id: string;
    tenant_id: string;
    url: string;
    description: string;
    secret: string;
    filters: unknown;
    enabled: boolean;
    cursor: number;
    created_by: string;
    created_at: Date | string;
    updated_at: Date | string;
  };
  webhook_retries: {
    subscription_id: string;
    history_cursor: number;
    tenant_id: string;
    attempts: number;
    next_attempt_at: Date | string;
    last_status: number | null;
    last_error: string | null;
    dead_at: Date | string | null;
  };
  webhook_attempts: {
    id: Generated<number>;
    subscription_id: string;
    tenant_id: string;
    history_cursor: number;
    event_id: string;
    attempt: number;
    at: Date | string;
    status_code: number | null;
    latency_ms: number;
    error: string | null;
    outcome: string;
  };
  syslog_destinations: {
    destination_id: string;
    tenant_id: string;
    host: string;
    port: number;
    tls: boolean;
    ca_pem: string;
    server_name: string;
    facility: number;
    filters: unknown;
    enabled: boolean;
    cursor: number;
    last_error: string | null;
    created_by: string;
    created_at: Date | string;
    updated_at: Date | string;
  };
}

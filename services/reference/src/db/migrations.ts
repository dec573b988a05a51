import type { ColumnType, Generated } from 'kysely';
import { sql, inboxOutboxMigration, outboxPackedMigration, outboxDeadLetterMigration, type Migration } from '@customs/db';

/** A jsonb column: written as JSON text, read back parsed. */
type Jsonb = ColumnType<unknown, string | undefined, string>;

export const migrations: Record<string, Migration> = {
  '0001_inbox_outbox': inboxOutboxMigration,
  '0002_datasets': {
    async up(db) {
      // Every dataset version ever loaded: lookups name the version used; a new version is
      // announced on reference.dataset.changed.v1 so dependants re-evaluate.
      await sql`
        create table dataset_versions (
          dataset text not null,
          version text not null,
          source text not null,
          row_count int not null,
          loaded_at timestamptz not null,
          primary key (dataset, version)
        )`.execute(db);
    },
  },
  '0003_ott_measures': {
    async up(db) {
      // Tariff measures loaded from the Online Trade Tariff (not in the bundled files): kept so
      // they survive restarts. Keyed by (commodity, measure SID): a later load updates a measure,
      // measures that ended stay for lookups at past acceptance dates. Dates are ISO text
      // ("" = open-ended) so no time zone can shift a validity bound.
      await sql`
        create table ott_measures (
          commodity_code text not null,
          sid text not null,
          measure_type text not null,
          geographical_area text not null,
          excluded_areas text[] not null default '{}',
          expression text not null,
          additional_code text not null default '',
          valid_from text not null,
          valid_to text not null default '',
          quota_order_number text not null default '',
          dataset_version text not null,
          primary key (commodity_code, sid)
        )`.execute(db);
      await sql`create index ott_measures_version on ott_measures (dataset_version)`.execute(db);
      // Geographical area group membership as stated by OTT loads (e.g. 1013 European Union).
      await sql`
        create table geo_group_members (
          group_id text not null,
          member text not null,
          dataset_version text not null,
          primary key (group_id, member)
        )`.execute(db);
      await sql`alter table dataset_versions add column effective_from text not null default ''`.execute(db);
      await sql`alter table dataset_versions add column effective_to text not null default ''`.execute(db);
    },
  },
  '0004_fx_rates': {
    async up(db) {
      // HMRC monthly rates loaded after the bundled file (HMRC XML or CSV publications); a later
      // load of the same month replaces the rate (HMRC amends rates mid-month on occasion).
      await sql`
        create table fx_rates (
          currency text not null,
          period_start text not null,
          period_end text not null,
          rate text not null,
          dataset_version text not null,
          primary key (currency, period_start, period_end)
        )`.execute(db);
      await sql`create index fx_rates_version on fx_rates (dataset_version)`.execute(db);
    },
  },
  '0005_outbox_packed': outboxPackedMigration,
  '0006_outbox_dead_letters': outboxDeadLetterMigration,
  '0007_ott_sync': {
    async up(db) {
      // One Online Trade Tariff API sync: what it set out to fetch (planned commodity codes), how
      // far it got (staged responses, below) and how it ended. A broken transfer leaves the run
      // "failed" with the error; the next sync resumes it, fetching only what is not staged.
      await sql`
        create table ott_sync_runs (
          id bigserial primary key,
          kind text not null,
          status text not null,
          base_url text not null,
          since_date text not null default '',
          until_date text not null,
          planned jsonb not null default '[]',
          error text not null default '',
          dataset_version text not null default '',
          fx_versions jsonb not null default '[]',
          stop_press jsonb not null default '[]',
          stats jsonb not null default '{}',
          started_at timestamptz not null default now(),
          finished_at timestamptz
        )`.execute(db);
      // Parsed responses of a run not yet loaded (measures + groups as JSON): loaded together in
      // one transaction by the existing OTT loader when the run completes, so nothing is ever
      // half-loaded; deleted with the run's completion.
      await sql`
        create table ott_sync_staged (
          run_id bigint not null references ott_sync_runs (id) on delete cascade,
          item text not null,
          payload jsonb not null,
          primary key (run_id, item)
        )`.execute(db);
    },
  },
  '0008_ott_coverage': {
    async up(db) {
      // An API commodity response is a snapshot as of a date: it lists the measures in force then
      // (and later), not those that ended before. From `complete_from` on, the code's stored
      // measures are complete; before it, absence of a measure is not evidence of none.
      await sql`
        create table ott_coverage (
          commodity_code text primary key,
          complete_from text not null,
          dataset_version text not null
        )`.execute(db);
    },
  },
  // Tariff quota definitions from the OTT API (/quotas/search): order number, period, volume and
  // the balance as of the sync's as-of date (a snapshot; see app/quota-allocation.ts for what it
  // can and cannot tell about an earlier or later allocation).
  '0009_ott_quota_definitions': {
    async up(db) {
      await sql`
        create table ott_quota_definitions (
          order_number text not null,
          valid_from text not null,
          valid_to text not null,
          initial_volume text not null,
          balance text not null,
          status text not null,
          unit text not null,
          measure_sids text[] not null,
          as_of text not null,
          dataset_version text not null,
          primary key (order_number, valid_from)
        )`.execute(db);
    },
  },
};

export interface ReferenceDb {
  dataset_versions: { dataset: string; version: string; source: string; row_count: number; loaded_at: Date | string; effective_from: Generated<string>; effective_to: Generated<string> };
  ott_measures: {
    commodity_code: string;
    sid: string;
    measure_type: string;
    geographical_area: string;
    excluded_areas: string[];
    expression: string;
    additional_code: string;
    valid_from: string;
    valid_to: string;
    quota_order_number: string;
    dataset_version: string;
  };
  geo_group_members: { group_id: string; member: string; dataset_version: string };
  fx_rates: { currency: string; period_start: string; period_end: string; rate: string; dataset_version: string };
  ott_sync_runs: {
    id: Generated<number>;
    kind: string;
    status: string;
    base_url: string;
    since_date: Generated<string>;
    until_date: string;
    planned: Jsonb;
    error: Generated<string>;
    dataset_version: Generated<string>;
    fx_versions: Jsonb;
    stop_press: Jsonb;
    stats: Jsonb;
    started_at: Generated<Date>;
    finished_at: Date | null;
  };
  ott_sync_staged: { run_id: number; item: string; payload: Jsonb };
  ott_coverage: { commodity_code: string; complete_from: string; dataset_version: string };
  ott_quota_definitions: {
    order_number: string;
    valid_from: string;
    valid_to: string;
    initial_volume: string;
    balance: string;
    status: string;
    unit: string;
    measure_sids: string[];
    as_of: string;
    dataset_version: string;
  };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string };
  inbox: { consumer_group: string; event_id: string; topic: string };
}

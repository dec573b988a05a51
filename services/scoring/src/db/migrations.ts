import { sql, enableTenantRls, inboxOutboxMigration, outboxPackedMigration, outboxDeadLetterMigration, type Migration } from '@customs/db';
import { originEvidenceMigration } from './evidence-repo';
import { reconBooksImportersMigration, reconciliationImporterIndexMigration, reconciliationMigration, reconciliationWatermarkMigration } from './reconciliation-repo';

export const migrations: Record<string, Migration> = {
  '0001_inbox_outbox': inboxOutboxMigration,
  '0002_scores': {
    async up(db) {
      // Latest checked version of each declaration with its score; entity scores aggregate it.
      await sql`
        create table declaration_scores (
          tenant_id text not null,
          declaration_id text not null,
          declaration_version int not null,
          mrn text not null,
          lrn text not null,
          importer_id text not null,
          declarant_id text not null,
          score int not null,
          finding_count int not null,
          exposure_pence bigint not null,
          reclaim_pence bigint not null,
          components jsonb not null,
          acceptance_date text not null,
          model_version text not null,
          updated_at timestamptz not null,
          primary key (tenant_id, declaration_id)
        )`.execute(db);
      await sql`create index declaration_scores_importer on declaration_scores (tenant_id, importer_id)`.execute(db);
      await sql`create index declaration_scores_declarant on declaration_scores (tenant_id, declarant_id)`.execute(db);
      await sql`
        create table entity_scores (
          tenant_id text not null,
          entity_type text not null check (entity_type in ('declaration', 'broker', 'importer')),
          entity_id text not null,
          score int not null,
          finding_count int not null,
          exposure_pence bigint not null,
          reclaim_pence bigint not null,
          declaration_count int not null,
          components jsonb not null,
          model_version text not null,
          updated_at timestamptz not null,
          primary key (tenant_id, entity_type, entity_id)
        )`.execute(db);
      await enableTenantRls(db, 'declaration_scores');
      await enableTenantRls(db, 'entity_scores');
    },
  },
  '0003_outbox_packed': outboxPackedMigration,
  '0004_outbox_dead_letters': outboxDeadLetterMigration,
  '0005_history': {
    async up(db) {
      // Each declaration's latest version as history sees it (to take it out again when amended)
      // and the validation findings of its latest check (scores combine them with history's).
      await sql`
        create table history_decls (
          tenant_id text not null,
          declaration_id text not null,
          version int not null,
          importer_id text not null,
          fact jsonb not null,
          updated_at timestamptz not null,
          primary key (tenant_id, declaration_id)
        )`.execute(db);
      // Per-importer history aggregates, one row per key of each kind (sg supplier+description,
      // dg description, uv unit values, inv invoice, dcl declarant, imp importer), updated in place.
      await sql`
        create table history_groups (
          tenant_id text not null,
          kind text not null,
          key text not null,
          state jsonb not null,
          primary key (tenant_id, kind, key)
        )`.execute(db);
      await sql`
        create table approved_agents (
          tenant_id text not null,
          importer_id text not null,
          agent_id text not null,
          added_by text not null,
          added_at timestamptz not null,
          primary key (tenant_id, importer_id, agent_id)
        )`.execute(db);
      await sql`
        create table history_findings (
          tenant_id text not null,
          finding_id text not null,
          declaration_id text not null,
          declaration_version int not null,
          rule_id text not null,
          active boolean not null,
          payload bytea not null,
          raised_at timestamptz not null,
          superseded_at timestamptz,
          primary key (tenant_id, finding_id)
        )`.execute(db);
      await sql`create index history_findings_declaration on history_findings (tenant_id, declaration_id) where active`.execute(db);
      await sql`alter table declaration_scores add column validation_findings jsonb not null default '[]'::jsonb, add column risk int not null default 0, add column factors jsonb not null default '[]'::jsonb, add column lines jsonb not null default '[]'::jsonb, add column explanation text not null default '', add column as_of text not null default '', add column checked boolean not null default true`.execute(
        db,
      );
      await sql`alter table entity_scores add column explanation text not null default ''`.execute(db);
      // What each declaration adds to the monthly aggregates (so a re-check applies new − old).
      await sql`
        create table contributions (
          tenant_id text not null,
          declaration_id text not null,
          agent_id text not null,
          importer_id text not null,
          month text not null,
          metrics jsonb not null,
          primary key (tenant_id, declaration_id)
        )`.execute(db);
      // Additive monthly aggregates per agent, importer and the tenant ('*').
      await sql`
        create table aggregates (
          tenant_id text not null,
          scope text not null check (scope in ('agent', 'importer', 'tenant')),
          entity_id text not null,
          month text not null,
          metric text not null,
          value bigint not null,
          primary key (tenant_id, scope, entity_id, month, metric)
        )`.execute(db);
      // Monthly snapshots of scorecards and readiness, with the model that made them.
      await sql`
        create table trend_snapshots (
          tenant_id text not null,
          entity_type text not null,
          entity_id text not null,
          month text not null,
          model_version text not null,
          score int not null,
          payload jsonb not null,
          recorded_at timestamptz not null,
          primary key (tenant_id, entity_type, entity_id, month, model_version)
        )`.execute(db);
      for (const t of ['history_decls', 'history_groups', 'approved_agents', 'history_findings', 'contributions', 'aggregates', 'trend_snapshots']) await enableTenantRls(db, t);
    },
  },
  '0006_history_json': {
    async up(db) {
      // Facts and group states are written whole and read whole, never queried inside: json
      // (validated text) stores and reads them faster than jsonb's binary form.
      await sql`alter table history_decls alter column fact type json using fact::json`.execute(db);
      await sql`alter table history_groups alter column state type json using state::json`.execute(db);
    },
  },
  '0007_declaration_score_slim': {
    async up(db) {
      // A declaration's factors, lines and components are recomputed on read from its stored
      // findings and as-of date (the model is pure): storing them tripled the row written twice
      // per declaration (scripts/bench/scoring-history.js).
      await sql`alter table declaration_scores drop column components, drop column factors, drop column lines, drop column explanation`.execute(db);
    },
  },
  '0008_read_indexes': {
    async up(db) {
      // GET /v1/scores/declaration lists the riskiest first.
      await sql`create index declaration_scores_risk on declaration_scores (tenant_id, risk desc)`.execute(db);
      // A month's peers (scorecards, snapshots) without reading every agent's every month: the
      // primary key leads with the agent, and one-off agents (C02) make that scan grow with history.
      await sql`create index aggregates_month on aggregates (tenant_id, scope, month)`.execute(db);
    },
  },
  // C03/C42: declarations, ERP receipts and deferment statement lines as reconciliation keeps them.
  '0009_reconciliation': reconciliationMigration,
  '0012_reconciliation_importer_index': reconciliationImporterIndexMigration,
  '0013_reconciliation_watermark': reconciliationWatermarkMigration,
  '0011_history_hot_path': {
    async up(db) {
      // The history path writes every declaration's score twice and its contribution once per
      // change, and rewrites each touched history group (docs/adr/0014-scoring-history-hot-path.md):
      // no query reads declaration scores by importer or declarant, so those indexes only cost
      // writes; contributions and validation findings are written and read whole, never queried
      // inside (json stores them without jsonb's conversion); and free room on each page lets an
      // update of a group's state, a contribution or an aggregate's value stay on its page (a HOT
      // update: no index entry written).
      await sql`drop index if exists declaration_scores_importer`.execute(db);
      await sql`drop index if exists declaration_scores_declarant`.execute(db);
      await sql`alter table contributions alter column metrics type json using metrics::json`.execute(db);
      await sql`alter table declaration_scores alter column validation_findings drop default`.execute(db);
      await sql`alter table declaration_scores alter column validation_findings type json using validation_findings::json`.execute(db);
      await sql`alter table declaration_scores alter column validation_findings set default '[]'::json`.execute(db);
      for (const t of ['history_groups', 'contributions', 'aggregates', 'declaration_scores']) await sql.raw(`alter table ${t} set (fillfactor = 80)`).execute(db);
      // A group's state (a unit-value window is ≈ 3 kB) is rewritten by every batch touching it:
      // kept inline up to a page rather than compressed into the TOAST table from 2 kB on, and lz4
      // (not pglz) where it is compressed, so a rewrite costs neither a compression nor TOAST writes.
      await sql`alter table history_groups set (toast_tuple_target = 8160)`.execute(db);
      // lz4 only where the server was built with it (pglz, the default, stays otherwise).
      await sql`do $$ begin
          alter table history_groups alter column state set compression lz4;
          alter table history_decls alter column fact set compression lz4;
        exception when feature_not_supported then null;
        end $$`.execute(db);
    },
  },
  // C03 ghosts only for the importers the ERP books are for.
  '0014_reconciliation_books_importers': reconBooksImportersMigration,
  // C20's origin evidence register per importer and supplier.
  '0015_origin_evidence': originEvidenceMigration,
};

export interface ScoringDb {
  declaration_scores: {
    tenant_id: string;
    declaration_id: string;
    declaration_version: number;
    mrn: string;
    lrn: string;
    importer_id: string;
    declarant_id: string;
    score: number;
    finding_count: number;
    exposure_pence: number;
    reclaim_pence: number;
    acceptance_date: string;
    validation_findings: unknown;
    risk: number;
    as_of: string;
    checked: boolean;
    model_version: string;
    updated_at: Date | string;
  };
  entity_scores: {
    tenant_id: string;
    entity_type: string;
    entity_id: string;
    score: number;
    finding_count: number;
    exposure_pence: number;
    reclaim_pence: number;
    declaration_count: number;
    components: string;
    model_version: string;
    updated_at: Date | string;
    explanation: string;
  };
  history_decls: { tenant_id: string; declaration_id: string; version: number; importer_id: string; fact: unknown; updated_at: Date | string };
  history_groups: { tenant_id: string; kind: string; key: string; state: unknown };
  approved_agents: { tenant_id: string; importer_id: string; agent_id: string; added_by: string; added_at: Date | string };
  history_findings: {
    tenant_id: string;
    finding_id: string;
    declaration_id: string;
    declaration_version: number;
    rule_id: string;
    active: boolean;
    payload: Buffer;
    raised_at: Date | string;
    superseded_at: Date | string | null;
  };
  contributions: { tenant_id: string; declaration_id: string; agent_id: string; importer_id: string; month: string; metrics: unknown };
  aggregates: { tenant_id: string; scope: string; entity_id: string; month: string; metric: string; value: string | number };
  trend_snapshots: { tenant_id: string; entity_type: string; entity_id: string; month: string; model_version: string; score: number; payload: unknown; recorded_at: Date | string };
  inbox: { consumer_group: string; event_id: string; topic: string };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string };
}

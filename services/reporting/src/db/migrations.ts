import { sql, enableTenantRls, inboxOutboxMigration, outboxPackedMigration, outboxDeadLetterMigration, type Migration } from '@customs/db';
import type { ColumnType, Generated } from 'kysely';

export interface ReportingDb {
  tenant_settings: { tenant_id: string; vat_registered: boolean | null; repayment_method: string; updated_by: string; updated_at: string };
  drafts: {
    tenant_id: string;
    draft_id: string;
    kind: string;
    state: string;
    scope: ColumnType<unknown, string, string>;
    source: ColumnType<unknown, string, string>;
    content: ColumnType<unknown, string, string>;
    created_by: string;
    created_at: string;
    hmrc_reference: string | null;
    updated_at: string;
  };
  reports: {
    tenant_id: string;
    report_id: string;
    kind: string;
    importer: string;
    version: number;
    as_of: string;
    trigger: string;
    content: ColumnType<unknown, string, string>;
    data_versions: ColumnType<unknown, string, string>;
    html: string;
    pdf: Buffer;
    created_by: string;
    created_at: string;
  };
  role_assignments: { tenant_id: string; role: string; person: string; updated_by: string; updated_at: string };
  cases: {
    tenant_id: string;
    case_id: string;
    trigger: string;
    title: string;
    letter_date: string;
    visit_date: string | null;
    importer: string;
    scope: ColumnType<unknown, string, string>;
    owner: string;
    playbook: ColumnType<unknown, string, string>;
    state: string;
    created_by: string;
    created_at: string;
    updated_at: string;
  };
  case_steps: { tenant_id: string; case_id: string; step_id: string; done_by: string; done_at: string };
  case_history: { tenant_id: string; case_id: string; seq: Generated<string>; at: string; actor: string; action: string; detail: ColumnType<unknown, string, string> };
  draft_history: { tenant_id: string; draft_id: string; seq: Generated<string>; at: string; actor: string; action: string; detail: ColumnType<unknown, string, string> };
}

export const migrations: Record<string, Migration> = {
  '0001_inbox_outbox': inboxOutboxMigration,
  '0002_outbox_packed': outboxPackedMigration,
  '0003_outbox_dead_letters': outboxDeadLetterMigration,
  '0004_drafts': {
    async up(db) {
      // What the tenant told us that the drafts need (VAT registration decides whether VAT is
      // claimed on a C285); null = not said, and the drafts say so instead of guessing.
      await sql`
        create table tenant_settings (
          tenant_id text primary key,
          vat_registered boolean,
          repayment_method text not null check (repayment_method in ('bank_transfer', 'current_month_adjustment')),
          updated_by text not null,
          updated_at timestamptz not null
        )`.execute(db);
      // A draft's content is computed once and never rewritten: a review or a submission is a
      // state change (with its history row), so what was filed stays what was drafted. `source`
      // records the data versions it was computed from (findings-feed cursor, settings).
      await sql`
        create table drafts (
          tenant_id text not null,
          draft_id text not null,
          kind text not null check (kind in ('c285', 'c2001')),
          state text not null check (state in ('draft', 'reviewed', 'submitted', 'withdrawn')),
          scope jsonb not null,
          source jsonb not null,
          content jsonb not null,
          created_by text not null,
          created_at timestamptz not null,
          hmrc_reference text,
          updated_at timestamptz not null,
          primary key (tenant_id, draft_id)
        )`.execute(db);
      await sql`create index drafts_created on drafts (tenant_id, created_at desc)`.execute(db);
      await sql`
        create table draft_history (
          tenant_id text not null,
          draft_id text not null,
          seq bigserial not null,
          at timestamptz not null,
          actor text not null,
          action text not null,
          detail jsonb not null,
          primary key (tenant_id, draft_id, seq),
          foreign key (tenant_id, draft_id) references drafts (tenant_id, draft_id)
        )`.execute(db);
      await enableTenantRls(db, 'tenant_settings');
      await enableTenantRls(db, 'drafts');
      await enableTenantRls(db, 'draft_history');
    },
  },
  '0005_reports': {
    async up(db) {
      // Board report versions, immutable: the figures, the HTML and the PDF exactly as published,
      // with the data versions (feed cursor, APIs' answers) they were computed from.
      await sql`
        create table reports (
          tenant_id text not null,
          report_id text not null,
          kind text not null check (kind in ('board')),
          importer text not null,
          version int not null,
          as_of text not null,
          trigger text not null check (trigger in ('api', 'schedule')),
          content jsonb not null,
          data_versions jsonb not null,
          html text not null,
          pdf bytea not null,
          created_by text not null,
          created_at timestamptz not null,
          primary key (tenant_id, report_id),
          unique (tenant_id, kind, importer, version)
        )`.execute(db);
      await enableTenantRls(db, 'reports');
    },
  },
  '0006_cases': {
    async up(db) {
      // Who holds each playbook role at the tenant (clear ownership of customs risk per area).
      await sql`
        create table role_assignments (
          tenant_id text not null,
          role text not null,
          person text not null,
          updated_by text not null,
          updated_at timestamptz not null,
          primary key (tenant_id, role)
        )`.execute(db);
      // A case keeps a snapshot of the playbook version it was opened with, so a later playbook
      // edit never rewrites an open case's checklist.
      await sql`
        create table cases (
          tenant_id text not null,
          case_id text not null,
          trigger text not null,
          title text not null,
          letter_date text not null,
          visit_date text,
          importer text not null,
          scope jsonb not null,
          owner text not null,
          playbook jsonb not null,
          state text not null check (state in ('open', 'closed')),
          created_by text not null,
          created_at timestamptz not null,
          updated_at timestamptz not null,
          primary key (tenant_id, case_id)
        )`.execute(db);
      await sql`
        create table case_steps (
          tenant_id text not null,
          case_id text not null,
          step_id text not null,
          done_by text not null,
          done_at timestamptz not null,
          primary key (tenant_id, case_id, step_id),
          foreign key (tenant_id, case_id) references cases (tenant_id, case_id)
        )`.execute(db);
      await sql`
        create table case_history (
          tenant_id text not null,
          case_id text not null,
          seq bigserial not null,
          at timestamptz not null,
          actor text not null,
          action text not null,
          detail jsonb not null,
          primary key (tenant_id, case_id, seq),
          foreign key (tenant_id, case_id) references cases (tenant_id, case_id)
        )`.execute(db);
      for (const t of ['role_assignments', 'cases', 'case_steps', 'case_history']) await enableTenantRls(db, t);
    },
  },
};

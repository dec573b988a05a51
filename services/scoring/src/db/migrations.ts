import { sql, enableTenantRls, inboxOutboxMigration, outboxPackedMigration, outboxDeadLetterMigration, type Migration } from '@customs/db';

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
    components: string;
    acceptance_date: string;
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
  };
  inbox: { consumer_group: string; event_id: string; topic: string };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string };
}

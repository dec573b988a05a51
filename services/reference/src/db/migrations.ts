import { sql, inboxOutboxMigration, type Migration } from '@customs/db';

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
};

export interface ReferenceDb {
  dataset_versions: { dataset: string; version: string; source: string; row_count: number; loaded_at: Date | string };
  outbox: { id: number; topic: string; message_key: string; payload: Buffer; headers: string };
  inbox: { consumer_group: string; event_id: string; topic: string };
}

import { type Kysely, sql, type Migration } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely';

export type { Migration };

/** Migrations defined in code, applied in key order (keys like "0001_init"). */
class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/**
 * Applies a service's migrations inside its own schema, keeping kysely's bookkeeping tables
 * there too, so services never share migration state. Throws with the failing migration name.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema: string, migrations: Record<string, Migration>, track?: { table: string; lockTable: string }): Promise<string[]> {
  // `track`: a second, independent list in the same schema (the platform's own migrations).
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(migrations),
    migrationTableSchema: schema,
    ...(track ? { migrationTableName: track.table, migrationLockTableName: track.lockTable } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} of schema ${schema} failed: ${(error as Error).message}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Inbox (consumed event ids) and outbox (events to publish) tables every event-driven service
 * owns; include it as the first migration of the service.
 */
export const inboxOutboxMigration: Migration = {
  async up(db) {
    await sql`
      create table inbox (
        consumer_group text not null,
        event_id text not null,
        topic text not null,
        received_at timestamptz not null default now(),
        primary key (consumer_group, event_id)
      )`.execute(db);
    await sql`
      create table outbox (
        id bigserial primary key,
        topic text not null,
        message_key text not null,
        payload bytea not null,
        headers jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz
      )`.execute(db);
    await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(db);
  },
};

/**
 * Packed outbox rows (see outbox-pack.ts): `packed_count` > 0 marks a row whose payload holds
 * that many messages, `sent` how many of them the relay has published. Payloads are stored
 * uncompressed: protobuf barely compresses, and pglz on a multi-megabyte pack was CPU on the
 * ingest hot path. Every service includes it after its last migration.
 */
export const outboxPackedMigration: Migration = {
  async up(db) {
    await sql`alter table outbox add column packed_count int not null default 0, add column sent int not null default 0`.execute(db);
    await sql`alter table outbox alter column payload set storage external`.execute(db);
  },
};

/**
 * Outbox messages Kafka refused for good (too large for the broker, an invalid record): the
 * relay moves each here with the broker's error instead of retrying it forever, so one bad
 * event never blocks the events behind it, and nothing is lost — an operator can inspect,
 * fix and re-publish it. `pack_index` is the message's place in a packed row (0 for a plain
 * row); the unique key makes a re-sent round after a crash record the same message only once.
 * Every service includes it after outboxPackedMigration.
 */
export const outboxDeadLetterMigration: Migration = {
  async up(db) {
    await sql`
      create table outbox_dead_letters (
        id bigserial primary key,
        outbox_id bigint not null,
        pack_index int not null default 0,
        topic text not null,
        message_key text not null,
        payload bytea not null,
        headers jsonb not null,
        error text not null,
        enqueued_at timestamptz not null,
        dead_lettered_at timestamptz not null default now(),
        unique (outbox_id, pack_index)
      )`.execute(db);
    await sql`alter table outbox_dead_letters alter column payload set storage external`.execute(db);
  },
};

/** SQL that enables forced row-level security on a table with a tenant_id column. */
export async function enableTenantRls(db: Kysely<unknown>, table: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`invalid table name "${table}"`);
  await sql.raw(`alter table ${table} enable row level security`).execute(db);
  await sql.raw(`alter table ${table} force row level security`).execute(db);
  await sql
    .raw(`create policy tenant_isolation on ${table} using (current_setting('app.tenant_id', true) in (tenant_id, '*')) with check (current_setting('app.tenant_id', true) in (tenant_id, '*'))`)
    .execute(db);
}

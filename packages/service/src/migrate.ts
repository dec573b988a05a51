import { PLATFORM_MIGRATIONS, createDb, migrateToLatest, type Migration } from '@customs/db';
import type { Logger } from '@customs/telemetry';

/**
 * Applies a service's migrations and the platform's own (the audit trail) to its schema, as
 * startPlatformService does at start-up, then closes the pool: what a deployment's migrations
 * Job runs before the new version rolls out (services/<name>/dist/migrate.js), so a rollout never
 * waits on, or races, a schema change. Both lists are idempotent and lock-protected.
 */
export async function migrateService(opts: {
  name: string;
  databaseUrl: string;
  migrations: Record<string, Migration>;
  logger: Pick<Logger, 'info'>;
}): Promise<{ applied: string[]; platformApplied: string[] }> {
  const db = createDb<unknown>({ url: opts.databaseUrl, schema: opts.name, applicationName: `${opts.name}-migrate` });
  try {
    const applied = await migrateToLatest(db.db as never, opts.name, opts.migrations);
    const platformApplied = await migrateToLatest(db.db as never, opts.name, PLATFORM_MIGRATIONS, { table: 'platform_migration', lockTable: 'platform_migration_lock' });
    opts.logger.info({ applied, platformApplied }, `${opts.name} migrations applied`);
    return { applied, platformApplied };
  } finally {
    await db.close();
  }
}

import { Kysely, PostgresDialect, sql, type Insertable, type Transaction } from 'kysely';
import { Pool, types } from 'pg';

// int8 (bigint: pence, sequence ids) arrives as a string by default; pence stay far below
// 2^53 (£90 trillion), so parse to number but fail loudly rather than lose precision.
types.setTypeParser(20, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${v} exceeds the safe integer range`);
  return n;
});
// DATE columns stay 'YYYY-MM-DD' strings: a JS Date would shift them across time zones.
types.setTypeParser(1082, (v: string) => v);

export { sql };
export type { Insertable, Kysely, Transaction };

/** Options of a service's database handle. */
export interface DbOptions {
  /** postgres:// URL of the service's own login role. */
  url: string;
  /** The service's schema; becomes the connection's search_path. */
  schema: string;
  /** Pool size. */
  max?: number;
  applicationName?: string;
  /** Called when an idle pooled connection fails (e.g. the server restarts); default ignores it. */
  onError?: (e: Error) => void;
}

/** A Kysely instance bound to one service schema, plus its pool for LISTEN and raw use. */
export interface ServiceDb<DB> {
  readonly db: Kysely<DB>;
  readonly pool: Pool;
  readonly schema: string;
  close(): Promise<void>;
}

/** Creates a pool whose connections use only the service's schema (search_path). */
export function createDb<DB>(opts: DbOptions): ServiceDb<DB> {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name "${opts.schema}"`);
  const pool = new Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? opts.schema,
    options: `-c search_path=${opts.schema}`,
  });
  // Without a listener an idle connection's failure would crash the process; the pool replaces it.
  pool.on('error', (e) => opts.onError?.(e));
  // The pool listens on idle connections only: one checked out (a transaction waiting between
  // two queries, a LISTEN connection) whose server goes away (Postgres restarted or crashed)
  // emitted 'error' with no listener and crashed the service (make chaos). Every connection gets
  // a listener for its whole life; the failed query or transaction throws as usual and the pool
  // discards the dead connection on release.
  pool.on('connect', (client) => client.on('error', (e) => opts.onError?.(e)));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    schema: opts.schema,
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Runs fn in a transaction whose row-level-security scope is one tenant. Tables with tenant_id
 * carry a FORCEd policy comparing it with `app.tenant_id`, so a query that forgets its
 * `where tenant_id = …` still cannot read another tenant's rows (defence in depth).
 */
export async function withTenant<DB, T>(db: Kysely<DB>, tenantId: string, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
    return fn(trx);
  });
}

/**
 * Runs fn in a transaction that may touch every tenant's rows: for event consumers, whose
 * batches mix tenants and whose tenant comes from the event itself, never from a caller.
 */
export async function withAllTenants<DB, T>(db: Kysely<DB>, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('app.tenant_id', '*', true)`.execute(trx);
    return fn(trx);
  });
}

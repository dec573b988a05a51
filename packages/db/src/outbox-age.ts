import { sql, type Kysely } from 'kysely';

/**
 * Seconds since the oldest outbox row still waiting for the relay was written (0 for an empty
 * outbox): the relay's delay as a reader would feel it. The oldest row is the lowest id, read
 * through the primary key, so scraping it costs one index probe however long the outbox is.
 */
export async function oldestOutboxAgeSeconds(db: Kysely<unknown>): Promise<number> {
  const { rows } = await sql<{ age: string | number | null }>`select extract(epoch from now() - created_at) as age from outbox order by id limit 1`.execute(db);
  const age = Number(rows[0]?.age ?? 0);
  return age > 0 ? age : 0;
}

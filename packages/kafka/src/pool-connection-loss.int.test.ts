import { Client } from 'pg';
import { createTestDatabase, waitFor, type TestDatabase } from '@customs/testing';
import { createDb, sql } from '@customs/db';

// Real Postgres (@customs/db's createDb; tested here, where the test-database helpers are a
// dependency already): a server restart cuts every connection, also the ones a service holds checked
// out (a transaction between two queries, a LISTEN connection). Such a connection's 'error' used
// to have no listener and crashed the service (make chaos, Postgres restarted mid-backfill). Here
// the backends are terminated from the server side, as a restart does.
describe('a service pool survives losing its connections (real Postgres)', () => {
  let tdb: TestDatabase;
  let admin: Client;
  beforeAll(async () => {
    tdb = await createTestDatabase('connloss');
    admin = new Client({ connectionString: tdb.adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await tdb?.drop();
  });

  it('a checked-out connection and a transaction lose their server: errors are reported, the pool recovers', async () => {
    const errors: Error[] = [];
    const svc = createDb<any>({ url: tdb.urlFor('ingestion'), schema: 'ingestion', max: 2, onError: (e) => errors.push(e) });
    try {
      // A LISTEN-style connection held out of the pool.
      const held = await svc.pool.connect();
      const heldPid = (await held.query('select pg_backend_pid() as pid')).rows[0].pid;
      // A transaction waiting between two queries.
      const trx = svc.db.transaction().execute(async (t) => {
        const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(t)).rows[0]!.pid;
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where pid = any($1)', [[heldPid, pid]]);
        await waitFor('both connections reported lost', async () => errors.length >= 2);
        await sql`select 1`.execute(t);
      });
      await expect(trx).rejects.toThrow();
      expect(errors.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/terminat/i)]));
      held.release(errors[0]);
      // New connections replace the dead ones.
      const r = await sql<{ one: number }>`select 1 as one`.execute(svc.db);
      expect(r.rows[0]!.one).toBe(1);
    } finally {
      await svc.close();
    }
  });
});

import { Client } from 'pg';
import { waitFor } from '@customs/testing';
import { startDeliveryHost, type DeliveryHost } from '../delivery/__fixtures__/harness';

// Readers of alert_history go "after cursor N"; that is gap-free only if cursors become visible
// in cursor order. The 0100 migration serialises history writers: a second writer waits for the
// first to commit before it draws a cursor.
describe('alert_history cursors become visible in cursor order', () => {
  let host: DeliveryHost;
  beforeAll(async () => {
    host = await startDeliveryHost('historder');
  });
  afterAll(async () => {
    await host?.close();
  });

  it('makes a concurrent writer wait until the first commits, so its cursor is the higher one', async () => {
    const connect = async () => {
      const c = new Client({ connectionString: host.db.urlFor('alerting'), options: '-c search_path=alerting' });
      await c.connect();
      return c;
    };
    const t1 = await connect();
    const t2 = await connect();
    const observer = await connect();
    const insert = (c: Client, id: string) =>
      c.query<{ cursor: number }>(
        `insert into alert_history (tenant_id, alert_id, actor, from_status, to_status, reason, at, snapshot) values ('t', $1, 'test', 0, 1, 'order', now(), '\\x') returning cursor`,
        [id],
      );
    try {
      await t1.query(`begin; select set_config('app.tenant_id', '*', true)`);
      await t2.query(`begin; select set_config('app.tenant_id', '*', true)`);
      const first = await insert(t1, 'first');
      const pid2 = (await t2.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      const second = insert(t2, 'second');
      // t2 is blocked on the advisory lock t1 holds (not merely slow).
      await waitFor('second writer waiting on the lock', async () => {
        const r = await observer.query<{ wait_event_type: string | null }>('select wait_event_type from pg_stat_activity where pid = $1', [pid2]);
        return r.rows[0]?.wait_event_type === 'Lock';
      });
      // …and has not drawn its cursor yet (the trigger runs before the bigserial default), so it
      // cannot end up with a lower cursor than a writer that commits before it.
      const seq = await observer.query<{ last_value: number }>(`select last_value from alerting.alert_history_cursor_seq`);
      expect(Number(seq.rows[0]!.last_value)).toBe(Number(first.rows[0]!.cursor));
      await t1.query('commit');
      const secondCursor = (await second).rows[0]!.cursor;
      await t2.query('commit');
      expect(Number(secondCursor)).toBeGreaterThan(Number(first.rows[0]!.cursor));
    } finally {
      await Promise.all([t1.end(), t2.end(), observer.end()]);
    }
  });
});

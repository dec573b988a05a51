// One LISTEN connection that wakes every open gRPC stream when alert history or the findings
// feed grows (NOTIFY alerting_changes, sent in the writing transaction).
import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import type { Logger } from '@customs/telemetry';
import { CHANGES_CHANNEL } from './alert-repo';

export interface ChangeWaiter {
  /** Resolves on the next change, on close, or after `ms` (streams also poll, in case a notification is lost). */
  wait(ms: number): Promise<void>;
  readonly closed: boolean;
  close(): Promise<void>;
}

export async function listenForChanges(pool: Pool, logger: Logger): Promise<ChangeWaiter> {
  const ee = new EventEmitter();
  ee.setMaxListeners(0);
  let closed = false;
  const conn = await pool.connect();
  conn.on('notification', () => ee.emit('change'));
  conn.on('error', (e) => logger.warn({ err: e }, 'alert LISTEN connection failed; streams fall back to polling'));
  await conn.query(`listen ${CHANGES_CHANNEL}`);
  return {
    get closed() {
      return closed;
    },
    wait(ms) {
      return new Promise<void>((resolve) => {
        if (closed) return resolve();
        const done = () => {
          clearTimeout(t);
          ee.off('change', done);
          ee.off('close', done);
          resolve();
        };
        const t = setTimeout(done, ms);
        ee.once('change', done);
        ee.once('close', done);
      });
    },
    async close() {
      closed = true;
      ee.emit('close');
      conn.release();
    },
  };
}

/**
 * Test host of the delivery channels: the real platform service (Postgres migrations, Kafka
 * relay, fastify, gRPC) with the alerting migrations and registerDelivery wired in, for two
 * tenants, plus a writer that appends alert changes to alert_history exactly as the alerting
 * core does (insert + NOTIFY alerting_changes) — the contract between the two. The channels'
 * tests then do not depend on which detection rules the core ships at the time.
 */
import { Pool } from 'pg';
import { Alert, AlertStatus, Severity } from '@customs/contracts';
import { startPlatformService, type RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, type TestDatabase } from '@customs/testing';
import type { KafkaHandle } from '@customs/kafka';
import { loadConfig } from '../../config';
import { migrations } from '../../db/migrations';
import { registerDelivery, type DeliveryHandle } from '../index';

export interface DeliveryHost {
  tenants: { a: string; b: string };
  tokens: { a: ReturnType<typeof testTokens>; b: ReturnType<typeof testTokens> };
  service: RunningService;
  delivery: DeliveryHandle;
  db: TestDatabase;
  /** Authenticated JSON call (tenant A's admin unless a token is given). */
  http(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** Appends one alert change for a tenant; returns its cursor. */
  change(tenant: string, alert: Partial<Alert>, opts?: { from?: AlertStatus; reason?: string }): Promise<number>;
  /** Stops the service (the database stays, for restart tests). */
  stopService(): Promise<void>;
  /** Starts the service again on the same database. */
  restart(env?: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

export async function startDeliveryHost(label: string, env: Record<string, string> = {}): Promise<DeliveryHost> {
  const tenants = { a: `tenant-${label}-a`, b: `tenant-${label}-b` };
  const tokens = { a: testTokens(tenants.a), b: testTokens(tenants.b) };
  const db = await createTestDatabase(label);
  let kafka: KafkaHandle | undefined;
  const pool = new Pool({ connectionString: db.urlFor('alerting'), options: '-c search_path=alerting', max: 2 });
  // An idle connection terminated under it (the database dropped, a server restart) must not crash
  // the test process; the next query gets a fresh connection or fails with a readable error.
  pool.on('error', () => undefined);
  let service: RunningService | undefined;
  let delivery: DeliveryHandle | undefined;
  const prefix = uniquePrefix(label);
  kafka = await createTestTopics(prefix);
  const start = async (extra: Record<string, string>) => {
    const config = loadConfig({
      DATABASE_URL: db.urlFor('alerting'),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: `${tokens.a.spec},${tokens.b.spec}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
      DELIVERY_ALLOWED_PRIVATE_HOSTS: '127.0.0.1,localhost',
      DELIVERY_POLL_MS: '500',
      ...env,
      ...extra,
    });
    service = await startPlatformService({
      name: 'alerting',
      config,
      migrations,
      setup: async (kit) => {
        delivery = await registerDelivery(kit as never, { config });
      },
    });
  };
  try {
    await start({});
  } catch (e) {
    await pool.end();
    await db.drop().catch(() => undefined);
    await deleteTestTopics(kafka);
    throw e;
  }
  const host: DeliveryHost = {
    tenants,
    tokens,
    db,
    get service() {
      return service!;
    },
    get delivery() {
      return delivery!;
    },
    async http(method, path, body, token = tokens.a.admin) {
      const res = await fetch(`${service!.httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async change(tenant, partial, opts = {}) {
      const now = new Date().toISOString();
      const alert = Alert.fromPartial({
        alertId: `alert-${Math.random().toString(36).slice(2, 10)}`,
        tenantId: tenant,
        alertRuleId: 'AR-001',
        alertRuleHash: 'a'.repeat(64),
        alertRuleType: 'finding_match',
        title: 'Material compliance finding: C09 duty charged differs from the tariff rate',
        severity: Severity.SEVERITY_HIGH,
        status: AlertStatus.ALERT_STATUS_NEW,
        findingIds: ['f-1'],
        exposurePence: 1_050_075,
        exposureDutyPence: 875_062,
        exposureVatPence: 175_013,
        deadline: '2027-06-30',
        createdAt: now,
        updatedAt: now,
        firstSeen: now,
        lastSeen: now,
        mrn: '24GB000000000001A1',
        declarationId: 'decl-1',
        ruleIds: ['C09'],
        importerEori: 'GB123456789000',
        declarantId: 'GB987654321000',
        ...partial,
      });
      const c = await pool.connect();
      try {
        await c.query('begin');
        await c.query(`select set_config('app.tenant_id', $1, true)`, [tenant]);
        const r = await c.query<{ cursor: number }>(
          `insert into alert_history (tenant_id, alert_id, actor, from_status, to_status, reason, at, snapshot) values ($1, $2, 'system', $3, $4, $5, $6, $7) returning cursor`,
          [tenant, alert.alertId, opts.from ?? AlertStatus.ALERT_STATUS_UNSPECIFIED, alert.status, opts.reason ?? 'raised by AR-001 on finding C09', now, Buffer.from(Alert.encode(alert).finish())],
        );
        await c.query(`select pg_notify('alerting_changes', '')`);
        await c.query('commit');
        return Number(r.rows[0]!.cursor);
      } catch (e) {
        await c.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    async stopService() {
      await service?.stop();
      service = undefined;
    },
    async restart(extra = {}) {
      await start(extra);
    },
    async close() {
      await service?.stop();
      await pool.end();
      await db.drop().catch(() => undefined);
      await deleteTestTopics(kafka);
    },
  };
  return host;
}

import { Client } from 'pg';
import { DeclarationReceived } from '@customs/contracts';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, type TestDatabase } from '@customs/testing';
import type { KafkaHandle } from '@customs/kafka';
import { loadConfig } from '../config';
import { startIngestionService } from '../service';
import { signSubmission } from '../app/submission-signature';
import { randomBytes } from 'node:crypto';

/** One real ingestion service on its own topics and database, with a reader of what it published. */
export interface IngestionHarness {
  tenant: string;
  tokens: ReturnType<typeof testTokens>;
  /** The tenant's Kafka submission signing key (SUBMISSION_KEYS); sign with submissionHeaders. */
  submissionKey: { keyId: string; secret: string };
  /** Headers of a signed submission of this tenant (or `tenant`, signed with this tenant's key). */
  submissionHeaders(ceId: string, value: Buffer, tenant?: string): Record<string, string>;
  svc: RunningService;
  db: TestDatabase;
  kafka: KafkaHandle;
  /** Every DeclarationReceived seen on ingestion.declaration.received.v1 so far. */
  received: { key: string; value: DeclarationReceived; headers: Record<string, string> }[];
  http(method: string, p: string, body?: Buffer | string | FormData, opts?: { token?: string; contentType?: string }): Promise<{ status: number; body: any }>;
  /** Superuser query on the test database (assertions only). */
  query<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startIngestion(label: string, env: Record<string, string> = {}): Promise<IngestionHarness> {
  const tenant = `tenant-${label}`;
  const tokens = testTokens(tenant);
  const prefix = uniquePrefix(label);
  const kafka = await createTestTopics(prefix);
  const db = await createTestDatabase(label);
  const submissionKey = { keyId: `key-${label}`, secret: randomBytes(24).toString('hex') };
  const svc = await startIngestionService(
    loadConfig({
      DATABASE_URL: db.urlFor('ingestion'),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: tokens.spec,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
      MAX_DOCUMENT_BYTES: '1048576',
      SUBMISSION_KEYS: `${submissionKey.keyId}=${tenant}:${submissionKey.secret}`,
      ...env,
    }),
  );
  const received: IngestionHarness['received'] = [];
  const consumer = kafka.kafka.consumer({ groupId: `${prefix}reader` });
  await consumer.connect();
  await consumer.subscribe({ topic: kafka.physical('ingestion.declaration.received.v1'), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      received.push({ key: message.key!.toString(), value: DeclarationReceived.decode(message.value!), headers });
    },
  });
  const admin = new Client({ connectionString: db.adminUrl });
  await admin.connect();
  return {
    tenant,
    tokens,
    submissionKey,
    submissionHeaders: (ceId, value, asTenant = tenant) => ({ tenant: asTenant, ce_id: ceId, ...signSubmission(submissionKey, asTenant, ceId, value) }),
    svc,
    db,
    kafka,
    received,
    async http(method, p, body, opts = {}) {
      // Integrators submit; reading declarations is an analyst's (permissions.ts).
      const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? (method === 'GET' ? tokens.analyst : tokens.integrator)}` };
      if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = opts.contentType ?? 'application/xml';
      const res = await fetch(`${svc.httpUrl}${p}`, { method, headers, body, duplex: 'half' } as RequestInit);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async query(text, params) {
      return (await admin.query(text, params as unknown[])).rows;
    },
    async stop() {
      await consumer.disconnect().catch(() => undefined);
      await admin.end().catch(() => undefined);
      await svc.stop();
      await db.drop();
      await deleteTestTopics(kafka);
    },
  };
}

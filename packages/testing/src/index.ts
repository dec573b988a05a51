import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { createKafka, ensureTopics, type KafkaHandle, type TopicSpec } from '@customs/kafka';

/** The service schemas/roles of the platform (DESIGN.md §2). */
export const SERVICES = ['ingestion', 'reference', 'validation', 'scoring', 'alerting', 'reporting'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Repository root (tests and scripts only; services never read outside their package). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Where the bundled HMRC sample declarations live. */
export const HMRC_SAMPLES = path.join(REPO_ROOT, 'packages/testing/fixtures/hmrc/hmrc-customs-declarations/annotated_XML_samples');

/**
 * Endpoints of the real Kafka and Postgres the integration tests use: KAFKA_BROKERS and
 * TEST_DATABASE_ADMIN_URL (a superuser URL: tests create throw-away databases), defaulting to the
 * local services that scripts/test.sh starts.
 */
export function testEnv(): { brokers: string[]; adminUrl: string } {
  return {
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    adminUrl: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

/** Topic declarations from infra/kafka/topics.json (the one topic file). */
export function declaredTopics(): TopicSpec[] {
  const doc = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'infra/kafka/topics.json'), 'utf8')) as { topics: TopicSpec[] };
  return doc.topics;
}

/** A unique topic prefix for one test file, so runs never see each other's events. */
export function uniquePrefix(label: string): string {
  return `test.${label}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}.`;
}

/** Creates every declared topic under a prefix; returns a Kafka handle using that prefix. */
export async function createTestTopics(prefix: string): Promise<KafkaHandle> {
  const kafka = createKafka({ brokers: testEnv().brokers, clientId: 'test', topicPrefix: prefix });
  await ensureTopics(kafka, declaredTopics());
  return kafka;
}

/** Deletes the topics of a prefix (best effort, at the end of a test file). */
export async function deleteTestTopics(kafka: KafkaHandle | undefined): Promise<void> {
  if (!kafka) return; // setup failed before the topics existed
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: declaredTopics().map((t) => kafka.physical(t.name)), timeout: 10000 });
  } catch {
    // Deletion is housekeeping only.
  } finally {
    await admin.disconnect();
  }
}

/** A throw-away database with one schema per service, owned by that service's login role. */
export interface TestDatabase {
  name: string;
  /** postgres URL for a service's own role in this database. */
  urlFor(service: ServiceName): string;
  /** A superuser URL for assertions. */
  adminUrl: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Creates a fresh database laid out like production (infra/postgres): per-service roles with
 * grants only on their own schema. Roles are cluster-wide and created when missing.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const { adminUrl } = testEnv();
  const name = `customs_test_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const s of SERVICES) {
      await admin.query(`do $$ begin if not exists (select from pg_roles where rolname = '${s}') then create role ${s} login password '${s}'; end if; end $$`);
    }
    await admin.query(`create database ${name}`);
    await admin.query(`revoke all on database ${name} from public`);
    for (const s of SERVICES) await admin.query(`grant connect on database ${name} to ${s}`);
  } finally {
    await admin.end();
  }
  const dbAdminUrl = withDatabase(adminUrl, name);
  const c = new Client({ connectionString: dbAdminUrl });
  await c.connect();
  try {
    await c.query('revoke create on schema public from public');
    for (const s of SERVICES) await c.query(`create schema ${s} authorization ${s}`);
  } finally {
    await c.end();
  }
  const base = new URL(adminUrl);
  return {
    name,
    adminUrl: dbAdminUrl,
    urlFor: (service) => `postgres://${service}:${service}@${base.hostname}:${base.port || 5432}/${name}`,
    async drop() {
      const a = new Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Polls until fn returns a defined, truthy value or the timeout passes (then throws with `what`). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: last error ${(last as Error).message}` : ''}`);
}

/** Test API tokens: analyst and integrator for one tenant, plus a service token. */
export function testTokens(tenant: string) {
  const t = randomBytes(12).toString('hex');
  return {
    analyst: `analyst-${t}`,
    integrator: `integrator-${t}`,
    service: `service-${t}`,
    /** The tenant's own admin (tenant-scoped admin routes). */
    admin: `admin-${t}`,
    spec: `analyst-${t}=${tenant}:analyst:analyst@${tenant},integrator-${t}=${tenant}:integrator,admin-${t}=${tenant}:admin:admin@${tenant},service-${t}=platform:admin`,
  };
}
export { xlsxOf, xlsxOfSheetXml, type XlsxTestOptions } from './xlsx';
export { fodsOf, odsOf, type OdsTestCell, type OdsTestCellSpec, type OdsTestOptions } from './ods';
export { zipOf, type ZipTestEntry } from './zip';

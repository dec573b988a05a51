// An alerting process killed with SIGKILL in the middle of a stream and restarted must neither
// lose nor duplicate: every checked declaration raises exactly one alert with exactly one history
// entry, and exactly one alert.changed event per history entry (by CloudEvents id) reaches Kafka.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { AlertChanged, DeclarationChecked, Topics } from '@customs/contracts';
import { buildEvent, headersToStrings, type KafkaHandle } from '@customs/kafka';
import { REPO_ROOT, createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { finding } from './policies/__fixtures__/memory';

const N = 1200;
const MAIN = path.join(REPO_ROOT, 'services/alerting/dist/main.js');

describe('alerting crash recovery: SIGKILL mid-stream (real process, Kafka, Postgres)', () => {
  let kafka: KafkaHandle;
  let db: TestDatabase;
  let child: ChildProcess | undefined;
  let rulesDir: string;
  const tokens = testTokens('alcrash');
  const prefix = uniquePrefix('alcrash');

  const start = () => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (make build; make test does it)`);
    const p = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: db.urlFor('alerting'),
        KAFKA_BROKERS: testEnv().brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: tokens.spec,
        ALERT_RULES_DIR: rulesDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.stderr!.on('data', () => undefined);
    return p;
  };

  beforeAll(async () => {
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('alcrash');
    // One rule (one alert per declaration and check), so the expected counts are exact.
    rulesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alcrash-rules-'));
    fs.copyFileSync(path.join(REPO_ROOT, 'services/alerting/rules/AR-001-material-finding.yaml'), path.join(rulesDir, 'AR-001-material-finding.yaml'));
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    await deleteTestTopics(kafka);
    fs.rmSync(rulesDir, { recursive: true, force: true });
  });

  it('raises every alert exactly once across a SIGKILL and restart', async () => {
    const producer = kafka.producer();
    await producer.connect();
    for (let start = 0; start < N; start += 400) {
      const messages = [];
      for (let i = start; i < Math.min(N, start + 400); i++) {
        const f = finding({ findingId: `f-${i}`, tenantId: 'alcrash', declarationId: `d-${i}`, acceptanceDate: '2025-06-02', exposureDutyPence: 100 + i });
        const e = buildEvent({
          topic: Topics.declarationChecked,
          key: `alcrash/d-${i}`,
          tenant: 'alcrash',
          source: 'test',
          id: `checked/${i}`,
          value: DeclarationChecked.fromPartial({ tenantId: 'alcrash', declarationId: `d-${i}`, declarationVersion: 1, findings: [f] }),
        });
        messages.push({ key: e.key, value: Buffer.from(e.payload), headers: e.headers });
      }
      await producer.send({ topic: kafka.physical(Topics.declarationChecked.name), messages });
    }
    await producer.disconnect();

    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    const count = async (table: string) => Number((await admin.query(`select count(*)::int as n from alerting.${table}`)).rows[0].n);
    try {
      child = start();
      const before = await waitFor(
        'alerting to be part-way',
        async () => {
          const n = await count('alerts').catch(() => 0);
          return n >= 50 && n < N ? n : undefined;
        },
        { timeoutMs: 120000, intervalMs: 10 },
      );
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      const atKill = await count('alerts');
      expect(atKill).toBeGreaterThanOrEqual(before);
      expect(atKill).toBeLessThan(N);

      child = start();
      await waitFor('every alert after restart', async () => (await count('alerts')) === N, { timeoutMs: 120000, intervalMs: 200 });
      const r = await admin.query(`select (select count(*)::int from alerting.alerts) as alerts, (select count(distinct alert_key)::int from alerting.alerts) as keys,
        (select count(*)::int from alerting.alert_history) as history, (select count(distinct alert_id)::int from alerting.alert_history) as history_alerts,
        (select count(*)::int from alerting.alert_findings) as members, (select count(*)::int from alerting.findings) as findings,
        (select count(*)::int from alerting.finding_feed) as feed, (select count(*)::int from alerting.inbox where consumer_group = 'alerting') as inbox`);
      expect(r.rows[0]).toEqual({ alerts: N, keys: N, history: N, history_alerts: N, members: N, findings: N, feed: N, inbox: N });
      await waitFor('outbox drained', async () => (await count('outbox')) === 0, { timeoutMs: 60000 });
    } finally {
      await admin.end();
    }

    // Downstream: one alert.changed event per history entry, by ce_id.
    const seen = new Map<string, string>();
    let raw = 0;
    const reader = kafka.kafka.consumer({ groupId: `alcrash-reader-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.alertChanged.name), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        raw++;
        seen.set(headersToStrings(message.headers as Record<string, unknown>).ce_id!, AlertChanged.decode(message.value!).alert!.declarationId);
      },
    });
    try {
      await waitFor('every alert event', async () => seen.size >= N, { timeoutMs: 60000 });
    } finally {
      await reader.disconnect();
    }
    expect(seen.size).toBe(N);
    expect(new Set(seen.values()).size).toBe(N);
    expect(raw).toBeGreaterThanOrEqual(N);
    if (raw > N) console.info(`relay re-sent ${raw - N} already-published events after the crash (deduplicated by ce_id)`);
  });
});

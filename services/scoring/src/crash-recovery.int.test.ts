// Scoring killed with SIGKILL part-way through a labelled history and restarted neither loses nor
// duplicates effects: every declaration is folded into history once (inbox + effects + outbox in
// one transaction), the aggregates still equal the sum of the declarations' contributions, each
// history finding is published once by CloudEvents id, and the order-independent duplicate check
// (C37) finds exactly what the pure core finds.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { DeclarationReceived, FindingRaised, Topics, declarationKey, type Declaration } from '@customs/contracts';
import { generateHistoryDataset } from '@customs/datagen';
import { buildEvent, headersToStrings, type KafkaHandle } from '@customs/kafka';
import { REPO_ROOT, createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '@customs/testing';
import { applyBatch, decideHistory, declFact, emptyState } from './rules';

const MAIN = path.join(REPO_ROOT, 'services/scoring/dist/main.js');

describe('scoring crash recovery: SIGKILL mid-history (real process, Kafka, Postgres)', () => {
  let kafka: KafkaHandle;
  let db: TestDatabase;
  let child: ChildProcess | undefined;
  const tokens = testTokens('scrash');
  const prefix = uniquePrefix('scrash');
  const start = () => {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (make build; make test does it)`);
    const p = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        DATABASE_URL: db.urlFor('scoring'),
        KAFKA_BROKERS: testEnv().brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: tokens.spec,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    p.stderr!.on('data', () => undefined);
    return p;
  };

  beforeAll(async () => {
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('scrash');
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  it('folds every declaration once and publishes every history finding once across a SIGKILL and restart', async () => {
    const decls: Declaration[] = [];
    for (const g of generateHistoryDataset({ seed: 11, declarations: 1500, importers: 1, tenantId: 'scrash', historyRates: { C37: 0.04, C11: 0.03, C23: 0.03, C02: 0.01, C10: 0.02, C30: 0.02 } }))
      decls.push(g.declaration);
    const pure = emptyState();
    const expectedC37 = decideHistory(
      applyBatch(
        pure,
        decls.map((d) => ({ fact: declFact(d) })),
      ),
      'scrash',
      '2024-01-01',
      '2024-01-01T00:00:00Z',
    )
      .filter((f) => f.ruleId === 'C37')
      .map((f) => f.findingId)
      .sort();
    expect(expectedC37.length).toBeGreaterThan(20);
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < decls.length; i += 300) {
      const messages = decls.slice(i, i + 300).map((d) => {
        const e = buildEvent({
          topic: Topics.declarationReceived,
          key: declarationKey('scrash', d.mrn),
          value: DeclarationReceived.fromPartial({ declaration: d }),
          tenant: 'scrash',
          source: 'test',
          id: `in-${d.declarationId}`,
        });
        return { key: e.key, value: Buffer.from(e.payload), headers: e.headers };
      });
      await producer.send({ topic: kafka.physical(Topics.declarationReceived.name), messages });
    }
    await producer.disconnect();

    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    let stored = 0;
    const folded = async () => (await admin.query('select count(*)::int as n from scoring.history_decls')).rows[0].n as number;
    try {
      child = start();
      const before = await waitFor(
        'scoring part-way',
        async () => {
          const n = await folded().catch(() => 0);
          return n >= 100 && n < decls.length ? n : undefined;
        },
        { timeoutMs: 120000, intervalMs: 20 },
      );
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      const atKill = await folded();
      expect(atKill).toBeGreaterThanOrEqual(before);
      expect(atKill).toBeLessThan(decls.length);

      child = start();
      await waitFor('every declaration folded after restart', async () => (await folded()) === decls.length, { timeoutMs: 180000, intervalMs: 250 });
      const c = (
        await admin.query(`select (select count(*)::int from scoring.inbox where consumer_group = 'scoring-history') as inbox,
        (select count(*)::int from scoring.contributions) as contributions, (select coalesce(sum(value), 0)::int from scoring.aggregates where scope = 'tenant' and metric = 'entries') as entries`)
      ).rows[0];
      expect(c).toEqual({ inbox: decls.length, contributions: decls.length, entries: decls.length });
      const drift = await admin.query(`with c as (select agent_id, month, m.key as metric, sum((m.value)::bigint) as v from scoring.contributions, json_each_text(metrics) m group by 1, 2, 3)
        select count(*)::int as n from scoring.aggregates a full join c on a.entity_id = c.agent_id and a.month = c.month and a.metric = c.metric and a.scope = 'agent'
        where (a.scope = 'agent' or a.scope is null) and coalesce(a.value, 0) <> coalesce(c.v, 0)`);
      expect(drift.rows[0].n).toBe(0);
      const c37 = (await admin.query(`select finding_id from scoring.history_findings where rule_id = 'C37' and active order by finding_id`)).rows.map((r) => r.finding_id);
      expect(c37).toEqual(expectedC37);
      await waitFor('outbox drained', async () => (await admin.query('select count(*)::int as n from scoring.outbox')).rows[0].n === 0, { timeoutMs: 60000 });
    } finally {
      stored = (await admin.query('select count(*)::int as n from scoring.history_findings')).rows[0].n as number;
      await admin.end();
    }

    // Downstream: one finding event per stored finding, by ce_id (a re-sent row carries the same id).
    const seen = new Set<string>();
    const reader = kafka.kafka.consumer({ groupId: `scrash-reader-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.scoringFindingRaised.name), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const h = headersToStrings(message.headers as Record<string, unknown>);
        expect(h.ce_id).toBe(`history-finding/scrash/${FindingRaised.decode(message.value!).finding!.findingId}`);
        seen.add(h.ce_id!);
      },
    });
    try {
      await waitFor('every finding event', async () => seen.size >= stored, { timeoutMs: 60000 });
    } finally {
      await reader.disconnect();
    }
    expect(seen.size).toBe(stored);
  });
});

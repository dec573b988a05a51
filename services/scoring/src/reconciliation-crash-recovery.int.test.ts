// Scoring's reconciliation consumers (C03, C42) killed with SIGKILL part-way and restarted neither
// lose nor duplicate effects: every declaration, receipt line and statement line is stored once
// (inbox + effects + outbox in one transaction per consumed batch), the active C03/C42 findings
// are exactly datagen's truth, and each finding is published once by CloudEvents id.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { type Declaration, DeclarationReceived, DefermentStatementReceived, ErpReceiptsReceived, Finding, FindingRaised, Topics, declarationKey } from '@customs/contracts';
import { bookReceiptLine, generateBooks, generateHistoryDataset } from '@customs/datagen';
import { buildEvent, headersToStrings, type KafkaHandle } from '@customs/kafka';
import { REPO_ROOT, type TestDatabase, createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor } from '@customs/testing';

const MAIN = path.join(REPO_ROOT, 'services/scoring/dist/main.js');
const TENANT = 'rcrash';
const PART = 100;

describe('reconciliation crash recovery: SIGKILL mid-stream (real process, Kafka, Postgres)', () => {
  let kafka: KafkaHandle;
  let db: TestDatabase;
  let child: ChildProcess | undefined;
  const tokens = testTokens(TENANT);
  const prefix = uniquePrefix(TENANT);
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
    db = await createTestDatabase(TENANT);
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

  it('stores every book line once and publishes every C03/C42 finding once across a SIGKILL and restart', async () => {
    const decls: Declaration[] = [
      ...generateHistoryDataset({ seed: 13, declarations: 600, importers: 1, tenantId: TENANT, historyRates: { C02: 0, C10: 0, C11: 0, C20: 0, C23: 0, C30: 0, C34: 0, C37: 0 } }),
    ].map((g) => g.declaration);
    const books = generateBooks(decls, { seed: 13, ghostRate: 0.05, unmatchedRate: 0.02, mismatchRate: 0.08, unknownMrnRate: 0.01 });
    const ingested = new Set(decls.map((d) => d.declarationId)).size;
    const producer = kafka.producer();
    await producer.connect();
    const send = async (events: ReturnType<typeof buildEvent>[]) => {
      if (events.length === 0) return;
      const byTopic = new Map<string, typeof events>();
      for (const e of events) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
      for (const [topic, es] of byTopic) await producer.send({ topic: kafka.physical(topic), messages: es.map((e) => ({ key: e.key, value: Buffer.from(e.payload), headers: e.headers })) });
    };
    const declEvents = decls.map((d) =>
      buildEvent({
        topic: Topics.declarationReceived,
        key: declarationKey(TENANT, d.mrn),
        value: DeclarationReceived.fromPartial({ declaration: d }),
        tenant: TENANT,
        source: 'test',
        id: `in-${d.declarationId}`,
      }),
    );
    const receiptEvents = [];
    for (let i = 0; i < books.receipts.length; i += PART)
      receiptEvents.push(
        buildEvent({
          topic: Topics.erpReceiptsReceived,
          key: `${TENANT}/erp-receipts`,
          value: ErpReceiptsReceived.fromPartial({
            tenantId: TENANT,
            batchId: 'b1',
            part: i / PART + 1,
            lines: books.receipts.slice(i, i + PART).map((r, k) => bookReceiptLine(r, `erp-${i + k}`, TENANT)),
            declarationsIngested: ingested,
          }),
          tenant: TENANT,
          source: 'test',
          id: `erp-${i}`,
        }),
      );
    const statementEvents = [];
    for (let i = 0; i < books.charges.length; i += PART)
      statementEvents.push(
        buildEvent({
          topic: Topics.defermentStatementReceived,
          key: `${TENANT}/deferment`,
          value: DefermentStatementReceived.fromPartial({
            tenantId: TENANT,
            batchId: 'b2',
            statementId: 'ddes-1',
            part: i / PART + 1,
            parts: Math.ceil(books.charges.length / PART),
            totalLines: books.charges.length,
            firstLine: i,
            sourceName: 'ddes.csv',
            declarationsIngested: ingested,
            lines: books.charges.slice(i, i + PART).map((c) => ({ ...c, declarantEori: '', traderReference: '' })),
          }),
          tenant: TENANT,
          source: 'test',
          id: `ddes-${i}`,
        }),
      );
    // Books and declarations interleaved, as two services' outboxes would deliver them.
    for (let i = 0; i < declEvents.length; i += 100) await send([...declEvents.slice(i, i + 100), ...receiptEvents.splice(0, 3), ...statementEvents.splice(0, 1)]);
    await send([...receiptEvents, ...statementEvents]);
    await producer.disconnect();

    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    const counts = async () =>
      (
        await admin.query(
          `select (select count(*)::int from scoring.recon_decls) as decls, (select count(*)::int from scoring.recon_receipts) as receipts, (select count(*)::int from scoring.deferment_lines) as charges`,
        )
      ).rows[0] as { decls: number; receipts: number; charges: number };
    const all = { decls: decls.length, receipts: books.receipts.length, charges: books.charges.length };
    let stored = 0;
    try {
      child = start();
      await waitFor(
        'reconciliation part-way',
        async () => {
          const c = await counts().catch(() => undefined);
          return c && c.decls >= 100 && c.decls < all.decls ? c : undefined;
        },
        { timeoutMs: 120000, intervalMs: 20 },
      );
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      const atKill = await counts();
      expect(atKill.decls).toBeLessThan(all.decls);

      child = start();
      await waitFor('every record stored after restart', async () => JSON.stringify(await counts()) === JSON.stringify(all), { timeoutMs: 180000, intervalMs: 250 });
      const inbox = (
        await admin.query(`select consumer_group, count(*)::int as n from scoring.inbox where consumer_group like 'scoring-%' and consumer_group <> 'scoring-history' group by 1 order by 1`)
      ).rows;
      expect(inbox).toEqual([
        { consumer_group: 'scoring-deferment', n: Math.ceil(books.charges.length / PART) },
        { consumer_group: 'scoring-erp-receipts', n: Math.ceil(books.receipts.length / PART) },
        { consumer_group: 'scoring-reconciliation', n: decls.length },
      ]);
      // The active verdicts equal the truth (unmatched receipts keyed by their invoice).
      const want = books.truth.map((t) => `${t.ruleId} ${t.declarationId || `receipt ${t.note.replace(/^.*invoice /, '')}`}`).sort();
      await waitFor('verdicts settled', async () => {
        const rows = (await admin.query(`select rule_id, declaration_id, payload from scoring.history_findings where active and rule_id in ('C03', 'C42')`)).rows;
        const got = rows
          .map((r) => {
            const f = Finding.decode(r.payload);
            const invoice = f.evidence.find((e) => e.field === 'erp.invoice')?.value;
            return `${r.rule_id} ${r.declaration_id.startsWith('erp-receipt:') ? `receipt ${invoice}` : r.declaration_id}`;
          })
          .sort();
        return JSON.stringify(got) === JSON.stringify(want);
      });
      await waitFor('outbox drained', async () => (await admin.query('select count(*)::int as n from scoring.outbox')).rows[0].n === 0, { timeoutMs: 60000 });
    } finally {
      stored = (await admin.query('select count(*)::int as n from scoring.history_findings')).rows[0].n as number;
      await admin.end();
    }
    expect(stored).toBeGreaterThan(10);

    // Downstream: one finding event per stored finding, by ce_id (a re-sent row carries the same id).
    const seen = new Set<string>();
    let messages = 0;
    const reader = kafka.kafka.consumer({ groupId: `rcrash-reader-${Date.now()}` });
    await reader.connect();
    await reader.subscribe({ topic: kafka.physical(Topics.scoringFindingRaised.name), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const h = headersToStrings(message.headers as Record<string, unknown>);
        expect(h.ce_id).toBe(`history-finding/${TENANT}/${FindingRaised.decode(message.value!).finding!.findingId}`);
        seen.add(h.ce_id!);
        messages++;
      },
    });
    try {
      await waitFor('every finding event', async () => seen.size >= stored, { timeoutMs: 60000 });
    } finally {
      await reader.disconnect();
    }
    expect(seen.size).toBe(stored);
    // At-least-once relay: a message re-sent after the kill carries the same ce_id (counted once above).
    expect(messages).toBeGreaterThanOrEqual(stored);
  }, 400_000);
});

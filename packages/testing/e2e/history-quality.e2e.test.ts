// Detection quality of scoring's history checks through the running services: a labelled history
// (datagen generateHistoryDataset) goes in as WCO/DMS XML over ingestion's REST API, through
// Kafka to validation and scoring, and the history findings are read back over scoring's REST API
// and compared with the ground truth by MRN. Writes/checks the "through the services" table of
// docs/quality-history.md (UPDATE_QUALITY_DOC=1 to regenerate). Also checks what a compliance
// lead reads for that history: scorecards, readiness, duty under management, trend, 0 kept in JSON.
import fs from 'node:fs';
import path from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { Finding, ScoringServiceClient, type GetBrokerScorecardsResponse, type GetImporterReadinessResponse, type GetScoreResponse } from '@customs/contracts';
import { callMetadata } from '@customs/grpc';
import { HISTORY_RULES as INJECTED, generateHistoryDataset, toDmsXml, type TruthEntry } from '@customs/datagen';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, waitFor, type TestDatabase } from '../src';
import type { KafkaHandle } from '@customs/kafka';
import { loadConfig as ingestionConfig } from '../../../services/ingestion/src/config';
import { startIngestionService } from '../../../services/ingestion/src/service';
import { loadConfig as referenceConfig } from '../../../services/reference/src/config';
import { startReferenceService } from '../../../services/reference/src/service';
import { loadConfig as validationConfig } from '../../../services/validation/src/config';
import { startValidationService } from '../../../services/validation/src/service';
import { loadConfig as scoringConfig } from '../../../services/scoring/src/config';
import { startScoringService } from '../../../services/scoring/src/service';
import { measure, table } from '../../../services/scoring/src/quality/quality';

const DOC = path.resolve(__dirname, '../../../docs/quality-history.md');
const SEED = 20261203;
const DECLARATIONS = 1200;

describe('history checks through ingestion → validation → scoring (real Kafka and Postgres)', () => {
  const tenant = 'tenant-history';
  const tokens = testTokens(tenant);
  let kafka: KafkaHandle;
  let db: TestDatabase;
  const started: RunningService[] = [];
  let urls: Record<string, string> = {};
  let grpcAddress = '';
  const http = async (svc: string, method: string, p: string, body?: string, token = tokens.analyst, contentType = 'application/xml') => {
    const res = await fetch(`${urls[svc]}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) }, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  beforeAll(async () => {
    const prefix = uniquePrefix('history');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('history');
    const common = (service: string) => ({
      DATABASE_URL: db.urlFor(service as never),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: tokens.spec,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const reference = await startReferenceService(referenceConfig(common('reference')));
    started.push(reference);
    const ingestion = await startIngestionService(ingestionConfig(common('ingestion')));
    started.push(ingestion);
    const validation = await startValidationService(validationConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: tokens.service }));
    started.push(validation);
    const scoring = await startScoringService(scoringConfig(common('scoring')));
    started.push(scoring);
    urls = { ingestion: ingestion.httpUrl, scoring: scoring.httpUrl };
    grpcAddress = scoring.grpcAddress;
  });
  afterAll(async () => {
    for (const s of started.reverse()) await s.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  it('finds the injected history errors, priced as in process, and answers the compliance lead', async () => {
    const truth: TruthEntry[] = [];
    const docs: { name: string; xml: string }[] = [];
    let items = 0;
    for (const g of generateHistoryDataset({
      seed: SEED,
      declarations: DECLARATIONS,
      importers: 2,
      tenantId: tenant,
      historyRates: { C02: 0.02, C10: 0.02, C11: 0.02, C20: 0.01, C23: 0.02, C30: 0.03, C34: 0.04, C37: 0.02 },
    })) {
      truth.push(...g.truth);
      items += g.declaration.items.length;
      docs.push({ name: `${g.declaration.declarationId}.xml`, xml: toDmsXml(g.declaration) });
    }
    // In stream order, a few at a time (the order a broker's system would send them).
    for (let i = 0; i < docs.length; i += 4) {
      const res = await Promise.all(docs.slice(i, i + 4).map((d) => http('ingestion', 'POST', `/v1/documents?filename=${encodeURIComponent(d.name)}`, d.xml, tokens.integrator)));
      for (const r of res) expect([200, 201]).toContain(r.status);
    }
    // Scoring has scored every declaration (its importers' declaration counts add up).
    await waitFor(
      'every declaration scored',
      async () => {
        const r = await http('scoring', 'GET', '/v1/scores/importer');
        const n = (r.body?.scores ?? []).reduce((s: number, x: any) => s + x.declarationCount, 0);
        return n === docs.length;
      },
      { timeoutMs: 600_000, intervalMs: 1000 },
    );
    const findings: Finding[] = [];
    // Cursor pages of 50 along `next` (keyset on raised_at and finding id): every finding once.
    for (let next: string | null = '/v1/history-findings?limit=50'; next; ) {
      const page = await http('scoring', 'GET', next);
      expect(page.status).toBe(200);
      findings.push(...page.body.findings.map((f: unknown) => Finding.fromJSON(f)));
      next = page.body.next;
    }
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(findings.length);
    // Ingestion assigns its own declaration ids: compare by MRN.
    const byMrn = truth.map((t) => ({ ...t, declarationId: t.mrn }));
    // Every check datagen injects errors for (C03/C42 reconcile with the importer's books, measured elsewhere).
    const q = measure(
      byMrn,
      findings.filter((f) => (INJECTED as readonly string[]).includes(f.ruleId)).map((f) => ({ ...f, declarationId: f.mrn })),
      INJECTED,
    );
    // C30 is a statistical check (confidence 0.5): its false positives are counted in the table, not refused here.
    expect(q.falsePositives.filter((f) => f.ruleId !== 'C30').map((f) => `${f.ruleId} ${f.mrn}#${f.itemNumber}: ${f.explanation}`)).toEqual([]);
    expect(q.falseNegatives.map((t) => `${t.ruleId} ${t.mrn}#${t.itemNumber}: ${t.note}`)).toEqual([]);
    for (const r of q.rows.filter((x) => x.ruleId !== 'C30')) expect(r.exact).toBe(r.tp);

    // What the lead reads: every number present (0 included), explained.
    const importers = (await http('scoring', 'GET', '/v1/scores/importer')).body.scores;
    const importer = importers[0].entityId;
    const readiness = await http('scoring', 'GET', `/v1/importers/${importer}/readiness`);
    expect(readiness.status).toBe(200);
    expect(readiness.body.dimensions.map((d: any) => d.dimension)).toEqual([
      'preference-evidence',
      'classification',
      'valuation',
      'procedures-reliefs',
      'data-quality',
      'broker-concentration',
      'open-alert-hygiene',
    ]);
    for (const d of readiness.body.dimensions) expect(typeof d.atRiskPence).toBe('number');
    const dum = await http('scoring', 'GET', `/v1/importers/${importer}/duty-under-management`);
    expect(Number(dum.body.metrics.find((m: any) => m.name === 'duty_paid').value)).toBeGreaterThan(0);
    expect(Number(dum.body.metrics.find((m: any) => m.name === 'reclaim_found').value)).toBeGreaterThan(0);
    const trend = await http('scoring', 'GET', `/v1/trends/importer/${importer}`);
    expect(trend.body.points.length).toBeGreaterThan(12);
    const cards = await http('scoring', 'GET', '/v1/scorecards/brokers');
    expect(cards.body.scorecards.length).toBeGreaterThan(1);
    // With validation's findings in (where a £-weighted error rate of 1,038 % came from on make
    // up), every rate of every month's scorecard stays in 0–1, per-100 figures in 0–100, scores 0–100.
    for (const month of trend.body.points.map((p: any) => p.month).slice(-6)) {
      const monthly = await http('scoring', 'GET', `/v1/scorecards/brokers?month=${month}`);
      for (const c of monthly.body.scorecards) {
        expect([c.agentId, month, c.score >= 0 && c.score <= 100]).toEqual([c.agentId, month, true]);
        for (const m of c.metrics.filter((x: any) => x.known && (x.unit === 'ratio' || x.unit.startsWith('per 100')))) {
          const v = Number(m.value);
          expect([c.agentId, month, m.name, v >= 0 && v <= (m.unit === 'ratio' ? 1 : 100)]).toEqual([c.agentId, month, m.name, true]);
        }
      }
    }
    // The riskiest declarations first, each explained.
    const riskiest = (await http('scoring', 'GET', '/v1/scores/declaration?limit=5')).body.scores;
    expect(riskiest).toHaveLength(5);
    expect(riskiest.map((x: any) => x.risk)).toEqual([...riskiest.map((x: any) => x.risk)].sort((a: number, b: number) => b - a));
    expect(riskiest[0].factors.map((f: any) => f.name)).toEqual(['money', 'severity', 'deadline', 'confidence']);
    const dup = findings.find((f) => f.ruleId === 'C37')!;
    const lines = await http('scoring', 'GET', `/v1/declarations/${dup.declarationId}/scored-lines`);
    expect(lines.body.score.lines.some((l: any) => l.ruleIds.includes('C37'))).toBe(true);
    expect(Object.keys(lines.body.score)).toEqual(expect.arrayContaining(['score', 'risk', 'exposurePence', 'reclaimPence', 'findingCount']));
    // Bad parameters are 400s naming the problem, never 500s.
    expect((await http('scoring', 'GET', '/v1/scorecards/brokers?month=2024-13')).status).toBe(400);
    expect((await http('scoring', 'GET', '/v1/history-findings?rule=C99')).status).toBe(400);
    expect((await http('scoring', 'PUT', `/v1/importers/${importer}/approved-agents`, JSON.stringify({ agents: ['GB1'] }), tokens.analyst, 'application/json')).status).toBe(403);
    expect((await http('scoring', 'PUT', `/v1/importers/${importer}/approved-agents`, JSON.stringify({ agents: 'x' }), tokens.admin, 'application/json')).status).toBe(400);

    // The same answers over gRPC.
    const client = new ScoringServiceClient(grpcAddress, credentials.createInsecure());
    const unary = <R>(fn: (cb: (e: Error | null, r: R) => void) => void) => new Promise<R>((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
    const md = callMetadata(tokens.analyst);
    const g1 = await unary<GetImporterReadinessResponse>((cb) => client.getImporterReadiness({ importerId: importer, toMonth: '' }, md, cb));
    expect(g1.readiness!.score).toBe(readiness.body.score);
    expect(g1.dutyUnderManagement!.metrics.find((m) => m.name === 'duty_paid')!.value).toBe(dum.body.metrics.find((m: any) => m.name === 'duty_paid').value);
    const g2 = await unary<GetBrokerScorecardsResponse>((cb) => client.getBrokerScorecards({ agentId: '', month: cards.body.month }, md, cb));
    expect(g2.scorecards.map((c) => c.score)).toEqual(cards.body.scorecards.map((c: any) => c.score));
    const g3 = await unary<GetScoreResponse>((cb) => client.getScore({ entityType: 'declaration', entityId: dup.declarationId }, md, cb));
    expect(g3.score!.lines.some((l) => l.ruleIds.includes('C37'))).toBe(true);
    await expect(unary((cb) => client.getBrokerScorecards({ agentId: '', month: '2024-13' }, md, cb))).rejects.toThrow(/INVALID_ARGUMENT|month must be/);
    client.close();
    // An admin re-score with the same model leaves every score where it was.
    const before = (await http('scoring', 'GET', '/v1/scores/importer')).body.scores.map((x: any) => [x.entityId, x.score]);
    const re = await http('scoring', 'POST', '/v1/admin/rescore', undefined, tokens.admin);
    expect(re.body.declarations).toBe(docs.length);
    expect((await http('scoring', 'GET', '/v1/scores/importer')).body.scores.map((x: any) => [x.entityId, x.score])).toEqual(before);

    const doc = fs.readFileSync(DOC, 'utf8');
    const section = `<!-- services:start -->\nThrough the running services (DMS XML over ingestion's REST API → Kafka → validation and scoring, findings read back over \`GET /v1/history-findings\`, matched by MRN): \`generateHistoryDataset\` seed ${SEED}, 2 importers, ${docs.length} declarations (${items} items), ${truth.length} injected history errors.\n\n${table(q.rows)}\n<!-- services:end -->`;
    const next = doc.includes('<!-- services:start -->') ? doc.replace(/<!-- services:start -->[\s\S]*<!-- services:end -->/, section) : `${doc}\n## Through the running services\n\n${section}\n`;
    if (process.env.UPDATE_QUALITY_DOC === '1') fs.writeFileSync(DOC, next);
    else {
      // C30's estimate depends on where the consumer's batches fall (each line is judged against
      // the history before its batch), which Kafka does not fix: its reported £ is compared loosely (in every table of the doc: /g).
      const loose = (t: string) => t.replace(/(\| C30 \|(?:[^|]*\|){9})[^|]*\|[^|]*\|/g, '$1 £… | …% |');
      expect(loose(doc)).toBe(loose(next));
    }
  }, 900_000);
});

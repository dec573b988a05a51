import { Declaration } from '@customs/contracts';
import { generateDataset } from '@customs/datagen';
import { ServiceMetrics } from '@customs/telemetry';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, type TestDatabase } from '../src';
import type { KafkaHandle } from '@customs/kafka';
import { loadConfig as referenceConfig } from '../../../services/reference/src/config';
import { startReferenceService } from '../../../services/reference/src/service';
import { checkBatch } from '../../../services/validation/src/app/check-batch';
import { createReferenceClient } from '../../../services/validation/src/grpc/reference-client';
import { RULES } from '../../../services/validation/src/rules';

// A declaration accepted in 2026 with a EUR invoice, checked by validation's real batch path
// against the real reference service over gRPC (LookupFx): its customs value is recomputed at
// HMRC's rate for the month of acceptance (bundled 2014-02 … 2026-10), and a month not held is
// "not decided", never priced at a neighbouring month's rate.
describe('a 2026 EUR declaration priced with that month’s HMRC rate through reference gRPC', () => {
  const tokens = testTokens('tenant-fx2026');
  let db: TestDatabase;
  let kafka: KafkaHandle;
  let reference: RunningService;
  let client: ReturnType<typeof createReferenceClient>;
  beforeAll(async () => {
    const prefix = uniquePrefix('fx2026');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('fx2026');
    reference = await startReferenceService(
      referenceConfig({
        DATABASE_URL: db.urlFor('reference'),
        KAFKA_BROKERS: testEnv().brokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        API_TOKENS: tokens.spec,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        SHUTDOWN_TIMEOUT_MS: '5000',
      }),
    );
    client = createReferenceClient(reference.grpcAddress, tokens.service, new ServiceMetrics('validation-test', { defaultMetrics: false }));
  });
  afterAll(async () => {
    client?.close();
    await reference?.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  /** A clean generated declaration with a EUR item whose customs value is declared, moved to `date` with that value 10 % low. */
  function eurDeclarationOn(date: string): { d: Declaration; itemNumber: number } {
    for (const g of generateDataset({ seed: 20261127, declarations: 200, rules: [] })) {
      const item = g.declaration.items.find((i) => i.customsValuePresent && i.itemPrice?.currency === 'EUR');
      if (!item || g.declaration.exchangeRate.trim()) continue;
      const d = Declaration.fromPartial(Declaration.toJSON(g.declaration) as never);
      d.acceptanceDate = date;
      const it = d.items.find((i) => i.itemNumber === item.itemNumber)!;
      it.customsValuePence = Math.floor(it.customsValuePence * 0.9);
      return { d, itemNumber: it.itemNumber };
    }
    throw new Error('no generated declaration with a declared customs value on a EUR item');
  }

  it('recomputes the customs value at the 2026-03 rate (1.1469) and prices the difference', async () => {
    const { d, itemNumber } = eurDeclarationOn('2026-03-10');
    const [result] = await checkBatch(RULES, client, [d], new Date('2026-12-02T12:00:00Z'));
    const c06 = result!.findings.find((f) => f.ruleId === 'C06' && f.itemNumber === itemNumber);
    expect(c06).toBeDefined();
    expect(c06!.evidence.find((e) => e.field === 'customs value from the invoice')!.note).toContain('at HMRC rate 1.1469 per £ (2026-03)');
    expect(c06!.exposureDutyPence + c06!.exposureVatPence).toBeGreaterThan(0);
    expect(c06!.referenceVersions.fx).toMatch(/^hmrc-monthly-fx-2014-02_to_2026-10@[0-9a-f]{12}$/);
  });

  it('does not price a month HMRC rates are not held for (2026-11): no C06 finding, and the rate is unknown with the reason', async () => {
    const { d, itemNumber } = eurDeclarationOn('2026-11-10');
    const [result] = await checkBatch(RULES, client, [d], new Date('2026-12-02T12:00:00Z'));
    expect(result!.findings.filter((f) => f.ruleId === 'C06' && f.itemNumber === itemNumber)).toEqual([]);
    const [fx] = await client.lookupFx([{ currency: 'EUR', date: '2026-11-10' }]);
    expect(fx).toMatchObject({ known: false, unitsPerGbp: '', unknownReason: expect.stringContaining('HMRC rates for 2026-11 are not loaded (latest month loaded: 2026-10)') });
  });
});

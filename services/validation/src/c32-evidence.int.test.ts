import { Declaration, GoodsItem } from '@customs/contracts';
import type { KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, type TestDatabase } from '@customs/testing';
import { loadConfig as referenceConfig } from '../../reference/src/config';
import { startReferenceService } from '../../reference/src/service';
import { loadConfig } from './config';
import { startValidationService } from './service';

// Issue 11, defect 11 (C32 accepted any MRN-shaped previous document, even "N/A", as export
// evidence), through the real validation and reference services: a returned-goods draft is
// checked (POST /v1/checks) with each kind of cited "export"; only an earlier export MRN is
// evidence, and the finding says why the others are not.
describe('C32 checks what the export evidence is (real validation and reference)', () => {
  const tenant = 'tenant-c32';
  const t = testTokens(tenant);
  let kafka: KafkaHandle;
  let db: TestDatabase;
  const services: RunningService[] = [];
  let validation: RunningService;

  beforeAll(async () => {
    const prefix = uniquePrefix('c32');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('c32');
    const common = (service: 'reference' | 'validation') => ({
      DATABASE_URL: db.urlFor(service),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: t.spec,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const reference = await startReferenceService(referenceConfig(common('reference')));
    services.push(reference);
    validation = await startValidationService(loadConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: t.service }));
    services.push(validation);
  });
  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  const check = async (previous: { type: string; reference: string }[]) => {
    const draft = Declaration.toJSON(
      Declaration.fromPartial({
        lrn: 'RGR-C32-1',
        typeCode: 'IMA',
        acceptanceDate: '2023-06-15',
        importerEori: 'GB553202734852',
        representativeStatus: '2',
        parties: [
          { role: 'importer', id: 'GB553202734852' },
          { role: 'declarant', id: 'GB603202734852' },
        ],
        items: [
          GoodsItem.fromPartial({
            itemNumber: 1,
            commodityCode: '8510900000',
            description: 'electric shavers returned after a trade fair',
            procedureCode: '6110',
            additionalProcedureCodes: ['000'],
            originCountry: 'GB',
            valuationMethod: '1',
            itemPrice: { value: '1000', currency: 'GBP' },
            netMassKg: '100',
            grossMassKg: '150',
            previousDocuments: previous.map((p, i) => ({ category: 'Z', type: p.type, reference: p.reference, line: String(i + 1) })),
          }),
        ],
      }),
    );
    const res = await fetch(`${validation.httpUrl}/v1/checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.integrator}` },
      body: JSON.stringify(draft),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { findings: { ruleId: string; evidence: { field: string; note: string }[]; explanation: string }[] };
    return body.findings.find((f) => f.ruleId === 'C32');
  };

  it('refuses a placeholder, a non-MRN and a non-export document; takes an earlier export MRN', async () => {
    const na = await check([{ type: 'MRN', reference: 'N/A' }]);
    expect(na?.evidence.find((e) => e.field === 'DE 2/1 previous documents')?.note).toBe('no usable export reference: "N/A" is a placeholder, not a reference');
    const text = await check([{ type: 'MRN', reference: 'EXPORTED-MAY' }]);
    expect(text?.explanation).toMatch(/what it cites is not the export \("EXPORTED-MAY" is not an MRN/);
    const entrySummary = await check([{ type: '355', reference: '22GB34F7Y1O2CX8PT4' }]); // an MRN-shaped import document
    expect(entrySummary?.evidence.find((e) => e.field === 'DE 2/1 previous documents')?.note).toBe('no export MRN');
    expect(await check([{ type: 'MRN', reference: '22GBCDS123456789B1' }])).toBeUndefined();
  });
});

// Check before lodging: latency of POST /v1/checks for a 10-item declaration (canonical JSON),
// through a real validation service and the real reference service it looks tariff data up in
// over gRPC (34 rules, the draft check stored in Postgres). Goal: p99 ≤ 150 ms on this machine.
// By default starts its own reference + validation in this process on a throw-away database and
// topic prefix (needs Postgres and Kafka: `make infra`); with VALIDATION_URL and TOKEN it measures a
// running platform instead (e.g. `make up`: VALIDATION_URL=http://127.0.0.1:8083 TOKEN=$INTEGRATOR_TOKEN).
// usage: npx tsc -b && node scripts/bench/check-before-lodging.js [requests] [items]
const path = require('node:path');
const { latencySummary, percentile } = require('./lib');

const root = path.resolve(__dirname, '../..');
const { Declaration, GoodsItem } = require(path.join(root, 'packages/contracts/dist'));
const N = Number(process.argv[2] ?? 500);
const ITEMS = Number(process.argv[3] ?? 10);
const WARMUP = 30;

/** A 10-item entry like HMRC's TT_IM017a (several codes, one invoice), with one vague description. */
function draft(i) {
  const codes = ['8510900000', '8516310000', '6109100010', '0702000007', '8471300000', '9403200000', '6403990500', '3926909790', '8504408300', '9503007000'];
  return Declaration.toJSON(
    Declaration.fromPartial({
      lrn: `BENCH${i}`,
      functionCode: '9',
      typeCode: 'IMA',
      acceptanceDate: '2023-06-15',
      importerEori: 'GB553202734852',
      representativeStatus: '2',
      parties: [
        { role: 'importer', id: 'GB553202734852' },
        { role: 'declarant', id: 'GB603202734852' },
      ],
      incoterm: 'CIF',
      invoiceAmount: { value: String(ITEMS * 1000), currency: 'EUR' },
      items: Array.from({ length: ITEMS }, (_, k) =>
        GoodsItem.fromPartial({
          itemNumber: k + 1,
          commodityCode: codes[k % codes.length],
          description: k === 3 ? 'parts and accessories' : `Goods line ${k + 1}: cotton T-shirts, knitted`,
          procedureCode: '4000',
          additionalProcedureCodes: ['000'],
          originCountry: 'CN',
          preference: '100',
          valuationMethod: '1',
          valuationIndicators: '0000',
          itemPrice: { value: '1000', currency: 'EUR' },
          netMassKg: '100',
          grossMassKg: '120',
          documents: [{ code: 'N935', reference: `INV-${i}`, status: 'AC', reason: '' }],
          taxLines: [
            { taxType: 'A00', methodOfPayment: 'E' },
            { taxType: 'B00', methodOfPayment: 'E' },
          ],
        }),
      ),
    }),
  );
}

async function ownServices() {
  const testing = require(path.join(root, 'packages/testing/dist'));
  const { startReferenceService } = require(path.join(root, 'services/reference/dist/service'));
  const { loadConfig: referenceConfig } = require(path.join(root, 'services/reference/dist/config'));
  const { startValidationService } = require(path.join(root, 'services/validation/dist/service'));
  const { loadConfig } = require(path.join(root, 'services/validation/dist/config'));
  const prefix = testing.uniquePrefix('benchcheck');
  const kafka = await testing.createTestTopics(prefix);
  const db = await testing.createTestDatabase('benchcheck');
  const tokens = testing.testTokens('bench');
  const common = (service) => ({
    DATABASE_URL: db.urlFor(service),
    KAFKA_BROKERS: testing.testEnv().brokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    API_TOKENS: tokens.spec,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  const reference = await startReferenceService(referenceConfig(common('reference')));
  const validation = await startValidationService(loadConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: tokens.service }));
  return {
    url: validation.httpUrl,
    token: tokens.integrator,
    stop: async () => {
      await validation.stop();
      await reference.stop();
      await db.drop();
      await testing.deleteTestTopics(kafka);
    },
  };
}

(async () => {
  const target = process.env.VALIDATION_URL ? { url: process.env.VALIDATION_URL, token: process.env.TOKEN, stop: async () => {} } : await ownServices();
  const post = async (i) => {
    const t0 = process.hrtime.bigint();
    const res = await fetch(`${target.url}/v1/checks`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` }, body: JSON.stringify(draft(i)) });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`POST /v1/checks answered ${res.status}: ${JSON.stringify(body)}`);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, findings: body.findings.length, notChecked: body.notChecked.length };
  };
  try {
    for (let i = 0; i < WARMUP; i++) await post(-i);
    const ms = [];
    let last;
    // One request at a time: the latency a broker's system sees for one declaration.
    for (let i = 0; i < N; i++) {
      last = await post(i);
      ms.push(last.ms);
    }
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(
      `check before lodging, ${ITEMS}-item declaration, ${N} sequential requests after ${WARMUP} warm-up (${process.env.VALIDATION_URL ? target.url : 'own reference + validation in this process'}):`,
    );
    console.log(`  ${latencySummary(ms)}; last answer: ${last.findings} finding(s), ${last.notChecked} not-checked record(s)`);
    console.log(`  goal p99 ≤ 150 ms: ${percentile(sorted, 99) <= 150 ? 'met' : 'NOT met'}`);
  } finally {
    await target.stop();
  }
})().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

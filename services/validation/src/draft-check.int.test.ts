import { credentials } from '@grpc/grpc-js';
import { CheckDeclarationRequest, Declaration, GoodsItem, ValidationServiceClient, type CheckDeclarationResponse } from '@customs/contracts';
import { callUnary, status } from '@customs/grpc';
import type { KafkaHandle } from '@customs/kafka';
import type { RunningService } from '@customs/service';
import { createTestDatabase, createTestTopics, deleteTestTopics, testEnv, testTokens, uniquePrefix, type TestDatabase } from '@customs/testing';
import { createDb, withAllTenants } from '@customs/db';
import { loadConfig as referenceConfig } from '../../reference/src/config';
import { startReferenceService } from '../../reference/src/service';
import { loadConfig } from './config';
import { startValidationService } from './service';
import type { ValidationDb } from './db/migrations';

// Check before lodging through the real validation and reference services: POST /v1/checks
// answers findings and what could not be checked in one call, stores a draft check only (no
// declaration, no findings rows), and refuses what it cannot use naming the field.
describe('validation: check before lodging (POST /v1/checks)', () => {
  const tenantA = 'tenant-dc-a';
  const a = testTokens(tenantA);
  const b = testTokens('tenant-dc-b');
  let kafka: KafkaHandle;
  let db: TestDatabase;
  const services: RunningService[] = [];
  let validation: RunningService;

  beforeAll(async () => {
    const prefix = uniquePrefix('draftcheck');
    kafka = await createTestTopics(prefix);
    db = await createTestDatabase('draftcheck');
    const common = (service: 'reference' | 'validation') => ({
      DATABASE_URL: db.urlFor(service),
      KAFKA_BROKERS: testEnv().brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      API_TOKENS: `${a.spec},${b.spec}`,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const reference = await startReferenceService(referenceConfig(common('reference')));
    services.push(reference);
    validation = await startValidationService(loadConfig({ ...common('validation'), REFERENCE_GRPC_ADDRESS: reference.grpcAddress, SERVICE_TOKEN: a.service }));
    services.push(validation);
  });
  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await db?.drop();
    await deleteTestTopics(kafka);
  });

  const post = async (body: string, token?: string, contentType = 'application/json') => {
    const res = await fetch(`${validation.httpUrl}/v1/checks`, { method: 'POST', headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
    return { status: res.status, body: (await res.json()) as any };
  };
  // HMRC sample TT_IM001a as canonical JSON, with a vague description and the invoice reference keyed "TBC".
  const draft = Declaration.toJSON(
    Declaration.fromPartial({
      lrn: '7847767E1WB6',
      functionCode: '9',
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
          description: 'parts and accessories',
          procedureCode: '4000',
          additionalProcedureCodes: ['000'],
          originCountry: 'US',
          preference: '100',
          valuationMethod: '1',
          itemPrice: { value: '1000', currency: 'GBP' },
          netMassKg: '100',
          grossMassKg: '150',
          documents: [{ code: 'N935', reference: 'TBC', status: 'AC', reason: '' }],
        }),
      ],
    }),
  );

  it('answers the findings and the not-checked list in one call, and keeps only a draft check', async () => {
    const r = await post(JSON.stringify(draft), a.integrator);
    expect(r.status).toBe(200);
    expect(r.body.declaration).toMatchObject({ tenantId: tenantA, declarationId: `draft-${r.body.checkId}`, lrn: '7847767E1WB6' });
    expect(r.body.findings.map((f: any) => `${f.ruleId}|${f.itemNumber}`).sort()).toEqual(['C03|0', 'C12|1']);
    expect(r.body.findings.every((f: any) => f.deadline === '2026-06-15' && typeof f.daysLeft === 'number')).toBe(true);
    // The recomputed A00/B00 of the item: computed from the bundled tariff, or unknown with a reason — never a guessed number.
    expect(r.body.taxLines.map((l: any) => [l.itemNumber, l.taxType])).toEqual([
      [1, 'A00'],
      [1, 'B00'],
    ]);
    expect(r.body.taxLines.every((l: any) => (l.status === 'computed' ? Number.isInteger(l.assessedPence) : l.assessedPence === null && l.explanation.startsWith('unknown: ')))).toBe(true);
    expect(r.body.notChecked.length).toBeGreaterThan(0);
    expect(r.body.notChecked.every((u: any) => u.cause === 'not_checked' && typeof u.reason === 'string' && u.reason.length > 0)).toBe(true);
    // Read back by the same tenant; another tenant does not see it.
    const again = await fetch(`${validation.httpUrl}/v1/checks/${r.body.checkId}`, { headers: { authorization: `Bearer ${a.analyst}` } });
    expect(await again.json()).toEqual(r.body);
    expect((await fetch(`${validation.httpUrl}/v1/checks/${r.body.checkId}`, { headers: { authorization: `Bearer ${b.analyst}` } })).status).toBe(404);
    // Never a declaration: no checks, findings or outbox rows.
    const store = createDb<ValidationDb>({ url: db.urlFor('validation'), schema: 'validation' });
    try {
      const counts = await withAllTenants(store.db, async (trx) => ({
        drafts: (await trx.selectFrom('draft_checks').select('check_id').execute()).length,
        checks: (await trx.selectFrom('checks').select('declaration_id').execute()).length,
        findings: (await trx.selectFrom('findings').select('finding_id').execute()).length,
      }));
      expect(counts).toEqual({ drafts: 1, checks: 0, findings: 0 });
    } finally {
      await store.close();
    }
  });

  it('answers the same over gRPC (CheckDeclaration), INVALID_ARGUMENT naming the field', async () => {
    const client = new ValidationServiceClient(validation.grpcAddress, credentials.createInsecure());
    try {
      const res = await callUnary<CheckDeclarationRequest, CheckDeclarationResponse>(client, 'checkDeclaration', CheckDeclarationRequest.fromPartial({ declaration: Declaration.fromJSON(draft) }), {
        token: a.integrator,
      });
      expect(res.declaration).toMatchObject({ tenantId: tenantA, declarationId: `draft-${res.checkId}` });
      expect(res.findings.map((f) => `${f.ruleId}|${f.itemNumber}`).sort()).toEqual(['C03|0', 'C12|1']);
      expect(res.notChecked.length).toBeGreaterThan(0);
      const refused = await callUnary(client, 'checkDeclaration', CheckDeclarationRequest.fromPartial({ declaration: { ...Declaration.fromJSON(draft), acceptanceDate: '' } }), {
        token: a.integrator,
      }).then(
        () => ({ code: status.OK, details: '' }),
        (e: { code: number; details: string }) => ({ code: e.code, details: e.details }),
      );
      expect(refused).toEqual({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^declaration\.acceptanceDate: /) });

      // Both calls are in the audit trail like the REST twin's (issue 11, defect 13): who (the
      // token's subject, role and id), from where, when, and the outcome.
      const trail = async (action: string) => {
        const r = await fetch(`${validation.httpUrl}/v1/admin/audit?action=${encodeURIComponent(action)}`, { headers: { authorization: `Bearer ${a.admin}` } });
        expect(r.status).toBe(200);
        return ((await r.json()) as any).entries as any[];
      };
      const [rest] = await trail('POST /v1/checks');
      const rpc = await trail('/customs.v1.ValidationService/CheckDeclaration');
      const who = (e: any) => ({ tenantId: e.tenantId, subject: e.subject, role: e.role, tokenId: e.tokenId });
      expect(rpc.map((e) => [e.outcome, e.details.checkId === res.checkId, e.details.lrn])).toEqual([
        [400, false, '7847767E1WB6'],
        [200, true, '7847767E1WB6'],
      ]);
      for (const e of rpc) {
        expect(who(e)).toEqual(who(rest));
        expect(e.subject).toMatch(/^token:[0-9a-f]{8}$/);
        expect(e.sourceIp).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
        expect(e.userAgent).toMatch(/^grpc-node-js\//);
        expect(Date.parse(e.at)).toBeGreaterThanOrEqual(Date.parse(rest.at));
      }
    } finally {
      client.close();
    }
  });

  it('refuses what it cannot use, naming the field, and needs the integrator or analyst role', async () => {
    expect((await post('{', a.integrator)).body).toMatchObject({ error: 'invalid_json' });
    expect(await post(JSON.stringify({ ...draft, items: [] }), a.integrator)).toMatchObject({ status: 422, body: { details: { field: 'items' } } });
    expect(await post(JSON.stringify({ ...draft, acceptanceDate: '2023-02-30' }), a.integrator)).toMatchObject({ status: 422, body: { details: { field: 'acceptanceDate' } } });
    expect(await post(JSON.stringify({ ...draft, items: [{ ...(draft as any).items[0], itemNumber: 0 }] }), a.integrator)).toMatchObject({
      status: 422,
      body: { details: { field: 'items[0].itemNumber' } },
    });
    expect((await post('<Declaration/>', a.integrator, 'application/xml')).status).toBe(415);
    expect((await post(JSON.stringify(draft))).status).toBe(401);
    expect((await post('x'.repeat(4 * 1024 * 1024 + 1), a.integrator)).status).toBe(413);
  });
});

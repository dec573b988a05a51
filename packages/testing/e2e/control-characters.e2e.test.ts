import * as fs from 'node:fs';
import * as path from 'node:path';
import { credentials, type Client } from '@grpc/grpc-js';
import {
  AlertingServiceClient,
  ComputeDutiesRequest,
  GetBrokerScorecardsRequest,
  GetDeclarationRequest,
  GetImporterReadinessRequest,
  GetScoreRequest,
  GetTrendRequest,
  ListScoredLinesRequest,
  IngestionServiceClient,
  ListFindingsRequest,
  LookupCodeListsRequest,
  LookupCommoditiesRequest,
  LookupFxRequest,
  LookupRatesRequest,
  LookupSchemesRequest,
  ReferenceServiceClient,
  ScoringServiceClient,
  StreamAlertsRequest,
  Submission,
  ValidationServiceClient,
} from '@customs/contracts';
import { callMetadata, callUnary, status } from '@customs/grpc';
import { REPO_ROOT, waitFor } from '../src';
import { sample, startPlatform, type Platform } from './harness';

/**
 * Issue defect 4: NUL bytes (and other control characters) reached Postgres from every edge:
 * 500s leaving no batch, a streamed report left "incomplete" with its bytes lost, Kafka
 * submissions dead-lettered, ids giving 500 / INTERNAL. Through the five real services, Postgres
 * and Kafka: each case gets its exact status and an error naming the field; every refused
 * document is a batch whose raw bytes read back unchanged; and the service answers the next call.
 */
describe('control characters are refused at every edge, and every refused document is kept', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform('ctlchars');
  });
  afterAll(async () => {
    await p?.stop();
  });

  const int = () => ({ token: p.tokens.integrator });
  /** The raw bytes of a batch, as GET /v1/batches/:id/content returns them. */
  const rawOf = async (batchId: string) => {
    const r = await fetch(`${p.services.ingestion.httpUrl}/v1/batches/${batchId}/content`, { headers: { authorization: `Bearer ${p.tokens.analyst}` } });
    expect(r.status).toBe(200);
    return Buffer.from(await r.arrayBuffer());
  };
  /** One ordinary request per service: each must still answer after a refused one. */
  const probes: Record<keyof Platform['services'], string> = {
    ingestion: '/v1/batches?limit=1',
    reference: '/v1/datasets',
    validation: '/v1/rules',
    scoring: '/v1/scores/declaration',
    alerting: '/v1/alerts?limit=1',
  };
  const stillAnswers = async (service: keyof Platform['services']) => expect((await p.http(service, 'GET', probes[service])).status).toBe(200);

  const DMS = sample('TT_FI005b/TT_FI005b.xml');
  const dmsText = DMS.toString('utf8');
  const dmsNul = Buffer.from(dmsText.replace('<Description>', '<Description>\u0000'));
  const nulLine = dmsText.slice(0, dmsText.indexOf('<Description>')).split('\n').length;
  const ERP_HEADER = 'Supplier,SKU,Invoice Number,Invoice Date,Line,Quantity,Value,Currency\n';
  const erpLine = (supplier: string, invoice: string) => ({
    supplier,
    sku: 'TS-1',
    invoiceNumber: invoice,
    invoiceDate: '2023-03-01',
    lineNumber: 1,
    quantity: '10',
    lineValue: '25.00',
    currency: 'EUR',
  });
  const CDS_HEADER = 'MRN,Item Number,Commodity Code,Goods Description,Acceptance Date\n';
  const cdsRow = (mrn: string, description: string) => `${mrn},1,0702000007,${description},14/03/2023\n`;
  const chief = fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/chief-mss/import-entry-item.csv'), 'utf8');
  const chiefNul = Buffer.from(chief.replace(',6109100010,', ',61091\u000000010,'));

  interface DocumentCase {
    name: string;
    send: () => Promise<{ status: number; body: any }>;
    status: number;
    batchStatus: string;
    issue: Record<string, unknown>;
    raw: Buffer;
    sourceName?: string;
  }
  const erpEscaped = Buffer.from(JSON.stringify([erpLine('Berlin\u0000Textil', 'INV-1')]));
  const erpSurrogate = Buffer.from(
    '[{"supplier":"Berlin \\ud800 Textil","sku":"TS-1","invoiceNumber":"INV-2","invoiceDate":"2023-03-01","lineNumber":1,"quantity":"1","lineValue":"1.00","currency":"EUR"}]',
  );
  const erpRawNul = Buffer.from(
    `[{"supplier":"Berlin\u0000Textil","sku":"TS-1","invoiceNumber":"INV-3","invoiceDate":"2023-03-01","lineNumber":1,"quantity":"1","lineValue":"1.00","currency":"EUR"}]`,
  );
  const erpCsvNul = Buffer.from(`${ERP_HEADER}US\u0000Shaver Inc,SHV-1,inv 5521,15/03/2023,1,10,1000.00,GBP\n`);
  const erpClean = Buffer.from(JSON.stringify([erpLine('Named Supplier', 'INV-4')]));
  const cdsMixed = Buffer.from(CDS_HEADER + cdsRow('23GB12345678901234', 'Cherry tomatoes') + cdsRow('23GB12345678901235', 'Cherry\u0000 tomatoes'));
  const cdsBadId = Buffer.from(CDS_HEADER + cdsRow('23GB1234567890\u00001236', 'Tomatoes'));
  const documents: DocumentCase[] = [
    {
      name: 'ERP JSON with a "\\u0000" escape (POST /v1/erp-receipts)',
      send: () => p.http('ingestion', 'POST', '/v1/erp-receipts?filename=erp-escaped.json', erpEscaped, { ...int(), contentType: 'application/json' }),
      status: 422,
      batchStatus: 'rejected',
      raw: erpEscaped,
      issue: { severity: 'error', code: 'CONTROL_CHARACTER', line: 1, location: '$[0].supplier', field: 'supplier', reason: expect.stringContaining('U+0000 (NUL) at character 7') },
    },
    {
      name: 'ERP JSON with an unpaired surrogate escape',
      send: () => p.http('ingestion', 'POST', '/v1/erp-receipts?filename=erp-surrogate.json', erpSurrogate, { ...int(), contentType: 'application/json' }),
      status: 422,
      batchStatus: 'rejected',
      raw: erpSurrogate,
      issue: { code: 'CONTROL_CHARACTER', location: '$[0].supplier', field: 'supplier', reason: expect.stringContaining('U+D800 (unpaired surrogate)') },
    },
    {
      name: 'ERP JSON with a raw NUL byte in a string (not JSON at all)',
      send: () => p.http('ingestion', 'POST', '/v1/erp-receipts?filename=erp-raw.json', erpRawNul, { ...int(), contentType: 'application/json' }),
      status: 422,
      batchStatus: 'rejected',
      raw: erpRawNul,
      issue: { code: 'JSON_MALFORMED', field: '(json)', reason: expect.stringMatching(/Bad control character/) },
    },
    {
      name: 'ERP CSV with a NUL (format=erp-csv)',
      send: () => p.http('ingestion', 'POST', '/v1/documents?format=erp-csv&filename=gr.csv', erpCsvNul, { ...int(), contentType: 'text/csv' }),
      status: 422,
      batchStatus: 'rejected',
      raw: erpCsvNul,
      issue: { code: 'CONTROL_CHARACTER', line: 2, location: 'row 2', field: 'supplier' },
    },
    {
      name: 'filename=%00 on a DMS declaration: stored escaped, with a warning',
      send: () => p.http('ingestion', 'POST', '/v1/documents?filename=decl%00.xml', DMS, int()),
      status: 201,
      batchStatus: 'accepted',
      raw: DMS,
      sourceName: 'decl\\u0000.xml',
      issue: { severity: 'warning', code: 'CONTROL_CHARACTER', location: '(request)', field: 'filename', sourceName: 'decl\\u0000.xml' },
    },
    {
      name: 'filename=%00 on ERP receipts',
      send: () => p.http('ingestion', 'POST', '/v1/erp-receipts?filename=erp%01.json', erpClean, { ...int(), contentType: 'application/json' }),
      status: 201,
      batchStatus: 'accepted',
      raw: erpClean,
      sourceName: 'erp\\u0001.json',
      issue: { severity: 'warning', code: 'CONTROL_CHARACTER', field: 'filename', reason: expect.stringContaining('U+0001 (SOH) at character 4') },
    },
    {
      name: "streamed CDS report CSV, a NUL in one entry's cell: that entry rejected, the other stored",
      send: () => p.http('ingestion', 'POST', '/v1/documents?format=cds-report&filename=items.csv', cdsMixed, { ...int(), contentType: 'text/csv' }),
      status: 201,
      batchStatus: 'partially_accepted',
      raw: cdsMixed,
      issue: { severity: 'error', code: 'CONTROL_CHARACTER', line: 3, location: 'row 3', field: 'Goods Description', reason: expect.stringContaining('U+0000 (NUL) at character 7') },
    },
    {
      name: 'streamed CDS report CSV, a NUL in the MRN: rejected cleanly, not "incomplete"',
      send: () => p.http('ingestion', 'POST', '/v1/documents?format=cds-report&filename=bad-id.csv', cdsBadId, { ...int(), contentType: 'text/csv' }),
      status: 422,
      batchStatus: 'rejected',
      raw: cdsBadId,
      issue: { code: 'CONTROL_CHARACTER', line: 2, field: 'MRN' },
    },
    {
      name: 'CHIEF MSS report with a NUL in a commodity code',
      send: () => p.http('ingestion', 'POST', '/v1/documents?format=chief-mss&filename=mss.csv', chiefNul, { ...int(), contentType: 'text/csv' }),
      status: 201,
      batchStatus: 'partially_accepted',
      raw: chiefNul,
      issue: { code: 'CONTROL_CHARACTER', line: 2, field: 'Commodity Code' },
    },
    {
      name: 'DMS XML with a NUL (XML 1.0 forbids it)',
      send: () => p.http('ingestion', 'POST', '/v1/documents?filename=nul.xml', dmsNul, int()),
      status: 422,
      batchStatus: 'rejected',
      raw: dmsNul,
      issue: {
        code: 'XML_NOT_WELL_FORMED',
        field: '(xml)',
        line: nulLine,
        column: expect.any(Number),
        location: expect.stringMatching(/\/Description$/),
        reason: expect.stringContaining('disallowed character'),
      },
    },
  ];

  it.each(documents.map((d) => [d.name, d] as const))('%s', async (_name, d) => {
    const r = await d.send();
    expect(r.status).toBe(d.status);
    expect(r.body.issues).toEqual(expect.arrayContaining([expect.objectContaining(d.issue)]));
    const batch = await p.http('ingestion', 'GET', `/v1/batches/${r.body.batchId}`);
    expect(batch.status).toBe(200);
    expect(batch.body.batch.status).toBe(d.batchStatus);
    if (d.sourceName) expect(batch.body.batch.source_name).toBe(d.sourceName);
    const { severity, code, field, location } = d.issue as Record<string, string>;
    expect(batch.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code, field, ...(severity ? { severity } : {}), ...(typeof location === 'string' ? { location } : {}) })]));
    expect((await rawOf(r.body.batchId)).equals(d.raw)).toBe(true);
    await stillAnswers('ingestion');
  });

  it('multipart: a part named with a NUL is stored under its escaped name, with a warning', async () => {
    const form = new FormData();
    form.append('format', 'cds-report');
    const csv = CDS_HEADER + cdsRow('23GB12345678901237', 'Plum tomatoes');
    form.append('files', new Blob([csv]), 'part\u0000.csv');
    const res = await fetch(`${p.services.ingestion.httpUrl}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${p.tokens.integrator}` }, body: form });
    const r = { status: res.status, body: await res.json() };
    expect(r.status).toBe(207);
    expect(r.body.files[0]).toMatchObject({
      status: 'accepted',
      issues: [expect.objectContaining({ severity: 'warning', code: 'CONTROL_CHARACTER', field: 'filename', sourceName: 'part\\u0000.csv' })],
    });
    expect((await rawOf(r.body.files[0].batchId)).toString('utf8')).toBe(`--- part\\u0000.csv ---\n${csv}\n`);
  });

  // A NUL in a path or query value (an id, a filter) is refused by the shared edge hook with a
  // 400 naming the parameter, on every service.
  const ids: [keyof Platform['services'], string, string, 'path' | 'query' | 'body', string, (string | undefined)?, string?][] = [
    ['ingestion', 'GET', '/v1/declarations/a%00b', 'path', 'id'],
    ['ingestion', 'GET', '/v1/declarations/a%00b/versions', 'path', 'id'],
    ['ingestion', 'GET', '/v1/declarations/abc?version=1%00', 'query', 'version'],
    ['ingestion', 'GET', '/v1/batches/a%00b', 'path', 'id'],
    ['ingestion', 'GET', '/v1/batches/a%00b/content', 'path', 'id'],
    ['ingestion', 'GET', '/v1/erp-receipts?supplier=a%00b', 'query', 'supplier'],
    ['ingestion', 'GET', '/v1/erp-receipts?mrn=%7F', 'query', 'mrn'],
    ['ingestion', 'POST', '/v1/documents?format=dms%00', 'query', 'format', '<x/>'],
    ['validation', 'GET', '/v1/declarations/a%00b/findings', 'path', 'id'],
    ['validation', 'GET', '/v1/declarations/a%00b/checks', 'path', 'id'],
    ['validation', 'GET', '/v1/declarations/abc/findings?includeSuperseded=%00', 'query', 'includeSuperseded'],
    ['scoring', 'GET', '/v1/scores/declaration/a%00b', 'path', 'id'],
    ['scoring', 'GET', '/v1/scores/a%00b', 'path', 'type'],
    ['alerting', 'GET', '/v1/alerts/a%00b', 'path', 'id'],
    ['alerting', 'GET', '/v1/alerts?status=new%00', 'query', 'status'],
    ['alerting', 'POST', '/v1/alerts/a%00b/transition', 'path', 'id', '{"to":"in_progress","reason":"x"}', 'application/json'],
    ['alerting', 'POST', '/v1/alerts/abc/transition', 'body', 'reason', '{"to":"in_progress","reason":"looked \\u0000 at it"}', 'application/json'],
    ['reference', 'GET', '/v1/commodities/07%0002000007', 'path', 'code'],
    ['reference', 'GET', '/v1/commodities/0702000007?date=2024-01-01%00', 'query', 'date'],
    ['reference', 'GET', '/v1/fx/EU%00R', 'path', 'currency'],
    ['reference', 'GET', '/v1/rates/0702000007?origin=F%00R', 'query', 'origin'],
    ['reference', 'GET', '/v1/code-lists/cpc-apc/42%0000000/F15', 'path', '*'],
    ['reference', 'GET', '/v1/code-lists/cpc%00/4000000', 'path', 'list'],
    ['reference', 'GET', '/v1/schemes/B%00D', 'path', 'country'],
    ['reference', 'POST', '/v1/admin/ott-loads?source=ott%00.json', 'query', 'source', '{}', 'application/json'],
  ];
  // Rows padded to the callback's arity: a shorter row makes jest pass a done callback instead.
  it.each(
    ids.map(([s, m, u, w, name, body, type]) => [s, m, u, w, name, body ?? null, type ?? null] as const),
  )('%s %s %s → 400 naming the %s parameter %s', async (service, method, path, where, parameter, body, contentType) => {
    const token = path.startsWith('/v1/admin') ? p.tokens.service : method === 'POST' && service === 'ingestion' ? p.tokens.integrator : p.tokens.analyst;
    const r = await p.http(service, method, path, body ?? undefined, { token, contentType: contentType ?? undefined });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      error: 'invalid_characters',
      message: expect.stringContaining(`"${parameter}" contains U+`),
      details: { in: where, parameter, character: expect.stringMatching(/^U\+00(00|7F) \((NUL|DEL)\)$/), position: expect.any(Number) },
    });
    await stillAnswers(service);
  });

  // Every RPC with string fields: INVALID_ARGUMENT naming the proto field, not INTERNAL; the
  // same RPC with clean values is served (whatever it then makes of them). AlertingService's
  // ListAlerts and StreamFindings carry no strings; StreamAlerts (a server stream) is below.
  type Rpc = [string, keyof Platform['services'], new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client, string, unknown, unknown, string];
  const rpcs: Rpc[] = [
    [
      'IngestionService.GetDeclaration',
      'ingestion',
      IngestionServiceClient,
      'getDeclaration',
      GetDeclarationRequest.fromPartial({ declarationId: 'a\u0000b' }),
      GetDeclarationRequest.fromPartial({ declarationId: 'ab' }),
      'declaration_id',
    ],
    [
      'ValidationService.ListFindings',
      'validation',
      ValidationServiceClient,
      'listFindings',
      ListFindingsRequest.fromPartial({ declarationId: 'a\u0000b' }),
      ListFindingsRequest.fromPartial({ declarationId: 'ab' }),
      'declaration_id',
    ],
    [
      'ScoringService.GetScore (id)',
      'scoring',
      ScoringServiceClient,
      'getScore',
      GetScoreRequest.fromPartial({ entityType: 'declaration', entityId: 'a\u0000b' }),
      GetScoreRequest.fromPartial({ entityType: 'declaration', entityId: 'ab' }),
      'entity_id',
    ],
    [
      'ScoringService.GetScore (type)',
      'scoring',
      ScoringServiceClient,
      'getScore',
      GetScoreRequest.fromPartial({ entityType: 'declaration\u0000', entityId: 'ab' }),
      GetScoreRequest.fromPartial({ entityType: 'declaration', entityId: 'ab' }),
      'entity_type',
    ],
    [
      'ScoringService.GetBrokerScorecards',
      'scoring',
      ScoringServiceClient,
      'getBrokerScorecards',
      GetBrokerScorecardsRequest.fromPartial({ agentId: 'GB12\u00003' }),
      GetBrokerScorecardsRequest.fromPartial({ agentId: 'GB123' }),
      'agent_id',
    ],
    [
      'ScoringService.GetImporterReadiness',
      'scoring',
      ScoringServiceClient,
      'getImporterReadiness',
      GetImporterReadinessRequest.fromPartial({ importerId: 'GB12\u00003' }),
      GetImporterReadinessRequest.fromPartial({ importerId: 'GB123' }),
      'importer_id',
    ],
    [
      'ScoringService.GetTrend',
      'scoring',
      ScoringServiceClient,
      'getTrend',
      GetTrendRequest.fromPartial({ entityType: 'importer', entityId: 'GB12\u00003' }),
      GetTrendRequest.fromPartial({ entityType: 'importer', entityId: 'GB123' }),
      'entity_id',
    ],
    [
      'ScoringService.ListScoredLines',
      'scoring',
      ScoringServiceClient,
      'listScoredLines',
      ListScoredLinesRequest.fromPartial({ declarationId: 'a\u0000b' }),
      ListScoredLinesRequest.fromPartial({ declarationId: 'ab' }),
      'declaration_id',
    ],
    [
      'ReferenceService.LookupCommodities',
      'reference',
      ReferenceServiceClient,
      'lookupCommodities',
      LookupCommoditiesRequest.fromPartial({
        queries: [
          { commodityCode: '0702000007', date: '2024-01-01' },
          { commodityCode: '07\u000002000007', date: '2024-01-01' },
        ],
      }),
      LookupCommoditiesRequest.fromPartial({ queries: [{ commodityCode: '0702000007', date: '2024-01-01' }] }),
      'queries[1].commodity_code',
    ],
    [
      'ReferenceService.LookupFx',
      'reference',
      ReferenceServiceClient,
      'lookupFx',
      LookupFxRequest.fromPartial({ queries: [{ currency: 'EU\u0000R', date: '2024-01-01' }] }),
      LookupFxRequest.fromPartial({ queries: [{ currency: 'EUR', date: '2024-01-01' }] }),
      'queries[0].currency',
    ],
    [
      'ReferenceService.LookupRates',
      'reference',
      ReferenceServiceClient,
      'lookupRates',
      LookupRatesRequest.fromPartial({ queries: [{ commodityCode: '0702000007', origin: 'F\u0000R', date: '2024-01-01' }] }),
      LookupRatesRequest.fromPartial({ queries: [{ commodityCode: '0702000007', origin: 'FR', date: '2024-01-01' }] }),
      'queries[0].origin',
    ],
    [
      'ReferenceService.LookupCodeLists',
      'reference',
      ReferenceServiceClient,
      'lookupCodeLists',
      LookupCodeListsRequest.fromPartial({ queries: [{ list: 'cpc-apc', code: '4000000/C07\u0000', date: '2024-01-01' }] }),
      LookupCodeListsRequest.fromPartial({ queries: [{ list: 'cpc-apc', code: '4000000/C07', date: '2024-01-01' }] }),
      'queries[0].code',
    ],
    [
      'ReferenceService.LookupSchemes',
      'reference',
      ReferenceServiceClient,
      'lookupSchemes',
      LookupSchemesRequest.fromPartial({ queries: [{ country: 'B\u0000D', date: '2024-01-01' }] }),
      LookupSchemesRequest.fromPartial({ queries: [{ country: 'BD', date: '2024-01-01' }] }),
      'queries[0].country',
    ],
    [
      'ReferenceService.ComputeDuties',
      'reference',
      ReferenceServiceClient,
      'computeDuties',
      ComputeDutiesRequest.fromPartial({ lines: [{ acceptanceDate: '2024-01-01\u0000' }] }),
      ComputeDutiesRequest.fromPartial({ lines: [] }),
      'lines[0].acceptance_date',
    ],
  ];
  it.each(rpcs)('%s with a NUL → INVALID_ARGUMENT naming the field', async (_name, service, ClientClass, method, bad, good, field) => {
    const client = new ClientClass(p.services[service].grpcAddress, credentials.createInsecure());
    try {
      const outcome = (req: unknown) =>
        callUnary(client, method, req, { token: p.tokens.service }).then(
          () => ({ code: status.OK, details: '' }),
          (e: { code: number; details: string }) => ({ code: e.code, details: e.details }),
        );
      const refused = await outcome(bad);
      expect(refused.code).toBe(status.INVALID_ARGUMENT);
      expect(refused.details).toMatch(new RegExp(`^field "${field.replace(/[[\]]/g, '\\$&')}" contains U\\+0000 \\(NUL\\) at character \\d+`));
      const served = await outcome(good);
      expect([status.INTERNAL, status.UNAVAILABLE, status.UNKNOWN]).not.toContain(served.code);
      expect(served.details).not.toMatch(/control characters/);
    } finally {
      client.close();
    }
  });

  it('AlertingService.StreamAlerts with a NUL in a filter → INVALID_ARGUMENT naming it; ListAlerts still answers', async () => {
    const client = new AlertingServiceClient(p.services.alerting.grpcAddress, credentials.createInsecure());
    try {
      const stream = client.streamAlerts(StreamAlertsRequest.fromPartial({ broker: 'GB\u0000123' }), callMetadata(p.tokens.analyst));
      const failure = await new Promise<{ code: number; details: string }>((resolve) => {
        stream.on('data', () => undefined);
        stream.on('error', (e: { code: number; details: string }) => resolve({ code: e.code, details: e.details }));
      });
      expect(failure).toEqual({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/^field "broker" contains U\+0000 \(NUL\) at character 3/) });
      await expect(callUnary(client, 'listAlerts', { limit: 1, afterCursor: 0 }, { token: p.tokens.analyst })).resolves.toBeDefined();
    } finally {
      client.close();
    }
  });

  // Kafka submissions with control characters are rejected batches with issues (GET /v1/batches),
  // not dead letters; only a tenant header that names no tenant cannot be anyone's batch.
  it('Kafka submissions with NULs become rejected batches with issues; a NUL tenant header is dead-lettered with its reason', async () => {
    const producer = p.kafka.producer();
    await producer.connect();
    const dlq = p.kafka.kafka.consumer({ groupId: `${p.kafka.physical('ctl')}-dlq-reader` });
    const dead: { error: string; tenant: string }[] = [];
    await dlq.connect();
    await dlq.subscribe({ topic: p.kafka.physical('ingestion.dlq'), fromBeginning: true });
    await dlq.run({ eachMessage: async ({ message }) => void dead.push({ error: String(message.headers?.dlq_error ?? ''), tenant: String(message.headers?.tenant ?? '') }) });
    try {
      const erpCsv = (supplier: string) => Buffer.from(`${ERP_HEADER}${supplier},SKU-1,INV-K,15/03/2023,1,1,10.00,GBP\n`);
      const cases: { label: string; value: Partial<Submission>; tenant?: string; status: string; issue: Record<string, unknown> }[] = [
        { label: 'k1\u0000.csv', value: { format: 'erp-csv', content: erpCsv('Kafka One') }, status: 'accepted', issue: { severity: 'warning', code: 'CONTROL_CHARACTER', field: 'filename' } },
        {
          label: 'k2.csv',
          value: { format: 'erp-csv', content: erpCsv('Kafka Two'), idempotencyKey: 'key\u00002' },
          status: 'rejected',
          issue: { code: 'CONTROL_CHARACTER', field: 'idempotency_key' },
        },
        { label: 'k3.csv', value: { format: 'erp-csv', content: erpCsv('Kafka\u0000Three') }, status: 'rejected', issue: { code: 'CONTROL_CHARACTER', field: 'supplier', location: 'row 2' } },
        { label: 'k4.xml', value: { format: 'dms-xml\u0000', content: DMS }, status: 'rejected', issue: { code: 'UNSUPPORTED_FORMAT', field: 'format' } },
        {
          label: 'k5.csv',
          value: { format: 'cds-item-csv', content: Buffer.from(CDS_HEADER + cdsRow('23GB12345678901238', 'Bad\u0000cell')) },
          status: 'rejected',
          issue: { code: 'CONTROL_CHARACTER', field: 'Goods Description', line: 2 },
        },
        { label: 'k6.xml', value: { format: 'dms-xml', content: dmsNul }, status: 'rejected', issue: { code: 'XML_NOT_WELL_FORMED', line: nulLine } },
      ];
      for (const [i, c] of cases.entries()) {
        const value = Buffer.from(Submission.encode(Submission.fromPartial({ tenantId: p.tenant, filename: c.label, ...c.value })).finish());
        await producer.send({
          topic: p.kafka.physical('ingestion.submission.v1'),
          messages: [{ key: c.label, value, headers: p.submissionHeaders(`ctl-case-${i}`, value) }],
        });
      }
      await producer.send({
        topic: p.kafka.physical('ingestion.submission.v1'),
        messages: [
          {
            key: 'k7',
            value: Buffer.from(Submission.encode(Submission.fromPartial({ format: 'erp-csv', filename: 'k7.csv', content: erpCsv('Kafka Seven') })).finish()),
            headers: { tenant: `${p.tenant}\u0000x` },
          },
        ],
      });
      // The consumer is still consuming: a clean submission after all of them is stored.
      await producer.send({
        topic: p.kafka.physical('ingestion.submission.v1'),
        messages: [
          {
            key: 'k8',
            value: Buffer.from(Submission.encode(Submission.fromPartial({ tenantId: p.tenant, format: 'erp-csv', filename: 'k8.csv', content: erpCsv('Kafka Eight') })).finish()),
          },
        ].map((m) => ({ ...m, headers: p.submissionHeaders('ctl-case-k8', m.value) })),
      });

      const labels = [...cases.map((c) => c.label), 'k8.csv'];
      const stored = await waitFor(
        'every Kafka submission recorded as a batch',
        async () => {
          const list = (await p.http('ingestion', 'GET', '/v1/batches?limit=500')).body.batches as { batch_id: string; source_name: string; status: string; format: string }[];
          const found = labels.map((l) => list.find((b) => b.source_name.endsWith(`:${l.replace('\u0000', '\\u0000')}`)));
          return found.every(Boolean) ? found : undefined;
        },
        { timeoutMs: 60000 },
      );
      for (const [i, c] of cases.entries()) {
        const b = stored[i]!;
        expect({ label: c.label, status: b.status }).toEqual({ label: c.label, status: c.status });
        const detail = await p.http('ingestion', 'GET', `/v1/batches/${b.batch_id}`);
        expect(detail.body.issues).toEqual(expect.arrayContaining([expect.objectContaining(c.issue)]));
        expect((await rawOf(b.batch_id)).equals(Buffer.from(c.value.content!))).toBe(true);
      }
      expect(stored[3]!.format).toBe('dms-xml\\u0000');
      expect(stored[cases.length]!.status).toBe('accepted');
      await waitFor('the NUL-tenant submission dead-lettered', async () => dead.length > 0);
      expect(dead).toEqual([{ tenant: `${p.tenant}\u0000x`, error: expect.stringMatching(/"tenant" header contains U\+0000 \(NUL\) at character \d+, so it names no tenant/) }]);
    } finally {
      await producer.disconnect();
      await dlq.disconnect();
    }
    await stillAnswers('ingestion');
  });
});

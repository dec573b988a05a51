import * as fs from 'node:fs';
import * as path from 'node:path';
import { Submission } from '@customs/contracts';
import { REPO_ROOT, waitFor } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

const fixture = (rel: string) => fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures', rel));

// ERP receipts (JSON and CSV) with reconciliation against declarations, CHIEF MSS history, and
// the Kafka submission channel, all through the real service, Postgres and Kafka.
describe('ERP receipts, reconciliation, CHIEF MSS and Kafka submissions', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('channels');
  });
  afterAll(async () => {
    await h?.stop();
  });

  const receipts = [
    {
      supplier: 'Berlin Textil GmbH',
      sku: 'TS-M-100',
      description: "Men's T-shirts",
      invoiceNumber: 'INV-9912',
      invoiceDate: '2023-03-01',
      lineNumber: 1,
      quantity: '1200',
      unit: 'PCS',
      lineValue: '2500.00',
      currency: 'EUR',
      purchaseOrder: 'PO-4471',
    },
    { supplier: 'Berlin Textil GmbH', sku: 'TS-M-200', invoiceNumber: 'INV-9912', invoiceDate: '2023-03-01', lineNumber: 2, quantity: '600', lineValue: '1300.00', currency: 'EUR' },
    { supplier: 'Shenzhen Parts Co', sku: 'SH-9', invoiceNumber: 'INV-0404', invoiceDate: '2023-03-20', lineNumber: 1, quantity: '40', lineValue: '880.00', currency: 'USD' },
    { supplier: 'Shenzhen Parts Co', sku: 'SH-10', invoiceNumber: 'INV-0405', invoiceDate: 'yesterday', lineNumber: 1, quantity: '4', lineValue: '8.00', currency: 'USD' },
  ];

  it('stores ERP JSON lines idempotently with row-level issues, and reconciles them with CDS declarations', async () => {
    const r = await h.http('POST', '/v1/erp-receipts?filename=gr-march.json', JSON.stringify(receipts), { contentType: 'application/json' });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('partially_accepted');
    expect(r.body.receipts.map((x: any) => [x.invoiceNumber, x.lineNumber, x.outcome])).toEqual([
      ['INV-9912', 1, 'inserted'],
      ['INV-9912', 2, 'inserted'],
      ['INV-0404', 1, 'inserted'],
    ]);
    expect(r.body.issues).toEqual([expect.objectContaining({ severity: 'error', sourceName: 'gr-march.json', line: 4, location: '$[3].invoiceDate', field: 'invoiceDate', code: 'INVALID_VALUE' })]);
    const batch = await h.http('GET', `/v1/batches/${r.body.batchId}`, undefined, { token: h.tokens.analyst });
    expect(batch.body.batch).toMatchObject({ format: 'erp-json', status: 'partially_accepted', declarations_accepted: 3, issue_count: 1 });
    expect(batch.body.issues[0]).toMatchObject({ line: 4, field: 'invoiceDate' });

    // Same lines again: nothing new; one corrected value: updated in place, never a second row.
    const again = await h.http('POST', '/v1/erp-receipts', JSON.stringify(receipts.slice(0, 3)), { contentType: 'application/json' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate' });
    const fixed = await h.http('POST', '/v1/erp-receipts', JSON.stringify([{ ...receipts[2], lineValue: '890.00' }]), { contentType: 'application/json' });
    expect(fixed.body.receipts[0].outcome).toBe('updated');
    const list = await h.http('GET', '/v1/erp-receipts?supplier=Shenzhen%20Parts%20Co', undefined, { token: h.tokens.analyst });
    expect(list.body.receipts).toEqual([expect.objectContaining({ invoiceNumber: 'INV-0404', lineNumber: 1, lineValue: { value: '890.00', currency: 'USD' }, quantity: '40' })]);

    // Malformed JSON is kept as a rejected batch, not lost.
    const broken = await h.http('POST', '/v1/erp-receipts?filename=broken.json', '[{"supplier": ', { contentType: 'application/json' });
    expect(broken.status).toBe(422);
    expect(broken.body.issues[0]).toMatchObject({ code: 'JSON_MALFORMED', sourceName: 'broken.json' });

    // CDS reports whose N935 references are INV-9912 (PO-4471) and INV-5521 (PO-4472).
    const form = new FormData();
    form.append('format', 'cds-report');
    for (const f of ['import-header.csv', 'import-item.csv', 'import-taxline.csv']) form.append('files', new Blob([fixture(`cds-reports/${f}`)]), f);
    const up = await h.http('POST', '/v1/uploads', form);
    expect(up.body.files[0].status).toBe('accepted');
    const rec = await h.http('GET', '/v1/reconciliation', undefined, { token: h.tokens.analyst });
    expect(rec.body.declarationsWithoutReceipt).toEqual([expect.objectContaining({ lrn: 'PO-4472', invoiceReferences: ['INV-5521'], acceptanceDate: '2023-03-15' })]);
    expect(rec.body.receiptsWithoutDeclaration.map((x: any) => [x.supplier, x.invoiceNumber])).toEqual([['Shenzhen Parts Co', 'INV-0404']]);

    // An ERP CSV export through the documents endpoint closes the gap for INV-5521.
    const csv = 'Supplier,SKU,Invoice Number,Invoice Date,Line,Quantity,Value,Currency\nUS Shaver Inc,SHV-1,inv 5521,15/03/2023,1,10,1000.00,GBP\n';
    const doc = await h.http('POST', '/v1/documents?format=erp-csv&filename=gr.csv', csv, { contentType: 'application/octet-stream' });
    expect(doc.status).toBe(201);
    const rec2 = await h.http('GET', '/v1/reconciliation', undefined, { token: h.tokens.analyst });
    expect(rec2.body.declarationsWithoutReceipt).toEqual([]);
    // ERP JSON through the documents endpoint, sent as application/json, is stored the same way.
    const viaDocs = await h.http('POST', '/v1/documents?format=erp-json&filename=more.json', JSON.stringify([{ ...receipts[0], invoiceNumber: 'INV-7000' }]), { contentType: 'application/json' });
    expect(viaDocs.status).toBe(201);
    expect(viaDocs.body.receipts).toEqual([expect.objectContaining({ invoiceNumber: 'INV-7000', lineNumber: 1, outcome: 'inserted' })]);
  });

  it('ingests the CHIEF MSS fixture as history declarations', async () => {
    const r = await h.http('POST', '/v1/documents?format=chief-mss&filename=mss.csv', fixture('chief-mss/import-entry-item.csv'), { contentType: 'application/octet-stream' });
    expect(r.status).toBe(201);
    expect(r.body.declarations.map((d: any) => [d.lrn, d.version])).toEqual([
      ['CHIEF:120-012345K:2019-03-14', 1],
      ['CHIEF:120-012345K:2020-12-02', 1],
    ]);
    const d = await h.http('GET', `/v1/declarations/${r.body.declarations[0].declarationId}`, undefined, { token: h.tokens.analyst });
    expect(d.body).toMatchObject({ sourceFormat: 'SOURCE_FORMAT_CHIEF_MSS', importerEori: 'GB553202734000', acceptanceDate: '2019-03-14' });
    await waitFor('CHIEF declarations published', async () => h.received.filter((e) => e.value.declaration!.lrn.startsWith('CHIEF:')).length === 2);
  });

  it('ingests a document sent on ingestion.submission.v1 as a batch, once per idempotency key', async () => {
    const producer = h.kafka.producer();
    await producer.connect();
    const csv =
      'MRN,Item Number,Commodity Code,CPC,Country of Origin,Acceptance Date,All Item Document Codes,All Item Document References\n24GBKAFKA000000011,1,6109100010,4000000,TR,2024-04-02,N935,INV-K1\n';
    const send = (key: string) => {
      const value = Buffer.from(
        Submission.encode(Submission.fromPartial({ tenantId: h.tenant, format: 'cds-item-csv', filename: 'api-items.csv', content: Buffer.from(csv), idempotencyKey: key })).finish(),
      );
      return producer.send({
        topic: h.kafka.physical('ingestion.submission.v1'),
        messages: [{ key: `${h.tenant}/${key}`, value, headers: h.submissionHeaders(`sub-${key}-${Math.random()}`, value) }],
      });
    };
    await send('k-1');
    await send('k-1'); // a producer retry: same idempotency key
    const batches = await waitFor(
      'submission batch',
      async () => {
        const rows = await h.query(`select batch_id, channel, format, status, source_name from ingestion.batches where channel = 'kafka'`);
        return rows.length >= 1 ? rows : undefined;
        // The service's consumer group is shared with the other test files' services (same group
        // id, other topic prefixes): its first join can wait out their rebalances.
      },
      { timeoutMs: 90000 },
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(await h.query(`select count(*)::int as n from ingestion.batches where channel = 'kafka'`)).toEqual([{ n: 1 }]);
    expect(batches[0]).toMatchObject({ format: 'cds-report', status: 'accepted', source_name: expect.stringMatching(/^kafka:.*ingestion\.submission\.v1\/\d+\/\d+:api-items\.csv$/) });
    const ev = await waitFor('declaration from the submission published', async () => h.received.find((e) => e.value.declaration!.mrn === '24GBKAFKA000000011'), { timeoutMs: 60000 });
    expect(ev.value.declaration!.items[0]).toMatchObject({ commodityCode: '6109100010', originCountry: 'TR' });
    // A submission for another tenant than its header says is refused and kept.
    const mismatched = Buffer.from(Submission.encode(Submission.fromPartial({ tenantId: 'someone-else', format: 'dms-xml', content: Buffer.from('<x/>'), idempotencyKey: 'k-2' })).finish());
    await producer.send({
      topic: h.kafka.physical('ingestion.submission.v1'),
      messages: [{ key: 'x', value: mismatched, headers: h.submissionHeaders('sub-k-2', mismatched) }],
    });
    const refused = await waitFor(
      'refused submission stored',
      async () => (await h.query(`select b.status, i.code from ingestion.batches b join ingestion.batch_issues i using (batch_id) where b.channel = 'kafka' and i.code = 'TENANT_MISMATCH'`))[0],
      { timeoutMs: 60000 },
    );
    expect(refused).toEqual({ status: 'rejected', code: 'TENANT_MISMATCH' });
    await producer.disconnect();
  });
});

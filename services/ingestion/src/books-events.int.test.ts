import { DefermentStatementReceived, ErpReceiptsReceived } from '@customs/contracts';
import { waitFor } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';
import { LINES_PER_EVENT } from './app/books-events';

// The importer's books through the real service, Postgres and Kafka: a duty deferment statement
// (ddes-csv) and ERP receipts (erp-csv) are stored as batches with their raw bytes and published
// in bounded parts through the outbox; refusals are batches too; re-sent receipts publish nothing.
describe('ERP receipts and duty deferment statements are published as bounded events', () => {
  let h: IngestionHarness;
  const statements: { value: DefermentStatementReceived; bytes: number; headers: Record<string, string> }[] = [];
  const receipts: { value: ErpReceiptsReceived; bytes: number }[] = [];
  let stopReader: () => Promise<void>;

  beforeAll(async () => {
    h = await startIngestion('books');
    const consumer = h.kafka.kafka.consumer({ groupId: `books-reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [h.kafka.physical('ingestion.deferment-statement.received.v1'), h.kafka.physical('ingestion.erp-receipts.received.v1')], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        if (topic.endsWith('deferment-statement.received.v1')) statements.push({ value: DefermentStatementReceived.decode(message.value!), bytes: message.value!.length, headers });
        else receipts.push({ value: ErpReceiptsReceived.decode(message.value!), bytes: message.value!.length });
      },
    });
    stopReader = () => consumer.disconnect();
  });
  afterAll(async () => {
    await stopReader?.();
    await h?.stop();
  });

  const mrn = (n: number) => `24GB${String(n).padStart(13, '0')}1`;

  it('a statement of 1,201 lines on two accounts: stored with its bytes, published per DAN in parts of at most 500 lines, in order', async () => {
    const rows = ['DAN,MRN,Tax Type,Amount,Date,Period From,Period To'];
    for (let i = 0; i < 1100; i++) rows.push(`1111111,${mrn(i)},${i % 2 ? 'B00' : 'A00'},${i}.25,2024-03-${String((i % 28) + 1).padStart(2, '0')},2024-03-01,2024-03-31`);
    for (let i = 0; i < 101; i++) rows.push(`2222222,${mrn(5000 + i)},A00,"1,000.00",2024-03-05,2024-03-01,2024-03-31`);
    const csv = `${rows.join('\n')}\n`;
    const r = await h.http('POST', '/v1/documents?format=ddes-csv&filename=ddes-march.csv', csv, { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('accepted');
    expect(r.body.statements.map((s: any) => [s.dan, s.lines, s.periodFrom, s.periodTo])).toEqual([
      ['1111111', 1100, '2024-03-01', '2024-03-31'],
      ['2222222', 101, '2024-03-01', '2024-03-31'],
    ]);
    expect(r.body.statements[1].dutyPence).toBe(101 * 100_000);
    const stored = await h.query('select format, status, raw_content from ingestion.batches where batch_id = $1', [r.body.batchId]);
    expect([stored[0].format, stored[0].status, Buffer.from(stored[0].raw_content).toString()]).toEqual(['ddes-csv', 'accepted', csv]);

    await waitFor('every part published', async () => statements.filter((s) => s.value.batchId === r.body.batchId).length === 4);
    const mine = statements.filter((s) => s.value.batchId === r.body.batchId).sort((a, b) => a.value.dan.localeCompare(b.value.dan) || a.value.part - b.value.part);
    expect(mine.map((s) => [s.value.dan, s.value.part, s.value.parts, s.value.firstLine, s.value.lines.length, s.value.totalLines])).toEqual([
      ['1111111', 1, 3, 0, 500, 1100],
      ['1111111', 2, 3, 500, 500, 1100],
      ['1111111', 3, 3, 1000, 100, 1100],
      ['2222222', 1, 1, 0, 101, 101],
    ]);
    for (const s of mine) expect(s.value.lines.length).toBeLessThanOrEqual(LINES_PER_EVENT);
    expect(Math.max(...mine.map((s) => s.bytes))).toBeLessThan(64 * 1024);
    expect(mine[0]!.headers.ce_type).toBe('ingestion.deferment-statement.received.v1');
    expect(mine[0]!.headers.ce_tenant).toBe(h.tenant);
    const a = mine.filter((s) => s.value.dan === '1111111').flatMap((s) => s.value.lines);
    expect(a.map((l) => l.mrn)).toEqual(Array.from({ length: 1100 }, (_, i) => mrn(i)));
    expect([a[3]!.amountPence, a[3]!.taxType, a[3]!.row]).toEqual([325, 'B00', 5]);
  });

  it('a statement without a tax type column is a rejected batch naming the column, and publishes nothing; a bad row is named by row and field', async () => {
    const before = statements.length;
    const r = await h.http('POST', '/v1/documents?format=ddes-csv&filename=no-tax-type.csv', `DAN,MRN,Amount\n1111111,${mrn(1)},1.00\n`, { contentType: 'text/csv' });
    expect(r.status).toBe(422);
    expect(r.body.status).toBe('rejected');
    expect(r.body.issues.map((i: any) => [i.field, i.code, i.line])).toEqual([['taxType', 'MISSING_COLUMN', 1]]);
    const batch = await h.query('select status, size_bytes from ingestion.batches where batch_id = $1', [r.body.batchId]);
    expect(batch[0].status).toBe('rejected');
    const partial = await h.http('POST', '/v1/documents?format=ddes-csv&filename=one-bad.csv', `DAN,MRN,Tax Type,Amount\n1111111,${mrn(1)},A00,1.00\n1111111,${mrn(2)},A00,12.345\n`, {
      contentType: 'text/csv',
    });
    expect(partial.body.status).toBe('partially_accepted');
    expect(partial.body.issues.map((i: any) => [i.line, i.location, i.field, i.code])).toEqual([[3, 'row 3', 'amount', 'INVALID_VALUE']]);
    await waitFor('the partial statement published', async () => statements.some((s) => s.value.batchId === partial.body.batchId));
    expect(statements.filter((s) => s.value.batchId === r.body.batchId)).toHaveLength(0);
    expect(statements.length - before).toBe(1);
  });

  it('a statement sent as erp-csv or in a multipart upload is recognised as one', async () => {
    const csv = `Deferment Account Number,Movement Reference Number,Duty Type,Amount Charged\n3333333,${mrn(9)},A00,5.00\n`;
    const r = await h.http('POST', '/v1/documents?format=erp-csv&filename=finance-export.csv', csv, { contentType: 'text/csv' });
    expect(r.body.statements.map((s: any) => [s.dan, s.lines])).toEqual([['3333333', 1]]);
    const form = new FormData();
    form.append('format', 'ddes-csv');
    form.append('file', new Blob([csv.replace('3333333', '4444444')], { type: 'text/csv' }), 'ddes.csv');
    const m = await h.http('POST', '/v1/uploads', form);
    expect(m.status).toBeLessThan(300);
    expect(JSON.stringify(m.body)).toContain('4444444');
    expect((await h.query("select count(*)::int as n from ingestion.batches where format = 'ddes-csv' and source_name = 'ddes.csv'"))[0].n).toBe(1);
  });

  it('ERP receipts: inserted and changed lines are published, a re-sent export publishes nothing', async () => {
    const header = 'Supplier,SKU,Invoice Number,Invoice Date,Line,Quantity,Line Value,Currency,Receipt Date,Origin Country\n';
    const csv = `${header}ACME,SKU-1,INV-9,2024-03-01,1,10,100.00,EUR,2024-03-04,CN\nACME,SKU-2,INV-9,2024-03-01,2,5,50.00,EUR,2024-03-04,CN\n`;
    const first = await h.http('POST', '/v1/documents?format=erp-csv&filename=receipts.csv', csv, { contentType: 'text/csv' });
    expect(first.body.receipts.map((x: any) => x.outcome)).toEqual(['inserted', 'inserted']);
    await waitFor('receipts published', async () => receipts.some((e) => e.value.batchId === first.body.batchId));
    const ev = receipts.find((e) => e.value.batchId === first.body.batchId)!;
    expect([ev.value.part, ev.value.parts, ev.value.lines.map((l) => [l.invoiceNumber, l.lineNumber, l.lineValue?.value, l.receiptDate, l.tenantId === h.tenant])]).toEqual([
      1,
      1,
      [
        ['INV-9', 1, '100.00', '2024-03-04', true],
        ['INV-9', 2, '50.00', '2024-03-04', true],
      ],
    ]);
    const again = await h.http('POST', '/v1/documents?format=erp-csv&filename=receipts.csv', csv, { contentType: 'text/csv' });
    expect(again.body.receipts.map((x: any) => x.outcome)).toEqual(['duplicate', 'duplicate']);
    const changed = await h.http('POST', '/v1/documents?format=erp-csv&filename=receipts.csv', csv.replace('50.00', '55.00'), { contentType: 'text/csv' });
    await waitFor('the changed line published', async () => receipts.some((e) => e.value.batchId === changed.body.batchId));
    expect(receipts.find((e) => e.value.batchId === changed.body.batchId)!.value.lines.map((l) => [l.lineNumber, l.lineValue?.value])).toEqual([[2, '55.00']]);
    expect(receipts.some((e) => e.value.batchId === again.body.batchId)).toBe(false);
  });
});

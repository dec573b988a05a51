import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, odsOf, waitFor, xlsxOf } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(path.join(REPO_ROOT, 'scripts/gen-large-cds.js')) as { row(i: number, prefix: string): string; HEADER: string };

function report(rows: number, prefix: string): Buffer {
  let s = gen.HEADER;
  for (let i = 0; i < rows; i++) s += gen.row(i, prefix);
  return Buffer.from(s);
}

/** A request body that arrives in pieces (as a real large upload does); optionally fails mid-way. */
function body(buf: Buffer, piece: number, failAfter?: { bytes: number; until: () => Promise<unknown> }): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    async pull(ctrl) {
      if (failAfter && off >= failAfter.bytes) {
        await failAfter.until();
        ctrl.error(new Error('client went away'));
        return;
      }
      if (off >= buf.length) return ctrl.close();
      ctrl.enqueue(new Uint8Array(buf.subarray(off, off + piece)));
      off += piece;
    },
  });
}

// Streaming ingestion through the real service: a CSV body far over MAX_DOCUMENT_BYTES (1 MiB
// here) is parsed as it arrives and committed every STREAM_CHUNK_ROWS (3,000) rows.
describe('streamed CDS report ingestion (REST → Postgres → Kafka, chunked)', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('stream', { STREAM_CHUNK_ROWS: '3000', STALE_BATCH_SECONDS: '10' });
  });
  afterAll(async () => {
    await h?.stop();
  });
  // Declaration events are keyed by declaration id (all versions on one partition): select by MRN.
  const onTopic = (prefix: string) => h.received.filter((e) => (e.value.declaration?.mrn ?? '').includes(`26GB${prefix}`));

  it('streams a 4 MB item report in chunks, publishes each declaration once, keeps the raw bytes; the same file again is a duplicate', async () => {
    const csv = report(21_000, 'STRM01');
    expect(csv.length).toBeGreaterThan(3 * 1048576);
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=big-items.csv', body(csv, 64 * 1024) as never, { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'accepted', rows: 21_000, declarationsStored: 7_000, declarationsDuplicate: 0, issueCount: 0, bytes: csv.length });
    expect(r.body.chunks).toBeGreaterThanOrEqual(7);
    expect(r.body.declarations).toHaveLength(1000); // the response lists the first 1000
    const batch = await h.http('GET', `/v1/batches/${r.body.batchId}`, undefined, { token: h.tokens.analyst });
    expect(batch.body.batch).toMatchObject({ status: 'accepted', declarations_accepted: 7000, rows_committed: 21000, content_sha256: createHash('sha256').update(csv).digest('hex') });
    const raw = await h.query(`select string_agg(encode(content, 'escape'), '' order by seq) as s, count(*)::int as n from ingestion.batch_raw_chunks where batch_id = $1`, [r.body.batchId]);
    expect(raw[0].n).toBeGreaterThanOrEqual(7);
    expect(createHash('sha256').update(Buffer.from(raw[0].s, 'latin1')).digest('hex')).toBe(createHash('sha256').update(csv).digest('hex'));

    await waitFor('7000 declarations on the topic', async () => onTopic('STRM01').length >= 7000, { timeoutMs: 60000 });
    const first = onTopic('STRM01').find((e) => e.value.declaration!.mrn === '26GBSTRM0100000011')!.value.declaration!;
    expect(first.items.map((i) => [i.itemNumber, i.commodityCode, i.customsValuePence])).toEqual([
      [1, '6403993690', 79636],
      [2, '8471300000', 74734],
      [3, '9403609090', 69832],
    ]);
    expect(first.items[0]!.documents).toEqual([
      { code: 'N935', reference: 'INV-1', status: '', reason: '' },
      { code: 'C505', reference: 'GBCGUGuaranteenotrequired', status: '', reason: '' },
    ]);
    expect(first.items[0]!.taxLines.map((t) => [t.taxType, t.payablePence])).toEqual([
      ['A00', 9556],
      ['B00', 17838],
    ]);

    const again = await h.http('POST', '/v1/documents?format=cds-report&filename=big-items.csv', body(csv, 64 * 1024) as never, { contentType: 'text/csv' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', declarationsStored: 0, declarationsDuplicate: 7000 });
    await new Promise((res) => setTimeout(res, 1500));
    expect(onTopic('STRM01')).toHaveLength(7000);
  });

  it('an upload that breaks off leaves its committed chunks and an incomplete batch; re-sending resumes without duplicates', async () => {
    const csv = report(15_000, 'STRM02');
    const sourceName = 'broken-upload.csv';
    // Fail the body once at least one chunk is committed.
    const committed = () =>
      waitFor('a committed chunk', async () => (await h.query(`select chunks_committed from ingestion.batches where source_name = $1`, [sourceName]))[0]?.chunks_committed >= 1, { timeoutMs: 30000 });
    await h
      .http('POST', `/v1/documents?format=cds-report&filename=${sourceName}`, body(csv, 16 * 1024, { bytes: Math.floor(csv.length * 0.6), until: committed }) as never, { contentType: 'text/csv' })
      .catch(() => undefined);
    const [b] = await waitFor('batch marked incomplete', async () => {
      const rows = await h.query(`select batch_id, status, declarations_accepted, rows_committed from ingestion.batches where source_name = $1`, [sourceName]);
      return rows[0]?.status === 'incomplete' ? rows : undefined;
    });
    expect(b.declarations_accepted).toBeGreaterThanOrEqual(1000);
    expect(b.declarations_accepted).toBeLessThan(5000);
    const issue = await h.query(`select code, reason from ingestion.batch_issues where batch_id = $1 and code = 'INCOMPLETE'`, [b.batch_id]);
    expect(issue[0].reason).toMatch(/the upload broke off after \d+ rows \(\d+ chunks committed, \d+ declarations stored\)/);

    const resumed = await h.http('POST', `/v1/documents?format=cds-report&filename=${sourceName}`, body(csv, 64 * 1024) as never, { contentType: 'text/csv' });
    expect(resumed.body).toMatchObject({ status: 'accepted', declarationsDuplicate: b.declarations_accepted, declarationsStored: 5000 - b.declarations_accepted });
    await waitFor('all 5000 on the topic', async () => onTopic('STRM02').length >= 5000, { timeoutMs: 60000 });
    await new Promise((res) => setTimeout(res, 1000));
    expect(new Set(onTopic('STRM02').map((e) => e.value.declaration!.mrn)).size).toBe(5000);
    expect(onTopic('STRM02')).toHaveLength(5000);
  });

  it('marks a batch whose process died mid-stream (no heartbeat) incomplete', async () => {
    // What a SIGKILL leaves behind: a batch still "in_progress" whose last chunk committed long ago.
    await h.query(
      `insert into ingestion.batches (batch_id, tenant_id, channel, format, source_name, content_sha256, size_bytes, status, declarations_accepted, declarations_duplicate, declarations_rejected, issue_count, received_at, completed_at, raw_content, rows_committed, chunks_committed, updated_at)
      values ('dead-batch', $1, 'rest', 'cds-report', 'killed.csv', '', 123, 'in_progress', 3000, 0, 0, 0, now() - interval '1 hour', null, '', 9000, 3, now() - interval '1 hour')`,
      [h.tenant],
    );
    const b = await waitFor(
      'stale batch swept',
      async () => {
        const r = await h.http('GET', '/v1/batches/dead-batch', undefined, { token: h.tokens.analyst });
        return r.body?.batch?.status === 'incomplete' ? r.body.batch : undefined;
      },
      { timeoutMs: 30000 },
    );
    expect(b).toMatchObject({ status: 'incomplete', rows_committed: 9000, chunks_committed: 3, declarations_accepted: 3000 });
    expect(b.completed_at).toBeTruthy();
    const detail = await h.http('GET', '/v1/batches/dead-batch', undefined, { token: h.tokens.analyst });
    expect(detail.body.issues).toEqual([
      expect.objectContaining({ code: 'INCOMPLETE', source_name: 'killed.csv', reason: expect.stringContaining('the upload stopped after 9000 rows (3 chunks committed) with no progress for 10 s') }),
    ]);
  });

  it('reports bad rows with file, row and field; refuses split entries; joins a header report sent first in a multipart upload', async () => {
    const header =
      'MRN,Acceptance Date,Importer EORI,Trader Reference,Invoice Currency,Invoice Total\n26GBHDR00000000011,05/02/2024,GB553202734852,PO-1,EUR,100.00\n26GBHDR00000000021,06/02/2024,GB553202734852,PO-2,EUR,200.00\n';
    let items = 'MRN,Item Number,Commodity Code,CPC,Country of Origin,Customs Value,Goods Description\n';
    items += '26GBHDR00000000011,1,6109100010,4000000,CN,12.50,"=HYPERLINK(""http://evil"")"\n';
    items += '26GBHDR00000000021,x,6109100010,4000000,CN,1.00,bad item number\n';
    items += '26GBHDR00000000021,2,6109100010,4000000,CN,2.00,ok\n';
    // Padding entries, so the item file is over 1 MiB and the upload streams.
    for (let i = 0; i < 20_000; i++) items += `26GBPAD${String(i).padStart(10, '0')}1,1,6109100010,4000000,CN,1.00,padding\n`;
    items += '26GBHDR00000000011,2,6109100010,4000000,CN,3.00,the same entry again\n';
    expect(items.length).toBeGreaterThan(1048576);
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([header]), 'header.csv');
    form.append('files', new Blob([items]), 'items.csv');
    const r = await h.http('POST', '/v1/uploads', form);
    expect(r.status).toBe(207);
    const f = r.body.files[0];
    expect(f).toMatchObject({ filename: 'header.csv + items.csv + …', status: 'partially_accepted', declarationsStored: 20_001 });
    expect(f.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: 'error',
          sourceName: 'header.csv + items.csv + …',
          line: 3,
          code: 'INVALID_VALUE',
          reason: expect.stringContaining('entry 26GBHDR00000000021 rejected: row 3: DE 1/6 goods item number "x" is not a whole number'),
        }),
        expect.objectContaining({ severity: 'error', code: 'SPLIT_ENTRY', location: 'entry 26GBHDR00000000011' }),
      ]),
    );
    const id = f.declarations.find((d: any) => d.mrn === '26GBHDR00000000011').declarationId;
    const d = await h.http('GET', `/v1/declarations/${id}`, undefined, { token: h.tokens.analyst });
    // Joined with its header row (sent first): acceptance date, importer, invoice total.
    expect(d.body).toMatchObject({ acceptanceDate: '2024-02-05', importerEori: 'GB553202734852', lrn: 'PO-1', invoiceAmount: { value: '100.00', currency: 'EUR' } });
    expect(d.body.items).toHaveLength(1);
    expect(d.body.items[0].description).toBe('=HYPERLINK("http://evil")'); // kept as inert data
    const stored = await h.query(`select count(*)::int as n from ingestion.batch_issues where batch_id = $1`, [f.batchId]);
    expect(stored[0].n).toBe(f.issueCount);

    // An empty body and a header-only report are rejected batches, kept with their reason.
    for (const [name, text, reason] of [
      ['empty.csv', '', 'the upload is empty'],
      ['header-only.csv', 'MRN,Item Number,Commodity Code,Colour\n', 'the report has no data rows'],
    ]) {
      const r = await h.http('POST', `/v1/documents?format=cds-report&filename=${name}`, text, { contentType: 'text/csv' });
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ status: 'rejected', rows: 0 });
      expect(r.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'EMPTY_FILE', reason, sourceName: name })]));
    }
  });

  it('accepts the same report as an .xlsx body (read whole, not streamed) with the same declarations on the topic', async () => {
    const csv = report(30, 'XLSX01');
    const workbook = xlsxOf(parse(csv, { relax_column_count: true }) as string[][]);
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=items.xlsx', workbook as never, { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'accepted' });
    expect(r.body.declarations).toHaveLength(10);
    await waitFor('10 declarations on the topic', async () => onTopic('XLSX01').length >= 10, { timeoutMs: 30000 });
    const d = onTopic('XLSX01').find((e) => e.value.declaration!.mrn === '26GBXLSX0100000011')!.value.declaration!;
    expect(d.items.map((i) => [i.itemNumber, i.commodityCode, i.customsValuePence])).toEqual([
      [1, '6403993690', 79636],
      [2, '8471300000', 74734],
      [3, '9403609090', 69832],
    ]);
  });

  it('accepts the same report as an .ods body the same way (recognised by content, whatever the Content-Type); a hostile .ods is a rejected batch naming the file', async () => {
    const csv = report(30, 'ODS001');
    // As LibreOffice saves it: repeats, and the sheet padded to 1,048,576 rows × 1,024 columns.
    const workbook = odsOf(parse(csv, { relax_column_count: true }) as string[][], { repeats: true, padTo: { rows: 1_048_576, columns: 1024 } });
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=items.ods', workbook as never, { contentType: 'application/vnd.oasis.opendocument.spreadsheet' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'accepted' });
    expect(r.body.declarations).toHaveLength(10);
    await waitFor('10 declarations on the topic', async () => onTopic('ODS001').length >= 10, { timeoutMs: 30000 });
    const d = onTopic('ODS001').find((e) => e.value.declaration!.mrn === '26GBODS00100000011')!.value.declaration!;
    expect(d.items.map((i) => [i.itemNumber, i.commodityCode, i.customsValuePence])).toEqual([
      [1, '6403993690', 79636],
      [2, '8471300000', 74734],
      [3, '9403609090', 69832],
    ]);

    // The same bytes as a plain octet-stream with no file name: still read as a workbook (not
    // streamed as CSV), so they are the same declarations again.
    const again = await h.http('POST', '/v1/documents?format=cds-report', workbook as never, { contentType: 'application/octet-stream' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate' });

    const evil = odsOf(
      [
        ['MRN', 'Item Number', 'Commodity Code'],
        ['26GBODSEVIL0000011', '1', '6403993690'],
      ],
      { prolog: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' },
    );
    const bad = await h.http('POST', '/v1/documents?format=cds-report&filename=evil.ods', evil as never, { contentType: 'application/vnd.oasis.opendocument.spreadsheet' });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ status: 'rejected' });
    expect(bad.body.issues).toEqual([
      expect.objectContaining({ code: 'BAD_WORKBOOK', sourceName: 'evil.ods', field: '(workbook)', reason: 'not a readable .ods report: evil.ods:content.xml: DOCTYPE declarations are not accepted' }),
    ]);
  });

  it('joins an .ods item report with a CSV header report in one multipart upload', async () => {
    const header = 'MRN,Acceptance Date,Importer EORI,Trader Reference,Invoice Currency,Invoice Total\n26GBODS00200000001,05/02/2024,GB553202734852,PO-ODS,EUR,100.00\n';
    const items = parse(report(3, 'ODS002'), { relax_column_count: true }) as string[][];
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([header]), 'header.csv');
    form.append('files', new Blob([odsOf(items)]), 'items.ods');
    const r = await h.http('POST', '/v1/uploads', form);
    expect(r.status).toBe(207);
    const f = r.body.files[0];
    expect(f).toMatchObject({ filename: 'header.csv + items.ods', status: 'accepted' });
    expect(f.declarations).toHaveLength(1);
    const d = await h.http('GET', `/v1/declarations/${f.declarations[0].declarationId}`, undefined, { token: h.tokens.analyst });
    expect(d.body).toMatchObject({ mrn: '26GBODS00200000001', importerEori: 'GB553202734852', lrn: 'PO-ODS', invoiceAmount: { value: '100.00', currency: 'EUR' } });
    expect(d.body.items.map((i: { itemNumber: number; commodityCode: string }) => [i.itemNumber, i.commodityCode])).toEqual([
      [1, '8510900000'],
      [2, '6403993690'],
      [3, '8471300000'],
    ]);
  });

  it('refuses a workbook over the size limit alone in a multipart upload (workbooks are read whole, not streamed); the CSV beside it still ingests', async () => {
    const items = parse(report(12_000, 'ODS003'), { relax_column_count: true }) as string[][];
    const big = odsOf(items, { store: true });
    expect(big.length).toBeGreaterThan(1048576); // MAX_DOCUMENT_BYTES of this harness
    const form = new FormData();
    form.append('format', 'cds-report');
    form.append('files', new Blob([big]), 'huge.ods');
    form.append('files', new Blob([report(3, 'ODS004')]), 'small.csv');
    const r = await h.http('POST', '/v1/uploads', form);
    expect(r.status).toBe(207);
    const [refused, small] = r.body.files;
    expect(refused).toMatchObject({ filename: 'huge.ods', status: 'rejected' });
    expect(refused.issues[0]).toMatchObject({ code: 'TOO_LARGE', field: '(size)', sourceName: 'huge.ods', reason: expect.stringMatching(/workbook exceeds the 1048576-byte limit.*export it as CSV/) });
    expect(small).toMatchObject({ filename: 'small.csv', status: 'accepted' });
    expect(small.declarations).toHaveLength(1);
  });
});

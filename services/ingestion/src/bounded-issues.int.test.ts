import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES, REPO_ROOT, odsOf } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// Defects 6 and 7 of the hardening issue, through the real ingestion service (REST → parsers →
// Postgres; streamed and buffered paths): one file's issues are bounded (1,000 stored per
// document, then one MORE_ISSUES counting the rest by code; one UNKNOWN_COLUMN per column name),
// a repeated item row is a DUPLICATE_ROW warning naming the rows, and declared values are
// checked against their data elements and code lists in every format, element and row named.
describe('bounded issues per document, duplicate rows, values checked by data element', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    // Small streaming chunks: a report's issues are stored by several chunk transactions.
    h = await startIngestion('bounded', { STREAM_CHUNK_ROWS: '400' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const COLUMNS =
    'MRN,Item Number,Commodity Code,CPC,Country of Origin,Goods Description,Item Price,Invoice Currency,Customs Value,Net Mass,Gross Mass,Duty Paid,VAT Paid,Acceptance Date,Clearance Date';
  const row = (mrn: string, item: number, over: Partial<Record<'item' | 'code' | 'price' | 'currency' | 'cv' | 'net' | 'gross' | 'clearance', string>> = {}) =>
    [
      mrn,
      over.item ?? String(item),
      over.code ?? '8510900000',
      '4000000',
      'CN',
      'Shaver parts',
      over.price ?? '100.00',
      over.currency ?? 'GBP',
      over.cv ?? '100.00',
      over.net ?? '1.5',
      over.gross ?? '2.0',
      '2.00',
      '20.40',
      '14/03/2023',
      over.clearance ?? '15/03/2023',
    ].join(',');
  const issuesOf = async (batchId: string) =>
    h.query<{ severity: string; line: number | null; field: string; code: string; reason: string }>(
      `select severity, line, field, code, reason from ingestion.batch_issues where batch_id = $1 order by id`,
      [batchId],
    );
  const batchOf = async (batchId: string) => (await h.query<{ issue_count: number; status: string }>(`select issue_count, status from ingestion.batches where batch_id = $1`, [batchId]))[0]!;

  it('a streamed report with a warning on each of 2,700 rows: 1,000 issues stored, then one MORE_ISSUES counting the other 1,700 by code', async () => {
    const rows: string[] = [];
    for (const e of [1, 2, 3]) for (let i = 1; i <= 900; i++) rows.push(row(`26GBCAPS0${e}00000001`, i, { clearance: 'never' }));
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=noisy.csv', [COLUMNS, ...rows].join('\n') + '\n', { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    // The warnings do not stop the entries: all three stored.
    expect(r.body).toMatchObject({ status: 'accepted', rows: 2700, declarationsStored: 3, issueCount: 2700 });
    const stored = await issuesOf(r.body.batchId);
    expect(stored).toHaveLength(1001);
    expect(stored.slice(0, 1000).every((i) => i.code === 'INVALID_VALUE' && i.field === 'Clearance Date')).toBe(true);
    expect(stored[1000]).toEqual({
      severity: 'warning',
      line: null,
      field: '(issues)',
      code: 'MORE_ISSUES',
      reason: '1700 more issues were found in this document and not stored (at most 1000 are kept per document): INVALID_VALUE (warning) 1700; they repeat the kinds listed, so fix those and re-send',
    });
    // issue_count is the number found, not stored.
    expect(await batchOf(r.body.batchId)).toEqual({ issue_count: 2700, status: 'accepted' });
    // GET /v1/batches/:id lists what is stored, the summary included.
    const b = await h.http('GET', `/v1/batches/${r.body.batchId}`, undefined, { token: h.tokens.analyst });
    expect(b.body.issues).toHaveLength(1001);
    expect(b.body.issues[1000].code).toBe('MORE_ISSUES');
  });

  it('the buffered path (an .ods) stores the same cap: 1,000 issues and one MORE_ISSUES', async () => {
    // 900 items with a bad clearance date each, and 300 rows of another entry with one too.
    const table = [COLUMNS.split(',')];
    for (let i = 1; i <= 900; i++) table.push(row('26GBCAPS0400000001', i, { clearance: `bad${i}` }).split(','));
    for (let i = 1; i <= 300; i++) table.push(row('26GBCAPS0500000001', i, { clearance: `bad-${i}` }).split(','));
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=noisy.ods', odsOf(table), { contentType: 'application/vnd.oasis.opendocument.spreadsheet' });
    expect([200, 201]).toContain(r.status);
    const stored = await issuesOf(r.body.batchId);
    expect(stored).toHaveLength(1001);
    expect(stored[1000]).toMatchObject({ code: 'MORE_ISSUES', reason: expect.stringContaining('200 more issues were found in this document and not stored') });
    expect((await batchOf(r.body.batchId)).issue_count).toBe(1200);
  });

  it('a header of 20,000 unused columns (one name three times): 50 UNKNOWN_COLUMN issues, one per name, and one counting the rest', async () => {
    const unknown = ['Notes', 'Notes', 'Notes', ...Array.from({ length: 20_000 }, (_, i) => `x${i}`)];
    const csv = `${COLUMNS},${unknown.join(',')}\n${row('26GBCOLS0100000001', 1)}${','.repeat(unknown.length)}\n`;
    expect(csv.length).toBeGreaterThan(100_000);
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=wide.csv', csv, { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    const stored = await issuesOf(r.body.batchId);
    expect(stored.map((i) => i.code)).toEqual(Array(51).fill('UNKNOWN_COLUMN'));
    expect(stored[0]!.reason).toBe('column "Notes" (columns 16, 17, 18) is not used');
    expect(stored[1]!.reason).toBe('column "x0" is not used');
    expect(stored[50]!.reason).toBe('19951 more columns not listed here are not used either (the header has more than 50 unused column names)');
  });

  it('a 1 KB .ods repeating one item row 400,000 times: one item, and a DUPLICATE_ROW warning naming the rows; another row repeated with other values says which was read', async () => {
    const table = [COLUMNS.split(','), row('26GBDUPS0100000001', 1).split(','), row('26GBDUPS0200000001', 1).split(','), row('26GBDUPS0200000001', 1, { price: '90.00' }).split(',')];
    const ods = odsOf(table, { rowRepeats: { 1: 400_000 } });
    expect(ods.length).toBeLessThan(2000);
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=repeated.ods', ods, { contentType: 'application/vnd.oasis.opendocument.spreadsheet' });
    expect(r.status).toBe(201);
    const dups = (await issuesOf(r.body.batchId)).filter((i) => i.code === 'DUPLICATE_ROW');
    expect(dups).toEqual([
      {
        severity: 'warning',
        line: 2,
        field: 'Item Number',
        code: 'DUPLICATE_ROW',
        reason: 'item 1 of entry 26GBDUPS0100000001 (row 2) is repeated unchanged in row 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 399989 more rows (400000 identical rows in all); it was read once',
      },
      {
        severity: 'warning',
        line: 400002,
        field: 'Item Number',
        code: 'DUPLICATE_ROW',
        reason: 'item 1 of entry 26GBDUPS0200000001 (row 400002) appears again in row 400003 (2 rows in all) with other values; only row 400003 was read — one row per goods item is expected',
      },
    ]);
    const items = await h.query<{ mrn: string; item_count: number }>(`select mrn, item_count from ingestion.declarations where mrn like '26GBDUPS%' order by mrn`);
    expect(items).toEqual([
      { mrn: '26GBDUPS0100000001', item_count: 1 },
      { mrn: '26GBDUPS0200000001', item_count: 1 },
    ]);
  });

  it('CDS report values outside their data element: each entry rejected with an error naming row, column and element; the good entry stored', async () => {
    const bad: [string, Parameters<typeof row>[2], number, string, string][] = [
      [
        '26GBVALS0100000001',
        { cv: '-100.00' },
        2,
        'Customs Value',
        'Customs Value (customs value (DE 4/14 adjusted by DE 4/9 and 4/13)) "-100.00" is negative; the element holds a value of zero or more',
      ],
      ['26GBVALS0200000001', { net: '-1.5' }, 3, 'Net Mass', 'Net Mass (DE 6/1 net mass) "-1.5" is negative; the element holds a value of zero or more'],
      ['26GBVALS0300000001', { gross: '-2' }, 4, 'Gross Mass', 'Gross Mass (DE 6/5 gross mass) "-2" is negative; the element holds a value of zero or more'],
      ['26GBVALS0400000001', { price: 'Infinity' }, 5, 'Item Price', 'Item Price (DE 4/14 item price/amount) "Infinity" is not a decimal number (digits, optionally a point and decimals)'],
      ['26GBVALS0500000001', { item: '1000000' }, 6, 'Item Number', 'DE 1/6 goods item number 1000000 is outside 1–999 (DE 1/6 is n..3, numbered from 1)'],
      ['26GBVALS0600000001', { code: '' }, 7, 'Commodity Code', 'DE 6/14 commodity code is empty; every goods item declares one (8 or 10 digits)'],
      ['26GBVALS0700000001', { currency: 'ZZZ' }, 8, 'Invoice Currency', 'DE 4/10 invoice currency "ZZZ" is not an ISO 4217 currency (ISO 4217 lists one and three)'],
    ];
    const csv = [COLUMNS, ...bad.map(([mrn, over]) => row(mrn, 1, over)), row('26GBVALS0800000001', 1, { currency: 'eur' })].join('\n') + '\n';
    const r = await h.http('POST', '/v1/documents?format=cds-report&filename=values.csv', csv, { contentType: 'text/csv' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ status: 'partially_accepted', declarationsStored: 1 });
    const errors = (await issuesOf(r.body.batchId)).filter((i) => i.severity === 'error').map((i) => [i.line, i.field, i.reason]);
    expect(errors).toEqual(bad.map(([mrn, , line, column, reason]) => [line, column, `entry ${mrn} rejected: row ${line}: ${reason}, so the entry is not stored`]));
    expect(await h.query(`select mrn from ingestion.declarations where mrn like '26GBVALS%'`)).toEqual([{ mrn: '26GBVALS0800000001' }]);
  });

  it('the same checks in CHIEF MSS (through the CDS assembler), ERP receipts and DMS XML', async () => {
    // CHIEF: the fixture's first row with currency ZZZ and a negative net mass.
    const mss = fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/chief-mss/import-entry-item.csv'), 'utf8').split('\n');
    mss[1] = mss[1]!.replace(',1500.00,USD,1180.20,95.000,', ',1500.00,ZZZ,1180.20,-95.000,');
    const chief = await h.http('POST', '/v1/documents?format=chief-mss&filename=mss.csv', mss.join('\n'), { contentType: 'application/octet-stream' });
    const chiefErrors = chief.body.issues.filter((i: any) => i.severity === 'error').map((i: any) => [i.line, i.field, i.reason.replace(/^entry \S+ rejected: /, '')]);
    expect(chiefErrors).toEqual([
      [2, 'Net Mass', 'row 2: Net Mass (DE 6/1 net mass) "-95.000" is negative; the element holds a value of zero or more, so the entry is not stored'],
      [2, 'Invoice Currency', 'row 2: DE 4/10 invoice currency "ZZZ" is not an ISO 4217 currency (ISO 4217 lists one and three), so the entry is not stored'],
    ]);

    // ERP: currency ZZZ refused per line, naming the JSONPath.
    const line = { supplier: 'Shenzhen Parts Co', sku: 'SP-1', invoiceNumber: 'INV-1', invoiceDate: '2024-03-01', lineNumber: 1, quantity: '10', lineValue: '100.00', currency: 'ZZZ' };
    const erp = await h.http('POST', '/v1/erp-receipts?filename=zzz.json', JSON.stringify([line, { ...line, lineNumber: 2, currency: 'USD' }]), { contentType: 'application/json' });
    expect(erp.body.issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        location: '$[0].currency',
        field: 'currency',
        code: 'INVALID_VALUE',
        reason: 'currency "ZZZ" is not an ISO 4217 currency (ISO 4217 lists one and three)',
      }),
    ]);
    expect(erp.body.status).toBe('partially_accepted');

    // DMS: values are kept as declared (CDS's own policy is the XSD), but flagged by element.
    const xml = fs.readFileSync(path.join(HMRC_SAMPLES, 'TT_IM017a/Step1_TT_IM017a.xml'), 'utf8').replace('<InvoiceAmount currencyID="GBP">', '<InvoiceAmount currencyID="ZZZ">');
    const dms = await h.http('POST', '/v1/documents?filename=values.xml', xml);
    expect(dms.status).toBe(201);
    const warnings = dms.body.issues.filter((i: any) => i.code === 'INVALID_VALUE').map((i: any) => [i.field, i.reason]);
    expect(warnings).toEqual(expect.arrayContaining([[expect.stringContaining('DE 4/11'), 'currencyID "ZZZ" is not an ISO 4217 currency (ISO 4217 lists one and three)']]));
  });
});

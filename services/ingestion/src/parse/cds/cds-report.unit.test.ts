import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@customs/testing';
import { SourceFormat } from '@customs/contracts';
import { gbpPence, parseCdsReports, readCdsReport, reportDate, type CdsIssue } from './cds-report';

const fixture = (rel: string) => path.join(REPO_ROOT, 'packages/testing/fixtures', rel);
async function* chunksOf(text: string | Buffer, size = 97): AsyncGenerator<Buffer> {
  const b = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
const file = (rel: string) => ({ sourceName: path.basename(rel), chunks: chunksOf(fs.readFileSync(fixture(rel))) });

describe('CDS data reports', () => {
  it('reads HMRC’s own header sample: kind, EPU + entry number ids, dd/mm/yyyy dates', async () => {
    const issues: CdsIssue[] = [];
    const rows = [];
    for await (const r of readCdsReport(file('hmrc/hmrc-trade-reporting-extracts-frontend/CDS-Report.csv').chunks, 'CDS-Report.csv', issues)) rows.push(r);
    expect(rows.map((r) => [r.kind, r.entryId, reportDate(r.values.acceptanceDate!)])).toEqual([
      ['header', '999-000111E', '2023-03-29'],
      ['header', '999-011111B', '2023-03-31'],
      ['header', '999-000011X', '2023-04-06'],
    ]);
    expect(rows[1]!.values.customsValue).toBe('161.12');
    // A header report alone holds no items: every entry is reported, none dropped silently.
    const alone = await parseCdsReports([file('hmrc/hmrc-trade-reporting-extracts-frontend/CDS-Report.csv')]);
    expect(alone.declarations).toEqual([]);
    expect(alone.issues.filter((i) => i.code === 'UNJOINED_ROW')).toHaveLength(3);
  });

  it('joins header, item and tax-line reports in any order into declarations', async () => {
    const { declarations, issues } = await parseCdsReports([file('cds-reports/import-taxline.csv'), file('cds-reports/import-item.csv'), file('cds-reports/import-header.csv')]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(declarations).toHaveLength(2);
    const d = declarations.find((x) => x.lrn === 'PO-4471')!;
    expect(d).toMatchObject({
      acceptanceDate: '2023-03-14',
      acceptanceDateSource: 'report',
      importerEori: 'GB553202734852',
      sourceFormat: SourceFormat.SOURCE_FORMAT_CDS_REPORT,
      customsValuePence: 326047,
      defermentAccounts: ['1108654'],
    });
    expect(d.invoiceAmount).toEqual({ value: '3800.00', currency: 'EUR' });
    const [i1, i2] = d.items;
    expect(i1).toMatchObject({
      itemNumber: 1,
      commodityCode: '6109100010',
      procedureCode: '4000',
      additionalProcedureCodes: ['000'],
      preference: '300',
      preferentialOrigin: 'DE',
      customsValuePence: 214505,
      customsValuePresent: true,
    });
    expect(i1!.documents).toEqual([
      { code: 'N935', reference: 'INV-9912', status: '', reason: '' },
      { code: 'U110', reference: 'STATEMENT', status: '', reason: '' },
    ]);
    expect(i1!.itemPrice).toEqual({ value: '2500.00', currency: 'EUR' });
    expect(i1!.taxLines.map((t) => [t.taxType, t.payablePence, t.methodOfPayment])).toEqual([
      ['A00', 0, 'E'],
      ['B00', 42901, 'G'],
    ]);
    expect(i2!.taxLines.find((t) => t.taxType === 'A00')!.payablePence).toBe(13385);
  });

  it('uses the item report’s Duty/VAT Paid as A00/B00 lines when no tax-line report is sent', async () => {
    const { declarations } = await parseCdsReports([file('cds-reports/import-item.csv')]);
    const shaver = declarations.find((d) => d.items[0]!.commodityCode === '8510900000')!;
    expect(shaver.items[0]!.taxLines.map((t) => [t.taxType, t.payablePence])).toEqual([
      ['A00', 2000],
      ['B00', 20400],
    ]);
  });

  it('is tolerant of column case, spacing and aliases, and idempotent by entry content', async () => {
    const csv = 'MRN,item no,COMMODITY  CODE,Customs Procedure Code,Country-of-Origin,Acceptance Date\n23GB1234567890ABC1,1,6109100010,4000,CN,2023-01-17\n';
    const a = await parseCdsReports([{ sourceName: 'x.csv', chunks: chunksOf(csv) }]);
    const b = await parseCdsReports([{ sourceName: 'y.csv', chunks: chunksOf(csv) }]);
    expect(a.declarations[0]).toMatchObject({ mrn: '23GB1234567890ABC1', acceptanceDate: '2023-01-17' });
    expect(a.declarations[0]!.items[0]).toMatchObject({ commodityCode: '6109100010', procedureCode: '4000', originCountry: 'CN' });
    expect(a.declarations[0]!.contentSha256).toBe(b.declarations[0]!.contentSha256);
  });

  it('rejects a report without a required column, naming it', async () => {
    const r = await parseCdsReports([{ sourceName: 'items.csv', chunks: chunksOf('MRN,Item Number,Origin\n23GB1234567890ABC1,1,CN\n') }]);
    expect(r.declarations).toEqual([]);
    expect(r.issues[0]).toMatchObject({ code: 'UNKNOWN_REPORT', sourceName: 'items.csv', row: 1 });
    const r2 = await parseCdsReports([{ sourceName: 'tax.csv', chunks: chunksOf('Tax Type,Tax Amount\nA00,1\n') }]);
    expect(r2.issues[0]).toMatchObject({ code: 'MISSING_COLUMN', row: 1, field: 'mrn or entryNumber' });
  });

  it('rejects an entry with a bad row whole, and ingests the other entries', async () => {
    const csv = 'MRN,Item Number,Commodity Code\n23GB1234567890ABC1,1,6109100010\n23GB1234567890ABC1,x,6109100010\n23GB1234567890ABD1,1,8510900000\n';
    const r = await parseCdsReports([{ sourceName: 'i.csv', chunks: chunksOf(csv) }]);
    expect(r.declarations.map((d) => d.mrn)).toEqual(['23GB1234567890ABD1']);
    expect(r.issues.find((i) => i.severity === 'error')).toMatchObject({
      row: 3,
      column: 'Item Number',
      reason: expect.stringContaining('entry 23GB1234567890ABC1 rejected: row 3: DE 1/6 goods item number "x" is not a whole number'),
    });
  });

  it('rejects an entry whose acceptance date is impossible or implausible, naming row and column; warns on other bad dates', async () => {
    const header =
      'MRN,Acceptance Date,Entry Date,Clearance Date\n' +
      '23GB1234567890AAA1,30/02/2023,,\n' +
      '23GB1234567890AAB1,45/13/2999,,\n' +
      '23GB1234567890AAC1,00/00/0000,,\n' +
      '23GB1234567890AAD1,14/03/1989,,\n' +
      '23GB1234567890AAE1,TBC,,\n' +
      '23GB1234567890AAF1,14/03/2023,31/04/2023,2023-03-14\n';
    const items =
      'MRN,Item Number,Commodity Code,Acceptance Date\n' +
      ['AAA1', 'AAB1', 'AAC1', 'AAD1', 'AAE1', 'AAF1'].map((s) => `23GB1234567890${s},1,6109100010,`).join('\n') +
      '\n23GB1234567890AAG1,1,6109100010,2023-02-29\n';
    const r = await parseCdsReports([
      { sourceName: 'h.csv', chunks: chunksOf(header) },
      { sourceName: 'i.csv', chunks: chunksOf(items) },
    ]);
    // Only the entry with a real acceptance date is a declaration; its bad entry date is a warning.
    expect(r.declarations.map((d) => [d.mrn, d.acceptanceDate])).toEqual([['23GB1234567890AAF1', '2023-03-14']]);
    const errors = r.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.column, i.code, i.reason.replace(/;.*/, '')]);
    expect(errors).toEqual([
      [2, 'Acceptance Date', 'INVALID_VALUE', 'entry 23GB1234567890AAA1 rejected: row 2: Acceptance Date "30/02/2023" is not a real calendar date: February 2023 has 28 days'],
      [3, 'Acceptance Date', 'INVALID_VALUE', 'entry 23GB1234567890AAB1 rejected: row 3: Acceptance Date "45/13/2999" is not a real calendar date: there is no month 13'],
      [4, 'Acceptance Date', 'INVALID_VALUE', 'entry 23GB1234567890AAC1 rejected: row 4: Acceptance Date "00/00/0000" is not a real calendar date: there is no month 00'],
      [
        5,
        'Acceptance Date',
        'INVALID_VALUE',
        'entry 23GB1234567890AAD1 rejected: row 5: Acceptance Date "14/03/1989" is before 1990-01-01, earlier than any UK electronic customs record: a keying error?',
      ],
      [6, 'Acceptance Date', 'INVALID_VALUE', 'entry 23GB1234567890AAE1 rejected: row 6: Acceptance Date "TBC" is not a date (dd/mm/yyyy or yyyy-mm-dd)'],
      // An item row's own acceptance date is checked too (row 8 of the item report).
      [8, 'Acceptance Date', 'INVALID_VALUE', 'entry 23GB1234567890AAG1 rejected: row 8: Acceptance Date "2023-02-29" is not a real calendar date: February 2023 has 28 days'],
    ]);
    expect(r.issues.find((i) => i.severity === 'error')!.reason).toContain('so the entry is not stored');
    expect(r.issues.filter((i) => i.code === 'INVALID_VALUE' && i.severity === 'warning')).toEqual([
      expect.objectContaining({ row: 7, column: 'Entry Date', reason: 'Entry Date "31/04/2023" is not a real calendar date: April 2023 has 30 days (not used for the checks; the entry is kept)' }),
    ]);
  });

  it('refuses invalid UTF-8, keeps formula injection inert, and handles quoted newlines and a BOM', async () => {
    const bad = Buffer.concat([Buffer.from('MRN,Item Number,Commodity Code\n23GB1234567890ABC1,1,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    const r = await parseCdsReports([{ sourceName: 'bad.csv', chunks: chunksOf(bad, 1000) }]);
    expect(r.declarations).toEqual([]);
    expect(r.issues[0]).toMatchObject({ code: 'INVALID_ENCODING', sourceName: 'bad.csv' });
    const evil = '\uFEFFMRN,Item Number,Commodity Code,Goods Description\n23GB1234567890ABC1,1,6109100010,"=cmd|\' /C calc\'!A0\nsecond line"\n';
    const ok = await parseCdsReports([{ sourceName: 'evil.csv', chunks: chunksOf(evil, 7) }]);
    expect(ok.declarations[0]!.items[0]!.description).toBe("=cmd|' /C calc'!A0\nsecond line");
  });

  it('parses money and dates exactly', () => {
    expect(gbpPence('1,234.5')).toBe(123450);
    expect(gbpPence('0.07')).toBe(7);
    expect(gbpPence('12.345')).toBeUndefined();
    expect(reportDate('31/03/2023 16:51:00')).toBe('2023-03-31');
    expect(reportDate('tomorrow')).toBeUndefined();
  });

  it('streams a large generated item report (50,000 rows) with the heap staying bounded', async () => {
    async function* big(): AsyncGenerator<Buffer> {
      yield Buffer.from('MRN,Item Number,Commodity Code,CPC,Country of Origin,Item Price,Acceptance Date\n');
      let chunk = '';
      for (let i = 0; i < 50_000; i++) {
        chunk += `23GB${String(i).padStart(13, '0')}1,1,6109100010,4000000,CN,${(i % 900) + 100}.00,2023-01-17\n`;
        if (chunk.length > 64 * 1024) {
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
      yield Buffer.from(chunk);
    }
    const before = process.memoryUsage().heapUsed;
    const r = await parseCdsReports([{ sourceName: 'big.csv', chunks: big() }]);
    expect(r.declarations).toHaveLength(50_000);
    expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
    // Generous bound: the joined declarations themselves stay in memory until finish().
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(600 * 1024 * 1024);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { REPO_ROOT, fodsOf, odsOf, xlsxOf } from '@customs/testing';
import { readFirstSheetOfWorkbook } from '@customs/spreadsheet';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const gen = require(path.join(REPO_ROOT, 'scripts/gen-large-cds.js')) as { row(i: number, prefix: string): string; HEADER: string };
const report = (rows: number, prefix: string) => gen.HEADER + Array.from({ length: rows }, (_, i) => gen.row(i, prefix)).join('');
const table = (csv: string | Buffer) => parse(csv, { bom: true, relax_column_count: true }) as string[][];
const fixture = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports', name));

// The same CDS report sent as CSV and then as a typed workbook (as Calc or Excel save a CSV they
// opened: "12.50" a number cell holding 12.5, "14/03/2024" a date cell) is the same entries:
// duplicates, through the real service (streamed CSV or buffered, group commit, Postgres).
describe('a CDS report as CSV and as its typed workbook: duplicates, not new versions', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('wbdup');
  });
  afterAll(async () => {
    await h?.stop();
  });
  const stored = async (mrnPrefix: string) =>
    await h.query<{ declaration_id: string; versions: number }>(
      `select declaration_id, count(*)::int as versions from ingestion.declarations where mrn like $1 group by declaration_id order by declaration_id`,
      [`${mrnPrefix}%`],
    );

  it('a streamed CSV body, then its typed .ods (and .xlsx) body: status duplicate, one version each; a changed amount is a new version', async () => {
    const csv = report(30, 'WBDUP1');
    const first = await h.http('POST', '/v1/documents?format=cds-report&filename=items.csv', csv, { contentType: 'text/csv' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ status: 'accepted', declarationsStored: 10, declarationsDuplicate: 0 });

    const ods = odsOf(table(csv), { typed: 'calc', repeats: true, padTo: { rows: 1_048_576, columns: 1024 } });
    // Really typed: number cells hold 100.5 where the CSV says "100.50", date cells ISO dates.
    const sheet = readFirstSheetOfWorkbook(ods).rows;
    expect(sheet[1]).toEqual(expect.arrayContaining([table(csv)[1]![8]!.replace(/0$/, ''), '2024-03-01']));
    expect(table(csv)[1]).toEqual(expect.arrayContaining(['01/03/2024']));
    const again = await h.http('POST', '/v1/documents?format=cds-report&filename=items.ods', ods, { contentType: 'application/vnd.oasis.opendocument.spreadsheet' });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    expect(again.body.declarations).toHaveLength(10);
    expect(again.body.declarations.every((d: { duplicate: boolean; version: number }) => d.duplicate && d.version === 1)).toBe(true);
    const xlsx = await h.http('POST', '/v1/documents?format=cds-report&filename=items.xlsx', xlsxOf(table(csv), '', { typed: 'excel' }), { contentType: 'application/octet-stream' });
    expect(xlsx.body.status).toBe('duplicate');
    const rows = await stored('26GBWBDUP1');
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.versions === 1)).toBe(true);
    const versions = await h.http('GET', `/v1/declarations/${rows[0]!.declaration_id}/versions`, undefined, { token: h.tokens.analyst });
    expect(versions.body.versions).toHaveLength(1);

    // One item price really changed (100.50 → 100.51): that entry gets a second version, the others stay duplicates.
    const t = table(csv);
    const price = t[0]!.indexOf('Item Price');
    const changedPrice = t[1]![price]!;
    t[1]![price] = changedPrice.replace(/\.50$/, '.51');
    const changed = await h.http('POST', '/v1/documents?format=cds-report&filename=items-2.ods', odsOf(t, { typed: 'calc' }), { contentType: 'application/octet-stream' });
    expect(changed.status).toBe(201);
    expect(changed.body.declarations.map((d: { mrn: string; version: number; duplicate: boolean }) => [d.mrn, d.version, d.duplicate]).filter((d: unknown[]) => !d[2])).toEqual([[t[1]![0], 2, false]]);
    expect((await stored('26GBWBDUP1')).map((r) => r.versions).sort()).toEqual([...Array(9).fill(1), 2]);
  });

  it('the joined CSV reports in a multipart upload, then their typed .ods, .xlsx and .fods: duplicates', async () => {
    const names = ['import-header.csv', 'import-item.csv', 'import-taxline.csv'];
    const upload = async (files: { name: string; content: Buffer }[]) => {
      const form = new FormData();
      form.append('format', 'cds-report');
      for (const f of files) form.append('files', new Blob([f.content]), f.name);
      const r = await h.http('POST', '/v1/uploads', form);
      expect(r.status).toBe(207);
      return r.body.files[0];
    };
    const first = await upload(names.map((n) => ({ name: n, content: fixture(n) })));
    expect(first).toMatchObject({ status: 'accepted' });
    expect(first.declarations).toHaveLength(2);
    const ids = first.declarations.map((d: { declarationId: string }) => d.declarationId);

    for (const [ext, write] of [
      ['ods', (t: string[][]) => odsOf(t, { typed: 'calc' })],
      ['xlsx', (t: string[][]) => xlsxOf(t, '', { typed: 'excel' })],
      ['fods', (t: string[][]) => fodsOf(t, { typed: 'calc' })],
    ] as const) {
      const typed = await upload(names.map((n) => ({ name: n.replace(/\.csv$/, `.${ext}`), content: write(table(fixture(n))) })));
      expect([ext, typed.status, typed.issues.filter((i: { severity: string }) => i.severity === 'error')]).toEqual([ext, 'duplicate', []]);
      expect(typed.declarations.map((d: { declarationId: string; version: number; duplicate: boolean }) => [d.declarationId, d.version, d.duplicate])).toEqual(ids.map((id: string) => [id, 1, true]));
    }
    const versions = await h.query<{ n: number }>(`select count(*)::int as n from ingestion.declarations where declaration_id = any($1)`, [ids]);
    expect(versions[0]!.n).toBe(2);
  });
});

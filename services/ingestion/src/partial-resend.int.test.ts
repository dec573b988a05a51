import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@customs/testing';
import { startIngestion, type IngestionHarness } from './__fixtures__/harness';

// packages/testing/fixtures/cds-reports' entries, keyed by MRN (as CDS reports of MRN-numbered
// declarations are) instead of EPU + entry number.
const MRN_A = '23GBPARTIAL0000011';
const MRN_B = '23GBPARTIAL0000022';
const fixture = (name: string) =>
  fs
    .readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/cds-reports', name), 'utf8')
    .replace(/^EPU,Entry Number,/m, 'MRN,')
    .replace(/^(Importer EORI),EPU,Entry Number,/m, 'MRN,$1,')
    .replace(/^120,000123A,/gm, `${MRN_A},`)
    .replace(/^120,000124B,/gm, `${MRN_B},`)
    .replace(/^(GB\d+),120,000123A,/gm, `${MRN_A},$1,`)
    .replace(/^(GB\d+),120,000124B,/gm, `${MRN_B},$1,`);

// Issue 11, defect 11 (integrity of the record), through the real service and Postgres: an item
// report re-sent alone lacks the header (importer, acceptance date) of the complete version stored
// from header + item + tax-line reports (and the tax lines, unless its Duty/VAT Paid columns give them). It used to become a new version
// with none of them — its findings vanished and the score went to 100. It is merged into the
// complete version instead: what it carries replaces, what it lacks is kept, with a warning.
describe('a partial re-send never replaces a complete version', () => {
  let h: IngestionHarness;
  beforeAll(async () => {
    h = await startIngestion('partial');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('merges an item report sent alone into the complete version, and a re-send of the same part is a duplicate', async () => {
    const form = new FormData();
    form.append('format', 'cds-report');
    for (const n of ['import-header.csv', 'import-item.csv', 'import-taxline.csv']) form.append('files', new Blob([fixture(n)]), n);
    const first = await h.http('POST', '/v1/uploads', form);
    expect(first.status).toBe(207);
    const decls = first.body.files[0].declarations as { declarationId: string; lrn: string }[];
    expect(decls).toHaveLength(2);
    const complete = (await h.http('GET', `/v1/declarations/${decls[0]!.declarationId}`)).body;
    expect(complete).toMatchObject({ version: 1, importerEori: 'GB553202734852', acceptanceDate: '2023-03-14' });
    const taxTypes = complete.items[0].taxLines.map((t: any) => t.taxType);
    expect(taxTypes).toEqual(['A00', 'B00']);

    // The item report alone, entry A's item 1 with a corrected description.
    const items = fixture('import-item.csv').replace('"Men\'s T-shirts, cotton"', '"Men\'s T-shirts, 100% cotton, knitted"');
    const resend = await h.http('POST', '/v1/documents?format=cds-report&filename=items-again.csv', items, { contentType: 'text/csv' });
    expect(resend.status).toBe(201);
    const [a, b] = resend.body.declarations as { declarationId: string; version: number; duplicate: boolean }[];
    expect(a).toMatchObject({ declarationId: decls[0]!.declarationId, version: 2, duplicate: false });
    // Entry B's items are unchanged: nothing new, so no new version.
    expect(b).toMatchObject({ declarationId: decls[1]!.declarationId, version: 1, duplicate: true });
    expect(resend.body.issues).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'PARTIAL_RESEND_MERGED',
        reason: expect.stringMatching(/lacks the acceptance date \(header report\), importer \(DE 3\/16\) of version 1, so it was merged into that version/),
      }),
    ]);
    const merged = (await h.http('GET', `/v1/declarations/${decls[0]!.declarationId}`)).body;
    expect(merged).toMatchObject({ version: 2, changeKind: 'resubmission', importerEori: 'GB553202734852', acceptanceDate: '2023-03-14', acceptanceDateSource: 'report' });
    expect(merged.items[0].description).toBe("Men's T-shirts, 100% cotton, knitted");
    expect(merged.items[0].taxLines.map((t: any) => t.taxType)).toEqual(taxTypes);
    expect(merged.items[0].taxLines).toEqual(complete.items[0].taxLines);
    expect(merged.items.map((i: any) => i.itemNumber)).toEqual(complete.items.map((i: any) => i.itemNumber));
    expect(merged.parties).toEqual(complete.parties);

    // The same partial file once more: recognised, no third version.
    const again = await h.http('POST', '/v1/documents?format=cds-report&filename=items-again.csv', items, { contentType: 'text/csv' });
    expect(again.body.declarations.map((d: any) => [d.version, d.duplicate])).toEqual([
      [2, true],
      [1, true],
    ]);
    const versions = (await h.http('GET', `/v1/declarations/${decls[0]!.declarationId}/versions`)).body.versions;
    expect(versions).toHaveLength(2);
  });
});

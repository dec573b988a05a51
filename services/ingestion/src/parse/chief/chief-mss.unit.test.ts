import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '@customs/testing';
import { SourceFormat } from '@customs/contracts';
import { parseChiefMss } from './chief-mss';

const fixture = fs.readFileSync(path.join(REPO_ROOT, 'packages/testing/fixtures/chief-mss/import-entry-item.csv'));

describe('CHIEF MSS import entry item report', () => {
  it('parses the team fixture: TURN → EORI, entry = EPU + entry no + entry date, items joined', async () => {
    const { declarations, issues } = await parseChiefMss(fixture, 'mss.csv');
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(declarations.map((d) => d.lrn)).toEqual(['CHIEF:120-012345K:2019-03-14', 'CHIEF:120-012345K:2020-12-02']);
    const [a, b] = declarations;
    expect(a).toMatchObject({
      mrn: '',
      importerEori: 'GB553202734000',
      acceptanceDate: '2019-03-14',
      acceptanceDateSource: 'report',
      sourceFormat: SourceFormat.SOURCE_FORMAT_CHIEF_MSS,
      functionCode: '9',
    });
    expect(a!.parties.map((p) => [p.role, p.id])).toEqual([
      ['importer', 'GB553202734000'],
      ['declarant', 'GB603202734000'],
      ['representative', 'GB603202734000'],
    ]);
    expect(
      a!.items.map((i) => [i.itemNumber, i.commodityCode, i.procedureCode, i.additionalProcedureCodes, i.originCountry, i.preference, i.customsValuePence, i.netMassKg, i.supplementaryUnits]),
    ).toEqual([
      [1, '6109100010', '4000', ['000'], 'BD', '100', 118020, '95.000', '1200'],
      [2, '6109100010', '4000', ['000'], 'BD', '300', 62944, '50.000', '640'],
    ]);
    expect(a!.items[1]!.documents).toEqual([
      { code: 'N935', reference: 'INV-7781', status: '', reason: '' },
      { code: 'N954', reference: 'GSP-A-19-0042', status: '', reason: '' },
    ]);
    expect(a!.items[0]!.taxLines.map((t) => [t.taxType, t.payablePence])).toEqual([
      ['A00', 14162],
      ['B00', 27600],
    ]);
    expect(a!.items[0]!.itemPrice).toEqual({ value: '1500.00', currency: 'USD' });
    // Same entry number, another day: another declaration (CFSP acceptance may precede entry date).
    expect(b).toMatchObject({ acceptanceDate: '2020-12-01' });
    expect(b!.items[0]!.commodityCode).toBe('8510900000');
    expect(a!.contentSha256).not.toBe(b!.contentSha256);
  });

  it('refuses a row without an entry date, naming row and column, and warns on a malformed TURN', async () => {
    const csv = 'Importer,EPU,Entry No,Entry Date,Acceptance Date,Item No,Commodity Code\n12345,120,000001A,,01/02/2020,1,6109100010\n12345,120,000002B,01/02/2020,01/02/2020,1,6109100010\n';
    const r = await parseChiefMss(Buffer.from(csv), 'x.csv');
    expect(r.declarations.map((d) => d.lrn)).toEqual(['CHIEF:120-000002B:2020-02-01']);
    expect(r.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, column: 'Entry Date', severity: 'error', code: 'INVALID_VALUE' }),
        expect.objectContaining({ row: 3, column: 'Importer', severity: 'warning', reason: '"12345" is not a 12-digit TURN' }),
      ]),
    );
  });
});

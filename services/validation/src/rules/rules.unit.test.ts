import { CommodityResult, Declaration, GoodsItem, Severity } from '@customs/contracts';
import { c01IdentifierFormat } from './c01-identifier-format';
import { c08CommodityValidity } from './c08-commodity-validity';
import { daysLeft, evaluateDeclaration, findingId, itemContext, referenceNeeds, statutoryDeadline } from './engine';
import type { ReferenceView } from './types';

const clean = () =>
  Declaration.fromPartial({
    tenantId: 't1',
    declarationId: 'd1',
    version: 1,
    mrn: '24GB1234567890ABC1',
    lrn: 'LRN1',
    acceptanceDate: '2024-03-15',
    parties: [
      { role: 'importer', id: 'GB553202734852' },
      { role: 'declarant', id: 'GB603202734852' },
    ],
    defermentAccounts: ['1108654'],
    items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '8510900000' })],
  });

const nomenclature: Record<string, Partial<CommodityResult>> = {
  '8510900000': { known: true, declarableOnDate: true, description: 'Parts', validityStart: '1972-01-01' },
  '8510000000': { known: true, declarableOnDate: false, description: 'Shavers (heading)', validityStart: '1972-01-01' },
  '6109100000': { known: true, declarableOnDate: true, description: 'T-shirts of cotton' },
};
const view: ReferenceView = {
  commodity: (code, date) => CommodityResult.fromPartial({ commodityCode: code, date, datasetVersion: 'nom@test', ...(nomenclature[code] ?? { known: false }) }),
  fx: () => undefined,
};
const ctx = (declaration: Declaration) => ({ declaration, reference: view, today: '2026-01-01' });

describe('C01 identifier formats', () => {
  it('stays silent on a clean declaration with GB EORIs, an 18-character MRN and a 7-digit DAN', () => {
    expect(c01IdentifierFormat.evaluate(ctx(clean()))).toEqual([]);
  });

  it('flags a non-GB EORI, a malformed MRN and a bad DAN, naming each', () => {
    const d = clean();
    d.parties[0]!.id = 'DE553202734854000';
    d.mrn = '24GB123';
    d.defermentAccounts = ['12345'];
    const [hit] = c01IdentifierFormat.evaluate(ctx(d));
    expect(hit!.severity).toBe(Severity.SEVERITY_LOW);
    expect(hit!.evidence.map((e) => e.field)).toEqual(['importer EORI', 'MRN', 'DE 2/6 deferment account (DAN)']);
    expect(hit!.evidence[0]!.note).toMatch(/not a GB\/XI EORI/);
  });

  it('calls an identifier that is not an EORI at all by that name', () => {
    const d = clean();
    d.parties[1]!.id = '12-34';
    expect(c01IdentifierFormat.evaluate(ctx(d))[0]!.evidence[0]!.note).toMatch(/not an EORI/);
  });
});

describe('C08 commodity code validity', () => {
  it('stays silent on a declarable leaf valid on the acceptance date, and on an item without a code', () => {
    const d = clean();
    d.items.push(GoodsItem.fromPartial({ itemNumber: 2, commodityCode: '' }));
    expect(c08CommodityValidity.evaluate(ctx(d))).toEqual([]);
  });

  it('checks an 8-digit code (no TARIC) as CN8 + 00', () => {
    const d = clean();
    d.items[0]!.commodityCode = '61091000';
    expect(c08CommodityValidity.evaluate(ctx(d))).toEqual([]);
    expect(c08CommodityValidity.needs!(d, d.items[0]!)).toEqual({ commodities: [{ code: '6109100000', date: '2024-03-15' }] });
  });

  it('flags an unknown code, a heading and a malformed code as HIGH with evidence', () => {
    const d = clean();
    d.items = ['4016995730', '8510000000', '85AB'].map((c, i) => GoodsItem.fromPartial({ itemNumber: i + 1, commodityCode: c }));
    const hits = c08CommodityValidity.evaluate(ctx(d));
    expect(hits.map((h) => [h.itemNumber, h.severity])).toEqual([
      [1, Severity.SEVERITY_HIGH],
      [2, Severity.SEVERITY_HIGH],
      [3, Severity.SEVERITY_HIGH],
    ]);
    expect(hits[0]!.explanation).toMatch(/4016995730 is not in the UK nomenclature/);
    expect(hits[1]!.explanation).toMatch(/not a declarable code on 2024-03-15/);
    expect(hits[2]!.explanation).toMatch(/"85AB" is not an 8- or 10-digit commodity code/);
    expect(hits[0]!.evidence.find((e) => e.field === 'reference.nomenclature')?.value).toBe('nom@test');
  });
});

describe('engine', () => {
  it('dates findings: acceptance date + 3 years, 29 February falling back to 28 February', () => {
    expect(statutoryDeadline('2024-03-15')).toBe('2027-03-15');
    expect(statutoryDeadline('2024-02-29')).toBe('2027-02-28');
    expect(statutoryDeadline('')).toBe('');
    expect(daysLeft('2027-03-15', '2027-03-01')).toBe(14);
    expect(daysLeft('2027-03-15', '2027-04-01')).toBe(-17);
  });

  it('stamps rule id/version, parties, deadline and reference versions, with deterministic ids', () => {
    const d = clean();
    d.items[0]!.commodityCode = '4016995730';
    const a = evaluateDeclaration([c01IdentifierFormat, c08CommodityValidity], d, view, '2026-01-01', '2026-01-01T00:00:00Z', { nomenclature: 'nom@test' });
    const b = evaluateDeclaration([c01IdentifierFormat, c08CommodityValidity], d, view, '2026-01-01', '2026-01-01T00:00:00Z', { nomenclature: 'nom@test' });
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({
      ruleId: 'C08',
      ruleVersion: '1.0.0',
      importerEori: 'GB553202734852',
      declarantId: 'GB603202734852',
      deadline: '2027-03-15',
      referenceVersions: { nomenclature: 'nom@test' },
      source: 'validation',
    });
    expect(a[0]!.findingId).toBe(b[0]!.findingId);
    expect(findingId('t1', 'd1', 2, 1, 'C08', '1.0.0', 0)).not.toBe(a[0]!.findingId);
  });

  it('carries the item’s commodity code, origin, CPC and supplier on its findings (none on header-level ones)', () => {
    const d = clean();
    d.items[0]!.commodityCode = '4016995730';
    d.items[0]!.originCountry = 'CN';
    d.items[0]!.procedureCode = '4000';
    d.items[0]!.additionalProcedureCodes = ['C07'];
    d.parties.push({ role: 'exporter', id: '', name: 'Shenzhen Parts Co', countryCode: 'CN' });
    const [f] = evaluateDeclaration([c08CommodityValidity], d, view, '2026-01-01', '2026-01-01T00:00:00Z', {});
    expect(f).toMatchObject({ commodityCode: '4016995730', originCountry: 'CN', cpc: '4000/C07', supplier: 'Shenzhen Parts Co' });
    d.items[0]!.parties = [{ role: 'seller', id: 'CN123', name: 'Seller', countryCode: 'CN' }];
    expect(itemContext(d, 1).supplier).toBe('CN123');
    expect(itemContext(d, 0)).toEqual({ commodityCode: '', originCountry: '', cpc: '', supplier: '' });
  });

  it('collects the reference lookups of a batch once each', () => {
    const d1 = clean();
    const d2 = { ...clean(), declarationId: 'd2' };
    expect(referenceNeeds([c08CommodityValidity], [d1, d2])).toEqual({ commodities: [{ code: '8510900000', date: '2024-03-15' }], fx: [], rates: [], codeLists: [] });
  });
});

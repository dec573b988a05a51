import { CommodityResult, Declaration, FxResult, GoodsItem, Severity, TaxLine } from '@customs/contracts';
import { RULES } from './index';
import { c04Mass } from './c04-mass';
import { c16PreferenceWithoutProof } from './c16-preference-without-proof';
import { c19PreferenceOrigin } from './c19-preference-origin';
import { c24Quota } from './c24-quota';
import { c28ValuationDocuments } from './c28-valuation-documents';
import { c33ProcedureAuthorisation } from './c33-procedure-authorisation';
import { c41PostponedVat } from './c41-postponed-vat';
import { adValoremDutyPence, adValoremRate, customsValuePence } from './pricing';
import type { ReferenceView } from './types';

const view: ReferenceView = {
  commodity: (code, date) => CommodityResult.fromPartial({ commodityCode: code, date, known: true, declarableOnDate: true, thirdCountryDuty: code.startsWith('6109') ? '12.00%' : code.startsWith('2204') ? '26.00 GBP/hl' : '', datasetVersion: 'ukgt@test' }),
  fx: (currency, date) => (currency === 'EUR' && date.startsWith('2023-01') ? FxResult.fromPartial({ currency, date, known: true, unitsPerGbp: '1.1652', period: '2023-01' }) : FxResult.fromPartial({ currency, date, known: false })),
};

function decl(item: Partial<GoodsItem>, header: Partial<Declaration> = {}): Declaration {
  return Declaration.fromPartial({ tenantId: 't', declarationId: 'd', version: 1, acceptanceDate: '2023-01-17', ...header, items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '6109100000', procedureCode: '4000', ...item })] });
}
const run = (rule: typeof RULES[number], d: Declaration) => rule.evaluate({ declaration: d, reference: view, today: '2026-01-01' });

describe('rule metadata', () => {
  it('every rule declares its catalogue metadata', () => {
    for (const r of RULES) {
      expect(r.meta.id).toMatch(/^C\d{2}$/);
      expect(r.meta.version).toMatch(/^\d+\.\d+\.\d+$/);
      for (const k of ['title', 'legalBasis', 'severityLogic', 'pricing', 'correctionRoute', 'businessRule'] as const) expect(r.meta[k].length).toBeGreaterThan(5);
      expect(r.meta.dataElements.length).toBeGreaterThan(0);
    }
    expect(new Set(RULES.map((r) => r.meta.id)).size).toBe(RULES.length);
  });
});

describe('pricing helpers', () => {
  it('converts an invoice price with the HMRC monthly rate and rounds duty down to the penny', () => {
    const d = decl({ itemPrice: { value: '1234.57', currency: 'EUR' } });
    const cv = customsValuePence(d, d.items[0]!, view)!;
    expect(cv.pence).toBe(105953); // 1234.57 / 1.1652 = 1059.53… → £1,059.53
    expect(adValoremDutyPence(123457, adValoremRate('12%')!)).toBe(14814); // £148.1484 → £148.14
    expect(adValoremRate('8.00% + 22.00 GBP/100kg')).toBeUndefined();
  });
});

describe('C04 mass', () => {
  it('flags net > gross and zero net mass on valued goods; silent otherwise', () => {
    expect(run(c04Mass, decl({ netMassKg: '10', grossMassKg: '12' }))).toEqual([]);
    expect(run(c04Mass, decl({ netMassKg: '15', grossMassKg: '12' }))[0]!.explanation).toMatch(/net mass 15 kg exceeds gross mass 12 kg/);
    expect(run(c04Mass, decl({ netMassKg: '0', itemPrice: { value: '100', currency: 'GBP' } }))).toHaveLength(1);
  });
});

describe('C16 preference without proof', () => {
  it('is silent with a statement on origin (U110) or without a preference claim', () => {
    expect(run(c16PreferenceWithoutProof, decl({ preference: '300', documents: [{ code: 'U110', reference: 'x', status: 'AE', reason: '' }] }))).toEqual([]);
    expect(run(c16PreferenceWithoutProof, decl({ preference: '100' }))).toEqual([]);
  });

  it('prices the lost preference at the MFN ad valorem rate on the converted customs value', () => {
    const [hit] = run(c16PreferenceWithoutProof, decl({ preference: '300', preferentialOrigin: 'DE', itemPrice: { value: '1234.57', currency: 'EUR' }, documents: [{ code: 'N935', reference: 'inv', status: 'AC', reason: '' }] }));
    expect(hit!.severity).toBe(Severity.SEVERITY_HIGH);
    expect(hit!.exposureDutyPence).toBe(adValoremDutyPence(105953, adValoremRate('12.00%')!)); // 12% of £1,059.53 = £127.14
    expect(hit!.exposureDutyPence).toBe(12714);
    expect(hit!.explanation).toMatch(/12\.00% of £1,059\.53 = £127\.14/);
  });

  it('subtracts duty actually paid, and says when it cannot price', () => {
    const paid = TaxLine.fromPartial({ taxType: 'A00', payablePence: 5000, traderDeclared: true });
    expect(run(c16PreferenceWithoutProof, decl({ preference: '300', itemPrice: { value: '1000', currency: 'GBP' }, taxLines: [paid] }))[0]!.exposureDutyPence).toBe(12000 - 5000);
    const wine = run(c16PreferenceWithoutProof, decl({ commodityCode: '2204109400', preference: '300', itemPrice: { value: '2000', currency: 'GBP' } }))[0]!;
    expect(wine.exposureDutyPence ?? 0).toBe(0);
    expect(wine.explanation).toMatch(/Not priced: the third-country duty "26.00 GBP\/hl" is not a simple ad valorem rate/);
  });
});

describe('C19, C24, C28, C33, C41', () => {
  it('C19 flags a 3xx claim without DE 5/16 only', () => {
    expect(run(c19PreferenceOrigin, decl({ preference: '300', preferentialOrigin: 'JP' }))).toEqual([]);
    expect(run(c19PreferenceOrigin, decl({ preference: '300' }))[0]!.severity).toBe(Severity.SEVERITY_MEDIUM);
  });

  it('C24 flags a quota order number with a non-quota preference', () => {
    expect(run(c24Quota, decl({ preference: '320', quotaOrderNumber: '051234' }))).toEqual([]);
    expect(run(c24Quota, decl({ preference: '300', quotaOrderNumber: '051234' }))[0]!.explanation).toMatch(/quota order 051234 with preference 300/);
  });

  it('C28 wants an invoice for methods 1–3 and a 9WKS worksheet for 4–5', () => {
    expect(run(c28ValuationDocuments, decl({ valuationMethod: '1', documents: [{ code: 'N935', reference: 'i', status: 'AC', reason: '' }] }))).toEqual([]);
    expect(run(c28ValuationDocuments, decl({ valuationMethod: '1' }))[0]!.explanation).toMatch(/no invoice/);
    expect(run(c28ValuationDocuments, decl({ valuationMethod: '4', documents: [{ code: 'N935', reference: 'i', status: 'AC', reason: '' }] }))[0]!.explanation).toMatch(/no valuation worksheet \(9WKS\)/);
  });

  it('C33 wants an authorisation for inward processing unless claimed by declaration', () => {
    expect(run(c33ProcedureAuthorisation, decl({ procedureCode: '5100' }))[0]!.explanation).toMatch(/inward processing \(procedure 5100\)/);
    expect(run(c33ProcedureAuthorisation, decl({ procedureCode: '5100', documents: [{ code: 'C601', reference: 'GBIPO123', status: 'AE', reason: '' }] }))).toEqual([]);
    expect(run(c33ProcedureAuthorisation, decl({ procedureCode: '5100' }, { additionalInformation: [{ code: '00100', text: '' }] }))).toEqual([]);
    expect(run(c33ProcedureAuthorisation, decl({ procedureCode: '4000' }))).toEqual([]);
  });

  it('C41 wants an FR1 VAT number when VAT is postponed', () => {
    const pva = TaxLine.fromPartial({ taxType: 'B00', methodOfPayment: 'G', payablePence: 24000 });
    expect(run(c41PostponedVat, decl({ taxLines: [pva] }, { fiscalReferences: [{ role: 'FR1', vatId: 'GB553202734' }] }))).toEqual([]);
    const [hit] = run(c41PostponedVat, decl({ taxLines: [pva] }));
    expect(hit).toMatchObject({ itemNumber: 0, exposureVatPence: 24000, severity: Severity.SEVERITY_HIGH });
  });
});

import { CommodityResult, Declaration, FxResult, GoodsItem, Severity, TaxLine } from '@customs/contracts';
import { RULES } from './index';
import { c04Mass } from './c04-mass';
import { c05InvoiceTotals } from './c05-invoice-totals';
import { c26FreightAdditions } from './c26-freight-additions';
import { c27PostArrivalCosts } from './c27-post-arrival-costs';
import { c29RelatedParty } from './c29-related-party';
import { c32ReturnedGoods } from './c32-returned-goods';
import { c36OprWorksheet } from './c36-opr-worksheet';
import { c16PreferenceWithoutProof } from './c16-preference-without-proof';
import { c19PreferenceOrigin } from './c19-preference-origin';
import { c24Quota } from './c24-quota';
import { c28ValuationDocuments } from './c28-valuation-documents';
import { c33ProcedureAuthorisation } from './c33-procedure-authorisation';
import { c41PostponedVat } from './c41-postponed-vat';
import { adValoremDutyPence, adValoremRate, customsValuePence } from './pricing';
import type { ReferenceView } from './types';

const view: ReferenceView = {
  commodity: (code, date) =>
    CommodityResult.fromPartial({
      commodityCode: code,
      date,
      known: true,
      declarableOnDate: true,
      thirdCountryDuty: code.startsWith('6109') ? '12.00%' : code.startsWith('2204') ? '26.00 GBP/hl' : '',
      datasetVersion: 'ukgt@test',
    }),
  fx: (currency, date) =>
    currency === 'EUR' && date.startsWith('2023-01')
      ? FxResult.fromPartial({ currency, date, known: true, unitsPerGbp: '1.1652', period: '2023-01' })
      : FxResult.fromPartial({ currency, date, known: false }),
};

function decl(item: Partial<GoodsItem>, header: Partial<Declaration> = {}): Declaration {
  return Declaration.fromPartial({
    tenantId: 't',
    declarationId: 'd',
    version: 1,
    acceptanceDate: '2023-01-17',
    ...header,
    items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode: '6109100000', procedureCode: '4000', ...item })],
  });
}
const run = (rule: (typeof RULES)[number], d: Declaration) => rule.evaluate({ declaration: d, reference: view, today: '2026-01-01' });

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
    const [hit] = run(
      c16PreferenceWithoutProof,
      decl({ preference: '300', preferentialOrigin: 'DE', itemPrice: { value: '1234.57', currency: 'EUR' }, documents: [{ code: 'N935', reference: 'inv', status: 'AC', reason: '' }] }),
    );
    expect(hit!.severity).toBe(Severity.SEVERITY_HIGH);
    expect(hit!.exposureDutyPence).toBe(adValoremDutyPence(105953, adValoremRate('12.00%')!)); // 12% of £1,059.53 = £127.14
    expect(hit!.exposureDutyPence).toBe(12714);
    expect(hit!.explanation).toMatch(/third-country 12% of £1,059\.53 \(item price 1234\.57 EUR at HMRC rate 1\.1652 per £ \(2023-01\)\) = £127\.14 \(measure 103 1011 "12\.00%", rounded down/);
  });

  it('subtracts duty actually paid, and says when it cannot price', () => {
    const paid = TaxLine.fromPartial({ taxType: 'A00', payablePence: 5000, traderDeclared: true });
    expect(run(c16PreferenceWithoutProof, decl({ preference: '300', itemPrice: { value: '1000', currency: 'GBP' }, taxLines: [paid] }))[0]!.exposureDutyPence).toBe(12000 - 5000);
    const wine = run(c16PreferenceWithoutProof, decl({ commodityCode: '2204109400', preference: '300', itemPrice: { value: '2000', currency: 'GBP' } }))[0]!;
    expect(wine.exposureDutyPence ?? 0).toBe(0);
    // The duty engine knows the per-hl form; what is missing is the quantity in litres.
    expect(wine.explanation).toMatch(/Not priced: the duty "26.00 GBP\/hl" \(measure 103 1011\) cannot be priced from the data: .*no quantity in litres/);
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
    expect(run(c28ValuationDocuments, decl({ valuationMethod: '4', documents: [{ code: 'N935', reference: 'i', status: 'AC', reason: '' }] }))[0]!.explanation).toMatch(
      /no valuation worksheet \(9WKS\)/,
    );
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

describe('C05, C26, C27, C29, C32, C36', () => {
  it('C05 reconciles the invoice total with the item prices in the same currency', () => {
    const two = (total: string) =>
      Declaration.fromPartial({
        acceptanceDate: '2023-01-17',
        invoiceAmount: { value: total, currency: 'EUR' },
        items: [GoodsItem.fromPartial({ itemNumber: 1, itemPrice: { value: '100.10', currency: 'EUR' } }), GoodsItem.fromPartial({ itemNumber: 2, itemPrice: { value: '50', currency: 'EUR' } })],
      });
    expect(run(c05InvoiceTotals, two('150.10'))).toEqual([]);
    expect(run(c05InvoiceTotals, two('175.10'))[0]!.explanation).toMatch(/differs from the sum of the item prices 150.10 EUR by 25.00 EUR: part of the invoice may not be declared/);
    const mixed = two('999');
    mixed.items[1]!.itemPrice = { value: '50', currency: 'USD' };
    expect(run(c05InvoiceTotals, mixed)).toEqual([]); // different currencies: CDS rejects those itself
  });

  it('C26 wants freight additions on E/F terms only', () => {
    expect(run(c26FreightAdditions, decl({}, { incoterm: 'CIF' }))).toEqual([]);
    expect(run(c26FreightAdditions, decl({ adjustments: [{ code: 'AK', amount: { value: '120', currency: 'GBP' } }] }, { incoterm: 'FOB' }))).toEqual([]);
    expect(run(c26FreightAdditions, decl({}, { incoterm: 'FOB', deliveryLocation: 'CNSHA' }))[0]!.explanation).toMatch(/bought FOB but no freight\/insurance addition/);
  });

  it('C27 points out D-term prices without a post-arrival deduction (a reclaim)', () => {
    expect(run(c27PostArrivalCosts, decl({}, { incoterm: 'DDP' }))[0]!.severity).toBe(Severity.SEVERITY_LOW);
    expect(run(c27PostArrivalCosts, decl({ adjustments: [{ code: 'BA', amount: { value: '80', currency: 'GBP' } }] }, { incoterm: 'DDP' }))).toEqual([]);
    expect(run(c27PostArrivalCosts, decl({}, { incoterm: 'CIF' }))).toEqual([]);
  });

  it('C29 flags related parties without royalty additions; silent on 0000', () => {
    expect(run(c29RelatedParty, decl({ valuationIndicators: '0000' }))).toEqual([]);
    expect(run(c29RelatedParty, decl({ valuationIndicators: '1000' }))[0]!.evidence[0]!.note).toBe('related parties');
    expect(run(c29RelatedParty, decl({ valuationIndicators: '1000', adjustments: [{ code: 'AI', amount: { value: '10', currency: 'GBP' } }] }))).toEqual([]);
  });

  it('C32 wants the export MRN or an INF3 for returned goods, and prices the relief at risk', () => {
    const rgr = decl({ procedureCode: '6110', itemPrice: { value: '1000', currency: 'GBP' } });
    const [hit] = run(c32ReturnedGoods, rgr);
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureDutyPence: 12000 });
    expect(run(c32ReturnedGoods, decl({ procedureCode: '6110', previousDocuments: [{ category: 'Z', type: 'MRN', reference: '23GB1234567890ABC1', line: '1' }] }))).toEqual([]);
    expect(run(c32ReturnedGoods, decl({ procedureCode: '4000', additionalProcedureCodes: ['F01'], documents: [{ code: 'C605', reference: 'INF3-1', status: 'AE', reason: '' }] }))).toEqual([]);
  });

  it('C32 checks what the cited export is: an MRN, not the entry’s own, not later than the re-import; no placeholder, no bare word', () => {
    const citing = (type: string, reference: string, header: Partial<Declaration> = {}) =>
      run(c32ReturnedGoods, decl({ procedureCode: '6110', itemPrice: { value: '1000', currency: 'GBP' }, previousDocuments: [{ category: 'Z', type, reference, line: '1' }] }, header));
    const why = (hits: ReturnType<typeof citing>) => hits[0]?.evidence[1]?.note;
    expect(why(citing('MRN', 'N/A'))).toBe('no usable export reference: "N/A" is a placeholder, not a reference');
    expect(why(citing('MRN', 'EXPORTED-LAST-YEAR'))).toMatch(/"EXPORTED-LAST-YEAR" is not an MRN \(18 characters/);
    expect(why(citing('830', '23GB1234567890ABC1', { mrn: '23GB1234567890ABC1' }))).toBe("no usable export reference: 23GB1234567890ABC1 is this entry's own MRN, not the export's");
    expect(citing('MRN', '25GB1234567890ABC1', { acceptanceDateSource: 'received' })).toEqual([]); // only the day received: not compared
    expect(why(citing('MRN', '25GB1234567890ABC1', { acceptanceDateSource: 'declared' }))).toBe(
      'no usable export reference: 25GB1234567890ABC1 was issued in 2025, after this re-import (2023): it cannot be the earlier export',
    );
    expect(why(citing('EXP', 'SEE FILE'))).toBe('no usable export reference: "SEE FILE" has no number: not a reference to an export entry');
    expect(citing('MRN', '25GB1234567890ABC1', { acceptanceDateSource: 'declared' })[0]!.explanation).toMatch(
      /^Item 1 claims returned goods relief without evidence of the export: what it cites is not the export \(25GB1234567890ABC1 was issued in 2025/,
    );
    // What is evidence: an earlier export MRN, lower case keyed; a CHIEF export entry.
    expect(citing('MRN', '22gb1234567890abc1')).toEqual([]);
    expect(citing('EXP', '120-123456A 2021-05-02')).toEqual([]);
    // One usable citation among refused ones is enough.
    expect(
      run(
        c32ReturnedGoods,
        decl({
          procedureCode: '6110',
          previousDocuments: [
            { category: 'Z', type: 'MRN', reference: 'N/A', line: '1' },
            { category: 'Z', type: 'MRN', reference: '22GB1234567890ABC1', line: '2' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('C36 wants a 9WKS worksheet on OPR re-imports', () => {
    expect(run(c36OprWorksheet, decl({ procedureCode: '6121' }))).toHaveLength(1);
    expect(run(c36OprWorksheet, decl({ procedureCode: '6121', documents: [{ code: '9WKS', reference: 'C&E1154', status: 'AE', reason: '' }] }))).toEqual([]);
  });
});

import { Severity, type Declaration } from '@customs/contracts';
import { IMPORTER, a00, b00, declaration, item } from './__fixtures__/declarations';
import { fixedReferenceView } from './__fixtures__/reference';
import { c17NonPartnerOrigin } from './c17-non-partner-origin';
import { c18ProofNotAccepted } from './c18-proof-not-accepted';
import { c21MissedPreference } from './c21-missed-preference';
import { c22MissedDcts } from './c22-missed-dcts';
import { c25IndirectDispatch } from './c25-indirect-dispatch';
import { c38VatRate } from './c38-vat-rate';
import { c39VatValue } from './c39-vat-value';
import { c40PostponedVatNotUsed } from './c40-postponed-vat-not-used';
import type { Rule } from './types';

const reference = fixedReferenceView();
const run = (rule: Rule, d: Declaration, today = '2023-01-01') => rule.evaluate({ declaration: d, reference, today });
const statementOnOrigin = { code: 'U110', reference: 'SOO-2023-0117', status: 'AE', reason: '' };
const invoice = { code: 'N935', reference: 'INV-2023-0117', status: 'AC', reason: '' };

// EU-origin T-shirts with a valid TCA claim: the clean preference case.
const tshirtsDE = (partial: Parameters<typeof item>[0] = {}) =>
  declaration([item({ originCountry: 'DE', dispatchCountry: 'DE', preference: '300', preferentialOrigin: 'DE', documents: [invoice, statementOnOrigin], taxLines: [a00(0, 500000)], ...partial })]);
const tomatoes = (partial: Parameters<typeof item>[0]) =>
  declaration([item({ commodityCode: '0702000007', description: 'Cherry tomatoes, fresh', supplementaryUnits: '', additionalCodes: ['VATZ'], ...partial })], { acceptanceDate: '2021-03-15' });

describe('C17 preference for a non-partner origin', () => {
  it('is silent on a TCA claim for German origin', () => {
    expect(run(c17NonPartnerOrigin, tshirtsDE())).toEqual([]);
  });

  it('flags a 300 claim for Chinese origin and prices the MFN duty (12 % of £5,000)', () => {
    const [hit] = run(c17NonPartnerOrigin, declaration([item({ preference: '300', preferentialOrigin: 'CN', documents: [invoice, statementOnOrigin], taxLines: [a00(0, 500000)] })]));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureDutyPence: 60000 });
    expect(hit!.explanation).toMatch(/^Item 1 claims preference 300, but CN is not covered by any UK preference scheme on 2023-01-17\./);
  });

  it('flags an origin in a scheme whose tariff has no preferential measure for the code', () => {
    const d = tomatoes({ originCountry: 'US', preference: '300', preferentialOrigin: 'US', taxLines: [a00(0, 1000000)] });
    const view = fixedReferenceView({
      rates: {
        '0702000007|US': {
          known: true,
          unknownReason: '',
          preferential: [],
          suspensions: [],
          tradeRemedies: [],
          vat: [],
          supplementaryUnit: '',
          schemes: [{ id: 'x', name: 'X', proofDocumentCodes: [], validFrom: '', validTo: '' }],
          datasetVersion: 't',
          measuresLoaded: true,
          thirdCountry: { measureType: '103', geographicalArea: '1011', expression: '8.00%', taxType: 'A00', additionalCode: '', validFrom: '', validTo: '', datasetVersion: 't' },
        },
      },
    });
    const [hit] = c17NonPartnerOrigin.evaluate({ declaration: d, reference: view, today: '2023-01-01' });
    expect(hit).toMatchObject({ exposureDutyPence: 80000 });
    expect(hit!.explanation).toMatch(/no preferential \(142\) measure for 0702000007 from US/);
  });
});

describe('C18 proof not accepted by the agreement', () => {
  it('is silent with a statement on origin for the TCA, and without any proof (C16’s case)', () => {
    expect(run(c18ProofNotAccepted, tshirtsDE())).toEqual([]);
    expect(run(c18ProofNotAccepted, tshirtsDE({ documents: [invoice] }))).toEqual([]);
  });

  it('flags an EUR.1 cited for a TCA claim', () => {
    const [hit] = run(c18ProofNotAccepted, tshirtsDE({ documents: [invoice, { code: 'N954', reference: 'EUR1-778', status: 'AE', reason: '' }] }));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureDutyPence: 60000 });
    expect(hit!.explanation).toMatch(/on N954 but UK \/ EU Trade and Co-operation Agreement accepts only U110, U111, U112/);
  });
});

describe('C21 missed trade-agreement preference', () => {
  it('is silent when the preference was claimed, and for origins without a scheme', () => {
    expect(run(c21MissedPreference, tomatoes({ originCountry: 'FR', preference: '300', preferentialOrigin: 'FR', taxLines: [a00(0, 10000000)] }))).toEqual([]);
    expect(run(c21MissedPreference, tomatoes({ originCountry: 'US', taxLines: [a00(800000, 10000000)] }))).toEqual([]);
  });

  it('reclaims £8,000 on £100,000 of EU cherry tomatoes entered at MFN (DOMAIN.md §4.1 example)', () => {
    const [hit] = run(c21MissedPreference, tomatoes({ originCountry: 'FR', taxLines: [a00(800000, 10000000)] }));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 800000 });
    expect(hit!.remediation).toMatch(/\(U110, U111, U112\).*basis "Preferential rate of duty"/);
    expect(run(c22MissedDcts, tomatoes({ originCountry: 'FR', taxLines: [a00(800000, 10000000)] }))).toEqual([]);
  });

  it('assumes MFN was charged on preference 100 when the data has no tax lines', () => {
    const d = tomatoes({ originCountry: 'FR', customsValuePresent: true, customsValuePence: 10000000 });
    expect(run(c21MissedPreference, d)[0]!.reclaimDutyPence).toBe(800000);
  });
});

describe('C22 missed GSP/DCTS preference', () => {
  it('reclaims 12 % on Bangladeshi T-shirts entered at MFN under GSP (LDC 0 %)', () => {
    const d = declaration([item({ originCountry: 'BD', dispatchCountry: 'BD', taxLines: [a00(120000, 1000000)] })]);
    const [hit] = run(c22MissedDcts, d);
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 120000 });
    expect(run(c21MissedPreference, d)).toEqual([]);
  });

  it('is silent when the GSP preference was claimed', () => {
    expect(run(c22MissedDcts, declaration([item({ originCountry: 'BD', preference: '200', preferentialOrigin: 'BD', taxLines: [a00(0, 1000000)] })]))).toEqual([]);
  });
});

describe('C25 dispatched from outside the agreement area', () => {
  it('is silent when EU goods are dispatched from another member state', () => {
    expect(run(c25IndirectDispatch, tomatoes({ originCountry: 'FR', preferentialOrigin: 'FR', dispatchCountry: 'ES', preference: '300', taxLines: [a00(0, 1000000)] }))).toEqual([]);
  });

  it('flags Japanese-origin goods claimed under the CEPA but dispatched from the Netherlands', () => {
    const [hit] = run(c25IndirectDispatch, tomatoes({ originCountry: 'JP', preferentialOrigin: 'JP', dispatchCountry: 'NL', preference: '300', taxLines: [a00(0, 1000000)] }));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM });
    expect(hit!.exposureDutyPence ?? 0).toBe(0); // advisory: stated, not booked
    expect(hit!.explanation).toMatch(/Preference at stake: £800.00\.$/);
  });
});

describe('C38 VAT rate', () => {
  it('is silent at 20 % for T-shirts and 0 % for zero-rated tomatoes (VATZ)', () => {
    expect(run(c38VatRate, declaration([item({ taxLines: [a00(12000, 100000), b00(22400, 112000)] })]))).toEqual([]);
    expect(run(c38VatRate, tomatoes({ originCountry: 'US', taxLines: [a00(8000, 100000), b00(0, 108000, '0.00')] }))).toEqual([]);
  });

  it('flags T-shirts charged 5 % VAT (underpaid) and zero-rated food charged 20 % (overpaid)', () => {
    const [under] = run(c38VatRate, declaration([item({ taxLines: [a00(12000, 100000), b00(5600, 112000, '5.00')] })]));
    expect(under).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureVatPence: 16800 }); // 20 % of £1,120 = £224 − £56
    const [over] = run(c38VatRate, tomatoes({ originCountry: 'US', taxLines: [a00(8000, 100000), b00(21600, 108000)] }));
    expect(over).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimVatPence: 21600 });
  });
});

describe('C39 VAT value', () => {
  const cv = { customsValuePresent: true, customsValuePence: 100000 };

  it('is silent when VAT value = customs value + duty (+ AV)', () => {
    expect(run(c39VatValue, declaration([item({ ...cv, taxLines: [a00(12000, 100000), b00(22400, 112000)] })]))).toEqual([]);
    // AV 116.52 EUR at 1.1652 = £100.00 of UK inland transport in the VAT value.
    expect(run(c39VatValue, declaration([item({ ...cv, adjustments: [{ code: 'AV', amount: { value: '116.52', currency: 'EUR' } }], taxLines: [a00(12000, 100000), b00(24400, 122000)] })]))).toEqual(
      [],
    );
  });

  it('apportions a header-level AV by item price', () => {
    // AV £30 over prices £200 + £100: £20 and £10.
    const two = declaration(
      [
        item({ ...cv, itemPrice: { value: '200.00', currency: 'GBP' }, taxLines: [a00(12000, 100000), b00(22800, 114000)] }),
        item({ itemNumber: 2, ...cv, itemPrice: { value: '100.00', currency: 'GBP' }, taxLines: [a00(12000, 100000), b00(22400, 112000)] }),
      ],
      { adjustments: [{ code: 'AV', amount: { value: '30.00', currency: 'GBP' } }] },
    );
    const hits = run(c39VatValue, two);
    expect(hits.map((h) => [h.itemNumber, h.exposureVatPence ?? 0, h.reclaimVatPence ?? 0])).toEqual([[2, 200, 0]]); // item 2 left out its £10 share
  });

  // DMS declarations (HMRC sample TT_IM001a and most others) state no customs value.
  it('computes the customs value when none is declared: item price + DE 4/9 additions at the HMRC rate', () => {
    const d = declaration([
      item({
        customsValuePresent: false,
        customsValuePence: 0,
        itemPrice: { value: '900.00', currency: 'GBP' },
        adjustments: [{ code: 'AP', amount: { value: '100.00', currency: 'GBP' } }],
        taxLines: [a00(12000, 100000), b00(20000, 100000)],
      }),
    ]);
    const [hit] = run(c39VatValue, d);
    expect(hit).toMatchObject({ exposureVatPence: 2400 });
    expect(hit!.evidence.find((e) => e.field === 'customs value')).toMatchObject({ value: '£1,000.00', note: expect.stringMatching(/^computed: /) });
  });

  it('records the item as not checked when no customs value is declared and none can be computed', () => {
    const unknown: [number, string][] = [];
    const d = declaration([item({ customsValuePresent: false, customsValuePence: 0, itemPrice: { value: '900.00', currency: 'XAU' }, taxLines: [a00(12000, 100000), b00(20000, 100000)] })]);
    expect(c39VatValue.evaluate({ declaration: d, reference, today: '2023-01-01', notChecked: (i, r) => unknown.push([i, r]) })).toEqual([]);
    expect(unknown.map(([i, r]) => [i, /^no customs value is declared and it cannot be computed/.test(r)])).toEqual([[1, true]]);
  });

  it('flags a VAT value that leaves the duty out: VAT 20 % of £120 underpaid', () => {
    const [hit] = run(c39VatValue, declaration([item({ ...cv, taxLines: [a00(12000, 100000), b00(20000, 100000)] })]));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureVatPence: 2400 });
    expect(hit!.explanation).toBe(
      'Item 1: the VAT value £1,000.00 should be £1,120.00 (customs value + duty + excise + AV); it is understated by £120.00, so VAT at B00 rate declared 20% is underpaid by £24.00.',
    );
  });
});

describe('C40 postponed VAT not used', () => {
  it('is silent when VAT is postponed, or when nothing shows the importer is VAT-registered', () => {
    expect(run(c40PostponedVatNotUsed, declaration([item({ taxLines: [b00(22400, 112000)] })]))).toEqual([]);
    expect(run(c40PostponedVatNotUsed, declaration([item({ taxLines: [b00(22400, 112000, '20.00', 'E')] })], { fiscalReferences: [] }))).toEqual([]);
  });

  it('flags VAT paid by deferment by an importer with an FR1 VAT number, LOW and not booked', () => {
    const [hit] = run(c40PostponedVatNotUsed, declaration([item({ taxLines: [b00(22400, 112000, '20.00', 'E')] })]));
    expect(hit).toMatchObject({ itemNumber: 0, severity: Severity.SEVERITY_LOW });
    expect(hit!.exposureVatPence ?? 0).toBe(0);
    expect(hit!.explanation).toMatch(/^£224.00 of import VAT was paid at the border \(method E\)/);
  });

  it('recognises a VAT-based GB EORI without FR1', () => {
    const d = declaration([item({ taxLines: [b00(22400, 112000, '20.00', 'A')] })], {
      fiscalReferences: [],
      importerEori: 'GB553202734000',
      parties: [{ role: 'importer', id: 'GB553202734000', name: '', countryCode: 'GB' }],
    });
    expect(run(c40PostponedVatNotUsed, d)[0]!.evidence[0]!.value).toBe('EORI GB553202734000 is built on a VAT number');
    expect(IMPORTER).not.toMatch(/000$/);
  });
});

describe('postponed VAT reported without its amount (CDS item report: VAT Paid 0)', () => {
  it('C38 and C39 do not read the 0 as VAT not charged', () => {
    const postponed = b00(0, 112000);
    expect(run(c38VatRate, declaration([item({ taxLines: [a00(12000, 100000), postponed] })]))).toEqual([]);
    // A rate declared against the tariff can still be compared, unpriced.
    expect(run(c38VatRate, declaration([item({ taxLines: [a00(12000, 100000), b00(0, 112000, '5.00')] })]))[0]).toMatchObject({ severity: Severity.SEVERITY_LOW });
    // VAT value missing the duty: priced on the difference alone (20 % of £120).
    const [hit] = run(c39VatValue, declaration([item({ customsValuePresent: true, customsValuePence: 100000, taxLines: [a00(12000, 100000), b00(0, 100000)] })]));
    expect(hit!.exposureVatPence).toBe(2400);
  });
});

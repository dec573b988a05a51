import { Severity, SourceFormat } from '@customs/contracts';
import { BROKER, IMPORTER, a00, b00, declaration, item } from './__fixtures__/declarations';
import { fixedReferenceView } from './__fixtures__/reference';
import { c02UnknownDeclarant } from './c02-unknown-declarant';
import { c03UnreconcilableItem } from './c03-unreconcilable-item';
import { c06CustomsValueFx } from './c06-customs-value-fx';
import { c07ZeroValue } from './c07-zero-value';
import { c12VagueDescription } from './c12-vague-description';
import { c26FreightAdditions } from './c26-freight-additions';
import { c31KeyingErrors } from './c31-keying-errors';
import { c41PostponedVat } from './c41-postponed-vat';
import type { ReferenceView, Rule } from './types';
import type { Declaration } from '@customs/contracts';

const reference = fixedReferenceView();
const run = (rule: Rule, d: Declaration, today = '2023-06-01', view: ReferenceView = reference) => rule.evaluate({ declaration: d, reference: view, today });

describe('C02 declared in the importer’s name without representation', () => {
  it('is silent with direct representation, and when the importer declares itself', () => {
    expect(run(c02UnknownDeclarant, declaration([item()]))).toEqual([]);
    expect(
      run(
        c02UnknownDeclarant,
        declaration([item()], {
          representativeStatus: '',
          parties: [
            { role: 'importer', id: IMPORTER, name: '', countryCode: 'GB' },
            { role: 'declarant', id: IMPORTER, name: '', countryCode: 'GB' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('flags a broker declaring without DE 3/21, stating the tax charged in the importer’s name', () => {
    const d = declaration([item({ taxLines: [a00(12000, 100000), b00(22400, 112000)] })], { representativeStatus: '' });
    const [hit] = run(c02UnknownDeclarant, d);
    expect(hit).toMatchObject({ itemNumber: 0, severity: Severity.SEVERITY_MEDIUM });
    expect(hit!.exposureDutyPence ?? 0).toBe(0); // duty already paid is a liability, not an underpayment
    expect(hit!.explanation).toBe(
      `${BROKER} declared this entry in the name of importer ${IMPORTER} without declaring a representation status. The importer is liable for the £344.00 of duty and VAT charged on it.`,
    );
  });

  // HMRC sample TT_IM001a with the importer EORI mistyped: AI 00500 says the importer declared
  // itself, so a differing declarant EORI is a keying slip (C01), not an agent without status.
  it('is silent, and says why it could not decide, when AI 00500 states the importer is the declarant', () => {
    const unknown: [number, string][] = [];
    const hits = c02UnknownDeclarant.evaluate({
      declaration: declaration([item()], { representativeStatus: '', additionalInformation: [{ code: '00500', text: 'IMPORTER' }] }),
      reference,
      today: '2023-06-01',
      notChecked: (i, r) => unknown.push([i, r]),
    });
    expect(hits).toEqual([]);
    expect(unknown).toEqual([
      [0, 'DE 2/2 AI 00500 states the importer is the declarant, but the declarant EORI differs from the importer EORI: which id is mistyped cannot be told from the declaration'],
    ]);
  });

  it('does not compare a malformed importer EORI (C01’s finding) and records it as not checked', () => {
    const unknown: string[] = [];
    const d = declaration([item()], {
      representativeStatus: '',
      importerEori: 'GB55320273485',
      parties: [
        { role: 'importer', id: 'GB55320273485', name: '', countryCode: 'GB' },
        { role: 'declarant', id: BROKER, name: '', countryCode: 'GB' },
      ],
    });
    expect(c02UnknownDeclarant.evaluate({ declaration: d, reference, today: '2023-06-01', notChecked: (_i, r) => unknown.push(r) })).toEqual([]);
    expect(unknown).toEqual(['the importer EORI "GB55320273485" is not a well-formed EORI, so whether the declarant is another party cannot be decided']);
  });

  it('treats an importer known by name only (no EORI) as another party than an EORI-holding declarant', () => {
    const d = declaration([item()], {
      representativeStatus: '',
      importerEori: '',
      parties: [
        { role: 'importer', id: '', name: 'Les McQueen', countryCode: 'US' },
        { role: 'declarant', id: BROKER, name: '', countryCode: 'GB' },
      ],
    });
    expect(run(c02UnknownDeclarant, d).map((h) => h.itemNumber)).toEqual([0]);
  });
});

describe('C03 item without an invoice reference', () => {
  it('is silent when every item cites its invoice, and leaves a missing invoice on method 1 to C28', () => {
    expect(run(c03UnreconcilableItem, declaration([item(), item({ itemNumber: 2 })]))).toEqual([]);
    expect(run(c03UnreconcilableItem, declaration([item({ documents: [] })]))).toEqual([]);
  });

  it('flags placeholder references and items on other methods without an invoice', () => {
    const d = declaration([item(), item({ itemNumber: 2, documents: [{ code: 'N935', reference: 'NULL', status: 'AC', reason: '' }] }), item({ itemNumber: 3, valuationMethod: '6', documents: [] })]);
    const [hit] = run(c03UnreconcilableItem, d);
    expect(hit).toMatchObject({ itemNumber: 0, severity: Severity.SEVERITY_LOW });
    expect(hit!.evidence[0]).toEqual({ field: 'items without an invoice reference', value: '2, 3', note: '2 of 3' });
    expect(hit!.explanation).toMatch(/^Item\(s\) 2, 3 of this entry carry no commercial invoice reference/);
  });
});

describe('C06 customs value vs invoice at the HMRC rate', () => {
  // 1165.20 EUR at the January 2023 HMRC rate 1.1652 = £1,000.00 exactly.
  const eur = (cvPence: number, dutyPence: number) =>
    declaration([
      item({
        originCountry: 'DE',
        itemPrice: { value: '1165.20', currency: 'EUR' },
        customsValuePresent: true,
        customsValuePence: cvPence,
        taxLines: [a00(dutyPence, cvPence, '12.00'), b00(Math.floor(((cvPence + dutyPence) * 20) / 100), cvPence + dutyPence)],
      }),
    ]);

  it('is silent when the value matches the converted invoice, or is within 1 % / £1', () => {
    expect(run(c06CustomsValueFx, eur(100000, 12000))).toEqual([]);
    expect(run(c06CustomsValueFx, eur(99100, 11892))).toEqual([]); // 0.9 % under
    expect(run(c06CustomsValueFx, declaration([item({ itemPrice: { value: '1000', currency: 'GBP' }, customsValuePresent: true, customsValuePence: 50000 })]))).toEqual([]); // GBP: no FX to get wrong
  });

  it('prices an understated value at the rate suffered plus VAT on value and duty', () => {
    const [hit] = run(c06CustomsValueFx, eur(90000, 10800)); // £900 declared, 12 % charged
    // Recomputed on £1,000: A00 12 % = £120.00 vs £108.00 charged; B00 20 % of £1,120.00 = £224.00
    // vs £201.60 charged on £1,008.00.
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureDutyPence: 1200, exposureVatPence: 2240 });
    expect(hit!.evidence[1]!.note).toBe('item price 1165.20 EUR at HMRC rate 1.1652 per £ (2023-01)');
  });

  it('reports an overstated value as a reclaim', () => {
    const [hit] = run(c06CustomsValueFx, eur(110000, 13200));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 1200, reclaimVatPence: 2240 });
    expect(hit!.exposureDutyPence ?? 0).toBe(0);
  });

  it('leaves a ×10 slip to C31 and a contract rate (DE 4/15) unchecked', () => {
    expect(run(c06CustomsValueFx, eur(1000000, 120000))).toEqual([]);
    expect(run(c06CustomsValueFx, { ...eur(90000, 10800), exchangeRate: '1.10' })).toEqual([]);
  });
});

describe('C07 missing or zero value', () => {
  it('is silent on a cheap but real line, and on relief APCs', () => {
    expect(run(c07ZeroValue, declaration([item({ customsValuePresent: true, customsValuePence: 50, netMassKg: '0.200', taxLines: [a00(6, 50)] })]))).toEqual([]);
    expect(run(c07ZeroValue, declaration([item({ customsValuePresent: true, customsValuePence: 0, additionalProcedureCodes: ['C07'], taxLines: [a00(0, 0)] })]))).toEqual([]);
    expect(run(c07ZeroValue, declaration([item({ customsValuePresent: true, customsValuePence: 250000, taxLines: [a00(30000, 250000)] })]))).toEqual([]);
  });

  it('flags zero value, and under £1 for 100 kg or more', () => {
    const zero = run(c07ZeroValue, declaration([item({ customsValuePresent: true, customsValuePence: 0, taxLines: [a00(0, 0)] })]));
    expect(zero).toHaveLength(1);
    expect(zero[0]).toMatchObject({ severity: Severity.SEVERITY_MEDIUM });
    expect(zero[0]!.explanation).toBe("Item 1 is released for free circulation with a customs value of £0.00 and no relief: duty (12.00% third-country) and VAT are due on the goods' real value.");
    expect(run(c07ZeroValue, declaration([item({ customsValuePresent: true, customsValuePence: 80, netMassKg: '450', taxLines: [a00(9, 80)] })]))).toHaveLength(1);
  });
});

describe('C12 vague goods description', () => {
  it('is silent on a real description and on an absent one', () => {
    expect(run(c12VagueDescription, declaration([item(), item({ itemNumber: 2, description: '' })]))).toEqual([]);
  });

  it('flags generic words, ignoring a leading quantity', () => {
    const hits = run(c12VagueDescription, declaration([item({ description: 'PARTS' }), item({ itemNumber: 2, description: '10 pcs spare parts' })]));
    expect(hits.map((h) => [h.itemNumber, h.severity])).toEqual([
      [1, Severity.SEVERITY_LOW],
      [2, Severity.SEVERITY_LOW],
    ]);
  });
});

describe('C31 currency and decimal keying errors', () => {
  it('is silent on an entry whose prices, total and values agree', () => {
    const d = declaration([item({ originCountry: 'DE', itemPrice: { value: '1165.20', currency: 'EUR' }, customsValuePresent: true, customsValuePence: 100000 })], {
      invoiceAmount: { value: '1165.20', currency: 'EUR' },
    });
    expect(run(c31KeyingErrors, d)).toEqual([]);
  });

  it('finds the item price slipped by 10 against the invoice total and prices the value it carried', () => {
    const d = declaration([item({ itemPrice: { value: '100.00', currency: 'EUR' } }), item({ itemNumber: 2, itemPrice: { value: '50.00', currency: 'EUR' } })], {
      invoiceAmount: { value: '1050.00', currency: 'EUR' },
    });
    const hits = run(c31KeyingErrors, d);
    expect(hits).toHaveLength(1);
    // 100.00 EUR → £85.82; 1000.00 EUR → £858.22: ΔCV £772.40. No tax lines: MFN 12 % → £92.68;
    // VAT 20 % × (£772.40 + £92.68) = £173.01.
    expect(hits[0]).toMatchObject({ itemNumber: 1, severity: Severity.SEVERITY_HIGH, exposureDutyPence: 9268, exposureVatPence: 17301 });
    expect(hits[0]!.explanation).toMatch(/^Item 1's price 100.00 EUR is 10× too small: with 1000.00 the items add up to the invoice total 1050.00\./);
  });

  it('finds a customs value slipped by 10 against the converted price (a reclaim)', () => {
    const d = declaration([
      item({ originCountry: 'DE', itemPrice: { value: '1165.20', currency: 'EUR' }, customsValuePresent: true, customsValuePence: 1000000, taxLines: [a00(120000, 1000000), b00(224000, 1120000)] }),
    ]);
    const [hit] = run(c31KeyingErrors, d);
    // ΔCV −£9,000; Δduty = −£1,200 × 9000/10000 = −£1,080; ΔVAT = −20 % × £10,080 = −£2,016.
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 108000, reclaimVatPence: 201600 });
  });

  it('flags an item priced in another currency than the invoice, and a code not in the currency list', () => {
    const mixed = declaration([item({ itemPrice: { value: '100.00', currency: 'USD' } })], { invoiceAmount: { value: '100.00', currency: 'EUR' } });
    expect(run(c31KeyingErrors, mixed)[0]).toMatchObject({ severity: Severity.SEVERITY_LOW });
    const view = fixedReferenceView({ codeLists: { 'currency|EUU': { member: false } } });
    const bad = declaration([item({ itemPrice: { value: '100.00', currency: 'EUU' } })]);
    expect(run(c31KeyingErrors, bad, '2023-06-01', view)[0]!.explanation).toMatch(/"EUU", which is not an ISO 4217 currency code/);
    expect(c31KeyingErrors.needs!(bad, bad.items[0]!).codeLists).toEqual([{ list: 'currency', code: 'EUU', date: '2023-01-17' }]);
    // GBP is never looked up: HMRC's exchange-rate currency list does not include the pound.
    const gbpView = fixedReferenceView({ codeLists: { 'currency|GBP': { member: false } } });
    expect(run(c31KeyingErrors, declaration([item({ itemPrice: { value: '100.00', currency: 'GBP' } })]), '2023-06-01', gbpView)).toEqual([]);
  });
});

describe('declarations read from CDS data reports (no DE 3/21, DE 4/9, DE 3/40)', () => {
  it('C02, C06 and C41 stay silent where the report cannot carry what they check', () => {
    const report = (d: Declaration) => ({ ...d, sourceFormat: SourceFormat.SOURCE_FORMAT_CDS_REPORT });
    expect(run(c02UnknownDeclarant, report(declaration([item()], { representativeStatus: '' })))).toEqual([]);
    const fob = declaration([
      item({ originCountry: 'DE', itemPrice: { value: '1165.20', currency: 'EUR' }, customsValuePresent: true, customsValuePence: 108000, taxLines: [a00(12960, 108000, '12.00')] }),
    ]);
    expect(run(c06CustomsValueFx, fob)).toHaveLength(1); // as a DMS declaration: £1,080 ≠ £1,000 with no DE 4/9
    expect(run(c06CustomsValueFx, report(fob))).toEqual([]); // from a report: the £80 is the unreported freight
    const pva = declaration([item({ taxLines: [b00(22400, 112000)] })], { fiscalReferences: [] });
    expect(run(c41PostponedVat, pva)).toHaveLength(1);
    expect(run(c41PostponedVat, report(pva))).toEqual([]);
  });
});

describe('C26 freight on E/F terms with a reported customs value', () => {
  const fob = (cvPence: number) =>
    declaration([item({ originCountry: 'DE', itemPrice: { value: '1165.20', currency: 'EUR' }, customsValuePresent: true, customsValuePence: cvPence })], {
      incoterm: 'FOB',
      deliveryLocation: 'DEHAM',
    });

  it('is silent when the reported value visibly includes carriage (> 1 % above price at the HMRC rate)', () => {
    expect(run(c26FreightAdditions, fob(106000))).toEqual([]);
  });

  it('flags a reported value equal to the bare price', () => {
    const [hit] = run(c26FreightAdditions, fob(100000));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM });
    expect(hit!.evidence[2]!.note).toBe('customs value £1,000.00 does not exceed the invoice price 1165.20 EUR at HMRC rate 1.1652 per £ (2023-01) = £1,000.00');
  });
});

// CDS's own tax calculations from HMRC's DMS notification samples: the engine must reproduce
// the assessed A00 and B00 amounts, and the VAT value, to the penny.
import { computeDutyLine } from './compute';
import { parseDecimal } from './rational';
import { notifiedTaxes } from './__fixtures__/dms-tax-notifications';

const pence = (gbp: string) => {
  const r = parseDecimal(gbp, 'amount');
  return Number((r.n * 100n) / r.d);
};

describe('HMRC DMS tax notifications (CDS-calculated)', () => {
  it('13_DMSTAX: A00 2.70% × £10,000.00 = £270.00; B00 20.00% × £10,270.00 = £2,054.00', () => {
    const [item] = notifiedTaxes('hmrc-customs-declarations/annotated_XML_samples/Example_DMS_notifications/13_DMSTAX.xml');
    const a00 = item!.find((t) => t.taxType === 'A00')!;
    const b00 = item!.find((t) => t.taxType === 'B00')!;
    expect([a00.ratePercent, a00.baseGbp, a00.assessedGbp, b00.ratePercent, b00.baseGbp, b00.assessedGbp]).toEqual(['2.70', '10000.00', '270.00', '20.00', '10270.00', '2054.00']);
    const r = computeDutyLine({
      acceptanceDate: '2020-02-13',
      customsValue: { pence: pence(a00.baseGbp!) },
      quantities: {},
      measures: [{ measureType: '103', taxType: 'A00', expression: `${a00.ratePercent}%`, source: '13_DMSTAX TaxRateNumeric' }],
      vatRatePercent: b00.ratePercent!,
    });
    expect(r.taxLines.map((l) => [l.taxType, l.basePence, l.amountPence])).toEqual([
      ['A00', pence(a00.baseGbp!), pence(a00.assessedGbp!)],
      ['B00', pence(b00.baseGbp!), pence(b00.assessedGbp!)],
    ]);
  });

  it('customs-declarations stub accepted notification: A00 9.70% = £97.00 (so CV £1,000.00); B00 20.00% = £219.40 on CV + duty', () => {
    const [item] = notifiedTaxes('hmrc-customs-declarations-stub/example_accepted_import_notification.xml');
    const a00 = item!.find((t) => t.taxType === 'A00')!;
    const b00 = item!.find((t) => t.taxType === 'B00')!;
    expect([a00.ratePercent, a00.assessedGbp, b00.ratePercent, b00.assessedGbp]).toEqual(['9.70', '97.00', '20.00', '219.40']);
    // The notification states no base: £97.00 at 9.70% implies a £1,000.00 customs value.
    const r = computeDutyLine({
      acceptanceDate: '2018-01-19',
      customsValue: { pence: 100_000 },
      quantities: {},
      measures: [{ measureType: '103', taxType: 'A00', expression: `${a00.ratePercent}%`, source: 'stub notification' }],
      vatRatePercent: b00.ratePercent!,
    });
    expect(r.dutyPence).toBe(pence(a00.assessedGbp!));
    expect(r.vatValuePence).toBe(109_700);
    expect(r.vatPence).toBe(pence(b00.assessedGbp!));
  });
});

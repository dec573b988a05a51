// Rules must not read "not loaded" as "none exists" (HMRC samples review, issue 5): the bundled
// UKGT baseline knows third-country rates only, and a broker's DMS declaration leaves the
// duty amounts to CDS. Each case here fired falsely on HMRC's own samples before.
import { SourceFormat, TaxLine, type Declaration } from '@customs/contracts';
import { a00, declaration, item } from './__fixtures__/declarations';
import { TARIFF, facts, fixedReferenceView, measure } from './__fixtures__/reference';
import { c09DutyRate } from './c09-duty-rate';
import { c13SupplementaryUnits } from './c13-supplementary-units';
import { c14TradeRemedies } from './c14-trade-remedies';
import { c17NonPartnerOrigin } from './c17-non-partner-origin';
import { c35ZeroDuty } from './c35-zero-duty';
import { a00Charged } from './pricing';
import type { RateFacts, Rule } from './types';

/** What the reference service answers for a code with no Online Trade Tariff load: UKGT only. */
const baselineOnly = (f: RateFacts): RateFacts => ({
  ...f,
  preferential: [],
  suspensions: [],
  tradeRemedies: [],
  vat: [],
  supplementaryUnit: '',
  measuresLoaded: false,
  unknownReason: 'no Online Trade Tariff measures loaded',
});
const baselineView = fixedReferenceView({ rates: Object.fromEntries(Object.entries(TARIFF).map(([k, f]) => [k, baselineOnly(f)])) });
const run = (rule: Rule, d: Declaration, view = baselineView) => rule.evaluate({ declaration: d, reference: view, today: '2023-01-01' });

/** A DMS A00 line as brokers send it: tax type and payment method, no amount (CDS calculates). */
const dmsA00WithoutAmount = TaxLine.fromPartial({ taxType: 'A00', methodOfPayment: 'E', traderDeclared: false });

describe('rules with only the third-country baseline loaded', () => {
  it('C17 does not call a partner origin "without a preferential rate" when preferences are not loaded', () => {
    const d = declaration([
      item({
        commodityCode: '6109100010',
        originCountry: 'DE',
        preferentialOrigin: 'DE',
        preference: '300',
        taxLines: [a00(0, 500000)],
        documents: [{ code: 'U110', reference: 'statement on origin', status: '', reason: '' }],
      }),
    ]);
    expect(run(c17NonPartnerOrigin, d)).toEqual([]);
    // … and still does when the measures are loaded and the scheme has no 142 measure for the code.
    const loaded = fixedReferenceView({ rates: { '6109100010|DE': facts({ thirdCountry: measure('103', '1011', '12.00%'), schemes: [TARIFF['6109100010|DE']!.schemes[0]!] }) } });
    expect(run(c17NonPartnerOrigin, d, loaded)).toHaveLength(1);
  });

  it('C13 does not call a supplementary quantity unexpected when the unit data is not loaded', () => {
    expect(run(c13SupplementaryUnits, declaration([item({ supplementaryUnits: '600' })]))).toEqual([]);
    expect(run(c13SupplementaryUnits, declaration([item({ supplementaryUnits: '' })]))).toEqual([]);
  });

  it('C09 does not report an underpayment that an unknown suspension may explain', () => {
    const d = declaration([item({ commodityCode: '8407909020', originCountry: 'US', taxLines: [a00(0 + 1000, 5000000)] })]);
    expect(run(c09DutyRate, d)).toEqual([]);
  });
});

describe('duty amounts a DMS declaration leaves to CDS', () => {
  it('a DMS A00 line without an amount is "charged: unknown", not £0', () => {
    const dms = declaration([item({ taxLines: [dmsA00WithoutAmount] })], { sourceFormat: SourceFormat.SOURCE_FORMAT_DMS_XML });
    expect(a00Charged(dms, dms.items[0]!)).toBeUndefined();
    // HMRC's CDS reports state what was charged, so £0 there is £0.
    const report = declaration([item({ taxLines: [TaxLine.fromPartial({ taxType: 'A00', payablePence: 0 })] })], { sourceFormat: SourceFormat.SOURCE_FORMAT_CDS_REPORT });
    expect(a00Charged(report, report.items[0]!)).toBe(0);
  });

  it('C35 stays silent on a DMS declaration whose duty CDS calculates', () => {
    const d = declaration([item({ taxLines: [dmsA00WithoutAmount] })], { sourceFormat: SourceFormat.SOURCE_FORMAT_DMS_XML });
    expect(run(c35ZeroDuty, d, fixedReferenceView())).toEqual([]);
  });
});

describe('trade remedies a DMS declaration leaves to CDS', () => {
  it('C14 stays silent when the A30 line is declared without an amount, and fires when it is missing', () => {
    const biodiesel = (taxLines: TaxLine[]) =>
      declaration(
        [
          item({
            commodityCode: '3826001020',
            description: 'FAMAE biodiesel',
            originCountry: 'CA',
            dispatchCountry: 'CA',
            netMassKg: '20000',
            grossMassKg: '20500',
            supplementaryUnits: '',
            itemPrice: { value: '18000.00', currency: 'GBP' },
            taxLines,
          }),
        ],
        { sourceFormat: SourceFormat.SOURCE_FORMAT_DMS_XML },
      );
    const a30WithoutAmount = TaxLine.fromPartial({ taxType: 'A30', methodOfPayment: 'E', traderDeclared: false });
    expect(run(c14TradeRemedies, biodiesel([dmsA00WithoutAmount, a30WithoutAmount]), fixedReferenceView())).toEqual([]);
    const [hit] = run(c14TradeRemedies, biodiesel([dmsA00WithoutAmount]), fixedReferenceView());
    // 144.10 GBP per 1000 kg × 20 t = £2,882.00
    expect(hit).toMatchObject({ exposureDutyPence: 288200 });
  });
});

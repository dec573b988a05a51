import { Severity, type Declaration } from '@customs/contracts';
import { a00, b00, declaration, duty, item } from './__fixtures__/declarations';
import { TARIFF, facts, fixedReferenceView, measure } from './__fixtures__/reference';
import { c09DutyRate } from './c09-duty-rate';
import { c13SupplementaryUnits } from './c13-supplementary-units';
import { c14TradeRemedies } from './c14-trade-remedies';
import { c15SuspensionNotUsed } from './c15-suspension-not-used';
import { c21MissedPreference } from './c21-missed-preference';
import { c35ZeroDuty } from './c35-zero-duty';
import type { ReferenceView, Rule } from './types';

const reference = fixedReferenceView();
const run = (rule: Rule, d: Declaration, today = '2023-01-01', view: ReferenceView = reference) => rule.evaluate({ declaration: d, reference: view, today });

// Cherry tomatoes in the 8 % MFN season (1 Nov – 14 May), EU origin.
const tomatoes = (partial: Parameters<typeof item>[0], header: Partial<Declaration> = {}) =>
  declaration(
    [item({ commodityCode: '0702000007', description: 'Cherry tomatoes, fresh', originCountry: 'FR', dispatchCountry: 'FR', supplementaryUnits: '', additionalCodes: ['VATZ'], ...partial })],
    { acceptanceDate: '2021-03-15', ...header },
  );

describe('C09 duty charged vs tariff rate', () => {
  it('is silent when the charge matches MFN (no preference) or the preferential rate', () => {
    expect(run(c09DutyRate, tomatoes({ originCountry: 'US', taxLines: [a00(80000, 1000000)] }))).toEqual([]);
    expect(run(c09DutyRate, tomatoes({ preference: '300', preferentialOrigin: 'FR', taxLines: [a00(0, 1000000)] }))).toEqual([]);
  });

  it('reports a preference claimed but charged at MFN as an overpayment, severity by the C285 clock', () => {
    const d = tomatoes({ preference: '300', preferentialOrigin: 'FR', taxLines: [a00(80000, 1000000)] });
    const [hit] = run(c09DutyRate, d);
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 80000 });
    expect(hit!.evidence[1]!.value).toBe('142 1013 0.00%');
    // Window closes 2024-03-15: with 65 days left a £800 reclaim stays MEDIUM (< £1,000) …
    expect(run(c09DutyRate, d, '2024-01-10')[0]!.severity).toBe(Severity.SEVERITY_MEDIUM);
    // … a £1,200 one is HIGH, and once the window has closed it is LOW.
    const big = tomatoes({ preference: '300', preferentialOrigin: 'FR', taxLines: [a00(120000, 1500000)] });
    expect(run(c09DutyRate, big, '2024-01-10')[0]).toMatchObject({ severity: Severity.SEVERITY_HIGH, reclaimDutyPence: 120000 });
    expect(run(c09DutyRate, big, '2024-03-16')[0]!.severity).toBe(Severity.SEVERITY_LOW);
  });

  it('reports an underpayment: T-shirts from China charged 2 % instead of 12 %, CRITICAL from £10,000', () => {
    const [hit] = run(c09DutyRate, declaration([item({ taxLines: [a00(200000, 10000000)] })]));
    // 12 % of £100,000 = £12,000 expected, £2,000 charged.
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_CRITICAL, exposureDutyPence: 1000000 });
    expect(hit!.explanation).toMatch(/the tariff gives 12% of £100,000.00 \(A00 tax base \(DE 4\/4\)\) = £12,000.00/);
  });

  it('stays silent without rate facts, or when the tariff does not know the code', () => {
    const d = declaration([item({ taxLines: [a00(200000, 10000000)] })]);
    expect(run(c09DutyRate, d, '2023-01-01', fixedReferenceView({ rates: 'none' }))).toEqual([]);
    expect(run(c09DutyRate, d, '2023-01-01', fixedReferenceView({ rates: {} }))).toEqual([]);
  });

  it('declares its rate lookup for the batch', () => {
    const d = declaration([item({ itemPrice: { value: '10', currency: 'USD' } })]);
    expect(c09DutyRate.needs!(d, d.items[0]!)).toEqual({ rates: [{ code: '6109100010', origin: 'CN', date: '2023-01-17' }], fx: [{ currency: 'USD', date: '2023-01-17' }] });
  });
});

describe('C13 supplementary units', () => {
  it('is silent when p/st is declared for T-shirts and nothing for tomatoes', () => {
    expect(run(c13SupplementaryUnits, declaration([item()]))).toEqual([]);
    expect(run(c13SupplementaryUnits, tomatoes({}))).toEqual([]);
  });

  it('flags a missing quantity where the tariff wants one, and one where it does not', () => {
    expect(run(c13SupplementaryUnits, declaration([item({ supplementaryUnits: '' })]))[0]!.explanation).toBe(
      'Item 1: the tariff requires supplementary units in p/st for 6109100010, but DE 6/2 is empty.',
    );
    const [extra] = run(c13SupplementaryUnits, tomatoes({ supplementaryUnits: '50' }));
    expect(extra).toMatchObject({ severity: Severity.SEVERITY_LOW });
    expect(extra!.explanation).toMatch(/declares 50 although 0702000007 has no supplementary unit/);
  });
});

describe('C14 trade remedies', () => {
  // FAMAE biodiesel consigned from Canada, 20 tonnes: ADD 144.10 GBP / 1000 kg = £2,882.00.
  const biodiesel = (taxLines = [a00(120000, 2000000)], originCountry = 'CA') =>
    declaration([item({ commodityCode: '3826001020', description: 'FAMAE biodiesel', originCountry, dispatchCountry: originCountry, netMassKg: '20000', supplementaryUnits: '', taxLines })]);

  it('is silent when the anti-dumping duty was charged, or for an origin without remedies', () => {
    expect(run(c14TradeRemedies, biodiesel([a00(120000, 2000000), duty('A30', 288200)]))).toEqual([]);
    expect(run(c14TradeRemedies, declaration([item({ taxLines: [a00(120000, 1000000)] })]))).toEqual([]);
  });

  it('flags a remedy not charged at all as CRITICAL, priced on the net mass', () => {
    const [hit] = run(c14TradeRemedies, biodiesel());
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_CRITICAL, exposureDutyPence: 288200 });
    expect(hit!.explanation).toMatch(/A30: £144.10 per 1000 kg on 20000 kg net = £2,882.00/);
  });

  it('prices a partial charge as the shortfall, HIGH below £10,000', () => {
    expect(run(c14TradeRemedies, biodiesel([a00(120000, 2000000), duty('A30', 200000)]))[0]).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureDutyPence: 88200 });
  });

  it('applies the rate of the declared TARIC additional code, else the residual one', () => {
    const view = fixedReferenceView({
      rates: {
        '3826001020|CA': facts({
          thirdCountry: measure('103', '1011', '6.00%'),
          tradeRemedies: [measure('552', 'CA', '10.00%', { additionalCode: 'C001' }), measure('552', 'CA', '30.00%', { additionalCode: 'C999' })],
        }),
      },
    });
    const coded = biodiesel();
    coded.items[0]!.additionalCodes = ['C001'];
    expect(run(c14TradeRemedies, coded, '2023-01-01', view)[0]!.exposureDutyPence).toBe(200000); // 10 % of £20,000
    const [residual] = run(c14TradeRemedies, biodiesel(), '2023-01-01', view);
    expect(residual!.exposureDutyPence).toBe(600000); // 30 % of £20,000
    expect(residual!.explanation).toMatch(/no matching TARIC additional code declared \(none\): the residual rate applies/);
  });

  it('still flags an unpriceable remedy (HIGH, no amount)', () => {
    const view = fixedReferenceView({ rates: { '3826001020|CA': { ...TARIFF['3826001020|CA']!, tradeRemedies: [measure('552', 'CA', '144.10 GBP / 1000 kg/biodiesel')] } } });
    const [hit] = run(c14TradeRemedies, biodiesel(), '2023-01-01', view);
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH });
    expect(hit!.exposureDutyPence).toBeUndefined();
    // The duty engine knows the form but the declaration lacks the biodiesel-content quantity.
    expect(hit!.explanation).toMatch(/Not priced: the duty "144.10 GBP \/ 1000 kg\/biodiesel" \(measure 552 CA\) cannot be priced from the data: .*biodiesel content/);
  });
});

describe('C15 suspension not used', () => {
  // Compact LPG engine systems: UKGT 4 %, autonomous suspension to 0 %.
  const engines = (originCountry: string, dutyPence: number) =>
    declaration(
      [
        item({
          commodityCode: '8407909020',
          description: 'Compact LPG engine system, 6 cylinders',
          originCountry,
          dispatchCountry: originCountry,
          supplementaryUnits: '',
          taxLines: [a00(dutyPence, 5000000)],
        }),
      ],
      { acceptanceDate: '2022-06-01' },
    );

  it('is silent when the suspension was applied', () => {
    expect(run(c15SuspensionNotUsed, engines('US', 0))).toEqual([]);
  });

  it('reports duty paid at 4 % as a reclaim', () => {
    const [hit] = run(c15SuspensionNotUsed, engines('US', 200000));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_MEDIUM, reclaimDutyPence: 200000 });
    expect(hit!.remediation).toMatch(/basis "Duty suspension"/);
  });

  it('owns the overpayment when a suspension is as good as the preference (C21 stays silent)', () => {
    const d = engines('JP', 200000);
    expect(run(c15SuspensionNotUsed, d)).toHaveLength(1);
    expect(run(c21MissedPreference, d)).toEqual([]);
  });

  it('counts an end-use suspension only with an end-use authorisation', () => {
    const view = fixedReferenceView({ rates: { '8407909020|US': facts({ thirdCountry: measure('103', '1011', '4.00%'), suspensions: [measure('115', '1011', '0.00%')] }) } });
    expect(run(c15SuspensionNotUsed, engines('US', 200000), '2023-01-01', view)).toEqual([]);
    const authorised = engines('US', 200000);
    authorised.authorisations = [{ type: 'EUS', holderId: authorised.importerEori }];
    expect(run(c15SuspensionNotUsed, authorised, '2023-01-01', view)[0]!.remediation).toMatch(/basis "End use relief"/);
  });
});

describe('C35 zero duty without a reason', () => {
  it('is silent with a preference, a relief APC or a suspension in force', () => {
    expect(run(c35ZeroDuty, declaration([item({ originCountry: 'DE', preference: '300', preferentialOrigin: 'DE', taxLines: [a00(0, 500000)] })]))).toEqual([]);
    expect(run(c35ZeroDuty, declaration([item({ additionalProcedureCodes: ['C07'], taxLines: [a00(0, 500000)] })]))).toEqual([]);
    expect(run(c35ZeroDuty, declaration([item({ commodityCode: '8407909020', originCountry: 'US', taxLines: [a00(0, 5000000)] })]))).toEqual([]);
    expect(run(c35ZeroDuty, declaration([item({ taxLines: [a00(60000, 500000)] })]))).toEqual([]);
  });

  it('flags T-shirts from China released at zero duty: exposure 12 % of the value', () => {
    const [hit] = run(c35ZeroDuty, declaration([item({ taxLines: [a00(0, 500000), b00(100000, 500000)] })]));
    expect(hit).toMatchObject({ severity: Severity.SEVERITY_HIGH, exposureDutyPence: 60000 });
  });

  it('treats duty shown as suspended like zero duty', () => {
    const suspended = a00(0, 500000);
    suspended.suspendedPence = 60000;
    expect(run(c35ZeroDuty, declaration([item({ taxLines: [suspended] })]))[0]!.explanation).toMatch(/and £600.00 shown as suspended/);
  });
});

// Test double for ReferenceView in unit tests of pure rules: fixed, hand-written facts taken from
// the bundled tariff data (services/reference/data) so the assertions use real rates.
import { CommodityResult, FxResult } from '@customs/contracts';
import type { CodeListFact, CodeListName, MeasureFact, RateFacts, ReferenceView, SchemeFact } from '../types';

export function measure(measureType: string, geographicalArea: string, expression: string, extra: Partial<MeasureFact> = {}): MeasureFact {
  // measure_type_to_tax_type.csv: 551/552 provisional/definitive anti-dumping → A35/A30,
  // 553/554 provisional/definitive countervailing → A45/A40, 695/696 additional duties → A20.
  const remedy: Record<string, string> = { '551': 'A35', '552': 'A30', '553': 'A45', '554': 'A40', '695': 'A20', '696': 'A20', '305': 'B00' };
  const taxType = remedy[measureType] ?? 'A00';
  return { measureType, geographicalArea, expression, taxType, additionalCode: '', validFrom: '2021-01-01', validTo: '', datasetVersion: 'ukgt@test', ...extra };
}

export function scheme(id: string, name: string, proofDocumentCodes: string[], validFrom = '2021-01-01', validTo = ''): SchemeFact {
  return { id, name, proofDocumentCodes, validFrom, validTo };
}

export function facts(partial: Partial<RateFacts>): RateFacts {
  return {
    known: true,
    unknownReason: '',
    preferential: [],
    suspensions: [],
    tradeRemedies: [],
    vat: [],
    supplementaryUnit: '',
    schemes: [],
    datasetVersion: 'ukgt@test',
    measuresLoaded: true,
    ...partial,
  };
}

/** UK–EU TCA: statement on origin / importer's knowledge (roo_schemes_uk.json "eu"). */
export const EU_TCA = scheme('eu', 'UK / EU Trade and Co-operation Agreement', ['U110', 'U111', 'U112']);
/** GSP, 2021-01-01 → 2023-06-18: Form A / origin declaration (roo_schemes_uk.json "gsp"). */
export const GSP = scheme('gsp', 'Generalised Scheme of Preferences (GSP)', ['N865', 'U164', 'U165', 'U166', 'U167'], '2021-01-01', '2023-06-18');
/** UK–Japan CEPA (roo_schemes_uk.json "japan"). */
export const JAPAN = scheme('japan', 'UK-Japan Comprehensive Economic Partnership Agreement', ['U110', 'U111', 'U112']);

const STANDARD_VAT = measure('305', '1011', '20.00%');

/**
 * Real facts (DOMAIN.md §4.1 worked examples; services/reference/data):
 * - 0702000007 cherry tomatoes: 103 MFN 8.00% (1 Nov–14 May season), 142 EU (1013) and JP 0.00%,
 *   Singapore 5.80%; VAT zero-rated food (305 0.00% with VATZ).
 * - 6109100010 cotton T-shirts: UKGT 12.0%; EU 0.00%; GSP LDC (2005) 0.00%; VAT 20%;
 *   supplementary unit p/st.
 * - 3826001020 FAMAE biodiesel consigned from Canada: UKGT 6.0%, trade remedy applies; ADD
 *   144.10 GBP per 1000 kg (DOMAIN.md §3.2 C14 fixture; pure FAMAE assumed so net mass = biodiesel).
 * - 8407909020 compact LPG engine system: UKGT 4.0%, suspension applies (autonomous suspension
 *   112 at 0.00%, the usual suspension rate; the rate itself is not in the bundled data).
 */
export const TARIFF: Record<string, RateFacts> = {
  '0702000007|FR': facts({
    thirdCountry: measure('103', '1011', '8.00%'),
    preferential: [measure('142', '1013', '0.00%')],
    vat: [measure('305', '1011', '0.00%', { additionalCode: 'VATZ' })],
    schemes: [EU_TCA],
  }),
  '0702000007|ES': facts({
    thirdCountry: measure('103', '1011', '8.00%'),
    preferential: [measure('142', '1013', '0.00%')],
    vat: [measure('305', '1011', '0.00%', { additionalCode: 'VATZ' })],
    schemes: [EU_TCA],
  }),
  '0702000007|JP': facts({
    thirdCountry: measure('103', '1011', '8.00%'),
    preferential: [measure('142', 'JP', '0.00%')],
    vat: [measure('305', '1011', '0.00%', { additionalCode: 'VATZ' })],
    schemes: [JAPAN],
  }),
  '0702000007|NL': facts({
    thirdCountry: measure('103', '1011', '8.00%'),
    preferential: [measure('142', '1013', '0.00%')],
    vat: [measure('305', '1011', '0.00%', { additionalCode: 'VATZ' })],
    schemes: [EU_TCA],
  }),
  '0702000007|US': facts({ thirdCountry: measure('103', '1011', '8.00%'), vat: [measure('305', '1011', '0.00%', { additionalCode: 'VATZ' })] }),
  '6109100010|DE': facts({ thirdCountry: measure('103', '1011', '12.00%'), preferential: [measure('142', '1013', '0.00%')], vat: [STANDARD_VAT], supplementaryUnit: 'p/st', schemes: [EU_TCA] }),
  '6109100010|BD': facts({ thirdCountry: measure('103', '1011', '12.00%'), preferential: [measure('142', '2005', '0.00%')], vat: [STANDARD_VAT], supplementaryUnit: 'p/st', schemes: [GSP] }),
  '6109100010|CN': facts({ thirdCountry: measure('103', '1011', '12.00%'), vat: [STANDARD_VAT], supplementaryUnit: 'p/st' }),
  '6109100010|US': facts({ thirdCountry: measure('103', '1011', '12.00%'), vat: [STANDARD_VAT], supplementaryUnit: 'p/st' }),
  '3826001020|CA': facts({ thirdCountry: measure('103', '1011', '6.00%'), tradeRemedies: [measure('552', 'CA', '144.10 GBP / 1000 kg')], vat: [STANDARD_VAT] }),
  '8407909020|JP': facts({
    thirdCountry: measure('103', '1011', '4.00%'),
    suspensions: [measure('112', '1011', '0.00%')],
    preferential: [measure('142', 'JP', '0.00%')],
    vat: [STANDARD_VAT],
    schemes: [JAPAN],
  }),
  '8407909020|US': facts({ thirdCountry: measure('103', '1011', '4.00%'), suspensions: [measure('112', '1011', '0.00%')], vat: [STANDARD_VAT] }),
};

const NOMENCLATURE: Record<string, Partial<CommodityResult>> = {
  '0702000007': { description: 'Cherry tomatoes', thirdCountryDuty: '8.00%' },
  '6109100010': { description: 'T-shirts of cotton, men’s or boys’', thirdCountryDuty: '12.00%' },
  '3826001020': { description: 'FAMAE consigned from Canada', thirdCountryDuty: '6.00%' },
  '8407909020': { description: 'Compact LPG engine system', thirdCountryDuty: '4.00%' },
};

/** HMRC monthly rates (hmrc_monthly_rates_2020-01_to_2023-08.csv): January 2023. */
const FX: Record<string, string> = { 'EUR|2023-01': '1.1652', 'USD|2023-01': '1.2406', 'CNY|2023-01': '8.6103', 'JPY|2023-01': '167.2828' };

export interface FixedReferenceOptions {
  rates?: Record<string, RateFacts> | 'none';
  codeLists?: Record<string, Partial<CodeListFact>>;
}

/** A ReferenceView answering from the fixed facts above (and `rates: 'none'` for an adapter that did not ask). */
export function fixedReferenceView(options: FixedReferenceOptions = {}): ReferenceView {
  const rates = options.rates === 'none' ? undefined : (options.rates ?? TARIFF);
  const view: ReferenceView = {
    commodity: (code, date) =>
      CommodityResult.fromPartial({
        commodityCode: code,
        date,
        datasetVersion: 'nom@test',
        ...(NOMENCLATURE[code] ? { known: true, declarableOnDate: true, ...NOMENCLATURE[code] } : { known: false }),
      }),
    fx: (currency, date) => {
      const rate = FX[`${currency}|${date.slice(0, 7)}`];
      return rate
        ? FxResult.fromPartial({ currency, date, known: true, unitsPerGbp: rate, period: date.slice(0, 7), datasetVersion: 'fx@test' })
        : FxResult.fromPartial({ currency, date, known: false });
    },
    codeList: (list: CodeListName, code: string) => {
      const f = options.codeLists?.[`${list}|${code}`];
      return { known: options.codeLists !== undefined, member: false, description: '', datasetVersion: 'codes@test', ...f };
    },
  };
  if (rates) view.rates = (code, origin) => rates[`${code}|${origin}`] ?? facts({ known: false, unknownReason: `no fixture for ${code} from ${origin}` });
  return view;
}

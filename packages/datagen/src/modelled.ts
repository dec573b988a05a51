// MODELLED tariff facts for the generated world — not loaded measures.
//
// The shipped reference data (services/reference/data) holds no trade-remedy or suspension
// measures: the UK Global Tariff file only flags the lines that have one. So that C14 (trade
// remedy missed) and C15 (suspension not used) can be measured at all, the generated world models
// exactly two tariff lines, with the facts the rules' own unit tests use
// (services/validation/src/rules/__fixtures__/reference.ts, TARIFF):
//
//  - 3826001020 FAMAE biodiesel consigned from Canada: third-country duty 6.0% (UKGT 2021, the
//    shipped line, which flags "trade remedy applies"), definitive anti-dumping duty, measure 552
//    for origin CA, "144.10 GBP / 1000 kg" of net mass, charged on tax line A30 (DOMAIN.md §3.2 C14
//    fixture). No preferential rate and no suspension are modelled for it (the fixture has none; the
//    line's UKGT suspension flag is the end-use suspension for FAME mixtures used in detergents,
//    which needs an authorisation the generated importers do not hold). Hydrocarbon oil duty is not
//    modelled (the fuel is taken to enter an excise warehouse; no excise line on the import entry).
//  - 8407909020 compact LPG engine system (for the manufacture of fork-lift trucks, heading 8427):
//    third-country duty 4.0% (UKGT 2021, which flags "suspension applies"), autonomous tariff
//    suspension, measure 112 erga omnes (1011), at 0.00% — the usual suspension rate; the rate itself
//    is not in the shipped data, as the fixture says. Modelled for origin US (the fixture's
//    non-preference origin), so no preferential rate competes with it.
//
// The generated reference view answers these measures only for these codes and origins (any other
// origin of these codes is "unknown"); every other catalogue code keeps the shipped-data-only facts.
// A real deployment takes remedy and suspension measures from the Online Trade Tariff instead.
import { adValorem, toScaled } from './money';

export interface ModelledMeasure {
  measureType: string;
  geographicalArea: string;
  expression: string;
  /** DE 4/3 tax type the measure is charged on (A30 definitive anti-dumping; A00 for suspensions). */
  taxType: string;
}

export interface ModelledTariffLine {
  code: string;
  /** Trade description used as DE 6/8. */
  description: string;
  /** Origins (DE 5/15) the generated world trades the code from; the view answers only for them. */
  origins: string[];
  /** Third-country duty (measure 103): must equal the shipped UKGT line (checked when the world is built). */
  thirdCountry: string;
  tradeRemedies: ModelledMeasure[];
  suspensions: ModelledMeasure[];
  /** Where the facts come from, in words. */
  source: string;
  /** The supplier the world buys it from. */
  supplier: { kind: 'remedy' | 'suspension'; country: string; currencies: string[]; ports: string[]; name: string };
  /** Per invoice unit (GBP-equivalent) and net mass per unit (grams). */
  unitPrice: [number, number];
  unitMassGrams: [number, number];
}

/** A specific duty "N GBP / 1000 kg" in pence per tonne (the only remedy form modelled). */
export function pencePerTonne(expression: string): bigint {
  const m = /^(\d+(?:\.\d+)?)\s*GBP\s*\/\s*1000\s*kg$/i.exec(expression.trim());
  if (!m) throw new Error(`modelled remedy "${expression}" is not GBP per 1000 kg`);
  return toScaled(m[1]!, 2);
}

/** The modelled lines (MODELLED facts for the generated world; see the header comment). */
export const MODELLED_TARIFF: readonly ModelledTariffLine[] = [
  {
    code: '3826001020',
    description: 'Biodiesel, fatty-acid mono-alkyl esters (FAMAE) >= 96.5% esters, in 1000 l IBCs, consigned from Canada',
    origins: ['CA'],
    thirdCountry: '6.0%',
    tradeRemedies: [{ measureType: '552', geographicalArea: 'CA', expression: '144.10 GBP / 1000 kg', taxType: 'A30' }],
    suspensions: [],
    source: 'MODELLED (rules fixture __fixtures__/reference.ts; DOMAIN.md §3.2 C14 fixture): 552 CA 144.10 GBP / 1000 kg on A30',
    supplier: { kind: 'remedy', country: 'CA', currencies: ['CAD', 'USD'], ports: ['CAMTR', 'CAHAL'], name: 'Prairie Renewable Fuels Inc.' },
    // One IBC of ~880 kg at roughly £0.8–1.2 per litre.
    unitPrice: [700, 1200],
    unitMassGrams: [870_000, 890_000],
  },
  {
    code: '8407909020',
    description: 'Compact LPG engine system, 6 cylinders, 75-80 kW, heavy-duty valves, for the manufacture of fork-lift trucks of heading 8427',
    origins: ['US'],
    thirdCountry: '4.0%',
    tradeRemedies: [],
    suspensions: [{ measureType: '112', geographicalArea: '1011', expression: '0.00%', taxType: 'A00' }],
    source: 'MODELLED (rules fixture __fixtures__/reference.ts): 112 erga omnes 0.00% autonomous suspension',
    supplier: { kind: 'suspension', country: 'US', currencies: ['USD'], ports: ['USBAL', 'USCHS'], name: 'Great Lakes Power Systems Inc.' },
    unitPrice: [2500, 6000],
    unitMassGrams: [240_000, 380_000],
  },
];

export const MODELLED_BY_CODE: ReadonlyMap<string, ModelledTariffLine> = new Map(MODELLED_TARIFF.map((m) => [m.code, m]));

/** DE 4/17 code claiming an erga omnes autonomous tariff suspension (preference_codes_DE4-17.json "110"). */
export const SUSPENSION_PREFERENCE = '110';

/** Cheapest modelled suspension rate of a code (×10^6), if any. */
export function modelledSuspensionRate(code: string): bigint | undefined {
  const rates = (MODELLED_BY_CODE.get(code)?.suspensions ?? []).map((s) => adValorem(s.expression)).filter((r): r is bigint => r !== undefined);
  return rates.length ? rates.reduce((a, b) => (b < a ? b : a)) : undefined;
}

/** Anti-dumping duty (A30) on a net mass in grams at the modelled GBP-per-1000-kg rate, rounded down to the penny. */
export function remedyPence(netGrams: bigint, perTonne: bigint): bigint {
  return (perTonne * netGrams) / 1_000_000n;
}

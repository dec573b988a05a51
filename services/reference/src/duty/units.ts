// Measurement units of specific duties, keyed by the TARIC unit code + qualifier used in
// services/reference/data/codes/units/measurement_units.json (e.g. DTN, DTNE, ASVX, MIL).
// Each unit is a multiple of one physical basis so that a declared quantity in any unit of the
// same basis (net mass in kg, a supplementary unit in litres, …) can be converted exactly.

import { Rational } from './rational';

/** What has to be measured on the goods to apply a specific duty. */
export type QuantityBasis =
  | 'netMassKg'
  | 'grossMassKg'
  | 'netDrainedMassKg'
  | 'dryMatterMassKg'
  | 'lacticMatterKg'
  | 'dryLacticMatterKg'
  | 'totalAlcoholKg'
  /** 100 kg net × % sucrose (sugar syrups: "/100kg/net/%sacchar."). */
  | 'sucroseDegreeHundredKg'
  /** Raw-sugar yield corrections need the polarisation/yield of the consignment. */
  | 'standardQualityKg'
  | 'litres'
  /** % vol × hl, numerically the same as litres of pure alcohol (LPA). */
  | 'alcoholPercentVolHl'
  | 'items'
  | 'pairs'
  | 'squareMetres'
  | 'metres'
  | 'cubicMetres';

export interface UnitInfo {
  /** TARIC unit code with qualifier appended, e.g. "DTN", "DTNE", "ASVX". */
  code: string;
  basis: QuantityBasis;
  /** How many basis quantities one unit is (100 kg → 100 of netMassKg). */
  size: Rational;
  /** Short label used in explanations. */
  label: string;
  /** What "basis" means to an analyst, e.g. "net mass". */
  basisLabel: string;
}

const r = (n: number): Rational => ({ n: BigInt(n), d: 1n });

const BASIS_LABEL: Record<QuantityBasis, string> = {
  netMassKg: 'kg net mass',
  grossMassKg: 'kg gross mass',
  netDrainedMassKg: 'kg net drained weight',
  dryMatterMassKg: 'kg net dry matter',
  lacticMatterKg: 'kg lactic matter',
  dryLacticMatterKg: 'kg dry lactic matter',
  totalAlcoholKg: 'kg total alcohol',
  sucroseDegreeHundredKg: '100 kg net × % sucrose',
  standardQualityKg: 'kg of the standard quality',
  litres: 'litres',
  alcoholPercentVolHl: '% vol × hl',
  items: 'items',
  pairs: 'pairs',
  squareMetres: 'm²',
  metres: 'm',
  cubicMetres: 'm³',
};

function unit(code: string, basis: QuantityBasis, size: number, label: string): UnitInfo {
  return { code, basis, size: r(size), label, basisLabel: BASIS_LABEL[basis] };
}

export const UNITS: Record<string, UnitInfo> = {
  KGM: unit('KGM', 'netMassKg', 1, 'kg'),
  DTN: unit('DTN', 'netMassKg', 100, '100 kg'),
  TNE: unit('TNE', 'netMassKg', 1000, 'tonne'),
  KGMG: unit('KGMG', 'grossMassKg', 1, 'kg gross'),
  DTNG: unit('DTNG', 'grossMassKg', 100, '100 kg gross'),
  KGME: unit('KGME', 'netDrainedMassKg', 1, 'kg net drained weight'),
  DTNE: unit('DTNE', 'netDrainedMassKg', 100, '100 kg net drained weight'),
  TNEE: unit('TNEE', 'netDrainedMassKg', 1000, 'tonne net drained weight'),
  DTNM: unit('DTNM', 'dryMatterMassKg', 100, '100 kg net dry matter'),
  TNEM: unit('TNEM', 'dryMatterMassKg', 1000, 'tonne net dry matter'),
  KGMP: unit('KGMP', 'lacticMatterKg', 1, 'kg lactic matter'),
  KGMT: unit('KGMT', 'dryLacticMatterKg', 1, 'kg dry lactic matter'),
  KGMA: unit('KGMA', 'totalAlcoholKg', 1, 'kg total alcohol'),
  DTNZ: unit('DTNZ', 'sucroseDegreeHundredKg', 1, '100 kg net per % sucrose'),
  TNEZ: unit('TNEZ', 'sucroseDegreeHundredKg', 10, 'tonne net per % sucrose'),
  DTNR: unit('DTNR', 'standardQualityKg', 100, '100 kg of the standard quality'),
  TNER: unit('TNER', 'standardQualityKg', 1000, 'tonne of the standard quality'),
  LTR: unit('LTR', 'litres', 1, 'litre'),
  HLT: unit('HLT', 'litres', 100, 'hl'),
  KLT: unit('KLT', 'litres', 1000, '1,000 l'),
  ASVX: unit('ASVX', 'alcoholPercentVolHl', 1, '% vol/hl'),
  LPA: unit('LPA', 'alcoholPercentVolHl', 1, 'litre of pure alcohol'),
  NAR: unit('NAR', 'items', 1, 'item'),
  CEN: unit('CEN', 'items', 100, '100 items'),
  MIL: unit('MIL', 'items', 1000, '1,000 items'),
  NPR: unit('NPR', 'pairs', 1, 'pair'),
  MPR: unit('MPR', 'pairs', 1000, '1,000 pairs'),
  MTK: unit('MTK', 'squareMetres', 1, 'm²'),
  MTR: unit('MTR', 'metres', 1, 'm'),
  HMT: unit('HMT', 'metres', 100, '100 m'),
  MTQ: unit('MTQ', 'cubicMetres', 1, 'm³'),
  MTQC: unit('MTQC', 'cubicMetres', 1000, '1,000 m³'),
};

// Unit spellings seen in the UKGT/CET CSV columns, the OTT API "base" strings and the
// abbreviations of measurement_units.json, compared after lower-casing and removing all
// whitespace and thousands commas ("1,000 items" → "1000items", "100kg eda" → "100kgeda").
const ALIASES: Record<string, string> = {
  kg: 'KGM', kgm: 'KGM', 'kg/net': 'KGM',
  '100kg': 'DTN', dtn: 'DTN', '100kg/net': 'DTN', hectokilogram: 'DTN',
  tonne: 'TNE', '1000kg': 'TNE', t: 'TNE', tne: 'TNE',
  'kg/gross': 'KGMG', 'kg/br': 'KGMG', gkg: 'KGMG',
  '100kg/gross': 'DTNG', '100kg/br': 'DTNG', '100kggross': 'DTNG',
  'kg/neteda': 'KGME', kgeda: 'KGME', 'kg/netdrainedwt': 'KGME',
  '100kg/netdrainedwt': 'DTNE', '100kgeda': 'DTNE', '100kg/neteda': 'DTNE', '100kg/eda': 'DTNE',
  '1000kg/neteda': 'TNEE',
  '100kg/netdry': 'DTNM', '100kgmas': 'DTNM', '100kg/netmas': 'DTNM', '100kg/mas': 'DTNM',
  '1000kg/netmas': 'TNEM',
  'kg/lacticmatter': 'KGMP',
  'kg/drylacticmatter': 'KGMT',
  'kg/totalc': 'KGMA', 'kg/tot/alc': 'KGMA', 'kg/totalalc': 'KGMA',
  '100kg/net/%sacchar.': 'DTNZ', '100kg/net/%sacchar': 'DTNZ', '100kg/%sacchar.': 'DTNZ',
  '1000kg/net/%saccha.': 'TNEZ', '1000kg/net/%sacchar.': 'TNEZ',
  '100kg/stdqual': 'DTNR', '100kgstdqual': 'DTNR', '1000kgstdqual': 'TNER',
  l: 'LTR', litre: 'LTR', ltr: 'LTR',
  hl: 'HLT', hlt: 'HLT',
  '1000l': 'KLT',
  '%vol/hl': 'ASVX', '%vol/hlt': 'ASVX',
  'lalc.100%': 'LPA', lpa: 'LPA',
  item: 'NAR', items: 'NAR', 'p/st': 'NAR', nar: 'NAR',
  '100items': 'CEN', '100p/st': 'CEN',
  '1000items': 'MIL', '1000p/st': 'MIL', mil: 'MIL',
  pa: 'NPR', pair: 'NPR', pairs: 'NPR',
  '1000pa': 'MPR', '1000pairs': 'MPR',
  m2: 'MTK', 'm²': 'MTK', mtk: 'MTK',
  m: 'MTR', mtr: 'MTR',
  '100m': 'HMT',
  m3: 'MTQ', 'm³': 'MTQ', mtq: 'MTQ',
  '1000m³': 'MTQC', '1000m3': 'MTQC',
};

export function unitKey(text: string): string {
  return text.toLowerCase().replace(/(\d),(\d{3})/g, '$1$2').replace(/\s+/g, '');
}

export function lookupUnit(text: string): UnitInfo | undefined {
  const code = ALIASES[unitKey(text)];
  return code === undefined ? undefined : UNITS[code];
}

/** Declared supplementary unit codes (DE 6/2) accepted as quantities, e.g. "LTR", "NAR", "ASV X". */
export function unitByCode(code: string): UnitInfo | undefined {
  return UNITS[code.replace(/\s+/g, '').toUpperCase()];
}

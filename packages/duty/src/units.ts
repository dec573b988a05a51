// Measurement units of specific duties, keyed by the TARIC unit code + qualifier used in
// services/reference/data/codes/units/measurement_units.json (e.g. DTN, DTNE, ASVX, MIL).
// Each unit is a multiple of one physical basis so that a declared quantity in any unit of the
// same basis (net mass in kg, a supplementary unit in litres, …) can be converted exactly.

import type { Rational } from './rational';

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
  /** Litres of pure alcohol × the declared small producer relief discount (£ per LPA): alcohol duty SPR. */
  | 'sprDiscountLpa'
  | 'items'
  | 'pairs'
  | 'squareMetres'
  | 'metres'
  | 'cubicMetres'
  /** A content or special measure (kg N, 1,000 kg biodiesel …) only the caller can supply, via byUnit. */
  | 'measuredContent';

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
  /** For measuredContent: what is measured ("raw sugar kg"); units convert only within one content. */
  content?: string;
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
  sprDiscountLpa: 'litres of pure alcohol × SPR discount',
  items: 'items',
  pairs: 'pairs',
  squareMetres: 'm²',
  metres: 'm',
  cubicMetres: 'm³',
  measuredContent: 'measured content',
};

function unit(code: string, basis: QuantityBasis, size: number | Rational, label: string): UnitInfo {
  return { code, basis, size: typeof size === 'number' ? r(size) : size, label, basisLabel: BASIS_LABEL[basis] };
}

function content(code: string, what: string, size: number | Rational, label: string): UnitInfo {
  return { ...unit(code, 'measuredContent', size, label), content: what, basisLabel: what };
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
  // "for each litre of pure alcohol, multiplied by the SPR discount" (measurement_units.json SPQ,
  // SPQLPA, SPQLTR): the amount is per LPA × the producer's SPR discount.
  SPQ: unit('SPQ', 'sprDiscountLpa', 1, 'litre of pure alcohol × SPR discount'),
  SPQLPA: unit('SPQLPA', 'sprDiscountLpa', 1, 'litre of pure alcohol × SPR discount'),
  SPQLTR: unit('SPQLTR', 'sprDiscountLpa', 1, 'litre of pure alcohol × SPR discount'),
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
  GRM: unit('GRM', 'netMassKg', { n: 1n, d: 1000n }, 'g'),
  KMT: unit('KMT', 'metres', 1000, 'km'),
  KGMS: content('KGMS', 'kg raw sugar', 1, 'kg raw sugar'),
  DTNS: content('DTNS', 'kg raw sugar', 100, '100 kg raw sugar'),
  DAP: content('DAP', 'kg polarised sugar', 10000, '10,000 kg polarised'),
  DTNL: content('DTNL', 'kg live weight', 100, '100 kg live weight'),
  DTNF: content('DTNF', 'kg common wheat', 100, '100 kg common wheat'),
  TNEI: content('TNEI', 'kg biodiesel content', 1000, '1,000 kg biodiesel'),
  TNEJ: content('TNEJ', 'kg fuel content', 1000, '1,000 kg fuel content'),
  TNEK: content('TNEK', 'kg bioethanol', 1000, '1,000 kg bioethanol'),
  KCL: content('KCL', 'kg KCl', 1000, 'tonne KCl'),
  KNI: content('KNI', 'kg N', 1, 'kg N'),
  KPO: content('KPO', 'kg K₂O', 1, 'kg K₂O'),
  KPP: content('KPP', 'kg P₂O₅', 1, 'kg P₂O₅'),
  KSH: content('KSH', 'kg NaOH', 1, 'kg NaOH'),
  KPH: content('KPH', 'kg KOH', 1, 'kg KOH'),
  KNS: content('KNS', 'kg H₂O₂', 1, 'kg H₂O₂'),
  KMA: content('KMA', 'kg methylamines', 1, 'kg methylamines'),
  KSD: content('KSD', 'kg 90% dry substance', 1, 'kg 90% sdt'),
  KUR: content('KUR', 'kg U', 1, 'kg U'),
  KCC: content('KCC', 'kg choline chloride', 1, 'kg C₅H₁₄ClNO'),
  DHS: content('DHS', 'kg dihydrostreptomycin', 1, 'kg DHS'),
  GFI: content('GFI', 'g fissile isotopes', 1, 'g fissile isotopes'),
  CTM: content('CTM', 'carats', 1, 'carat'),
  TJO: content('TJO', 'TJ', 1, 'TJ'),
  MWH: content('MWH', 'kWh', 1000, '1,000 kWh'),
  CCT: content('CCT', 'carrying capacity tonnes', 1, 'ct/l'),
  GRT: content('GRT', 'gross tonnage', 1, 'GT'),
  NCL: content('NCL', 'cells', 1, 'cells'),
  NARB: content('NARB', 'items per flask', 1, 'b/f'),
  LTRA: content('LTRA', 'litres total alcohol', 1, 'l total alcohol'),
};

// Unit spellings seen in the UKGT/CET CSV columns, the OTT API "base" strings and the
// abbreviations of measurement_units.json, compared after lower-casing and removing all
// whitespace and thousands commas ("1,000 items" → "1000items", "100kg eda" → "100kgeda").
const ALIASES: Record<string, string> = {
  kg: 'KGM',
  kgm: 'KGM',
  'kg/net': 'KGM',
  '100kg': 'DTN',
  dtn: 'DTN',
  '100kg/net': 'DTN',
  hectokilogram: 'DTN',
  tonne: 'TNE',
  '1000kg': 'TNE',
  t: 'TNE',
  tne: 'TNE',
  'kg/gross': 'KGMG',
  'kg/br': 'KGMG',
  gkg: 'KGMG',
  '100kg/gross': 'DTNG',
  '100kg/br': 'DTNG',
  '100kggross': 'DTNG',
  'kg/neteda': 'KGME',
  kgeda: 'KGME',
  'kg/netdrainedwt': 'KGME',
  '100kg/netdrainedwt': 'DTNE',
  '100kgeda': 'DTNE',
  '100kg/neteda': 'DTNE',
  '100kg/eda': 'DTNE',
  '1000kg/neteda': 'TNEE',
  '100kg/netdry': 'DTNM',
  '100kgmas': 'DTNM',
  '100kg/netmas': 'DTNM',
  '100kg/mas': 'DTNM',
  '1000kg/netmas': 'TNEM',
  'kg/lacticmatter': 'KGMP',
  'kg/drylacticmatter': 'KGMT',
  'kg/totalc': 'KGMA',
  'kg/tot/alc': 'KGMA',
  'kg/totalalc': 'KGMA',
  '100kg/net/%sacchar.': 'DTNZ',
  '100kg/net/%sacchar': 'DTNZ',
  '100kg/%sacchar.': 'DTNZ',
  '1000kg/net/%saccha.': 'TNEZ',
  '1000kg/net/%sacchar.': 'TNEZ',
  '100kg/stdqual': 'DTNR',
  '100kgstdqual': 'DTNR',
  '1000kgstdqual': 'TNER',
  l: 'LTR',
  litre: 'LTR',
  ltr: 'LTR',
  hl: 'HLT',
  hlt: 'HLT',
  '1000l': 'KLT',
  '%vol/hl': 'ASVX',
  '%vol/hlt': 'ASVX',
  'lalc.100%': 'LPA',
  lpa: 'LPA',
  litreofpurealcohol: 'LPA',
  lofpurealcohol: 'LPA',
  'foreachlitreofpurealcohol,multipliedbythesprdiscount': 'SPQ',
  spq: 'SPQ',
  spqlpa: 'SPQLPA',
  spqltr: 'SPQLTR',
  item: 'NAR',
  items: 'NAR',
  'p/st': 'NAR',
  nar: 'NAR',
  '100items': 'CEN',
  '100p/st': 'CEN',
  '1000items': 'MIL',
  '1000p/st': 'MIL',
  mil: 'MIL',
  pa: 'NPR',
  pair: 'NPR',
  pairs: 'NPR',
  '1000pa': 'MPR',
  '1000pairs': 'MPR',
  m2: 'MTK',
  'm²': 'MTK',
  mtk: 'MTK',
  m: 'MTR',
  mtr: 'MTR',
  '100m': 'HMT',
  m3: 'MTQ',
  'm³': 'MTQ',
  mtq: 'MTQ',
  '1000m³': 'MTQC',
  '1000m3': 'MTQC',
  g: 'GRM',
  km: 'KMT',
  'kg/rawsugar': 'KGMS',
  '100kgrawsugar': 'DTNS',
  '100kg/rawsugar': 'DTNS',
  '10000kg/polar': 'DAP',
  '100kgliveweight': 'DTNL',
  '100kgcommonwheat': 'DTNF',
  '1000kg/biodiesel': 'TNEI',
  '1000kg/fuelcontent': 'TNEJ',
  '1000kg/bioethanol': 'TNEK',
  tonnekcl: 'KCL',
  kgn: 'KNI',
  'kgk₂o': 'KPO',
  kgk2o: 'KPO',
  'kgp₂o₅': 'KPP',
  kgp2o5: 'KPP',
  kgnaoh: 'KSH',
  kgkoh: 'KPH',
  'kgh₂o₂': 'KNS',
  kgh2o2: 'KNS',
  kgmethylamines: 'KMA',
  'kg90%sdt': 'KSD',
  kgu: 'KUR',
  'kgc₅h₁₄clno': 'KCC',
  kgdhs: 'DHS',
  'gif/s': 'GFI',
  'c/k': 'CTM',
  tj: 'TJO',
  '1000kwh': 'MWH',
  'ct/l': 'CCT',
  gt: 'GRT',
  'ce/el': 'NCL',
  'b/f': 'NARB',
  'ltotalalc.': 'LTRA',
};

export function unitKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/\s+/g, '');
}

export function lookupUnit(text: string): UnitInfo | undefined {
  const code = ALIASES[unitKey(text)];
  return code === undefined ? undefined : UNITS[code];
}

/** Declared supplementary unit codes (DE 6/2) accepted as quantities, e.g. "LTR", "NAR", "ASV X". */
export function unitByCode(code: string): UnitInfo | undefined {
  return UNITS[code.replace(/\s+/g, '').toUpperCase()];
}

/** A unit given either as TARIC code ("NAR") or as abbreviation ("p/st", "100 kg"). */
export function resolveUnit(codeOrAbbreviation: string): UnitInfo | undefined {
  return unitByCode(codeOrAbbreviation) ?? lookupUnit(codeOrAbbreviation);
}

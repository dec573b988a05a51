import { SourceFormat } from '@customs/contracts';

// Code lists the rules rely on, with their sources. Domain constants, not reference data that
// changes by date (those come from the reference service).

/** DE 2/3 proof-of-origin document codes (DOMAIN.md §2.3, HMRC Appendix 5A). */
export const PROOF_OF_ORIGIN = new Set([
  'U110',
  'U111',
  'U112', // UK–EU TCA / Japan: statement on origin, multiple shipments, importer's knowledge
  'U116',
  'U117',
  'U118', // other agreements' statements / importer's knowledge
  'N954',
  'U045', // EUR.1, EUR-MED movement certificates
  'N864',
  'U162',
  'U163', // origin/invoice declarations
  'N865', // GSP Form A
  'U164',
  'U165',
  'U166',
  'U167', // REX statements
  'U168',
  'U169',
  'U170',
  'U171', // replacement proofs
  'U062',
  'U088', // CETA-specific
]);

/** DE 4/17 codes that claim preferential treatment: 2xx (GSP/DCTS) and 3xx (agreements). */
export function claimsPreference(preference: string): boolean {
  return /^[23]\d{2}$/.test(preference);
}

/** DE 4/17 codes that allow a quota order number (DE 8/1), per CDS error 12110. */
export const QUOTA_PREFERENCES = new Set(['120', '123', '125', '128', '220', '223', '225', '320', '323', '325', '420']);

/** Commercial invoice codes accepted for valuation method 1 (DE 4/16). */
export const INVOICE_CODES = new Set(['N935', 'N325', 'N380']);

/** Authorisation document codes per special procedure (DOMAIN.md §3.5 C33). */
export const PROCEDURE_AUTHORISATIONS: { prefix: RegExp; name: string; codes: string[]; authorisationTypes: string[] }[] = [
  { prefix: /^51/, name: 'inward processing', codes: ['C601'], authorisationTypes: ['IPO'] },
  { prefix: /^53/, name: 'temporary admission', codes: ['C516'], authorisationTypes: ['TEA'] },
  { prefix: /^71/, name: 'customs warehousing', codes: ['C517', 'C518', 'C519'], authorisationTypes: ['CWP', 'CW1', 'CW2'] },
  { prefix: /^44/, name: 'end use', codes: ['N990', 'C990'], authorisationTypes: ['EUS'] },
];

/** AI code (DE 2/2) claiming authorisation by declaration for a special procedure. */
export const AUTHORISATION_BY_DECLARATION = '00100';

// DE 4/9 addition/deduction codes used by the valuation rules. The full UK list (Appendix 10)
// is not in the bundled data; these are the codes DOMAIN.md §2.2 names plus their documented
// neighbours [partly UNVERIFIED: confirm against Appendix 10 before relying on more codes].
/** Transport/insurance up to the place of introduction into the UK (additions). */
export const FREIGHT_ADDITIONS = new Set(['AK', 'AP']);
/** Royalties and licence fees, proceeds of resale (additions). */
export const ROYALTY_ADDITIONS = new Set(['AI', 'AJ']);
/** Transport/insurance after arrival, included in the price (deduction). */
export const POST_ARRIVAL_DEDUCTIONS = new Set(['BA']);

/** Incoterms whose price stops before the UK border (E and F terms). */
export const PRE_BORDER_INCOTERMS = new Set(['EXW', 'FCA', 'FAS', 'FOB']);
/** Incoterms whose price includes delivery inside the UK (D terms). */
export const DELIVERED_INCOTERMS = new Set(['DAP', 'DPU', 'DDP', 'DAT']);

/** Returned goods relief and outward processing re-import procedure codes (DE 1/10). */
export const RGR_PROCEDURES = /^61(10|11|21|22|23)$/;
export const OPR_PROCEDURES = /^612[12]$/;
/** APCs claiming returned goods relief (DE 1/11). */
export const RGR_APCS = new Set(['F01', 'F02', 'F03', '1RL']);

/** DE 4/3 tax types of trade remedies and additional duties (DOMAIN.md §2.2 DE 4/3). */
export const REMEDY_TAX_TYPES = new Set(['A20', 'A30', 'A35', 'A40', 'A45']);

/**
 * DE 1/11 codes that give no duty relief: "000" (none) and the simplified-valuation codes E01/E02
 * (unit price / standard import values). Any other APC may carry a relief (Cxx, Fxx, Dxx, 1RL…),
 * so rules that flag "zero value/duty without a reason" treat it as a reason and stay silent.
 */
export const DUTY_NEUTRAL_APCS = new Set(['000', 'E01', 'E02']);

/** True when an item declares an APC that may explain a relief (see DUTY_NEUTRAL_APCS). */
export function claimsReliefApc(apcs: readonly string[]): boolean {
  return apcs.some((a) => a && !DUTY_NEUTRAL_APCS.has(a.toUpperCase()));
}

/** Requested procedure "release for free circulation" (40xx) and with onward-supply VAT relief (42xx). */
export const FREE_CIRCULATION = /^4[02]\d{2}$/;

/** UK preference schemes for developing countries (roo_schemes_uk.json ids: gsp, dcts-*). */
export function isDevelopingCountryScheme(schemeId: string): boolean {
  return /^(gsp|dcts)(-|$)/i.test(schemeId);
}

/** DE 4/9 codes that adjust only the VAT value, never the customs value (AV: transport to the first UK destination). */
export const VAT_ONLY_ADJUSTMENTS = new Set(['AV']);

/** DE 3/21 representative status: 2 direct, 3 indirect representation (DOMAIN.md §2.2). */
export const REPRESENTATION_STATUSES = new Set(['2', '3']);

/** DE 2/2 AI code: importer represents itself (DOMAIN.md §2.2). */
export const SELF_REPRESENTATION_AI = '00500';

/**
 * HMRC CDS data reports and legacy MSS reports do not carry DE 4/1, DE 4/9, DE 3/21 or DE 3/40
 * (DOMAIN.md §2.4): on declarations read from them, an empty field means "not reported", not "not
 * declared", and rules that need those fields stay silent.
 */
export function fromTraderReports(sourceFormat: SourceFormat): boolean {
  return sourceFormat === SourceFormat.SOURCE_FORMAT_CDS_REPORT || sourceFormat === SourceFormat.SOURCE_FORMAT_CHIEF_MSS;
}

// Code lists the rules rely on, with their sources. Domain constants, not reference data that
// changes by date (those come from the reference service).

/** DE 2/3 proof-of-origin document codes (DOMAIN.md §2.3, HMRC Appendix 5A). */
export const PROOF_OF_ORIGIN = new Set([
  'U110', 'U111', 'U112', // UK–EU TCA / Japan: statement on origin, multiple shipments, importer's knowledge
  'U116', 'U117', 'U118', // other agreements' statements / importer's knowledge
  'N954', 'U045', // EUR.1, EUR-MED movement certificates
  'N864', 'U162', 'U163', // origin/invoice declarations
  'N865', // GSP Form A
  'U164', 'U165', 'U166', 'U167', // REX statements
  'U168', 'U169', 'U170', 'U171', // replacement proofs
  'U062', 'U088', // CETA-specific
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

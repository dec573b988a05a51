import { Severity, type Evidence } from '@customs/contracts';
import type { Rule, RuleHit } from './types';

// DOMAIN.md §2.1 / §3.1 C01: GB/XI EORI = 2 letters + 12 digits; HMRC's service accepts the
// generic form up to 17 characters, which earns a warning rather than an error.
const UK_EORI = /^(GB|XI)\d{12}$/;
const GENERIC_EORI = /^[A-Z]{2}[A-Z0-9]{1,15}$/;
const MRN = /^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$/;
const DAN = /^\d{7}$/;

const EORI_ROLES = new Set(['importer', 'declarant', 'representative']);

/** C01 — Invalid EORI / MRN / DAN format. */
export const c01IdentifierFormat: Rule = {
  meta: {
    id: 'C01',
    version: '1.0.0',
    title: 'Invalid EORI, MRN or DAN format',
    family: 'data-integrity',
    dataElements: ['DE 3/16 importer', 'DE 3/18 declarant', 'DE 3/20 representative', 'MRN', 'DE 2/6 deferment account'],
    legalBasis: 'CDS import declaration completion guide, group 3 (EORI); HMRC cds-reimbursement-claim-frontend Eori/MRN/Dan formats (DOMAIN.md §2.1)',
    severityLogic: 'LOW: data quality with no money at stake; it blocks drafting a C285 for the entry',
    pricing: 'none (data quality)',
    correctionRoute: 'none: correct the master data; C285/C2001 drafting needs valid identifiers',
    businessRule: 'Importer, declarant and representative EORIs are GB/XI + 12 digits, the MRN is 18 characters with a 2-digit year and GB, and a DAN is 7 digits.',
  },
  evaluate({ declaration }) {
    const problems: Evidence[] = [];
    for (const p of declaration.parties) {
      if (!EORI_ROLES.has(p.role) || !p.id) continue;
      const id = p.id.trim().toUpperCase();
      if (UK_EORI.test(id)) continue;
      problems.push({
        field: `${p.role} EORI`,
        value: p.id,
        note: GENERIC_EORI.test(id)
          ? 'not a GB/XI EORI (2 letters + 12 digits); accepted by HMRC only as a non-UK identifier'
          : 'not an EORI: expected 2 letters followed by up to 15 letters or digits',
      });
    }
    if (declaration.mrn && !MRN.test(declaration.mrn.trim().toUpperCase())) {
      problems.push({ field: 'MRN', value: declaration.mrn, note: 'expected 18 characters: 2-digit year, 2-letter country, 13 letters/digits, 1 check digit' });
    }
    for (const dan of declaration.defermentAccounts) {
      if (!DAN.test(dan.trim())) problems.push({ field: 'DE 2/6 deferment account (DAN)', value: dan, note: 'expected 7 digits' });
    }
    if (problems.length === 0) return [];
    const hit: RuleHit = {
      itemNumber: 0,
      severity: Severity.SEVERITY_LOW,
      evidence: problems,
      explanation: `${problems.length} identifier(s) do not match the CDS formats: ${problems.map((p) => `${p.field} "${p.value}"`).join('; ')}.`,
      remediation: 'Correct the identifier in the importer/broker master data; ask the broker to amend if the declaration is still open. A C285 or C2001 for this entry needs valid EORI/MRN/DAN.',
    };
    return [hit];
  },
};

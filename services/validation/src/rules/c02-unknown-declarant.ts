import { Severity, type Evidence } from '@customs/contracts';
import { REPRESENTATION_STATUSES, SELF_REPRESENTATION_AI, fromTraderReports } from './codes';
import { partiesOf } from './engine';
import { pounds } from './pricing';
import type { Rule } from './types';

/**
 * A well-formed EORI: GB/XI + 12 digits (C01's check), or an EU EORI (country code + up to 15
 * characters, e.g. for Northern Ireland movements). A malformed id cannot be compared.
 */
const EORI = /^(?:(?:GB|XI)\d{12}|(?!GB|XI)[A-Z]{2}[0-9A-Z]{1,15})$/;

/** C02 — Declaration made in the importer's name by another party without a representation status. */
export const c02UnknownDeclarant: Rule = {
  meta: {
    id: 'C02',
    version: '1.2.0',
    title: 'Declared in the importer’s name by another party without representation status',
    family: 'data-integrity',
    dataElements: ['DE 3/16 importer', 'DE 3/18 declarant', 'DE 3/20 representative', 'DE 3/21 representative status', 'DE 2/2 additional information'],
    legalBasis:
      'A declarant acting for the importer declares direct (2) or indirect (3) representation in DE 3/21; a blank DE 3/21 needs AI 00500/00400 (CDS 3.9.0 note; DOMAIN.md §2.2, §3.1 C02). The importer is liable for duty declared in its name (gov.uk MSS guidance)',
    severityLogic: 'MEDIUM: the importer carries liability for an entry it may not have authorised; no underpayment is shown by the declaration itself',
    pricing: 'not an exposure: the duty and VAT charged on the entry (Σ tax lines) are stated as the liability in the importer’s name',
    correctionRoute: 'none if a standing authority exists (file it); otherwise report misuse of the EORI to HMRC and dispute the charges',
    businessRule:
      'When the declarant/representative is not the importer, DE 3/21 declares direct or indirect representation. An importer without an EORI (a name only) declared by an EORI holder is another party. Not reported: AI 00500 (DE 2/2) states that the importer is the declarant, so a differing declarant EORI is a keying error (C01), not another party; and when either EORI is malformed the parties cannot be compared (recorded as not checked). Not checked on declarations read from CDS data/MSS reports, which do not carry DE 3/21. Not covered here (needs data the declaration lacks): the approved-broker list per importer (no tenant setting exists for it) and "new declarant first seen" (needs history; scoring).',
  },
  evaluate({ declaration, notChecked }) {
    // CDS data reports do not carry DE 3/21: a blank status there is not reported, not missing.
    if (fromTraderReports(declaration.sourceFormat)) return [];
    const { importer: importerId, declarant } = partiesOf(declaration);
    const importerName = declaration.parties.find((p) => p.role === 'importer')?.name.trim() ?? '';
    // An importer known only by name (no EORI) is a different party from an EORI-holding declarant.
    const importer = importerId || (importerName && declarant ? `(no EORI: ${importerName})` : '');
    if (!importer || !declarant) return [];
    const norm = (s: string) => s.trim().toUpperCase();
    if (norm(importer) === norm(declarant)) return [];
    const status = declaration.representativeStatus.trim();
    if (REPRESENTATION_STATUSES.has(status)) return [];
    const ai = [...declaration.additionalInformation, ...declaration.items.flatMap((i) => i.additionalInformation)].map((a) => a.code);
    // AI 00500 says the importer itself is the declarant: the declaration names one party, and a
    // declarant EORI that differs is a keying error of one of the two ids (C01's), not an agent.
    if (ai.includes(SELF_REPRESENTATION_AI)) {
      notChecked?.(0, 'DE 2/2 AI 00500 states the importer is the declarant, but the declarant EORI differs from the importer EORI: which id is mistyped cannot be told from the declaration');
      return [];
    }
    // A malformed EORI (C01) may be the same party mistyped: the two cannot be compared.
    if (importerId && !EORI.test(norm(importerId))) {
      notChecked?.(0, `the importer EORI "${importerId}" is not a well-formed EORI, so whether the declarant is another party cannot be decided`);
      return [];
    }
    if (!EORI.test(norm(declarant))) {
      notChecked?.(0, `the declarant id "${declarant}" is not a well-formed EORI, so whether it is another party than the importer cannot be decided`);
      return [];
    }
    const charged = declaration.items.reduce((s, i) => s + i.taxLines.reduce((t, l) => t + l.payablePence, 0), 0);
    const evidence: Evidence[] = [
      { field: 'DE 3/16 importer', value: importer, note: '' },
      { field: 'DE 3/18/3/20 declarant or representative', value: declarant, note: 'not the importer' },
      { field: 'DE 3/21 representative status', value: status || '(blank)', note: status ? 'not 2 (direct) or 3 (indirect)' : 'no representation declared' },
    ];
    return [
      {
        itemNumber: 0,
        severity: Severity.SEVERITY_MEDIUM,
        evidence,
        explanation: `${declarant} declared this entry in the name of importer ${importer} without declaring a representation status. The importer is liable for the ${charged ? `${pounds(charged)} of duty and VAT charged` : 'duty and VAT'} on it.`,
        remediation: 'Check that this broker holds a standing authority from the importer; if not, ask the broker for an explanation and tell HMRC that the EORI is being used without authority.',
      },
    ];
  },
};

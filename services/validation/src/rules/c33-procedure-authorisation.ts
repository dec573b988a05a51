import { Severity } from '@customs/contracts';
import { isPlaceholderText } from './vocabulary';
import { AUTHORISATION_BY_DECLARATION, PROCEDURE_AUTHORISATIONS, fromTraderReports } from './codes';
import type { Rule, RuleHit } from './types';

/** C33 — Special procedure without its authorisation. */
export const c33ProcedureAuthorisation: Rule = {
  meta: {
    id: 'C33',
    version: '1.2.0',
    title: 'Special procedure declared without an authorisation',
    family: 'procedures-reliefs',
    dataElements: ['DE 1/10 procedure code', 'DE 2/3 documents', 'DE 3/39 authorisation holder', 'DE 2/2 additional information'],
    legalBasis:
      'Inward processing, temporary admission, customs warehousing and end use need an authorisation (C601/C516/C517–C519/N990, DE 3/39) unless authorisation by declaration is claimed with AI 00100 (DOMAIN.md §3.5 C33)',
    severityLogic: 'HIGH: the suspended duty (and VAT) becomes due if the procedure was not authorised',
    pricing: 'suspended duty + import VAT on the customs value (duty engine); not priced yet',
    correctionRoute: 'C2001 for the suspended duty if no authorisation existed',
    businessRule:
      'A declaration entering IP (51xx), TA (53xx), CW (71xx) or end use (44xx) cites the matching authorisation (a document with a real reference, not "N/A"/"TBC") or claims authorisation by declaration.',
  },
  evaluate({ declaration }) {
    const hits: RuleHit[] = [];
    const headerAuth = new Set(declaration.authorisations.map((a) => a.type));
    const aiCodes = new Set([...declaration.additionalInformation.map((a) => a.code)]);
    for (const item of declaration.items) {
      const proc = PROCEDURE_AUTHORISATIONS.find((p) => p.prefix.test(item.procedureCode));
      if (!proc) continue;
      // A placeholder reference ("N/A", "TBC") cites no authorisation.
      const docs = new Set([...item.documents, ...declaration.documents].filter((d) => !isPlaceholderText(d.reference)).map((d) => d.code));
      const ai = new Set([...aiCodes, ...item.additionalInformation.map((a) => a.code)]);
      const authorised = proc.codes.some((c) => docs.has(c)) || proc.authorisationTypes.some((t) => headerAuth.has(t)) || ai.has(AUTHORISATION_BY_DECLARATION);
      if (authorised) continue;
      // The reports do not carry DE 3/39 (authorisation holder), where many entries declare it
      // (HMRC sample TT_IM004a): absence there is unknown, not missing.
      if (fromTraderReports(declaration.sourceFormat)) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_HIGH,
        evidence: [
          { field: 'DE 1/10 procedure code', value: item.procedureCode, note: proc.name },
          { field: 'DE 2/3 documents', value: [...docs].join(', ') || '(none)', note: `none of ${proc.codes.join(', ')}` },
          { field: 'DE 3/39 authorisations', value: [...headerAuth].join(', ') || '(none)', note: `none of ${proc.authorisationTypes.join(', ')}` },
        ],
        explanation: `Item ${item.itemNumber} enters ${proc.name} (procedure ${item.procedureCode}) without citing an authorisation (${proc.codes.join('/')}) or claiming authorisation by declaration (AI ${AUTHORISATION_BY_DECLARATION}).`,
        remediation: 'Confirm the authorisation number and have it declared; if there was none, the suspended duty and VAT are due (C2001).',
      });
    }
    return hits;
  },
};

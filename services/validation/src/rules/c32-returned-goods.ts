import { Severity } from '@customs/contracts';
import { RGR_APCS, RGR_PROCEDURES, fromTraderReports } from './codes';
import { mfnDuty, mfnNeeds, pounds } from './pricing';
import type { Rule, RuleHit } from './types';
import { isPlaceholderReference, isPlaceholderText } from './vocabulary';

/** DE 2/1 previous-document types that are the export declaration itself (CDS: Z MRN; 830 export declaration; EXP/EX1 legacy). */
const EXPORT_PREVIOUS_TYPES = new Set(['MRN', '830', 'EXP', 'EX1']);

/** C32 — Returned goods relief without evidence of the export. */
export const c32ReturnedGoods: Rule = {
  meta: {
    id: 'C32',
    version: '1.4.0',
    title: 'Returned goods relief without export evidence',
    family: 'procedures-reliefs',
    dataElements: ['DE 1/10 procedure code', 'DE 1/11 additional procedure codes', 'DE 2/1 previous documents', 'DE 2/3 documents'],
    legalBasis: 'Returned goods relief needs proof of the earlier export: the export MRN as previous document (DE 2/1), an INF3 (C605) or other export evidence (DOMAIN.md §3.5 C32)',
    severityLogic: 'HIGH: without the evidence the relief falls and full duty is due',
    pricing:
      'exposure = third-country duty on the duty value (A00 tax base, else reported customs value, else invoice price ± DE 4/9 at the HMRC rate; simple ad valorem MFN until the duty engine lands)',
    correctionRoute: 'C2001 for the relieved duty if the export cannot be evidenced',
    businessRule:
      'A returned-goods (61xx or APC F01–F03/1RL) entry cites the export declaration (a DE 2/1 previous document of an export type — MRN/830/EXP/EX1 — with a real reference) or an INF3 (C605 with a real reference). Other previous documents (an entry summary 355, a DUCR, a previous import) and placeholders such as "N/A" or "TBC" are not export evidence.',
  },
  needs: (d, item) => (RGR_PROCEDURES.test(item.procedureCode) || item.additionalProcedureCodes.some((a) => RGR_APCS.has(a)) ? mfnNeeds(d, item) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const claims = RGR_PROCEDURES.test(item.procedureCode) || item.additionalProcedureCodes.some((a) => RGR_APCS.has(a));
      if (!claims) continue;
      const previous = [...item.previousDocuments, ...declaration.previousDocuments];
      const docs = new Set([...item.documents, ...declaration.documents].map((d) => d.code));
      // Only the export itself proves the export: an export-type previous document or an INF3,
      // each with a real reference. An MRN-shaped reference on another type (the entry summary
      // declaration 355 every sea entry carries) is an import-side document, not export evidence.
      const inf3 = [...item.documents, ...declaration.documents].some((d) => d.code === 'C605' && !isPlaceholderText(d.reference));
      const evidenced = inf3 || previous.some((p) => EXPORT_PREVIOUS_TYPES.has(p.type.trim().toUpperCase()) && !isPlaceholderReference(p.reference));
      if (evidenced) continue;
      // HMRC's CDS/MSS item reports do not carry DE 2/1 previous documents, so a missing export MRN
      // there means "not in the report", not "not declared".
      if (fromTraderReports(declaration.sourceFormat)) continue;
      const duty = mfnDuty(declaration, item, reference);
      const priced = 'pence' in duty;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_HIGH,
        exposureDutyPence: priced ? duty.pence : 0,
        evidence: [
          { field: 'DE 1/10 / 1/11', value: `${item.procedureCode} ${item.additionalProcedureCodes.join(' ')}`.trim(), note: 'returned goods relief claimed' },
          { field: 'DE 2/1 previous documents', value: previous.map((p) => `${p.category}${p.type}:${p.reference}`).join(', ') || '(none)', note: 'no export MRN' },
          { field: 'DE 2/3 documents', value: [...docs].join(', ') || '(none)', note: 'no INF3 (C605)' },
        ],
        explanation: `Item ${item.itemNumber} claims returned goods relief without citing the export declaration or an INF3. ${priced ? `If the relief falls, ${duty.text} is due: exposure ${pounds(duty.pence)}.` : `Not priced: ${duty.reason}.`}`,
        remediation: 'Find the export MRN (or INF3) for these goods and keep it with the entry; if the goods were never exported from the UK, disclose the duty (C2001).',
      });
    }
    return hits;
  },
};

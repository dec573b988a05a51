import { Severity } from '@customs/contracts';
import { RGR_APCS, RGR_PROCEDURES, fromTraderReports } from './codes';
import { mfnDuty, mfnNeeds, pounds } from './pricing';
import type { Rule, RuleHit } from './types';

/** C32 — Returned goods relief without evidence of the export. */
export const c32ReturnedGoods: Rule = {
  meta: {
    id: 'C32',
    version: '1.3.0',
    title: 'Returned goods relief without export evidence',
    family: 'procedures-reliefs',
    dataElements: ['DE 1/10 procedure code', 'DE 1/11 additional procedure codes', 'DE 2/1 previous documents', 'DE 2/3 documents'],
    legalBasis: 'Returned goods relief needs proof of the earlier export: the export MRN as previous document (DE 2/1), an INF3 (C605) or other export evidence (DOMAIN.md §3.5 C32)',
    severityLogic: 'HIGH: without the evidence the relief falls and full duty is due',
    pricing: 'exposure = third-country duty on the duty value (A00 tax base, else reported customs value, else invoice price ± DE 4/9 at the HMRC rate; simple ad valorem MFN until the duty engine lands)',
    correctionRoute: 'C2001 for the relieved duty if the export cannot be evidenced',
    businessRule: 'A returned-goods (61xx or APC F01–F03/1RL) entry cites the export declaration or an INF3.',
  },
  needs: (d, item) => (RGR_PROCEDURES.test(item.procedureCode) || item.additionalProcedureCodes.some((a) => RGR_APCS.has(a)) ? mfnNeeds(d, item) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const claims = RGR_PROCEDURES.test(item.procedureCode) || item.additionalProcedureCodes.some((a) => RGR_APCS.has(a));
      if (!claims) continue;
      const previous = [...item.previousDocuments, ...declaration.previousDocuments];
      const docs = new Set([...item.documents, ...declaration.documents].map((d) => d.code));
      // An export MRN as previous document (type MRN/830) or an INF3 proves the export.
      const evidenced = docs.has('C605') || previous.some((p) => ['MRN', '830', 'EXP', 'EX1'].includes(p.type.toUpperCase()) || /^\d{2}[A-Z]{2}[A-Z0-9]{13}\d$/.test(p.reference));
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

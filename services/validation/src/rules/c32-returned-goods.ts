import { Severity } from '@customs/contracts';
import { RGR_APCS, RGR_PROCEDURES, fromTraderReports } from './codes';
import { mfnDuty, mfnNeeds, pounds } from './pricing';
import type { Rule, RuleHit } from './types';
import { isPlaceholderReference, isPlaceholderText } from './vocabulary';

/** DE 2/1 previous-document types that are the export declaration itself (CDS: Z MRN; 830 export declaration; EXP/EX1 legacy). */
const EXPORT_PREVIOUS_TYPES = new Set(['MRN', '830', 'EXP', 'EX1']);
/** CDS export declarations are cited by their MRN (DOMAIN.md §1.3: 2-digit year, country, 13 characters, check digit). */
const CDS_EXPORT_TYPES = new Set(['MRN', '830']);
const MRN_SHAPE = /^(\d{2})[A-Z]{2}[A-Z0-9]{13}\d$/;

/**
 * Why a cited export document is not evidence of this export, or undefined when it can be: what
 * it is is checked, not only that something is there. A CDS export is an MRN (not "N/A", a DUCR or
 * free text), never the entry's own MRN, and not issued in a later year than the goods came back
 * (an export follows nothing it precedes); a legacy CHIEF export or an INF3 is a real reference
 * with a number in it.
 */
function notExportEvidence(type: string, reference: string, own: { mrn: string; acceptanceYear: number | undefined }): string | undefined {
  const ref = reference.trim().toUpperCase();
  if (isPlaceholderReference(ref)) return `"${reference}" is a placeholder, not a reference`;
  if (CDS_EXPORT_TYPES.has(type)) {
    const m = MRN_SHAPE.exec(ref);
    if (!m) return `"${reference}" is not an MRN (18 characters: 2-digit year, country, 13 letters or digits, check digit)`;
    if (own.mrn && ref === own.mrn.trim().toUpperCase()) return `${ref} is this entry's own MRN, not the export's`;
    const year = 2000 + Number(m[1]);
    if (own.acceptanceYear !== undefined && year > own.acceptanceYear) return `${ref} was issued in ${year}, after this re-import (${own.acceptanceYear}): it cannot be the earlier export`;
    return undefined;
  }
  return /\d/.test(ref) ? undefined : `"${reference}" has no number: not a reference to an export entry`;
}

/** C32 — Returned goods relief without evidence of the export. */
export const c32ReturnedGoods: Rule = {
  meta: {
    id: 'C32',
    version: '1.5.0',
    title: 'Returned goods relief without export evidence',
    family: 'procedures-reliefs',
    dataElements: ['DE 1/10 procedure code', 'DE 1/11 additional procedure codes', 'DE 2/1 previous documents', 'DE 2/3 documents'],
    legalBasis: 'Returned goods relief needs proof of the earlier export: the export MRN as previous document (DE 2/1), an INF3 (C605) or other export evidence (DOMAIN.md §3.5 C32)',
    severityLogic: 'HIGH: without the evidence the relief falls and full duty is due',
    pricing:
      'exposure = third-country duty on the duty value (A00 tax base, else reported customs value, else invoice price ± DE 4/9 at the HMRC rate; simple ad valorem MFN until the duty engine lands)',
    correctionRoute: 'C2001 for the relieved duty if the export cannot be evidenced',
    businessRule:
      'A returned-goods (61xx or APC F01–F03/1RL) entry cites the export declaration (a DE 2/1 previous document of an export type — MRN/830/EXP/EX1 — with a real reference) or an INF3 (C605 with a real reference). What it cites is checked: an MRN/830 reference must be an MRN, not the entry\'s own, and not issued in a later year than the re-import\'s acceptance date (when that date is known, not only the day received); an EXP/EX1 or INF3 reference must carry a number. Other previous documents (an entry summary 355, a DUCR, a previous import) and placeholders such as "N/A" or "TBC" are not export evidence.',
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
      // The year test needs the real tax point: a date that is only when the file arrived (or a
      // test's assumed one) is not compared.
      const knownDate = /^\d{4}-/.test(declaration.acceptanceDate) && declaration.acceptanceDateSource !== 'received' && declaration.acceptanceDateSource !== '';
      const own = { mrn: declaration.mrn, acceptanceYear: knownDate ? Number(declaration.acceptanceDate.slice(0, 4)) : undefined };
      const inf3s = [...item.documents, ...declaration.documents].filter((d) => d.code === 'C605' && !isPlaceholderText(d.reference));
      const inf3 = inf3s.some((d) => notExportEvidence('C605', d.reference, own) === undefined);
      const cited = previous.filter((p) => EXPORT_PREVIOUS_TYPES.has(p.type.trim().toUpperCase()));
      const refused = cited.map((p) => ({ p, why: notExportEvidence(p.type.trim().toUpperCase(), p.reference, own) }));
      const evidenced = inf3 || refused.some((r) => r.why === undefined);
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
          {
            field: 'DE 2/1 previous documents',
            value: previous.map((p) => `${p.category}${p.type}:${p.reference}`).join(', ') || '(none)',
            note: refused.length ? `no usable export reference: ${refused.map((r) => r.why).join('; ')}` : 'no export MRN',
          },
          { field: 'DE 2/3 documents', value: [...docs].join(', ') || '(none)', note: 'no INF3 (C605)' },
        ],
        explanation: `Item ${item.itemNumber} claims returned goods relief without ${refused.length ? `evidence of the export: what it cites is not the export (${refused.map((r) => r.why).join('; ')})` : 'citing the export declaration or an INF3'}. ${priced ? `If the relief falls, ${duty.text} is due: exposure ${pounds(duty.pence)}.` : `Not priced: ${duty.reason}.`}`,
        remediation: 'Find the export MRN (or INF3) for these goods and keep it with the entry; if the goods were never exported from the UK, disclose the duty (C2001).',
      });
    }
    return hits;
  },
};

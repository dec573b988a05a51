import { Severity } from '@customs/contracts';
import { pounds } from './money';
import type { HistoryHit, HistoryRule } from './types';

/** Declarations the importer must already have before a new declarant counts as unusual. */
export const MIN_IMPORTER_HISTORY = 20;

export const c02UnknownDeclarant: HistoryRule = {
  meta: {
    id: 'C02',
    version: '2.0.0',
    title: 'Unknown declarant or agent acting in the importer’s name',
    family: 'data-integrity',
    dataElements: ['DE 3/16 importer', 'DE 3/18 declarant', 'DE 3/20 representative', 'DE 4/6 tax lines'],
    legalBasis: 'The importer is liable for the duty declared in its name (gov.uk MSS guidance); a declarant with no standing authority is misuse of the EORI (DOMAIN.md §3.1 C02)',
    severityLogic: 'HIGH when the importer keeps an approved-agent list and the declarant is not on it; MEDIUM for a declarant first seen after the importer’s history is established (no list kept)',
    pricing: 'not an error in the amounts: the duty and import VAT charged on the entry (Σ tax lines) are the liability at stake in the importer’s name',
    correctionRoute: 'none if a standing authority exists (add the agent to the approved list); otherwise report misuse of the EORI to HMRC and dispute the charges',
    businessRule: `Declarant/representative ≠ importer, and either not on the importer’s approved-agent list (PUT /v1/importers/:eori/approved-agents), or — when no list is kept — never seen on the importer’s declarations before while the importer already has ≥ ${MIN_IMPORTER_HISTORY} of them (its first declaration is flagged). A change of the list applies to declarations scored after it. Validation’s C02 checks the representation status on the entry itself.`,
    minimumHistory: `${MIN_IMPORTER_HISTORY} declarations of the importer (first-seen mode); none with an approved-agent list`,
    confidence: 0.5,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const f of input.batch) {
      if (!f.declarant || f.declarant === f.importer) continue;
      const approved = input.state.importers.get(f.importer)?.approved ?? [];
      const key = `${f.importer}|${f.declarant}`;
      let why: string | undefined;
      let severity = Severity.SEVERITY_MEDIUM;
      if (approved.length > 0) {
        if (approved.includes(f.declarant)) continue;
        why = `not on the importer's approved-agent list (${approved.length} agent(s))`;
        severity = Severity.SEVERITY_HIGH;
      } else {
        const before = input.importersBefore.get(f.importer) ?? 0;
        const seen = input.state.declarants.get(key);
        if (!input.touched.declarantsNew.has(key) || before < MIN_IMPORTER_HISTORY || seen?.firstDecl !== f.id) continue;
        why = `first seen on this declaration after ${before} declarations of the importer by other parties`;
      }
      const duty = f.lines.reduce((s, l) => s + l.duty, 0);
      const vat = f.lines.reduce((s, l) => s + l.vat, 0);
      out.push({
        ruleId: 'C02',
        target: { d: f.id, v: f.version, mrn: f.mrn, lrn: f.lrn, date: f.date, importer: f.importer, declarant: f.declarant },
        item: 0,
        severity,
        exposureDutyPence: duty,
        exposureVatPence: vat,
        evidence: [
          { field: 'DE 3/16 importer', value: f.importer, note: '' },
          { field: 'DE 3/18/3/20 declarant or representative', value: f.declarant, note: why },
        ],
        explanation: `Declared in the importer's name by ${f.declarant}, ${why}: duty ${pounds(duty)} and import VAT ${pounds(vat)} charged in its name.`,
        remediation: 'Confirm the agent acts on a standing authority and add it to the approved-agent list; if not, report the misuse of the EORI to HMRC and dispute the charges.',
      });
    }
    return out;
  },
};

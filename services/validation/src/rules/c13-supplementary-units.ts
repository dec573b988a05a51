import { Severity } from '@customs/contracts';
import { rateFacts, rateNeeds } from './pricing';
import type { Rule, RuleHit } from './types';

const positive = (v: string) => /^\d+(\.\d+)?$/.test(v.trim()) && /[1-9]/.test(v);

/** C13 — Supplementary units missing where the tariff requires them, or present where it does not. */
export const c13SupplementaryUnits: Rule = {
  meta: {
    id: 'C13',
    version: '1.1.1',
    title: 'Supplementary units missing or not required',
    family: 'classification',
    dataElements: ['DE 6/2 supplementary units', 'DE 6/14–6/15 commodity code'],
    legalBasis: 'DE 6/2 is completed in the unit the tariff requires for the code (measure 109, e.g. p/st, l, m²) and only then (CDS completion guide group 6; DOMAIN.md §3.2 C13)',
    severityLogic: 'LOW: statistical data quality; a specific duty per that unit would make it priced (duty engine)',
    pricing: 'none while the duty is not per supplementary unit (rate × quantity otherwise, once the duty engine lands)',
    correctionRoute: 'none: correct the data with the broker (C2001 only if a per-unit duty was underpaid)',
    businessRule: 'An item declares a positive DE 6/2 quantity exactly when its code has a supplementary unit (measure 109) on the acceptance date.',
  },
  needs: (d, item) => rateNeeds(d, item),
  evaluate({ declaration, reference, notChecked }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const facts = rateFacts(declaration, item, reference);
      // Without the code's measures loaded, "no supplementary unit" only means "not known".
      if (!facts?.measuresLoaded) {
        notChecked?.(
          item.itemNumber,
          facts
            ? `the Online Trade Tariff measures of ${item.commodityCode} are not loaded, so whether it needs supplementary units (measure 109) is unknown`
            : `no tariff facts for ${item.commodityCode || '(no code)'} on ${declaration.acceptanceDate || '(no date)'}`,
        );
        continue;
      }
      const required = facts.supplementaryUnit.trim();
      const declared = item.supplementaryUnits.trim();
      let why: string | undefined;
      if (required && !positive(declared)) why = `the tariff requires supplementary units in ${required} for ${item.commodityCode}, but DE 6/2 is ${declared ? `"${declared}"` : 'empty'}`;
      else if (!required && positive(declared))
        why = `DE 6/2 declares ${declared} although ${item.commodityCode} has no supplementary unit on ${declaration.acceptanceDate}: it may belong to another code`;
      if (!why) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_LOW,
        evidence: [
          { field: 'DE 6/2 supplementary units', value: declared || '(empty)', note: '' },
          { field: 'tariff supplementary unit (measure 109)', value: required || '(none)', note: `tariff ${facts.datasetVersion}` },
        ],
        explanation: `Item ${item.itemNumber}: ${why}.`,
        remediation: required
          ? `Ask the broker to declare the quantity in ${required} from the packing list.`
          : 'Check the classification: a supplementary quantity on a code that needs none often means the code was changed without updating the line.',
      });
    }
    return hits;
  },
};

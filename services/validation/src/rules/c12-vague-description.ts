import { Severity } from '@customs/contracts';
import { isVagueDescription } from './vocabulary';
import type { Rule, RuleHit } from './types';

/** C12 — Goods description too vague to support the classification. */
export const c12VagueDescription: Rule = {
  meta: {
    id: 'C12',
    version: '1.1.0',
    title: 'Goods description too vague to support the classification',
    family: 'classification',
    dataElements: ['DE 6/8 description of goods', 'DE 6/14 commodity code'],
    legalBasis: 'DE 6/8 must describe the goods precisely enough to identify them and support the code (CDS completion guide group 6; DOMAIN.md §3.2 C12)',
    severityLogic: 'LOW: advisory; the classification cannot be checked, no amount until a code is disputed',
    pricing: 'advisory; priced as C10 (rate difference × customs value) once the correct code is resolved',
    correctionRoute: 'none until reclassified: C285 "Incorrect commodity code" or C2001 then',
    businessRule:
      'DE 6/8 is not just generic words such as "parts", "accessories", "samples" or "see invoice", in any case, plural or combination ("parts and accessories", "various goods", "general merchandise"; rules/vocabulary.ts lists the words and their sources). Not covered here: a keyword/ML model of description vs chapter (HMRC’s FPO search approach), which needs a trained model the service does not have.',
  },
  evaluate({ declaration }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!item.description.trim()) continue; // CDS reports may omit DE 6/8; absence is not vagueness
      if (!isVagueDescription(item.description)) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_LOW,
        evidence: [
          { field: 'DE 6/8 description of goods', value: item.description, note: 'a generic word, not a description' },
          { field: 'DE 6/14 commodity code', value: item.commodityCode, note: '' },
        ],
        explanation: `Item ${item.itemNumber} is described only as "${item.description.trim()}", which does not identify the goods: nothing on the entry supports code ${item.commodityCode || '(none)'}, and HMRC may query or reclassify it.`,
        remediation: 'Give the broker the product description from the invoice/specification (what it is, material, function) and check the code against it.',
      });
    }
    return hits;
  },
};

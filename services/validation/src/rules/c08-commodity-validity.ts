import { Severity, type Evidence } from '@customs/contracts';
import type { Rule, RuleHit } from './types';

/** The 10-digit code to look up: as declared, or CN8 + "00" when the TARIC digits are absent. */
function lookupCode(declared: string): string | undefined {
  if (/^\d{10}$/.test(declared)) return declared;
  if (/^\d{8}$/.test(declared)) return `${declared}00`;
  return undefined;
}

/** C08 — Commodity code not valid on the acceptance date. */
export const c08CommodityValidity: Rule = {
  meta: {
    id: 'C08',
    version: '1.0.0',
    title: 'Commodity code not valid on the acceptance date',
    family: 'classification',
    dataElements: ['DE 6/14 commodity code', 'DE 6/15 TARIC code', 'acceptance date'],
    legalBasis: 'UK Trade Tariff nomenclature: only suffix-80 (declarable) leaf codes valid on the acceptance date may be declared (DOMAIN.md §2.1, §3.2 C08)',
    severityLogic: 'HIGH: HMRC will reclassify the goods; the duty difference is unknown until the correct code is chosen',
    pricing: 'unknown until reclassified (the finding carries no amount)',
    correctionRoute: 'C285 basis "Incorrect commodity code" if the correct code carries less duty; C2001 if more',
    businessRule: 'Every item declares a 10-digit commodity code that is a declarable leaf of the UK nomenclature on the acceptance date.',
  },
  needs(declaration, item) {
    const code = lookupCode(item.commodityCode);
    return code ? { commodities: [{ code, date: declaration.acceptanceDate }] } : {};
  },
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const declared = item.commodityCode;
      // No code at all: amendments restate only what changes and some simplified data sets omit
      // it; the parser reports that as a data warning, it is not a classification finding.
      if (!declared) continue;
      const ev: Evidence[] = [
        { field: 'DE 6/14+6/15 commodity code', value: declared, note: declared.length === 8 ? 'TARIC (DE 6/15) not declared: checked as CN8 + "00"' : '' },
        { field: 'acceptance date', value: declaration.acceptanceDate, note: declaration.acceptanceDateSource },
      ];
      let why: string | undefined;
      const code = lookupCode(declared);
      if (!code) {
        why = `"${declared}" is not an 8- or 10-digit commodity code`;
      } else {
        const fact = reference.commodity(code, declaration.acceptanceDate);
        if (!fact) continue; // not looked up: the adapter reports missing reference data separately
        ev.push({
          field: 'reference.nomenclature',
          value: fact.datasetVersion,
          note: fact.known ? `${fact.description} (valid ${fact.validityStart}–${fact.validityEnd || 'open'})` : 'not in the nomenclature snapshot',
        });
        // The bundled snapshot lacks codes that ended before it was taken (DOMAIN.md §4.4), so an
        // unknown code is "not in the current tariff", which is what HMRC will hold it against.
        if (!fact.known) why = `${code} is not in the UK nomenclature (snapshot ${fact.datasetVersion}; codes ended before the snapshot are not in it)`;
        else if (!fact.declarableOnDate) why = `${code} is not a declarable code on ${declaration.acceptanceDate} (valid ${fact.validityStart}–${fact.validityEnd || 'open'}, or not a suffix-80 leaf)`;
      }
      if (!why) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_HIGH,
        evidence: ev,
        explanation: `${why}. HMRC will reclassify; the duty at stake depends on the correct code.`,
        remediation: 'Confirm the correct classification (binding tariff information if unsure) and ask the broker to correct it: C285 if the correct code carries less duty, C2001 if more.',
      });
    }
    return hits;
  },
};

import { Severity, type Evidence } from '@customs/contracts';
import { claimsPreference } from './codes';
import { a00Charged, dutyNotCharged, pounds, rateFacts, rateNeeds, rateOrigin, thirdCountryDuty, underpaymentSeverity } from './pricing';
import type { Rule, RuleHit } from './types';

/** C17 — Preference claimed for an origin outside any scheme, or without a preferential rate for the code. */
export const c17NonPartnerOrigin: Rule = {
  meta: {
    id: 'C17',
    version: '1.2.0',
    title: 'Preference claimed for an origin with no preferential rate',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 5/16 preferential origin', 'DE 5/15 origin', 'DE 4/3–4/6 tax lines (A00)', 'acceptance date'],
    legalBasis: 'A preference applies only to origins covered by a UK scheme on the acceptance date (roo_schemes_uk.json validity) that has a 142/143 measure for the code (DOMAIN.md §3.3 C17)',
    severityLogic: 'underpayment: HIGH, CRITICAL from £10,000; LOW when the third-country rate is 0 % (no duty at stake); HIGH when not priced',
    pricing:
      'exposure = third-country duty (measure 103, rounded down) − A00 charged (0 assumed when the data has no tax lines); not priced when the procedure does not charge the duty (IP/TA/warehousing, relief APC, security) or an APC without a rule may relieve it',
    correctionRoute: 'C2001 for the preference wrongly granted',
    businessRule:
      'A 2xx/3xx preference claim names an origin (DE 5/16, else DE 5/15) that a UK preference scheme covers on the acceptance date and for which the tariff has a preferential measure for the code.',
  },
  needs: (d, item) => (claimsPreference(item.preference) ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!claimsPreference(item.preference)) continue;
      const origin = rateOrigin(item);
      const facts = rateFacts(declaration, item, reference, origin);
      if (!facts) continue;
      const withQuota = /^[23]2\d$/.test(item.preference);
      const measures = facts.preferential.filter((m) => m.measureType === '142' || (withQuota && m.measureType === '143'));
      let why: string;
      if (facts.schemes.length === 0) why = `${origin} is not covered by any UK preference scheme on ${declaration.acceptanceDate}`;
      // An empty preferential list proves nothing unless the code's measures are loaded.
      else if (measures.length === 0 && facts.measuresLoaded)
        why = `the tariff has no preferential ${withQuota ? '(142/143)' : '(142)'} measure for ${item.commodityCode} from ${origin} on ${declaration.acceptanceDate} (schemes: ${facts.schemes.map((s) => s.id).join(', ')})`;
      else continue;
      const evidence: Evidence[] = [
        { field: 'DE 4/17 preference', value: item.preference, note: 'preferential treatment claimed' },
        { field: 'DE 5/16 / 5/15 origin', value: `${item.preferentialOrigin || '(blank)'} / ${item.originCountry || '(blank)'}`, note: `checked: ${origin}` },
        { field: 'reference schemes', value: facts.schemes.map((s) => s.id).join(', ') || '(none)', note: `tariff ${facts.datasetVersion}` },
      ];
      const mfn = thirdCountryDuty(declaration, item, reference, facts);
      const charged = a00Charged(declaration, item);
      let severity = Severity.SEVERITY_HIGH;
      let exposure: number | undefined;
      let money: string;
      const notCharged = dutyNotCharged(item);
      if (notCharged) money = `Not priced: ${notCharged}.`;
      else if ('pence' in mfn) {
        exposure = Math.max(0, mfn.pence - (charged ?? 0));
        severity = exposure > 0 ? underpaymentSeverity(exposure) : Severity.SEVERITY_LOW;
        money = `Without the preference the ${mfn.text}${charged === undefined ? '; the duty charged is not in the data, so none is assumed' : `, against ${pounds(charged)} charged`}: exposure ${pounds(exposure)}.`;
      } else money = `Not priced: ${mfn.reason}.`;
      hits.push({
        itemNumber: item.itemNumber,
        severity,
        exposureDutyPence: exposure,
        evidence,
        explanation: `Item ${item.itemNumber} claims preference ${item.preference}, but ${why}. ${money}`,
        remediation: 'Check the origin on the proof and the supplier’s declaration: if the goods really originate in a partner country, correct DE 5/16; otherwise disclose the duty (C2001).',
      });
    }
    return hits;
  },
};

import type { Evidence } from '@customs/contracts';
import { FREE_CIRCULATION, claimsPreference, claimsReliefApc } from './codes';
import { type Priced, a00Charged, cheapestDuty, pounds, preferentialDuty, rateFacts, rateNeeds, signedMoney, thirdCountryDuty } from './pricing';
import type { Rule, RuleHit } from './types';

/** Pence of tolerance: CDS rounds each line down; £1 absorbs rounding and value conversions. */
const TOLERANCE_PENCE = 100;

/** C09 — Duty charged differs from the tariff rate for (code, origin, preference, date). */
export const c09DutyRate: Rule = {
  meta: {
    id: 'C09',
    version: '1.1.1',
    title: 'Duty charged differs from the tariff rate',
    family: 'classification',
    dataElements: ['DE 6/14–6/15 commodity code', 'DE 4/17 preference', 'DE 5/15/5/16 origin', 'DE 4/3–4/6 tax lines (A00)', 'customs value', 'acceptance date'],
    legalBasis:
      'Duty is the tariff rate in force on the acceptance date for the code, origin and preference: measure 103 third country, 142/143 preference for the DE 5/16 area, 112/115 suspensions (DOMAIN.md §3.0 rate source order, §3.2 C09)',
    severityLogic: 'underpaid: HIGH, CRITICAL from £10,000; overpaid: reclaim MEDIUM (HIGH ≥ £1,000 with < 90 days of the C285 window left, LOW once closed)',
    pricing:
      'Δduty = expected A00 (tariff measure on the customs value/net mass, rounded down) − A00 charged; recorded as not checked (with the reason) when the A00 amount, the tariff facts or a priceable measure is missing',
    correctionRoute: 'C2001 when underpaid; C285 "Incorrect amount of duty applied" (reg. 48) when overpaid',
    businessRule:
      'The A00 duty charged on a free-circulation item lies between the lowest rate the declared preference allows and the rate that applies without it, ±£1. Left to other rules: zero duty with no preference (C35), a preference for an origin with no preferential measure (C17), a suspension or preference not claimed (C15/C21/C22); quotas (12x) and end use (14x) are not checked.',
  },
  needs: (d, item) => (FREE_CIRCULATION.test(item.procedureCode) ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference, today, notChecked }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!FREE_CIRCULATION.test(item.procedureCode) || claimsReliefApc(item.additionalProcedureCodes)) continue;
      const charged = a00Charged(declaration, item);
      const facts = charged === undefined ? undefined : rateFacts(declaration, item, reference);
      if (charged === undefined) {
        notChecked?.(item.itemNumber, 'the A00 duty charged is not in the data (no tax amount declared or calculated), so it cannot be compared with the tariff rate');
        continue;
      }
      if (!facts) {
        notChecked?.(item.itemNumber, `no tariff facts for ${item.commodityCode || '(no code)'} from ${item.originCountry || '(no origin)'} on ${declaration.acceptanceDate || '(no date)'}`);
        continue;
      }
      const pref = item.preference;
      // [lowest, highest] duty the declaration is entitled to / liable for under its preference code.
      let lowest: Priced | undefined;
      let highest: Priced | undefined;
      let basis: string;
      if (pref === '' || pref === '100') {
        if (charged === 0) continue; // C35: zero duty without a reason
        highest = thirdCountryDuty(declaration, item, reference, facts);
        const suspension = facts.suspensions.length ? cheapestDuty(declaration, item, reference, facts.suspensions) : undefined;
        lowest = suspension && 'pence' in suspension && 'pence' in highest && suspension.pence < highest.pence ? suspension : highest;
        basis = 'no preference claimed: third-country rate (or an autonomous suspension in force)';
      } else if (/^11\d$/.test(pref)) {
        if (!facts.suspensions.length && !facts.measuresLoaded) {
          notChecked?.(item.itemNumber, `suspension ${pref} claimed, but the suspension measures of ${item.commodityCode} are not loaded`);
          continue;
        }
        lowest = highest = facts.suspensions.length ? cheapestDuty(declaration, item, reference, facts.suspensions) : thirdCountryDuty(declaration, item, reference, facts);
        basis = facts.suspensions.length ? `suspension claimed (${pref})` : `suspension claimed (${pref}) but none is in force for this code on the date: third-country rate`;
      } else if (claimsPreference(pref)) {
        if (!facts.preferential.length) continue; // C17
        lowest = highest = preferentialDuty(declaration, item, reference, facts);
        basis = `preference ${pref} for origin ${item.preferentialOrigin || item.originCountry}`;
      } else {
        // Quotas (12x), end use (14x) and customs-union codes need data the tariff facts lack.
        notChecked?.(item.itemNumber, `preference ${pref || '(blank)'} (quota, end use or customs union) is not checked: the tariff facts lack the quota and end-use rates`);
        continue;
      }
      if (!lowest || !highest || !('pence' in lowest) || !('pence' in highest)) {
        notChecked?.(
          item.itemNumber,
          `the duty due on ${item.commodityCode} cannot be priced from the tariff facts${lowest && 'reason' in lowest ? `: ${lowest.reason}` : highest && 'reason' in highest ? `: ${highest.reason}` : ''}`,
        );
        continue;
      }
      let expected: typeof lowest;
      // Charged below the third-country rate with no preference: a suspension the loaded data does
      // not know about may explain it, so only flag it when the code's measures are loaded.
      if (charged < lowest.pence - TOLERANCE_PENCE && (facts.measuresLoaded || claimsPreference(pref))) expected = lowest;
      else if (charged > highest.pence + TOLERANCE_PENCE) expected = highest;
      else {
        // Charged below the third-country duty with no preference claimed: a suspension may explain it, unknown until the code's measures are loaded.
        if (charged < lowest.pence - TOLERANCE_PENCE)
          notChecked?.(
            item.itemNumber,
            `A00 charged ${pounds(charged)} is below the ${pounds(lowest.pence)} third-country duty, but the suspension measures of ${item.commodityCode} are not loaded, so whether it is underpaid is unknown`,
          );
        continue;
      }
      const delta = expected.pence - charged;
      const money = signedMoney(delta, 0, declaration.acceptanceDate, today);
      const evidence: Evidence[] = [
        { field: 'DE 4/17 preference', value: pref || '(blank)', note: basis },
        { field: 'tariff measure', value: `${expected.measure.measureType} ${expected.measure.geographicalArea} ${expected.measure.expression}`, note: `tariff ${facts.datasetVersion}` },
        { field: 'A00 expected', value: pounds(expected.pence), note: expected.text },
        { field: 'A00 charged', value: pounds(charged), note: '' },
      ];
      hits.push({
        itemNumber: item.itemNumber,
        ...money,
        evidence,
        explanation: `Item ${item.itemNumber} (${item.commodityCode}, ${basis}): the tariff gives ${expected.text}, but ${pounds(charged)} was charged — ${delta > 0 ? `underpaid by ${pounds(delta)}` : `overpaid by ${pounds(-delta)}`}.`,
        remediation:
          delta > 0
            ? 'Check the rate the broker applied; disclose the underpaid duty (C2001).'
            : 'Claim the overpaid duty back with a C285 (“Incorrect amount of duty applied”) within 3 years of acceptance.',
      });
    }
    return hits;
  },
};

// Shared logic of C21 (missed FTA preference) and C22 (missed DCTS/GSP preference): an item
// charged duty without a preference claim although its origin is covered by a scheme whose
// preferential rate for the code is lower. C21 takes origins with at least one agreement (which
// usually gives at least the DCTS rate), C22 origins covered only by developing-country schemes,
// so one overpayment is reported once.
import type { Evidence } from '@customs/contracts';
import { FREE_CIRCULATION, claimsReliefApc, isDevelopingCountryScheme } from './codes';
import { a00Charged, pounds, rateFacts, rateNeeds, reclaimSeverity, thirdCountryDuty } from './pricing';
import { reliefOptions } from './relief-options';
import type { Rule, RuleHit, RuleMeta } from './types';

const ALPHA2 = /^[A-Z]{2}$/;
const TOLERANCE_PENCE = 100;

export function missedPreferenceRule(meta: RuleMeta, developing: boolean): Rule {
  return {
    meta,
    needs: (d, item) => (FREE_CIRCULATION.test(item.procedureCode) && ALPHA2.test(item.originCountry.toUpperCase()) ? rateNeeds(d, item, [item.originCountry.toUpperCase()]) : {}),
    evaluate({ declaration, reference, today, notChecked }) {
      const hits: RuleHit[] = [];
      for (const item of declaration.items) {
        const origin = item.originCountry.toUpperCase();
        if (!FREE_CIRCULATION.test(item.procedureCode) || claimsReliefApc(item.additionalProcedureCodes) || item.quotaOrderNumber || !ALPHA2.test(origin)) continue;
        if (item.preference !== '' && !/^1\d\d$/.test(item.preference)) continue;
        const facts = rateFacts(declaration, item, reference, origin);
        if (!facts) {
          notChecked?.(item.itemNumber, `no tariff facts for ${item.commodityCode || '(no code)'} from ${origin} on ${declaration.acceptanceDate || '(no date)'}`);
          continue;
        }
        if (facts.schemes.length === 0) continue;
        const onlyDeveloping = facts.schemes.every((s) => isDevelopingCountryScheme(s.id));
        if (onlyDeveloping !== developing) continue;
        const { suspension, preference } = reliefOptions(declaration, item, reference, facts);
        if (!preference && !facts.measuresLoaded && facts.preferential.length === 0) {
          // Absent preferential measures prove nothing until the code's measures are loaded.
          notChecked?.(item.itemNumber, `${origin} is covered by ${facts.schemes.map((s) => s.id).join(', ')}, but the preferential measures of ${item.commodityCode} are not loaded`);
          continue;
        }
        if (!preference || (suspension && suspension.pence <= preference.pence)) continue; // C15 reports the suspension
        let charged = a00Charged(declaration, item);
        let assumed = '';
        if (charged === undefined) {
          // No tax lines: with preference 100 the third-country rate is what CDS charged.
          const mfn = thirdCountryDuty(declaration, item, reference, facts);
          if (item.preference !== '100' || !('pence' in mfn)) continue;
          charged = mfn.pence;
          assumed = ` (no tax lines in the data: the ${mfn.text} assumed charged, as preference 100 implies)`;
        }
        const reclaim = charged - preference.pence;
        if (reclaim <= TOLERANCE_PENCE) continue;
        const schemes = facts.schemes.filter((s) => isDevelopingCountryScheme(s.id) === developing);
        const proofs = [...new Set(schemes.flatMap((s) => s.proofDocumentCodes))];
        const evidence: Evidence[] = [
          { field: 'DE 4/17 preference', value: item.preference || '(blank)', note: 'no preference claimed' },
          { field: 'DE 5/15 origin', value: origin, note: `covered by ${schemes.map((s) => s.id).join(', ')}` },
          { field: 'preferential measure', value: `${preference.measure.measureType} ${preference.measure.geographicalArea} ${preference.measure.expression}`, note: `tariff ${facts.datasetVersion}` },
          { field: 'A00 charged', value: pounds(charged), note: assumed ? 'assumed' : '' },
        ];
        hits.push({
          itemNumber: item.itemNumber,
          severity: reclaimSeverity(reclaim, declaration.acceptanceDate, today),
          reclaimDutyPence: reclaim,
          evidence,
          explanation: `Item ${item.itemNumber} (${item.commodityCode}, origin ${origin}) paid ${pounds(charged)}${assumed} without claiming ${schemes.map((s) => s.name).join(' / ')}; with it the ${preference.text}. Overpaid ${pounds(reclaim)} if the goods qualify, reclaimable until 3 years after acceptance.`,
          remediation: `Obtain a proof of origin the scheme accepts (${proofs.join(', ') || 'see the scheme'}) — retrospectively where the agreement allows — and claim with a C285 (basis "Preferential rate of duty"); ask the broker to claim preference ${developing ? '2xx' : '3xx'} on future entries.`,
        });
      }
      return hits;
    },
  };
}

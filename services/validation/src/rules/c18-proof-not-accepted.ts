import { Severity, type Evidence } from '@customs/contracts';
import { PROOF_OF_ORIGIN, claimsPreference } from './codes';
import { a00Charged, dutyNotCharged, pounds, rateFacts, rateNeeds, thirdCountryDuty, underpaymentSeverity } from './pricing';
import type { Rule, RuleHit } from './types';

/** C18 — The proof of origin cited is not one the agreement accepts. */
export const c18ProofNotAccepted: Rule = {
  meta: {
    id: 'C18',
    version: '1.1.0',
    title: 'Proof of origin not accepted by the agreement',
    family: 'origin-preference',
    dataElements: ['DE 4/17 preference', 'DE 2/3 documents (proof of origin)', 'DE 5/16 preferential origin', 'acceptance date'],
    legalBasis:
      'Each agreement accepts its own proofs (roo_schemes_uk.json; e.g. the UK–EU TCA only a statement on origin U110/U111 or importer’s knowledge U112, "do not use U116–U118" — HMRC via BIFA; DOMAIN.md §2.3, §3.3 C18)',
    severityLogic: 'HIGH as C16 (the claim is invalid as evidenced), CRITICAL from £10,000; LOW when the third-country rate is 0 %',
    pricing:
      'as C16: exposure = third-country duty (rounded down) − A00 charged (0 assumed without tax lines); not priced when the procedure does not charge the duty or an APC without a rule may relieve it',
    correctionRoute: 'C2001 if no accepted proof exists; none if an accepted proof was held and only the code was wrong (correct the record)',
    businessRule:
      'A preference claim cites at least one proof-of-origin code that one of the schemes covering the origin on the acceptance date accepts. Silent when the reference does not map the schemes’ proofs to document codes.',
  },
  needs: (d, item) => (claimsPreference(item.preference) ? rateNeeds(d, item) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      if (!claimsPreference(item.preference)) continue;
      const cited = [...new Set([...item.documents, ...declaration.documents].map((d) => d.code).filter((c) => PROOF_OF_ORIGIN.has(c)))];
      if (cited.length === 0) continue; // C16: no proof at all
      const facts = rateFacts(declaration, item, reference);
      if (!facts || facts.schemes.length === 0) continue; // C17: no scheme for the origin
      const accepted = new Set(facts.schemes.flatMap((s) => s.proofDocumentCodes));
      if (accepted.size === 0 || cited.some((c) => accepted.has(c))) continue;
      const evidence: Evidence[] = [
        { field: 'DE 2/3 proof of origin', value: cited.join(', '), note: 'not accepted by the scheme(s) below' },
        ...facts.schemes.map((s) => ({ field: `scheme ${s.id}`, value: s.proofDocumentCodes.join(', '), note: s.name })),
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
        money = `If the claim falls, the ${mfn.text}${charged === undefined ? '; the duty charged is not in the data, so none is assumed' : `, against ${pounds(charged)} charged`}: exposure ${pounds(exposure)}.`;
      } else money = `Not priced: ${mfn.reason}.`;
      hits.push({
        itemNumber: item.itemNumber,
        severity,
        exposureDutyPence: exposure,
        evidence,
        explanation: `Item ${item.itemNumber} claims preference ${item.preference} on ${cited.join('/')} but ${facts.schemes.map((s) => s.name).join(' / ')} accept${facts.schemes.length === 1 ? 's' : ''} only ${[...accepted].join(', ')}. ${money}`,
        remediation: `Obtain a proof the agreement accepts (${[...accepted].join(', ')}) from the supplier and keep it on file; if none can be had, disclose the duty (C2001).`,
      });
    }
    return hits;
  },
};

import { Severity, type Evidence } from '@customs/contracts';
import { FREE_CIRCULATION, REMEDY_TAX_TYPES } from './codes';
import { type PricedDuty, dutyUnder, pounds, rateFacts, rateNeeds, taxPaidPence, underpaymentSeverity } from './pricing';
import type { MeasureFact, Rule, RuleHit } from './types';

const ALPHA2 = /^[A-Z]{2}$/;
const TOLERANCE_PENCE = 100;

/**
 * Which of the remedy measures of one DE 4/3 tax type apply to the item: those whose TARIC
 * additional code (DE 6/16) the item declares; else those without a code; else the residual
 * "all other companies" code (…999) — an exporter-specific rate needs its code declared.
 */
function applicable(measures: MeasureFact[], declared: Set<string>): { chosen: MeasureFact[]; note: string } {
  const matched = measures.filter((m) => m.additionalCode && declared.has(m.additionalCode.toUpperCase()));
  if (matched.length) return { chosen: matched, note: `additional code ${matched.map((m) => m.additionalCode).join('/')} declared` };
  const plain = measures.filter((m) => !m.additionalCode);
  if (plain.length) return { chosen: plain, note: 'applies to all exporters' };
  const residual = measures.filter((m) => /999$/.test(m.additionalCode));
  return { chosen: residual.length ? residual : measures, note: `no matching TARIC additional code declared (${[...declared].join(', ') || 'none'}): the residual rate applies` };
}

/** C14 — Anti-dumping, countervailing or additional duty missed. */
export const c14TradeRemedies: Rule = {
  meta: {
    id: 'C14',
    version: '1.1.0',
    title: 'Anti-dumping, countervailing or additional duty missed',
    family: 'classification',
    dataElements: ['DE 6/14–6/15 commodity code', 'DE 6/16 TARIC additional code', 'DE 5/15 origin', 'DE 4/3–4/6 tax lines (A20, A30–A45)', 'DE 6/1 net mass', 'acceptance date'],
    legalBasis:
      'Trade remedy measures 551–554 and additional duties 695/696 for the code and DE 5/15 origin on the acceptance date are charged on tax lines A30/A35/A40/A45/A20; exporter-specific rates need their TARIC additional code (DOMAIN.md §2.2 DE 4/3, §3.2 C14)',
    severityLogic: 'CRITICAL when no remedy duty was charged at all (circumvention risk) or the shortfall is ≥ £10,000; HIGH for a smaller shortfall or when the measure cannot be priced',
    pricing:
      'exposure = Σ remedy measures (ad valorem on the customs value and/or GBP per kg/100 kg/1000 kg of net mass, rounded down) − Σ A20/A30–A45 charged; unpriced when the expression is not one the interim pricing evaluates',
    correctionRoute: 'C2001 for the remedy duty (and the import VAT on it)',
    businessRule:
      'A free-circulation item whose code and origin carry a trade remedy on the acceptance date is charged the remedy at the rate its TARIC additional code selects (the residual rate without one).',
  },
  needs: (d, item) => (FREE_CIRCULATION.test(item.procedureCode) && ALPHA2.test(item.originCountry.toUpperCase()) ? rateNeeds(d, item, [item.originCountry.toUpperCase()]) : {}),
  evaluate({ declaration, reference }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const origin = item.originCountry.toUpperCase();
      if (!FREE_CIRCULATION.test(item.procedureCode) || !ALPHA2.test(origin)) continue;
      const facts = rateFacts(declaration, item, reference, origin);
      if (!facts || facts.tradeRemedies.length === 0) continue;
      const declared = new Set(item.additionalCodes.map((c) => c.toUpperCase()));
      const byType = new Map<string, MeasureFact[]>();
      for (const m of facts.tradeRemedies) byType.set(m.taxType, [...(byType.get(m.taxType) ?? []), m]);
      const priced: { taxType: string; duty: PricedDuty; note: string }[] = [];
      const unpriced: { taxType: string; reason: string }[] = [];
      for (const [taxType, measures] of byType) {
        const { chosen, note } = applicable(measures, declared);
        // Several measures left (e.g. residual codes): the highest is what HMRC would charge.
        const options = chosen.map((m) => dutyUnder(declaration, item, reference, m));
        const best = options.filter((o): o is PricedDuty => 'pence' in o).sort((a, b) => b.pence - a.pence)[0];
        if (best) priced.push({ taxType, duty: best, note });
        else unpriced.push({ taxType, reason: options.map((o) => ('reason' in o ? o.reason : '')).join('; ') });
      }
      const paid = taxPaidPence(declaration, item, REMEDY_TAX_TYPES);
      if (paid === undefined) continue; // a remedy line is declared and CDS calculates its amount
      const expected = priced.reduce((s, p) => s + p.duty.pence, 0);
      const shortfall = expected - paid;
      const evidence: Evidence[] = [
        { field: 'DE 5/15 origin', value: origin, note: '' },
        { field: 'DE 6/16 additional codes', value: item.additionalCodes.join(', ') || '(none)', note: '' },
        ...facts.tradeRemedies.map((m) => ({
          field: `tariff measure ${m.measureType} (${m.taxType})`,
          value: `${m.expression}${m.additionalCode ? ` [${m.additionalCode}]` : ''}`,
          note: `${m.geographicalArea}, from ${m.validFrom}; tariff ${m.datasetVersion}`,
        })),
        { field: 'remedy duty charged (A20/A30–A45)', value: pounds(paid), note: '' },
      ];
      if (priced.length && shortfall > TOLERANCE_PENCE) {
        hits.push({
          itemNumber: item.itemNumber,
          severity: paid === 0 ? Severity.SEVERITY_CRITICAL : underpaymentSeverity(shortfall),
          exposureDutyPence: shortfall,
          evidence,
          explanation: `Item ${item.itemNumber} (${item.commodityCode} from ${origin}) is subject to ${priced.map((p) => `${p.taxType}: ${p.duty.text} (${p.note})`).join('; ')}, but ${paid ? `only ${pounds(paid)}` : 'no remedy duty'} was charged: exposure ${pounds(shortfall)}${unpriced.length ? `, plus unpriced ${unpriced.map((u) => u.taxType).join(', ')}` : ''}.`,
          remediation: 'Confirm the exporter and its TARIC additional code; disclose the unpaid remedy duty and the VAT on it (C2001) and instruct the broker to declare the remedy lines.',
        });
      } else if (!priced.length && unpriced.length && paid === 0) {
        hits.push({
          itemNumber: item.itemNumber,
          severity: Severity.SEVERITY_HIGH,
          evidence,
          explanation: `Item ${item.itemNumber} (${item.commodityCode} from ${origin}) is subject to a trade remedy (${unpriced.map((u) => u.taxType).join(', ')}) but no remedy duty was charged. Not priced: ${unpriced.map((u) => u.reason).join('; ')}.`,
          remediation: 'Confirm the exporter and its TARIC additional code; have the remedy duty calculated and disclosed (C2001).',
        });
      }
    }
    return hits;
  },
};

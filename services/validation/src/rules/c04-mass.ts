import { Severity } from '@customs/contracts';
import type { Rule, RuleHit } from './types';

const DECIMAL = /^\d+(\.\d+)?$/;

/** C04 — Net mass greater than gross mass, or zero/absent net mass on valued goods. */
export const c04Mass: Rule = {
  meta: {
    id: 'C04',
    version: '1.0.0',
    title: 'Net mass exceeds gross mass, or is zero',
    family: 'data-integrity',
    dataElements: ['DE 6/1 net mass', 'DE 6/5 gross mass'],
    legalBasis: 'CDS completion guide group 6: net mass excludes packaging, so it cannot exceed gross mass (DOMAIN.md §3.1 C04)',
    severityLogic: 'LOW (data quality); specific duties per kg would make it priced (duty engine)',
    pricing: 'none until specific duties are evaluated: rate per kg × (correct − declared) kg',
    correctionRoute: 'C2001 if a specific duty was underpaid; otherwise correct the data with the broker',
    businessRule: 'Every item with a value declares a positive net mass no greater than its gross mass.',
  },
  evaluate({ declaration }) {
    const hits: RuleHit[] = [];
    for (const item of declaration.items) {
      const net = item.netMassKg;
      const gross = item.grossMassKg;
      if (!net || !DECIMAL.test(net)) continue;
      const netN = Number(net);
      const problems: string[] = [];
      if (gross && DECIMAL.test(gross) && netN > Number(gross)) problems.push(`net mass ${net} kg exceeds gross mass ${gross} kg`);
      if (netN === 0 && item.itemPrice?.value && Number(item.itemPrice.value) > 0) problems.push('net mass is 0 on goods with a price');
      if (problems.length === 0) continue;
      hits.push({
        itemNumber: item.itemNumber,
        severity: Severity.SEVERITY_LOW,
        evidence: [
          { field: 'DE 6/1 net mass', value: net, note: 'kg' },
          { field: 'DE 6/5 gross mass', value: gross, note: 'kg' },
        ],
        explanation: `Item ${item.itemNumber}: ${problems.join('; ')}.`,
        remediation: 'Check the packing list; ask the broker to correct the masses (they feed statistics, unit-value checks and any per-kg duty).',
      });
    }
    return hits;
  },
};

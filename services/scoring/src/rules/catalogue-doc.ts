import type { HistoryRule } from './types';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Checks of DOMAIN §3 that need history and are not implemented yet, and why (stated, not hidden). */
export const NOT_YET: readonly { id: string; title: string; why: string }[] = [
  {
    id: 'C03',
    title: 'Ghost and unmatched imports (ERP receipts)',
    why: 'ERP receipts live in ingestion’s schema; scoring may reach them only through ingestion’s API/gRPC or events, and no receipt event or receipts-by-invoice RPC exists yet (ingestion’s GET /v1/reconciliation lists the unmatched ones, without a finding).',
  },
  {
    id: 'C20',
    title: 'Importer’s-knowledge (U112) concentration',
    why: 'needs a threshold policy per supplier/agreement and the preference saving (the third-country rate), which the declaration does not carry.',
  },
  { id: 'C34', title: 'Relief volume anomalies', why: 'needs authorisation limits and discharge (BOD) data that no feed delivers yet.' },
  { id: 'C42', title: 'Duty-deferment statement reconciliation', why: 'needs HMRC’s duty deferment electronic statement ingested (CSV through ingestion), which does not exist yet.' },
];

/** Renders docs/history-rules.md from the history checks' own metadata. */
export function renderHistoryCatalogue(rules: readonly HistoryRule[]): string {
  const lines = [
    '# History checks (scoring)',
    '',
    '<!-- Generated from services/scoring/src/rules (rule metadata) by `make docs`; a unit test fails when this file is stale. -->',
    '',
    'Checks that judge a declaration against the importer’s own history (DOMAIN.md §3), run by the scoring service over `ingestion.declaration.received.v1`. Findings have the same shape as validation’s ([rules.md](rules.md)): priced in pence, duty and VAT separately, deadline = acceptance date + 3 years, evidence, rule id and version, and as data versions the history rule set and the size of the importer’s history; they are published on `scoring.finding.raised.v1`. Quality: [quality-history.md](quality-history.md).',
    '',
    '| rule | version | business rule | minimum history | confidence | data elements | severity | money | correction route | legal basis |',
    '|---|---|---|---|---:|---|---|---|---|---|',
  ];
  for (const r of rules) {
    const m = r.meta;
    lines.push(
      `| **${m.id}** ${cell(m.title)} (${m.family}) | ${m.version} | ${cell(m.businessRule)} | ${cell(m.minimumHistory)} | ${m.confidence} | ${cell(m.dataElements.join(', '))} | ${cell(m.severityLogic)} | ${cell(m.pricing)} | ${cell(m.correctionRoute)} | ${cell(m.legalBasis)} |`,
    );
  }
  lines.push('', '## Not implemented yet', '', '| rule | why |', '|---|---|');
  for (const n of NOT_YET) lines.push(`| **${n.id}** ${cell(n.title)} | ${cell(n.why)} |`);
  lines.push('');
  return lines.join('\n');
}

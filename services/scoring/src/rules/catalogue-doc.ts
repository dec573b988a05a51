import type { HistoryRule } from './types';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Checks of DOMAIN §3 that need history and are not implemented yet, and why (stated, not hidden). */
export const NOT_YET: readonly { id: string; title: string; why: string }[] = [];

/** Renders docs/history-rules.md from the history checks' own metadata. */
export function renderHistoryCatalogue(rules: readonly HistoryRule[]): string {
  const lines = [
    '# History checks (scoring)',
    '',
    '<!-- Generated from services/scoring/src/rules (rule metadata) by `make docs`; a unit test fails when this file is stale. -->',
    '',
    'Checks that judge a declaration against the importer’s own history (DOMAIN.md §3), run by the scoring service over `ingestion.declaration.received.v1`; C03 and C42 reconcile the declarations with the importer’s books, so they are also judged on `ingestion.erp-receipts.received.v1` (ERP goods receipts) and `ingestion.deferment-statement.received.v1` (HMRC’s duty deferment statement, [deferment-statement.md](deferment-statement.md)). Findings have the same shape as validation’s ([rules.md](rules.md)): priced in pence, duty and VAT separately, deadline = acceptance date + 3 years, evidence, rule id and version, and as data versions the history rule set and the size of the importer’s history; they are published on `scoring.finding.raised.v1`. Quality: [quality-history.md](quality-history.md).',
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
  if (NOT_YET.length) lines.push('', '## Not implemented yet', '', '| rule | why |', '|---|---|');
  for (const n of NOT_YET) lines.push(`| **${n.id}** ${cell(n.title)} | ${cell(n.why)} |`);
  lines.push('');
  return lines.join('\n');
}

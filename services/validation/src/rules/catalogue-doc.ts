import type { Rule } from './types';

const FAMILY_TITLES: Record<string, string> = {
  'data-integrity': 'Data integrity and identity',
  classification: 'Classification',
  'origin-preference': 'Origin and preference',
  valuation: 'Valuation',
  'procedures-reliefs': 'Procedures and reliefs',
  'duplicates-vat': 'Duplicates, VAT and payments',
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Renders docs/rules.md from the rules' own metadata (the catalogue is never written by hand). */
export function renderRuleCatalogue(rules: readonly Rule[]): string {
  const lines = [
    '# Rule catalogue',
    '',
    '<!-- Generated from services/validation/src/rules (rule metadata) by `make docs`; a unit test fails when this file is stale. -->',
    '',
    'Per-declaration checks run by the validation service. Catalogue numbers follow DOMAIN.md §3. Every finding records the rule id and version, the reference-data versions used, the money at stake in pence and the statutory deadline (acceptance date + 3 years).',
    '',
  ];
  for (const [family, title] of Object.entries(FAMILY_TITLES)) {
    const inFamily = rules.filter((r) => r.meta.family === family);
    if (inFamily.length === 0) continue;
    lines.push(`## ${title}`, '', '| rule | version | business rule | data elements | severity | money | correction route | legal basis |', '|---|---|---|---|---|---|---|---|');
    for (const r of inFamily) {
      const m = r.meta;
      lines.push(
        `| **${m.id}** ${cell(m.title)} | ${m.version} | ${cell(m.businessRule)} | ${cell(m.dataElements.join(', '))} | ${cell(m.severityLogic)} | ${cell(m.pricing)} | ${cell(m.correctionRoute)} | ${cell(m.legalBasis)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from './index';
import { renderRuleCatalogue } from './catalogue-doc';

describe('docs/rules.md', () => {
  it('is generated from the live rules (run `make docs` after changing a rule)', () => {
    const file = path.resolve(__dirname, '../../../../docs/rules.md');
    const rendered = renderRuleCatalogue(RULES);
    expect(fs.readFileSync(file, 'utf8')).toBe(rendered);
    for (const r of RULES) expect(rendered).toContain(`**${r.meta.id}**`);
  });
});

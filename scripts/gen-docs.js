// Regenerates docs that are derived from code (docs/rules.md from the rules' metadata).
const fs = require('node:fs');
const path = require('node:path');
const { RULES } = require('../services/validation/dist/rules');
const { renderRuleCatalogue } = require('../services/validation/dist/rules/catalogue-doc');
fs.writeFileSync(path.join(__dirname, '../docs/rules.md'), renderRuleCatalogue(RULES));
console.log(`docs/rules.md: ${RULES.length} rules`);
const { HISTORY_RULES } = require('../services/scoring/dist/rules');
const { renderHistoryCatalogue } = require('../services/scoring/dist/rules/catalogue-doc');
fs.writeFileSync(path.join(__dirname, '../docs/history-rules.md'), renderHistoryCatalogue(HISTORY_RULES));
console.log(`docs/history-rules.md: ${HISTORY_RULES.length} history checks`);
const { renderPermissionsDoc, renderPermissionSummary } = require('../packages/config/dist/permissions-doc');
fs.writeFileSync(path.join(__dirname, '../docs/permissions.md'), renderPermissionsDoc());
const readmePath = path.join(__dirname, '../README.md');
const readme = fs.readFileSync(readmePath, 'utf8');
const marked = /(<!-- permissions:begin[^>]*-->\n)(?:[\s\S]*?\n)?(<!-- permissions:end -->)/;
if (!marked.test(readme)) throw new Error('README.md has no <!-- permissions:begin --> … <!-- permissions:end --> section');
fs.writeFileSync(
  readmePath,
  readme.replace(marked, (_m, a, b) => `${a}${renderPermissionSummary()}\n${b}`),
);
console.log('docs/permissions.md and README.md roles table: the permission matrix');

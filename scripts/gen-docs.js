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

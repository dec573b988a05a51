// Reconciliation report: recomputes every tax line of HMRC's sample declarations with the duty
// engine and the bundled reference data and prints, per tax line, exact / unknown (with reason) /
// differs, with totals (logic in scripts/reconcile-hmrc-core.js; docs/duty-engine.md).
// usage: npx tsc -b && node scripts/reconcile-hmrc.js [--assume-date YYYY-MM-DD] [--before] [--summary] [--verbose]
//   --assume-date  rate date for declarations without an acceptance date (most samples are
//                  pre-acceptance submissions): an indicative check of the arithmetic
//   --before       call the engine as before issue 14 (VAT 20 % unless bundled, no procedure)
//   --summary      totals only
// Exit code 1 when any line "differs" or a payable figure is given where HMRC's treatment charges nothing.
const path = require('node:path');
const { parseDmsDeclaration } = require('../services/ingestion/dist/parse/dms');
const { loadBundledStore } = require('../services/reference/dist/app/load-bundled');
const engine = require('../packages/duty/dist');
const { RULES, evaluateDeclaration } = require('../services/validation/dist/rules');
const { reconcile, formatReport, checkRules } = require('./reconcile-hmrc-core');

const { commandLine, usageError } = require('./lib/command-line');

const USAGE = `usage: node scripts/reconcile-hmrc.js [--assume-date YYYY-MM-DD] [--before] [--summary] [--verbose]
  --assume-date D   price the samples as at this day
  --before          the figures before the platform's corrections
  --summary         only the summary
  --verbose         every line
  -h, --help        this text
exit codes: 0 printed, 1 failed, 64 bad command line`;
const { values } = commandLine({
  name: 'reconcile-hmrc',
  usage: USAGE,
  options: { 'assume-date': { type: 'string' }, before: { type: 'boolean' }, summary: { type: 'boolean' }, verbose: { type: 'boolean' } },
});
const assumeDate = values['assume-date'];
if (assumeDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(assumeDate)) usageError('reconcile-hmrc', USAGE, `--assume-date must be YYYY-MM-DD, got "${assumeDate}"`);
if (assumeDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(assumeDate)) throw new Error('--assume-date needs YYYY-MM-DD');
const mode = values.before ? 'before' : 'after';

const store = loadBundledStore(path.resolve(__dirname, '../services/reference/data'));
const fixturesDir = path.resolve(__dirname, '../packages/testing/fixtures/hmrc');
const res = reconcile({
  parseDmsDeclaration,
  store,
  engine,
  fixturesDir,
  assumeDate,
  mode,
});
const report = formatReport(res, { verbose: values.verbose ?? false });
console.log(values.summary ? report.slice(report.indexOf('\nHMRC sample declarations') + 1) : report);
// Validation's rules on the same declarations: none may price money HMRC's treatment never charged.
// (--before emulates the old engine call only; the rules are the ones built, so they are skipped.)
const rules = mode === 'before' ? { onNotCharged: [] } : checkRules({ parseDmsDeclaration, store, RULES, evaluateDeclaration, fixturesDir, assumeDate, today: '2026-12-02' });
if (mode !== 'before') {
  console.log(
    `\nvalidation rules on the ${rules.declarations} declarations: ${rules.pricedFindings} priced findings, ${rules.onNotCharged.length} pricing money HMRC's treatment does not charge (rules challenging the relief itself excepted)`,
  );
  for (const l of rules.onNotCharged) console.log(`  ${l}`);
}
if (mode === 'after' && (res.totals.differs > 0 || res.payableOnNotCharged > 0 || rules.onNotCharged.length > 0)) process.exitCode = 1;

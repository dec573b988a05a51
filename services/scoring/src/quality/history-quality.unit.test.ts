// Detection quality of the history checks, in process: a labelled history (datagen's
// generateHistoryDataset: clean stream + derived duplicates, code drift, origin switches, value
// slips, unknown agents) goes through the pure core in consumed-batch sized slices, exactly as the
// service folds it; every finding is compared with the ground truth. Writes/checks the in-process
// table of docs/quality-history.md (UPDATE_QUALITY_DOC=1 to regenerate).
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from '@customs/contracts';
import { HISTORY_RULES as INJECTED, generateHistoryDataset, type TruthEntry } from '@customs/datagen';
import { applyBatch, decideHistory, declFact, emptyState } from '../rules';
import { measure, table } from './quality';

const DOC = path.resolve(__dirname, '../../../../docs/quality-history.md');
const SEED = 20261202;
const DECLARATIONS = 3000;
const BATCH = 100;

describe('history checks against the labelled history', () => {
  const truth: TruthEntry[] = [];
  const findings = new Map<string, Finding>();
  let declarations = 0;
  let items = 0;
  beforeAll(() => {
    const state = emptyState();
    let batch: ReturnType<typeof declFact>[] = [];
    const flush = () => {
      const input = applyBatch(
        state,
        batch.map((fact) => ({ fact })),
      );
      for (const f of decideHistory(input, 'datagen', '2023-12-31', '2023-12-31T00:00:00Z')) findings.set(f.findingId, f);
      batch = [];
    };
    for (const g of generateHistoryDataset({ seed: SEED, declarations: DECLARATIONS, historyRates: { C02: 0.01, C10: 0.02, C11: 0.02, C20: 0.01, C23: 0.02, C30: 0.02, C34: 0.03, C37: 0.02 } })) {
      truth.push(...g.truth);
      declarations++;
      items += g.declaration.items.length;
      batch.push(declFact(g.declaration));
      if (batch.length === BATCH) flush();
    }
    if (batch.length) flush();
  });

  it('finds every injected history error with no false positive on the clean stream, pence-exact where the price is not an estimate', () => {
    // The checks datagen injects errors for (a check without an injector cannot be measured here).
    const q = measure(truth, [...findings.values()], INJECTED);
    for (const r of q.rows) expect(r.expected).toBeGreaterThan(5);
    expect(q.falsePositives.map((f) => `${f.ruleId} ${f.declarationId}#${f.itemNumber}: ${f.explanation}`)).toEqual([]);
    expect(q.falseNegatives).toEqual([]);
    // C30 prices an estimate (the history's median); every other check prices exactly.
    for (const r of q.rows.filter((x) => x.ruleId !== 'C30')) expect(r.exact).toBe(r.tp);
    const doc = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    const section = `<!-- in-process:start -->\nIn process (pure core, batches of ${BATCH}): \`generateHistoryDataset\` seed ${SEED}, ${declarations} declarations (${items} items), ${truth.length} injected history errors.\n\n${table(q.rows)}\n<!-- in-process:end -->`;
    const next = doc.includes('<!-- in-process:start -->') ? doc.replace(/<!-- in-process:start -->[\s\S]*<!-- in-process:end -->/, section) : `${doc}\n${section}\n`;
    if (process.env.UPDATE_QUALITY_DOC === '1') fs.writeFileSync(DOC, next);
    else expect(doc).toBe(next);
  });
});

// The reconciliation report (scripts/reconcile-hmrc.js) on the bundled corpus of HMRC's sample
// declarations: wherever the engine states what is charged it agrees with HMRC, and a line HMRC's
// treatment does not charge (zero-rated, relieved, suspended, secured) never gets a payable figure.
// Runs the same core as the command, on the sources (the parser, the bundled reference store and
// the engine) instead of the compiled modules.
import * as path from 'node:path';
import * as engine from '@customs/duty';
import { parseDmsDeclaration } from '../services/ingestion/src/parse/dms';
import { loadBundledStore } from '../services/reference/src/app/load-bundled';
import { RULES, evaluateDeclaration } from '../services/validation/src/rules';
const { reconcile, checkRules } = require('./reconcile-hmrc-core') as {
  reconcile: (o: object) => Result;
  checkRules: (o: object) => { declarations: number; pricedFindings: number; onNotCharged: string[] };
};

interface Row {
  where: string;
  taxType: string;
  verdict: 'exact' | 'differs' | 'unknown';
  reason: string;
  claim: { kind: 'payable' | 'notPayable' | 'unknown'; pence?: number; reason?: string };
  notChargedByHmrc?: string;
}
interface Result {
  declarations: number;
  rows: Row[];
  totals: { exact: number; differs: number; unknown: number };
  payableOnNotCharged: number;
}

const store = loadBundledStore(path.resolve(__dirname, '../services/reference/data'));
const run = (assumeDate?: string, mode: 'after' | 'before' = 'after') =>
  reconcile({ parseDmsDeclaration, store, engine, fixturesDir: path.resolve(__dirname, '../packages/testing/fixtures/hmrc'), assumeDate, mode });

describe('reconciliation against HMRC sample declarations', () => {
  const asDeclared = run();
  const assumed = run('2021-06-01');

  it.each([
    ['acceptance dates as declared', asDeclared],
    ['dates assumed 2021-06-01 where absent', assumed],
  ])('%s: no line differs where the engine states a figure, every unknown has a reason', (_, res) => {
    expect(res.declarations).toBeGreaterThan(250);
    expect(res.rows.filter((r) => r.verdict === 'differs')).toEqual([]);
    for (const r of res.rows.filter((x) => x.verdict === 'unknown')) expect(r.reason).not.toBe('');
    // CDS's own calculations (DMS tax notifications) are reproduced to the penny.
    expect(res.rows.filter((r) => r.where.includes('CDS notification') && r.verdict === 'exact')).toHaveLength(4);
  });

  it.each([
    ['acceptance dates as declared', asDeclared],
    ['dates assumed 2021-06-01 where absent', assumed],
  ])('%s: zero-rated, relieved, suspended and secured lines never get a payable figure', (_, res) => {
    const notCharged = res.rows.filter((r) => r.notChargedByHmrc);
    expect(notCharged.length).toBeGreaterThan(40);
    for (const r of notCharged) {
      const positive = r.claim.kind === 'payable' && (r.claim.pence ?? 0) > 0;
      expect(positive ? `${r.where} ${r.taxType}: payable £${r.claim.pence! / 100} under ${r.notChargedByHmrc}` : '').toBe('');
    }
    expect(res.payableOnNotCharged).toBe(0);
    // Inward processing, temporary admission and the APC 1FV security are recognised as such.
    const of = (where: string, taxType: string) => res.rows.find((r) => r.where.startsWith(where) && r.taxType === taxType)!;
    expect(of('TT_IM146a/', 'A00').claim).toMatchObject({ kind: 'notPayable', liability: 'suspended' });
    expect(of('TT_IM083a/', 'B00').claim).toMatchObject({ kind: 'notPayable', liability: 'suspended' });
    expect(of('TT_IM102a/', 'A00').claim).toMatchObject({ kind: 'notPayable', liability: 'secured' });
  });

  it.each([undefined, '2021-06-01'])('validation rules (dates %s) price no money on lines HMRC does not charge', (assumeDate) => {
    const r = checkRules({ parseDmsDeclaration, store, RULES, evaluateDeclaration, fixturesDir: path.resolve(__dirname, '../packages/testing/fixtures/hmrc'), assumeDate, today: '2026-12-02' });
    expect(r.declarations).toBeGreaterThan(250);
    expect(r.pricedFindings).toBeGreaterThan(0);
    expect(r.onNotCharged).toEqual([]);
  });

  it('the engine as called before issue 14 gave payable figures on such lines (what this report guards against)', () => {
    const before = run('2021-06-01', 'before');
    expect(before.payableOnNotCharged).toBeGreaterThan(0);
    expect(before.totals.differs).toBeGreaterThan(0);
  });
});

// Detection quality of the reconciliation checks (C03, C42), in process: a labelled history
// (generateHistoryDataset) and the importer's books generated for it (generateBooks: ERP receipts
// and a duty deferment statement with injected ghosts, unmatched receipts, overcharges and
// unknown MRNs) go through the pure core as the service ends up judging them once every record
// has arrived; every finding is compared with the ground truth. Writes/checks the reconciliation
// table of docs/quality-history.md (UPDATE_QUALITY_DOC=1 to regenerate).
import fs from 'node:fs';
import path from 'node:path';
import type { Declaration, Finding } from '@customs/contracts';
import { bookReceiptLine, generateBooks, generateHistoryDataset, type TruthEntry } from '@customs/datagen';
import { decideReconciliation } from '../rules/reconcile';
import { defermentFactOf, type ReconDecl, reconDeclOf, reconReceiptOf } from '../rules/reconciliation-types';
import { measure, table } from './quality';

const DOC = path.resolve(__dirname, '../../../../docs/quality-history.md');
const SEED = 20261203;
const DECLARATIONS = 2000;
const RATES = { ghostRate: 0.03, unmatchedRate: 0.01, mismatchRate: 0.03, unknownMrnRate: 0.005 };

describe('reconciliation checks against the labelled books', () => {
  it('finds every injected ghost, unmatched receipt, overcharge and unknown MRN, none else, to the penny', () => {
    const decls: Declaration[] = [...generateHistoryDataset({ seed: SEED, declarations: DECLARATIONS, importers: 1 })].map((g) => g.declaration);
    const books = generateBooks(decls, { seed: SEED, ...RATES });
    const latest = new Map<string, ReconDecl>();
    for (const d of decls.map(reconDeclOf)) if ((latest.get(d.d)?.v ?? 0) < d.v) latest.set(d.d, d);
    const all = [...latest.values()];
    const receipts = books.receipts.map((r, i) => reconReceiptOf(bookReceiptLine(r, `erp-${i}`)));
    const charges = books.charges.map((c, i) => defermentFactOf({ statementId: 'ddes', periodTo: '', sourceName: 'ddes.csv' }, i, { ...c, declarantEori: '', traderReference: '' }));
    const dates = receipts.map((r) => r.date).sort();
    const { findings } = decideReconciliation(
      {
        declarations: all,
        receipts,
        mrns: [...new Set(charges.map((c) => c.mrn))],
        candidates: { declarations: all, receipts, deferment: charges },
        coverage: {
          receiptsFrom: dates[0]!,
          receiptsTo: dates.at(-1)!,
          declarationsTo: all
            .map((d) => d.date)
            .sort()
            .at(-1)!,
          declarationsComplete: true,
        },
        soleImporter: '',
      },
      'datagen',
      '2023-12-31',
      '2023-12-31T00:00:00Z',
    );
    // An unmatched receipt has no declaration: both sides are keyed by its invoice.
    const byInvoice = (f: Finding): Finding => (f.declarationId.startsWith('erp-receipt:') ? { ...f, declarationId: `receipt:${f.evidence.find((e) => e.field === 'erp.invoice')?.value}` } : f);
    const truth: TruthEntry[] = books.truth.map((t) => (t.declarationId === '' ? { ...t, declarationId: `receipt:${t.note.replace(/^.*invoice /, '')}` } : t));
    const q = measure(truth, findings.map(byInvoice), ['C03', 'C42']);
    for (const r of q.rows) expect(r.expected).toBeGreaterThan(5);
    expect(q.falsePositives.map((f) => `${f.ruleId} ${f.declarationId}: ${f.explanation}`)).toEqual([]);
    expect(q.falseNegatives).toEqual([]);
    for (const r of q.rows) expect(r.exact).toBe(r.tp);
    const doc = fs.readFileSync(DOC, 'utf8');
    const section = `<!-- reconciliation:start -->\nReconciliation checks in process (pure core, every record in): \`generateHistoryDataset\` seed ${SEED}, ${decls.length} declarations, and \`generateBooks\` (${books.receiptLines} ERP receipt lines, ${books.statementLines} deferment statement lines; ghost ${RATES.ghostRate}, unmatched ${RATES.unmatchedRate}, overcharge ${RATES.mismatchRate}, unknown MRN ${RATES.unknownMrnRate}), ${books.truth.length} injected cases. An unmatched receipt is unpriced (£0: it carries no commodity code or rate), so its expected £ is 0. Through the running services (ingestion REST upload of DMS XML, erp-csv and ddes-csv → Kafka → scoring) \`packages/testing/e2e/reconciliation.e2e.test.ts\` requires the same: every case found, none else, amounts exact.\n\n${table(q.rows)}\n<!-- reconciliation:end -->`;
    const next = doc.includes('<!-- reconciliation:start -->')
      ? doc.replace(/<!-- reconciliation:start -->[\s\S]*<!-- reconciliation:end -->/, section)
      : `${doc.trimEnd()}\n\n## Reconciliation with the importer's books (C03, C42)\n\n${section}\n`;
    if (process.env.UPDATE_QUALITY_DOC === '1') fs.writeFileSync(DOC, next);
    else expect(doc).toBe(next);
  });
});

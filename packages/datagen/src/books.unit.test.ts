import { generateBooks } from './books';
import { generateHistoryDataset } from './history';

describe('generateBooks (labelled ERP receipts and deferment statement)', () => {
  const decls = [...generateHistoryDataset({ seed: 5, declarations: 200, importers: 1 })].map((g) => g.declaration);

  it('is deterministic and injects each kind of case with its truth', () => {
    const opts = { seed: 5, ghostRate: 0.05, unmatchedRate: 0.02, mismatchRate: 0.1, unknownMrnRate: 0.01 };
    const a = generateBooks(decls, opts);
    expect(generateBooks(decls, opts)).toEqual(a);
    const notes = a.truth.map((t) => `${t.ruleId} ${t.note.split(':')[0]}`);
    for (const kind of ['C03 ghost', 'C03 unmatched receipt', 'C42 statement charges A00 £', 'C42 charges for '])
      expect([kind, notes.some((n) => n.startsWith(kind.split(' £')[0]!))]).toEqual([kind, true]);
    expect(a.erpCsv.split('\n')[0]).toBe('Supplier,SKU,Description,Invoice Number,Invoice Date,Line,Quantity,Unit,Line Value,Currency,MRN,Receipt Date,Origin Country');
    expect(a.ddesCsv.trim().split('\n')).toHaveLength(a.statementLines + 1);
    expect([a.receipts.length, a.charges.length]).toEqual([a.receiptLines, a.statementLines]);
    expect(a.ddesCsv.trim().split('\n')[a.charges[4]!.row - 1]!.startsWith(`${a.charges[4]!.dan},${a.charges[4]!.mrn},${a.charges[4]!.taxType},`)).toBe(true);
    expect(a.erpCsv.trim().split('\n').length).toBeGreaterThanOrEqual(a.receiptLines + 1);
    // Every C42 overcharge is reclaim of duty only, in whole pounds.
    for (const t of a.truth.filter((x) => x.ruleId === 'C42' && x.declarationId.startsWith('mrn:') === false)) expect([t.reclaimDutyPence % 100, t.reclaimVatPence]).toEqual([0, 0]);
  });

  it('writes one receipt per supplier invoice line however often the invoice is declared (ingestion refuses a repeated line as DUPLICATE_LINE)', () => {
    const withDuplicates = [...generateHistoryDataset({ seed: 5, declarations: 300, importers: 1, historyRates: { C37: 0.05 } })].map((g) => g.declaration);
    const books = generateBooks(withDuplicates, { seed: 5 });
    const keys = books.receipts.map((r) => `${r.supplier}|${r.invoiceNumber}|${r.lineNumber}`);
    expect(keys.length).toBeGreaterThan(100);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is clean with every rate at 0', () => {
    expect(generateBooks(decls, { seed: 5, ghostRate: 0, unmatchedRate: 0, mismatchRate: 0, unknownMrnRate: 0 }).truth).toEqual([]);
  });
});

import { Declaration, ErpReceiptLine, GoodsItem, Severity } from '@customs/contracts';
import { RECEIPT_GRACE_DAYS } from './c03-ghost-unmatched-imports';
import { decideReconciliation } from './reconcile';
import { type DefermentFact, mrnSubject, type ReconInput, receiptSubject, reconDeclOf, reconReceiptOf } from './reconciliation-types';

// Positive and negative fixtures for the reconciliation checks (C03, C42), through the same pure
// decision the service runs on each consumed batch.

const IMPORTER = 'GB123456789000';
let seq = 0;

function decl(p: { invoice?: string; date?: string; vat?: boolean; mop?: string; status?: string; duty?: number; vatPence?: number } = {}): Declaration {
  seq++;
  return Declaration.fromPartial({
    tenantId: 't',
    declarationId: `d${seq}`,
    version: 1,
    mrn: `24GB${String(seq).padStart(13, '0')}1`,
    lrn: `L${seq}`,
    acceptanceDate: p.date ?? '2024-03-01',
    importerEori: IMPORTER,
    status: p.status ?? '',
    parties: [
      { role: 'importer', id: IMPORTER },
      { role: 'declarant', id: 'GB999999999000' },
    ],
    fiscalReferences: p.vat === false ? [] : [{ role: 'FR1', vatId: 'GB123456789' }],
    defermentAccounts: ['1234567'],
    documents: p.invoice === '' ? [] : [{ code: 'N935', reference: p.invoice ?? `INV-${seq}/01.03.2024`, status: 'AC', reason: '' }],
    items: [
      GoodsItem.fromPartial({
        itemNumber: 1,
        taxLines: [
          { taxType: 'A00', rate: '12.00', payablePence: p.duty ?? 150_000, methodOfPayment: p.mop ?? 'E' },
          { taxType: 'B00', rate: '20.00', payablePence: p.vatPence ?? 60_000, methodOfPayment: p.mop ?? 'E' },
        ],
      }),
    ],
  });
}

function receipt(p: { invoice: string; date?: string; mrn?: string; origin?: string; id?: string }): ErpReceiptLine {
  seq++;
  return ErpReceiptLine.fromPartial({
    tenantId: 't',
    receiptId: p.id ?? `erp-${seq}`,
    supplier: 'ACME',
    sku: 'SKU-1',
    invoiceNumber: p.invoice,
    lineNumber: 1,
    quantity: '10',
    unit: 'PCS',
    lineValue: { value: '1000.00', currency: 'EUR' },
    mrn: p.mrn ?? '',
    receiptDate: p.date ?? '2024-03-04',
    originCountry: p.origin ?? 'CN',
  });
}

const line = (mrn: string, taxType: string, pence: number, date = '2024-03-01', index = 0): DefermentFact => ({
  statementId: 's1',
  index,
  dan: '1234567',
  mrn,
  taxType,
  pence,
  date,
  row: index + 2,
  periodTo: '2024-03-31',
  importer: '',
  declarant: '',
  sourceName: 'ddes.csv',
});

function input(p: Omit<Partial<ReconInput>, 'candidates'> & { candidates?: Partial<ReconInput['candidates']> }): ReconInput {
  return {
    declarations: p.declarations ?? [],
    receipts: p.receipts ?? [],
    mrns: p.mrns ?? [],
    candidates: { declarations: [], receipts: [], deferment: [], ...p.candidates },
    coverage: p.coverage ?? { receiptsFrom: '2024-01-01', receiptsTo: '2024-06-30', declarationsTo: '2024-06-30', declarationsComplete: true },
    soleImporter: p.soleImporter ?? IMPORTER,
    ...(p.importersWithBooks ? { importersWithBooks: p.importersWithBooks } : {}),
  };
}

const run = (i: ReconInput) => decideReconciliation(i, 't', '2024-07-01', '2024-07-01T00:00:00Z');

describe('C03 ghost and unmatched imports', () => {
  it('flags a declaration no receipt matches, pricing its duty as reclaim (VAT only when not VAT-registered)', () => {
    const registered = reconDeclOf(decl({ invoice: 'INV-1/01.03.2024' }));
    const unregistered = reconDeclOf(decl({ invoice: 'INV-2', vat: false }));
    const { findings, judged } = run(input({ declarations: [registered, unregistered] }));
    expect(findings.map((f) => [f.ruleId, f.declarationId, f.reclaimDutyPence, f.reclaimVatPence, f.severity])).toEqual([
      ['C03', registered.d, 150_000, 0, Severity.SEVERITY_HIGH],
      ['C03', unregistered.d, 150_000, 60_000, Severity.SEVERITY_HIGH],
    ]);
    expect(findings[0]!.deadline).toBe('2027-03-01');
    expect(judged.C03).toEqual([registered.d, unregistered.d].sort());
  });

  it('matches by the invoice number of a "number/date" reference or by MRN, and then says nothing', () => {
    const a = reconDeclOf(decl({ invoice: 'inv 77/01.03.2024' }));
    const b = reconDeclOf(decl({ invoice: 'OTHER-1' }));
    const receipts = [reconReceiptOf(receipt({ invoice: 'INV-77' })), reconReceiptOf(receipt({ invoice: 'nomatch', mrn: b.mrn }))];
    const { findings } = run(input({ declarations: [a, b], receipts, candidates: { declarations: [a, b], receipts } }));
    expect(findings).toEqual([]);
  });

  it('judges ghosts only for the importers the books are for (a receipt names no importer)', () => {
    const d = reconDeclOf(decl());
    expect(run(input({ declarations: [d], importersWithBooks: ['GB000000000999'] })).findings).toEqual([]);
    expect(run(input({ declarations: [d], importersWithBooks: [d.importer] })).findings.map((f) => f.ruleId)).toEqual(['C03']);
  });

  it('does not judge a declaration outside the receipts’ span (or within the grace days), an invalidated one, or one without invoice references', () => {
    const early = reconDeclOf(decl({ date: '2023-12-31' }));
    const late = reconDeclOf(decl({ date: '2024-06-20' }));
    const invalidated = reconDeclOf(decl({ status: 'invalidated' }));
    const noInvoice = reconDeclOf(decl({ invoice: '' }));
    expect(RECEIPT_GRACE_DAYS).toBeGreaterThan(10);
    expect(run(input({ declarations: [early, late, invalidated, noInvoice] })).findings).toEqual([]);
    expect(run(input({ declarations: [reconDeclOf(decl())], coverage: { receiptsFrom: '', receiptsTo: '', declarationsTo: '2024-06-30', declarationsComplete: true } })).findings).toEqual([]);
  });

  it('flags an import receipt no declaration matches, unpriced, once declarations cover its date; a domestic receipt never', () => {
    const imported = reconReceiptOf(receipt({ invoice: 'X-1', id: 'r1' }));
    const unknownOrigin = reconReceiptOf(receipt({ invoice: 'X-2', id: 'r2', origin: '' }));
    const domestic = reconReceiptOf(receipt({ invoice: 'X-3', id: 'r3', origin: 'GB' }));
    const future = reconReceiptOf(receipt({ invoice: 'X-4', id: 'r4', date: '2024-08-01' }));
    const { findings, judged } = run(input({ receipts: [imported, domestic, future] }));
    expect(findings.map((f) => [f.declarationId, f.exposureDutyPence, f.exposureVatPence, f.severity, f.importerEori])).toEqual([[receiptSubject('r1'), 0, 0, Severity.SEVERITY_HIGH, IMPORTER]]);
    expect(findings[0]!.evidence.find((e) => e.field === 'erp.line_value')?.value).toBe('1000.00 EUR');
    expect(judged.C03).toEqual([receiptSubject('r1'), receiptSubject('r3'), receiptSubject('r4')]);
    // Neither origin nor MRN recorded: possibly a domestic purchase, not judged.
    expect(run(input({ receipts: [unknownOrigin] })).findings).toEqual([]);
  });

  it('calls nothing unmatched or unknown while declarations ingested before the books are still in flight', () => {
    const coverage = { receiptsFrom: '2024-01-01', receiptsTo: '2024-06-30', declarationsTo: '2024-06-30', declarationsComplete: false };
    expect(run(input({ receipts: [reconReceiptOf(receipt({ invoice: 'X-9', id: 'r9' }))], coverage })).findings).toEqual([]);
    expect(run(input({ mrns: ['24GB99999999999991'], candidates: { deferment: [line('24GB99999999999991', 'A00', 30_000)] }, coverage })).findings).toEqual([]);
    // A ghost (a declaration present, its receipt absent) does not wait for other declarations.
    expect(run(input({ declarations: [reconDeclOf(decl())], coverage })).findings.map((f) => f.ruleId)).toEqual(['C03']);
  });

  it('gives the same finding id for the same verdict and a new one when the amounts change', () => {
    const d = decl();
    const first = run(input({ declarations: [reconDeclOf(d)] })).findings[0]!;
    const again = run(input({ declarations: [reconDeclOf(d)] })).findings[0]!;
    expect(again.findingId).toBe(first.findingId);
    const changed = reconDeclOf(
      Declaration.fromPartial({
        ...d,
        items: [{ ...d.items[0]!, taxLines: [{ taxType: 'A00', payablePence: 1, methodOfPayment: 'E', rate: '', baseAmount: '', baseUnit: '', traderDeclared: false, suspendedPence: 0 }] }],
      }),
    );
    expect(run(input({ declarations: [changed] })).findings[0]!.findingId).not.toBe(first.findingId);
  });
});

describe('C42 deferment statement reconciliation', () => {
  it('agrees when the statement charges what the deferred tax lines say (within £1)', () => {
    const d = reconDeclOf(decl());
    const lines = [line(d.mrn, 'A00', 150_050), line(d.mrn, 'B00', 60_000, '2024-03-01', 1)];
    expect(run(input({ mrns: [d.mrn], candidates: { declarations: [d], deferment: lines } })).findings).toEqual([]);
  });

  it('prices an overcharge as reclaim and an undercharge as exposure, duty and VAT separately', () => {
    const d = reconDeclOf(decl());
    const lines = [line(d.mrn, 'A00', 200_000), line(d.mrn, 'B00', 50_000, '2024-03-01', 1)];
    const { findings, judged } = run(input({ mrns: [d.mrn], candidates: { declarations: [d], deferment: lines } }));
    expect(findings.map((f) => [f.ruleId, f.declarationId, f.reclaimDutyPence, f.reclaimVatPence, f.exposureDutyPence, f.exposureVatPence, f.severity])).toEqual([
      ['C42', d.d, 50_000, 0, 0, 10_000, Severity.SEVERITY_MEDIUM],
    ]);
    expect(judged.C42).toEqual([d.d, mrnSubject(d.mrn)].sort());
  });

  it('compares only tax lines paid by deferment: postponed VAT (G) is not on the statement', () => {
    const d = reconDeclOf(
      Declaration.fromPartial({
        ...decl(),
        items: [
          {
            itemNumber: 1,
            taxLines: [
              { taxType: 'A00', payablePence: 150_000, methodOfPayment: 'E' },
              { taxType: 'B00', payablePence: 60_000, methodOfPayment: 'G' },
            ],
          },
        ],
      }),
    );
    expect(run(input({ mrns: [d.mrn], candidates: { declarations: [d], deferment: [line(d.mrn, 'A00', 150_000)] } })).findings).toEqual([]);
  });

  it('flags charges for an MRN the importer does not hold, once declarations cover its date', () => {
    const mrn = '24GB99999999999991';
    const lines = [line(mrn, 'A00', 30_000), line(mrn, 'B00', 12_000, '2024-03-01', 1)];
    const { findings } = run(input({ mrns: [mrn], candidates: { deferment: lines } }));
    expect(findings.map((f) => [f.declarationId, f.mrn, f.reclaimDutyPence, f.reclaimVatPence, f.severity])).toEqual([[mrnSubject(mrn), mrn, 30_000, 12_000, Severity.SEVERITY_HIGH]]);
    expect(run(input({ mrns: [mrn], candidates: { deferment: lines }, coverage: { receiptsFrom: '', receiptsTo: '', declarationsTo: '2024-02-28', declarationsComplete: true } })).findings).toEqual(
      [],
    );
  });
});

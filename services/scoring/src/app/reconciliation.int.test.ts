// The reconciliation use case (C03, C42) over real Postgres: whatever order declarations, ERP
// receipts and statement parts arrive in, the active findings end up those of the pure core over
// everything; a late counterpart supersedes a verdict; a corrected statement replaces its lines;
// redelivering a batch publishes nothing.
import { type Declaration, DefermentStatementReceived, ErpReceiptLine } from '@customs/contracts';
import { createDb, migrateToLatest, type ServiceDb, sql, withAllTenants } from '@customs/db';
import { bookReceiptLine, generateBooks, generateHistoryDataset } from '@customs/datagen';
import { createTestDatabase, type TestDatabase } from '@customs/testing';
import { migrations, type ScoringDb } from '../db/migrations';
import { receiptSubject } from '../rules/reconciliation-types';
import { bindStore } from './ports';
import { bindReconStore, onReconciliationEvents, type ReconEvent } from './reconciliation-batch';

const NOW = '2024-12-31T12:00:00.000Z';
const TENANT = 'datagen';

describe('reconciliation use case (real Postgres)', () => {
  let database: TestDatabase;
  let db: ServiceDb<ScoringDb>;
  let decls: Declaration[];
  let books: ReturnType<typeof generateBooks>;

  beforeAll(async () => {
    database = await createTestDatabase('recon');
    db = createDb<ScoringDb>({ url: database.urlFor('scoring'), schema: 'scoring' });
    await migrateToLatest(db.db as never, 'scoring', migrations);
    decls = [...generateHistoryDataset({ seed: 11, declarations: 300, importers: 1, historyRates: { C02: 0, C10: 0, C11: 0, C20: 0, C23: 0, C30: 0, C34: 0, C37: 0 } })].map((g) => g.declaration);
    books = generateBooks(decls, { seed: 11, ghostRate: 0.05, unmatchedRate: 0.02, mismatchRate: 0.08, unknownMrnRate: 0.01 });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const receiptEvents = (from: number, to: number, id: string): ReconEvent => ({
    eventId: id,
    kind: 'receipts',
    tenant: TENANT,
    lines: books.receipts.slice(from, to).map((r, i) => bookReceiptLine(r, `erp-${from + i}`, TENANT)),
    declarationsIngested: 0,
  });
  const statement = (charges: typeof books.charges, id: string, statementId = 'ddes-1'): ReconEvent => ({
    eventId: id,
    kind: 'statement',
    statement: DefermentStatementReceived.fromPartial({
      tenantId: TENANT,
      statementId,
      part: 1,
      parts: 1,
      totalLines: charges.length,
      firstLine: 0,
      sourceName: 'ddes.csv',
      lines: charges.map((c) => ({ ...c, declarantEori: '', traderReference: '' })),
    }),
  });
  const declEvents = (ds: Declaration[], prefix: string): ReconEvent[] => ds.map((d) => ({ eventId: `${prefix}-${d.declarationId}-${d.version}`, kind: 'declaration', declaration: d }));

  const run = (events: ReconEvent[]) => withAllTenants(db.db, (trx) => onReconciliationEvents(bindStore(trx), bindReconStore(trx), events, NOW));
  const active = async (): Promise<string[]> =>
    (
      await withAllTenants(db.db, (trx) =>
        sql<{ rule_id: string; declaration_id: string; finding_id: string }>`select rule_id, declaration_id, finding_id from history_findings where active order by 1, 2`.execute(trx),
      )
    ).rows.map((r) => `${r.rule_id} ${r.declaration_id} ${r.finding_id}`);
  const reset = () => withAllTenants(db.db, (trx) => sql`truncate recon_decls, recon_receipts, deferment_lines, history_findings`.execute(trx));

  it('ends with the same active findings whatever the arrival order, matching the ground truth', async () => {
    const truthKeys = books.truth.map((t) => `${t.ruleId} ${t.declarationId || 'receipt'}`).sort();
    // Books first, then the declarations in batches of 50.
    await run([receiptEvents(0, books.receipts.length, 'r1'), statement(books.charges, 's1')]);
    for (let i = 0; i < decls.length; i += 50) await run(declEvents(decls.slice(i, i + 50), 'a'));
    const booksFirst = await active();
    await reset();
    // Declarations first, then receipts in two halves and the statement in between.
    for (let i = 0; i < decls.length; i += 50) await run(declEvents(decls.slice(i, i + 50), 'b'));
    const half = Math.floor(books.receipts.length / 2);
    await run([receiptEvents(half, books.receipts.length, 'r2')]);
    await run([statement(books.charges, 's2')]);
    await run([receiptEvents(0, half, 'r3')]);
    const declarationsFirst = await active();
    expect(declarationsFirst).toEqual(booksFirst);
    expect(
      declarationsFirst
        .map((x) =>
          x
            .split(' ')
            .slice(0, 2)
            .join(' ')
            .replace(/erp-receipt:erp-\d+/, 'receipt'),
        )
        .sort(),
    ).toEqual(truthKeys);
    expect(truthKeys.filter((k) => k.startsWith('C03')).length).toBeGreaterThan(3);
    expect(truthKeys.filter((k) => k.startsWith('C42')).length).toBeGreaterThan(3);
  });

  it('supersedes a ghost when its receipt arrives, drops a corrected statement’s overcharge, and redelivery publishes nothing', async () => {
    const ghost = books.truth.find((t) => t.ruleId === 'C03' && t.declarationId && !t.declarationId.startsWith('mrn:'))!;
    const d = decls.find((x) => x.declarationId === ghost.declarationId)!;
    const invoice = d.documents.find((x) => x.code === 'N935')?.reference ?? d.items[0]!.documents.find((x) => x.code === 'N935')!.reference;
    const before = await active();
    expect(before.some((x) => x.startsWith(`C03 ${d.declarationId} `))).toBe(true);
    const late: ReconEvent = {
      eventId: 'late-receipt',
      kind: 'receipts',
      tenant: TENANT,
      declarationsIngested: 0,
      lines: [
        ErpReceiptLine.fromPartial({
          tenantId: TENANT,
          receiptId: 'erp-late',
          supplier: 'S',
          sku: 'K',
          invoiceNumber: invoice.replace(/\/.*$/, ''),
          lineNumber: 1,
          quantity: '1',
          lineValue: { value: '1.00', currency: 'GBP' },
          receiptDate: d.acceptanceDate,
          originCountry: 'CN',
        }),
      ],
    };
    const out = await run([late]);
    expect(out.filter((o) => o.kind === 'finding')).toEqual([]);
    const after = await active();
    expect(after.some((x) => x.startsWith(`C03 ${d.declarationId} `))).toBe(false);
    expect(after.some((x) => x.startsWith(`C03 ${receiptSubject('erp-late')}`))).toBe(false);

    const over = books.truth.find((t) => t.ruleId === 'C42' && !t.declarationId.startsWith('mrn:'))!;
    const corrected = books.charges.map((c) => (c.mrn === over.mrn && c.taxType === 'A00' ? { ...c, amountPence: c.amountPence - over.reclaimDutyPence } : c));
    await run([statement(corrected.slice(0, corrected.length - 1), 'corrected', 'ddes-1')]);
    const now = await active();
    expect(now.some((x) => x.startsWith(`C42 ${over.declarationId} `))).toBe(false);
    // Redelivery of the same statement (another event id, the inbox is the adapter's): same verdicts, nothing published.
    const again = await run([statement(corrected.slice(0, corrected.length - 1), 'corrected-again', 'ddes-1')]);
    expect(again.filter((o) => o.kind === 'finding')).toEqual([]);
    expect(await active()).toEqual(now);
  });
});

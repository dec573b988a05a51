import type { Declaration, DefermentStatementLine, ErpReceiptLine } from '@customs/contracts';
import type { HistoryHit, HistoryRule } from './types';

// Reconciliation of the importer's declarations with its own books (ERP goods receipts, C03) and
// HMRC's duty deferment statement (C42). Pure types and fact extraction: no I/O, no clock.

/** Methods of payment (DE 4/8) a deferment statement charges: E deferment (CDS), F deferment (CHIEF), R deferment deposit. */
export const DEFERMENT_METHODS = new Set(['E', 'F', 'R']);

/** A declaration version as reconciliation sees it. */
export interface ReconDecl {
  d: string;
  v: number;
  mrn: string;
  lrn: string;
  /** Acceptance date "YYYY-MM-DD". */
  date: string;
  importer: string;
  declarant: string;
  /** '' in force, 'invalidated'. */
  status: string;
  /** N935 invoice keys (letters and digits, upper case; the number of a "number/date" reference too), as ingestion matches them. */
  invoices: string[];
  /** Duty (A-type tax lines) and import VAT (B00) payable, pence. */
  duty: number;
  vat: number;
  vatRegistered: boolean;
  items: number;
  /** DE 2/6 deferment accounts. */
  dans: string[];
  /** Per tax type: pence payable on tax lines paid by deferment (E/F/R) or with no method of payment given. */
  deferred: Record<string, number>;
}

/** One ERP goods-receipt line as reconciliation keeps it. */
export interface ReconReceipt {
  id: string;
  supplier: string;
  sku: string;
  description: string;
  invoice: string;
  invoiceKey: string;
  line: number;
  quantity: string;
  unit: string;
  value: string;
  currency: string;
  mrn: string;
  /** Goods receipt date, else the invoice date ("YYYY-MM-DD"; '' when neither). */
  date: string;
  origin: string;
}

/** One line of a duty deferment statement, kept per statement and position. */
export interface DefermentFact {
  statementId: string;
  index: number;
  dan: string;
  mrn: string;
  taxType: string;
  pence: number;
  date: string;
  row: number;
  periodTo: string;
  importer: string;
  declarant: string;
  sourceName: string;
}

/**
 * What a reconciliation decides over: the subjects to judge (everything a batch touched) and the
 * records they can match, plus how far each source reaches (a missing counterpart only counts
 * once the other side's data covers its date).
 */
export interface ReconInput {
  /** Declarations to judge for C03 (in force, with invoice references). */
  declarations: readonly ReconDecl[];
  /** Receipts to judge for C03. */
  receipts: readonly ReconReceipt[];
  /** MRNs whose deferment charges to judge for C42. */
  mrns: readonly string[];
  /** Every record the subjects can match (loaded by invoice key and MRN). */
  candidates: { declarations: readonly ReconDecl[]; receipts: readonly ReconReceipt[]; deferment: readonly DefermentFact[] };
  coverage: {
    /** Earliest and latest date of the tenant's ERP receipts ('' when none). */
    receiptsFrom: string;
    receiptsTo: string;
    /** Latest acceptance date of the tenant's declarations ('' when none). */
    declarationsTo: string;
    /**
     * Every declaration ingestion held when it published the books has been seen: until then a
     * receipt or a charged MRN without a declaration may only be one still in flight, and is not judged.
     */
    declarationsComplete: boolean;
  };
  /** The tenant's importer when its declarations name only one ('' otherwise): a receipt names none. */
  soleImporter: string;
  /**
   * The importers whose ERP books these are: those with a declaration some receipt matches. A
   * receipt names no importer, so a tenant holding several importers' declarations (a broker, or
   * an importer's group) has books for some of them only: a declaration of an importer whose books
   * are not connected is not a ghost, it is simply not in these books. Absent: every importer.
   */
  importersWithBooks?: readonly string[];
}

/** A reconciliation check: the catalogue metadata of a history check plus its own pure decision. */
export interface ReconciliationRule extends HistoryRule {
  reconcile(input: ReconInput, today: string): ReconHit[];
}

/** A hit plus the subject it is about (a declaration id, or a receipt's / an unknown MRN's pseudo-id) and a digest of the verdict. */
export interface ReconHit extends HistoryHit {
  subject: string;
  /** What the verdict rests on (amounts, matched counterpart): a different verdict is a different finding. */
  digest: string;
}

/** Subject id of a finding on an ERP receipt line (no declaration to hang it on). */
export const receiptSubject = (receiptId: string) => `erp-receipt:${receiptId}`;
/** Subject id of a finding on deferment charges for an MRN the importer's data does not hold. */
export const mrnSubject = (mrn: string) => `mrn:${mrn}`;

/** Letters and digits, upper case: "inv 5521" = "INV-5521" (ingestion's invoiceKey). */
export function invoiceKey(v: string): string {
  return v.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** Keys of an N935 reference: the whole reference, and the number of HMRC's "number/dd.mm.yyyy" form. */
export function invoiceKeysOf(reference: string): string[] {
  const full = invoiceKey(reference);
  if (!full) return [];
  const m = /^(.+)\/\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.exec(reference.trim());
  const number = m ? invoiceKey(m[1]!) : '';
  return number && number !== full ? [full, number] : [full];
}

export function reconDeclOf(d: Declaration): ReconDecl {
  const find = (role: string) => d.parties.find((p) => p.role === role)?.id ?? '';
  const importer = (d.importerEori || find('importer')).trim().toUpperCase();
  const declarant = (find('declarant') || find('representative')).trim().toUpperCase() || importer;
  const invoices = new Set<string>();
  const deferred: Record<string, number> = {};
  let duty = 0;
  let vat = 0;
  for (const doc of d.documents) if (doc.code === 'N935') for (const k of invoiceKeysOf(doc.reference)) invoices.add(k);
  for (const it of d.items) {
    for (const doc of it.documents) if (doc.code === 'N935') for (const k of invoiceKeysOf(doc.reference)) invoices.add(k);
    for (const t of it.taxLines) {
      if (t.taxType.startsWith('A')) duty += t.payablePence;
      if (t.taxType === 'B00') vat += t.payablePence;
      const mop = t.methodOfPayment.trim().toUpperCase();
      if (mop === '' || DEFERMENT_METHODS.has(mop)) deferred[t.taxType] = (deferred[t.taxType] ?? 0) + t.payablePence;
    }
  }
  const vatRegistered = d.fiscalReferences.some((f) => f.role === 'FR1' && f.vatId.trim() !== '') || d.items.some((i) => i.taxLines.some((t) => t.taxType === 'B00' && t.methodOfPayment === 'G'));
  return {
    d: d.declarationId,
    v: d.version,
    mrn: d.mrn.toUpperCase(),
    lrn: d.lrn,
    date: d.acceptanceDate,
    importer,
    declarant,
    status: d.status === 'invalidated' ? 'invalidated' : '',
    invoices: [...invoices].sort(),
    duty,
    vat,
    vatRegistered,
    items: d.items.length,
    dans: [...d.defermentAccounts],
    deferred,
  };
}

export function reconReceiptOf(l: ErpReceiptLine): ReconReceipt {
  return {
    id: l.receiptId,
    supplier: l.supplier,
    sku: l.sku,
    description: l.description,
    invoice: l.invoiceNumber,
    invoiceKey: invoiceKey(l.invoiceNumber),
    line: l.lineNumber,
    quantity: l.quantity,
    unit: l.unit,
    value: l.lineValue?.value ?? '',
    currency: l.lineValue?.currency ?? '',
    mrn: l.mrn.toUpperCase(),
    date: l.receiptDate || l.invoiceDate,
    origin: l.originCountry.toUpperCase(),
  };
}

export function defermentFactOf(s: { statementId: string; periodTo: string; sourceName: string }, index: number, l: DefermentStatementLine): DefermentFact {
  return {
    statementId: s.statementId,
    index,
    dan: l.dan,
    mrn: l.mrn.toUpperCase(),
    taxType: l.taxType,
    pence: l.amountPence,
    date: l.date,
    row: l.row,
    periodTo: s.periodTo,
    importer: l.importerEori,
    declarant: l.declarantEori,
    sourceName: s.sourceName,
  };
}

import { type Declaration, ErpReceiptLine } from '@customs/contracts';
import { Rng } from './prng';
import type { TruthEntry } from './types';

/**
 * The importer's own books for a generated history, with labelled errors: an ERP goods-receipt
 * export (CSV, ingestion's erp-csv columns) and HMRC's duty deferment statement (CSV, the layout
 * of docs/deferment-statement.md). Clean by construction — every declaration citing an invoice has
 * a receipt per item a few days after acceptance, and the statement charges exactly the tax lines
 * paid by deferment — except for the injected cases, each with its ground truth:
 *
 * * C03 ghost: a declaration whose receipts are left out (only declarations whose invoice no other
 *   declaration cites, accepted well inside the receipts' span, so the check must judge them);
 *   reclaim = its duty (VAT only when not VAT-registered).
 * * C03 unmatched: a receipt of an imported line for an invoice no declaration cites (unpriced).
 * * C42 mismatch: a declaration's A00 charge on the statement raised by £50–£500 (reclaim).
 * * C42 unknown MRN: charges on the statement for an MRN that is not among the declarations.
 */
export interface BooksOptions {
  seed: number;
  /** Share of eligible declarations left without receipts (C03 ghost). */
  ghostRate?: number;
  /** Receipts with no declaration, as a share of the declarations (C03 unmatched). */
  unmatchedRate?: number;
  /** Share of deferred declarations overcharged on the statement (C42). */
  mismatchRate?: number;
  /** Unknown MRNs charged, as a share of the declarations (C42). */
  unknownMrnRate?: number;
}

/** One ERP receipt line as the CSV has it (ingestion's erp-csv columns). */
export interface BookReceipt {
  supplier: string;
  sku: string;
  description: string;
  invoiceNumber: string;
  invoiceDate: string;
  lineNumber: number;
  quantity: string;
  unit: string;
  value: string;
  currency: string;
  mrn: string;
  receiptDate: string;
  originCountry: string;
}

/** One duty deferment statement line as the CSV has it (docs/deferment-statement.md). */
export interface BookCharge {
  dan: string;
  mrn: string;
  taxType: string;
  amountPence: number;
  date: string;
  importerEori: string;
  /** CSV row (1 = header). */
  row: number;
}

/** A generated receipt as the contract line ingestion would publish for it (id and tenant given). */
export function bookReceiptLine(r: BookReceipt, receiptId: string, tenantId = ''): ErpReceiptLine {
  const { value, currency, ...rest } = r;
  return ErpReceiptLine.fromPartial({ ...rest, tenantId, receiptId, lineValue: { value, currency } });
}

export interface GeneratedBooks {
  erpCsv: string;
  ddesCsv: string;
  /** The same content as the two files, as records (for in-process measurement). */
  receipts: BookReceipt[];
  charges: BookCharge[];
  receiptLines: number;
  statementLines: number;
  /** C03 truth for unmatched receipts has declarationId '' and the invoice in the note ("invoice X"). */
  truth: TruthEntry[];
}

/** Days after acceptance the goods are received. */
const RECEIPT_DELAY_DAYS = 3;

const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const row = (cells: (string | number)[]) => cells.map((c) => csvCell(String(c))).join(',');
const pounds = (pence: number) => `${pence < 0 ? '-' : ''}${Math.floor(Math.abs(pence) / 100)}.${String(Math.abs(pence) % 100).padStart(2, '0')}`;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const keysOf = (reference: string) => {
  const key = (v: string) => v.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const m = /^(.+)\/\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.exec(reference.trim());
  return [key(reference), ...(m ? [key(m[1]!)] : [])].filter(Boolean);
};
const invoicesOf = (d: Declaration) => [...d.documents, ...d.items.flatMap((i) => i.documents)].filter((x) => x.code === 'N935' && x.reference.trim()).map((x) => x.reference.trim());
const vatRegistered = (d: Declaration) =>
  d.fiscalReferences.some((f) => f.role === 'FR1' && f.vatId.trim() !== '') || d.items.some((i) => i.taxLines.some((t) => t.taxType === 'B00' && t.methodOfPayment === 'G'));

export function generateBooks(declarations: readonly Declaration[], opts: BooksOptions): GeneratedBooks {
  const rng = new Rng(`books-${opts.seed}`);
  // The latest version of each declaration, in force.
  const latest = new Map<string, Declaration>();
  for (const d of declarations) if ((latest.get(d.declarationId)?.version ?? 0) < d.version) latest.set(d.declarationId, d);
  const decls = [...latest.values()]
    .filter((d) => d.status !== 'invalidated' && d.acceptanceDate)
    .sort((a, b) => a.acceptanceDate.localeCompare(b.acceptanceDate) || a.declarationId.localeCompare(b.declarationId));
  const truth: TruthEntry[] = [];
  if (decls.length === 0) return { erpCsv: '', ddesCsv: '', receipts: [], charges: [], receiptLines: 0, statementLines: 0, truth };
  const first = decls[0]!.acceptanceDate;
  const last = decls.at(-1)!.acceptanceDate;
  // A declaration accepted at least `days` before the last one (what an absence verdict waits for).
  const judgeable = (days: number) => {
    const upTo = decls.filter((d) => d.acceptanceDate <= addDays(last, -days));
    const pool = upTo.length ? upTo : decls;
    return pool[rng.int(0, pool.length - 1)]!;
  };
  const citing = new Map<string, number>();
  for (const d of decls) for (const k of new Set(invoicesOf(d).flatMap(keysOf))) citing.set(k, (citing.get(k) ?? 0) + 1);

  const erp = [row(['Supplier', 'SKU', 'Description', 'Invoice Number', 'Invoice Date', 'Line', 'Quantity', 'Unit', 'Line Value', 'Currency', 'MRN', 'Receipt Date', 'Origin Country'])];
  const receipts: BookReceipt[] = [];
  const addReceipt = (c: [string, string, string, string, string, number, string, string, string, string, string, string, string]) => {
    const [supplier, sku, description, invoiceNumber, invoiceDate, lineNumber, quantity, unit, value, currency, mrn, receiptDate, originCountry] = c;
    receipts.push({ supplier, sku, description, invoiceNumber, invoiceDate, lineNumber, quantity, unit, value, currency, mrn, receiptDate, originCountry });
    erp.push(row(c));
  };
  let receiptLines = 0;
  const receipted = new Set<string>();
  for (const d of decls) {
    const invoices = invoicesOf(d);
    if (invoices.length === 0) continue;
    const unique = invoices.flatMap(keysOf).every((k) => citing.get(k) === 1);
    // Judged for sure: inside the receipts' span with the check's grace days (14) well past.
    const judged = d.acceptanceDate >= addDays(first, 7) && d.acceptanceDate <= addDays(last, -30);
    if (unique && judged && rng.chance(opts.ghostRate ?? 0.02)) {
      const duty = d.items.reduce((s, i) => s + i.taxLines.filter((t) => t.taxType.startsWith('A')).reduce((n, t) => n + t.payablePence, 0), 0);
      const vat = d.items.reduce((s, i) => s + i.taxLines.filter((t) => t.taxType === 'B00').reduce((n, t) => n + t.payablePence, 0), 0);
      const reclaimVat = vatRegistered(d) ? 0 : vat;
      truth.push({
        declarationId: d.declarationId,
        mrn: d.mrn,
        itemNumber: 0,
        ruleId: 'C03',
        exposureDutyPence: 0,
        exposureVatPence: 0,
        reclaimDutyPence: duty,
        reclaimVatPence: reclaimVat,
        note: `ghost: no ERP receipt for invoice ${invoices[0]}`,
      });
      continue;
    }
    const supplier = d.parties.find((p) => p.role === 'seller')?.name || d.parties.find((p) => p.role === 'exporter')?.name || 'UNKNOWN SUPPLIER';
    const invoiceNumber = invoices[0]!.replace(/\/\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/, '');
    // Goods arrive once however often they are declared: a second declaration of the same
    // supplier invoice (a C37 duplicate) has no receipt of its own — it matches the first one's.
    // (Writing its lines again gave the export rows ingestion refuses as DUPLICATE_LINE: make up's
    // ERP file was "partially_accepted".)
    const receiptKey = `${supplier}|${invoiceNumber}`;
    if (receipted.has(receiptKey)) continue;
    receipted.add(receiptKey);
    d.items.forEach((it, i) => {
      const value = it.customsValuePence > 0 ? it.customsValuePence : it.statisticalValuePence;
      addReceipt([
        supplier,
        `SKU-${it.commodityCode.slice(0, 8)}-${i + 1}`,
        it.description,
        invoiceNumber,
        d.acceptanceDate,
        i + 1,
        it.supplementaryUnits || '1',
        it.supplementaryUnits ? 'PCS' : 'EA',
        pounds(value),
        'GBP',
        '',
        addDays(d.acceptanceDate, RECEIPT_DELAY_DAYS),
        it.originCountry,
      ]);
      receiptLines++;
    });
  }
  const unmatched = Math.round(decls.length * (opts.unmatchedRate ?? 0.01));
  for (let k = 0; k < unmatched; k++) {
    // Dated well before the last declaration: the check judges a receipt once declarations reach 35 days past it.
    const d = judgeable(40);
    const invoice = `ERP-ONLY-${opts.seed}-${k + 1}`;
    addReceipt([
      'Unlisted Supplier Ltd',
      `SKU-X-${k + 1}`,
      'Goods received without a customs entry',
      invoice,
      d.acceptanceDate,
      1,
      '10',
      'PCS',
      pounds(rng.int(50_000, 900_000)),
      'GBP',
      '',
      d.acceptanceDate,
      'CN',
    ]);
    receiptLines++;
    truth.push({
      declarationId: '',
      mrn: '',
      itemNumber: 1,
      ruleId: 'C03',
      exposureDutyPence: 0,
      exposureVatPence: 0,
      reclaimDutyPence: 0,
      reclaimVatPence: 0,
      note: `unmatched receipt: invoice ${invoice}`,
    });
  }

  const ddes = [row(['DAN', 'MRN', 'Tax Type', 'Amount', 'Date', 'Importer EORI'])];
  const charges: BookCharge[] = [];
  const addCharge = (dan: string, mrn: string, taxType: string, amountPence: number, date: string, importerEori: string) => {
    charges.push({ dan, mrn, taxType, amountPence, date, importerEori, row: ddes.length + 1 });
    ddes.push(row([dan, mrn, taxType, pounds(amountPence), date, importerEori]));
  };
  let statementLines = 0;
  for (const d of decls) {
    const dan = d.defermentAccounts[0];
    if (!dan || !d.mrn) continue;
    const deferred = new Map<string, number>();
    for (const it of d.items) for (const t of it.taxLines) if (t.methodOfPayment === 'E') deferred.set(t.taxType, (deferred.get(t.taxType) ?? 0) + t.payablePence);
    if (deferred.size === 0) continue;
    let extra = 0;
    if ((deferred.get('A00') ?? 0) > 0 && rng.chance(opts.mismatchRate ?? 0.02)) {
      extra = rng.int(50, 500) * 100;
      truth.push({
        declarationId: d.declarationId,
        mrn: d.mrn,
        itemNumber: 0,
        ruleId: 'C42',
        exposureDutyPence: 0,
        exposureVatPence: 0,
        reclaimDutyPence: extra,
        reclaimVatPence: 0,
        note: `statement charges A00 ${pounds(extra)} more than declared`,
      });
    }
    for (const [taxType, pence] of [...deferred.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      addCharge(dan, d.mrn, taxType, pence + (taxType === 'A00' ? extra : 0), d.acceptanceDate, d.importerEori);
      statementLines++;
    }
  }
  const unknown = Math.round(decls.length * (opts.unknownMrnRate ?? 0.005));
  for (let k = 0; k < unknown; k++) {
    const d = judgeable(20);
    const dan = d.defermentAccounts[0] ?? '1234567';
    const body = `${d.acceptanceDate.slice(2, 4)}GB${rng.chars(13, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}`;
    const mrn = `${body}${rng.int(0, 9)}`;
    const duty = rng.int(20_000, 400_000);
    const vat = rng.int(20_000, 400_000);
    addCharge(dan, mrn, 'A00', duty, d.acceptanceDate, d.importerEori);
    addCharge(dan, mrn, 'B00', vat, d.acceptanceDate, d.importerEori);
    statementLines += 2;
    truth.push({
      declarationId: `mrn:${mrn}`,
      mrn,
      itemNumber: 0,
      ruleId: 'C42',
      exposureDutyPence: 0,
      exposureVatPence: 0,
      reclaimDutyPence: duty,
      reclaimVatPence: vat,
      note: `charges for ${mrn}, not among the importer's declarations`,
    });
  }
  return { erpCsv: `${erp.join('\n')}\n`, ddesCsv: `${ddes.join('\n')}\n`, receipts, charges, receiptLines, statementLines, truth };
}

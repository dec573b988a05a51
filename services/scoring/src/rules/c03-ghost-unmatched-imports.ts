import { Severity } from '@customs/contracts';
import { daysBetween } from '@customs/legal-clock';
import { pounds } from './money';
import { type ReconDecl, type ReconHit, type ReconciliationRule, type ReconReceipt, receiptSubject } from './reconciliation-types';

/**
 * Goods are received after clearance: a declaration accepted within this many days of the latest
 * ERP receipt may have its receipt in the next export, so it is not judged yet.
 */
export const RECEIPT_GRACE_DAYS = 14;

/**
 * A receipt's entry may come after it: a simplified-procedure supplementary declaration is lodged
 * up to the fourth working day of the following month. A receipt is judged once the importer's
 * declarations reach this many days past it, which also lets declarations still in flight (on
 * other partitions) arrive before a receipt is called unmatched.
 */
export const DECLARATION_GRACE_DAYS = 35;

export const matchesReceipt = (d: ReconDecl, r: ReconReceipt) => (r.invoiceKey !== '' && d.invoices.includes(r.invoiceKey)) || (r.mrn !== '' && r.mrn === d.mrn);

/** A receipt is an import to reconcile when the ERP records an MRN or a non-GB origin (without either it may be a domestic purchase). */
export const isImportReceipt = (r: ReconReceipt) => r.mrn !== '' || (r.origin !== '' && r.origin !== 'GB');

export const c03GhostUnmatchedImports: ReconciliationRule = {
  meta: {
    id: 'C03',
    version: '1.0.0',
    title: 'Ghost and unmatched imports (declarations vs ERP goods receipts)',
    family: 'data-integrity',
    dataElements: ['DE 2/3 N935 invoice reference', 'MRN', 'DE 4/6 tax lines', 'ERP receipt: supplier, invoice number, MRN, receipt date, origin, line value'],
    legalBasis:
      'The importer is liable for the duty declared in its name and must declare every import (UCC arts. 77, 158); duty paid on goods it never received is repayable once proven (UCC art. 117); DOMAIN.md §3.1 C03',
    severityLogic: 'Ghost declaration: HIGH when ≥ £1,000 is reclaimable, MEDIUM otherwise. Unmatched receipt: HIGH (an import that may be undeclared, of unknown duty)',
    pricing:
      'Ghost declaration (no receipt): reclaim = the duty (A-type tax lines) charged on it, and its import VAT only when the importer is not VAT-registered. Unmatched receipt: unpriced (£0) — the undeclared duty + VAT is the exposure DOMAIN names, but a receipt carries no commodity code, rate or customs value to price it by; its line value and currency are the evidence',
    correctionRoute:
      'Ghost declaration: C285 (basis "Other reason") or dispute with the declarant once the goods are shown not to be the importer’s; unmatched receipt: C2001 voluntary disclosure if the import was not declared',
    businessRule: `Matches the importer’s declarations (N935 invoice references, whole or the number of "number/date", and MRN) with its ERP goods-receipt lines (invoice number, MRN). A declaration in force with invoice references, of an importer the books are for (one with a declaration some receipt matches: a receipt names no importer), accepted between the earliest ERP receipt date and ${RECEIPT_GRACE_DAYS} days before the latest, with no receipt matching, is a ghost import. A receipt line that is an import (non-GB origin or an MRN on the receipt; a line without either may be domestic and is not judged) dated at least ${DECLARATION_GRACE_DAYS} days before the latest declaration’s acceptance date (supplementary declarations come up to the 4th working day of the next month), with no declaration matching, is an unmatched (possibly undeclared) import. A receipt is judged only once every declaration ingestion held when it published the receipts has reached scoring. Each side is judged again when the other side’s data arrives (a match supersedes the finding). Supplier names are not compared (ERP vendor ids and declared seller names differ).`,
    minimumHistory: `ERP receipts covering the declaration's date (≥ ${RECEIPT_GRACE_DAYS} days past it); declarations reaching ${DECLARATION_GRACE_DAYS} days past the receipt's date`,
    confidence: 0.5,
  },
  decide: () => [], // judged on the books' events (reconcile), not on a declaration batch's history groups
  reconcile(input) {
    const out: ReconHit[] = [];
    const { receiptsFrom, receiptsTo, declarationsTo } = input.coverage;
    for (const d of input.declarations) {
      if (d.status === 'invalidated' || d.invoices.length === 0 || !d.date || !receiptsFrom) continue;
      if (d.date < receiptsFrom || daysBetween(d.date, receiptsTo) < RECEIPT_GRACE_DAYS) continue;
      if (input.importersWithBooks && !input.importersWithBooks.includes(d.importer)) continue;
      if (input.candidates.receipts.some((r) => matchesReceipt(d, r))) continue;
      const reclaimVat = d.vatRegistered ? 0 : d.vat;
      out.push({
        ruleId: 'C03',
        subject: d.d,
        digest: `ghost|${d.duty}|${reclaimVat}`,
        target: { d: d.d, v: d.v, mrn: d.mrn, lrn: d.lrn, date: d.date, importer: d.importer, declarant: d.declarant },
        item: 0,
        severity: d.duty + reclaimVat >= 100_000 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
        reclaimDutyPence: d.duty,
        reclaimVatPence: reclaimVat,
        evidence: [
          { field: 'DE 2/3 N935 invoice reference', value: d.invoices.join(', '), note: 'no ERP goods receipt cites this invoice' },
          { field: 'MRN', value: d.mrn || d.lrn, note: `accepted ${d.date}; no ERP goods receipt carries this MRN` },
          { field: 'erp.coverage', value: `${receiptsFrom}..${receiptsTo}`, note: 'dates of the ERP receipts received' },
        ],
        explanation: `${d.mrn || d.lrn} (accepted ${d.date}) cites invoice ${d.invoices[0]} but no ERP goods receipt between ${receiptsFrom} and ${receiptsTo} matches it by invoice or MRN: duty ${pounds(d.duty)}${d.vatRegistered ? '' : ` and import VAT ${pounds(d.vat)}`} may have been paid for goods that are not the importer’s.`,
        remediation: `Check with purchasing whether the goods on invoice ${d.invoices[0]} were received; if they are not the importer’s, ask the declarant why it declared them in the importer’s name and claim ${pounds(d.duty + reclaimVat)} back.`,
      });
    }
    for (const r of input.receipts) {
      if (!input.coverage.declarationsComplete || !isImportReceipt(r) || !r.date || !declarationsTo || daysBetween(r.date, declarationsTo) < DECLARATION_GRACE_DAYS) continue;
      if (input.candidates.declarations.some((d) => d.status !== 'invalidated' && matchesReceipt(d, r))) continue;
      out.push({
        ruleId: 'C03',
        subject: receiptSubject(r.id),
        digest: `unmatched|${r.value}|${r.currency}`,
        target: { d: receiptSubject(r.id), v: 0, mrn: r.mrn, lrn: '', date: r.date, importer: input.soleImporter, declarant: '' },
        item: r.line,
        severity: Severity.SEVERITY_HIGH,
        evidence: [
          { field: 'erp.supplier', value: r.supplier, note: '' },
          { field: 'erp.invoice', value: r.invoice, note: `line ${r.line}; no declaration cites it (N935)` },
          { field: 'erp.line_value', value: `${r.value} ${r.currency}`, note: 'duty and VAT not priced: the receipt carries no commodity code or rate' },
          { field: 'erp.sku', value: r.sku, note: r.description },
          { field: 'erp.origin', value: r.origin || '(not recorded)', note: r.mrn ? `MRN ${r.mrn} on the receipt matches no declaration` : '' },
        ],
        explanation: `ERP goods receipt of ${r.quantity} ${r.unit} ${r.sku} from ${r.supplier} (invoice ${r.invoice}, ${r.value} ${r.currency}, received ${r.date}${r.origin ? `, origin ${r.origin}` : ''}) matches no declaration of the importer by invoice${r.mrn ? ' or MRN' : ''}, although declarations up to ${declarationsTo} are in: possibly an undeclared import. The duty and VAT at stake are unknown (unpriced).`,
        remediation: `Find the customs entry for invoice ${r.invoice} (ask the broker for its MRN); if none was made, make a voluntary disclosure (C2001).`,
        supplier: r.supplier,
        originCountry: r.origin,
      });
    }
    return out;
  },
};

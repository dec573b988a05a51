import { daysBetween } from '@customs/legal-clock';
import { DECLARATION_GRACE_DAYS, isImportReceipt, matchesReceipt } from './c03-ghost-unmatched-imports';
import { DEFERMENT_TOLERANCE_PENCE, UNKNOWN_MRN_GRACE_DAYS } from './c42-deferment-reconciliation';
import { pounds } from './money';
import type { DefermentFact, ReconDecl, ReconReceipt } from './reconciliation-types';

// The books side of reconciliation as an analyst reads it (GET /v1/importers/:id/erp-receipts and
// /deferment-lines): each ERP receipt line's and each deferment statement line's reconciliation
// state, worked out with C03's and C42's own predicates and thresholds, so what the list says and
// what the checks decided cannot drift apart. Pure: the adapter loads the counterparts and the
// active findings and passes the tenant's coverage.

/** How far the other side's data reaches, as reconciliation judges by it. */
export interface BooksCoverage {
  /** Acceptance date of the tenant's latest declaration ('' when none). */
  declarationsTo: string;
  /** Declarations scoring has seen, and how many ingestion held when it published the books (the highest such count). */
  declarationsSeen: number;
  declarationsExpected: number;
}

export type ReceiptState = 'matched' | 'unmatched' | 'not_judged';

export interface ReceiptView {
  state: ReceiptState;
  /** The declarations in force the line matches (by invoice or MRN), with how. */
  matchedDeclarations: { declarationId: string; mrn: string; importerId: string; acceptanceDate: string; by: 'invoice' | 'mrn' }[];
  /** The active C03 finding on the line (an unmatched import), or null. */
  findingId: string | null;
  /** Why, in words: what matched, why it is unmatched, or why it is not judged (yet). */
  reason: string;
}

/** A receipt line's reconciliation state. `finding`: the active C03 finding on its pseudo-declaration, if any. */
export function receiptView(r: ReconReceipt, candidates: readonly ReconDecl[], finding: string | null, cov: BooksCoverage): ReceiptView {
  const matched = candidates
    .filter((d) => d.status !== 'invalidated' && matchesReceipt(d, r))
    .sort((a, b) => a.d.localeCompare(b.d))
    .map((d) => ({
      declarationId: d.d,
      mrn: d.mrn,
      importerId: d.importer,
      acceptanceDate: d.date,
      by: (r.invoiceKey !== '' && d.invoices.includes(r.invoiceKey) ? 'invoice' : 'mrn') as 'invoice' | 'mrn',
    }));
  if (matched.length > 0) {
    const m = matched[0]!;
    return {
      state: 'matched',
      matchedDeclarations: matched,
      findingId: null,
      reason: `matched by ${m.by === 'invoice' ? `invoice ${r.invoice}` : `MRN ${r.mrn}`} to ${m.mrn || m.declarationId} (accepted ${m.acceptanceDate})${matched.length > 1 ? ` and ${matched.length - 1} more declaration(s)` : ''}`,
    };
  }
  if (finding) {
    return {
      state: 'unmatched',
      matchedDeclarations: [],
      findingId: finding,
      reason: `no declaration cites invoice ${r.invoice}${r.mrn ? ` or carries MRN ${r.mrn}` : ''} although declarations up to ${cov.declarationsTo} are in: C03 unmatched (possibly undeclared) import`,
    };
  }
  return { state: 'not_judged', matchedDeclarations: [], findingId: null, reason: pendingReason(r, cov) };
}

function pendingReason(r: ReconReceipt, cov: BooksCoverage): string {
  if (!isImportReceipt(r)) return 'not an import to reconcile: no MRN on the receipt and a GB or unrecorded origin (may be a domestic purchase)';
  if (!r.date) return 'no receipt or invoice date: the line cannot be placed against the declarations’ dates';
  if (cov.declarationsSeen < cov.declarationsExpected)
    return `waiting for declarations still in flight: scoring has seen ${cov.declarationsSeen} of the ${cov.declarationsExpected} declarations ingestion held when it published the receipts`;
  if (!cov.declarationsTo) return 'no declarations received yet';
  const reach = daysBetween(r.date, cov.declarationsTo);
  if (reach < DECLARATION_GRACE_DAYS)
    return `declarations reach ${cov.declarationsTo}, ${reach} day(s) past the receipt (${r.date}); judged once they reach ${DECLARATION_GRACE_DAYS} days past it (a supplementary declaration may still come)`;
  return 'no declaration matches and the line is due to be judged: the next receipts or declarations reconciliation consumes will judge it';
}

export type StatementLineState = 'matched' | 'differs' | 'declaration_missing' | 'not_compared';

export interface StatementLineView {
  state: StatementLineState;
  /** The declaration in force of the line's MRN, or null. */
  declarationId: string | null;
  /** Per MRN, every statement line received: charged (A-type duty, B00 VAT) vs declared on deferred tax lines; differences charged − declared. */
  mrnTotals: {
    chargedDutyPence: number;
    chargedVatPence: number;
    declaredDutyPence: number | null;
    declaredVatPence: number | null;
    dutyDifferencePence: number | null;
    vatDifferencePence: number | null;
  };
  /** The active C42 finding on the MRN (a difference, or charges for an MRN the importer does not hold), or null. */
  findingId: string | null;
  reason: string;
}

const isDuty = (t: string) => t.startsWith('A');
const isVat = (t: string) => t === 'B00';

/**
 * A statement line's state. C42 compares per MRN (all the MRN's lines on every statement against
 * the declaration's deferred tax lines), so the line shows its MRN's totals; an excise or other
 * tax-type line is not compared. `sameMrn`: every stored line of the MRN; `decl`: its declaration
 * in force; `finding`: the active C42 finding on the declaration or on the MRN's pseudo-id.
 */
export function statementLineView(l: DefermentFact, sameMrn: readonly DefermentFact[], decl: ReconDecl | undefined, finding: string | null, cov: BooksCoverage): StatementLineView {
  const charged = { duty: 0, vat: 0 };
  for (const x of sameMrn) {
    if (isDuty(x.taxType)) charged.duty += x.pence;
    if (isVat(x.taxType)) charged.vat += x.pence;
  }
  if (!decl) {
    const totals = { chargedDutyPence: charged.duty, chargedVatPence: charged.vat, declaredDutyPence: null, declaredVatPence: null, dutyDifferencePence: null, vatDifferencePence: null };
    if (finding)
      return {
        state: 'declaration_missing',
        declarationId: null,
        mrnTotals: totals,
        findingId: finding,
        reason: `${l.mrn} is not among the importer’s declarations: C42 charges on an unknown MRN (${pounds(charged.duty + charged.vat)})`,
      };
    const latest =
      sameMrn
        .map((x) => x.date || x.periodTo)
        .sort()
        .at(-1) ?? '';
    let why: string;
    if (cov.declarationsSeen < cov.declarationsExpected) why = `waiting for declarations still in flight (${cov.declarationsSeen} of ${cov.declarationsExpected} seen)`;
    else if (!cov.declarationsTo || !latest || daysBetween(latest, cov.declarationsTo) < UNKNOWN_MRN_GRACE_DAYS)
      why = `declarations reach ${cov.declarationsTo || '(none yet)'}; an unknown MRN is judged once they reach ${UNKNOWN_MRN_GRACE_DAYS} days past the charge (${latest || 'undated'})`;
    else if (charged.duty + charged.vat <= 0) why = 'nothing charged net on the MRN';
    else why = 'due to be judged with the next declarations or statement reconciliation consumes';
    return { state: 'declaration_missing', declarationId: null, mrnTotals: totals, findingId: null, reason: `no declaration of ${l.mrn} held, not judged yet: ${why}` };
  }
  const declared = { duty: 0, vat: 0 };
  for (const [t, p] of Object.entries(decl.deferred)) {
    if (isDuty(t)) declared.duty += p;
    if (isVat(t)) declared.vat += p;
  }
  const diff = { duty: charged.duty - declared.duty, vat: charged.vat - declared.vat };
  const totals = {
    chargedDutyPence: charged.duty,
    chargedVatPence: charged.vat,
    declaredDutyPence: declared.duty,
    declaredVatPence: declared.vat,
    dutyDifferencePence: diff.duty,
    vatDifferencePence: diff.vat,
  };
  if (!isDuty(l.taxType) && !isVat(l.taxType))
    return { state: 'not_compared', declarationId: decl.d, mrnTotals: totals, findingId: finding, reason: `tax type ${l.taxType} is not compared (C42 reconciles A-type duty and B00 VAT)` };
  const material = (x: number) => Math.abs(x) >= DEFERMENT_TOLERANCE_PENCE;
  if (!material(diff.duty) && !material(diff.vat))
    return {
      state: 'matched',
      declarationId: decl.d,
      mrnTotals: totals,
      findingId: null,
      reason: `agrees with ${decl.mrn} within ${pounds(DEFERMENT_TOLERANCE_PENCE)} (charged ${pounds(charged.duty)} duty / ${pounds(charged.vat)} VAT; declared ${pounds(declared.duty)} / ${pounds(declared.vat)})`,
    };
  const side = (name: string, x: number) => (material(x) ? `${name} charged ${pounds(Math.abs(x))} ${x > 0 ? 'more' : 'less'} than declared` : `${name} agrees`);
  return { state: 'differs', declarationId: decl.d, mrnTotals: totals, findingId: finding, reason: `${decl.mrn}: ${side('duty', diff.duty)}, ${side('VAT', diff.vat)}` };
}

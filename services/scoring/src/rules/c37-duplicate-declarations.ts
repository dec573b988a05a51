import { Severity } from '@customs/contracts';
import { pounds } from './money';
import type { HistoryHit, HistoryRule, InvoiceGroup } from './types';

/** The declarations of an invoice group in acceptance order (then MRN): the first is the original. */
export function inAcceptanceOrder(g: InvoiceGroup): InvoiceGroup['decls'] {
  return [...g.decls].sort((a, b) => a.date.localeCompare(b.date) || (a.mrn || a.lrn).localeCompare(b.mrn || b.lrn) || a.d.localeCompare(b.d));
}

export const c37DuplicateDeclarations: HistoryRule = {
  meta: {
    id: 'C37',
    version: '1.0.0',
    title: 'Duplicate declaration (same supplier invoice declared twice)',
    family: 'duplicates-vat',
    dataElements: ['DE 2/3 N935 invoice reference', 'DE 3/24 seller / DE 3/1 exporter', 'DE 2/5 LRN', 'MRN', 'DE 4/6 tax lines'],
    legalBasis: 'Duty paid twice on the same goods is repayable (UCC art. 117, C285 basis "Duplicate Movement Reference Number (MRN)"); DOMAIN.md §3.6 C37',
    severityLogic: 'HIGH when ≥ £1,000 is reclaimable; MEDIUM otherwise (money the importer has lost until claimed)',
    pricing:
      'reclaim = all duty (A-type tax lines) charged on the later declaration; its import VAT too only when the importer is not VAT-registered (a registered importer recovers it as input tax, not by C285)',
    correctionRoute: 'C285:Duplicate MRN',
    businessRule:
      'Two or more declarations in force (not invalidated, different declaration ids) of one importer citing the same N935 invoice reference from the same supplier: every one but the first accepted (acceptance date, then MRN) is a duplicate of the first. Amendments of one declaration are versions, never duplicates. The second DOMAIN criterion (same consignor, DUCR, value ±0.5 % and mass ±1 % within 30 days, no invoice reference) is not checked yet.',
    minimumHistory: 'the earlier declaration citing the invoice',
    confidence: 0.9,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.invoices) {
      const g = input.state.invoices.get(key);
      if (!g || g.decls.length < 2) continue;
      // importer|supplier|invoice, where a supplier without an id is itself "NAME|CC" (the invoice, normalised, holds no '|').
      const importer = key.slice(0, key.indexOf('|'));
      const supplier = key.slice(key.indexOf('|') + 1, key.lastIndexOf('|'));
      const invoice = key.slice(key.lastIndexOf('|') + 1);
      const [original, ...duplicates] = inAcceptanceOrder(g);
      for (const dup of duplicates) {
        const reclaimVat = dup.vatRegistered ? 0 : dup.vat;
        out.push({
          ruleId: 'C37',
          target: { d: dup.d, v: dup.v, mrn: dup.mrn, lrn: dup.lrn, date: dup.date, importer, declarant: dup.declarant },
          item: 0,
          severity: dup.duty + reclaimVat >= 100_000 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
          reclaimDutyPence: dup.duty,
          reclaimVatPence: reclaimVat,
          evidence: [
            { field: 'DE 2/3 N935 invoice reference', value: invoice, note: `also cited by ${original!.mrn || original!.lrn}` },
            { field: 'history.original_mrn', value: original!.mrn || original!.lrn, note: `accepted ${original!.date}` },
            { field: 'MRN', value: dup.mrn || dup.lrn, note: `accepted ${dup.date}; ${dup.items} item(s)` },
            { field: 'supplier', value: supplier, note: '' },
          ],
          explanation: `The supplier invoice ${invoice} was declared on ${original!.mrn || original!.lrn} (${original!.date}) and again on ${dup.mrn || dup.lrn} (${dup.date}): duty ${pounds(dup.duty)} charged twice${dup.vatRegistered ? `; import VAT ${pounds(dup.vat)} is recoverable on the VAT return, not by C285` : `, and import VAT ${pounds(dup.vat)}`}.`,
          remediation: `Confirm the goods were imported once; claim ${pounds(dup.duty + reclaimVat)} by C285 with basis "Duplicate MRN", citing ${original!.mrn || original!.lrn}, and ask the broker to invalidate the duplicate if still possible.`,
        });
      }
    }
    return out;
  },
};

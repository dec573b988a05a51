import { Severity } from '@customs/contracts';
import { daysBetween } from '@customs/legal-clock';
import { pounds } from './money';
import { type DefermentFact, type ReconDecl, type ReconHit, type ReconciliationRule, mrnSubject } from './reconciliation-types';

/** A difference below this per MRN and side (duty, VAT) is rounding between item and statement totals, not an error. */
export const DEFERMENT_TOLERANCE_PENCE = 100;

/** A charge is posted at acceptance: an MRN is called unknown once the importer's declarations reach this many days past the charge (declarations still in flight arrive first). */
export const UNKNOWN_MRN_GRACE_DAYS = 14;

const isDuty = (taxType: string) => taxType.startsWith('A');
const isVat = (taxType: string) => taxType === 'B00';

export const c42DefermentReconciliation: ReconciliationRule = {
  meta: {
    id: 'C42',
    version: '1.0.0',
    title: 'Duty deferment statement does not reconcile with the declarations',
    family: 'duplicates-vat',
    dataElements: ['HMRC duty deferment statement: DAN, MRN, tax type, amount', 'DE 2/6 deferment account', 'DE 4/3 tax type', 'DE 4/6 payable tax amount', 'DE 4/8 method of payment'],
    legalBasis:
      'Duty and VAT deferred are collected by direct debit of the statement total (Customs and Excise Duties (Deferred Payment) Regulations 1976; Notice 101); an amount charged that the declarations do not bear out is to be disputed with HMRC, or repaid by C285 / current month adjustment; DOMAIN.md §3.6 C42',
    severityLogic: 'HIGH for charges on an MRN the importer’s data does not hold (another party may be using the DAN) or a difference ≥ £1,000; MEDIUM otherwise',
    pricing:
      'Per MRN: statement Σ A-type charges − declared Σ A-type tax lines paid by deferment (method E/F/R, or not given) is duty; the same for B00 is VAT. Charged more = reclaim (dispute), charged less = exposure (HMRC may still collect it). Charges on an MRN not in the importer’s data: the whole amount charged, as reclaim. Other tax types (excise) are not compared',
    correctionRoute: 'Dispute the charge with HMRC’s deferment team (or a current month adjustment); C285 for duty overcharged on a declaration; report unauthorised use of the DAN',
    businessRule: `Sums the statement’s charges per MRN (all statements received, a re-sent statement replacing its own lines) and compares them, for duty (A-types) and VAT (B00) separately, with the declaration of that MRN in force: a difference of ≥ £${DEFERMENT_TOLERANCE_PENCE / 100} either way is flagged on the declaration. Charges for an MRN the importer’s declarations do not hold are flagged once declarations reaching ${UNKNOWN_MRN_GRACE_DAYS} days past the charge’s date (or the statement’s period end) and every declaration ingestion held when it published the statement have arrived. Judged again whenever the MRN’s declaration or statement lines change.`,
    minimumHistory: `the statement line and, for an unknown MRN, declarations reaching ${UNKNOWN_MRN_GRACE_DAYS} days past its date`,
    confidence: 0.8,
  },
  decide: () => [], // judged on the statement's and declarations' events (reconcile), not on a declaration batch's history groups
  reconcile(input) {
    const out: ReconHit[] = [];
    const byMrn = new Map<string, DefermentFact[]>();
    for (const l of input.candidates.deferment) byMrn.set(l.mrn, [...(byMrn.get(l.mrn) ?? []), l]);
    const declByMrn = new Map<string, ReconDecl>();
    for (const d of input.candidates.declarations) if (d.mrn && d.status !== 'invalidated' && (declByMrn.get(d.mrn)?.v ?? 0) < d.v) declByMrn.set(d.mrn, d);
    for (const mrn of [...new Set(input.mrns)].sort()) {
      const lines = (byMrn.get(mrn) ?? []).sort((a, b) => a.statementId.localeCompare(b.statementId) || a.index - b.index);
      if (lines.length === 0) continue;
      const charged = { duty: 0, vat: 0 };
      for (const l of lines) {
        if (isDuty(l.taxType)) charged.duty += l.pence;
        if (isVat(l.taxType)) charged.vat += l.pence;
      }
      const dans = [...new Set(lines.map((l) => l.dan))].sort();
      const date = lines.map((l) => l.date || l.periodTo).sort()[0] ?? '';
      const rows = lines.map((l) => `${l.sourceName} row ${l.row}: ${l.taxType} ${pounds(l.pence)}`).slice(0, 10);
      const d = declByMrn.get(mrn);
      if (!d) {
        const declarationsTo = input.coverage.declarationsTo;
        const latest =
          lines
            .map((l) => l.date || l.periodTo)
            .sort()
            .at(-1) ?? '';
        if (!input.coverage.declarationsComplete || !declarationsTo || !latest || daysBetween(latest, declarationsTo) < UNKNOWN_MRN_GRACE_DAYS) continue;
        if (charged.duty + charged.vat <= 0) continue;
        const importer = lines.find((l) => l.importer)?.importer ?? input.soleImporter;
        out.push({
          ruleId: 'C42',
          subject: mrnSubject(mrn),
          digest: `unknown|${charged.duty}|${charged.vat}`,
          target: { d: mrnSubject(mrn), v: 0, mrn, lrn: '', date, importer, declarant: lines.find((l) => l.declarant)?.declarant ?? '' },
          item: 0,
          severity: Severity.SEVERITY_HIGH,
          reclaimDutyPence: Math.max(0, charged.duty),
          reclaimVatPence: Math.max(0, charged.vat),
          evidence: [
            { field: 'ddes.mrn', value: mrn, note: 'no declaration of the importer has this MRN' },
            { field: 'ddes.dan', value: dans.join(', '), note: '' },
            { field: 'ddes.lines', value: rows.join('; '), note: `${lines.length} line(s)` },
            { field: 'declarations.coverage', value: `up to ${declarationsTo}`, note: 'acceptance date of the latest declaration received' },
          ],
          explanation: `The duty deferment statement charges ${pounds(charged.duty)} duty and ${pounds(charged.vat)} import VAT to DAN ${dans.join(', ')} for ${mrn}, which is not among the importer’s declarations (received up to ${declarationsTo}): another party may be using the deferment account without authority.`,
          remediation: `Ask the brokers authorised on DAN ${dans.join(', ')} whether ${mrn} is theirs; if nobody acting for the importer made it, dispute the ${pounds(charged.duty + charged.vat)} with HMRC and withdraw the DAN authority that was misused.`,
        });
        continue;
      }
      const declared = { duty: 0, vat: 0 };
      for (const [t, p] of Object.entries(d.deferred)) {
        if (isDuty(t)) declared.duty += p;
        if (isVat(t)) declared.vat += p;
      }
      const diff = { duty: charged.duty - declared.duty, vat: charged.vat - declared.vat };
      const material = (x: number) => Math.abs(x) >= DEFERMENT_TOLERANCE_PENCE;
      if (!material(diff.duty) && !material(diff.vat)) continue;
      const dutyAt = material(diff.duty) ? diff.duty : 0;
      const vatAt = material(diff.vat) ? diff.vat : 0;
      const total = Math.abs(dutyAt) + Math.abs(vatAt);
      const side = (x: number) => (x > 0 ? `charged ${pounds(x)} more than declared` : `charged ${pounds(-x)} less than declared`);
      out.push({
        ruleId: 'C42',
        subject: d.d,
        digest: `diff|${dutyAt}|${vatAt}`,
        target: { d: d.d, v: d.v, mrn: d.mrn, lrn: d.lrn, date: d.date, importer: d.importer, declarant: d.declarant },
        item: 0,
        severity: total >= 100_000 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
        reclaimDutyPence: Math.max(0, dutyAt),
        reclaimVatPence: Math.max(0, vatAt),
        exposureDutyPence: Math.max(0, -dutyAt),
        exposureVatPence: Math.max(0, -vatAt),
        evidence: [
          { field: 'ddes.charged', value: `duty ${pounds(charged.duty)}, VAT ${pounds(charged.vat)}`, note: `DAN ${dans.join(', ')}` },
          { field: 'DE 4/6 deferred tax lines', value: `duty ${pounds(declared.duty)}, VAT ${pounds(declared.vat)}`, note: 'method of payment E/F/R or not given' },
          { field: 'ddes.lines', value: rows.join('; '), note: `${lines.length} line(s)` },
          { field: 'DE 2/6 deferment account', value: d.dans.join(', ') || '(none declared)', note: '' },
        ],
        explanation: `For ${d.mrn} the deferment statement and the declaration differ: duty ${dutyAt ? side(dutyAt) : 'agrees'}, VAT ${vatAt ? side(vatAt) : 'agrees'} (statement ${pounds(charged.duty)} / ${pounds(charged.vat)}, declared ${pounds(declared.duty)} / ${pounds(declared.vat)}).`,
        remediation:
          dutyAt > 0 || vatAt > 0
            ? `Dispute the overcharge with HMRC (or claim it by current month adjustment / C285), citing ${d.mrn} and the statement lines.`
            : `Expect HMRC to collect the difference; check the declaration's tax lines and, if they are understated, make a voluntary disclosure (C2001).`,
      });
    }
    return out;
  },
};

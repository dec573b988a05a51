import { Severity } from '@customs/contracts';
import { pounds } from './money';
import { priceRateDifference } from './pricing';
import type { HistoryHit, HistoryRule, PricedRef } from './types';

/** Re-imports of one export in acceptance order (then MRN, declaration): the first is discharged against it. */
export function inReturnOrder(refs: readonly PricedRef[]): PricedRef[] {
  return [...refs].sort((a, b) => a.date.localeCompare(b.date) || (a.mrn || a.lrn).localeCompare(b.mrn || b.lrn) || a.d.localeCompare(b.d) || a.i - b.i);
}

export const c34ReliefVolumeAnomalies: HistoryRule = {
  meta: {
    id: 'C34',
    version: '1.0.0',
    title: 'Relief volume anomaly: returned goods re-imported against an export already discharged',
    family: 'procedures-reliefs',
    dataElements: [
      'DE 1/10 procedure code (61xx)',
      'DE 1/11 additional procedure code (F01…)',
      'DE 2/1 previous document (export MRN and item)',
      'DE 6/8 description',
      'DE 6/14 commodity code',
      'DE 4/5 A00 and B00 rates',
      'DE 8/6 customs value',
    ],
    legalBasis:
      'Returned goods relief exempts goods re-imported unaltered within 3 years of their export (UCC art. 203; Notice 236): the relieved volume is bounded by what that export took out, so a second re-import against the same export line is relief beyond its discharge (DOMAIN.md §3.5 C34)',
    severityLogic: 'HIGH when relieved duty is priced above £0 (underpayment if the relief falls); MEDIUM when unpriced',
    pricing:
      'the duty relieved on each later re-import line: CV × (third-country A00 rate the importer declared on its ordinary lines (CPC 40/42, DE 4/17 100) of the same description and CN8 − the rate charged), rounded down, with the VAT effect on (CV + duty) at the line’s B00 rate, as exposure; unpriced (£0, said so) when the importer never declared those goods at the third-country rate. DOMAIN prices the undischarged quantity; without the export’s quantity (not in the import declaration) the whole later line is what the relief covers',
    correctionRoute:
      'if the goods were exported once, correct the later entry to CPC 40xx and disclose the duty by C2001; if the export came back in parts, keep the export declaration’s quantities on file',
    businessRule:
      'Returned goods relief (CPC 61xx) lines of declarations in force of one importer citing the same export (DE 2/1 previous document MRN and item line): the lines of the first declaration accepted (acceptance date, then MRN) are discharged against the export; every line of a later declaration citing it is flagged (an export is returned once, unless it came back in parts — hence confidence 0.6). Inward processing, end-use and warehousing volumes against authorisation limits and bills of discharge (BOD3/BOD4) are not checked: no feed delivers the limits or the discharges.',
    minimumHistory: 'the earlier re-import citing the export',
    confidence: 0.6,
  },
  decide(input) {
    const out: HistoryHit[] = [];
    for (const key of input.touched.returns) {
      const g = input.state.returns.get(key);
      if (!g || new Set(g.refs.map((r) => r.d)).size < 2) continue;
      const [importer, exportRef] = key.split('|') as [string, string];
      const ordered = inReturnOrder(g.refs);
      const first = ordered[0]!;
      const [exportMrn, exportLine] = exportRef.split('#') as [string, string];
      for (const r of ordered.filter((x) => x.d !== first.d)) {
        // A relieved line charges 0 % or no A00 at all; either way the charged rate is what it paid.
        const charged = r.a00Rate || (r.duty === 0 ? '0' : '');
        const p = priceRateDifference(
          { cv: r.cv, a00Rate: charged, vatRate: r.vatRate, preference: '' },
          r.tcRate,
          'the third-country rate declared on the importer’s ordinary lines of the goods',
          true,
        );
        const exposure = p.known ? p.exposureDutyPence : 0;
        out.push({
          ruleId: 'C34',
          target: { d: r.d, v: r.v, mrn: r.mrn, lrn: r.lrn, date: r.date, importer, declarant: r.declarant },
          item: r.i,
          severity: exposure > 0 ? Severity.SEVERITY_HIGH : Severity.SEVERITY_MEDIUM,
          exposureDutyPence: exposure,
          exposureVatPence: exposure > 0 ? p.exposureVatPence : 0,
          evidence: [
            { field: 'DE 2/1 previous document (export MRN)', value: exportMrn, note: `item ${exportLine}` },
            { field: 'history.first_reimport', value: first.mrn || first.lrn, note: `accepted ${first.date}, item ${first.i}` },
            { field: 'DE 1/10 procedure', value: r.cpc, note: `accepted ${r.date}` },
            { field: 'history.third_country_rate', value: r.tcRate || 'unknown', note: 'A00 rate declared on the importer’s ordinary lines of the same goods and CN8' },
          ],
          explanation: `Export ${exportMrn} item ${exportLine} was already re-imported under returned goods relief on ${first.mrn || first.lrn} (${first.date}); this line re-imports against it again. ${p.known ? `Relieved duty at stake: ${p.text}` : `Relieved duty not priced: ${p.text.replace(/^not priced: /, '')}`}${exposure > 0 ? ` (${pounds(exposure)} duty)` : ''}.`,
          remediation: 'Check the export declaration’s quantity against both re-imports; if the goods left once, correct this entry to free circulation (CPC 40xx) and disclose the duty by C2001.',
          commodityCode: r.code,
          originCountry: r.origin,
          cpc: r.cpc,
          supplier: r.supplier,
        });
      }
    }
    return out;
  },
};

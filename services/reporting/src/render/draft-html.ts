// Draft documents as HTML: what a user reviews before filing a C285 or a C2001 with HMRC.
import type { C2001Draft, C285Draft } from '../policies/drafts';
import type { DraftRecord } from '../app/ports';
import { esc, gbp, or, page } from './html';

const METHOD: Record<string, string> = { bank_transfer: 'Bank transfer', current_month_adjustment: 'Current Month Adjustment (deferment)' };

function header(d: DraftRecord, title: string): string {
  return `<h1>${esc(title)}</h1>
<p class="muted">Draft ${esc(d.draftId)} · state <b>${esc(d.state)}</b>${d.hmrcReference ? ` · HMRC reference ${esc(d.hmrcReference)}` : ''} · computed ${esc(d.source.computedAt)} by ${esc(d.createdBy)} from findings-feed cursor ${esc(d.source.findingsFeedCursor)} (${esc(d.source.findingsConsidered)} findings in scope)${d.scope.importer ? ` · importer ${esc(d.scope.importer)}` : ''}${d.scope.acceptedFrom || d.scope.acceptedTo ? ` · accepted ${esc(d.scope.acceptedFrom ?? '…')} to ${esc(d.scope.acceptedTo ?? '…')}` : ''}</p>
<p class="note">A draft for review: check every line against the declaration and the evidence before filing. Nothing here has been sent to HMRC.</p>`;
}

export function c285Html(d: DraftRecord, c: C285Draft): string {
  const claims = c.claims
    .map(
      (cl, i) => `<h2>Claim ${i + 1}: ${esc(cl.basisOfClaim)} — ${esc(cl.importerEori)}</h2>
<p>${cl.claimType === 'scheduled' ? `<b>Scheduled claim</b> (${cl.mrns.length} MRNs, more than 20): upload the scheduled-claim file (GET …/documents/scheduled-claim-${i + 1}.csv)` : cl.claimType === 'multiple' ? `Multiple MRNs (${cl.mrns.length}; same importer, basis and repayment method)` : 'Single MRN'} · repayment: ${esc(METHOD[cl.repaymentMethod] ?? cl.repaymentMethod)} · claim: duty <b>${gbp(cl.totalDutyPence)}</b>, VAT <b>${gbp(cl.totalVatPence)}</b>${cl.vatOnVatReturnPence ? ` · VAT on the VAT return ${gbp(cl.vatOnVatReturnPence)}` : ''} · file by <b>${esc(cl.earliestDeadline)}</b></p>
<table><thead><tr><th>MRN</th><th>accepted</th><th>deadline</th><th class="n">days left</th><th class="n">duty</th><th class="n">VAT (B00)</th><th class="n">VAT on VAT return</th><th>findings</th></tr></thead><tbody>
${cl.mrns.map((m) => `<tr><td>${esc(m.mrn)}</td><td>${esc(m.acceptanceDate)}</td><td>${esc(m.deadline)}</td><td class="n">${m.daysLeft}</td><td class="n">${gbp(m.dutyPence)}</td><td class="n">${gbp(m.vatPence)}</td><td class="n">${gbp(m.vatOnVatReturnPence)}</td><td>${m.findingIds.map(esc).join(', ')}</td></tr>`).join('\n')}
</tbody></table>
<h3>Evidence checklist</h3><ul>${cl.evidenceChecklist.map((e) => `<li>☐ ${esc(e)}</li>`).join('')}</ul>
<h3>Calculation worksheet</h3>
<table><thead><tr><th>MRN</th><th>item</th><th>rule</th><th>code declared</th><th>code correct</th><th>customs value</th><th>rate declared</th><th>rate correct</th><th class="n">duty Δ</th><th class="n">VAT Δ</th><th>finding</th></tr></thead><tbody>
${cl.worksheet.map((r) => `<tr><td>${esc(r.mrn)}</td><td>${r.itemNumber}</td><td>${esc(r.ruleId)}</td><td>${or(r.codeDeclared)}</td><td>${or(r.codeCorrect)}</td><td>${or(r.customsValue)}</td><td>${or(r.rateDeclared)}</td><td>${or(r.rateCorrect)}</td><td class="n">${gbp(r.dutyDifferencePence)}</td><td class="n">${gbp(r.vatDifferencePence)}</td><td>${esc(r.findingId)}</td></tr>`).join('\n')}
</tbody></table>`,
    )
    .join('\n');
  const barred = c.timeBarred.length
    ? `<h2>Excluded: time-barred or undatable (${c.timeBarred.length})</h2><table><thead><tr><th>MRN</th><th>item</th><th>rule</th><th>accepted</th><th class="n">duty</th><th class="n">VAT</th><th>reason</th><th>finding</th></tr></thead><tbody>${c.timeBarred.map((l) => `<tr><td>${esc(l.mrn)}</td><td>${l.itemNumber}</td><td>${esc(l.ruleId)}</td><td>${esc(l.acceptanceDate)}</td><td class="n">${gbp(l.dutyPence)}</td><td class="n">${gbp(l.vatPence)}</td><td>${esc(l.reason)}</td><td>${esc(l.findingId)}</td></tr>`).join('')}</tbody></table>`
    : '<h2>Excluded: time-barred</h2><p>None.</p>';
  return page(
    `C285 draft ${d.draftId}`,
    `${header(d, 'C285 repayment claims (draft)')}
<div class="kpis"><div class="kpi">Duty to claim<b>${gbp(c.totals.dutyPence)}</b></div><div class="kpi">VAT to claim<b>${gbp(c.totals.vatPence)}</b></div><div class="kpi">VAT on the VAT return<b>${gbp(c.totals.vatOnVatReturnPence)}</b></div><div class="kpi">Claims / MRNs<b>${c.totals.claimCount} / ${c.totals.mrnCount}</b></div><div class="kpi">Time-barred (excluded)<b>${gbp(c.totals.timeBarredDutyPence + c.totals.timeBarredVatPence)}</b></div></div>
<p>VAT-registered: <b>${c.vatRegistered === null ? '<span class="unknown">not set</span>' : c.vatRegistered ? 'yes' : 'no'}</b> · as of ${esc(c.asOf)}</p>
${c.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
${claims || '<p>No claimable reclaim findings in scope.</p>'}
${barred}`,
  );
}

export function c2001Html(d: DraftRecord, c: C2001Draft): string {
  const ds = c.disclosures
    .map(
      (
        x,
        i,
      ) => `<h2>Disclosure ${i + 1}: ${x.kind === 'systemic' ? `systemic error ${esc(x.ruleId)} on ${x.mrns.length} MRNs (one letter to the National Clearance Hub)` : `MRN ${esc(x.mrns[0])}`} — ${esc(x.importerEori)}</h2>
<p>Owed: duty <b>${gbp(x.dutyOwedPence)}</b>, import VAT <b>${gbp(x.vatOwedPence)}</b>${x.postponedVatPence ? ` · postponed VAT to correct on the VAT return ${gbp(x.postponedVatPence)}` : ''}</p>
<table><thead><tr><th>MRN</th><th>item</th><th>rule</th><th>data element</th><th>original value</th><th>corrected value</th><th>procedure</th><th class="n">duty paid</th><th class="n">duty owed</th><th class="n">VAT paid</th><th class="n">VAT owed</th><th class="n">PVA (VAT return)</th><th>finding</th></tr></thead><tbody>
${x.lines.map((l) => `<tr><td>${esc(l.mrn)}</td><td>${l.itemNumber}</td><td>${esc(l.ruleId)} ${esc(l.title)}</td><td>${or(l.dataElement)}</td><td>${or(l.originalValue)}</td><td>${or(l.correctedValue)}</td><td>${or(l.procedureCode)}</td><td class="n">${l.dutyPaidPence === null ? or(null, 'from the declaration') : gbp(l.dutyPaidPence)}</td><td class="n">${gbp(l.dutyOwedPence)}</td><td class="n">${l.vatPaidPence === null ? or(null, 'from the declaration') : gbp(l.vatPaidPence)}</td><td class="n">${gbp(l.vatOwedPence)}</td><td class="n">${gbp(l.postponedVatPence)}</td><td>${esc(l.findingId)}</td></tr>`).join('\n')}
</tbody></table>`,
    )
    .join('\n');
  const outside = c.outsideNormalLimit.length
    ? `<h2>Past HMRC's normal 3-year limit (${c.outsideNormalLimit.length}, not in the totals)</h2><table><thead><tr><th>MRN</th><th>item</th><th>rule</th><th>accepted</th><th class="n">duty</th><th class="n">VAT</th><th>reason</th></tr></thead><tbody>${c.outsideNormalLimit.map((l) => `<tr><td>${esc(l.mrn)}</td><td>${l.itemNumber}</td><td>${esc(l.ruleId)}</td><td>${esc(l.acceptanceDate)}</td><td class="n">${gbp(l.dutyPence)}</td><td class="n">${gbp(l.vatPence)}</td><td>${esc(l.reason)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return page(
    `C2001 draft ${d.draftId}`,
    `${header(d, 'C2001 voluntary disclosure of underpayments (draft)')}
<div class="kpis"><div class="kpi">Duty owed<b>${gbp(c.totals.dutyOwedPence)}</b></div><div class="kpi">Import VAT owed<b>${gbp(c.totals.vatOwedPence)}</b></div><div class="kpi">Postponed VAT (VAT return)<b>${gbp(c.totals.postponedVatPence)}</b></div><div class="kpi">MRNs / lines<b>${c.totals.mrnCount} / ${c.totals.lineCount}</b></div></div>
<p class="note">Also needed on the C2001: name, address, telephone and EORI of the importer and of the representative; original and revised procedure codes/APCs; details of the amendment.</p>
${c.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
${ds || '<p>No underpayment findings in scope.</p>'}
${outside}`,
  );
}

// The board report as HTML: page 1 is the two-minute read, then the detail.
import type { BoardReport } from '../policies/board';
import { moneyBarsSvg, readinessTrendSvg } from './charts';
import { esc, gbp, page } from './html';

const NA = (reason: string) => `<span class="unknown">not available: ${esc(reason)}</span>`;

function delta(before: number | null, after: number | null, unit: string): string {
  const f = (v: number | null) => (v === null ? '<span class="unknown">unknown</span>' : unit === 'pence' ? gbp(v) : String(v));
  if (before === null || after === null) return `${f(before)} → ${f(after)}`;
  const d = after - before;
  return `${f(before)} → ${f(after)} (${d === 0 ? 'no change' : `${d > 0 ? '+' : '−'}${unit === 'pence' ? gbp(Math.abs(d)).replace('−', '') : Math.abs(d)}`})`;
}

export function boardHtml(meta: { reportId: string; version: number; createdAt: string; createdBy: string; dataVersions: Record<string, unknown> }, r: BoardReport): string {
  const h = r.headline;
  const readiness = r.readiness.available ? `<b>${r.readiness.score}</b>/100` : NA(r.readiness.reason);
  const trend = r.trend.available && r.trend.points.length ? readinessTrendSvg(r.trend.points) : `<p>Readiness trend: ${r.trend.available ? NA('no monthly points yet') : NA(r.trend.reason)}</p>`;
  const dumMetric = (name: string) => (r.dum.available ? r.dum.metrics.find((m) => m.name === name) : undefined);
  const dumCell = (name: string, label: string) => {
    const m = dumMetric(name);
    if (!r.dum.available) return `<div class="kpi">${esc(label)}<b>${NA(r.dum.reason)}</b></div>`;
    if (!m || !m.known) return `<div class="kpi">${esc(label)}<b><span class="unknown">unknown</span></b></div>`;
    return `<div class="kpi">${esc(label)}<b>${m.unit === 'pence' ? gbp(Number(m.value)) : esc(m.value)}</b></div>`;
  };
  const actions =
    'available' in r.actions
      ? `<p>${NA(r.actions.reason)}</p>`
      : `<table><thead><tr><th>owner</th><th class="n">open alerts</th><th class="n">£ at stake</th></tr></thead><tbody>${r.actions.owners.map((o) => `<tr><td>${esc(o.owner)}</td><td class="n">${o.openAlerts}</td><td class="n">${gbp(o.moneyPence)}</td></tr>`).join('') || '<tr><td colspan="3">No open alerts.</td></tr>'}</tbody></table>${r.actions.drafts.length ? `<p>Drafts awaiting review or filing: ${r.actions.drafts.map((d) => `${esc(d.kind.toUpperCase())} ${esc(d.draftId)} (${esc(d.state)}, ${gbp(d.totalPence)}, ${esc(d.createdBy)})`).join('; ')}</p>` : ''}`;
  const page1 = `<section class="page1">
<h1>Customs risk — board report for ${esc(r.importer)}</h1>
<p class="muted">As of ${esc(r.asOf)} · report ${esc(meta.reportId)} (version ${meta.version}) · generated ${esc(meta.createdAt)} by ${esc(meta.createdBy)}</p>
<div class="kpis">
<div class="kpi">Exposure found (HMRC could demand)<b>${gbp(h.exposureDutyPence + h.exposureVatPence)}</b><span class="muted">duty ${gbp(h.exposureDutyPence)} · VAT ${gbp(h.exposureVatPence)}</span></div>
<div class="kpi">Reclaim found (overpaid)<b>${gbp(h.reclaimDutyPence + h.reclaimVatPence)}</b><span class="muted">duty ${gbp(h.reclaimDutyPence)} · VAT ${gbp(h.reclaimVatPence)}</span></div>
<div class="kpi">Reclaim claimed (C285 submitted)<b>${gbp(r.reclaimClaimedPence)}</b><span class="muted">recovered: <span class="unknown">not recorded yet</span></span></div>
<div class="kpi">Audit readiness<b>${readiness}</b></div>
<div class="kpi">Deadline within 90 days<b>${gbp(h.dueIn90DaysPence)}</b><span class="muted">${r.dueIn90Days.lines} finding(s)</span></div>
${dumCell('duty_paid', 'Duty under management')}${dumCell('declarations', 'Declarations (3 years)')}
</div>
<div class="charts">${trend}${
    r.dueIn90Days.months.length
      ? moneyBarsSvg(
          'Money whose deadline falls in the next 90 days, by month',
          r.dueIn90Days.months.map((m) => ({ label: m.month, exposurePence: m.exposurePence, reclaimPence: m.reclaimPence })),
        )
      : '<p>No deadline falls in the next 90 days: nothing to file or pay before the statutory clock runs out in that window.</p>'
  }</div>
<h2>Top 10 risks (${r.topRisksSource === 'alerts' ? 'open alerts' : 'largest findings — alerting did not answer'})</h2>
<table><thead><tr><th>#</th><th>risk</th><th>owner</th><th>severity</th><th>deadline</th><th class="n">£ at stake</th></tr></thead><tbody>
${r.topRisks.map((t, i) => `<tr><td>${i + 1}</td><td>${esc(t.label)}</td><td>${esc(t.owner)}</td><td>${esc(t.severity.replace('SEVERITY_', '').toLowerCase())}</td><td>${esc(t.deadline || '—')}</td><td class="n">${gbp(t.moneyPence)}</td></tr>`).join('\n') || '<tr><td colspan="6">None.</td></tr>'}
</tbody></table>
<h2>Broker league table</h2>
<table><thead><tr><th>broker (declarant)</th><th class="n">findings</th><th class="n">exposure</th><th class="n">reclaim</th><th class="n">scorecard</th></tr></thead><tbody>
${
  r.brokers
    .slice(0, 8)
    .map(
      (b) =>
        `<tr><td>${esc(b.agentId)}</td><td class="n">${b.findingCount}</td><td class="n">${gbp(b.exposurePence)}</td><td class="n">${gbp(b.reclaimPence)}</td><td class="n">${b.score === null ? '<span class="unknown">n/a</span>' : b.score}</td></tr>`,
    )
    .join('\n') || '<tr><td colspan="5">No findings.</td></tr>'
}
</tbody></table><p class="muted">Scores: ${esc(r.brokerScoreSource)}</p>
<h2>What changed${r.changes.since ? ` since the report of ${esc(r.changes.since.slice(0, 10))}` : ''}</h2>
${r.changes.previousReportId ? `<ul>${r.changes.deltas.map((d) => `<li>${esc(d.what)}: ${delta(d.before, d.after, d.unit)}</li>`).join('')}<li>findings raised since: ${r.changes.newFindings ?? '<span class="unknown">unknown</span>'}</li></ul>` : '<p>First report for this importer: nothing to compare with yet.</p>'}
<h2>Open actions and owners</h2>
${actions}
</section>`;
  const detail = `<section class="detail" style="break-before: page">
<h2>Detail: exposure and reclaim by family</h2>
${
  r.byFamily.length
    ? moneyBarsSvg(
        'By finding family',
        r.byFamily.map((x) => ({ label: x.family, exposurePence: x.exposurePence, reclaimPence: x.reclaimPence })),
      )
    : ''
}
<table><thead><tr><th>rule</th><th>title</th><th class="n">findings</th><th class="n">exposure</th><th class="n">reclaim</th></tr></thead><tbody>
${r.byRule.map((x) => `<tr><td>${esc(x.ruleId)}</td><td>${esc(x.title)}</td><td class="n">${x.findingCount}</td><td class="n">${gbp(x.exposurePence)}</td><td class="n">${gbp(x.reclaimPence)}</td></tr>`).join('\n')}
</tbody></table>
<h2>Audit readiness by dimension</h2>
${r.readiness.available ? `<table><thead><tr><th>dimension</th><th class="n">score</th><th class="n">£ at risk</th></tr></thead><tbody>${r.readiness.dimensions.map((d) => `<tr><td>${esc(d.dimension)}</td><td class="n">${d.known ? d.score : '<span class="unknown">unknown</span>'}</td><td class="n">${gbp(d.atRiskPence)}</td></tr>`).join('')}</tbody></table><p class="muted">${esc(r.readiness.explanation)}</p>` : `<p>${NA(r.readiness.reason)}</p>`}
<h2>Duty under management</h2>
${r.dum.available ? `<table><tbody>${r.dum.metrics.map((m) => `<tr><td>${esc(m.name)}</td><td class="n">${m.known ? (m.unit === 'pence' ? gbp(Number(m.value)) : esc(m.value)) : '<span class="unknown">unknown</span>'}</td><td>${esc(m.explanation)}</td></tr>`).join('')}</tbody></table>` : `<p>${NA(r.dum.reason)}</p>`}
<h2>Data this report was computed from</h2>
<pre style="font-size:8pt;white-space:pre-wrap">${esc(JSON.stringify(meta.dataVersions, null, 1))}</pre>
</section>`;
  return page(`Board report ${r.importer} ${r.asOf}`, `${page1}\n${detail}`);
}

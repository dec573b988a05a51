// make up's reporting step: for the bundled importer (the one with the most findings on
// alerting's feed) produce a C285 draft, a C2001 draft, a board report (HTML + PDF) and a case
// with its audit-response pack through the reporting API, save them in .run/reporting/ and print
// where they are. With --docs it also refreshes the committed samples in docs/reporting/
// (board report PDF, page 1 as PNG through pdftoppm, the C285 draft as HTML and JSON).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const tokens = fs
  .readFileSync(path.join(root, '.run/api-tokens'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));
const analyst = tokens.find((l) => l.endsWith(':analyst')).split('=')[0];
const REPORTING = process.env.REPORTING_URL || 'http://127.0.0.1:8086';
const ALERTING = process.env.ALERTING_URL || 'http://127.0.0.1:8085';
const out = path.join(root, '.run/reporting');

async function call(base, method, p, body) {
  const r = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${analyst}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${(await r.text()).slice(0, 300)}`);
  return r;
}
const json = async (...a) => (await call(...a)).json();
const save = async (p, file) => fs.writeFileSync(file, Buffer.from(await (await call(REPORTING, 'GET', p)).arrayBuffer()));
const pounds = (p) => `£${(Number(p || 0) / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

(async () => {
  fs.mkdirSync(out, { recursive: true });
  // The importer with the most money still in time (deadline not passed), else the most money
  // findings at all: the feed folded (raised minus withdrawn).
  const live = new Map();
  for (let after = 0; ; ) {
    const page = await json(ALERTING, 'GET', `/v1/findings-feed?after_cursor=${after}&limit=1000`);
    for (const e of page.findings) {
      if (e.change === 'withdrawn') live.delete(e.finding.findingId);
      else live.set(e.finding.findingId, e.finding);
    }
    if (page.findings.length < 1000) break;
    after = Number(page.nextCursor);
  }
  const today = new Date().toISOString().slice(0, 10);
  const rank = {};
  for (const f of live.values()) {
    if (!f.importerEori) continue;
    const money = (f.reclaimDutyPence || 0) + (f.reclaimVatPence || 0) + (f.exposureDutyPence || 0) + (f.exposureVatPence || 0) > 0;
    const r = (rank[f.importerEori] ??= { inTime: 0, money: 0, all: 0, reclaimInTime: 0, reclaim: 0 });
    r.all += 1;
    if ((f.reclaimDutyPence || 0) + (f.reclaimVatPence || 0) > 0) {
      r.reclaim += 1;
      if (f.deadline >= today) r.reclaimInTime += 1;
    }
    if (money) r.money += 1;
    if (money && f.deadline >= today) r.inTime += 1;
  }
  const importer = process.env.REPORTING_IMPORTER || Object.entries(rank).sort((a, b) => b[1].inTime - a[1].inTime || b[1].money - a[1].money || b[1].all - a[1].all)[0]?.[0];
  if (!importer) throw new Error('no findings on the feed yet');
  // The C285 is drafted for the importer with the most reclaims (in time first): on the bundled
  // history most of them are already past the 3-year limit, which the draft lists.
  const reclaimer = process.env.REPORTING_IMPORTER || Object.entries(rank).sort((a, b) => b[1].reclaimInTime - a[1].reclaimInTime || b[1].reclaim - a[1].reclaim)[0][0];

  const c285 = (await json(REPORTING, 'POST', '/v1/drafts', { kind: 'c285', importer: reclaimer })).draft;
  const c2001 = (await json(REPORTING, 'POST', '/v1/drafts', { kind: 'c2001', importer })).draft;
  const report = (await json(REPORTING, 'POST', '/v1/reports', { importer })).report;
  const kase = await json(REPORTING, 'POST', '/v1/cases', {
    trigger: 'pre_c18_right_to_be_heard',
    title: `HMRC pre-C18 letter (demo) for ${importer}`,
    letterDate: today,
    owner: 'customs-lead@demo',
    scope: { importer },
  });
  const caseId = kase.case.caseId;
  await save(`/v1/drafts/${c285.draftId}/document?format=html`, path.join(out, 'c285.html'));
  await save(`/v1/drafts/${c2001.draftId}/document?format=html`, path.join(out, 'c2001.html'));
  await save(`/v1/reports/${report.reportId}/document?format=html`, path.join(out, 'board.html'));
  await save(`/v1/reports/${report.reportId}/document?format=pdf`, path.join(out, 'board.pdf'));
  await save(`/v1/cases/${caseId}/pack`, path.join(out, 'audit-pack.zip'));

  const t = c285.content.totals;
  const d = c2001.content.totals;
  const h = report.content.headline;
  console.log(`Reporting for importer ${importer} (saved in .run/reporting/):
  C285 draft ${c285.draftId} (importer ${reclaimer}): ${t.claimCount} claim(s), ${t.mrnCount} MRNs, duty ${pounds(t.dutyPence)}, VAT ${pounds(t.vatPence)}; ${c285.content.timeBarred.length} time-barred line(s) excluded
    ${REPORTING}/v1/drafts/${c285.draftId}/document?format=html   (worksheet: &format=csv)
  C2001 draft ${c2001.draftId}: ${c2001.content.disclosures.length} disclosure(s), duty owed ${pounds(d.dutyOwedPence)}, VAT ${pounds(d.vatOwedPence)}; ${c2001.content.outsideNormalLimit.length} line(s) past HMRC's normal 3-year limit listed apart
    ${REPORTING}/v1/drafts/${c2001.draftId}/document?format=html
  Board report ${report.reportId} v${report.version}: exposure ${pounds(h.exposureDutyPence + h.exposureVatPence)}, reclaim ${pounds(h.reclaimDutyPence + h.reclaimVatPence)}, due in 90 days ${pounds(h.dueIn90DaysPence)}
    ${REPORTING}/v1/reports/${report.reportId}/document?format=html   (and ?format=pdf)
  Case ${caseId}: ${kase.clocks.map((c) => `${c.name} by ${c.due}`).join('; ')}; ${kase.checklist.length} checklist steps
    ${REPORTING}/v1/cases/${caseId}   audit-response pack: ${REPORTING}/v1/cases/${caseId}/pack`);

  if (process.argv.includes('--docs')) {
    const docs = path.join(root, 'docs/reporting');
    fs.mkdirSync(docs, { recursive: true });
    fs.copyFileSync(path.join(out, 'board.pdf'), path.join(docs, 'board-report-sample.pdf'));
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', path.join(docs, 'board-report-sample.pdf'), path.join(docs, 'board-report-sample-page1')]);
    fs.copyFileSync(path.join(out, 'c285.html'), path.join(docs, 'c285-draft-sample.html'));
    fs.writeFileSync(path.join(docs, 'c285-draft-sample.json'), `${JSON.stringify(c285, null, 2)}\n`);
    console.log('  samples written to docs/reporting/');
  }
})().catch((e) => {
  console.error(`reporting demo failed: ${e.message}`);
  process.exit(1);
});

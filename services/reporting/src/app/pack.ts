// Use case: the audit-response pack of a case — everything in the case's scope the company
// would hand HMRC, in one ZIP with an index: findings with evidence, what was already corrected
// or disclosed (drafts and their state), the drafts themselves, readiness, the declaration data.
import type { C2001Draft, C285Draft, DraftFinding } from '../policies/drafts';
import { csvCell, findingIdsOf } from '../policies/drafts';
import { c2001Html, c285Html } from '../render/draft-html';
import { esc, gbp, page } from '../render/html';
import type { CaseView } from './cases';
import type { CaseScope, DraftStore, FindingsSource, PlatformReads } from './ports';

export const MAX_PACK_DECLARATIONS = 500;

export function inCaseScope(f: DraftFinding, s: CaseScope): boolean {
  if (f.importerEori !== s.importer) return false;
  if (s.acceptedFrom && f.acceptanceDate < s.acceptedFrom) return false;
  if (s.acceptedTo && f.acceptanceDate > s.acceptedTo) return false;
  if (s.codes?.length && !s.codes.some((c) => f.commodityCode.startsWith(c))) return false;
  if (s.brokers?.length && !s.brokers.includes(f.declarantId)) return false;
  return true;
}

const draftFindingIds = findingIdsOf;

export async function buildPack(
  deps: { findings: FindingsSource; drafts: DraftStore; platform: PlatformReads },
  tenant: string,
  bearer: string,
  v: CaseView,
): Promise<{ name: string; content: string | Buffer }[]> {
  const s = v.case.scope;
  const [{ findings, cursor }, drafts, readiness] = await Promise.all([
    deps.findings.currentFindings(bearer),
    deps.drafts.listDrafts(tenant, { limit: 500 }),
    deps.platform.readiness(bearer, s.importer),
  ]);
  const scoped = findings.filter((f) => inCaseScope(f, s)).sort((a, b) => a.acceptanceDate.localeCompare(b.acceptanceDate) || a.mrn.localeCompare(b.mrn) || a.itemNumber - b.itemNumber);
  const ids = new Set(scoped.map((f) => f.findingId));
  const touching = drafts.filter((d) => d.state !== 'withdrawn' && draftFindingIds(d.content).some((id) => ids.has(id)));
  const handled = new Map<string, string>();
  for (const d of touching)
    for (const id of draftFindingIds(d.content)) if (ids.has(id)) handled.set(id, `${d.kind.toUpperCase()} ${d.draftId} (${d.state}${d.hmrcReference ? `, HMRC ${d.hmrcReference}` : ''})`);

  const entries: { name: string; content: string | Buffer; what: string }[] = [];
  const add = (name: string, content: string | Buffer, what: string) => entries.push({ name, content, what });

  add('case.json', JSON.stringify(v, null, 2), 'the case: letter, scope, owner, statutory clocks, playbook checklist with owners');
  const head = [
    'Finding',
    'MRN',
    'Declaration',
    'Item',
    'Accepted',
    'Deadline',
    'Rule',
    'Title',
    'Commodity code',
    'Broker',
    'Exposure duty (GBP)',
    'Exposure VAT (GBP)',
    'Reclaim duty (GBP)',
    'Reclaim VAT (GBP)',
    'Corrected or disclosed',
    'Evidence',
    'Explanation',
  ];
  const g = (p: number) => (p / 100).toFixed(2);
  const rows = scoped.map((f) => [
    f.findingId,
    f.mrn,
    f.declarationId,
    f.itemNumber,
    f.acceptanceDate,
    f.deadline,
    f.ruleId,
    f.title,
    f.commodityCode,
    f.declarantId,
    g(f.exposureDutyPence),
    g(f.exposureVatPence),
    g(f.reclaimDutyPence),
    g(f.reclaimVatPence),
    handled.get(f.findingId) ?? 'not yet',
    f.evidence.map((e) => `${e.field}: ${e.value}${e.note ? ` (${e.note})` : ''}`).join(' | '),
    f.explanation,
  ]);
  add(
    'findings.csv',
    `${[head, ...rows].map((r) => r.map((x) => csvCell(x as string | number)).join(',')).join('\n')}\n`,
    `${scoped.length} findings in scope with their evidence (findings feed cursor ${cursor})`,
  );
  add('findings.json', JSON.stringify(scoped, null, 2), 'the same findings as JSON');
  add(
    'corrected-or-disclosed.csv',
    `${[['Draft', 'Kind', 'State', 'HMRC reference', 'Findings in scope'], ...touching.map((d) => [d.draftId, d.kind, d.state, d.hmrcReference ?? '', draftFindingIds(d.content).filter((id) => ids.has(id)).length])].map((r) => r.map((x) => csvCell(x as string | number)).join(',')).join('\n')}\n`,
    'drafts that cover findings in scope, with their state (submitted = filed with HMRC)',
  );
  for (const d of touching)
    add(`drafts/${d.draftId}.html`, d.kind === 'c285' ? c285Html(d, d.content as C285Draft) : c2001Html(d, d.content as C2001Draft), `${d.kind.toUpperCase()} draft, ${d.state}`);
  add('readiness.json', JSON.stringify(readiness, null, 2), readiness.available ? `audit readiness ${readiness.score}/100 (scoring)` : `readiness not available: ${readiness.reason}`);

  const declIds = [...new Set(scoped.map((f) => f.declarationId))];
  const fetched = declIds.slice(0, MAX_PACK_DECLARATIONS);
  const missing: string[] = [];
  for (const id of fetched) {
    const d = await deps.platform.declaration(bearer, id);
    if (d.available) add(`declarations/${id}.json`, JSON.stringify(d.body, null, 2), 'declaration data as ingested');
    else missing.push(`${id}: ${d.reason}`);
  }
  const notes = [
    ...(declIds.length > fetched.length ? [`${declIds.length - fetched.length} declarations beyond the first ${MAX_PACK_DECLARATIONS} are not included: narrow the scope`] : []),
    ...missing.map((m) => `declaration not available: ${m}`),
  ];
  const exposure = scoped.reduce((t, f) => t + f.exposureDutyPence + f.exposureVatPence, 0);
  const reclaim = scoped.reduce((t, f) => t + f.reclaimDutyPence + f.reclaimVatPence, 0);
  const index = page(
    `Audit-response pack ${v.case.caseId}`,
    `<h1>Audit-response pack — ${esc(v.case.title)}</h1>
<p class="muted">Case ${esc(v.case.caseId)} · ${esc(v.case.trigger)} dated ${esc(v.case.letterDate)} · owner ${esc(v.case.owner)} · importer ${esc(s.importer)} · scope: accepted ${esc(s.acceptedFrom ?? '…')} to ${esc(s.acceptedTo ?? '…')}${s.codes?.length ? `, codes ${esc(s.codes.join(', '))}` : ''}${s.brokers?.length ? `, brokers ${esc(s.brokers.join(', '))}` : ''} · as of ${esc(v.asOf)}</p>
<p>${scoped.length} findings in scope: exposure ${gbp(exposure)}, reclaim ${gbp(reclaim)}; ${handled.size} already covered by a draft.</p>
<h2>Statutory clocks</h2><ul>${v.clocks.map((c) => `<li>${esc(c.name)}: <b>${esc(c.due)}</b> (${c.daysLeft} days) — ${esc(c.basis)}</li>`).join('') || '<li>none</li>'}</ul>
${notes.length ? `<h2>Not included</h2><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}
<h2>Contents</h2><table><thead><tr><th>file</th><th>what</th></tr></thead><tbody>${entries.map((e) => `<tr><td>${esc(e.name)}</td><td>${esc(e.what)}</td></tr>`).join('')}</tbody></table>`,
  );
  return [{ name: 'index.html', content: index }, ...entries.map(({ name, content }) => ({ name, content }))];
}

import { useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api';
import { day, deadlineText, pounds, stateName, when } from '../format';
import { onAlertChange } from '../live';
import { STATES, Severity, State, Notice } from './common';

function Money(props: { label: string; pence: number; duty: number; vat: number }) {
  return (
    <div class="money">
      <span class="label">{props.label}</span>
      <span class="amount">{pounds(props.pence)}</span>
      <span class="split">
        duty {pounds(props.duty)} · VAT {pounds(props.vat)}
      </span>
    </div>
  );
}

export function AlertDetail(props: { id: string; me: Me }) {
  const [d, setD] = useState<any>();
  const [error, setError] = useState('');
  const [states, setStates] = useState<{ dispositions: string[] }>({ dispositions: [] });
  const [t, setT] = useState({ to: 'acknowledged', reason: '', disposition: '' });
  const [assignee, setAssignee] = useState('');
  const [note, setNote] = useState('');
  const [message, setMessage] = useState('');
  const [drafted, setDrafted] = useState<any>();
  const load = () =>
    api(`/api/alerts/${encodeURIComponent(props.id)}/detail`).then(
      (x) => {
        setD(x);
        setError('');
      },
      (e) => setError((e as Error).message),
    );
  useEffect(() => {
    void load();
    api('/api/alerting/states').then(setStates, () => undefined);
    return onAlertChange((c) => {
      if (c.alertId === props.id) void load();
    });
  }, [props.id]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!d) return <p>Loading…</p>;
  const a = d.alert;
  const act = async (path: string, body: unknown, done: string) => {
    try {
      await api(`/api/alerts/${encodeURIComponent(a.alertId)}/${path}`, { method: 'POST', body });
      setMessage(done);
      await load();
    } catch (e) {
      setMessage(`Refused: ${(e as Error).message}`);
    }
  };
  const routes = d.findings.map((f: any) => String(f.correctionRoute ?? '')).join(' ');
  const kinds = (['c285', 'c2001'] as const).filter((k) => routes.toUpperCase().includes(k.toUpperCase()));
  const draft = async (kind: 'c285' | 'c2001') => {
    try {
      const r = await api<{ draft: any }>('/api/drafts', { method: 'POST', body: { kind, importer: a.importerEori || undefined } });
      setDrafted(r.draft);
    } catch (e) {
      setDrafted({ error: (e as Error).message });
    }
  };
  const decl = d.declaration;
  const items: any[] = decl?.items ?? [];
  const findingItems = new Set<number>(d.findings.map((f: any) => f.itemNumber));
  return (
    <article aria-labelledby="alert-h">
      <p>
        <a href="#/alerts">← Alert queue</a>
      </p>
      <h1 id="alert-h">{a.title}</h1>
      <p class="meta">
        <Severity value={a.severity} /> <State value={a.status} /> {a.alertRuleId} · raised {when(a.createdAt)} · assigned to <strong data-testid="assignee">{a.assignee || 'nobody'}</strong>
        {a.disposition && <> · disposition {a.disposition.replace(/_/g, ' ')}</>}
      </p>
      <div class="cards">
        <Money label="Exposure" pence={a.exposurePence} duty={a.exposureDutyPence} vat={a.exposureVatPence} />
        <Money label="Reclaim" pence={a.reclaimPence} duty={a.reclaimDutyPence} vat={a.reclaimVatPence} />
        <div class="money">
          <span class="label">Deadline</span>
          <span class="amount">{day(a.deadline)}</span>
          <span class="split">{deadlineText(a.deadline, a.daysLeft)}</span>
        </div>
      </div>
      <p>{a.summary}</p>
      <dl class="facts">
        <dt>Importer</dt>
        <dd>{a.importerEori || '—'}</dd>
        <dt>Broker (declarant)</dt>
        <dd>{a.declarantId || '—'}</dd>
        <dt>Declarations</dt>
        <dd>
          {(a.declarationIds.length ? a.declarationIds : [a.declarationId]).filter(Boolean).map((x: string) => (
            <>
              <a href={`#/declarations/${encodeURIComponent(x)}`}>{x}</a>{' '}
            </>
          ))}
        </dd>
        <dt>Commodity codes</dt>
        <dd>{a.commodityCodes.join(', ') || '—'}</dd>
      </dl>

      {props.me.can.triage ? (
        <section class="triage" aria-labelledby="triage-h">
          <h2 id="triage-h">Triage</h2>
          {message && <Notice>{message}</Notice>}
          <form
            onSubmit={(e) => (
              e.preventDefault(),
              act('transition', { to: t.to, reason: t.reason, ...(t.to === 'resolved' && t.disposition ? { disposition: t.disposition } : {}) }, `moved to ${t.to.replace('_', ' ')}`)
            )}
            aria-label="Change state"
          >
            <label>
              Move to
              <select data-testid="transition-to" value={t.to} onChange={(e) => setT({ ...t, to: (e.target as HTMLSelectElement).value })}>
                {STATES.filter((s) => s !== stateName(a.status) && s !== 'new' && s !== 'expired').map((s) => (
                  <option value={s}>{s.replace('_', ' ')}</option>
                ))}
              </select>
            </label>
            {t.to === 'resolved' && (
              <label>
                Disposition
                <select value={t.disposition} onChange={(e) => setT({ ...t, disposition: (e.target as HTMLSelectElement).value })}>
                  <option value="">choose…</option>
                  {states.dispositions.map((x) => (
                    <option value={x}>{x.replace(/_/g, ' ')}</option>
                  ))}
                </select>
              </label>
            )}
            <label>
              Reason
              <input data-testid="transition-reason" required value={t.reason} onInput={(e) => setT({ ...t, reason: (e.target as HTMLInputElement).value })} />
            </label>
            <button type="submit">Change state</button>
          </form>
          <form onSubmit={(e) => (e.preventDefault(), act('assign', { assignee: assignee.trim() }, assignee.trim() ? `assigned to ${assignee.trim()}` : 'unassigned'))} aria-label="Assign">
            <label>
              Assign to
              <input value={assignee} onInput={(e) => setAssignee((e.target as HTMLInputElement).value)} placeholder={props.me.subject} />
            </label>
            <button type="submit">Assign</button>
            <button type="button" onClick={() => act('assign', { assignee: props.me.subject }, `assigned to ${props.me.subject}`)}>
              Assign to me
            </button>
          </form>
          <form onSubmit={(e) => (e.preventDefault(), act('notes', { text: note }, 'note added').then(() => setNote('')))} aria-label="Add a note">
            <label class="wide">
              Note
              <textarea rows={2} required value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
            </label>
            <button type="submit">Add note</button>
          </form>
        </section>
      ) : (
        <Notice>Your role ({props.me.role}) can read alerts but not triage them.</Notice>
      )}

      <section aria-labelledby="findings-h">
        <h2 id="findings-h">Contributing findings ({d.findings.length})</h2>
        {d.findings.length === 0 && <Notice>Validation holds no active finding behind this alert any more (it may have been superseded by a re-evaluation).</Notice>}
        {d.findings.map((f: any) => (
          <div class="finding" data-testid="finding">
            <h3>
              {f.ruleId} {f.ruleVersion} — {f.title} <Severity value={f.severity} />
            </h3>
            <p class="meta">
              Item {f.itemNumber || 'header'} · {f.commodityCode || 'no code'} · accepted {day(f.acceptanceDate)} · deadline {deadlineText(f.deadline, f.daysLeft)} · exposure{' '}
              {pounds(Number(f.exposureDutyPence ?? 0) + Number(f.exposureVatPence ?? 0))} · reclaim {pounds(Number(f.reclaimDutyPence ?? 0) + Number(f.reclaimVatPence ?? 0))}
            </p>
            <h4>Duty engine explanation</h4>
            <p class="explanation" data-testid="explanation">
              {f.explanation}
            </p>
            <h4>Evidence (declaration fields)</h4>
            <table>
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Value</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {(f.evidence ?? []).map((e: any) => (
                  <tr>
                    <td>{e.field}</td>
                    <td>{e.value}</td>
                    <td>{e.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h4>Reference-data versions</h4>
            <ul class="versions">
              {Object.entries(f.referenceVersions ?? {}).map(([k, v]) => (
                <li>
                  <strong>{k}</strong>: <code>{String(v)}</code>
                </li>
              ))}
            </ul>
            <p>
              <strong>Remediation:</strong> {f.remediation || '—'}
            </p>
            <p>
              <strong>Correction route:</strong> {f.correctionRoute || 'none'}
            </p>
          </div>
        ))}
      </section>

      {props.me.can.triage && kinds.length > 0 && (
        <section aria-labelledby="draft-h">
          <h2 id="draft-h">Correction drafts</h2>
          <p>The reporting service drafts from all of the importer’s current findings ({a.importerEori || 'all importers'}), not only this alert’s.</p>
          {kinds.map((k) => (
            <button type="button" onClick={() => draft(k)}>
              Draft a {k.toUpperCase()} for {a.importerEori || 'the tenant'}
            </button>
          ))}
          {drafted?.error && <Notice kind="error">Drafting is not available: {drafted.error}</Notice>}
          {drafted?.draftId && (
            <p class="notice" aria-live="polite" data-testid="draft">
              Draft {drafted.draftId} ({drafted.kind.toUpperCase()}, {drafted.state}) from {drafted.source?.findingsConsidered} finding(s):{' '}
              {drafted.kind === 'c285'
                ? `duty ${pounds(drafted.content.totals.dutyPence)}, VAT ${pounds(drafted.content.totals.vatPence)} to reclaim on ${drafted.content.totals.mrnCount} MRN(s)`
                : `duty ${pounds(drafted.content.totals.dutyOwedPence)}, VAT ${pounds(drafted.content.totals.vatOwedPence)} to disclose on ${drafted.content.totals.mrnCount} MRN(s)`}{' '}
              · <a href={`/api/drafts/${encodeURIComponent(drafted.draftId)}/document?format=html`}>download the document</a>
              {drafted.kind === 'c285' && (
                <>
                  {' '}
                  · <a href={`/api/drafts/${encodeURIComponent(drafted.draftId)}/document?format=csv`}>download the worksheet (CSV)</a>
                </>
              )}
            </p>
          )}
        </section>
      )}

      <section aria-labelledby="decl-h">
        <h2 id="decl-h">Declaration</h2>
        {decl ? (
          <>
            <dl class="facts">
              <dt>MRN / LRN</dt>
              <dd>
                {decl.mrn || '—'} / {decl.lrn || '—'}
              </dd>
              <dt>Version</dt>
              <dd>{decl.version}</dd>
              <dt>Acceptance date</dt>
              <dd>
                {day(decl.acceptanceDate)} ({decl.acceptanceDateSource})
              </dd>
              <dt>Type</dt>
              <dd>{decl.typeCode}</dd>
              <dt>Incoterm</dt>
              <dd>{decl.incoterm || '—'}</dd>
              <dt>Invoice</dt>
              <dd>{decl.invoiceAmount ? `${decl.invoiceAmount.value} ${decl.invoiceAmount.currency}` : '—'}</dd>
            </dl>
            <table>
              <caption>Items with findings</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Commodity</th>
                  <th scope="col">Description</th>
                  <th scope="col">Procedure</th>
                  <th scope="col">Origin</th>
                  <th scope="col">Preference</th>
                  <th scope="col">Item price</th>
                </tr>
              </thead>
              <tbody>
                {items
                  .filter((i) => findingItems.has(i.itemNumber) || findingItems.has(0))
                  .map((i) => (
                    <tr>
                      <td>{i.itemNumber}</td>
                      <td>{i.commodityCode}</td>
                      <td>{i.description}</td>
                      <td>
                        {i.procedureCode} {(i.additionalProcedureCodes ?? []).join(' ')}
                      </td>
                      <td>{i.originCountry}</td>
                      <td>{i.preference || '—'}</td>
                      <td>{i.itemPrice ? `${i.itemPrice.value} ${i.itemPrice.currency}` : '—'}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
            <p>
              <a href={`#/declarations/${encodeURIComponent(decl.declarationId)}`}>Open the whole declaration</a>
            </p>
          </>
        ) : (
          <Notice>
            This alert is about {a.entityType} {a.entityId}, not one declaration.
          </Notice>
        )}
      </section>

      <section aria-labelledby="rule-h">
        <h2 id="rule-h">Alert rule</h2>
        {d.alertRule ? (
          <>
            <p>
              <strong>
                {d.alertRule.id} {d.alertRule.name}
              </strong>{' '}
              ({d.alertRule.type}, level {d.alertRule.level}) — {d.alertRule.description}
            </p>
            <p>
              Hash on this alert: <code data-testid="rule-hash">{a.alertRuleHash}</code>
              {d.alertRule.hash !== a.alertRuleHash && ' (the rule has changed since: current hash ' + d.alertRule.hash + ')'}
            </p>
            <details>
              <summary>Rule text</summary>
              <pre>{d.alertRule.source}</pre>
            </details>
          </>
        ) : (
          <Notice>Alert rule {a.alertRuleId} is not loaded any more.</Notice>
        )}
        {d.findingRules.map((r: any) => (
          <details>
            <summary>
              Finding rule {r.id} {r.version}: {r.title}
            </summary>
            <p>{r.businessRule}</p>
            {r.legalBasis && <p>Legal basis: {Array.isArray(r.legalBasis) ? r.legalBasis.join('; ') : String(r.legalBasis)}</p>}
          </details>
        ))}
      </section>

      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        <ol class="timeline" data-testid="history">
          {d.history.map((h: any) => (
            <li>
              <time dateTime={h.at}>{when(h.at)}</time> · <strong class="actor">{h.actor}</strong> · {h.kind}
              {h.from !== h.to && (
                <>
                  {' '}
                  · {h.from.replace('_', ' ')} → {h.to.replace('_', ' ')}
                </>
              )}
              {h.reason && <> · “{h.reason}”</>}
              {h.note && <> · note: {h.note}</>}
              {h.disposition && <> · {h.disposition.replace(/_/g, ' ')}</>}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

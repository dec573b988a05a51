import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type Me } from '../api';
import { deadlineText, pounds, stateName } from '../format';
import { onAlertChange } from '../live';
import { LEVELS, STATES, Severity, State, Notice } from './common';

export interface Filters {
  sort: string;
  severity: string;
  state: string;
  rule: string;
  broker: string;
  importer: string;
  minPounds: string;
  q: string;
}
const DEFAULT: Filters = { sort: 'money', severity: '', state: 'new,acknowledged,in_progress', rule: '', broker: '', importer: '', minPounds: '', q: '' };
const SORTS: [string, string][] = [
  ['money', '£ at stake (exposure + reclaim)'],
  ['exposure', '£ exposure'],
  ['reclaim', '£ reclaim'],
  ['days_left', 'days to deadline'],
  ['severity', 'severity'],
  ['updated', 'last change'],
  ['state', 'state'],
  ['rule', 'alert rule'],
  ['broker', 'broker'],
  ['importer', 'importer'],
];
// Alerting sorts these A→Z (and deadlines soonest first); money and severity biggest first.
const ASCENDING = new Set(['days_left', 'state', 'rule', 'broker', 'importer']);
const SEV_RANK: Record<string, number> = { SEVERITY_CRITICAL: 5, SEVERITY_HIGH: 4, SEVERITY_MEDIUM: 3, SEVERITY_LOW: 2, SEVERITY_INFO: 1 };
// Saved filters are only filter settings (no token, nothing secret), so local storage is fine.
const SAVED_KEY = 'console.savedFilters';

function query(f: Filters): string {
  const p = new URLSearchParams({ sort: f.sort, limit: '200' });
  if (f.severity) p.set('severity', f.severity);
  if (f.state) p.set('state', f.state);
  if (f.rule) p.set('rule', f.rule);
  if (f.broker) p.set('broker', f.broker.trim().toUpperCase());
  if (f.importer) p.set('importer', f.importer.trim().toUpperCase());
  if (f.minPounds && Number(f.minPounds) > 0) p.set('min_pence', String(Math.round(Number(f.minPounds) * 100)));
  if (f.q) p.set('q', f.q.trim());
  return p.toString();
}
function compare(sort: string): (a: any, b: any) => number {
  const n = (x: unknown) => Number(x ?? 0);
  switch (sort) {
    case 'exposure':
      return (a, b) => n(b.exposurePence) - n(a.exposurePence);
    case 'reclaim':
      return (a, b) => n(b.reclaimPence) - n(a.reclaimPence);
    case 'days_left':
      return (a, b) => (a.daysLeft ?? 1e9) - (b.daysLeft ?? 1e9);
    case 'severity':
      return (a, b) => (SEV_RANK[b.severity] ?? 0) - (SEV_RANK[a.severity] ?? 0);
    case 'updated':
      return (a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt));
    case 'state':
      return (a, b) => String(a.status).localeCompare(String(b.status));
    case 'rule':
      return (a, b) => String(a.alertRuleId).localeCompare(String(b.alertRuleId));
    case 'broker':
      return (a, b) => String(a.declarantId).localeCompare(String(b.declarantId));
    case 'importer':
      return (a, b) => String(a.importerEori).localeCompare(String(b.importerEori));
    default:
      return (a, b) => n(b.moneyAtStakePence) - n(a.moneyAtStakePence);
  }
}
/** Whether an alert that arrived live belongs in the list as filtered (the server filters the rest). */
function matches(a: any, f: Filters): boolean {
  if (f.state && !f.state.split(',').includes(stateName(a.status))) return false;
  if (f.severity && (SEV_RANK[a.severity] ?? 0) < LEVELS.indexOf(f.severity) + 1) return false;
  if (f.rule && !f.rule.split(',').includes(a.alertRuleId)) return false;
  if (f.broker && a.declarantId !== f.broker.trim().toUpperCase()) return false;
  if (f.importer && a.importerEori !== f.importer.trim().toUpperCase()) return false;
  if (f.minPounds && Number(a.moneyAtStakePence) < Number(f.minPounds) * 100) return false;
  if (f.q) return JSON.stringify(a).toLowerCase().includes(f.q.trim().toLowerCase());
  return true;
}

export function Queue(props: { me: Me }) {
  const [f, setF] = useState<Filters>(() => ({ ...DEFAULT, ...Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] ?? '')) }));
  const [alerts, setAlerts] = useState<any[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [saved, setSaved] = useState<Record<string, Filters>>(() => JSON.parse(localStorage.getItem(SAVED_KEY) ?? '{}'));
  const [saveName, setSaveName] = useState('');
  const [bulk, setBulk] = useState({ to: 'acknowledged', reason: '', disposition: '' });
  const [dispositions, setDispositions] = useState<string[]>([]);
  const [message, setMessage] = useState('');
  const filters = useRef(f);
  filters.current = f;

  const load = async () => {
    setLoading(true);
    try {
      const r = await api<{ alerts: any[] }>(`/api/alerts?${query(f)}`);
      setAlerts(r.alerts);
      setError('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, [query(f)]);
  useEffect(() => {
    api<{ dispositions: string[] }>('/api/alerting/states').then(
      (r) => setDispositions(r.dispositions),
      () => undefined,
    );
  }, []);
  // Live: each change names its alert; the alert is read once and placed in the list.
  useEffect(
    () =>
      onAlertChange(async (c) => {
        try {
          const { alert } = await api<{ alert: any }>(`/api/alerts/${encodeURIComponent(c.alertId)}`);
          const cur = filters.current;
          setAlerts((list) => {
            const rest = list.filter((a) => a.alertId !== alert.alertId);
            return matches(alert, cur) ? [...rest, alert].sort(compare(cur.sort)) : rest;
          });
          if (c.kind === 'raised') setFresh((s) => new Set(s).add(alert.alertId));
        } catch {
          // The alert may have gone (another tenant never reaches here: the stream is tenant-scoped).
        }
      }),
    [],
  );

  const set = (k: keyof Filters) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const persist = (s: Record<string, Filters>) => {
    setSaved(s);
    localStorage.setItem(SAVED_KEY, JSON.stringify(s));
  };
  const toggle = (id: string) => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    setSelected(s);
  };
  const applyBulk = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await api<{ changed: number }>('/api/alerts/bulk-transition', {
        method: 'POST',
        body: { alertIds: [...selected], to: bulk.to, reason: bulk.reason, ...(bulk.to === 'resolved' && bulk.disposition ? { disposition: bulk.disposition } : {}) },
      });
      setMessage(`${r.changed} alert(s) moved to ${bulk.to.replace('_', ' ')}`);
      setSelected(new Set());
      await load();
    } catch (err) {
      setMessage(`Bulk triage refused: ${(err as Error).message}`);
    }
  };
  const totals = useMemo(() => ({ exposure: alerts.reduce((s, a) => s + Number(a.exposurePence), 0), reclaim: alerts.reduce((s, a) => s + Number(a.reclaimPence), 0) }), [alerts]);

  return (
    <section aria-labelledby="queue-h">
      <h1 id="queue-h">Alert queue</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <label>
          Sort by
          <select value={f.sort} onChange={set('sort')} data-testid="sort">
            {SORTS.map(([v, t]) => (
              <option value={v}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Minimum severity
          <select value={f.severity} onChange={set('severity')}>
            <option value="">any</option>
            {LEVELS.map((l) => (
              <option value={l}>{l}</option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={f.state} onChange={set('state')} data-testid="state-filter">
            <option value="new,acknowledged,in_progress">open</option>
            <option value="">any</option>
            {STATES.map((s) => (
              <option value={s}>{s.replace('_', ' ')}</option>
            ))}
          </select>
        </label>
        <label>
          Alert rule
          <input value={f.rule} onChange={set('rule')} placeholder="AR-001" size={8} />
        </label>
        <label>
          Broker EORI
          <input value={f.broker} onChange={set('broker')} size={15} />
        </label>
        <label>
          Importer EORI
          <input value={f.importer} onChange={set('importer')} size={15} />
        </label>
        <label>
          Minimum £ at stake
          <input value={f.minPounds} onChange={set('minPounds')} inputMode="decimal" size={8} />
        </label>
        <label>
          Search
          <input value={f.q} onChange={set('q')} type="search" size={14} />
        </label>
      </form>
      <div class="saved">
        <label>
          Save these filters as
          <input value={saveName} onInput={(e) => setSaveName((e.target as HTMLInputElement).value)} size={12} />
        </label>
        <button type="button" disabled={!saveName.trim()} onClick={() => (persist({ ...saved, [saveName.trim()]: f }), setSaveName(''))}>
          Save filter
        </button>
        {Object.entries(saved).map(([name, sf]) => (
          <span class="chip">
            <button type="button" class="link" onClick={() => setF(sf)}>
              {name}
            </button>
            <button type="button" class="link" aria-label={`Delete saved filter ${name}`} onClick={() => persist(Object.fromEntries(Object.entries(saved).filter(([k]) => k !== name)))}>
              ×
            </button>
          </span>
        ))}
      </div>
      {error && <Notice kind="error">{error}</Notice>}
      <p class="summary" aria-live="polite" data-testid="queue-summary">
        {loading ? 'Loading…' : `${alerts.length} alerts · exposure ${pounds(totals.exposure)} · reclaim ${pounds(totals.reclaim)}`}
        {fresh.size > 0 && ` · ${fresh.size} new since you opened the queue`}
      </p>
      {props.me.can.triage && selected.size > 0 && (
        <form class="bulk" onSubmit={applyBulk} aria-label="Bulk triage">
          <span>{selected.size} selected</span>
          <label>
            Move to
            <select value={bulk.to} onChange={(e) => setBulk({ ...bulk, to: (e.target as HTMLSelectElement).value })}>
              {STATES.filter((s) => s !== 'new' && s !== 'expired').map((s) => (
                <option value={s}>{s.replace('_', ' ')}</option>
              ))}
            </select>
          </label>
          {bulk.to === 'resolved' && (
            <label>
              Disposition
              <select value={bulk.disposition} onChange={(e) => setBulk({ ...bulk, disposition: (e.target as HTMLSelectElement).value })}>
                <option value="">choose…</option>
                {dispositions.map((d) => (
                  <option value={d}>{d.replace(/_/g, ' ')}</option>
                ))}
              </select>
            </label>
          )}
          <label>
            Reason
            <input required value={bulk.reason} onInput={(e) => setBulk({ ...bulk, reason: (e.target as HTMLInputElement).value })} />
          </label>
          <button type="submit">Apply to {selected.size}</button>
        </form>
      )}
      {message && <Notice>{message}</Notice>}
      <table class="queue" data-testid="queue">
        <caption class="sr-only">Alerts, sorted by {SORTS.find(([v]) => v === f.sort)?.[1]}</caption>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all alerts"
                checked={alerts.length > 0 && selected.size === alerts.length}
                onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(alerts.map((a) => a.alertId)) : new Set())}
              />
            </th>
            <SortHeader label="Severity" sort="severity" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} />
            <th scope="col">Alert</th>
            <SortHeader label="£ exposure" sort="exposure" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} num />
            <SortHeader label="£ reclaim" sort="reclaim" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} num />
            <SortHeader label="Deadline" sort="days_left" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} />
            <SortHeader label="State" sort="state" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} />
            <SortHeader label="Rule" sort="rule" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} />
            <SortHeader label="Broker" sort="broker" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} />
            <SortHeader label="Importer" sort="importer" current={f.sort} onSort={(s) => setF({ ...f, sort: s })} />
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <tr data-alert-id={a.alertId} class={fresh.has(a.alertId) ? 'fresh' : undefined}>
              <td>
                <input type="checkbox" aria-label={`Select alert ${a.alertId}`} checked={selected.has(a.alertId)} onChange={() => toggle(a.alertId)} />
              </td>
              <td>
                <Severity value={a.severity} />
              </td>
              <td>
                <a href={`#/alerts/${encodeURIComponent(a.alertId)}`}>{a.title}</a>
                {fresh.has(a.alertId) && <span class="badge">new</span>}
              </td>
              <td class="num" data-col="exposure">
                {pounds(a.exposurePence)}
              </td>
              <td class="num" data-col="reclaim">
                {pounds(a.reclaimPence)}
              </td>
              <td>{deadlineText(a.deadline, a.daysLeft)}</td>
              <td>
                <State value={a.status} />
              </td>
              <td>{a.alertRuleId}</td>
              <td>{a.declarantId || '—'}</td>
              <td>{a.importerEori || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A column header that sorts the queue by its column (money and severity biggest first, deadlines soonest). */
function SortHeader(props: { label: string; sort: string; current: string; onSort: (s: string) => void; num?: boolean }) {
  const active = props.current === props.sort;
  return (
    <th scope="col" class={props.num ? 'num' : undefined} aria-sort={active ? (ASCENDING.has(props.sort) ? 'ascending' : 'descending') : undefined}>
      <button type="button" class="link sort" onClick={() => props.onSort(props.sort)}>
        {props.label}
        {active ? (ASCENDING.has(props.sort) ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Chart, preloadCharts } from '../chart';
import { deadlineText, pounds } from '../format';
import { Notice, NotAvailable, Severity } from './common';
import { MetricsTable } from './metrics';

// Audit readiness by dimension, duty under management and the readiness trend of one importer
// (as scoring computes them), and the tenant's top open risks in £.
export function Overview() {
  const [importers, setImporters] = useState<any[]>();
  const [imp, setImp] = useState('');
  const [readiness, setReadiness] = useState<any>();
  const [dum, setDum] = useState<any>();
  const [trend, setTrend] = useState<any>();
  const [top, setTop] = useState<any[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    preloadCharts();
    api('/api/scores/importer?limit=100').then(
      (r) => {
        setImporters(r.scores);
        if (r.scores[0]) setImp(r.scores[0].entityId);
      },
      (e) => setError((e as Error).message),
    );
    api('/api/alerts?sort=money&limit=10&state=new,acknowledged,in_progress').then(
      (r) => setTop(r.alerts),
      (e) => setError((e as Error).message),
    );
  }, []);
  useEffect(() => {
    if (!imp) return;
    const id = encodeURIComponent(imp);
    api(`/api/importers/${id}/readiness`).then(setReadiness, () => setReadiness(null));
    api(`/api/importers/${id}/duty-under-management`).then(setDum, () => setDum(null));
    api(`/api/trends/importer/${id}`).then(setTrend, () => setTrend(null));
  }, [imp]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!importers) return <p>Loading…</p>;
  const dims: any[] = readiness?.dimensions ?? [];
  return (
    <section aria-labelledby="ov-h">
      <h1 id="ov-h">Readiness &amp; overview</h1>
      {importers.length === 0 ? (
        <NotAvailable what="Audit readiness (no importer history scored yet)" />
      ) : (
        <label>
          Importer
          <select value={imp} onChange={(e) => setImp((e.target as HTMLSelectElement).value)}>
            {importers.map((s) => (
              <option value={s.entityId}>{s.entityId}</option>
            ))}
          </select>
        </label>
      )}
      <div class="grid2">
        <div>
          <h2>Audit readiness {readiness ? `${readiness.score} / 100 (${readiness.from}…${readiness.to})` : ''}</h2>
          {readiness ? (
            <>
              <Chart
                label={`Readiness by dimension: ${dims.map((x) => `${x.dimension} ${x.known ? x.score : 'not available'}`).join(', ')}`}
                option={{
                  tooltip: {},
                  grid: { left: 140 },
                  xAxis: { type: 'value', min: 0, max: 100 },
                  yAxis: { type: 'category', data: dims.map((x) => x.dimension) },
                  series: [{ type: 'bar', name: 'score', data: dims.map((x) => (x.known ? x.score : null)) }],
                }}
              />
              <p>{readiness.explanation}</p>
            </>
          ) : (
            <NotAvailable what="Audit readiness for this importer" />
          )}
        </div>
        <div>
          <h2>Readiness trend</h2>
          {trend && trend.points.length > 0 ? (
            <Chart
              label={`Monthly readiness of ${imp}: ${trend.points.map((p: any) => `${p.month} ${p.score}`).join(', ')}`}
              option={{
                tooltip: { trigger: 'axis' },
                xAxis: { type: 'category', data: trend.points.map((p: any) => p.month) },
                yAxis: { type: 'value', min: 0, max: 100 },
                series: [{ type: 'line', name: 'readiness', data: trend.points.map((p: any) => p.score) }],
              }}
            />
          ) : (
            <NotAvailable what="A readiness trend" />
          )}
        </div>
      </div>
      <h2>Duty under management</h2>
      {dum ? <MetricsTable metrics={dum.metrics} caption={`Duty under management, ${dum.from}…${dum.to}`} /> : <NotAvailable what="Duty under management" />}
      <h2>Top open risks in £</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Alert</th>
            <th scope="col" class="num">
              £ at stake
            </th>
            <th scope="col">Deadline</th>
          </tr>
        </thead>
        <tbody>
          {top.map((a) => (
            <tr>
              <td>
                <Severity value={a.severity} />
              </td>
              <td>
                <a href={`#/alerts/${encodeURIComponent(a.alertId)}`}>{a.title}</a>
              </td>
              <td class="num">{pounds(a.moneyAtStakePence)}</td>
              <td>{deadlineText(a.deadline, a.daysLeft)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

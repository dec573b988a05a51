import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { Chart, preloadCharts } from '../chart';
import { Notice, NotAvailable } from './common';
import { MetricsTable, metricValue } from './metrics';
import { pounds } from '../format';

// Broker (customs agent) scorecards as scoring serves them, a score trend per broker, and a
// drill-down to the metric explanations and to the broker's alerts (the lines behind them).
const SELF = 'SELF';

export function Brokers() {
  const [d, setD] = useState<any>();
  const [error, setError] = useState('');
  const [agent, setAgent] = useState('');
  const [trend, setTrend] = useState<any>();
  const [lines, setLines] = useState<any[]>();
  useEffect(() => {
    preloadCharts();
    api('/api/scorecards/brokers').then(
      (r) => {
        setD(r);
        if (r.scorecards[0]) setAgent(r.scorecards[0].agentId);
      },
      (e) => setError((e as Error).message),
    );
  }, []);
  useEffect(() => {
    if (!agent) return;
    api(`/api/trends/broker/${encodeURIComponent(agent)}`).then(setTrend, () => setTrend({ points: [] }));
    // The lines behind the error metrics: every finding on this broker's entries that alerting
    // holds (all states), with its item and money.
    setLines(undefined);
    // Scoring calls self-representation (declarant = importer) "SELF"; alerting names the EORI.
    const self = agent === SELF;
    api(self ? '/api/alerts?limit=1000&sort=money&state=' : `/api/alerts?broker=${encodeURIComponent(agent)}&limit=500&sort=money&state=`).then(
      (r) => setLines(r.alerts.filter((a: any) => !self || (a.declarantId && a.declarantId === a.importerEori)).flatMap((a: any) => a.findings.map((f: any) => ({ ...f, alertId: a.alertId })))),
      () => setLines([]),
    );
  }, [agent]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!d) return <p>Loading…</p>;
  const card = d.scorecards.find((s: any) => s.agentId === agent);
  const metric = (s: any, n: string) => s.metrics.find((m: any) => m.name === n);
  return (
    <section aria-labelledby="br-h">
      <h1 id="br-h">Brokers — scorecards for {d.month ?? 'no month yet'}</h1>
      {d.scorecards.length === 0 && <NotAvailable what="Broker scorecards (scoring has no history for this tenant)" />}
      <table>
        <thead>
          <tr>
            <th scope="col">Broker</th>
            <th scope="col" class="num">
              Score
            </th>
            <th scope="col" class="num">
              Entries
            </th>
            <th scope="col" class="num">
              Error rate
            </th>
            <th scope="col" class="num">
              Underpaid
            </th>
            <th scope="col" class="num">
              Overpaid
            </th>
            <th scope="col">Peers</th>
          </tr>
        </thead>
        <tbody>
          {d.scorecards.map((s: any) => (
            <tr class={s.agentId === agent ? 'current' : undefined}>
              <td>
                <button type="button" class="link" onClick={() => setAgent(s.agentId)}>
                  {s.agentId}
                </button>
              </td>
              <td class="num">{s.score}</td>
              {['entries', 'error_rate', 'underpaid', 'overpaid'].map((n) => (
                <td class="num">{metric(s, n) ? metricValue(metric(s, n)) : 'not available yet'}</td>
              ))}
              <td>{s.peerPercentile < 0 ? 'no peers to compare' : `beats ${s.peerPercentile} % of ${s.peerCount} peers`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {card && (
        <div class="drill">
          <h2>Broker {card.agentId}</h2>
          <p>{card.scoreExplanation}</p>
          <p>
            {card.agentId === SELF ? (
              'Self-represented entries: the importer declared them itself (declarant = importer).'
            ) : (
              <a href={`#/alerts?broker=${encodeURIComponent(card.agentId)}&state=`}>Alerts on this broker’s entries</a>
            )}
          </p>
          {trend && trend.points.length > 0 ? (
            <Chart
              label={`Score trend of broker ${card.agentId}: ${trend.points.map((p: any) => `${p.month} ${p.score}`).join(', ')}`}
              option={{
                tooltip: { trigger: 'axis' },
                xAxis: { type: 'category', data: trend.points.map((p: any) => p.month) },
                yAxis: { type: 'value', min: 0, max: 100, name: 'score' },
                series: [{ name: 'score', type: 'line', data: trend.points.map((p: any) => p.score) }],
              }}
            />
          ) : (
            <NotAvailable what="A score trend for this broker" />
          )}
          <MetricsTable metrics={card.metrics} caption={`Metrics behind the score of ${card.agentId}`} />
          <table data-testid="broker-lines">
            <caption>
              Lines behind the errors: findings on {card.agentId}’s entries ({lines ? lines.length : '…'})
            </caption>
            <thead>
              <tr>
                <th scope="col">Declaration</th>
                <th scope="col">Item</th>
                <th scope="col">Rule</th>
                <th scope="col">Finding</th>
                <th scope="col" class="num">
                  £ exposure
                </th>
                <th scope="col" class="num">
                  £ reclaim
                </th>
              </tr>
            </thead>
            <tbody>
              {(lines ?? []).slice(0, 200).map((l) => (
                <tr>
                  <td>
                    <a href={`#/declarations/${encodeURIComponent(l.declarationId)}`}>{l.mrn || l.declarationId}</a>
                  </td>
                  <td>{l.itemNumber || 'header'}</td>
                  <td>{l.ruleId}</td>
                  <td>
                    <a href={`#/alerts/${encodeURIComponent(l.alertId)}`}>{l.title}</a>
                  </td>
                  <td class="num">{pounds(Number(l.exposureDutyPence) + Number(l.exposureVatPence))}</td>
                  <td class="num">{pounds(Number(l.reclaimDutyPence) + Number(l.reclaimVatPence))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { deadlineText, pounds } from '../format';
import { Chart, preloadCharts } from '../chart';
import { Severity, Notice } from './common';

// The money about to be lost: open alerts whose 3-year deadline falls in the next 30/90/180 days.
export function Deadlines() {
  const [d, setD] = useState<any>();
  const [error, setError] = useState('');
  useEffect(() => {
    preloadCharts();
    api('/api/deadlines').then(setD, (e) => setError((e as Error).message));
  }, []);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!d) return <p>Loading…</p>;
  const label = `Exposure and reclaim by days left: ${d.buckets.map((b: any) => `next ${b.days} days exposure ${pounds(b.exposurePence)}, reclaim ${pounds(b.reclaimPence)}`).join('; ')}`;
  return (
    <section aria-labelledby="dl-h">
      <h1 id="dl-h">Deadlines</h1>
      <div class="cards">
        {d.buckets.map((b: any) => (
          <div class="money" data-testid={`bucket-${b.days}`}>
            <span class="label">Next {b.days} days</span>
            <span class="amount">{pounds(b.exposurePence + b.reclaimPence)}</span>
            <span class="split">
              {b.alerts} alerts · exposure {pounds(b.exposurePence)} · reclaim {pounds(b.reclaimPence)}
            </span>
          </div>
        ))}
      </div>
      <p data-testid="passed">
        Deadline already passed on {d.passed.alerts} open alert{d.passed.alerts === 1 ? '' : 's'}: exposure {pounds(d.passed.exposurePence)}, reclaim {pounds(d.passed.reclaimPence)} (a reclaim past
        its deadline is lost).
      </p>
      <Chart
        label={label}
        option={{
          tooltip: { trigger: 'axis' },
          legend: {},
          xAxis: { type: 'category', data: d.buckets.map((b: any) => `≤ ${b.days} days`) },
          yAxis: { type: 'value', name: '£' },
          series: [
            { name: 'Exposure £', type: 'bar', data: d.buckets.map((b: any) => b.exposurePence / 100) },
            { name: 'Reclaim £', type: 'bar', data: d.buckets.map((b: any) => b.reclaimPence / 100) },
          ],
        }}
      />
      {d.truncated && <Notice>Only the first 10,000 alerts were counted.</Notice>}
      <table>
        <caption>Open alerts due in the next 180 days, soonest first</caption>
        <thead>
          <tr>
            <th scope="col">Deadline</th>
            <th scope="col">Severity</th>
            <th scope="col">Alert</th>
            <th scope="col" class="num">
              £ exposure
            </th>
            <th scope="col" class="num">
              £ reclaim
            </th>
          </tr>
        </thead>
        <tbody>
          {d.alerts.map((a: any) => (
            <tr>
              <td>{deadlineText(a.deadline, a.daysLeft)}</td>
              <td>
                <Severity value={a.severity} />
              </td>
              <td>
                <a href={`#/alerts/${encodeURIComponent(a.alertId)}`}>{a.title}</a>
              </td>
              <td class="num">{pounds(a.exposurePence)}</td>
              <td class="num">{pounds(a.reclaimPence)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import { pounds } from '../format';

/** A scoring metric as it is served: known or not, with its own explanation. */
export function metricValue(m: any): string {
  if (!m.known) return 'not available yet';
  if (m.unit === 'pence') return pounds(m.value);
  if (m.unit === 'ratio') return `${(Number(m.value) * 100).toFixed(1)} %`;
  return `${m.value}${m.unit && m.unit !== 'count' ? ` ${m.unit}` : ''}`;
}
export function MetricsTable(props: { metrics: any[]; caption: string }) {
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" class="num">
            Value
          </th>
          <th scope="col">How it is computed</th>
        </tr>
      </thead>
      <tbody>
        {props.metrics.map((m) => (
          <tr>
            <td>{m.name.replace(/_/g, ' ')}</td>
            <td class="num">{metricValue(m)}</td>
            <td>{m.explanation}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

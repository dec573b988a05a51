// Charts rendered server-side to SVG with Apache ECharts (the console's charting library, ADR
// 0008): no browser, no script in the document, the same picture in the HTML and the PDF.
import * as echarts from 'echarts';

function svg(width: number, height: number, option: echarts.EChartsCoreOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: 'DejaVu Sans, Arial, sans-serif' }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const pounds = (p: number) => Math.round(p / 100);

export function readinessTrendSvg(points: { month: string; score: number }[]): string {
  return svg(360, 200, {
    title: { text: 'Audit readiness by month (0–100)', textStyle: { fontSize: 11 } },
    grid: { left: 36, right: 12, top: 40, bottom: 28 },
    xAxis: { type: 'category', data: points.map((p) => p.month) },
    yAxis: { type: 'value', min: 0, max: 100 },
    series: [{ type: 'line', data: points.map((p) => p.score), label: { show: points.length <= 8 }, color: '#1f5fa8' }],
  });
}

export function moneyBarsSvg(title: string, rows: { label: string; exposurePence: number; reclaimPence: number }[]): string {
  return svg(360, Math.max(160, 60 + rows.length * 22), {
    title: { text: `${title} (£)`, textStyle: { fontSize: 11, width: 340, overflow: 'break' } },
    legend: { data: ['exposure', 'reclaim'], left: 0, top: 30 },
    grid: { left: 120, right: 16, top: 56, bottom: 20 },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.label) },
    series: [
      { name: 'exposure', type: 'bar', stack: 'm', data: rows.map((r) => pounds(r.exposurePence)), color: '#b3261e' },
      { name: 'reclaim', type: 'bar', stack: 'm', data: rows.map((r) => pounds(r.reclaimPence)), color: '#2e7d32' },
    ],
  });
}

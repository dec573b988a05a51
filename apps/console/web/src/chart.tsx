// Apache ECharts, tree-shaken to the chart types the console uses and loaded only by views that
// draw a chart (a separate chunk, so the alert queue does not parse it). Canvas output, so no
// inline style attributes (the page's CSP allows none); each chart has a text alternative for
// screen readers and axe.
import { useEffect, useRef } from 'preact/hooks';
import type { EChartsCoreOption, ECharts } from 'echarts/core';

let loading: Promise<typeof import('./echarts')> | undefined;
const loadEcharts = () => (loading ??= import('./echarts'));
/** Views with charts start fetching ECharts as they mount, alongside their data. */
export const preloadCharts = () => void loadEcharts();

export function Chart(props: { option: EChartsCoreOption; label: string; height?: 'short' | 'tall' }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | undefined>(undefined);
  const option = useRef(props.option);
  option.current = props.option;
  useEffect(() => {
    let disposed = false;
    const onResize = () => chart.current?.resize();
    void loadEcharts().then(({ echarts }) => {
      if (disposed || !el.current) return;
      chart.current = echarts.init(el.current, undefined, { renderer: 'canvas' });
      chart.current.setOption({ animation: false, ...option.current }, true);
      window.addEventListener('resize', onResize);
    });
    return () => {
      disposed = true;
      window.removeEventListener('resize', onResize);
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    // No animation: figures appear at once (and respect people who prefer reduced motion).
    chart.current?.setOption({ animation: false, ...props.option }, true);
  }, [props.option]);
  return <div ref={el} class={`chart ${props.height ?? 'short'}`} role="img" aria-label={props.label} />;
}

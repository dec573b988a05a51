// Stale FX is an operational fault, not a data answer: declarations of the current month cannot
// be priced until HMRC's file for it is loaded. A warning whenever the state changes; the number
// of months behind feeds the gauge (alert CustomsReferenceFxStale in infra/prometheus/alerts.yml).
import type { Logger } from '@customs/telemetry';
import { fxMonthsBehind } from './fx-freshness';
import type { ReferenceStore } from './store';

export function fxStalenessWatch(store: ReferenceStore, logger: Logger, today: () => string): () => number {
  let lastState = '';
  return () => {
    const f = fxMonthsBehind(store.fxCoverage()?.to, today());
    const state = `${f.behind}|${f.latest}`;
    if (state !== lastState) {
      lastState = state;
      if (f.behind > 0)
        logger.warn(
          { latestMonth: f.latest, currentMonth: today().slice(0, 7), monthsBehind: f.behind },
          'HMRC exchange rates are stale: the current month is not loaded, so current declarations in foreign currency are not priced',
        );
      else logger.info({ latestMonth: f.latest }, 'HMRC exchange rates cover the current month');
    }
    return f.behind;
  };
}

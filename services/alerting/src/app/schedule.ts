// The scheduled pass (deadlines move with the calendar): a timer in the app, clock injected.
import type { Logger } from '@customs/telemetry';
import type { Correlator } from './correlate';

export interface Schedule {
  /** Runs one pass now (and waits for a pass already running). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startSchedule(correlator: Correlator, intervalMs: number, logger: Logger): Schedule {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const pass = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const changed = await correlator.tick();
        if (changed.length) logger.info({ changes: changed.length }, 'deadline pass: alerts raised, escalated or expired');
      } catch (e) {
        logger.warn({ err: e }, 'deadline pass failed; retried on the next tick');
      }
    });
    return running;
  };
  const timer = setInterval(() => void pass(), intervalMs);
  timer.unref();
  void pass();
  return {
    runNow: pass,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

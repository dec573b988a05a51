import { ConfigError, EXIT_CONFIG } from '@customs/config';
import type { Logger } from '@customs/telemetry';

/** Something started that must be stopped on shutdown. */
export interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

/**
 * Keeps what a service started and stops it in reverse order, so inputs (HTTP, consumers) stop
 * before what they write to (outbox relay, database): in-flight work finishes and nothing is lost.
 */
export class Lifecycle {
  private readonly started: Stoppable[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Registers a started component. */
  add(name: string, stop: () => Promise<void>): void {
    this.started.push({ name, stop });
  }

  /** Stops everything (idempotent), each with a timeout, logging failures without aborting. */
  stop(timeoutMs = 15000): Promise<void> {
    this.stopping ??= (async () => {
      for (const s of [...this.started].reverse()) {
        const t0 = Date.now();
        try {
          await Promise.race([s.stop(), new Promise((_, rej) => setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref())]);
          this.logger.info({ component: s.name, ms: Date.now() - t0 }, 'stopped');
        } catch (e) {
          this.logger.error({ err: e, component: s.name }, 'stop failed');
        }
      }
    })();
    return this.stopping;
  }
}

/**
 * Runs a service's main: starts it, stops it cleanly on SIGTERM/SIGINT, and exits non-zero with
 * a readable message when start-up fails: EXIT_CONFIG (78) for a configuration error found at
 * start-up (an unreadable API_TOKENS_FILE …), 1 for anything else (an unreachable database …).
 */
export function runMain(name: string, start: () => Promise<{ stop(): Promise<void> }>, logger: Pick<Logger, 'info' | 'error' | 'fatal'>): void {
  let handle: { stop(): Promise<void> } | undefined;
  const shutdown = (signal: string) => {
    logger.info({ signal }, `${name} shutting down`);
    void (handle?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
      (e) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  start().then(
    (h) => {
      handle = h;
    },
    (e) => {
      logger.fatal({ err: e }, `${name} failed to start: ${(e as Error).message}`);
      process.exit(e instanceof ConfigError ? EXIT_CONFIG : 1);
    },
  );
}

export * from './platform';
export * from './access';
export * from './audit';
export * from './migrate';

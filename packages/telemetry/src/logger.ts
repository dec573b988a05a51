import pino, { type Logger } from 'pino';
import { context, trace } from '@opentelemetry/api';

export type { Logger };

/**
 * JSON logs with service, trace_id/span_id of the active span; callers add `tenant` with
 * `logger.child({ tenant })`. Secrets are redacted by key name wherever they appear.
 */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: { paths: ['*.password', '*.token', '*.authorization', 'authorization', 'password', 'token', '*.headers.authorization', 'DATABASE_URL', '*.DATABASE_URL'], censor: '[redacted]' },
    mixin() {
      const sc = trace.getSpan(context.active())?.spanContext();
      return sc && trace.isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

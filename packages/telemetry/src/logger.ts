import pino, { type Logger } from 'pino';
import { context, trace } from '@opentelemetry/api';
import { LOG_LEVELS } from '@customs/config';
import { activeTenant } from './tracing';

export type { Logger };

/** The levels LOG_LEVEL accepts (@customs/config's, which refuses anything else by name). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The fields a log line gets from the active context: trace_id and span_id of the active span
 * (a request's server span, a consumed message's processing span) and the tenant it acts for.
 * Empty outside a request or message, so start-up and relay lines stay short.
 */
export function contextLogFields(): { trace_id?: string; span_id?: string; tenant?: string } {
  const ctx = context.active();
  const sc = trace.getSpan(ctx)?.spanContext();
  const fields: { trace_id?: string; span_id?: string; tenant?: string } = {};
  if (sc && trace.isSpanContextValid(sc)) {
    fields.trace_id = sc.traceId;
    fields.span_id = sc.spanId;
  }
  const tenant = activeTenant(ctx);
  if (tenant) fields.tenant = tenant;
  return fields;
}

/** Marks a logger whose bindings already carry trace_id/span_id (a request's logger). */
const TRACE_BOUND = Symbol.for('customs.telemetry.traceBound');

/**
 * Marks a child logger that was bound to a request's trace_id/span_id (and tenant), so its lines
 * do not get them twice from the context; children of it inherit the mark.
 */
export function markTraceBound<L extends object>(logger: L): L {
  (logger as { [TRACE_BOUND]?: boolean })[TRACE_BOUND] = true;
  return logger;
}

/**
 * JSON logs with service, and trace_id/span_id/tenant of the active context (contextLogFields).
 * Secrets are redacted by key name wherever they appear. `destination` is for tests that read
 * the lines back; services log to stdout.
 */
export function createLogger(service: string, level: LogLevel | string = 'info', destination?: pino.DestinationStream): Logger {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    redact: { paths: ['*.password', '*.token', '*.authorization', 'authorization', 'password', 'token', '*.headers.authorization', 'DATABASE_URL', '*.DATABASE_URL'], censor: '[redacted]' },
    mixin: (_line, _level, logger) => ((logger as { [TRACE_BOUND]?: boolean })[TRACE_BOUND] ? {} : contextLogFields()),
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}

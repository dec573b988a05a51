import { context, createContextKey, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

export { SpanKind, SpanStatusCode, context, trace };
export type { Context, Span };

let started: { shutdown(): Promise<void> } | undefined;

/** Where the tenant of a request or consumed message travels with its trace context (for logs). */
const TENANT_KEY = createContextKey('customs.tenant');

/** The context with the tenant a request or message acts for; log lines inside it carry `tenant`. */
export function withTenant(ctx: Context, tenant: string): Context {
  return ctx.setValue(TENANT_KEY, tenant);
}

/** The tenant of the active context, if a request or message set one. */
export function activeTenant(ctx: Context = context.active()): string | undefined {
  const t = ctx.getValue(TENANT_KEY);
  return typeof t === 'string' ? t : undefined;
}

export interface TelemetryOptions {
  serviceName: string;
  /** OTLP/HTTP base URL (the collector's :4318); spans are exported only when it is set. */
  otlpEndpoint?: string;
  /** Headers sent with every export (an API key of a hosted backend). */
  otlpHeaders?: Record<string, string>;
}

/**
 * Starts tracing for a service process: a tracer provider, the async-hooks context manager and
 * W3C propagation are always set up, so every request and message gets real trace and span ids
 * (in its logs and its Kafka traceparent) whether or not an exporter is configured; spans leave
 * the process only when otlpEndpoint is set. Call before the service's own modules are required
 * so the pg/http require hooks can patch them.
 *
 * One server span per request: @customs/http makes it (explicitly, so it also works under jest,
 * where require hooks do not), so the http instrumentation traces outgoing calls only. Kafka and
 * gRPC spans are made by @customs/kafka and @customs/grpc themselves for the same reason.
 * A no-op when tracing was already set up in this process (e.g. by a test harness).
 */
export function startTelemetry(opts: TelemetryOptions): { shutdown(): Promise<void> } {
  if (started) return started;
  const spanProcessors: SpanProcessor[] = [];
  if (opts.otlpEndpoint) {
    const exporter = new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces`, headers: opts.otlpHeaders });
    spanProcessors.push(new BatchSpanProcessor({ exporter }));
  }
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': opts.serviceName }), spanProcessors });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new HttpInstrumentation({ disableIncomingRequestInstrumentation: true }), new PgInstrumentation()],
  });
  started = {
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
  return started;
}

/**
 * In-process tracing with an in-memory exporter, for tests that assert on spans (several
 * services in one process share it). Returns the exporter.
 */
export function startInMemoryTracing(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  started = { shutdown: () => provider.shutdown() };
  return exporter;
}

/** The tracer of a component. */
export function tracer(name: string): Tracer {
  return trace.getTracer(name);
}

/** Writes W3C traceparent/tracestate of the active (or given) context into a carrier. */
export function injectTrace(carrier: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, carrier);
  return carrier;
}

/** Reads trace context from a carrier (Kafka headers, gRPC metadata) into a Context. */
export function extractTrace(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), carrier, {
    get: (c, k) => c[k],
    keys: (c) => Object.keys(c),
  });
}

/** The active trace id, or undefined outside a span. */
export function activeTraceId(): string | undefined {
  const sc = trace.getSpan(context.active())?.spanContext();
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

/** Runs fn in a new span (child of ctx or the active context), recording errors. */
export async function inSpan<T>(
  t: Tracer,
  name: string,
  opts: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; parent?: Context; links?: { context: ReturnType<Span['spanContext']> }[] },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = opts.parent ?? context.active();
  return t.startActiveSpan(name, { kind: opts.kind, attributes: opts.attributes, links: opts.links }, parent, async (span) => {
    try {
      const r = await fn(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return r;
    } catch (e) {
      span.recordException(e as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
      throw e;
    } finally {
      span.end();
    }
  });
}

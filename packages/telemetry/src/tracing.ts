import { context, propagation, trace, type Context, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';

export { SpanKind, SpanStatusCode, context, trace };
export type { Context, Span };

let started: { shutdown(): Promise<void> } | undefined;

/**
 * Starts OpenTelemetry for a service process. Call before the service's own modules are
 * required so the pg/http require hooks can patch them. Kafka and gRPC spans are made by
 * @customs/kafka and @customs/grpc themselves (explicit, and they also work under jest, where
 * require hooks do not), so their auto-instrumentations are not enabled (see docs/adr/0002).
 * A no-op when tracing was already set up in this process (e.g. by a test harness).
 */
export function startTelemetry(opts: { serviceName: string; otlpEndpoint?: string }): { shutdown(): Promise<void> } {
  if (started) return started;
  const spanProcessors: SpanProcessor[] = [];
  if (opts.otlpEndpoint) spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${opts.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }) }));
  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors,
    instrumentations: [new HttpInstrumentation(), new PgInstrumentation()],
  });
  sdk.start();
  started = { shutdown: () => sdk.shutdown() };
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

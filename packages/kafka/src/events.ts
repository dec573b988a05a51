import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind, TraceFlags, context, defaultTextMapGetter, defaultTextMapSetter, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { TopicDef } from '@customs/contracts';
import { tracer } from '@customs/telemetry';

/** A message ready to be stored in an outbox or produced: encoded payload + CloudEvents headers. */
export interface EncodedEvent {
  topic: string;
  key: string;
  payload: Uint8Array;
  headers: Record<string, string>;
}

/**
 * The tenant, as a CloudEvents extension attribute ("tenant" → Kafka header "ce_tenant"), so the
 * CloudEvents SDK and any binding-aware tool sees it as part of the event.
 */
export const TENANT_HEADER = 'ce_tenant';
/**
 * Headers of events produced before the binding was followed exactly: "tenant" instead of
 * "ce_tenant" and "content_type" instead of "content-type". Consumers still read them for one
 * release so messages already in topics (and DLQs, and external producers' submissions) keep
 * flowing; see docs/kafka.md "Headers".
 */
export const LEGACY_TENANT_HEADER = 'tenant';
export const LEGACY_CONTENT_TYPE_HEADER = 'content_type';

/** The tenant an event names: its ce_tenant extension, else (old-style message) its tenant header; '' when neither. */
export function tenantOf(headers: Record<string, string>): string {
  return headers[TENANT_HEADER] ?? headers[LEGACY_TENANT_HEADER] ?? '';
}

/** The content type of an event's protobuf payload (Kafka header "content-type"). */
export function protobufContentType(typeName: string): string {
  return `application/protobuf; messageType=${typeName}`;
}

/** Fields of one event to build (CloudEvents 1.0 Kafka protocol binding, binary content mode). */
export interface EventSpec<T> {
  topic: TopicDef<T>;
  key: string;
  value: T;
  tenant: string;
  /** Producing service, e.g. "validation" → ce_source "/customs/validation". */
  source: string;
  /** What the event is about, e.g. the declaration id. */
  subject?: string;
  /** Deterministic id when the producer can derive one (makes retries idempotent). */
  id?: string;
  /** Trace context to continue; defaults to the active context. */
  parent?: Context;
  time?: Date;
}

/**
 * Encodes an event with the headers of the CloudEvents Kafka binding (binary mode: ce_specversion,
 * ce_id, ce_source, ce_type, ce_time, optional ce_subject, "content-type", and the tenant as the
 * ce_tenant extension) plus W3C trace context (traceparent, tracestate). traceparent is always
 * there: @customs/telemetry registers the W3C propagator and a tracer provider with or without an
 * OTLP exporter, and a consumer continues the trace from it.
 */
export function buildEvent<T>(spec: EventSpec<T>): EncodedEvent {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: spec.id ?? randomUUID(),
    ce_type: spec.topic.name,
    ce_source: `/customs/${spec.source}`,
    ce_time: (spec.time ?? new Date()).toISOString(),
    'content-type': protobufContentType(spec.topic.codec.typeName),
    [TENANT_HEADER]: spec.tenant,
  };
  if (spec.subject) headers.ce_subject = spec.subject;
  injectMessageTrace(headers, traceFor(spec.parent ?? context.active(), spec.topic.name));
  return { topic: spec.topic.name, key: spec.key, payload: spec.topic.codec.encode(spec.value), headers };
}

const eventsTracer = tracer('@customs/kafka');

/**
 * W3C trace context on message headers (traceparent, tracestate), with this package's own
 * propagator rather than the API's global one: the global is a no-op until a process registers
 * one, and a message must carry its trace from any process (a CLI, a test, a service).
 */
const messagePropagator = new W3CTraceContextPropagator();

/** Writes traceparent/tracestate of `ctx` into message headers. */
export function injectMessageTrace(headers: Record<string, string>, ctx: Context): void {
  messagePropagator.inject(ctx, headers, defaultTextMapSetter);
}

/** The trace context a message's headers carry (on top of the active context). */
export function extractMessageTrace(headers: Record<string, string>): Context {
  return messagePropagator.extract(context.active(), headers, defaultTextMapGetter);
}

/**
 * The context whose trace an event carries. Inside a request, a consumed message or a job's span
 * it is that span's. An event built outside any span (a timer, a start-up task) starts a trace of
 * its own: a PRODUCER root span ended at once, so the message and whatever it causes are one
 * trace. Where no tracer provider is registered at all (a bare script), the API's no-op span has
 * no ids; the event then gets a fresh sampled W3C context, so traceparent is never missing.
 */
function traceFor(parent: Context, topic: string): Context {
  const active = trace.getSpan(parent)?.spanContext();
  if (active && trace.isSpanContextValid(active)) return parent;
  const root = eventsTracer.startSpan(`${topic} publish`, { kind: SpanKind.PRODUCER, root: true, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic } });
  root.end();
  if (trace.isSpanContextValid(root.spanContext())) return trace.setSpan(parent, root);
  return trace.setSpanContext(parent, { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: TraceFlags.SAMPLED, isRemote: false });
}

/** Converts kafkajs header values (Buffer | string | array) into plain strings. */
export function headersToStrings(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [k, v] of Object.entries(h)) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one === undefined || one === null) continue;
    out[k] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  }
  return out;
}

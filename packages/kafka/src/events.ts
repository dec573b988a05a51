import { randomUUID } from 'node:crypto';
import type { Context } from '@opentelemetry/api';
import type { TopicDef } from '@customs/contracts';
import { injectTrace } from '@customs/telemetry';

/** A message ready to be stored in an outbox or produced: encoded payload + CloudEvents headers. */
export interface EncodedEvent {
  topic: string;
  key: string;
  payload: Uint8Array;
  headers: Record<string, string>;
}

/** Fields of one event to build (CloudEvents 1.0 Kafka binary binding, DESIGN.md §3). */
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

/** Encodes an event with its CloudEvents, traceparent and tenant headers. */
export function buildEvent<T>(spec: EventSpec<T>): EncodedEvent {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: spec.id ?? randomUUID(),
    ce_type: spec.topic.name,
    ce_source: `/customs/${spec.source}`,
    ce_time: (spec.time ?? new Date()).toISOString(),
    content_type: `application/protobuf; messageType=${spec.topic.codec.typeName}`,
    tenant: spec.tenant,
  };
  if (spec.subject) headers.ce_subject = spec.subject;
  injectTrace(headers, spec.parent);
  return { topic: spec.topic.name, key: spec.key, payload: spec.topic.codec.encode(spec.value), headers };
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

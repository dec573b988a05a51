import type { DatasetChanged, DeclarationReceived } from '@customs/contracts';
import type { ConsumedEvent, DeadLetter } from '@customs/kafka';
import type { NotCheckedEntry } from '../db/not-checked-repo';
import type { CheckResult } from './check-batch';

// What validation could not check, as not_checked entries (db/not-checked-repo.ts). Pure builders:
// one per way a declaration escapes its check, each with a dedupe key naming the occurrence so a
// redelivered batch or a repeated re-evaluation records it once.

/** Where an entry's declaration came from: a consumed event, or a re-evaluation. */
export type NotCheckedSource = { event: ConsumedEvent<unknown>; consumerGroup: string } | { evaluationId: string };

function origin(source: NotCheckedSource): Pick<NotCheckedEntry, 'consumerGroup' | 'topic' | 'partition' | 'offset' | 'eventId'> & { key: string } {
  if ('evaluationId' in source) return { consumerGroup: '', topic: '', partition: null, offset: null, eventId: source.evaluationId, key: `reevaluation/${source.evaluationId}` };
  const e = source.event;
  return {
    consumerGroup: source.consumerGroup,
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    eventId: e.eventId,
    key: `kafka/${source.consumerGroup}/${e.topic}/${e.partition}/${e.offset}`,
  };
}

/** The rules of a checked declaration that could not decide (the rest of its check stands). */
export function undecidedEntries(r: CheckResult, source: NotCheckedSource): NotCheckedEntry[] {
  const o = origin(source);
  const d = r.declaration;
  const also = 'evaluationId' in source ? '; its findings from the previous evaluation were kept' : '';
  return r.undecided.map((u) => ({
    tenantId: d.tenantId,
    declarationId: d.declarationId,
    declarationVersion: d.version,
    mrn: d.mrn,
    lrn: d.lrn,
    ruleId: u.ruleId,
    itemNumber: u.itemNumber,
    cause: u.cause === 'failed' ? ('rule_failed' as const) : ('rule_not_checked' as const),
    // Only a failed rule's earlier findings were kept; one that could not decide ran.
    reason: u.cause === 'failed' ? `${u.reason}${also}` : `rule ${u.ruleId} not checked on ${u.itemNumber ? `item ${u.itemNumber}` : 'the declaration'}, because ${u.reason}`,
    consumerGroup: o.consumerGroup,
    topic: o.topic,
    partition: o.partition,
    offset: o.offset,
    eventId: o.eventId,
    // A failure is an occurrence (each delivery or re-evaluation that failed); "could not decide"
    // is a fact about the declaration version and rule version: re-evaluating it records nothing new.
    dedupeKey:
      u.cause === 'failed'
        ? `${o.key}/${d.tenantId}/${d.declarationId}/${d.version}/${u.ruleId}@${u.ruleVersion}`
        : `not-decided/${d.tenantId}/${d.declarationId}/${d.version}/${u.ruleId}@${u.ruleVersion}/${u.itemNumber}/${u.reason.slice(0, 200)}`,
  }));
}

/**
 * Why a received event cannot be checked at all, or undefined: no declaration in it, or one of
 * another tenant than the event's tenant header (identity then withheld: the header's tenant
 * must not see another tenant's declaration), or `uncheckable` (an impossible acceptance date).
 */
export function unusableEventEntry(
  ev: ConsumedEvent<DeclarationReceived>,
  consumerGroup: string,
  uncheckable: (d: NonNullable<DeclarationReceived['declaration']>) => string | undefined,
): NotCheckedEntry | undefined {
  const d = ev.value.declaration;
  const o = origin({ event: ev as ConsumedEvent<unknown>, consumerGroup });
  const base = {
    tenantId: ev.tenant,
    ruleId: '',
    cause: 'unusable_event' as const,
    consumerGroup: o.consumerGroup,
    topic: o.topic,
    partition: o.partition,
    offset: o.offset,
    eventId: o.eventId,
    dedupeKey: o.key,
  };
  if (!d) return { ...base, declarationId: '', declarationVersion: null, mrn: '', lrn: '', reason: 'the event carries no declaration' };
  if (d.tenantId !== ev.tenant)
    return {
      ...base,
      declarationId: '',
      declarationVersion: null,
      mrn: '',
      lrn: '',
      reason: `the declaration in the event belongs to another tenant than the event's tenant header "${ev.tenant}"; not checked, and its identity is not shown here`,
    };
  const why = uncheckable(d);
  if (!why) return undefined;
  return { ...base, declarationId: d.declarationId, declarationVersion: d.version, mrn: d.mrn, lrn: d.lrn, reason: why };
}

/**
 * A dead-lettered message of one of validation's consumers. The declaration's identity is
 * filled in when the message decoded and belongs to its tenant header; a re-evaluation request
 * (DatasetChanged) names the dataset whose re-evaluation did not happen.
 */
export function deadLetterEntry(dead: DeadLetter<DeclarationReceived> | DeadLetter<DatasetChanged>): NotCheckedEntry {
  const value = dead.event?.value as Partial<DeclarationReceived & DatasetChanged> | undefined;
  const d = value?.declaration && value.declaration.tenantId === dead.tenant ? value.declaration : undefined;
  const what =
    value?.dataset !== undefined
      ? `re-evaluation after reference dataset ${value.dataset}@${value.version ?? ''} was not done`
      : dead.event
        ? 'not checked'
        : 'the message could not be read, so its declaration is unknown';
  return {
    tenantId: dead.tenant,
    declarationId: d?.declarationId ?? '',
    declarationVersion: d ? d.version : null,
    mrn: d?.mrn ?? '',
    lrn: d?.lrn ?? '',
    ruleId: '',
    cause: 'dead_lettered',
    reason: `${what}: ${dead.error} (message sent to ${dead.dlqTopic})`,
    consumerGroup: dead.groupId,
    topic: dead.topic,
    partition: dead.partition,
    offset: dead.offset,
    eventId: dead.headers.ce_id ?? '',
    dedupeKey: `kafka/${dead.groupId}/${dead.topic}/${dead.partition}/${dead.offset}`,
  };
}

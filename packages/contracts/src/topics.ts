import { DeclarationReceived, Submission } from './generated/customs/v1/declaration';
import { DefermentStatementReceived, ErpReceiptsReceived } from './generated/customs/v1/reconciliation';
import { DeclarationChecked, FindingRaised } from './generated/customs/v1/finding';
import { ScoreUpdated } from './generated/customs/v1/score';
import { AlertChanged } from './generated/customs/v1/alert';
import { DatasetChanged } from './generated/customs/v1/reference';
import { CaseChanged, DraftChanged, ReportPublished } from './generated/customs/v1/report';

/** Encode/decode pair for one protobuf message type carried on a topic. */
export interface MessageCodec<T> {
  readonly typeName: string;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

interface TsProtoMessage<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

function codec<T>(typeName: string, m: TsProtoMessage<T>): MessageCodec<T> {
  return { typeName, encode: (v) => m.encode(v).finish(), decode: (b) => m.decode(b) };
}

/** A topic and the message type it carries; the CloudEvents `ce_type` is `<topic>` itself. */
export interface TopicDef<T> {
  readonly name: string;
  readonly codec: MessageCodec<T>;
}

function topic<T>(name: string, c: MessageCodec<T>): TopicDef<T> {
  return { name, codec: c };
}

/**
 * Every event topic of the platform, with its codec. Partitions live in infra/kafka/topics.json
 * (the one file the topic creator reads); a unit test keeps the two in step.
 */
export const Topics = {
  submission: topic('ingestion.submission.v1', codec('customs.v1.Submission', Submission)),
  declarationReceived: topic('ingestion.declaration.received.v1', codec('customs.v1.DeclarationReceived', DeclarationReceived)),
  erpReceiptsReceived: topic('ingestion.erp-receipts.received.v1', codec('customs.v1.ErpReceiptsReceived', ErpReceiptsReceived)),
  defermentStatementReceived: topic('ingestion.deferment-statement.received.v1', codec('customs.v1.DefermentStatementReceived', DefermentStatementReceived)),
  datasetChanged: topic('reference.dataset.changed.v1', codec('customs.v1.DatasetChanged', DatasetChanged)),
  validationFindingRaised: topic('validation.finding.raised.v1', codec('customs.v1.FindingRaised', FindingRaised)),
  declarationChecked: topic('validation.declaration.checked.v1', codec('customs.v1.DeclarationChecked', DeclarationChecked)),
  scoringFindingRaised: topic('scoring.finding.raised.v1', codec('customs.v1.FindingRaised', FindingRaised)),
  scoreUpdated: topic('scoring.score.updated.v1', codec('customs.v1.ScoreUpdated', ScoreUpdated)),
  alertChanged: topic('alerting.alert.changed.v1', codec('customs.v1.AlertChanged', AlertChanged)),
  reportPublished: topic('reporting.report.published.v1', codec('customs.v1.ReportPublished', ReportPublished)),
  caseChanged: topic('reporting.case.changed.v1', codec('customs.v1.CaseChanged', CaseChanged)),
  draftChanged: topic('reporting.draft.changed.v1', codec('customs.v1.DraftChanged', DraftChanged)),
} as const;

/** Dead-letter topic of a consumer group (one per group, declared in infra/kafka/topics.json; docs/kafka.md). */
export function dlqTopicFor(group: string): string {
  return `${group}.dlq`;
}

/**
 * Message key that keeps one declaration's versions on one partition, in order: the tenant and
 * the declaration id (not the MRN, which a later version may be the first to carry).
 */
export function declarationKey(tenantId: string, declarationId: string): string {
  return `${tenantId}/${declarationId}`;
}

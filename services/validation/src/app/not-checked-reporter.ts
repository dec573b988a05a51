// Nothing validation receives may vanish unseen: whatever it could not check is recorded in
// not_checked (GET /v1/not-checked), counted (alert: infra/prometheus/alerts.yml) and logged as an
// error. Counted after the recording committed, once per occurrence.
import type { Logger } from '@customs/telemetry';
import type { NotCheckedEntry } from '../db/not-checked-repo';

export type NotCheckedReporter = (recorded: readonly NotCheckedEntry[]) => void;

export function notCheckedReporter(logger: Logger, total: { inc(labels: { tenant: string; cause: string }): void }): NotCheckedReporter {
  return (recorded) => {
    for (const e of recorded) {
      total.inc({ tenant: e.tenantId || 'unknown', cause: e.cause });
      logger.error(
        {
          tenant: e.tenantId,
          declarationId: e.declarationId,
          version: e.declarationVersion,
          mrn: e.mrn,
          lrn: e.lrn,
          ruleId: e.ruleId || undefined,
          cause: e.cause,
          reason: e.reason,
          topic: e.topic,
          partition: e.partition,
          offset: e.offset,
        },
        e.ruleId ? 'rule could not decide on a declaration; recorded as not checked' : 'declaration not checked; recorded as not checked',
      );
    }
  };
}

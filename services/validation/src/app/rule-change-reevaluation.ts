// A deploy that changes a rule's version re-evaluates everything stored, once. Runs in the
// background (the reference service may still be starting) and records the new fingerprint only
// after success, so a crash or an unreachable reference service means a retry, not a skipped
// re-evaluation. Two replicas doing it at once is harmless: re-evaluation is idempotent.
import type { Kysely } from '@customs/db';
import type { Logger } from '@customs/telemetry';
import { recordRuleSetFingerprint, storedRuleSetFingerprint } from '../db/findings-repo';
import type { ValidationDb } from '../db/migrations';
import { RULES, ruleSetFingerprint } from '../rules';
import type { NotCheckedReporter } from './not-checked-reporter';
import { reevaluateStored } from './persist-checks';
import type { ReferencePort } from './reference-port';

const RETRY_MS = 30_000;

/** Starts the check (after a second, retried every 30 s until it succeeds); returns its stop. */
export function startRuleChangeReevaluation(deps: { db: Kysely<ValidationDb>; reference: ReferencePort; logger: Logger; onNotChecked: NotCheckedReporter }): () => void {
  const { db, reference, logger, onNotChecked } = deps;
  let stopped = false;
  const fingerprint = ruleSetFingerprint(RULES);
  const reevaluateOnRuleChange = async (): Promise<void> => {
    const stored = await storedRuleSetFingerprint(db);
    if (stored !== undefined && stored !== fingerprint) {
      const report = await reevaluateStored(db, RULES, reference, { evaluationId: `rules:${fingerprint}`, onNotChecked }, () => new Date());
      logger.info({ fingerprint, previous: stored, ...report }, 're-evaluated declarations after a rule version change');
    }
    await recordRuleSetFingerprint(db, fingerprint);
  };
  const retry = (delayMs: number): void => {
    const t = setTimeout(() => {
      reevaluateOnRuleChange().catch((err: unknown) => {
        logger.warn({ err, retryInMs: RETRY_MS }, 'rule-change re-evaluation failed; will retry');
        if (!stopped) retry(RETRY_MS);
      });
    }, delayMs);
    t.unref();
  };
  retry(1000);
  return () => {
    stopped = true;
  };
}

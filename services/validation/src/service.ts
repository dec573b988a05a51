// Composition of the validation service: adapters around the checking use cases, nothing decided here.
import { startPlatformService, type RunningService } from '@customs/service';
import { notCheckedReporter } from './app/not-checked-reporter';
import { startRuleChangeReevaluation } from './app/rule-change-reevaluation';
import { migrations, type ValidationDb } from './db/migrations';
import { createReferenceClient } from './grpc/reference-client';
import { registerGrpc } from './grpc/validation-grpc';
import { registerDraftCheckRoutes } from './http/draft-check-routes';
import { registerNotCheckedRoutes } from './http/not-checked-routes';
import { registerRoutes } from './http/routes';
import { registerConsumers } from './kafka/consumers';
import { RULES } from './rules';
import type { ValidationConfig } from './config';

/** Starts the validation service: consumes declarations, evaluates the rules, publishes findings. */
export async function startValidationService(config: ValidationConfig): Promise<RunningService> {
  return startPlatformService<ValidationDb>({
    name: 'validation',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      const reference = createReferenceClient(config.REFERENCE_GRPC_ADDRESS, config.SERVICE_TOKEN, kit.metrics);
      kit.lifecycle.add('reference-client', async () => reference.close());
      const findingsRaised = kit.metrics.counter('customs_findings_raised_total', 'Findings raised, by rule', ['rule']);
      const notChecked = notCheckedReporter(
        kit.logger,
        kit.metrics.counter(
          'customs_declarations_not_checked_total',
          'Declarations (or one rule on a declaration) validation could not check, by tenant and cause (dead_lettered, unusable_event, rule_failed, rule_not_checked); see GET /v1/not-checked',
          ['tenant', 'cause'],
        ),
      );

      registerConsumers(kit, { db, reference, notChecked, findingsRaised });
      const stopReevaluation = startRuleChangeReevaluation({ db, reference, logger: kit.logger, onNotChecked: notChecked });
      kit.lifecycle.add('rule-change-reevaluation', async () => stopReevaluation());

      registerGrpc(kit.grpc, { db, reference });
      registerRoutes(kit.http, db);
      registerNotCheckedRoutes(kit.http, db);
      registerDraftCheckRoutes(kit.http, db, RULES, reference);
    },
  });
}

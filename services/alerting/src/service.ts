// Composition of the alerting service: adapters around the use cases, nothing decided here.
import { startPlatformService, type PlatformKit, type RunningService } from '@customs/service';
import { Correlator, type Clock } from './app/correlate';
import { startSchedule } from './app/schedule';
import { TariffChangeAlerts } from './app/tariff-alerts';
import { Triage } from './app/triage';
import { AlertRepo } from './db/alert-repo';
import { listenForChanges } from './db/change-listener';
import { LaneRepo } from './db/lane-repo';
import { migrations, type AlertingDb } from './db/migrations';
import { registerDelivery } from './delivery';
import { registerGrpc } from './grpc/alerting-grpc';
import { registerRoutes } from './http/routes';
import { ListRepo } from './db/list-repo';
import { registerConsumers } from './kafka/consumers';
import { registerTariffChangeConsumers } from './kafka/tariff-consumers';
import { loadAlertRules } from './rule-files';
import type { AlertingConfig } from './config';

export { loadAlertRules };

/** Starts the alerting service; `clock` is injectable so deadline tests can move time. */
export async function startAlertingService(config: AlertingConfig, opts: { clock?: Clock } = {}): Promise<RunningService> {
  const rules = loadAlertRules(config.ALERT_RULES_DIR);
  const clock: Clock = opts.clock ?? { now: () => new Date() };
  return startPlatformService<AlertingDb>({
    name: 'alerting',
    config,
    migrations,
    async setup(kit) {
      kit.logger.info({ rules: rules.map((r) => `${r.id}:${r.type}@${r.hash.slice(0, 12)}`) }, 'alert rules loaded');
      // OpenAPI from the route schemas: @customs/http serves it at /openapi.json (public) and
      // /docs; /v1/openapi.json stays for clients that read it there.
      kit.http.get('/v1/openapi.json', { schema: { hide: true } }, async () => kit.http.swagger());

      const repo = new AlertRepo(kit.db.db);
      const correlator = new Correlator(repo, rules, clock);
      const changes = await listenForChanges(kit.db.pool, kit.logger);
      kit.lifecycle.add('alert-listener', () => changes.close());

      registerConsumers(kit as PlatformKit<unknown>, correlator);
      registerTariffChangeConsumers(kit as PlatformKit<unknown>, new TariffChangeAlerts(repo, new LaneRepo(kit.db.db), rules, clock));
      registerGrpc(kit.grpc, { repo, changes, clock });
      registerRoutes(kit.http, { repo, lists: new ListRepo(kit.db.db), triage: new Triage(repo, clock), rules, clock });
      const schedule = startSchedule(correlator, config.DEADLINE_TICK_MS, kit.logger);
      kit.lifecycle.add('deadline-schedule', () => schedule.stop());
      // Webhooks, SSE and syslog CEF (src/delivery), reading alert_history after their cursors.
      await registerDelivery(kit as PlatformKit<unknown>, { config });
    },
  });
}

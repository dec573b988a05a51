/**
 * Wiring of the delivery channels (webhooks, SSE, syslog CEF) into the alerting service: one
 * call from service.ts's setup. The channels read alert_history (cursor = stream position) and
 * are woken by the core's NOTIFY on `alerting_changes`; they never write alerts.
 */
import fastifySse from '@fastify/sse';
import type { PlatformKit } from '@customs/service';
import { ChangeListener, DeliveryRepo, type DeliveryKysely } from '../db/delivery-repo';
import { registerDeliveryRoutes } from '../http/delivery-routes';
import type { DeliveryConfig } from './config';
import { ChangeCache, Wakeup } from './history';
import { HistoryTail } from './sse';
import { SyslogDispatcher } from './syslog';
import { WebhookDispatcher } from './webhook';

export const CHANGES_CHANNEL = 'alerting_changes';

export interface DeliveryHandle {
  webhooks: WebhookDispatcher;
  syslog: SyslogDispatcher;
}

export async function registerDelivery(kit: PlatformKit<unknown>, deps: { config: DeliveryConfig }): Promise<DeliveryHandle> {
  const { config } = deps;
  const logger = kit.logger.child({ component: 'delivery' });
  const repo = new DeliveryRepo(kit.db.db as unknown as DeliveryKysely);
  const wakeup = new Wakeup();
  const cache = new ChangeCache();
  const webhooks = new WebhookDispatcher(repo, config, logger, wakeup, cache, kit.metrics);
  const syslog = new SyslogDispatcher(repo, config, logger, wakeup, cache, kit.metrics);
  const closing = new AbortController();
  const tail = new HistoryTail(repo, wakeup, config.DELIVERY_POLL_MS, logger);

  const listener = new ChangeListener({
    url: config.DATABASE_URL,
    channel: CHANGES_CHANNEL,
    onChange: () => wakeup.wake(),
    onLeadership: (leader) => {
      logger.info({ leader }, leader ? 'delivering webhooks and syslog from this replica' : 'lost the delivery lead; dispatchers paused');
      if (leader) {
        webhooks.start();
        syslog.start();
      } else {
        void webhooks.stop();
        void syslog.stop();
      }
    },
    onError: (e) => logger.warn({ err: e }, 'delivery LISTEN connection failed; reconnecting (channels poll meanwhile)'),
  });
  // A standby replica keeps asking for the lead, so it takes over when the leader goes.
  const standby = setInterval(() => void listener.tryLead(), 5_000);
  standby.unref();

  await kit.http.register(fastifySse, { heartbeatInterval: config.SSE_HEARTBEAT_MS });
  // Open SSE streams end before HTTP closes (fastify waits for in-flight responses).
  kit.http.addHook('preClose', async () => closing.abort());
  registerDeliveryRoutes(kit.http, {
    repo,
    config,
    wakeup,
    cache,
    tail,
    closing: closing.signal,
    sendTest: (sub) => webhooks.sendTest(sub),
    changed: (kind) => void (kind === 'webhook' ? webhooks.refresh() : syslog.refresh()),
  });

  await listener.start();
  kit.lifecycle.add('delivery', async () => {
    clearInterval(standby);
    closing.abort();
    await Promise.all([webhooks.stop(), syslog.stop(), tail.stop()]);
    await listener.stop();
  });
  return { webhooks, syslog };
}

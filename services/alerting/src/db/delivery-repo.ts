/**
 * Every SQL statement of the delivery channels: reading alert_history after a cursor (the
 * contract with the alerting core), webhook subscriptions, their retry queue / dead letters and
 * attempt log, syslog destinations, and the LISTEN connection that wakes the channels.
 * Hot-path writes are batched: one transaction settles a whole batch of deliveries.
 */
import { Client } from 'pg';
import { sql, withAllTenants, withTenant, type Kysely } from '@customs/db';
import type { Selectable } from 'kysely';
import type { DeliveryDb } from './delivery-migrations';

/** alert_history as the delivery channels read it (the table is the alerting core's). */
export interface HistoryRow {
  cursor: number;
  tenant_id: string;
  alert_id: string;
  actor: string;
  from_status: number;
  to_status: number;
  reason: string;
  at: Date | string;
  snapshot: Buffer;
  /** Columns the core may add (AlertChange.kind / notify); read when present. */
  kind?: string;
  notify?: boolean;
  disposition?: string;
  note?: string;
}

type Db = DeliveryDb & { alert_history: HistoryRow };
export type DeliveryKysely = Kysely<Db>;

export type WebhookSubscriptionRow = DeliveryDb['webhook_subscriptions'];
export type SyslogDestinationRow = DeliveryDb['syslog_destinations'];
export type WebhookAttemptRow = Selectable<DeliveryDb['webhook_attempts']>;
export type WebhookRetryRow = DeliveryDb['webhook_retries'];

export class DeliveryRepo {
  constructor(private readonly db: DeliveryKysely) {}

  // --- alert_history ---------------------------------------------------------------------

  /** A tenant's changes after a cursor, in cursor order. */
  historyAfter(tenantId: string, afterCursor: number, limit: number): Promise<HistoryRow[]> {
    return withTenant(this.db, tenantId, (trx) =>
      trx.selectFrom('alert_history').selectAll().where('tenant_id', '=', tenantId).where('cursor', '>', afterCursor).orderBy('cursor').limit(limit).execute(),
    );
  }

  /** Every tenant's changes after a cursor (the in-process SSE tail, trusted service code). */
  historyAfterAll(afterCursor: number, limit: number): Promise<HistoryRow[]> {
    return withAllTenants(this.db, (trx) => trx.selectFrom('alert_history').selectAll().where('cursor', '>', afterCursor).orderBy('cursor').limit(limit).execute());
  }

  /** The latest cursor of any tenant (0 when there is none). */
  async latestCursorAll(): Promise<number> {
    const r = await withAllTenants(this.db, (trx) =>
      trx
        .selectFrom('alert_history')
        .select((eb) => eb.fn.max('cursor').as('c'))
        .executeTakeFirst(),
    );
    return Number(r?.c ?? 0);
  }

  /** Specific history rows of a tenant (the retry queue refers to them by cursor). */
  async historyAt(tenantId: string, cursors: number[]): Promise<Map<number, HistoryRow>> {
    if (cursors.length === 0) return new Map();
    const rows = await withTenant(this.db, tenantId, (trx) => trx.selectFrom('alert_history').selectAll().where('tenant_id', '=', tenantId).where('cursor', 'in', cursors).execute());
    return new Map(rows.map((r) => [r.cursor, r]));
  }

  /** The tenant's latest cursor (0 when it has no history): where "from now on" starts. */
  async latestCursor(tenantId: string): Promise<number> {
    const r = await withTenant(this.db, tenantId, (trx) =>
      trx
        .selectFrom('alert_history')
        .select((eb) => eb.fn.max('cursor').as('c'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirst(),
    );
    return Number(r?.c ?? 0);
  }

  // --- webhook subscriptions ---------------------------------------------------------------

  async createSubscription(s: Omit<WebhookSubscriptionRow, 'created_at' | 'updated_at' | 'enabled' | 'cursor'> & { startAfterCursor?: number }): Promise<WebhookSubscriptionRow> {
    const cursor = s.startAfterCursor ?? (await this.latestCursor(s.tenant_id));
    return withTenant(this.db, s.tenant_id, (trx) =>
      trx
        .insertInto('webhook_subscriptions')
        .values({
          subscription_id: s.subscription_id,
          tenant_id: s.tenant_id,
          url: s.url,
          description: s.description,
          secret: s.secret,
          filters: JSON.stringify(s.filters),
          cursor,
          created_by: s.created_by,
          enabled: true,
          created_at: new Date(),
          updated_at: new Date(),
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  /** Oldest first, `limit` rows after the (created_at, id) of `after` (a page cursor). */
  listSubscriptions(tenantId: string, limit: number, after?: { createdAt: string; id: string }): Promise<WebhookSubscriptionRow[]> {
    return withTenant(this.db, tenantId, (trx) => {
      let q = trx.selectFrom('webhook_subscriptions').selectAll().where('tenant_id', '=', tenantId);
      if (after) q = q.where((eb) => eb.or([eb('created_at', '>', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('subscription_id', '>', after.id)])]));
      return q.orderBy('created_at').orderBy('subscription_id').limit(limit).execute();
    });
  }

  getSubscription(tenantId: string, id: string): Promise<WebhookSubscriptionRow | undefined> {
    return withTenant(this.db, tenantId, (trx) => trx.selectFrom('webhook_subscriptions').selectAll().where('tenant_id', '=', tenantId).where('subscription_id', '=', id).executeTakeFirst());
  }

  updateSubscription(tenantId: string, id: string, patch: Partial<Pick<WebhookSubscriptionRow, 'url' | 'description' | 'filters' | 'enabled'>>): Promise<WebhookSubscriptionRow | undefined> {
    const set: Record<string, unknown> = { updated_at: new Date() };
    if (patch.url !== undefined) set.url = patch.url;
    if (patch.description !== undefined) set.description = patch.description;
    if (patch.filters !== undefined) set.filters = JSON.stringify(patch.filters);
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    return withTenant(this.db, tenantId, (trx) =>
      trx.updateTable('webhook_subscriptions').set(set).where('tenant_id', '=', tenantId).where('subscription_id', '=', id).returningAll().executeTakeFirst(),
    );
  }

  async deleteSubscription(tenantId: string, id: string): Promise<boolean> {
    const r = await withTenant(this.db, tenantId, (trx) => trx.deleteFrom('webhook_subscriptions').where('tenant_id', '=', tenantId).where('subscription_id', '=', id).executeTakeFirst());
    return Number(r.numDeletedRows) > 0;
  }

  /** Every tenant's enabled subscriptions (the dispatcher's work list). */
  enabledSubscriptions(): Promise<WebhookSubscriptionRow[]> {
    return withAllTenants(this.db, (trx) => trx.selectFrom('webhook_subscriptions').selectAll().where('enabled', '=', true).execute());
  }

  /** Retries of one subscription that are due now (not dead), oldest first. */
  dueRetries(tenantId: string, subscriptionId: string, limit: number): Promise<WebhookRetryRow[]> {
    return withTenant(this.db, tenantId, (trx) =>
      trx
        .selectFrom('webhook_retries')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('subscription_id', '=', subscriptionId)
        .where('dead_at', 'is', null)
        .where('next_attempt_at', '<=', new Date())
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute(),
    );
  }

  /** When the subscription's next pending retry is due (undefined when none is pending). */
  async nextRetryAt(tenantId: string, subscriptionId: string): Promise<Date | undefined> {
    const r = await withTenant(this.db, tenantId, (trx) =>
      trx
        .selectFrom('webhook_retries')
        .select((eb) => eb.fn.min('next_attempt_at').as('t'))
        .where('tenant_id', '=', tenantId)
        .where('subscription_id', '=', subscriptionId)
        .where('dead_at', 'is', null)
        .executeTakeFirst(),
    );
    return r?.t ? new Date(r.t as string) : undefined;
  }

  /**
   * Settles one batch of a subscription in one transaction: logs every attempt, queues or
   * dead-letters failures, drops retries that succeeded and moves the cursor. The cursor only
   * moves forward (a concurrent redelivery or a stale worker never rewinds it).
   */
  async settleWebhookBatch(b: {
    tenantId: string;
    subscriptionId: string;
    cursor: number;
    attempts: Omit<WebhookAttemptRow, 'id'>[];
    retry: Omit<WebhookRetryRow, 'tenant_id' | 'subscription_id'>[];
    delivered: number[];
  }): Promise<void> {
    await withTenant(this.db, b.tenantId, async (trx) => {
      // Multi-row statements in chunks (Postgres caps bind parameters at 65535).
      for (let i = 0; i < b.attempts.length; i += 1000)
        await trx
          .insertInto('webhook_attempts')
          .values(b.attempts.slice(i, i + 1000))
          .execute();
      for (let i = 0; i < b.retry.length; i += 1000) {
        await trx
          .insertInto('webhook_retries')
          .values(b.retry.slice(i, i + 1000).map((r) => ({ ...r, tenant_id: b.tenantId, subscription_id: b.subscriptionId })))
          .onConflict((oc) =>
            oc.columns(['subscription_id', 'history_cursor']).doUpdateSet((eb) => ({
              attempts: eb.ref('excluded.attempts'),
              next_attempt_at: eb.ref('excluded.next_attempt_at'),
              last_status: eb.ref('excluded.last_status'),
              last_error: eb.ref('excluded.last_error'),
              dead_at: eb.ref('excluded.dead_at'),
            })),
          )
          .execute();
      }
      if (b.delivered.length) await trx.deleteFrom('webhook_retries').where('subscription_id', '=', b.subscriptionId).where('history_cursor', 'in', b.delivered).execute();
      await trx
        .updateTable('webhook_subscriptions')
        .set({ cursor: sql<number>`greatest(cursor, ${b.cursor})` })
        .where('subscription_id', '=', b.subscriptionId)
        .execute();
    });
  }

  listAttempts(tenantId: string, subscriptionId: string, limit: number, beforeId?: number): Promise<WebhookAttemptRow[]> {
    return withTenant(this.db, tenantId, (trx) => {
      let q = trx.selectFrom('webhook_attempts').selectAll().where('tenant_id', '=', tenantId).where('subscription_id', '=', subscriptionId);
      if (beforeId !== undefined) q = q.where('id', '<', beforeId);
      return q.orderBy('id', 'desc').limit(limit).execute();
    });
  }

  /** Deletes attempt-log rows older than `before` (all tenants, in bounded chunks); returns how many. */
  async pruneAttempts(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await withAllTenants(this.db, (trx) =>
        sql<{
          n: number;
        }>`with gone as (delete from webhook_attempts where id in (select id from webhook_attempts where at < ${before} limit 10000) returning 1) select count(*)::int as n from gone`.execute(trx),
      );
      const n = r.rows[0]?.n ?? 0;
      total += n;
      if (n < 10000) return total;
    }
  }

  /** Dead letters in history order; `afterCursor` is the previous page's last (a keyset page). */
  listDeadLetters(tenantId: string, subscriptionId: string, limit: number, afterCursor = 0): Promise<WebhookRetryRow[]> {
    return withTenant(this.db, tenantId, (trx) =>
      trx
        .selectFrom('webhook_retries')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('subscription_id', '=', subscriptionId)
        .where('dead_at', 'is not', null)
        .where('history_cursor', '>', afterCursor)
        .orderBy('history_cursor')
        .limit(limit)
        .execute(),
    );
  }

  /** Puts a dead letter back in the queue, due now, with a fresh attempt budget. */
  async redeliver(tenantId: string, subscriptionId: string, historyCursor: number): Promise<boolean> {
    const r = await withTenant(this.db, tenantId, (trx) =>
      trx
        .updateTable('webhook_retries')
        .set({ dead_at: null, attempts: 0, next_attempt_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where('subscription_id', '=', subscriptionId)
        .where('history_cursor', '=', historyCursor)
        .where('dead_at', 'is not', null)
        .executeTakeFirst(),
    );
    return Number(r.numUpdatedRows) > 0;
  }

  // --- syslog destinations -----------------------------------------------------------------

  async createSyslogDestination(d: Omit<SyslogDestinationRow, 'created_at' | 'updated_at' | 'enabled' | 'cursor' | 'last_error'> & { startAfterCursor?: number }): Promise<SyslogDestinationRow> {
    const cursor = d.startAfterCursor ?? (await this.latestCursor(d.tenant_id));
    const { startAfterCursor: _, ...row } = d;
    return withTenant(this.db, d.tenant_id, (trx) =>
      trx
        .insertInto('syslog_destinations')
        .values({ ...row, filters: JSON.stringify(d.filters), cursor, enabled: true, last_error: null, created_at: new Date(), updated_at: new Date() })
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
  }

  /** Oldest first, `limit` rows after the (created_at, id) of `after` (a page cursor). */
  listSyslogDestinations(tenantId: string, limit: number, after?: { createdAt: string; id: string }): Promise<SyslogDestinationRow[]> {
    return withTenant(this.db, tenantId, (trx) => {
      let q = trx.selectFrom('syslog_destinations').selectAll().where('tenant_id', '=', tenantId);
      if (after) q = q.where((eb) => eb.or([eb('created_at', '>', new Date(after.createdAt)), eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('destination_id', '>', after.id)])]));
      return q.orderBy('created_at').orderBy('destination_id').limit(limit).execute();
    });
  }

  getSyslogDestination(tenantId: string, id: string): Promise<SyslogDestinationRow | undefined> {
    return withTenant(this.db, tenantId, (trx) => trx.selectFrom('syslog_destinations').selectAll().where('tenant_id', '=', tenantId).where('destination_id', '=', id).executeTakeFirst());
  }

  updateSyslogDestination(
    tenantId: string,
    id: string,
    patch: Partial<Pick<SyslogDestinationRow, 'host' | 'port' | 'tls' | 'ca_pem' | 'server_name' | 'facility' | 'filters' | 'enabled'>>,
  ): Promise<SyslogDestinationRow | undefined> {
    const set: Record<string, unknown> = { ...patch, updated_at: new Date() };
    if (patch.filters !== undefined) set.filters = JSON.stringify(patch.filters);
    return withTenant(this.db, tenantId, (trx) => trx.updateTable('syslog_destinations').set(set).where('tenant_id', '=', tenantId).where('destination_id', '=', id).returningAll().executeTakeFirst());
  }

  async deleteSyslogDestination(tenantId: string, id: string): Promise<boolean> {
    const r = await withTenant(this.db, tenantId, (trx) => trx.deleteFrom('syslog_destinations').where('tenant_id', '=', tenantId).where('destination_id', '=', id).executeTakeFirst());
    return Number(r.numDeletedRows) > 0;
  }

  enabledSyslogDestinations(): Promise<SyslogDestinationRow[]> {
    return withAllTenants(this.db, (trx) => trx.selectFrom('syslog_destinations').selectAll().where('enabled', '=', true).execute());
  }

  /** Records how far a destination got (forward only) and its last connection error. */
  async advanceSyslogCursor(tenantId: string, id: string, cursor: number, lastError: string | null): Promise<void> {
    await withTenant(this.db, tenantId, (trx) =>
      trx
        .updateTable('syslog_destinations')
        .set({ cursor: sql<number>`greatest(cursor, ${cursor})`, last_error: lastError })
        .where('destination_id', '=', id)
        .execute(),
    );
  }
}

/**
 * A dedicated connection (outside the pool, so it never starves queries) that LISTENs on the
 * alerting core's NOTIFY channel and holds the delivery leadership lock: with several replicas
 * only the one holding it dispatches webhooks and syslog, so a change is sent once. Reconnects
 * with backoff; while it is down the channels fall back to polling and nobody leads.
 */
export class ChangeListener {
  private client: Client | undefined;
  private stopped = false;
  private retryMs = 500;
  private timer: NodeJS.Timeout | undefined;
  leader = false;

  constructor(
    private readonly opts: {
      url: string;
      channel: string;
      onChange: () => void;
      onLeadership: (leader: boolean) => void;
      onError: (e: Error) => void;
    },
  ) {}

  async start(): Promise<void> {
    await this.connect().catch((e: Error) => this.failed(e));
  }

  private async connect(): Promise<void> {
    const c = new Client({ connectionString: this.opts.url, application_name: 'alerting-delivery' });
    c.on('error', (e) => this.failed(e));
    c.on('notification', () => this.opts.onChange());
    await c.connect();
    this.client = c;
    if (this.stopped) return void (await c.end().catch(() => undefined));
    await c.query(`listen ${this.opts.channel}`);
    await this.tryLead();
    this.retryMs = 500;
  }

  /** Tries to take the leadership lock (session-level: released if this connection drops). */
  async tryLead(): Promise<boolean> {
    if (!this.client || this.leader) return this.leader;
    const r = await this.client.query<{ ok: boolean }>(`select pg_try_advisory_lock(hashtext('alerting.delivery-dispatch')) as ok`).catch(() => ({ rows: [{ ok: false }] }));
    if (r.rows[0]?.ok) {
      this.leader = true;
      this.opts.onLeadership(true);
    }
    return this.leader;
  }

  private failed(e: Error): void {
    this.opts.onError(e);
    const c = this.client;
    this.client = undefined;
    if (this.leader) {
      this.leader = false;
      this.opts.onLeadership(false);
    }
    void c?.end().catch(() => undefined);
    if (this.stopped || this.timer) return;
    const delay = this.retryMs * (0.5 + Math.random() / 2);
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect().catch((err: Error) => this.failed(err));
    }, delay);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    this.leader = false;
    await c?.end().catch(() => undefined);
  }
}

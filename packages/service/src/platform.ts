import { TokenAuthenticator } from '@customs/config';
import { PLATFORM_MIGRATIONS, createDb, listOutboxDeadLetters, migrateToLatest, oldestOutboxAgeSeconds, sql, type Migration, type ServiceDb } from '@customs/db';
import { BatchConsumer, ConsumerLagSampler, OutboxRelay, createKafka, kafkaSecurityOptions, type BatchConsumerOptions, type KafkaConnectionSettings, type KafkaHandle } from '@customs/kafka';
import { GrpcServer } from '@customs/grpc';
import { HttpError, createHttpServer, idCursor, pageOf, principalOf, sendPage, type FastifyInstance } from '@customs/http';
import { ServiceMetrics, createLogger, type Logger } from '@customs/telemetry';
import { Lifecycle } from './index';
import { enforcePermissions, type RouteEntry } from './access';
import { installAuditTrail } from './audit';

/** Configuration every platform service reads (see commonServiceSpecs in @customs/config). */
export interface PlatformConfig extends KafkaConnectionSettings {
  SERVICE_NAME: string;
  HTTP_HOST: string;
  HTTP_PORT: number;
  GRPC_HOST: string;
  GRPC_PORT: number;
  DATABASE_URL: string;
  KAFKA_BROKERS: readonly string[];
  KAFKA_TOPIC_PREFIX: string;
  KAFKA_MAX_MESSAGE_BYTES?: number;
  KAFKA_REPLICATION_FACTOR?: number;
  LOG_LEVEL: string;
  API_TOKENS: string;
  API_TOKENS_FILE: string;
  SHUTDOWN_TIMEOUT_MS: number;
}

/** What a service's setup function gets to wire its adapters. */
export interface PlatformKit<DB> {
  name: string;
  logger: Logger;
  metrics: ServiceMetrics;
  auth: TokenAuthenticator;
  db: ServiceDb<DB>;
  kafka: KafkaHandle;
  http: FastifyInstance;
  grpc: GrpcServer;
  lifecycle: Lifecycle;
  /** Registers a batch consumer; it starts after HTTP and gRPC are listening. */
  consume<T>(opts: Omit<BatchConsumerOptions<T>, 'logger' | 'metrics'>): void;
}

/** A running service. */
export interface RunningService {
  name: string;
  httpUrl: string;
  grpcAddress: string;
  /** Every HTTP route it serves (the permission matrix test calls each one). */
  routes: readonly RouteEntry[];
  stop(): Promise<void>;
}

/**
 * Starts a service in the platform's standard order: database + migrations → outbox relay →
 * service-specific setup → gRPC and HTTP listening → Kafka consumers. Stopping reverses it, so
 * consumers finish their batch before the relay and the pool close.
 */
export async function startPlatformService<DB>(opts: {
  name: string;
  config: PlatformConfig;
  migrations: Record<string, Migration>;
  setup: (kit: PlatformKit<DB>) => Promise<void>;
  logger?: Logger;
}): Promise<RunningService> {
  const { name, config } = opts;
  const logger = opts.logger ?? createLogger(name, config.LOG_LEVEL);
  const lifecycle = new Lifecycle(logger);
  try {
    // Process and Node metrics (CPU, RSS, heap, event-loop lag, GC) beside the platform's own.
    const metrics = new ServiceMetrics(name);
    const auth = TokenAuthenticator.fromConfig(config);
    if (auth.size === 0) logger.warn('no API tokens configured (API_TOKENS / API_TOKENS_FILE): every API call will be refused');

    const db = createDb<DB>({ url: config.DATABASE_URL, schema: name, applicationName: name, onError: (e) => logger.warn({ err: e }, 'idle database connection failed; the pool replaces it') });
    lifecycle.add('database', () => db.close());
    const applied = await migrateToLatest(db.db as never, name, opts.migrations);
    if (applied.length) logger.info({ applied }, 'migrations applied');
    // The platform's own tables in the service's schema (the audit trail), tracked apart.
    const platformApplied = await migrateToLatest(db.db as never, name, PLATFORM_MIGRATIONS, { table: 'platform_migration', lockTable: 'platform_migration_lock' });
    if (platformApplied.length) logger.info({ applied: platformApplied }, 'platform migrations applied');

    // TLS and SASL checked before the first connection: a bad setting is a named config error.
    const kafka = createKafka({
      brokers: [...config.KAFKA_BROKERS],
      clientId: name,
      logger,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      security: kafkaSecurityOptions(config),
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    });
    const relay = new OutboxRelay({ pool: db.pool, schema: name, kafka, logger, metrics, maxMessageBytes: config.KAFKA_MAX_MESSAGE_BYTES });
    await relay.start();
    lifecycle.add('outbox-relay', () => relay.stop());
    metrics.sampleOutboxAgeFrom(() => oldestOutboxAgeSeconds(db.db as never));

    const grpc = new GrpcServer({ service: name, auth, logger, metrics });
    let consumersRunning = false;
    const http = createHttpServer({
      service: name,
      logger,
      metrics,
      auth,
      ready: async () => {
        await sql`select 1`.execute(db.db);
        return consumersRunning;
      },
    });
    // Loads the OpenAPI plugin createHttpServer registered, so the document sees every route below.
    await http.after();
    // Leave the after() callback before setup runs: avvio resolves the awaited after() while its
    // node is still open, so a setup whose first await is a register() would nest inside it and
    // ready()/listen() would wait on that node for ever (the delivery channels' test host did).
    await new Promise<void>((resolve) => setImmediate(resolve));
    // The permission matrix on every route registered from here on (a route without an entry
    // stops the start-up below).
    const access = enforcePermissions(name, http);
    // Every change made through the API is in the audit trail, readable at GET /v1/admin/audit.
    installAuditTrail(http, db.db as never, logger);
    // Every service's outbox may dead-letter an event the broker refuses for good (OutboxRelay):
    // an admin sees their tenant's here, beside the customs_outbox_dead_lettered_total alert.
    http.get(
      '/v1/admin/outbox-dead-letters',
      { schema: { summary: 'Events this service’s outbox dead-lettered (the broker refused them for good), newest first (cursor pages)', tags: ['admin'], response: { 200: pageOf('deadLetters') } } },
      async (req, reply) => {
        const p = principalOf(req);
        const raw = (req.query as { limit?: string }).limit ?? '100';
        const limit = Number(raw);
        if (!/^\d+$/.test(raw) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid_limit', 'limit must be a whole number from 1 to 1000');
        const rows = await listOutboxDeadLetters(db.db as never, p.tenantId, limit + 1, idCursor(req));
        return sendPage(req, reply, { key: 'deadLetters', rows, limit, keyOf: (r) => [r.id] });
      },
    );
    const consumers: BatchConsumer<unknown>[] = [];
    const consumerSubjects: { groupId: string; topic: string }[] = [];
    const kit: PlatformKit<DB> = {
      name,
      logger,
      metrics,
      auth,
      db,
      kafka,
      http,
      grpc,
      lifecycle,
      consume: (c) => {
        consumers.push(new BatchConsumer(kafka, { ...c, logger, metrics }) as BatchConsumer<unknown>);
        consumerSubjects.push({ groupId: c.groupId, topic: c.topic.name });
      },
    };
    await opts.setup(kit);

    // Plugins (the API description's pages) add their routes as the server boots: all are in now.
    await http.ready();
    access.verify();
    const grpcPort = await grpc.listen(config.GRPC_HOST, config.GRPC_PORT);
    lifecycle.add('grpc', () => grpc.close());
    const httpAddress = await http.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
    lifecycle.add('http', () => http.close());

    for (const c of consumers) {
      await c.start();
      lifecycle.add('consumer', () => c.stop());
    }
    consumersRunning = true;
    // Lag per partition of every group this service consumes, sampled when /metrics is scraped.
    const lag = new ConsumerLagSampler(kafka, consumerSubjects);
    metrics.sampleConsumerLagFrom(() => lag.sample());
    lifecycle.add('consumer-lag-sampler', () => lag.stop());
    const grpcAddress = `${config.GRPC_HOST}:${grpcPort}`;
    logger.info({ http: httpAddress, grpc: grpcAddress }, `${name} started`);
    return { name, httpUrl: httpAddress, grpcAddress, routes: access.routes, stop: () => lifecycle.stop(config.SHUTDOWN_TIMEOUT_MS) };
  } catch (e) {
    await lifecycle.stop(2000);
    throw e;
  }
}

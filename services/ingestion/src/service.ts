// Composition of the ingestion service: adapters around the intake use cases, nothing decided here.
import { withTenant } from '@customs/db';
import { startPlatformService, type RunningService } from '@customs/service';
import { closeWorkbookReading, configureWorkbookReading } from './app/formats';
import { GroupCommitter } from './app/group-commit';
import { ingestDocuments, type IngestRequest, type IngestResult } from './app/ingest';
import { Intake } from './app/intake';
import { StreamIngestThread } from './app/stream-thread';
import { closeDmsSchemaCheck, configureDmsSchemaCheck } from './parse/dms';
import { BatchRepo } from './db/batch-repo';
import { DeclarationRepo } from './db/declaration-repo';
import { migrations, type IngestionDb } from './db/migrations';
import { registerGrpc } from './grpc/ingestion-grpc';
import { registerRecordRoutes } from './http/record-routes';
import { registerRefusedSubmissionRoutes } from './http/refused-submission-routes';
import { registerMergeRoutes } from './http/merge-routes';
import { registerSubmissionRoutes } from './http/submission-routes';
import { registerSubmissionConsumer } from './kafka/submissions';
import type { IngestionConfig } from './config';

/** Starts the ingestion service: REST uploads and Kafka submissions → canonical declarations. */
export async function startIngestionService(config: IngestionConfig): Promise<RunningService> {
  return startPlatformService<IngestionDb>({
    name: 'ingestion',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      const documents = kit.metrics.counter('customs_ingested_documents_total', 'Documents ingested, by format and outcome', ['format', 'status']);
      const batches = new BatchRepo(db);
      const declarations = new DeclarationRepo(db);

      // A streamed batch whose process died mid-file is marked incomplete, now and periodically.
      const sweep = () => batches.sweepStale(config.STALE_BATCH_SECONDS).catch((e) => kit.logger.warn({ err: e }, 'stale batch sweep failed'));
      await sweep();
      const sweeper = setInterval(sweep, Math.min(config.STALE_BATCH_SECONDS, 300) * 1000);
      sweeper.unref();
      kit.lifecycle.add('stale-batch-sweep', async () => clearInterval(sweeper));

      // HMRC XSD check of DMS declarations (parse/dms/xsd.ts): its worker (libxml2 and the compiled
      // schema) starts on the first DMS document, not now. Warmed at start it saved that document
      // 170–320 ms but held ≈ 26–40 MiB for the first minute of every process, a streamed CDS
      // upload's included (ADR 0020); it stops after a minute idle either way.
      configureDmsSchemaCheck({ enabled: config.DMS_XSD_CHECK, timeoutMs: config.DMS_XSD_TIMEOUT_MS, maxBytes: config.MAX_DOCUMENT_BYTES });
      // Workbook reports are read on bounded worker threads (app/formats.ts).
      const workbooks = configureWorkbookReading({ timeoutMs: config.WORKBOOK_TIMEOUT_MS, maxMemoryMb: config.WORKBOOK_MAX_MEMORY_MB, concurrency: config.WORKBOOK_CONCURRENCY });
      kit.lifecycle.add('workbook-workers', () => closeWorkbookReading(workbooks));
      if (config.DMS_XSD_CHECK) kit.lifecycle.add('dms-schema-check', () => closeDmsSchemaCheck());

      // Streamed reports run on a worker thread (app/stream-thread.ts) unless configured off.
      const streamThread =
        config.STREAM_WORKER_DB_CONNECTIONS > 0
          ? new StreamIngestThread({
              databaseUrl: config.DATABASE_URL,
              poolSize: config.STREAM_WORKER_DB_CONNECTIONS,
              logger: kit.logger,
              chunkRows: config.STREAM_CHUNK_ROWS,
              uploads: config.STREAM_WORKER_UPLOADS,
              heapMb: config.STREAM_WORKER_HEAP_MB,
            })
          : undefined;
      if (streamThread) {
        streamThread.start();
        kit.lifecycle.add('stream-ingest-worker', () => streamThread.close());
      }
      // Declaration documents sent one per request (or per multipart file) are parsed outside any
      // transaction, then stored by group commit: one transaction per tenant at a time, taking
      // every document that arrived meanwhile (app/group-commit.ts). ERP lines go their own way.
      const groupSizes = kit.metrics.histogram('customs_ingest_group_documents', 'Documents stored per group-commit transaction', [], [1, 2, 5, 10, 20, 50, 100, 200, 500]);
      const committer = new GroupCommitter<IngestRequest, IngestResult>(
        (tenantId, reqs) => {
          groupSizes.observe(reqs.length);
          return withTenant(db, tenantId, (trx) => ingestDocuments(trx, reqs));
        },
        { maxDocuments: config.GROUP_COMMIT_MAX_DOCUMENTS, maxBytes: config.GROUP_COMMIT_MAX_BYTES, maxGroupsInFlight: 2 },
      );
      kit.metrics.gaugeOf('customs_ingest_group_commit_waiting', 'Documents parsed and waiting for their group-commit transaction', () => committer.waiting);
      const intake = new Intake({ db, config, logger: kit.logger, documents, committer, streamThread });

      await registerSubmissionRoutes(kit.http, { intake, config, documents });
      registerRecordRoutes(kit.http, { batches, declarations });
      registerRefusedSubmissionRoutes(kit.http, db);
      registerMergeRoutes(kit.http, db);
      registerGrpc(kit.grpc, declarations);
      registerSubmissionConsumer(kit, { db, config, documents });
    },
  });
}

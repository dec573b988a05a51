import { DatasetChanged, ReferenceServiceService, Topics, type LookupCommoditiesRequest, type LookupCommoditiesResponse, type LookupFxRequest, type LookupFxResponse } from '@customs/contracts';
import { enqueueOutbox, withAllTenants } from '@customs/db';
import { GrpcError, status } from '@customs/grpc';
import { HttpError } from '@customs/http';
import { buildEvent } from '@customs/kafka';
import { startPlatformService, type RunningService } from '@customs/service';
import { loadBundledStore } from './app/load-bundled';
import { migrations, type ReferenceDb } from './db/migrations';
import type { ReferenceConfig } from './config';

const MAX_BATCH = 10_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Starts the reference service: bundled UK tariff, nomenclature and FX, point-in-time lookups. */
export async function startReferenceService(config: ReferenceConfig): Promise<RunningService> {
  const t0 = Date.now();
  const store = loadBundledStore(config.REFERENCE_DATA_DIR);
  const loadMs = Date.now() - t0;
  return startPlatformService<ReferenceDb>({
    name: 'reference',
    config,
    migrations,
    async setup(kit) {
      const { db } = kit.db;
      kit.logger.info({ datasets: store.datasets, loadMs }, 'reference data loaded');
      // Record versions; announce the ones not seen before (with the version they replace).
      await withAllTenants(db, async (trx) => {
        const known = await trx.selectFrom('dataset_versions').select(['dataset', 'version', 'loaded_at']).orderBy('loaded_at').execute();
        const fresh = store.datasets.filter((d) => !known.some((k) => k.dataset === d.dataset && k.version === d.version));
        if (fresh.length === 0) return;
        const now = new Date().toISOString();
        await trx.insertInto('dataset_versions').values(fresh.map((d) => ({ dataset: d.dataset, version: d.version, source: d.source, row_count: d.rows, loaded_at: now }))).execute();
        await enqueueOutbox(
          trx,
          'reference',
          fresh.map((d) =>
            buildEvent({
              topic: Topics.datasetChanged,
              key: d.dataset,
              value: DatasetChanged.fromPartial({ dataset: d.dataset, version: d.version, previousVersion: known.filter((k) => k.dataset === d.dataset).at(-1)?.version ?? '', loadedAt: now }),
              tenant: 'platform',
              source: 'reference',
              subject: d.dataset,
              id: `dataset/${d.dataset}/${d.version}`,
            }),
          ),
        );
      });

      const checkBatch = (n: number) => {
        if (n > MAX_BATCH) throw new GrpcError(status.INVALID_ARGUMENT, `at most ${MAX_BATCH} queries per call, got ${n}`);
      };
      kit.grpc.addService(ReferenceServiceService as never, {
        lookupCommodities: async (req: LookupCommoditiesRequest): Promise<LookupCommoditiesResponse> => {
          checkBatch(req.queries.length);
          return { results: req.queries.map((q) => store.commodity(q.commodityCode, q.date)) };
        },
        lookupFx: async (req: LookupFxRequest): Promise<LookupFxResponse> => {
          checkBatch(req.queries.length);
          return { results: req.queries.map((q) => store.fx(q.currency, q.date)) };
        },
      });

      kit.http.get<{ Params: { code: string }; Querystring: { date?: string } }>('/v1/commodities/:code', async (req) => {
        const date = req.query.date ?? new Date().toISOString().slice(0, 10);
        if (!DATE.test(date)) throw new HttpError(400, 'invalid_date', 'date must be YYYY-MM-DD');
        if (!/^\d{10}$/.test(req.params.code)) throw new HttpError(400, 'invalid_code', 'commodity code must be 10 digits');
        return store.commodity(req.params.code, date);
      });
      kit.http.get<{ Params: { currency: string }; Querystring: { date?: string } }>('/v1/fx/:currency', async (req) => {
        const date = req.query.date ?? new Date().toISOString().slice(0, 10);
        if (!DATE.test(date)) throw new HttpError(400, 'invalid_date', 'date must be YYYY-MM-DD');
        if (!/^[A-Za-z]{3}$/.test(req.params.currency)) throw new HttpError(400, 'invalid_currency', 'currency must be an ISO 4217 alpha-3 code');
        return store.fx(req.params.currency, date);
      });
      kit.http.get('/v1/datasets', async () => ({ datasets: store.datasets }));
    },
  });
}

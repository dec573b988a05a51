import {
  DatasetChanged,
  ReferenceServiceService,
  Topics,
  type ComputeDutiesRequest,
  type ComputeDutiesResponse,
  type LookupCodeListsRequest,
  type LookupCodeListsResponse,
  type LookupCommoditiesRequest,
  type LookupCommoditiesResponse,
  type LookupFxRequest,
  type LookupFxResponse,
  type LookupRatesRequest,
  type LookupRatesResponse,
  type LookupSchemesRequest,
  type LookupSchemesResponse,
  type RateResult,
} from '@customs/contracts';
import { enqueueOutbox, withAllTenants } from '@customs/db';
import { GrpcError, status } from '@customs/grpc';
import { HttpError, requireRole } from '@customs/http';
import { buildEvent } from '@customs/kafka';
import { startPlatformService, type RunningService } from '@customs/service';
import { loadBundledStore } from './app/load-bundled';
import { ImplausibleOttLoad, loadOttFile } from './app/ott-load';
import { syncOttLoads } from './app/ott-sync';
import { FxImportError, loadFxFile } from './app/fx-load';
import { syncFxLoads } from './app/fx-sync';
import { fxMonthsBehind } from './app/fx-freshness';
import { ottSyncPorts, syncOnce } from './ott-api/wiring';
import { OttSyncFailed, OttSyncRefused, type SyncKind } from './ott-api/sync';
import type { ReferenceStore } from './app/store';
import { OttImportError } from './parse/ott';
import { WorkbookWorkerPool } from '@customs/spreadsheet';
import { migrations, type ReferenceDb } from './db/migrations';
import { computeLine } from './grpc/duties';
import { ottVersions, persistOttLoad, readOttData } from './db/ott-repo';
import { fxVersions, persistFxLoad, readFxRows } from './db/fx-repo';
import type { ReferenceConfig } from './config';

const MAX_BATCH = 10_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const today = () => new Date().toISOString().slice(0, 10);

/** A rate query the store cannot answer because the query itself is malformed. */
function badRateQuery(q: { commodityCode: string; origin: string; date: string }, reason: string): RateResult {
  return {
    commodityCode: q.commodityCode,
    origin: q.origin,
    date: q.date,
    known: false,
    unknownReason: reason,
    thirdCountry: undefined,
    preferential: [],
    suspensions: [],
    tradeRemedies: [],
    vat: [],
    supplementaryUnit: '',
    schemes: [],
    datasetVersion: '',
    stableFrom: q.date,
    stableTo: q.date,
    measuresLoaded: false,
  };
}

/** Rates for one query, with malformed input answered as unknown (a batch never fails for one bad query). */
export function rateFor(store: ReferenceStore, q: { commodityCode: string; origin: string; date: string }): RateResult {
  if (!/^\d{10}$/.test(q.commodityCode)) return badRateQuery(q, `commodity code "${q.commodityCode}" is not 10 digits`);
  if (!/^[A-Za-z]{2}$/.test(q.origin)) return badRateQuery(q, `origin "${q.origin}" is not an ISO 3166 alpha-2 country code`);
  if (!DATE.test(q.date)) return badRateQuery(q, `date "${q.date}" is not YYYY-MM-DD`);
  return store.rates(q.commodityCode, q.origin, q.date);
}

/** Starts the reference service: bundled UK tariff, nomenclature, FX, code lists and schemes, plus OTT loads; point-in-time lookups. */
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
      kit.logger.info({ datasets: store.datasets.length, loadMs }, 'bundled reference data loaded');
      // Record versions; announce the ones not seen before (with the version they replace).
      await withAllTenants(db, async (trx) => {
        const known = await trx.selectFrom('dataset_versions').select(['dataset', 'version', 'loaded_at']).orderBy('loaded_at').execute();
        const fresh = store.datasets.filter((d) => !known.some((k) => k.dataset === d.dataset && k.version === d.version));
        if (fresh.length === 0) return;
        const now = new Date().toISOString();
        await trx
          .insertInto('dataset_versions')
          .values(fresh.map((d) => ({ dataset: d.dataset, version: d.version, source: d.source, row_count: d.rows, loaded_at: now })))
          .execute();
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

      // OTT and FX loads persisted earlier (or by other replicas / the CLI) are served too.
      const applied = { ott: new Set<string>(), fx: new Set<string>() };
      const ottSync = { versions: () => ottVersions(db), read: (v: string[]) => readOttData(db, v) };
      const fxSync = { versions: () => fxVersions(db), read: (v: string[]) => readFxRows(db, v) };
      const sync = async () => [...(await syncOttLoads(store, ottSync, applied.ott)), ...(await syncFxLoads(store, fxSync, applied.fx))];
      const initial = await sync();
      kit.logger.info({ loads: initial.length, ottMeasures: store.ottMeasureCount }, 'OTT measures and FX loads read from the database');
      if (config.REFERENCE_SYNC_INTERVAL_MS > 0) {
        let running = false;
        const timer = setInterval(() => {
          if (running) return;
          running = true;
          sync()
            .then((v) => v.length && kit.logger.info({ versions: v }, 'loads picked up from the database'))
            .catch((e) => kit.logger.warn({ err: e }, 'reference sync failed; retrying on the next tick'))
            .finally(() => (running = false));
        }, config.REFERENCE_SYNC_INTERVAL_MS);
        timer.unref();
        kit.lifecycle.add('reference-sync', async () => clearInterval(timer));
      }
      // Stale FX is an operational fault, not a data answer: declarations of the current month
      // cannot be priced until HMRC's file for it is loaded. Gauge (alert CustomsReferenceFxStale in
      // infra/prometheus/alerts.yml) and a warning whenever the state changes.
      let lastFxState = '';
      const fxFreshness = () => {
        const f = fxMonthsBehind(store.fxCoverage()?.to, today());
        const state = `${f.behind}|${f.latest}`;
        if (state !== lastFxState) {
          lastFxState = state;
          if (f.behind > 0)
            kit.logger.warn(
              { latestMonth: f.latest, currentMonth: today().slice(0, 7), monthsBehind: f.behind },
              'HMRC exchange rates are stale: the current month is not loaded, so current declarations in foreign currency are not priced',
            );
          else kit.logger.info({ latestMonth: f.latest }, 'HMRC exchange rates cover the current month');
        }
        return f.behind;
      };
      fxFreshness();
      kit.metrics.gaugeOf(
        'customs_reference_fx_months_behind',
        'Months between the current month and the latest month of HMRC exchange rates loaded (0 = current month loaded; >0 = stale)',
        fxFreshness,
      );
      const fxTimer = setInterval(fxFreshness, 3_600_000);
      fxTimer.unref();
      kit.lifecycle.add('fx-freshness', async () => clearInterval(fxTimer));

      // .xlsx reports are read on bounded worker threads (a hostile workbook is a 422, not a crash).
      const workbooks = new WorkbookWorkerPool({ timeoutMs: config.WORKBOOK_TIMEOUT_MS, maxMemoryMb: config.WORKBOOK_MAX_MEMORY_MB, concurrency: config.WORKBOOK_CONCURRENCY });
      kit.lifecycle.add('workbook-workers', () => workbooks.close());
      const loadPorts = {
        persist: (source: string, version: string, imp: Parameters<typeof persistOttLoad>[3]) => persistOttLoad(db, source, version, imp),
        readSheet: async (source: string, content: Buffer) => (await workbooks.readRows(content, source)).rows,
      };
      const fxPorts = { persist: (source: string, version: string, rows: Parameters<typeof persistFxLoad>[3]) => persistFxLoad(db, source, version, rows) };

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
        lookupRates: async (req: LookupRatesRequest): Promise<LookupRatesResponse> => {
          checkBatch(req.queries.length);
          return { results: req.queries.map((q) => rateFor(store, q)) };
        },
        lookupCodeLists: async (req: LookupCodeListsRequest): Promise<LookupCodeListsResponse> => {
          checkBatch(req.queries.length);
          return { results: req.queries.map((q) => store.codeList(q.list, q.code, q.date)) };
        },
        lookupSchemes: async (req: LookupSchemesRequest): Promise<LookupSchemesResponse> => {
          checkBatch(req.queries.length);
          return { results: req.queries.map((q) => store.schemesFor(q.country, q.date)) };
        },
        computeDuties: async (req: ComputeDutiesRequest): Promise<ComputeDutiesResponse> => {
          checkBatch(req.lines.length);
          return { results: req.lines.map(computeLine) };
        },
      });

      const dateOf = (d: string | undefined) => {
        const date = d ?? today();
        if (!DATE.test(date)) throw new HttpError(400, 'invalid_date', 'date must be YYYY-MM-DD');
        return date;
      };
      kit.http.get<{ Params: { code: string }; Querystring: { date?: string } }>('/v1/commodities/:code', async (req) => {
        const date = dateOf(req.query.date);
        if (!/^\d{10}$/.test(req.params.code)) throw new HttpError(400, 'invalid_code', 'commodity code must be 10 digits');
        return { ...store.commodity(req.params.code, date), pharmaInnDutyFree: store.pharmaInn(req.params.code), ...store.commodityExtras(req.params.code, date) };
      });
      kit.http.get<{ Params: { currency: string }; Querystring: { date?: string } }>('/v1/fx/:currency', async (req) => {
        const date = dateOf(req.query.date);
        if (!/^[A-Za-z]{3}$/.test(req.params.currency)) throw new HttpError(400, 'invalid_currency', 'currency must be an ISO 4217 alpha-3 code');
        return store.fx(req.params.currency, date);
      });
      kit.http.get<{ Params: { code: string }; Querystring: { date?: string; origin?: string } }>('/v1/rates/:code', async (req) => {
        const date = dateOf(req.query.date);
        if (!/^\d{10}$/.test(req.params.code)) throw new HttpError(400, 'invalid_code', 'commodity code must be 10 digits');
        if (!/^[A-Za-z]{2}$/.test(req.query.origin ?? '')) throw new HttpError(400, 'invalid_origin', 'origin must be an ISO 3166 alpha-2 country code');
        return store.rates(req.params.code, req.query.origin!, date);
      });
      // "*" so a CPC/APC pair may be written with a plain slash: /v1/code-lists/cpc-apc/4000/C07.
      kit.http.get<{ Params: { list: string; '*': string }; Querystring: { date?: string } }>('/v1/code-lists/:list/*', async (req) => {
        const date = dateOf(req.query.date);
        let code = req.params['*'] ?? '';
        try {
          code = decodeURIComponent(code);
        } catch {
          throw new HttpError(400, 'invalid_code', 'the code is not valid percent-encoding');
        }
        if (!code) throw new HttpError(400, 'invalid_code', 'a code is required after the list name');
        return store.codeList(req.params.list, code, date);
      });
      kit.http.get<{ Params: { country: string }; Querystring: { date?: string } }>('/v1/schemes/:country', async (req) => {
        const date = dateOf(req.query.date);
        if (!/^[A-Za-z]{2}$/.test(req.params.country)) throw new HttpError(400, 'invalid_country', 'country must be an ISO 3166 alpha-2 code');
        return store.schemesFor(req.params.country, date);
      });
      // Every version ever loaded (from the database, so other replicas' and the CLI's loads show),
      // with the one this process serves marked current.
      kit.http.get('/v1/datasets', async () => {
        const rows = await db.selectFrom('dataset_versions').selectAll().orderBy('dataset').orderBy('loaded_at').execute();
        return {
          datasets: rows.map((r) => ({
            dataset: r.dataset,
            version: r.version,
            source: r.source,
            rows: r.row_count,
            loadedAt: new Date(r.loaded_at).toISOString(),
            effectiveFrom: r.effective_from,
            effectiveTo: r.effective_to,
            current: store.version(r.dataset) === r.version,
          })),
        };
      });

      // Online Trade Tariff API sync: on demand (admin) and daily at OTT_SYNC_DAILY_AT (UTC). One
      // at a time in this process; each completed sync is a new dataset version (see ott-api/sync.ts).
      const syncs = kit.metrics.counter<'outcome'>('customs_reference_ott_syncs_total', 'Online Trade Tariff API syncs by outcome (completed, failed, refused)', ['outcome']);
      let syncing: Promise<unknown> | undefined;
      const sync1 = async (req: { kind?: SyncKind; commodities?: string[]; until?: string; restart?: boolean }) => {
        if (syncing) throw new HttpError(409, 'sync_running', 'an OTT sync is already running in this process');
        const run = syncOnce(config, db, store, { ...req, until: req.until ?? today() });
        syncing = run.catch(() => undefined).finally(() => (syncing = undefined));
        try {
          const out = await run;
          syncs.inc({ outcome: 'completed' });
          kit.logger.info(
            {
              runId: out.runId,
              kind: out.kind,
              resumed: out.resumed,
              version: out.datasetVersion,
              codes: out.commodityCodes.length,
              fx: out.fxVersions,
              stopPress: out.stopPress.length,
              ...out.stats,
            },
            'OTT API sync completed',
          );
          return out;
        } catch (e) {
          syncs.inc({ outcome: e instanceof OttSyncRefused ? 'refused' : 'failed' });
          kit.logger.warn({ err: e }, 'OTT API sync did not complete');
          throw e;
        }
      };
      if (config.OTT_SYNC_DAILY_AT) {
        let attemptedOn = '';
        const timer = setInterval(() => {
          const now = new Date();
          const day = now.toISOString().slice(0, 10);
          if (syncing || attemptedOn === day || now.toISOString().slice(11, 16) < config.OTT_SYNC_DAILY_AT) return;
          // Once a day, whatever the outcome: a failed run is resumed by the next day's (or an operator's) sync.
          attemptedOn = day;
          sync1({}).catch(() => undefined);
        }, 60_000);
        timer.unref();
        kit.lifecycle.add('ott-sync-schedule', async () => clearInterval(timer));
      }
      kit.lifecycle.add('ott-sync-in-flight', async () => {
        await syncing;
      });
      kit.http.post<{ Body: { kind?: string; commodities?: unknown; until?: string; restart?: boolean } | undefined }>('/v1/admin/ott-syncs', async (req, reply) => {
        requireRole(req, 'admin');
        const b = req.body ?? {};
        if (b.kind !== undefined && b.kind !== 'full' && b.kind !== 'incremental') throw new HttpError(400, 'invalid_kind', 'kind must be "full" or "incremental"');
        if (b.until !== undefined && !DATE.test(String(b.until))) throw new HttpError(400, 'invalid_date', 'until must be YYYY-MM-DD');
        if (b.commodities !== undefined && !(Array.isArray(b.commodities) && b.commodities.every((c) => typeof c === 'string')))
          throw new HttpError(400, 'invalid_commodities', 'commodities must be an array of 10-digit codes');
        try {
          const out = await sync1({ kind: b.kind as SyncKind | undefined, commodities: b.commodities as string[] | undefined, until: b.until, restart: b.restart === true });
          return reply.code(201).send(out);
        } catch (e) {
          if (e instanceof OttSyncRefused) throw new HttpError(400, 'sync_refused', e.message);
          if (e instanceof OttSyncFailed) throw new HttpError(502, 'ott_sync_failed', e.message, { runId: e.runId });
          throw e;
        }
      });
      kit.http.get('/v1/admin/ott-syncs', async (req) => {
        requireRole(req, 'admin');
        return { runs: await ottSyncPorts(db, store).list() };
      });

      // Admin: load an OTT file (API commodity JSON or the declarable-duties report as CSV or .xlsx). The
      // body is taken raw (any content type) so its exact bytes are what the version hashes.
      await kit.http.register(async (scope) => {
        scope.removeAllContentTypeParsers();
        scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.REFERENCE_MAX_LOAD_BYTES }, (_req, body, done) => done(null, body));
        scope.post<{ Querystring: { source?: string; force?: string } }>('/v1/admin/ott-loads', async (req, reply) => {
          const who = requireRole(req, 'admin');
          const body = req.body as Buffer | undefined;
          if (!body || body.length === 0) throw new HttpError(400, 'empty_body', 'send the OTT file as the request body');
          const fileName = req.query.source ?? 'ott-upload';
          if (req.query.force !== undefined && req.query.force !== 'true' && req.query.force !== 'false') throw new HttpError(400, 'invalid_force', 'force must be true or false');
          const force = req.query.force === 'true';
          try {
            const out = await loadOttFile(store, loadPorts, fileName, body, { force });
            // An admin's override of the plausibility check is audited: who, what and why it was doubtful.
            if (out.forced)
              req.log.warn(
                { audit: 'ott_load_forced', subject: who.subject, tokenId: who.tokenId, tenant: who.tenantId, source: fileName, version: out.info.version, reason: out.forced },
                'implausible OTT load forced by an admin (?force=true)',
              );
            req.log.info({ version: out.info.version, duplicate: out.duplicate, measures: out.measures.length, tokenId: who.tokenId }, 'OTT load');
            return reply.code(out.duplicate ? 200 : 201).send({
              dataset: out.info.dataset,
              version: out.info.version,
              previousVersion: out.previousVersion,
              duplicate: out.duplicate,
              format: out.format,
              commodityCodes: out.commodityCodes.length,
              measures: out.measures.length,
              groups: out.groups.size,
              effectiveFrom: out.effectiveFrom,
              effectiveTo: out.effectiveTo,
            });
          } catch (e) {
            if (e instanceof OttImportError) throw new HttpError(422, 'invalid_ott_file', e.message, { source: e.source, issues: e.issues });
            if (e instanceof ImplausibleOttLoad)
              throw new HttpError(422, 'implausible_ott_load', `${e.message}; nothing was loaded (an admin may load it anyway with ?force=true, which is audited)`, {
                source: e.source,
                reason: e.reason,
              });
            throw e;
          }
        });
        // Admin: load HMRC monthly exchange rates (XML or CSV as HMRC publishes them).
        scope.post<{ Querystring: { source?: string } }>('/v1/admin/fx-loads', async (req, reply) => {
          const who = requireRole(req, 'admin');
          const body = req.body as Buffer | undefined;
          if (!body || body.length === 0) throw new HttpError(400, 'empty_body', 'send the HMRC exchange-rate file as the request body');
          let out: Awaited<ReturnType<typeof loadFxFile>>;
          try {
            out = await loadFxFile(store, fxPorts, req.query.source ?? 'fx-upload', body);
          } catch (e) {
            if (e instanceof FxImportError) throw new HttpError(422, 'invalid_fx_file', e.message);
            throw e;
          }
          req.log.info({ version: out.info.version, duplicate: out.duplicate, rows: out.rows.length, tokenId: who.tokenId }, 'FX load');
          return reply.code(out.duplicate ? 200 : 201).send({
            dataset: out.info.dataset,
            version: out.info.version,
            previousVersion: out.previousVersion,
            duplicate: out.duplicate,
            format: out.format,
            rates: out.rows.length,
            effectiveFrom: out.effectiveFrom,
            effectiveTo: out.effectiveTo,
          });
        });
      });
    },
  });
}

// REST adapter for admin loads: OTT API syncs, OTT files (API JSON, declarable-duties CSV/.xlsx)
// and HMRC monthly exchange-rate files.
import { HttpError, booleanText, isoDate, obj, principalOf, query, text, type FastifyInstance } from '@customs/http';
import { FxImportError, loadFxFile } from '../app/fx-load';
import { ImplausibleOttLoad, loadOttFile } from '../app/ott-load';
import { OttSyncRunning, type OttSyncRunner } from '../app/ott-sync-runner';
import type { ReferenceStore } from '../app/store';
import type { ReferenceConfig } from '../config';
import { OttSyncFailed, OttSyncRefused, type SyncKind } from '../ott-api/sync';
import { OttImportError } from '../parse/ott';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const tags = ['admin'];
const syncBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['full', 'incremental'] },
    commodities: { type: 'array', maxItems: 20000, items: { type: 'string', pattern: '^\\d{10}$' } },
    until: isoDate,
    restart: { type: 'boolean' },
  },
};
const loadResult = obj({ dataset: { type: 'string' }, version: { type: 'string' }, duplicate: { type: 'boolean' } });
const source = { ...text(200), description: 'the file name (part of the version)' };

export interface AdminRouteDeps {
  config: ReferenceConfig;
  store: ReferenceStore;
  syncs: OttSyncRunner;
  listSyncRuns: () => Promise<unknown[]>;
  loadPorts: Parameters<typeof loadOttFile>[1];
  fxPorts: Parameters<typeof loadFxFile>[1];
}

export async function registerAdminRoutes(http: FastifyInstance, { config, store, syncs, listSyncRuns, loadPorts, fxPorts }: AdminRouteDeps): Promise<void> {
  http.post<{ Body: { kind?: string; commodities?: unknown; until?: string; restart?: boolean } | undefined }>(
    '/v1/admin/ott-syncs',
    { schema: { summary: 'Run an Online Trade Tariff API sync now (full or incremental)', tags, body: syncBody, response: { 201: obj({ runId: { type: 'string' } }) } } },
    async (req, reply) => {
      principalOf(req);
      const b = req.body ?? {};
      if (b.kind !== undefined && b.kind !== 'full' && b.kind !== 'incremental') throw new HttpError(400, 'invalid_kind', 'kind must be "full" or "incremental"');
      if (b.until !== undefined && !DATE.test(String(b.until))) throw new HttpError(400, 'invalid_date', 'until must be YYYY-MM-DD');
      if (b.commodities !== undefined && !(Array.isArray(b.commodities) && b.commodities.every((c) => typeof c === 'string')))
        throw new HttpError(400, 'invalid_commodities', 'commodities must be an array of 10-digit codes');
      try {
        const out = await syncs.run({ kind: b.kind as SyncKind | undefined, commodities: b.commodities as string[] | undefined, until: b.until, restart: b.restart === true });
        return reply.code(201).send(out);
      } catch (e) {
        if (e instanceof OttSyncRunning) throw new HttpError(409, 'sync_running', e.message);
        if (e instanceof OttSyncRefused) throw new HttpError(400, 'sync_refused', e.message);
        if (e instanceof OttSyncFailed) throw new HttpError(502, 'ott_sync_failed', e.message, { runId: e.runId });
        throw e;
      }
    },
  );
  http.get('/v1/admin/ott-syncs', { schema: { summary: 'OTT API sync runs, newest first', tags, response: { 200: obj({ runs: { type: 'array' } }) } } }, async (req) => {
    principalOf(req);
    return { runs: await listSyncRuns() };
  });

  // Admin: load an OTT file (API commodity JSON or the declarable-duties report as CSV or .xlsx). The
  // body is taken raw (any content type) so its exact bytes are what the version hashes.
  await http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.REFERENCE_MAX_LOAD_BYTES }, (_req, body, done) => done(null, body));
    scope.post<{ Querystring: { source?: string; force?: string } }>(
      '/v1/admin/ott-loads',
      {
        schema: {
          summary: 'Load an OTT file (API commodity JSON, declarable-duties CSV or .xlsx); ?force=true loads an implausible one (audited)',
          tags,
          querystring: query({ source, force: booleanText }),
          response: { 200: loadResult, 201: loadResult },
        },
      },
      async (req, reply) => {
        const who = principalOf(req);
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
      },
    );
    // Admin: load HMRC monthly exchange rates (XML or CSV as HMRC publishes them).
    scope.post<{ Querystring: { source?: string } }>(
      '/v1/admin/fx-loads',
      { schema: { summary: 'Load HMRC monthly exchange rates (XML or CSV as HMRC publishes them)', tags, querystring: query({ source }), response: { 200: loadResult, 201: loadResult } } },
      async (req, reply) => {
        const who = principalOf(req);
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
      },
    );
  });
}

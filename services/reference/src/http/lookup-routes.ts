// REST adapter for point-in-time lookups (commodities, FX, rates, code lists, schemes) and the
// list of dataset versions.
import type { Kysely } from '@customs/db';
import { HttpError, isoDate, obj, query, type FastifyInstance } from '@customs/http';
import type { ReferenceStore } from '../app/store';
import { listDatasetVersions } from '../db/dataset-repo';
import type { ReferenceDb } from '../db/migrations';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Values are checked by the handlers with their own codes (invalid_code, invalid_origin, …);
// the schemas bound their size and refuse unknown parameters.
const code = { type: 'string', minLength: 1, maxLength: 64 };
const onDate = query({ date: { ...isoDate, description: 'the point in time (YYYY-MM-DD); today when absent' } });
const tags = ['lookups'];

export function registerLookupRoutes(http: FastifyInstance, { store, db, today }: { store: ReferenceStore; db: Kysely<ReferenceDb>; today: () => string }): void {
  const dateOf = (d: string | undefined) => {
    const date = d ?? today();
    if (!DATE.test(date)) throw new HttpError(400, 'invalid_date', 'date must be YYYY-MM-DD');
    return date;
  };
  http.get<{ Params: { code: string }; Querystring: { date?: string } }>(
    '/v1/commodities/:code',
    {
      schema: {
        summary: 'A commodity code on a date: description, validity, duty-free pharma, extras',
        tags,
        params: { type: 'object', properties: { code }, required: ['code'] },
        querystring: onDate,
        response: { 200: obj({ known: { type: 'boolean' } }) },
      },
    },
    async (req) => {
      const date = dateOf(req.query.date);
      if (!/^\d{10}$/.test(req.params.code)) throw new HttpError(400, 'invalid_code', 'commodity code must be 10 digits');
      return { ...store.commodity(req.params.code, date), pharmaInnDutyFree: store.pharmaInn(req.params.code), ...store.commodityExtras(req.params.code, date) };
    },
  );
  http.get<{ Params: { currency: string }; Querystring: { date?: string } }>(
    '/v1/fx/:currency',
    {
      schema: {
        summary: 'HMRC monthly exchange rate of a currency on a date',
        tags,
        params: { type: 'object', properties: { currency: code }, required: ['currency'] },
        querystring: onDate,
        response: { 200: obj({ known: { type: 'boolean' } }) },
      },
    },
    async (req) => {
      const date = dateOf(req.query.date);
      if (!/^[A-Za-z]{3}$/.test(req.params.currency)) throw new HttpError(400, 'invalid_currency', 'currency must be an ISO 4217 alpha-3 code');
      return store.fx(req.params.currency, date);
    },
  );
  http.get<{ Params: { code: string }; Querystring: { date?: string; origin?: string } }>(
    '/v1/rates/:code',
    {
      schema: {
        summary: 'Duty, preference, suspension, remedy and VAT rates of a commodity code from an origin on a date',
        tags,
        params: { type: 'object', properties: { code }, required: ['code'] },
        querystring: query({ date: isoDate, origin: { type: 'string', maxLength: 8, description: 'ISO 3166 alpha-2 country of origin' } }),
        response: { 200: obj({ known: { type: 'boolean' } }) },
      },
    },
    async (req) => {
      const date = dateOf(req.query.date);
      if (!/^\d{10}$/.test(req.params.code)) throw new HttpError(400, 'invalid_code', 'commodity code must be 10 digits');
      if (!/^[A-Za-z]{2}$/.test(req.query.origin ?? '')) throw new HttpError(400, 'invalid_origin', 'origin must be an ISO 3166 alpha-2 country code');
      return store.rates(req.params.code, req.query.origin!, date);
    },
  );
  // "*" so a CPC/APC pair may be written with a plain slash: /v1/code-lists/cpc-apc/4000/C07.
  http.get<{ Params: { list: string; '*': string }; Querystring: { date?: string } }>(
    '/v1/code-lists/:list/*',
    {
      schema: {
        summary: 'A code of a code list (CPC/APC pairs may be written with a slash)',
        tags,
        params: { type: 'object', properties: { list: code, '*': { type: 'string', maxLength: 256 } }, required: ['list'] },
        querystring: onDate,
        response: { 200: obj({ known: { type: 'boolean' } }) },
      },
    },
    async (req) => {
      const date = dateOf(req.query.date);
      let code = req.params['*'] ?? '';
      try {
        code = decodeURIComponent(code);
      } catch {
        throw new HttpError(400, 'invalid_code', 'the code is not valid percent-encoding');
      }
      if (!code) throw new HttpError(400, 'invalid_code', 'a code is required after the list name');
      return store.codeList(req.params.list, code, date);
    },
  );
  http.get<{ Params: { country: string }; Querystring: { date?: string } }>(
    '/v1/schemes/:country',
    {
      schema: {
        summary: 'Preference schemes open to a country on a date',
        tags,
        params: { type: 'object', properties: { country: code }, required: ['country'] },
        querystring: onDate,
        response: { 200: obj({}) },
      },
    },
    async (req) => {
      const date = dateOf(req.query.date);
      if (!/^[A-Za-z]{2}$/.test(req.params.country)) throw new HttpError(400, 'invalid_country', 'country must be an ISO 3166 alpha-2 code');
      return store.schemesFor(req.params.country, date);
    },
  );
  // Every version ever loaded (from the database, so other replicas' and the CLI's loads show),
  // with the one this process serves marked current.
  http.get(
    '/v1/datasets',
    { schema: { summary: 'Every reference dataset version ever loaded; the one served marked current', tags: ['datasets'], response: { 200: obj({ datasets: { type: 'array' } }) } } },
    async () => {
      const rows = await listDatasetVersions(db);
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
    },
  );
}

// gRPC adapter: batched point-in-time lookups and duty computation over the reference store.
import {
  ReferenceServiceService,
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
import { GrpcError, status, type GrpcServer } from '@customs/grpc';
import { isCalendarDate } from '@customs/legal-clock';
import type { HeldQuotaDefinition } from '../app/quota-allocation';
import type { ReferenceStore } from '../app/store';
import { computeLine } from './duties';

const MAX_BATCH = 10_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

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

/** Quota definitions held for order numbers (db/quota-repo.ts), read once per ComputeDuties call. */
export type QuotaDefinitionsPort = (orderNumbers: readonly string[]) => Promise<HeldQuotaDefinition[]>;

export function registerGrpc(grpc: GrpcServer, store: ReferenceStore, quotas: QuotaDefinitionsPort = async () => []): void {
  const checkBatch = (n: number) => {
    if (n > MAX_BATCH) throw new GrpcError(status.INVALID_ARGUMENT, `at most ${MAX_BATCH} queries per call, got ${n}`);
  };
  grpc.addService(ReferenceServiceService as never, {
    lookupCommodities: async (req: LookupCommoditiesRequest): Promise<LookupCommoditiesResponse> => {
      checkBatch(req.queries.length);
      return { results: req.queries.map((q) => store.commodity(q.commodityCode, q.date)) };
    },
    lookupFx: async (req: LookupFxRequest): Promise<LookupFxResponse> => {
      checkBatch(req.queries.length);
      // A rate "on 2023-02-30" has no answer: an impossible date is the caller's error, named.
      req.queries.forEach((q, i) => {
        if (q.date !== '' && !isCalendarDate(q.date)) throw new GrpcError(status.INVALID_ARGUMENT, `queries[${i}].date: "${q.date}" is not a calendar date (YYYY-MM-DD)`);
      });
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
      // Lines that leave the quota allocation to reference: one read for all their order numbers.
      const orderNumbers = req.lines.filter((l) => l.quota && l.quota.allocatedQuantity === '').map((l) => l.quota!.orderNumber);
      const held = orderNumbers.length ? await quotas(orderNumbers) : [];
      return { results: req.lines.map((l) => computeLine(l, held)) };
    },
  });
}

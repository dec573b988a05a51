import { credentials } from '@grpc/grpc-js';
import {
  ComputeDutiesRequest,
  ReferenceServiceClient,
  type CodeListResult,
  type CommodityResult,
  type ComputeDutiesResponse,
  type DutyLineInput,
  type DutyLineResult,
  type FxResult,
  type LookupCodeListsResponse,
  type LookupCommoditiesResponse,
  type LookupFxResponse,
  type LookupRatesResponse,
  type LookupSchemesResponse,
  type RateResult,
  type SchemeResult,
} from '@customs/contracts';
import { callUnary } from '@customs/grpc';

/** Lookup kinds the client caches. */
export type LookupKind = 'commodity' | 'fx' | 'rates' | 'codeList' | 'schemes';

export interface CachingReferenceClientOptions {
  /** host:port of the reference service's gRPC server. */
  address: string;
  /** Service token sent as "authorization: Bearer …". */
  token: string;
  /** Entries kept per kind before the oldest are dropped (default 200,000). */
  maxEntries?: number;
  /** Deadline of one batched call (default 10 s). */
  deadlineMs?: number;
  /** Largest batch sent in one call (the server accepts 10,000). */
  maxBatch?: number;
  /** Called per lookup batch with its cache outcome (e.g. to feed a Prometheus counter). */
  onLookup?: (kind: LookupKind, hits: number, misses: number) => void;
  /** An existing client (tests); otherwise one is created for `address`. */
  client?: ReferenceServiceClient;
}

/**
 * A batched, caching client of the reference service for other services. Point-in-time answers
 * for a key (code, origin, date …) only change when a reference dataset changes, so they are
 * cached until `clear()` — call it on `reference.dataset.changed.v1`. Only misses travel, in one
 * call per lookup kind, deduplicated; results come back in query order.
 *
 * Import it as `@customs/reference/dist/client` and add services/reference to the importing
 * service's tsconfig references.
 */
export class CachingReferenceClient {
  private readonly client: ReferenceServiceClient;
  private readonly caches: Record<LookupKind, Map<string, unknown>> = { commodity: new Map(), fx: new Map(), rates: new Map(), codeList: new Map(), schemes: new Map() };
  private readonly counts: Record<LookupKind, { hits: number; misses: number }> = {
    commodity: { hits: 0, misses: 0 },
    fx: { hits: 0, misses: 0 },
    rates: { hits: 0, misses: 0 },
    codeList: { hits: 0, misses: 0 },
    schemes: { hits: 0, misses: 0 },
  };
  private readonly maxEntries: number;
  private readonly maxBatch: number;

  constructor(private readonly opts: CachingReferenceClientOptions) {
    this.client = opts.client ?? new ReferenceServiceClient(opts.address, credentials.createInsecure());
    this.maxEntries = opts.maxEntries ?? 200_000;
    this.maxBatch = opts.maxBatch ?? 10_000;
  }

  private async cached<Q, R>(kind: LookupKind, queries: Q[], keyOf: (q: Q) => string, remote: (missing: Q[]) => Promise<R[]>): Promise<R[]> {
    const cache = this.caches[kind] as Map<string, R>;
    const keys = queries.map(keyOf);
    const missing = new Map<string, Q>();
    let hits = 0;
    keys.forEach((k, i) => {
      if (cache.has(k)) hits++;
      else if (!missing.has(k)) missing.set(k, queries[i]!);
    });
    const misses = queries.length - hits;
    this.counts[kind].hits += hits;
    this.counts[kind].misses += misses;
    this.opts.onLookup?.(kind, hits, misses);
    if (missing.size) {
      const entries = [...missing];
      for (let i = 0; i < entries.length; i += this.maxBatch) {
        const chunk = entries.slice(i, i + this.maxBatch);
        const results = await remote(chunk.map(([, q]) => q));
        if (results.length !== chunk.length) throw new Error(`reference ${kind}: asked ${chunk.length}, got ${results.length} results`);
        chunk.forEach(([k], j) => cache.set(k, results[j]!));
      }
      // Drop the oldest entries (Map keeps insertion order) rather than everything at once.
      if (cache.size > this.maxEntries) {
        for (const k of cache.keys()) {
          if (cache.size <= this.maxEntries) break;
          if (!missing.has(k)) cache.delete(k);
        }
      }
    }
    return keys.map((k) => cache.get(k)!);
  }

  private call<Res>(method: string, req: unknown): Promise<Res> {
    return callUnary<unknown, Res>(this.client, method, req, { token: this.opts.token, deadlineMs: this.opts.deadlineMs ?? 10_000 });
  }

  lookupCommodities(queries: { code: string; date: string }[]): Promise<CommodityResult[]> {
    return this.cached(
      'commodity',
      queries,
      (q) => `${q.code}|${q.date}`,
      async (m) => (await this.call<LookupCommoditiesResponse>('lookupCommodities', { queries: m.map((q) => ({ commodityCode: q.code, date: q.date })) })).results,
    );
  }

  lookupFx(queries: { currency: string; date: string }[]): Promise<FxResult[]> {
    return this.cached(
      'fx',
      queries,
      (q) => `${q.currency.toUpperCase()}|${q.date}`,
      async (m) => (await this.call<LookupFxResponse>('lookupFx', { queries: m })).results,
    );
  }

  /** A cached rate answer whose stable interval covers the date. */
  private findRate(key: string, date: string): RateResult | undefined {
    const list = this.caches.rates.get(key) as RateResult[] | undefined;
    return list?.find((r) => (!r.stableFrom || r.stableFrom <= date) && (!r.stableTo || date <= r.stableTo));
  }

  /**
   * Tariff measures for (code, origin, date). Cached by the answer's stable interval (the
   * server says over which dates the same measures apply), so one remote answer serves every
   * acceptance date in that interval, not just the date asked.
   */
  async lookupRates(queries: { code: string; origin: string; date: string }[]): Promise<RateResult[]> {
    const cache = this.caches.rates as Map<string, RateResult[]>;
    const out: RateResult[] = new Array(queries.length);
    const missing = new Map<string, { q: { commodityCode: string; origin: string; date: string }; at: number[] }>();
    const answer = (r: RateResult, q: { code: string; origin: string; date: string }): RateResult => ({ ...r, commodityCode: q.code, date: q.date });
    let hits = 0;
    queries.forEach((q, i) => {
      const key = `${q.code}|${q.origin.toUpperCase()}`;
      const hit = this.findRate(key, q.date);
      if (hit) {
        hits++;
        out[i] = answer(hit, q);
        return;
      }
      const exact = `${key}|${q.date}`;
      const m = missing.get(exact) ?? { q: { commodityCode: q.code, origin: q.origin, date: q.date }, at: [] };
      m.at.push(i);
      missing.set(exact, m);
    });
    const misses = queries.length - hits;
    this.counts.rates.hits += hits;
    this.counts.rates.misses += misses;
    this.opts.onLookup?.('rates', hits, misses);
    const pending = [...missing.values()];
    for (let i = 0; i < pending.length; i += this.maxBatch) {
      const chunk = pending.slice(i, i + this.maxBatch);
      const { results } = await this.call<LookupRatesResponse>('lookupRates', { queries: chunk.map((m) => m.q) });
      if (results.length !== chunk.length) throw new Error(`reference rates: asked ${chunk.length}, got ${results.length} results`);
      chunk.forEach((m, j) => {
        const r = results[j]!;
        const key = `${m.q.commodityCode}|${m.q.origin.toUpperCase()}`;
        const list = cache.get(key) ?? [];
        if (!list.some((x) => x.stableFrom === r.stableFrom && x.stableTo === r.stableTo)) list.push(r);
        cache.delete(key); // re-insert: most recently used last, evicted last
        cache.set(key, list);
        for (const at of m.at) out[at] = answer(r, queries[at]!);
      });
    }
    while (cache.size > this.maxEntries) cache.delete(cache.keys().next().value!);
    return out;
  }

  lookupCodeLists(queries: { list: string; code: string; date: string }[]): Promise<CodeListResult[]> {
    return this.cached(
      'codeList',
      queries,
      (q) => `${q.list}|${q.code}|${q.date}`,
      async (m) => (await this.call<LookupCodeListsResponse>('lookupCodeLists', { queries: m })).results,
    );
  }

  lookupSchemes(queries: { country: string; date: string }[]): Promise<SchemeResult[]> {
    return this.cached(
      'schemes',
      queries,
      (q) => `${q.country.toUpperCase()}|${q.date}`,
      async (m) => (await this.call<LookupSchemesResponse>('lookupSchemes', { queries: m })).results,
    );
  }

  /** Duty computation is not cached: its inputs are per declaration line. */
  async computeDuties(lines: Partial<DutyLineInput>[]): Promise<DutyLineResult[]> {
    return (await this.call<ComputeDutiesResponse>('computeDuties', ComputeDutiesRequest.fromPartial({ lines }))).results;
  }

  /** Hit/miss counts per kind and overall hit rate (0–1) since creation. */
  stats(): { byKind: Record<LookupKind, { hits: number; misses: number }>; hits: number; misses: number; hitRate: number; entries: number } {
    let hits = 0;
    let misses = 0;
    let entries = 0;
    for (const k of Object.keys(this.counts) as LookupKind[]) {
      hits += this.counts[k].hits;
      misses += this.counts[k].misses;
      entries += this.caches[k].size;
    }
    return { byKind: structuredClone(this.counts), hits, misses, hitRate: hits + misses ? hits / (hits + misses) : 0, entries };
  }

  /** Forgets every cached answer (a reference dataset changed). */
  clear(): void {
    for (const c of Object.values(this.caches)) c.clear();
  }

  close(): void {
    this.client.close();
  }
}

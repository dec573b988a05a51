import { credentials } from '@grpc/grpc-js';
import { ReferenceServiceClient, type CommodityResult, type FxResult, type LookupCommoditiesResponse, type LookupFxResponse } from '@customs/contracts';
import { callUnary } from '@customs/grpc';
import type { ServiceMetrics } from '@customs/telemetry';
import type { ReferencePort } from '../app/reference-port';

/**
 * Reference lookups over gRPC with an in-process cache: point-in-time answers for a (code, date)
 * do not change until a dataset version changes, when `clear()` is called. Only cache misses
 * travel, in one batched call per consumed batch.
 */
export class CachedReferenceClient implements ReferencePort {
  private readonly client: ReferenceServiceClient;
  private readonly commodities = new Map<string, CommodityResult>();
  private readonly fx = new Map<string, FxResult>();
  private readonly lookups;

  constructor(address: string, private readonly token: string, metrics: ServiceMetrics, private readonly maxEntries = 200_000) {
    this.client = new ReferenceServiceClient(address, credentials.createInsecure());
    this.lookups = metrics.counter('customs_reference_cache_lookups_total', 'Reference lookups by cache outcome', ['kind', 'outcome']);
  }

  async lookupCommodities(queries: { code: string; date: string }[]): Promise<CommodityResult[]> {
    const out: CommodityResult[] = [];
    const missing: { commodityCode: string; date: string }[] = [];
    for (const q of queries) {
      const hit = this.commodities.get(`${q.code}|${q.date}`);
      if (hit) out.push(hit);
      else missing.push({ commodityCode: q.code, date: q.date });
    }
    this.lookups.inc({ kind: 'commodity', outcome: 'hit' }, out.length);
    this.lookups.inc({ kind: 'commodity', outcome: 'miss' }, missing.length);
    if (missing.length) {
      const res = await callUnary<unknown, LookupCommoditiesResponse>(this.client, 'lookupCommodities', { queries: missing }, { token: this.token, deadlineMs: 10000 });
      if (this.commodities.size + res.results.length > this.maxEntries) this.commodities.clear();
      for (const r of res.results) {
        this.commodities.set(`${r.commodityCode}|${r.date}`, r);
        out.push(r);
      }
    }
    return out;
  }

  async lookupFx(queries: { currency: string; date: string }[]): Promise<FxResult[]> {
    const out: FxResult[] = [];
    const missing: { currency: string; date: string }[] = [];
    for (const q of queries) {
      const hit = this.fx.get(`${q.currency}|${q.date}`);
      if (hit) out.push(hit);
      else missing.push(q);
    }
    this.lookups.inc({ kind: 'fx', outcome: 'hit' }, out.length);
    this.lookups.inc({ kind: 'fx', outcome: 'miss' }, missing.length);
    if (missing.length) {
      const res = await callUnary<unknown, LookupFxResponse>(this.client, 'lookupFx', { queries: missing }, { token: this.token, deadlineMs: 10000 });
      for (const r of res.results) {
        this.fx.set(`${r.currency}|${r.date}`, r);
        out.push(r);
      }
    }
    return out;
  }

  /** Forgets cached answers (a reference dataset changed). */
  clear(): void {
    this.commodities.clear();
    this.fx.clear();
  }

  close(): void {
    this.client.close();
  }
}

import type { CommodityResult, FxResult } from '@customs/contracts';

/** Batched point-in-time reference lookups (implemented over gRPC by the reference service). */
export interface ReferencePort {
  lookupCommodities(queries: { code: string; date: string }[]): Promise<CommodityResult[]>;
  lookupFx(queries: { currency: string; date: string }[]): Promise<FxResult[]>;
}

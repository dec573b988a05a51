import type { CodeListResult, CommodityResult, FxResult, RateResult } from '@customs/contracts';
import type { CodeListName } from '../rules';

/** Batched point-in-time reference lookups (implemented over gRPC by the reference service). */
export interface ReferencePort {
  lookupCommodities(queries: { code: string; date: string }[]): Promise<CommodityResult[]>;
  lookupFx(queries: { currency: string; date: string }[]): Promise<FxResult[]>;
  lookupRates(queries: { code: string; origin: string; date: string }[]): Promise<RateResult[]>;
  lookupCodeLists(queries: { list: CodeListName; code: string; date: string }[]): Promise<CodeListResult[]>;
}

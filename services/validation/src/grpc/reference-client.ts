import { CachingReferenceClient } from '@customs/reference-client';
import type { ServiceMetrics } from '@customs/telemetry';
import type { ReferencePort } from '../app/reference-port';

/**
 * The reference service's own batched, caching client (rates cached by the answer's stable date
 * interval, other lookups by key), with its hit/miss counts exported as a Prometheus counter so
 * the cache hit rate is visible on /metrics.
 */
export function createReferenceClient(address: string, token: string, metrics: ServiceMetrics): ReferencePort & { clear(): void; close(): void } {
  const lookups = metrics.counter('customs_reference_cache_lookups_total', 'Reference lookups by cache outcome', ['kind', 'outcome']);
  return new CachingReferenceClient({
    address,
    token,
    onLookup: (kind, hits, misses) => {
      lookups.inc({ kind, outcome: 'hit' }, hits);
      lookups.inc({ kind, outcome: 'miss' }, misses);
    },
  });
}

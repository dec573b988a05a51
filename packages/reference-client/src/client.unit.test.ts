import type { ReferenceServiceClient } from '@customs/contracts';
import { CachingReferenceClient } from './index';
// The reference service's own store answers, so the cache is tested against real tariff data.
import { loadBundledStore } from '../../../services/reference/src/app/load-bundled';
import * as path from 'node:path';

const store = loadBundledStore(path.resolve(__dirname, '../../../services/reference/data'));

/** A stand-in for the generated gRPC client that answers from the real store and counts calls. */
function fakeGrpc() {
  const calls: { method: string; n: number }[] = [];
  const unary = (method: string, answer: (q: any) => unknown) => (req: any, _md: unknown, _opts: unknown, cb: (e: null, r: unknown) => void) => {
    calls.push({ method, n: req.queries.length });
    setImmediate(() => cb(null, { results: req.queries.map(answer) }));
  };
  const client = {
    lookupRates: unary('lookupRates', (q) => store.rates(q.commodityCode, q.origin, q.date)),
    lookupCodeLists: unary('lookupCodeLists', (q) => store.codeList(q.list, q.code, q.date)),
    lookupSchemes: unary('lookupSchemes', (q) => store.schemesFor(q.country, q.date)),
    close: () => undefined,
  } as unknown as ReferenceServiceClient;
  return { client, calls };
}

describe('CachingReferenceClient', () => {
  it('sends only misses, deduplicated, in one call; answers in query order; counts hits and misses', async () => {
    const { client, calls } = fakeGrpc();
    const seen: [string, number, number][] = [];
    const c = new CachingReferenceClient({ address: 'unused', token: 't', client, onLookup: (k, h, m) => seen.push([k, h, m]) });
    const q = [
      { code: '0102292100', origin: 'US', date: '2022-02-01' },
      { code: '8510900000', origin: 'CN', date: '2022-02-01' },
      { code: '0102292100', origin: 'us', date: '2022-02-01' },
    ];
    const first = await c.lookupRates(q);
    expect(first.map((r) => r.thirdCountry?.expression)).toEqual(['10.00% + 77.00 GBP/100kg', '2.0%', '10.00% + 77.00 GBP/100kg']);
    expect(calls).toEqual([{ method: 'lookupRates', n: 2 }]);
    await c.lookupRates(q);
    expect(calls).toHaveLength(1);
    expect(c.stats()).toMatchObject({ hits: 3, misses: 3, hitRate: 0.5, entries: 2 });
    expect(seen).toEqual([
      ['rates', 0, 3],
      ['rates', 3, 0],
    ]);
    // Another acceptance date inside the answer's stable interval is a hit, answered for that date.
    const later = await c.lookupRates([{ code: '0102292100', origin: 'US', date: '2023-07-14' }]);
    expect(later[0]).toMatchObject({ date: '2023-07-14', thirdCountry: { expression: '10.00% + 77.00 GBP/100kg' } });
    expect(calls).toHaveLength(1);
    c.clear();
    await c.lookupRates(q.slice(0, 1));
    expect(calls).toHaveLength(2);
  });

  it('a seasonal line is cached per season: the next season is a miss', async () => {
    const { client, calls } = fakeGrpc();
    const c = new CachingReferenceClient({ address: 'unused', token: 't', client });
    const [jan] = await c.lookupRates([{ code: '0302410000', origin: 'NO', date: '2023-01-10' }]);
    expect(jan).toMatchObject({ stableFrom: '2022-07-01', stableTo: '2023-01-31', thirdCountry: { expression: '14.00%' } });
    expect((await c.lookupRates([{ code: '0302410000', origin: 'NO', date: '2022-09-30' }]))[0]!.thirdCountry!.expression).toBe('14.00%');
    expect(calls).toHaveLength(1);
    expect((await c.lookupRates([{ code: '0302410000', origin: 'NO', date: '2023-02-01' }]))[0]!.thirdCountry!.expression).toBe('0.00%');
    expect(calls).toHaveLength(2);
  });

  it('caches code lists and schemes per key and drops the oldest entries beyond maxEntries', async () => {
    const { client, calls } = fakeGrpc();
    const c = new CachingReferenceClient({ address: 'unused', token: 't', client, maxEntries: 2 });
    const r = await c.lookupCodeLists([
      { list: 'cpc-apc', code: '4200000/F15', date: '2023-01-01' },
      { list: 'currency', code: 'EUR', date: '2023-01-01' },
      { list: 'country', code: 'FR', date: '2023-01-01' },
    ]);
    expect(r.map((x) => x.member)).toEqual([true, true, true]);
    expect(c.stats().entries).toBe(3); // the batch just fetched is kept whole
    await c.lookupSchemes([{ country: 'JP', date: '2023-01-01' }]);
    expect((await c.lookupSchemes([{ country: 'jp', date: '2023-01-01' }]))[0]!.schemes[0]!.id).toBe('japan');
    expect(calls.map((x) => x.method)).toEqual(['lookupCodeLists', 'lookupSchemes']);
  });
});

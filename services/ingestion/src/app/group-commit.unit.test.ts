import { GroupCommitter, type GroupWriter } from './group-commit';

/** A writer whose transactions the test finishes by hand, recording what each one was given. */
function controlledWriter() {
  const calls: { tenantId: string; items: string[]; finish: (fail?: Error) => void }[] = [];
  const write: GroupWriter<string, string> = (tenantId, items) =>
    new Promise((resolve, reject) => {
      calls.push({ tenantId, items: [...items], finish: (fail) => (fail ? reject(fail) : resolve(items.map((i) => `stored ${i}`))) });
    });
  return { calls, write };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommitter', () => {
  const options = { maxDocuments: 100, maxBytes: 1_000_000, maxGroupsInFlight: 2 };

  it('commits a lone document at once, then everything that arrived meanwhile in one transaction, in order', async () => {
    const w = controlledWriter();
    const c = new GroupCommitter(w.write, options);
    const first = c.submit('t1', 'a', 10);
    await tick();
    expect(w.calls.map((x) => x.items)).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((d) => c.submit('t1', d, 10));
    await tick();
    expect(w.calls).toHaveLength(1); // the tenant's transaction is still in flight
    expect(c.waiting).toBe(3);
    w.calls[0]!.finish();
    expect(await first).toBe('stored a');
    await tick();
    expect(w.calls.map((x) => x.items)).toEqual([['a'], ['b', 'c', 'd']]);
    w.calls[1]!.finish();
    expect(await Promise.all(later)).toEqual(['stored b', 'stored c', 'stored d']);
    expect(c.stats).toEqual({ groups: 2, documents: 4, fallbacks: 0 });
  });

  it('runs different tenants side by side, never two transactions of one tenant', async () => {
    const w = controlledWriter();
    const c = new GroupCommitter(w.write, options);
    const all = [c.submit('t1', 'a', 1), c.submit('t1', 'b', 1), c.submit('t2', 'x', 1), c.submit('t1', 'c', 1), c.submit('t3', 'z', 1)];
    await tick();
    // Two in flight at most: t1's first document, and t2 (t1 is busy, so its others wait).
    expect(w.calls.map((x) => [x.tenantId, x.items])).toEqual([
      ['t1', ['a']],
      ['t2', ['x']],
    ]);
    w.calls[1]!.finish();
    await tick();
    expect(w.calls.map((x) => [x.tenantId, x.items])[2]).toEqual(['t3', ['z']]);
    w.calls[0]!.finish();
    await tick();
    expect(w.calls.map((x) => [x.tenantId, x.items])[3]).toEqual(['t1', ['b', 'c']]);
    w.calls[2]!.finish();
    w.calls[3]!.finish();
    expect(await Promise.all(all)).toEqual(['stored a', 'stored b', 'stored x', 'stored c', 'stored z']);
  });

  it('bounds a group by documents and by bytes, but always takes one document', async () => {
    const w = controlledWriter();
    const c = new GroupCommitter(w.write, { maxDocuments: 2, maxBytes: 100, maxGroupsInFlight: 1 });
    const all = [c.submit('t', 'blocker', 1), c.submit('t', 'a', 10), c.submit('t', 'b', 10), c.submit('t', 'c', 10), c.submit('t', 'big', 500), c.submit('t', 'd', 10)];
    await tick();
    for (let i = 0; i < 4; i++) {
      w.calls[i]!.finish();
      await tick();
    }
    expect(w.calls.map((x) => x.items)).toEqual([['blocker'], ['a', 'b'], ['c'], ['big'], ['d']]);
    w.calls[4]!.finish();
    await Promise.all(all);
  });

  it('after a failed group, stores each document alone so only the bad one fails', async () => {
    const calls: string[][] = [];
    const bad = new Error('duplicate key value violates unique constraint');
    const c = new GroupCommitter<string, string>(
      async (_t, items) => {
        calls.push([...items]);
        if (items.includes('bad')) throw bad;
        return items.map((i) => `stored ${i}`);
      },
      { ...options, maxGroupsInFlight: 1 },
    );
    const first = c.submit('t', 'first', 1);
    const rest = ['ok1', 'bad', 'ok2'].map((d) => c.submit('t', d, 1));
    const settled = await Promise.allSettled([first, ...rest]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['stored first', 'stored ok1', bad.message, 'stored ok2']);
    expect(calls).toEqual([['first'], ['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
    expect(c.stats.fallbacks).toBe(1);
  });

  it('a lone document that fails is rejected with its error, and the next ones still commit', async () => {
    let n = 0;
    const c = new GroupCommitter<string, string>(async (_t, items) => {
      if (n++ === 0) throw new Error('connection terminated');
      return items.map((i) => `stored ${i}`);
    }, options);
    await expect(c.submit('t', 'a', 1)).rejects.toThrow('connection terminated');
    await expect(c.submit('t', 'b', 1)).resolves.toBe('stored b');
  });
});

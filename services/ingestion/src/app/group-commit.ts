/**
 * Group commit for documents that arrive one request at a time (a broker's integration posting
 * each declaration, a multipart upload of a folder): while one transaction of a tenant commits,
 * the documents that arrive queue up, and the next transaction stores all of them with shared
 * statements (ingestDocuments). Nothing waits for a group to fill: a lone document is committed
 * at once, so latency at low load is that of one transaction, and under load the number of round
 * trips, transactions and WAL flushes per document falls with the queue's length.
 *
 * One group per tenant is in flight at a time, so a tenant's documents are stored in the order
 * they were submitted (an amendment uploaded after its declaration finds it). Groups of different
 * tenants run side by side, up to `maxGroupsInFlight`.
 *
 * If a group's transaction fails (a concurrent upload of the same content won the unique key, a
 * deadlock, a document that breaks a constraint), its documents are retried one transaction each,
 * so a bad document fails alone and the others are stored as if they had come alone.
 */
export interface GroupCommitOptions {
  /** Most documents in one transaction. */
  maxDocuments: number;
  /** Most bytes of raw content in one transaction (at least one document is always taken). */
  maxBytes: number;
  /** Groups (of different tenants) committing at the same time. */
  maxGroupsInFlight: number;
}

/** Stores the items of one tenant in one transaction; results in the items' order. */
export type GroupWriter<T, R> = (tenantId: string, items: T[]) => Promise<R[]>;

interface Waiting<T, R> {
  tenantId: string;
  item: T;
  bytes: number;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private readonly busyTenants = new Set<string>();
  private inFlight = 0;
  /** Transactions run, and documents they stored (for /metrics and tests). */
  readonly stats = { groups: 0, documents: 0, fallbacks: 0 };

  constructor(
    private readonly write: GroupWriter<T, R>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves with the item's own result once its group has committed. */
  submit(tenantId: string, item: T, bytes: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ tenantId, item, bytes, resolve, reject });
      this.pump();
    });
  }

  /** Documents waiting for a transaction. */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.options.maxGroupsInFlight) {
      const group = this.nextGroup();
      if (!group) return;
      this.inFlight++;
      this.busyTenants.add(group[0]!.tenantId);
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.busyTenants.delete(group[0]!.tenantId);
        this.pump();
      });
    }
  }

  /** The oldest waiting document of a tenant with no group in flight, and those of its tenant after it. */
  private nextGroup(): Waiting<T, R>[] | undefined {
    const first = this.queue.findIndex((w) => !this.busyTenants.has(w.tenantId));
    if (first < 0) return undefined;
    const tenantId = this.queue[first]!.tenantId;
    const group: Waiting<T, R>[] = [];
    let bytes = 0;
    for (let i = first; i < this.queue.length && group.length < this.options.maxDocuments; ) {
      const w = this.queue[i]!;
      if (w.tenantId !== tenantId) {
        i++;
        continue;
      }
      if (group.length > 0 && bytes + w.bytes > this.options.maxBytes) break;
      group.push(w);
      bytes += w.bytes;
      this.queue.splice(i, 1);
    }
    return group;
  }

  private async commit(group: Waiting<T, R>[]): Promise<void> {
    const tenantId = group[0]!.tenantId;
    try {
      const results = await this.write(
        tenantId,
        group.map((w) => w.item),
      );
      this.stats.groups++;
      this.stats.documents += group.length;
      group.forEach((w, i) => w.resolve(results[i]!));
      return;
    } catch (e) {
      if (group.length === 1) {
        group[0]!.reject(e);
        return;
      }
    }
    // The shared transaction rolled back: nothing of it was stored. Each document alone, in order.
    this.stats.fallbacks++;
    for (const w of group) {
      try {
        const [r] = await this.write(tenantId, [w.item]);
        this.stats.groups++;
        this.stats.documents++;
        w.resolve(r!);
      } catch (e) {
        w.reject(e);
      }
    }
  }
}

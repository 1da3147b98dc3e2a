import {
  commitTimeText,
  positionKey,
  type CommitPosition,
  type DocumentData,
  type DocumentStore,
  type DocumentTransaction,
  type FieldFilter,
  type StoredDocument,
} from '../../../shared/ports/document-store';

const clone = <T>(v: T): T => structuredClone(v);

function matches(doc: DocumentData, f: FieldFilter): boolean {
  const v = doc[f.field] as number | string;
  const w = f.value as number | string;
  switch (f.op) {
    case '==':
      return v === w;
    case '<':
      return v < w;
    case '<=':
      return v <= w;
    case '>':
      return v > w;
    case '>=':
      return v >= w;
    case 'in':
      return (f.value as unknown[]).includes(v);
  }
}

/** In-memory twin of the Firestore adapter for unit tests; transactions are serialised. */
export class MemoryDocumentStore implements DocumentStore {
  private readonly data = new Map<string, Map<string, DocumentData>>();
  private lock: Promise<unknown> = Promise.resolve();

  private col(name: string): Map<string, DocumentData> {
    let c = this.data.get(name);
    if (!c) this.data.set(name, (c = new Map()));
    return c;
  }

  async get<T extends DocumentData>(collection: string, id: string): Promise<T | undefined> {
    const d = this.col(collection).get(id);
    return d ? (clone(d) as T) : undefined;
  }

  async getMany<T extends DocumentData>(collection: string, ids: string[]): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    for (const id of ids) {
      const d = this.col(collection).get(id);
      if (d) out.set(id, clone(d) as T);
    }
    return out;
  }

  async set(collection: string, id: string, data: DocumentData): Promise<void> {
    this.col(collection).set(id, clone(data));
  }

  async createIfAbsent(collection: string, id: string, data: DocumentData): Promise<boolean> {
    if (this.col(collection).has(id)) return false;
    this.col(collection).set(id, clone(data));
    return true;
  }

  async query<T extends DocumentData>(
    collection: string,
    filters: FieldFilter[],
  ): Promise<StoredDocument<T>[]> {
    return [...this.col(collection).entries()]
      .filter(([, d]) => filters.every((f) => matches(d, f)))
      .map(([id, d]) => ({ id, data: clone(d) as T }));
  }

  private lastCommitNs = 0n;

  /** Strictly increasing commit times from the wall clock, as a store's are. */
  private commitTime(): string {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.lastCommitNs = now > this.lastCommitNs ? now : this.lastCommitNs + 1n;
    return commitTimeText(this.lastCommitNs / 1_000_000_000n, this.lastCommitNs % 1_000_000_000n);
  }

  async appendIfAbsent(collection: string, id: string, data: DocumentData, field: string): Promise<boolean> {
    return this.createIfAbsent(collection, id, { ...data, [field]: this.commitTime() });
  }

  async readAfter<T extends DocumentData>(
    collection: string,
    field: string,
    after: CommitPosition | null,
    limit: number,
    settleMs: number,
  ): Promise<(StoredDocument<T> & { position: CommitPosition })[]> {
    // To the end of that millisecond: commit times within one millisecond are told apart by a nanosecond counter.
    const horizonNs = BigInt(Date.now() - settleMs + 1) * 1_000_000n - 1n;
    const horizon = commitTimeText(horizonNs / 1_000_000_000n, horizonNs % 1_000_000_000n);
    const from = after ? positionKey(after) : '';
    return [...this.col(collection).entries()]
      .filter(([, d]) => typeof d[field] === 'string' && (d[field] as string) <= horizon)
      .map(([id, d]) => ({ id, data: clone(d) as T, position: { committedAt: d[field] as string, id } }))
      .filter((d) => positionKey(d.position) > from)
      .sort((a, b) => (positionKey(a.position) < positionKey(b.position) ? -1 : 1))
      .slice(0, limit);
  }
  async readLatest<T extends DocumentData>(
    collection: string,
    field: string,
    limit: number,
    settleMs: number,
  ): Promise<(StoredDocument<T> & { position: CommitPosition })[]> {
    // As Firestore's: the newest `limit` of all, then those settled.
    const all = await this.readAfter<T>(collection, field, null, Number.MAX_SAFE_INTEGER, 0);
    const settled = await this.readAfter<T>(collection, field, null, Number.MAX_SAFE_INTEGER, settleMs);
    const newest = new Set(all.slice(Math.max(0, all.length - limit)).map((d) => d.id));
    return settled.filter((d) => newest.has(d.id));
  }

  runTransaction<R>(fn: (tx: DocumentTransaction) => Promise<R>): Promise<R> {
    const run = async (): Promise<R> => {
      const writes: (() => void)[] = [];
      const tx: DocumentTransaction = {
        get: async <T extends DocumentData>(c: string, id: string) => {
          if (writes.length) throw new Error('transaction reads must come before writes');
          return this.get<T>(c, id);
        },
        getAll: async (refs) => {
          if (writes.length) throw new Error('transaction reads must come before writes');
          return Promise.all(refs.map((r) => this.get(r.collection, r.id)));
        },
        set: (c, id, d) => writes.push(() => this.col(c).set(id, clone(d))),
        create: (c, id, d) => {
          if (this.col(c).has(id)) throw new Error(`document ${c}/${id} already exists`);
          writes.push(() => this.col(c).set(id, clone(d)));
        },
        delete: (c, id) => writes.push(() => this.col(c).delete(id)),
      };
      const result = await fn(tx);
      for (const w of writes) w();
      return result;
    };
    const next = this.lock.then(run, run);
    this.lock = next.catch(() => undefined);
    return next;
  }
}

/**
 * The DocumentStore port against the real Firestore emulator, and its in-memory twin held to the same
 * contract (use-case unit tests rely on the twin behaving like Firestore).
 */
import { BulkWriter, Firestore } from '@google-cloud/firestore';
import { FirestoreDocumentStore } from '../../../shared/adapters/gcp/firestore-document-store';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { EXPIRE_AT_FIELD, idempotencyExpiry } from '../../../shared/domain/retention';
import type { DocumentStore } from '../../../shared/ports/document-store';
import { emulatorHosts, isolatedProjectId } from '../../support/env';

interface Subject {
  store: DocumentStore;
  close(): Promise<void>;
}

const adapters: [string, () => Subject][] = [
  [
    'FirestoreDocumentStore (emulator)',
    () => {
      const store = new FirestoreDocumentStore({
        projectId: isolatedProjectId('docs'),
        emulatorHost: emulatorHosts().firestoreHost,
      });
      return { store, close: () => store.close() };
    },
  ],
  [
    'FirestoreDocumentStore (emulator, one request per call)',
    () => {
      const store = new FirestoreDocumentStore({
        projectId: isolatedProjectId('docs-single'),
        emulatorHost: emulatorHosts().firestoreHost,
        coalesce: false,
      });
      return { store, close: () => store.close() };
    },
  ],
  ['MemoryDocumentStore', () => ({ store: new MemoryDocumentStore(), close: async () => undefined })],
];

const POSITION = {
  portfolioId: 'desk-001',
  updatedAt: '2024-08-05T09:30:00.000Z',
  positions: [
    { asset: 'BTC', amount: 1.25, side: 'collateral' },
    { asset: 'USDC', amount: 48000, side: 'borrow' },
  ],
  healthScore: null,
  active: true,
  limits: { maxLtv: 0.7, assets: ['BTC', 'ETH'] },
};

describe.each(adapters)('%s', (_name, make) => {
  let subject: Subject;
  let store: DocumentStore;

  beforeAll(() => {
    subject = make();
    store = subject.store;
  });
  afterAll(async () => {
    await subject.close();
  });

  it('returns undefined for a missing document and exactly what was set for a present one', async () => {
    expect(await store.get('portfolios', 'missing')).toBeUndefined();
    await store.set('portfolios', 'desk-001', POSITION);
    expect(await store.get('portfolios', 'desk-001')).toEqual(POSITION);
  });

  it('replaces the whole document on set (no stale fields survive)', async () => {
    await store.set('state', 'BTC', { price: 54321.5, source: 'median', stale: true });
    await store.set('state', 'BTC', { price: 54400, source: 'chainlink' });
    expect(await store.get('state', 'BTC')).toEqual({ price: 54400, source: 'chainlink' });
  });

  it('hands out copies: mutating a read document does not change the stored one', async () => {
    await store.set('copies', 'a', { list: [1, 2] });
    const doc = await store.get<{ list: number[] }>('copies', 'a');
    doc?.list.push(3);
    expect(await store.get('copies', 'a')).toEqual({ list: [1, 2] });
  });

  it('gets many documents at once, leaving out the missing ones, across more ids than one batch', async () => {
    const ids = Array.from({ length: 320 }, (_, i) => `p-${String(i).padStart(3, '0')}`);
    await Promise.all(
      ids.filter((_, i) => i % 2 === 0).map((id) => store.set('many', id, { id, n: Number(id.slice(2)) })),
    );
    const got = await store.getMany<{ id: string; n: number }>('many', ids);
    expect(got.size).toBe(160);
    expect(got.get('p-000')).toEqual({ id: 'p-000', n: 0 });
    expect(got.get('p-318')).toEqual({ id: 'p-318', n: 318 });
    expect(got.has('p-001')).toBe(false);
    expect((await store.getMany('many', [])).size).toBe(0);
  });

  it('creates a document only if absent: the second create returns false and changes nothing', async () => {
    const claim = { owner: 'delivery-1', at: '2022-11-09T15:00:02.417Z' };
    expect(await store.createIfAbsent('outbox', 'me_0f3a', claim)).toBe(true);
    expect(await store.createIfAbsent('outbox', 'me_0f3a', { owner: 'delivery-2', at: 'later' })).toBe(false);
    expect(await store.get('outbox', 'me_0f3a')).toEqual(claim);
  });

  it('lets exactly one of many concurrent creators win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.createIfAbsent('claims', 'tick-20240805T1200Z', { by: i })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get('claims', 'tick-20240805T1200Z')).toEqual({ by: winner });
  });

  it('queries with ==, <, <=, >, >= and in filters, combined', async () => {
    const rows = [
      { id: 'a', shard: 0, health: 12.5, state: 'LIQUIDATION' },
      { id: 'b', shard: 0, health: 28, state: 'MARGIN_CALL' },
      { id: 'c', shard: 1, health: 45, state: 'WARNING' },
      { id: 'd', shard: 0, health: 80, state: 'HEALTHY' },
      { id: 'e', shard: 1, health: 30, state: 'WARNING' },
    ];
    for (const r of rows) await store.set('health', r.id, r);
    const ids = async (filters: Parameters<DocumentStore['query']>[1]) =>
      (await store.query('health', filters)).map((d) => d.id).sort();
    expect(await ids([{ field: 'shard', op: '==', value: 0 }])).toEqual(['a', 'b', 'd']);
    expect(await ids([{ field: 'health', op: '<', value: 30 }])).toEqual(['a', 'b']);
    expect(await ids([{ field: 'health', op: '<=', value: 30 }])).toEqual(['a', 'b', 'e']);
    expect(await ids([{ field: 'health', op: '>', value: 30 }])).toEqual(['c', 'd']);
    expect(await ids([{ field: 'health', op: '>=', value: 45 }])).toEqual(['c', 'd']);
    expect(await ids([{ field: 'state', op: 'in', value: ['MARGIN_CALL', 'LIQUIDATION'] }])).toEqual([
      'a',
      'b',
    ]);
    expect(
      await ids([
        { field: 'shard', op: '==', value: 0 },
        { field: 'health', op: '<', value: 50 },
      ]),
    ).toEqual(['a', 'b']);
    expect(await ids([])).toEqual(['a', 'b', 'c', 'd', 'e']);
    const [doc] = await store.query('health', [{ field: 'state', op: '==', value: 'HEALTHY' }]);
    expect(doc).toEqual({ id: 'd', data: rows[3] });
  });

  it('runs read-then-write transactions atomically and returns their result', async () => {
    await store.set('balances', 'alice', { usd: 100 });
    await store.set('balances', 'bob', { usd: 0 });
    const moved = await store.runTransaction(async (tx) => {
      const a = await tx.get<{ usd: number }>('balances', 'alice');
      const b = await tx.get<{ usd: number }>('balances', 'bob');
      tx.set('balances', 'alice', { usd: (a?.usd ?? 0) - 40 });
      tx.set('balances', 'bob', { usd: (b?.usd ?? 0) + 40 });
      tx.create('transfers', 't-1', { usd: 40 });
      return 40;
    });
    expect(moved).toBe(40);
    expect(await store.getMany('balances', ['alice', 'bob'])).toEqual(
      new Map([
        ['alice', { usd: 60 }],
        ['bob', { usd: 40 }],
      ]),
    );
    expect(await store.get('transfers', 't-1')).toEqual({ usd: 40 });
  });

  it('reads several documents of several collections in one transactional read, in the order asked', async () => {
    await store.set('ledger', 'carol', { usd: 7 });
    await store.set('limits', 'carol', { maxUsd: 10 });
    const got = await store.runTransaction(async (tx) => {
      const docs = await tx.getAll([
        { collection: 'limits', id: 'carol' },
        { collection: 'ledger', id: 'nobody' },
        { collection: 'ledger', id: 'carol' },
      ]);
      tx.set('ledger', 'carol', { usd: 8 });
      return docs;
    });
    expect(got).toEqual([{ maxUsd: 10 }, undefined, { usd: 7 }]);
    expect(await store.get('ledger', 'carol')).toEqual({ usd: 8 });
    await expect(
      store.runTransaction(async (tx) => {
        tx.set('ledger', 'carol', { usd: 9 });
        return tx.getAll([{ collection: 'ledger', id: 'carol' }]);
      }),
    ).rejects.toThrow();
    expect(await store.get('ledger', 'carol')).toEqual({ usd: 8 });
  });

  it('appends documents stamped with their commit time and reads them back in commit order from a position', async () => {
    for (const id of ['feed-b', 'feed-a', 'feed-c'])
      expect(await store.appendIfAbsent('feed', id, { n: id }, 'committedAt')).toBe(true);
    expect(await store.appendIfAbsent('feed', 'feed-a', { n: 'again' }, 'committedAt')).toBe(false);
    const all = await store.readAfter<{ n: string; committedAt: string }>('feed', 'committedAt', null, 10, 0);
    expect(all.map((d) => d.data.n)).toEqual(['feed-b', 'feed-a', 'feed-c']);
    for (const d of all) {
      expect(d.position).toEqual({ committedAt: d.data.committedAt, id: d.id });
      expect(d.position.committedAt).toMatch(/^\d{12}\.\d{9}$/);
    }
    const rest = await store.readAfter('feed', 'committedAt', all[0].position, 10, 0);
    expect(rest.map((d) => d.id)).toEqual(['feed-a', 'feed-c']);
    expect(await store.readAfter('feed', 'committedAt', all[2].position, 10, 0)).toEqual([]);
    // Nothing younger than the settle time is shown yet.
    expect(await store.readAfter('feed', 'committedAt', null, 10, 60_000)).toEqual([]);
    // The newest two, oldest first, at the same positions a forward reader sees; and the settle holds them back too.
    const latest = await store.readLatest('feed', 'committedAt', 2, 0);
    expect(latest.map((d) => [d.id, d.position])).toEqual(all.slice(1).map((d) => [d.id, d.position]));
    expect((await store.readLatest('feed', 'committedAt', 10, 0)).map((d) => d.id)).toEqual([
      'feed-b',
      'feed-a',
      'feed-c',
    ]);
    expect(await store.readLatest('feed', 'committedAt', 10, 60_000)).toEqual([]);
  });

  it('lets a reader paging alongside concurrent appenders see every document once, in commit order', async () => {
    // Without it the emulator let a reader miss documents committed before ones it had already seen.
    const SETTLE_MS = 500;
    const ids = Array.from({ length: 40 }, (_, i) => `c-${String(i).padStart(2, '0')}`);
    const seen: { id: string; at: string }[] = [];
    let after: { committedAt: string; id: string } | null = null;
    let writing = true;
    const writers = Promise.all(
      ids.map(async (id, i) => {
        await new Promise((r) => setTimeout(r, (i * 7) % 23));
        await store.appendIfAbsent('concurrent-feed', id, { id }, 'at');
      }),
    ).then(() => (writing = false));
    const readPage = async () => {
      const page = await store.readAfter<{ id: string }>('concurrent-feed', 'at', after, 3, SETTLE_MS);
      for (const d of page) seen.push({ id: d.id, at: d.position.committedAt });
      if (page.length) after = page[page.length - 1].position;
      return page.length;
    };
    while (writing) if ((await readPage()) === 0) await new Promise((r) => setTimeout(r, 5));
    await writers;
    // Everything is committed: resume from the last position until the settle time has passed the last write.
    const finished = Date.now();
    for (;;) {
      if ((await readPage()) > 0) continue;
      if (Date.now() - finished > SETTLE_MS + 250) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen.map((s) => s.id).sort()).toEqual(ids);
    const order = seen.map((s) => `${s.at}/${s.id}`);
    expect(order).toEqual([...order].sort());
  });

  it('writes nothing when a transaction throws', async () => {
    await store.set('ledger', 'x', { n: 1 });
    await expect(
      store.runTransaction(async (tx) => {
        const x = await tx.get<{ n: number }>('ledger', 'x');
        tx.set('ledger', 'x', { n: (x?.n ?? 0) + 1 });
        tx.set('ledger', 'y', { n: 1 });
        throw new Error('position limit exceeded');
      }),
    ).rejects.toThrow('position limit exceeded');
    expect(await store.get('ledger', 'x')).toEqual({ n: 1 });
    expect(await store.get('ledger', 'y')).toBeUndefined();
  });

  it('fails the whole transaction when it creates a document that exists', async () => {
    await store.set('events', 'me_1', { first: true });
    await expect(
      store.runTransaction(async (tx) => {
        tx.set('events', 'side-effect', { written: true });
        tx.create('events', 'me_1', { first: false });
      }),
    ).rejects.toThrow();
    expect(await store.get('events', 'me_1')).toEqual({ first: true });
    expect(await store.get('events', 'side-effect')).toBeUndefined();
  });

  it('refuses a read after a write inside a transaction (Firestore’s rule)', async () => {
    await expect(
      store.runTransaction(async (tx) => {
        tx.set('rules', 'a', { v: 1 });
        await tx.get('rules', 'a');
      }),
    ).rejects.toThrow(/reads .*before .*writes/i);
    expect(await store.get('rules', 'a')).toBeUndefined();
  });

  it('lands all of 20 concurrent increments of one document (contention is retried)', async () => {
    await store.set('counters', 'deliveries', { n: 0 });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.runTransaction(async (tx) => {
          const c = await tx.get<{ n: number }>('counters', 'deliveries');
          tx.set('counters', 'deliveries', { n: (c?.n ?? 0) + 1 });
        }),
      ),
    );
    expect(await store.get('counters', 'deliveries')).toEqual({ n: 20 });
  });
});

describe('FirestoreDocumentStore gathering the calls of one turn', () => {
  let store: FirestoreDocumentStore;
  beforeEach(() => {
    store = new FirestoreDocumentStore({
      projectId: isolatedProjectId('turn'),
      emulatorHost: emulatorHosts().firestoreHost,
    });
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
  });

  it('reads the documents asked in one turn (get and getMany) with one request, each caller getting its own', async () => {
    for (let i = 0; i < 40; i++) await store.set('recipients', `r${i}`, { n: i });
    const getAll = jest.spyOn(Firestore.prototype, 'getAll');
    const ids = [...Array.from({ length: 60 }, (_, i) => `r${i}`), 'r7', 'r7'];
    const [docs, many] = await Promise.all([
      Promise.all(ids.map((id) => store.get('recipients', id))),
      store.getMany('recipients', ['r1', 'r50']),
    ]);
    expect(getAll).toHaveBeenCalledTimes(1);
    expect(getAll.mock.calls[0]).toHaveLength(60); // r7 asked three times, read once
    expect(docs).toEqual(
      ids.map((id) => (Number(id.slice(1)) < 40 ? { n: Number(id.slice(1)) } : undefined)),
    );
    expect(many).toEqual(new Map([['r1', { n: 1 }]]));
  });

  it('sends the writes and creates of one turn as one batch, each with its own result', async () => {
    await store.set('sends', 'taken', { by: 'earlier' });
    const flush = jest.spyOn(BulkWriter.prototype, 'flush');
    const [created, refused, ...rest] = await Promise.all([
      store.createIfAbsent('sends', 'new', { by: 'me' }),
      store.createIfAbsent('sends', 'taken', { by: 'me' }),
      ...Array.from({ length: 30 }, (_, i) => store.set('sends', `s${i}`, { i })),
    ]);
    expect(flush).toHaveBeenCalledTimes(1);
    expect([created, refused]).toEqual([true, false]);
    expect(rest).toEqual(Array.from({ length: 30 }, () => undefined));
    const back = await store.getMany('sends', ['new', 'taken', 's0', 's29']);
    expect(Object.fromEntries(back)).toEqual({
      new: { by: 'me' },
      taken: { by: 'earlier' },
      s0: { i: 0 },
      s29: { i: 29 },
    });
  });

  it('keeps the last of two writes to one document made in one turn', async () => {
    const first = store.set('sends', 'twice', { state: 'sending' });
    const second = store.set('sends', 'twice', { state: 'sent' });
    await Promise.all([first, second]);
    // Batches are not ordered among themselves: the store holds the second write until the first is done.
    expect(await store.get('sends', 'twice')).toEqual({ state: 'sent' });
  });
});

describe('FirestoreDocumentStore.close', () => {
  it('closes after use, with everything written before it durable for the next instance', async () => {
    const projectId = isolatedProjectId('close');
    const { firestoreHost } = emulatorHosts();
    const first = new FirestoreDocumentStore({ projectId, emulatorHost: firestoreHost });
    await first.set('outbox', 'me_1', { delivered: true });
    expect(await first.createIfAbsent('outbox', 'me_2', { delivered: false })).toBe(true);
    await expect(first.close()).resolves.toBeUndefined();
    const next = new FirestoreDocumentStore({ projectId, emulatorHost: firestoreHost });
    try {
      expect(await next.getMany('outbox', ['me_1', 'me_2'])).toEqual(
        new Map([
          ['me_1', { delivered: true }],
          ['me_2', { delivered: false }],
        ]),
      );
    } finally {
      await next.close();
    }
  });

  it('refuses every call after close with a rejection the caller holds, never an unhandled one', async () => {
    const store = new FirestoreDocumentStore({
      projectId: isolatedProjectId('closed'),
      emulatorHost: emulatorHosts().firestoreHost,
    });
    await store.set('pollers', 'p', { n: 1 });
    await store.close();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // What a background poller does after the instance's store was closed under it.
      await expect(store.query('pollers', [])).rejects.toThrow('the document store is closed');
      await expect(store.get('pollers', 'p')).rejects.toThrow('the document store is closed');
      await expect(store.readAfter('pollers', 'at', null, 1, 0)).rejects.toThrow(
        'the document store is closed',
      );
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('waits for the queries in flight before it terminates the client, so none rejects unheld', async () => {
    const store = new FirestoreDocumentStore({
      projectId: isolatedProjectId('closing'),
      emulatorHost: emulatorHosts().firestoreHost,
    });
    for (let i = 0; i < 20; i++) await store.set('pollers', `p${i}`, { n: i });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Pollers mid-read when the instance shuts down: each settles with its answer, then the client goes.
      const reads = Array.from({ length: 10 }, () => store.query('pollers', []));
      await store.close();
      for (const r of await Promise.all(reads)) expect(r).toHaveLength(20);
      await expect(store.query('pollers', [])).rejects.toThrow('the document store is closed');
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('is harmless on a store that never connected', async () => {
    const store = new FirestoreDocumentStore({
      projectId: isolatedProjectId('idle'),
      emulatorHost: '127.0.0.1:1',
    });
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('FirestoreDocumentStore and TTL', () => {
  it('stores an expireAt Date as a Firestore Timestamp, the only type a TTL policy acts on', async () => {
    const projectId = isolatedProjectId('ttl');
    const host = emulatorHosts().firestoreHost;
    const store = new FirestoreDocumentStore({ projectId, emulatorHost: host });
    const { Firestore, Timestamp } = await import('@google-cloud/firestore');
    const raw = new Firestore({
      projectId,
      host,
      ssl: false,
      customHeaders: { Authorization: 'Bearer owner' },
    });
    try {
      const now = new Date('2026-11-21T04:00:00.000Z');
      await store.set('amlEvaluations', 'tx-1', {
        delivered: true,
        [EXPIRE_AT_FIELD]: idempotencyExpiry(now),
      });
      const stored = (await raw.collection('amlEvaluations').doc('tx-1').get()).get(
        EXPIRE_AT_FIELD,
      ) as unknown;
      expect(stored).toBeInstanceOf(Timestamp);
      expect((stored as InstanceType<typeof Timestamp>).toDate().toISOString()).toBe(
        '2026-12-21T04:00:00.000Z',
      );
    } finally {
      await raw.terminate();
      await store.close();
    }
  });
});

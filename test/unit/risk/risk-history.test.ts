/**
 * loadHistory for a price tick: the shards of one tick on one instance share one read of the daily closes; the
 * next tick reads again and sees what changed. Without a tick (the pre-trade check), every call reads.
 */
import { FIRESTORE_COLLECTIONS } from '../../../shared/contracts/firestore';
import type { DocumentStore } from '../../../shared/ports/document-store';
import { loadHistory } from '../../../shared/use-cases/risk-history';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';

const CLOSES = FIRESTORE_COLLECTIONS.risk.dailyCloses;

function closes(asset: string, days: number, last = 100) {
  return {
    asset,
    updatedAt: '2024-06-01T00:00:00Z',
    closes: Array.from({ length: days }, (_, i) => ({
      date: new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10),
      close: i === days - 1 ? last : 100 + i,
    })),
  };
}

/** A store counting getMany calls on the closes. */
async function seeded(): Promise<{ store: DocumentStore; reads: () => number }> {
  const inner = new MemoryDocumentStore();
  await inner.set(CLOSES, 'BTC', closes('BTC', 10));
  await inner.set(CLOSES, 'ETH', closes('ETH', 10));
  let n = 0;
  const store = Object.create(inner) as DocumentStore;
  store.getMany = (collection, ids) => {
    if (collection === CLOSES) n++;
    return inner.getMany(collection, ids);
  };
  return { store, reads: () => n };
}

const T1 = '2024-06-01T00:01:00.000Z';
const T2 = '2024-06-01T00:02:00.000Z';

it('reads once for every shard of one tick, concurrent or not', async () => {
  const { store, reads } = await seeded();
  const [a, b] = await Promise.all([
    loadHistory(store, ['BTC', 'ETH'], T1),
    loadHistory(store, ['BTC', 'ETH'], T1),
  ]);
  const c = await loadHistory(store, ['BTC', 'ETH'], T1);
  expect(reads()).toBe(1);
  expect(b).toBe(a);
  expect(c).toBe(a);
  expect(a.series.BTC).toHaveLength(10);
});

it('reads again at the next tick and sees a close added meanwhile', async () => {
  const { store, reads } = await seeded();
  const first = await loadHistory(store, ['BTC', 'ETH'], T1);
  await store.set(CLOSES, 'BTC', closes('BTC', 11));
  expect(await loadHistory(store, ['BTC', 'ETH'], T1)).toBe(first); // the same tick: its history
  const next = await loadHistory(store, ['BTC', 'ETH'], T2);
  expect(reads()).toBe(2);
  expect(next.dates).toHaveLength(11);
  expect(next.series.BTC[10]).toBe(100);
});

it('keeps different asset sets apart, and reads every time without a tick', async () => {
  const { store, reads } = await seeded();
  const both = await loadHistory(store, ['BTC', 'ETH'], T1);
  const btc = await loadHistory(store, ['BTC'], T1);
  expect(Object.keys(both.series).sort()).toEqual(['BTC', 'ETH']);
  expect(Object.keys(btc.series)).toEqual(['BTC']);
  expect(reads()).toBe(2);
  await loadHistory(store, ['BTC']);
  await loadHistory(store, ['BTC']);
  expect(reads()).toBe(4);
});

it('a failed read is not kept: the next shard of the tick reads again', async () => {
  const { store, reads } = await seeded();
  const getMany = store.getMany.bind(store);
  let fail = true;
  store.getMany = (collection, ids) => {
    if (fail) {
      fail = false;
      return Promise.reject(new Error('store unavailable'));
    }
    return getMany(collection, ids);
  };
  await expect(loadHistory(store, ['BTC'], T1)).rejects.toThrow('store unavailable');
  expect((await loadHistory(store, ['BTC'], T1)).series.BTC).toHaveLength(10);
  expect(reads()).toBe(1);
});

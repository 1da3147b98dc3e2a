/** The store counter behind the notifications bench's round trips per call: what it counts as one. */
import { countingStore, roundTrips } from '../../../bench/counting-store';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';

describe('the counting document store', () => {
  it('counts each call as one round trip and a transaction as its reads plus one commit', async () => {
    const { store, counts } = countingStore(new MemoryDocumentStore());
    await store.set('c', 'a', { n: 1 });
    expect(await store.createIfAbsent('c', 'a', { n: 2 })).toBe(false);
    expect(await store.get('c', 'a')).toEqual({ n: 1 });
    expect((await store.getMany('c', ['a', 'b'])).size).toBe(1);
    const read = await store.runTransaction(async (tx) => {
      const doc = await tx.get<{ n: number }>('c', 'a');
      await tx.getAll([{ collection: 'c', id: 'b' }]);
      tx.set('c', 'a', { n: (doc?.n ?? 0) + 1 });
      tx.create('c', 'b', { n: 0 });
      return doc?.n;
    });
    expect(read).toBe(1);
    expect(await store.get('c', 'a')).toEqual({ n: 2 });
    expect(counts).toEqual({
      reads: 3,
      writes: 2,
      transactions: 1,
      transactionReads: 2,
      transactionWrites: 2,
    });
    expect(roundTrips(counts)).toBe(3 + 2 + 1 + 2);
  });

  it('passes non-function members through untouched', () => {
    const inner = Object.assign(new MemoryDocumentStore(), { label: 'x' });
    expect(countingStore(inner).store.label).toBe('x');
  });
});

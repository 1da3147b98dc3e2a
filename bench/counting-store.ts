/**
 * A document store that counts what it is asked to do: the calls each notification makes on the store,
 * measured on the real handlers rather than read off the code. A `getMany` is one call, a transaction one per
 * read inside it plus one commit. Each call was one request once; the Firestore store now sends the
 * single-document calls of one turn together, so requests are fewer than calls.
 */
import type { DocumentStore, DocumentTransaction } from '../shared/ports/document-store';

export interface StoreCounts {
  reads: number;
  writes: number;
  /** Transactions committed (or attempted), each one round trip for its commit. */
  transactions: number;
  /** Reads made inside transactions (each a round trip). */
  transactionReads: number;
  /** Documents written by transactions (carried by their commit, no round trip of their own). */
  transactionWrites: number;
}

const READS = new Set(['get', 'getMany', 'query', 'readAfter', 'readLatest']);
const WRITES = new Set(['set', 'createIfAbsent', 'appendIfAbsent', 'delete']);

export function emptyCounts(): StoreCounts {
  return { reads: 0, writes: 0, transactions: 0, transactionReads: 0, transactionWrites: 0 };
}

export const roundTrips = (c: StoreCounts): number =>
  c.reads + c.writes + c.transactions + c.transactionReads;

/** Wraps `store`; `counts` grows with every call made through the wrapper. */
export function countingStore<S extends DocumentStore>(store: S): { store: S; counts: StoreCounts } {
  const counts = emptyCounts();
  const countTx = (tx: DocumentTransaction): DocumentTransaction =>
    new Proxy(tx, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (prop === 'get' || prop === 'getAll') counts.transactionReads++;
          else counts.transactionWrites++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (prop === 'runTransaction')
        return (body: (tx: DocumentTransaction) => Promise<unknown>) => {
          counts.transactions++;
          return fn.call(target, (tx: DocumentTransaction) => body(countTx(tx)));
        };
      return (...args: unknown[]) => {
        if (typeof prop === 'string' && READS.has(prop)) counts.reads++;
        else if (typeof prop === 'string' && WRITES.has(prop)) counts.writes++;
        return fn.apply(target, args);
      };
    },
  });
  return { store: wrapped, counts };
}

/**
 * Per-user window state: the recent transactions the window rules read, kept in one document per user.
 * Windows are true sliding windows, (t − W, t] around each transaction's own time, never fixed buckets.
 * The state stays bounded: entries older than the longest window (relative to the newest entry) are pruned,
 * and at most maxEntries are kept, newest first.
 */
import type { SchemaTypes } from '../../contracts/schema-types';

export type AmlTransaction = SchemaTypes['messages/compliance.transactions.v1'];
export type TransactionType = AmlTransaction['type'];

/** Short keys: a user's document holds up to a few thousand of these. */
export interface WindowEntry {
  /** transaction id */
  i: string;
  /** occurredAt, epoch ms */
  t: number;
  /** amount in USD */
  u: number;
  /** transaction type */
  k: TransactionType;
  /** nominal amount (decimal string) */
  a: string;
  /** currency */
  c: string;
}

export function entryOf(tx: AmlTransaction): WindowEntry {
  return {
    i: tx.transactionId,
    t: Date.parse(tx.occurredAt),
    u: tx.amountUsd,
    k: tx.type,
    a: tx.amount,
    c: tx.currency,
  };
}

/** Adds the entry (unless its transaction is already there) and prunes; entries stay sorted by time. */
export function appendEntry(
  entries: readonly WindowEntry[],
  entry: WindowEntry,
  retentionMs: number,
  maxEntries: number,
): WindowEntry[] {
  const all = [...entries];
  if (!entries.some((e) => e.i === entry.i)) {
    // Usually the newest: insert from the end, keeping (time, id) order.
    let k = all.length;
    while (k > 0 && (all[k - 1].t > entry.t || (all[k - 1].t === entry.t && all[k - 1].i > entry.i))) k--;
    all.splice(k, 0, entry);
  }
  const newest = all.length ? all[all.length - 1].t : entry.t;
  let from = 0;
  while (from < all.length && all[from].t <= newest - retentionMs) from++;
  return all.slice(Math.max(from, all.length - maxEntries));
}

/**
 * The entries dated no later than latestMs. An entry dated in the future (stored before event times were
 * bounded) would otherwise stay the newest and prune every real transaction after it.
 */
export function withoutEntriesAfter(entries: readonly WindowEntry[], latestMs: number): WindowEntry[] {
  return entries.filter((e) => !(e.t > latestMs));
}

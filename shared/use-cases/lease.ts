/**
 * The claim/lease protocol both outboxes use (margin events, notification sends): a document guards one unit of
 * work; at most one invocation holds its lease while the lease lasts; a settled document is never worked again;
 * a lease that ran out before its holder settled is taken over (the holder died mid-work), and the protocol
 * decides what a takeover means. Reads first without a transaction, so redeliveries of settled or busy work do
 * not contend with the holder's writes; the claim itself is one transaction (or one create).
 */
import { RetryableError } from '../platform/errors';
import type { DocumentData, DocumentStore, DocumentTransaction } from '../ports/document-store';

/** Where a protocol keeps the lease in its document. */
export interface LeaseOf<D> {
  owner(doc: D): string | undefined;
  /** Epoch ms; 0 or absent when released. */
  until(doc: D): number | undefined;
  /** The document leased to `owner` until `until`. */
  leased(doc: D, owner: string, until: number): D;
}

export interface ClaimRequest<D> {
  collection: string;
  id: string;
  owner: string;
  nowMs: number;
  leaseMs: number;
  lease: LeaseOf<D>;
  isSettled(doc: D): boolean;
  /** The document to create when none exists; without it, a missing document is `absent` (nothing to do). */
  fresh?: D;
  /**
   * What taking over a lapsed lease means. Return a document to settle it as is instead of working it again
   * (written in the same transaction); return undefined to take the lease and work it again.
   */
  onLapsed?(doc: D): D | undefined;
}

export type Claim<D> =
  /** Ours now. `lapsed`: a previous holder's lease ran out before it settled. */
  | { kind: 'claimed'; doc: D; lapsed: boolean }
  | { kind: 'settled'; doc: D }
  /** Settled by onLapsed in this claim. */
  | { kind: 'settled-on-takeover'; doc: D }
  | { kind: 'busy' }
  | { kind: 'absent' };

/** Someone else holds a live lease. */
export function heldByOther<D>(lease: LeaseOf<D>, doc: D, owner: string, nowMs: number): boolean {
  const holder = lease.owner(doc);
  return holder !== undefined && holder !== owner && (lease.until(doc) ?? 0) > nowMs;
}

export async function claimLease<D extends DocumentData>(
  store: DocumentStore,
  r: ClaimRequest<D>,
): Promise<Claim<D>> {
  const until = r.nowMs + r.leaseMs;
  // The common case for created work, one atomic create: the first delivery claims it without a transaction.
  if (r.fresh) {
    const created = r.lease.leased(r.fresh, r.owner, until);
    if (await store.createIfAbsent(r.collection, r.id, created))
      return { kind: 'claimed', doc: created, lapsed: false };
  }
  const seen = await store.get<D>(r.collection, r.id);
  if (seen && r.isSettled(seen)) return { kind: 'settled', doc: seen };
  if (seen && heldByOther(r.lease, seen, r.owner, r.nowMs)) return { kind: 'busy' };
  return store.runTransaction(async (tx): Promise<Claim<D>> => {
    const doc = await tx.get<D>(r.collection, r.id);
    if (!doc) {
      if (!r.fresh) return { kind: 'absent' };
      const created = r.lease.leased(r.fresh, r.owner, until);
      tx.set(r.collection, r.id, created);
      return { kind: 'claimed', doc: created, lapsed: false };
    }
    if (r.isSettled(doc)) return { kind: 'settled', doc };
    if (heldByOther(r.lease, doc, r.owner, r.nowMs)) return { kind: 'busy' };
    const holder = r.lease.owner(doc);
    const lapsed = holder !== undefined && holder !== r.owner && (r.lease.until(doc) ?? 0) > 0;
    if (lapsed && r.onLapsed) {
      const settled = r.onLapsed(doc);
      if (settled) {
        tx.set(r.collection, r.id, settled);
        return { kind: 'settled-on-takeover', doc: settled };
      }
    }
    const leased = r.lease.leased(doc, r.owner, until);
    tx.set(r.collection, r.id, leased);
    return { kind: 'claimed', doc: leased, lapsed };
  });
}

/** An outbox entry: delivered once, by whoever holds its lease. */
export interface OutboxEntry extends DocumentData {
  delivered: boolean;
  leaseOwner?: string;
  leaseUntil?: number;
}

function outboxLease<D extends OutboxEntry>(): LeaseOf<D> {
  return {
    owner: (d) => d.leaseOwner,
    until: (d) => d.leaseUntil,
    leased: (d, leaseOwner, leaseUntil) => ({ ...d, leaseOwner, leaseUntil }),
  };
}

/**
 * Takes the delivery lease of an outbox entry left pending by an earlier invocation; undefined when it was
 * delivered meanwhile. Another invocation delivering it now is a retryable failure: the message comes back.
 */
export async function claimOutboxEntry<D extends OutboxEntry>(
  store: DocumentStore,
  r: { collection: string; id: string; owner: string; nowMs: number; leaseMs: number; what: string },
): Promise<D | undefined> {
  const c = await claimLease<D>(store, {
    collection: r.collection,
    id: r.id,
    owner: r.owner,
    nowMs: r.nowMs,
    leaseMs: r.leaseMs,
    lease: outboxLease<D>(),
    isSettled: (d) => d.delivered,
  });
  if (c.kind === 'busy')
    throw new RetryableError(`${r.what} ${r.id} is being delivered by another invocation`);
  return c.kind === 'claimed' ? c.doc : undefined;
}

/**
 * Gives back `owner`'s lease on those of the entries it still holds undelivered, with `done` merged in (what the
 * failed delivery did finish, such as a publish), in one transaction. Best effort: a lease not given back expires.
 */
export async function releaseOutboxEntries<D extends OutboxEntry>(
  store: DocumentStore,
  collection: string,
  ids: readonly string[],
  owner: string,
  done: Partial<D> = {},
): Promise<void> {
  await store
    .runTransaction(async (tx) => {
      const current = await tx.getAll(ids.map((id) => ({ collection, id })));
      current.forEach((doc, i) => {
        const d = doc as D | undefined;
        if (d && !d.delivered && d.leaseOwner === owner)
          tx.set(collection, ids[i], { ...d, ...done, leaseUntil: 0 });
      });
    })
    .catch(() => undefined);
}

/**
 * Inside a batch's transaction: the undelivered outbox entries its state documents list as pending, all in one
 * read. A list that is not an array is left out here (its own portfolio fails when decided, not the batch); ids
 * in `delivered` (this instance delivered them, and delivered is final) are not read at all.
 */
export async function openOutboxEntries<D extends OutboxEntry>(
  tx: DocumentTransaction,
  collection: string,
  lists: readonly unknown[],
  delivered?: { has(id: string): boolean },
): Promise<Map<string, D>> {
  const ids = [...new Set(lists.flatMap((l) => (Array.isArray(l) ? (l as string[]) : [])))].filter(
    (id) => !delivered?.has(id),
  );
  const docs = await tx.getAll(ids.map((id) => ({ collection, id })));
  const open = new Map<string, D>();
  ids.forEach((id, i) => {
    const doc = docs[i] as D | undefined;
    if (doc && !doc.delivered) open.set(id, doc);
  });
  return open;
}

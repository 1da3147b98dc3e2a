/** The one claim/lease protocol of the margin outbox and the notification sends. */
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { claimLease, type ClaimRequest, type LeaseOf } from '../../../shared/use-cases/lease';

interface Work {
  [key: string]: unknown;
  done: boolean;
  holder?: string;
  until?: number;
}

const LEASE: LeaseOf<Work> = {
  owner: (w) => w.holder,
  until: (w) => w.until,
  leased: (w, holder, until) => ({ ...w, holder, until }),
};

const T0 = 1_000_000;
const request = (
  owner: string,
  nowMs: number,
  extra: Partial<ClaimRequest<Work>> = {},
): ClaimRequest<Work> => ({
  collection: 'work',
  id: 'w1',
  owner,
  nowMs,
  leaseMs: 30_000,
  lease: LEASE,
  isSettled: (w) => w.done,
  ...extra,
});

it('creates and claims fresh work, then keeps a second claimant out while the lease lives', async () => {
  const store = new MemoryDocumentStore();
  const a = await claimLease(store, request('a', T0, { fresh: { done: false } }));
  expect(a).toEqual({
    kind: 'claimed',
    doc: { done: false, holder: 'a', until: T0 + 30_000 },
    lapsed: false,
  });
  expect(await claimLease(store, request('b', T0 + 1_000, { fresh: { done: false } }))).toEqual({
    kind: 'busy',
  });
  // The holder's own redelivery takes its lease back.
  expect(await claimLease(store, request('a', T0 + 2_000))).toMatchObject({ kind: 'claimed', lapsed: false });
});

it('lets another claimant take over a lapsed lease and says so', async () => {
  const store = new MemoryDocumentStore();
  await claimLease(store, request('a', T0, { fresh: { done: false } }));
  const b = await claimLease(store, request('b', T0 + 31_000));
  expect(b).toEqual({ kind: 'claimed', doc: { done: false, holder: 'b', until: T0 + 61_000 }, lapsed: true });
});

it('never works settled work again, and reports absent work when it creates none', async () => {
  const store = new MemoryDocumentStore();
  expect(await claimLease(store, request('a', T0))).toEqual({ kind: 'absent' });
  await store.set('work', 'w1', { done: true, holder: 'a', until: T0 });
  expect(await claimLease(store, request('b', T0 + 60_000))).toMatchObject({ kind: 'settled' });
});

it('settles a lapsed lease as the protocol decides, in the claim', async () => {
  const store = new MemoryDocumentStore();
  await claimLease(store, request('a', T0, { fresh: { done: false } }));
  const onLapsed = (w: Work) => ({ ...w, done: true });
  expect(await claimLease(store, request('b', T0 + 31_000, { onLapsed }))).toMatchObject({
    kind: 'settled-on-takeover',
    doc: { done: true },
  });
  expect(await store.get('work', 'w1')).toMatchObject({ done: true });
});

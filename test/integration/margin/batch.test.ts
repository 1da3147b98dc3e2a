/**
 * detectMarginEventsBatch, as the function runs it: a batch's portfolios decided in one Firestore transaction
 * (emulator), then each portfolio's transitions delivered once, in order, even when the batch holds the same
 * portfolio several times; one portfolio that cannot be decided fails only itself and the batch.
 */
import { validate } from '../../../shared/contracts/validation';
import {
  MARGIN_COLLECTIONS,
  TRANSACTION_PORTFOLIOS,
  detectMarginEventsBatch,
} from '../../../shared/use-cases/detect-margin-events';
import type { DocumentStore, DocumentTransaction } from '../../../shared/ports/document-store';
import { BoundedMap } from '../../../shared/platform/bounded-map';
import {
  MarginHarness,
  alertKey,
  buildRiskSequence,
  duplicates,
  modelTransitions,
  rowKey,
  transitionKey,
  type PortfolioRisk,
  type PortfolioRiskBatch,
} from './support';

/** The store, counting the transactions run through it (retries on contention count once). */
function counting(store: DocumentStore): { store: DocumentStore; transactions: () => number } {
  let n = 0;
  const wrapped = Object.create(store) as DocumentStore;
  wrapped.runTransaction = (fn) => {
    n++;
    return store.runTransaction(fn);
  };
  return { store: wrapped, transactions: () => n };
}

/** The store, counting the outbox entries its transactions read. */
function countingOutboxReads(store: DocumentStore): { store: DocumentStore; outboxReads: () => number } {
  let n = 0;
  const wrapped = Object.create(store) as DocumentStore;
  wrapped.runTransaction = (fn) =>
    store.runTransaction((tx) => {
      const counted = Object.create(tx) as DocumentTransaction;
      counted.getAll = (refs) => {
        n += refs.filter((r) => r.collection === MARGIN_COLLECTIONS.outbox).length;
        return tx.getAll(refs);
      };
      return fn(counted);
    });
  return { store: wrapped, outboxReads: () => n };
}

function batchOf(portfolios: PortfolioRisk[]): PortfolioRiskBatch {
  const last = portfolios[portfolios.length - 1];
  return { tickId: last.tickId, asOf: last.asOf, shard: 0, portfolios };
}

describe('detectMarginEventsBatch with Firestore (emulator) and DuckDB', () => {
  let sequence: PortfolioRisk[];
  const harnesses: MarginHarness[] = [];
  const harness = async (label: string) => {
    const h = await MarginHarness.open(label);
    harnesses.push(h);
    return h;
  };

  beforeAll(async () => {
    sequence = await buildRiskSequence();
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('decides a batch in one transaction and delivers the in-order transitions once, a portfolio seen many times per batch included', async () => {
    const h = await harness('batch-one-tx');
    const { store, transactions } = counting(h.store);
    const batches: PortfolioRiskBatch[] = [];
    for (let i = 0; i < sequence.length; i += TRANSACTION_PORTFOLIOS)
      batches.push(batchOf(sequence.slice(i, i + TRANSACTION_PORTFOLIOS)));
    // The same portfolio several times in one batch, in time order.
    const counts = new Map<string, number>();
    for (const m of batches[0].portfolios) counts.set(m.portfolioId, (counts.get(m.portfolioId) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThan(5);

    for (const [i, b] of batches.entries()) await detectMarginEventsBatch(h.deps(`batch-${i}`, { store }), b);

    expect(transactions()).toBe(batches.length);
    const want = modelTransitions(sequence).transitions.map(transitionKey).sort();
    const alerts = h.alerts();
    for (const a of alerts) validate('messages/alerts.margin.v1', a);
    expect(duplicates(alerts.map((a) => a.eventId))).toEqual([]);
    expect(alerts.map(alertKey).sort()).toEqual(want);
    expect((await h.rows()).map(rowKey).sort()).toEqual(want);
    // Per portfolio, the alerts went out in the order the transitions happened.
    for (const id of new Set(sequence.map((m) => m.portfolioId))) {
      const mine = alerts.filter((a) => a.portfolioId === id);
      expect(mine.map((a) => a.asOf)).toEqual([...mine.map((a) => a.asOf)].sort());
    }
    const undelivered = await h.store.query(MARGIN_COLLECTIONS.outbox, [
      { field: 'delivered', op: '==', value: false },
    ]);
    expect(undelivered).toEqual([]);

    // The whole batch again (a redelivery): nothing new, and still one transaction.
    await detectMarginEventsBatch(h.deps('batch-0-again', { store }), batches[0]);
    expect(transactions()).toBe(batches.length + 1);
    expect(h.alerts()).toHaveLength(alerts.length);
  });

  it('an instance does not read again the outbox entries it delivered; another instance reads them, and both decide alike', async () => {
    const batches: PortfolioRiskBatch[] = [];
    for (let i = 0; i < sequence.length; i += 25) batches.push(batchOf(sequence.slice(i, i + 25)));
    const run = async (label: string, remember: boolean) => {
      const h = await harness(label);
      const { store, outboxReads } = countingOutboxReads(h.store);
      const delivered = remember ? new BoundedMap<string, true>(10_000) : undefined;
      for (const [i, b] of batches.entries())
        await detectMarginEventsBatch(h.deps(`${label}-${i}`, { store, delivered }), b);
      return { h, outboxReads: outboxReads(), delivered };
    };
    const remembering = await run('batch-remembers', true);
    const forgetting = await run('batch-forgets', false);
    // Without the memory, every transition's entry is read back by the next batch touching its portfolio.
    expect(forgetting.outboxReads).toBeGreaterThan(0);
    expect(remembering.outboxReads).toBe(0);
    expect(remembering.delivered?.size).toBe(remembering.h.alerts().length);
    const want = modelTransitions(sequence).transitions.map(transitionKey).sort();
    for (const { h } of [remembering, forgetting]) {
      expect(h.alerts().map(alertKey).sort()).toEqual(want);
      expect((await h.rows()).map(rowKey).sort()).toEqual(want);
    }
  });

  it('an entry another instance left undelivered is still read and delivered by one that remembers its own', async () => {
    const h = await harness('batch-foreign-pending');
    const firstTransition = sequence.findIndex((m) => m.healthScore !== null && m.healthScore < 40);
    const upTo = sequence.slice(0, firstTransition + 1);
    // Another instance decides the transition but its publish fails: the entry stays pending.
    const failing = Object.create(h.bus) as typeof h.bus;
    failing.publish = async () => {
      throw new Error('publish failed');
    };
    await expect(detectMarginEventsBatch(h.deps('other', { bus: failing }), batchOf(upTo))).rejects.toThrow(
      'publish failed',
    );
    expect(h.alerts()).toHaveLength(0);
    // This instance remembers only what it delivered itself, so it reads the foreign entry and delivers it.
    const { store, outboxReads } = countingOutboxReads(h.store);
    const later = sequence
      .filter((m) => m.portfolioId === upTo[firstTransition].portfolioId)
      .at(-1) as PortfolioRisk;
    await detectMarginEventsBatch(
      h.deps('this', { store, delivered: new BoundedMap<string, true>(100) }),
      batchOf([later]),
    );
    expect(outboxReads()).toBe(1);
    expect(h.alerts().map((a) => a.portfolioId)).toContain(upTo[firstTransition].portfolioId);
  });

  it("records a batch's delivered alerts together: their rows in one insert, their outbox marks sent in one turn", async () => {
    const h = await harness('batch-record-together');
    const ids = [...new Set(sequence.map((m) => m.portfolioId))];
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const firsts = ids.map(
      (id) =>
        sequence.find(
          (m) => m.portfolioId === id && m.healthScore !== null && m.healthScore < 40,
        ) as PortfolioRisk,
    );
    const inserts: number[] = [];
    const warehouse = Object.create(h.warehouse) as typeof h.warehouse;
    warehouse.insert = (table, rows) => {
      if (table === 'risk.margin_events') inserts.push(rows.length);
      return h.warehouse.insert(table, rows);
    };
    // Turns in which outbox marks were asked: the Firestore store sends one turn's writes in one request.
    let turns = 0;
    let turnOpen = false;
    const store = Object.create(h.store) as DocumentStore;
    store.set = (collection, id, data) => {
      if (collection === MARGIN_COLLECTIONS.outbox && !turnOpen) {
        turns++;
        turnOpen = true;
        setImmediate(() => (turnOpen = false));
      }
      return h.store.set(collection, id, data);
    };
    const outcomes = await detectMarginEventsBatch(h.deps('together', { store, warehouse }), batchOf(firsts));

    expect(inserts).toEqual([ids.length]);
    expect(turns).toBe(1);
    expect(outcomes.map((o) => o.delivered.length)).toEqual(ids.map(() => 1));
    expect(h.alerts()).toHaveLength(ids.length);
    expect(await h.rows()).toHaveLength(ids.length);
    const undelivered = await h.store.query(MARGIN_COLLECTIONS.outbox, [
      { field: 'delivered', op: '==', value: false },
    ]);
    expect(undelivered).toEqual([]);
  });

  it('a portfolio whose state cannot be read fails only itself: the others are delivered, the batch is redelivered', async () => {
    const h = await harness('batch-corrupt');
    const ids = [...new Set(sequence.map((m) => m.portfolioId))];
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const [broken, ...others] = ids;
    // A transition for everyone: the first observation of each portfolio that leaves HEALTHY.
    const firsts = ids.map(
      (id) =>
        sequence.find(
          (m) => m.portfolioId === id && m.healthScore !== null && m.healthScore < 40,
        ) as PortfolioRisk,
    );
    await h.store.set(MARGIN_COLLECTIONS.states, broken, {
      portfolioId: broken,
      state: 'HEALTHY',
      asOf: '2000-01-01T00:00:00Z',
      positionsUpdatedAt: '',
      tickId: 'tick-old',
      healthScore: 80,
      pending: 'not a list',
    });
    await expect(detectMarginEventsBatch(h.deps('corrupt'), batchOf(firsts))).rejects.toThrow(TypeError);
    expect(
      h
        .alerts()
        .map((a) => a.portfolioId)
        .sort(),
    ).toEqual([...others].sort());
    expect((await h.store.get(MARGIN_COLLECTIONS.states, broken))?.pending).toBe('not a list');
  });
});

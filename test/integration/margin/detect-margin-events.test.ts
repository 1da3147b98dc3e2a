/**
 * detectMarginEvents with real adapters: Firestore on the emulator (state, outbox, leases), DuckDB as the
 * warehouse (risk.margin_events) and a memory bus (alerts.margin.v1, with injectable publish failures).
 * The input is a realistic sequence of risk.portfolio-risk.v1 messages produced by evaluateBatch from real
 * closes (see support.ts); the expected transitions come from folding the state machine over it in order.
 *
 * What each delivery pattern guarantees:
 * - Redelivery (the same message again): a no-op. Exactly one row and one alert per transition, and the
 *   event ids are derived from content, so two independent runs produce the same ids.
 * - Reordering (messages in any order): newest wins. An observation older than (or as old as) the last one
 *   applied for its portfolio — by (asOf, positionsUpdatedAt) — is ignored when it arrives late. So the
 *   events produced are exactly the transitions of the applied subsequence (the observations that were
 *   newer than everything before them), never a duplicate, and the state always ends at the newest
 *   observation. Reordering does NOT replay history: a transition that only happened at an observation
 *   that arrived after a newer one is not reported, and because of hysteresis the final state can differ
 *   from the in-order run's (e.g. 31 is WARNING when coming from HEALTHY but MARGIN_CALL from below 30).
 * - Concurrency (several invocations at once): no duplicate, nothing lost — the events are those of the
 *   sequential run, each inserted and published once (the outbox lease serialises delivery).
 * - Failure after the state commit: the invocation throws, the outbox keeps the event, and the redelivery
 *   delivers it exactly once.
 * - Warehouse outage: the alerts do not wait for it. Each is published at once (and only once), the invocation
 *   fails so Pub/Sub redelivers, and the rows arrive, once each, after the warehouse recovers.
 */
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { validate } from '../../../shared/contracts/validation';
import { nextHealthState } from '../../../shared/domain/margin/health-state-machine';
import { classifyHealth, type HealthState } from '../../../shared/domain/risk/margin';
import {
  PORTFOLIO_VIEWS,
  readDeskViews,
  readDeskViewsUpdatedAfter,
  readPortfolioView,
} from '../../../shared/use-cases/portfolio-views';
import { RetryableError } from '../../../shared/platform/errors';
import type { EventBus, PublishOptions } from '../../../shared/ports/event-bus';
import type { TopicName } from '../../../shared/topology/topology';
import { MARGIN_COLLECTIONS, type MarginDeps } from '../../../shared/use-cases/detect-margin-events';
import {
  MarginHarness,
  alertKey,
  buildRiskSequence,
  duplicates,
  modelTransitions,
  prng,
  rowKey,
  shuffled,
  transitionKey,
  type ExpectedTransition,
  type PortfolioRisk,
  strandLease,
} from './support';

const LEASE_MS = 30_000;

describe('detectMarginEvents with Firestore (emulator) and DuckDB', () => {
  let sequence: PortfolioRisk[];
  let expected: ExpectedTransition[];
  const harnesses: MarginHarness[] = [];

  async function harness(label: string): Promise<MarginHarness> {
    const h = await MarginHarness.open(label);
    harnesses.push(h);
    return h;
  }

  /** Every delivered event: one alert and one row each, the same events in both, all outbox entries done. */
  async function checkDelivered(h: MarginHarness, want: ExpectedTransition[]): Promise<void> {
    const alerts = h.alerts();
    const rows = await h.rows();
    expect(duplicates(alerts.map((a) => a.eventId))).toEqual([]);
    expect(duplicates(rows.map((r) => r.event_id))).toEqual([]);
    const wantKeys = want.map(transitionKey).sort();
    expect(alerts.map(alertKey).sort()).toEqual(wantKeys);
    expect(rows.map(rowKey).sort()).toEqual(wantKeys);
    expect(rows.map((r) => r.event_id).sort()).toEqual(alerts.map((a) => a.eventId).sort());
    for (const a of alerts) validate('messages/alerts.margin.v1', a);
    const pending = await h.store.query(MARGIN_COLLECTIONS.outbox, [
      { field: 'delivered', op: '==', value: false },
    ]);
    expect(pending).toEqual([]);
    // Delivered entries expire once no redelivery can ask for them.
    const delivered = await h.store.query(MARGIN_COLLECTIONS.outbox, [
      { field: 'delivered', op: '==', value: true },
    ]);
    for (const d of delivered) expect(d.data.expireAt).toBeDefined();
  }

  /** Where in the sequence the observation that causes a transition is. */
  function indexOf(t: ExpectedTransition): number {
    return sequence.findIndex(
      (m) =>
        m.portfolioId === t.portfolioId &&
        m.tickId === t.tickId &&
        m.positionsUpdatedAt === t.positionsUpdatedAt,
    );
  }

  beforeAll(async () => {
    sequence = await buildRiskSequence();
    expected = modelTransitions(sequence).transitions;
  });

  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('starts from a schema-valid sequence that deteriorates, recovers, hovers at 30 and repays', () => {
    expect(sequence.length).toBeGreaterThan(100);
    for (const m of sequence) validate('shared/portfolio-risk', m);
    const kinds = new Set(expected.map((t) => `${t.from}→${t.to}`));
    expect(kinds).toEqual(
      new Set([
        'HEALTHY→WARNING',
        'WARNING→MARGIN_CALL',
        'MARGIN_CALL→LIQUIDATION',
        'LIQUIDATION→MARGIN_CALL',
        'MARGIN_CALL→HEALTHY',
        'MARGIN_CALL→WARNING',
        'WARNING→HEALTHY',
      ]),
    );
    // Two transitions at one tick, told apart by the positions they were computed from.
    const sameTick = expected.filter(
      (t) => t.portfolioId === 'desk-eth-002' && t.asOf === '2022-11-21T12:00:00.000Z',
    );
    expect(sameTick.map((t) => `${t.from}→${t.to}`)).toEqual(['HEALTHY→WARNING', 'WARNING→HEALTHY']);
    expect(sameTick[1].healthScore).toBeNull();
    // desk-btc-001 hovers around 30: five ticks in [30, 32) are held in MARGIN_CALL by the recovery band.
    const btc = sequence.filter((m) => m.portfolioId === 'desk-btc-001');
    let state: HealthState = 'HEALTHY';
    let held = 0;
    for (const m of btc) {
      const next = nextHealthState(state, m.healthScore);
      if (state === 'MARGIN_CALL' && next === state && m.healthScore !== null && m.healthScore >= 30) held++;
      state = next;
    }
    expect(held).toBe(5);
    expect(expected.filter((t) => t.portfolioId === 'desk-btc-001')).toHaveLength(6);
  });

  it("keeps each portfolio's view for the read API: the state machine's state, the thresholds in force, liquidation prices at them", async () => {
    const h = await harness('views');
    const btc = sequence.filter((m) => m.portfolioId === 'desk-btc-001');
    // A policy unlike the default (which computePortfolioRisk solved the liquidation prices at).
    const policy = { thresholds: { warning: 60, marginCall: 40, liquidation: 25 }, recoveryBand: 3 };
    let state: HealthState = 'HEALTHY';
    for (const [i, m] of btc.entries()) {
      await h.deliver(m, `view-${i}`, { policy });
      state = nextHealthState(state, m.healthScore, policy);
      const view = await readPortfolioView(h.store, m.portfolioId);
      validate('api/portfolio-view', view);
      // The state shown is the machine's (hysteresis included), never re-derived from the score.
      expect(view?.health).toEqual({
        score: m.healthScore,
        state,
        thresholds: policy.thresholds,
        recoveryBand: 3,
      });
      expect(view?.tickId).toBe(m.tickId);
      for (const l of view?.liquidationPrices ?? []) {
        if (l.priceUsd === null) continue;
        // At the liquidation price the score is the policy's liquidation threshold, not the default's 15.
        const repriced = m.exposures.map((e) => ({
          ...e,
          priceUsd: e.asset === l.asset ? (l.priceUsd as number) : e.priceUsd,
        }));
        const c = repriced.reduce((s, e) => s + e.collateralAmount * e.priceUsd, 0);
        const b = repriced.reduce((s, e) => s + e.borrowAmount * e.priceUsd, 0);
        expect(((c - b) * 100) / b).toBeCloseTo(25, 6);
      }
    }
    // An older observation arriving late changes neither the state nor the view.
    const last = await readPortfolioView(h.store, 'desk-btc-001');
    await h.deliver(btc[0], 'view-late', { policy });
    expect(await readPortfolioView(h.store, 'desk-btc-001')).toEqual(last);
    // Held in a lower state by the recovery band at least once: the view showed the state, not the score's class.
    const held = btc.some((m, i) => {
      let st: HealthState = 'HEALTHY';
      for (const x of btc.slice(0, i + 1)) st = nextHealthState(st, x.healthScore, policy);
      return m.healthScore !== null && st !== classifyHealth(m.healthScore, policy.thresholds);
    });
    expect(held).toBe(true);
  });

  it('stores a view as the fields queries filter on and one JSON text, and still reads a view stored as a map', async () => {
    const h = await harness('view-doc');
    const m = sequence.find((x) => x.portfolioId === 'desk-btc-001') as PortfolioRisk;
    await h.deliver(m, 'view-doc-0');
    const view = await readPortfolioView(h.store, m.portfolioId);
    validate('api/portfolio-view', view);
    const doc = await h.store.get(PORTFOLIO_VIEWS, m.portfolioId);
    // One value to validate, encode and index instead of every number of the view.
    expect(doc).toEqual({
      portfolioId: m.portfolioId,
      deskId: view?.deskId,
      tickId: m.tickId,
      updatedAt: view?.updatedAt,
      view: JSON.stringify(view),
    });
    expect(await readDeskViews(h.store, m.deskId)).toEqual([view]);
    const before = new Date(Date.parse(view?.updatedAt ?? '') - 1).toISOString();
    expect(await readDeskViewsUpdatedAfter(h.store, m.deskId, before)).toEqual([view]);
    expect(await readDeskViewsUpdatedAfter(h.store, m.deskId, view?.updatedAt ?? '')).toEqual([]);
    // A view written as a map before views were stored as text reads as it was written.
    const mapped = { ...view, portfolioId: 'desk-btc-map' };
    await h.store.set(PORTFOLIO_VIEWS, 'desk-btc-map', mapped);
    expect(await readPortfolioView(h.store, 'desk-btc-map')).toEqual(mapped);
  });

  it('redelivery: each message three times gives exactly one row and one alert per transition, with the same ids in two runs', async () => {
    const runs: string[][] = [];
    for (const label of ['redeliver-1', 'redeliver-2']) {
      const h = await harness(label);
      const transitionsSeen: string[] = [];
      for (const [i, m] of sequence.entries()) {
        for (let copy = 0; copy < 3; copy++) {
          const outcome = await h.deliver(m, `msg-${i}`);
          expect(outcome.applied).toBe(copy === 0);
          if (copy > 0) expect(outcome).toEqual({ applied: false, delivered: [] });
          if (outcome.transition) {
            expect(outcome.delivered).toEqual([outcome.transition.eventId]);
            transitionsSeen.push(
              transitionKey({ ...m, from: outcome.transition.from, to: outcome.transition.to }),
            );
          }
        }
      }
      // The alerts come out in the order of the transitions.
      expect(h.alerts().map(alertKey)).toEqual(expected.map(transitionKey));
      expect(transitionsSeen).toEqual(expected.map(transitionKey));
      await checkDelivered(h, expected);
      // Each event was inserted once: BigQuery's insertId de-duplication is best effort, not relied upon.
      expect([...h.warehouse.insertAttempts.values()].every((n) => n === 1)).toBe(true);
      const { finalStates } = modelTransitions(sequence);
      for (const [portfolioId, state] of finalStates) {
        const doc = await h.store.get<{ state: string; tickId: string }>(
          MARGIN_COLLECTIONS.states,
          portfolioId,
        );
        const newest = sequence.filter((m) => m.portfolioId === portfolioId).at(-1);
        expect(doc).toMatchObject({ state, tickId: newest?.tickId });
      }
      runs.push(h.alerts().map((a) => a.eventId));
    }
    expect(runs[0]).toHaveLength(expected.length);
    expect(runs[1]).toEqual(runs[0]);
    expect(new Set(runs[0]).size).toBe(runs[0].length);
  });

  it('reordering: a seeded shuffle (with duplicates) never duplicates, and every event is a transition of the applied sequence', async () => {
    let ignoredLate = 0;
    for (const seed of [7, 21, 1234]) {
      const h = await harness(`reorder-${seed}`);
      // Every message twice, the whole lot shuffled: redelivery and reordering together.
      const deliveries = shuffled(
        sequence.flatMap((m, i) => [
          { m, id: `msg-${i}` },
          { m, id: `msg-${i}` },
        ]),
        prng(seed),
      );
      for (const d of deliveries) await h.deliver(d.m, d.id);
      const model = modelTransitions(deliveries.map((d) => d.m));
      ignoredLate += deliveries.length - model.applied.length;

      await checkDelivered(h, model.transitions);
      // Alerts of one portfolio come out in the order their observations were applied.
      for (const pid of ['desk-btc-001', 'desk-eth-002']) {
        const mine = (t: { portfolioId: string }) => t.portfolioId === pid;
        expect(h.alerts().filter(mine).map(alertKey)).toEqual(
          model.transitions.filter(mine).map(transitionKey),
        );
      }
      // Every event is a real transition between consecutive applied observations of its portfolio, and
      // the transitions chain: each one starts where the previous one of its portfolio ended.
      const last = new Map<string, string>();
      for (const a of h.alerts()) {
        expect(a.fromState).toBe(last.get(a.portfolioId) ?? 'HEALTHY');
        expect(a.toState).not.toBe(a.fromState);
        last.set(a.portfolioId, a.toState);
        expect(model.applied.some((m) => m.tickId === a.tickId && m.portfolioId === a.portfolioId)).toBe(
          true,
        );
      }
      // Newest wins: the state ends at the newest observation whatever the order of arrival.
      for (const pid of ['desk-btc-001', 'desk-eth-002']) {
        const newest = sequence.filter((m) => m.portfolioId === pid).at(-1);
        const doc = await h.store.get<{ state: string; asOf: string; positionsUpdatedAt: string }>(
          MARGIN_COLLECTIONS.states,
          pid,
        );
        expect(doc).toMatchObject({
          asOf: newest?.asOf,
          positionsUpdatedAt: newest?.positionsUpdatedAt,
          state: model.finalStates.get(pid),
        });
      }
    }
    // The shuffles really delivered older observations late (and those were ignored).
    expect(ignoredLate).toBeGreaterThan(sequence.length * 3);
  });

  it('8 concurrent invocations per message: no duplicate row or alert, and none lost', async () => {
    const h = await harness('concurrent');
    // The FTX days, where both desks go through most of their transitions. (Eight invocations contending
    // for one Firestore document take the client's transaction backoff, about a second per round, so the
    // whole sequence would take minutes; the window keeps every kind of contention.)
    const window = sequence.filter(
      (m) => m.asOf >= '2022-11-08T12:00:00.000Z' && m.asOf <= '2022-11-10T18:00:00.000Z',
    );
    const want = modelTransitions(window).transitions;
    expect(want.length).toBeGreaterThanOrEqual(8);
    // A delivery in flight waits until a rival invocation has been turned away by its lease (or 5 s pass),
    // so the invocations do overlap while an event is being delivered, not only in the state transaction.
    let turnedAway = 0;
    let wake: (() => void)[] = [];
    h.warehouse.beforeInsert = () =>
      new Promise<void>((resolve) => {
        const seen = turnedAway;
        const timer = setTimeout(resolve, 5_000);
        const check = () => {
          if (turnedAway > seen) {
            clearTimeout(timer);
            resolve();
          } else wake.push(check);
        };
        check();
      });
    const onFailure = (err: unknown) => {
      if (!(err instanceof RetryableError)) return;
      turnedAway++;
      const waiting = wake;
      wake = [];
      for (const w of waiting) w();
    };
    let redeliveries = 0;
    // Each message is delivered by eight invocations at once: six copies of it (as duplicate publishes
    // would be) and two late redeliveries of the previous message, which compete for the outbox too. A
    // failed delivery (a held lease, transaction contention) is redelivered under its message id, as
    // Pub/Sub does. All eight are acknowledged before the portfolio's next message, so the applied order
    // is the sequence's and the events must be exactly those of the sequential run. The two portfolios
    // run side by side.
    await Promise.all(
      ['desk-btc-001', 'desk-eth-002'].map(async (pid) => {
        const mine = window.filter((m) => m.portfolioId === pid);
        for (const [i, m] of mine.entries()) {
          const counts = await Promise.all(
            Array.from({ length: 8 }, (_, w) =>
              w < 6 || i === 0
                ? h.deliverUntilAcked(m, `${pid}-${i}-copy-${w}`, onFailure)
                : h.deliverUntilAcked(mine[i - 1], `${pid}-${i - 1}-late-${w}`, onFailure),
            ),
          );
          redeliveries += counts.reduce((a, b) => a + b, 0);
        }
      }),
    );
    await checkDelivered(h, want);
    // Each event was inserted and published by exactly one invocation.
    expect(h.warehouse.insertAttempts.size).toBe(want.length);
    expect([...h.warehouse.insertAttempts.values()].every((n) => n === 1)).toBe(true);
    const deliveredLogs = h.sink.lines.filter((l) => JSON.parse(l).message === 'margin event delivered');
    expect(deliveredLogs).toHaveLength(want.length);
    // The invocations really did collide: some found an event leased by another and were redelivered.
    expect(turnedAway).toBeGreaterThan(0);
    expect(redeliveries).toBeGreaterThanOrEqual(turnedAway);
  }, 240_000);

  it('a publish failure after the state commit: the invocation throws, and its redelivery delivers the event once', async () => {
    const h = await harness('publish-fails');
    const firstTransition = indexOf(expected[0]);
    const before = sequence.slice(0, firstTransition);
    for (const [i, m] of before.entries()) await h.deliver(m, `msg-${i}`);
    expect(h.alerts()).toEqual([]);

    const m = sequence[firstTransition];
    h.bus.failNext = 1;
    await expect(h.deliver(m, `msg-${firstTransition}`)).rejects.toThrow('publish failed (injected)');
    // The transition is committed with its outbox entry; the alert has not gone out.
    const state = await h.store.get<{ state: string }>(MARGIN_COLLECTIONS.states, m.portfolioId);
    expect(state?.state).toBe(expected[0].to);
    expect(h.alerts()).toEqual([]);
    const pending = await h.store.query(MARGIN_COLLECTIONS.outbox, [
      { field: 'delivered', op: '==', value: false },
    ]);
    expect(pending).toHaveLength(1);

    // Pub/Sub redelivers the same message: not applied again, but the pending event goes out once.
    const retry = await h.deliver(m, `msg-${firstTransition}`);
    expect(retry.applied).toBe(false);
    expect(retry.delivered).toEqual([pending[0].id]);
    expect(h.alerts().map(alertKey)).toEqual([transitionKey(expected[0])]);
    // And once more: nothing.
    expect((await h.deliver(m, `msg-${firstTransition}`)).delivered).toEqual([]);

    for (const [i, next] of sequence.entries()) if (i > firstTransition) await h.deliver(next, `msg-${i}`);
    await checkDelivered(h, expected);
  });

  it('a warehouse failure during delivery: the redelivery writes the row and publishes the alert once', async () => {
    // A transient warehouse error (BigQuery 5xx) after the alert went out: the outbox entry remembers the
    // publish, so the redelivery writes the row without publishing the alert again.
    const h = await harness('warehouse-fails');
    const causes = new Set(expected.map(indexOf));
    let injected = 0;
    for (const [i, m] of sequence.entries()) {
      // The warehouse fails on the first delivery of every other transition; Pub/Sub redelivers.
      if (causes.has(i) && injected++ % 2 === 0) {
        h.warehouse.failNextInserts = 1;
        await expect(h.deliver(m, `msg-${i}`)).rejects.toThrow('warehouse unavailable (injected)');
      }
      await h.deliver(m, `msg-${i}`);
    }
    expect(injected).toBe(expected.length);
    await checkDelivered(h, expected);
  });

  it('a warehouse outage: margin alerts go out during it, and the rows arrive once after it, each alert published once', async () => {
    const h = await harness('warehouse-outage');
    const start = indexOf(expected[0]);
    const recovery = indexOf(expected[3]);
    for (let i = 0; i < start; i++) await h.deliver(sequence[i], `msg-${i}`);

    // Every insert fails from the first transition on: a streaming outage.
    h.warehouse.failNextInserts = Number.MAX_SAFE_INTEGER;
    const failed: number[] = [];
    for (let i = start; i < recovery; i++) {
      await h.deliver(sequence[i], `msg-${i}`).catch((err: unknown) => {
        expect(String(err)).toMatch(/warehouse unavailable/);
        failed.push(i);
      });
    }
    const during = expected.slice(0, 3);
    expect(new Set(during.map((t) => t.portfolioId)).size).toBeLessThan(during.length); // one portfolio twice
    expect(h.alerts().map(alertKey).sort()).toEqual(during.map(transitionKey).sort());
    expect(await h.rows()).toEqual([]);
    // Pub/Sub redelivers the failed messages while the warehouse is still down: no alert is published again.
    for (const i of failed)
      await expect(h.deliver(sequence[i], `msg-${i}`)).rejects.toThrow('warehouse unavailable');
    expect(h.alerts().map(alertKey).sort()).toEqual(during.map(transitionKey).sort());

    // The warehouse recovers: the redeliveries write the pending rows, then the sequence goes on.
    h.warehouse.failNextInserts = 0;
    for (const i of failed) await h.deliver(sequence[i], `msg-${i}`);
    for (let i = recovery; i < sequence.length; i++) await h.deliver(sequence[i], `msg-${i}`);
    // One alert and one row per transition, the same ids in both: the retries changed no id.
    await checkDelivered(h, expected);
    const retried = during.map(
      (t) => h.alerts().find((a) => alertKey(a) === transitionKey(t))?.eventId ?? '',
    );
    for (const id of retried) expect(h.warehouse.insertAttempts.get(id)).toBeGreaterThan(1);
  });

  /** Delivers the first expected transition's portfolio up to (not including) the observation that triggers it. */
  async function upToFirstTransition(h: MarginHarness, overrides: Partial<MarginDeps> = {}) {
    const pid = expected[0].portfolioId;
    const mine = sequence.filter((m) => m.portfolioId === pid);
    const at = mine.findIndex((m) => m.tickId === expected[0].tickId);
    for (const [i, m] of mine.slice(0, at).entries()) await h.deliver(m, `msg-${i}`, overrides);
    return { pid, mine, at };
  }

  it('a lease held by another invocation: RetryableError until the lease expires, then the event is delivered once', async () => {
    const h = await harness('lease-held');
    const { pid, mine, at } = await upToFirstTransition(h, { leaseMs: LEASE_MS });

    // Invocation A applies the transition, takes the lease and dies before publishing.
    h.bus.failNext = 1;
    await expect(h.deliver(mine[at], 'delivery-A', { leaseMs: LEASE_MS })).rejects.toThrow('publish failed');
    expect(await strandLease(h.store, pid, 'delivery-A', h.clock.now().getTime() + LEASE_MS)).toBe(1);
    // Invocation B (the next observation of the portfolio) is applied, but must not deliver A's event.
    const next = mine[at + 1];
    await expect(h.deliver(next, 'delivery-B', { leaseMs: LEASE_MS })).rejects.toThrow(RetryableError);
    h.clock.advance(LEASE_MS - 1);
    await expect(h.deliver(next, 'delivery-B', { leaseMs: LEASE_MS })).rejects.toThrow(RetryableError);
    expect(h.alerts()).toEqual([]);
    const state = await h.store.get<{ tickId: string }>(MARGIN_COLLECTIONS.states, pid);
    expect(state?.tickId).toBe(next.tickId);

    // The lease expires: B's redelivery takes it over and delivers the event once.
    h.clock.advance(1);
    const outcome = await h.deliver(next, 'delivery-B', { leaseMs: LEASE_MS });
    expect(outcome.applied).toBe(false);
    expect(outcome.delivered).toHaveLength(1);
    expect(h.alerts().map(alertKey)).toEqual([transitionKey(expected[0])]);
    // A's own redelivery, late: nothing left to deliver.
    expect((await h.deliver(mine[at], 'delivery-A', { leaseMs: LEASE_MS })).delivered).toEqual([]);
    expect(h.alerts()).toHaveLength(1);
    expect((await h.rows()).map(rowKey)).toEqual([transitionKey(expected[0])]);
  });

  it('an in-flight delivery holds the lease: a concurrent invocation retries instead of publishing twice', async () => {
    const h = await harness('lease-in-flight');
    const gated = new GatedBus(h.bus);
    const { mine, at } = await upToFirstTransition(h);

    const release = gated.hold();
    const a = h.deliver(mine[at], 'delivery-A', { bus: gated });
    await gated.entered; // A is in the middle of delivering its event.
    await expect(h.deliver(mine[at], 'delivery-dup')).rejects.toThrow(RetryableError);
    await expect(h.deliver(mine[at + 1], 'delivery-B')).rejects.toThrow(RetryableError);
    release();
    expect((await a).delivered).toHaveLength(1);
    expect((await h.deliver(mine[at + 1], 'delivery-B')).delivered).toEqual([]);
    expect((await h.deliver(mine[at], 'delivery-dup')).delivered).toEqual([]);
    expect(h.alerts().map(alertKey)).toEqual([transitionKey(expected[0])]);
    expect(h.warehouse.insertAttempts.size).toBe(1);
    expect([...h.warehouse.insertAttempts.values()]).toEqual([1]);
  });

  it('the same message delivered twice at once publishes its event once (each invocation holds its own lease)', async () => {
    const h = await harness('lease-same-message');
    const gated = new GatedBus(h.bus);
    const { mine, at } = await upToFirstTransition(h);

    const release = gated.hold();
    const first = h.deliver(mine[at], 'delivery-same', { bus: gated });
    await gated.entered; // the first delivery is publishing the event
    // Pub/Sub's duplicate of the very same message (same message id) arrives meanwhile.
    await expect(h.deliver(mine[at], 'delivery-same')).rejects.toThrow(RetryableError);
    release();
    expect((await first).delivered).toHaveLength(1);
    expect((await h.deliver(mine[at], 'delivery-same')).delivered).toEqual([]);
    expect(h.alerts().map(alertKey)).toEqual([transitionKey(expected[0])]);
    expect([...h.warehouse.insertAttempts.values()]).toEqual([1]);
  });
});

/** A bus whose next publish waits until released: an invocation caught in the middle of its delivery. */
class GatedBus implements EventBus {
  private gate?: Promise<void>;
  private signal!: () => void;
  entered: Promise<void> = new Promise((r) => (this.signal = r));

  constructor(private readonly inner: MemoryEventBus) {}

  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise((r) => (open = r));
    return open;
  }

  async publish(topic: TopicName, message: unknown, options?: PublishOptions): Promise<string> {
    const gate = this.gate;
    if (gate) {
      this.gate = undefined;
      this.signal();
      await gate;
    }
    return this.inner.publish(topic, message, options);
  }

  publishRaw(topic: TopicName, data: Buffer, options?: PublishOptions): Promise<string> {
    return this.inner.publishRaw(topic, data, options);
  }
}

/**
 * Margin events end to end on the emulators: risk.portfolio-risk.v1 messages are published to the real
 * topic, pushed by the Pub/Sub emulator to detectMarginEvents served by the functions framework, which
 * keeps its state in the Firestore emulator, writes risk.margin_events to DuckDB and publishes on
 * alerts.margin.v1, collected here through a subscription of our own.
 *
 * - Duplicate publishes (each message three times at once) and late, out-of-order re-publishes give exactly
 *   one row and one alert per transition of the in-order sequence.
 * - Out of order with effect: an observation older than the applied one is ignored when it arrives, so the
 *   events are the transitions of the newest-wins subsequence of the delivery order.
 * - Transient failure → Pub/Sub redelivery: the stack has no seam to make its warehouse or bus fail, so the
 *   failure is a real outbox lease left by a crashed invocation (detectMarginEvents run against the stack's
 *   Firestore with a failing bus). The pushed delivery for that portfolio fails with RetryableError (HTTP
 *   500), Pub/Sub redelivers it, and once the lease expires (the stack's ManualClock) the redelivery
 *   delivers the stranded event exactly once.
 */
import type { Message } from '@google-cloud/pubsub';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import type { LocalStack } from '../../../local-stack/stack';
import { ManualClock } from '../../../shared/platform/clocks';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import type { Warehouse } from '../../../shared/ports/warehouse';
import { MARGIN_COLLECTIONS, detectMarginEvents } from '../../../shared/use-cases/detect-margin-events';
import { waitFor } from '../../support/env';
import { startTestStack, type TestStack } from '../../support/test-stack';
import {
  alertKey,
  buildRiskSequence,
  duplicates,
  modelTransitions,
  prng,
  rowKey,
  shuffled,
  transitionKey,
  type MarginAlert,
  type MarginEventRow,
  type PortfolioRisk,
  strandLease,
} from './support';

const ROUTE = 'risk.portfolio-risk.v1 → detectMarginEvents';
const LEASE_MS = 30_000;

describe('margin events through the emulators: redelivery, reordering, transient failure', () => {
  let stack: LocalStack;
  let sequence: PortfolioRisk[];
  let alertMessages: Message[];
  let deadLetters: Message[];
  let running: TestStack;
  const clock = new ManualClock('2022-11-24T00:01:00Z');
  let sink: CapturingSink;
  let publishedRisk = 0;
  // The functions framework prints every failed push (a 500) on stderr; the stack's log has them too.
  let consoleError: jest.SpyInstance;

  const alerts = (): MarginAlert[] => alertMessages.map((m) => JSON.parse(m.data.toString()) as MarginAlert);
  const alertsOf = (pid: string) => alerts().filter((a) => a.portfolioId === pid);
  const rowsOf = (pid: string) =>
    stack.warehouse.query<MarginEventRow>(
      'SELECT * FROM risk.margin_events WHERE portfolio_id = @pid ORDER BY as_of, event_id',
      { pid },
    );
  const handled = () => stack.meter.deliveries.get(ROUTE)?.handled ?? 0;
  const failed = () => stack.meter.deliveries.get(ROUTE)?.failed ?? 0;

  async function publish(m: PortfolioRisk): Promise<void> {
    // A batch of one: the e2e test controls each portfolio observation's delivery on its own.
    await stack.bus.publish(
      'risk.portfolio-risk.v1',
      { tickId: m.tickId, asOf: m.asOf, shard: null, portfolios: [m] },
      {
        attributes: { portfolioId: m.portfolioId, tickId: m.tickId },
      },
    );
    publishedRisk++;
  }

  /** Until every risk message published so far was handled (acknowledged) by detectMarginEvents. */
  async function allHandled(): Promise<void> {
    await waitFor(async () => (handled() >= publishedRisk ? true : undefined), 60_000, 'risk deliveries');
  }

  /** Until every alert the stack published has reached our subscription. */
  async function allAlertsReceived(): Promise<void> {
    await waitFor(
      async () =>
        alertMessages.length >= (stack.meter.published.get('alerts.margin.v1') ?? 0) ? true : undefined,
      20_000,
      'alerts',
    );
  }

  /** The same portfolio's observations under another id: a portfolio of its own for each test. */
  const as = (pid: string, ms: PortfolioRisk[]) => ms.map((m) => ({ ...m, portfolioId: pid }));

  beforeAll(async () => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    sequence = await buildRiskSequence();
    running = await startTestStack('margin-e2e', { clock });
    ({ stack, sink, alerts: alertMessages, deadLetters } = running);
  });

  afterAll(async () => {
    await running?.stop();
    consoleError.mockRestore();
  });

  it('each message published three times at once, then all re-published out of order: one row and one alert per transition', async () => {
    // desk-btc-001 from the day before FTX to its hovering around 30: five transitions.
    const pid = 'e2e-btc-001';
    const window = as(
      pid,
      sequence.filter(
        (m) =>
          m.portfolioId === 'desk-btc-001' &&
          m.asOf >= '2022-11-08T12:00:00.000Z' &&
          m.asOf <= '2022-11-16T00:00:00.000Z',
      ),
    );
    const want = modelTransitions(window).transitions;
    expect(want.map((t) => `${t.from}→${t.to}`)).toEqual([
      'HEALTHY→WARNING',
      'WARNING→MARGIN_CALL',
      'MARGIN_CALL→WARNING',
      'WARNING→MARGIN_CALL',
      'MARGIN_CALL→WARNING',
    ]);

    for (const m of window) {
      await Promise.all([publish(m), publish(m), publish(m)]);
      await waitFor(
        async () => {
          const s = await stack.store.get<{ asOf: string }>(MARGIN_COLLECTIONS.states, pid);
          return s?.asOf === m.asOf ? true : undefined;
        },
        30_000,
        `state at ${m.asOf}`,
      );
    }
    await allHandled();
    // Late and out of order: every observation again, shuffled, all at once. Each is older than (or as old
    // as) the applied one, so each is ignored.
    await Promise.all(shuffled(window, prng(42)).map((m) => publish(m)));
    await allHandled();
    await allAlertsReceived();

    const got = alertsOf(pid);
    expect(duplicates(got.map((a) => a.eventId))).toEqual([]);
    expect(got.map(alertKey)).toEqual(want.map(transitionKey));
    const rows = await rowsOf(pid);
    expect(rows.map(rowKey)).toEqual(want.map(transitionKey));
    expect(rows.map((r) => r.event_id).sort()).toEqual(got.map((a) => a.eventId).sort());
    expect(deadLetters).toEqual([]);
  });

  it('observations arriving out of order: older ones are ignored, events follow the newest-wins subsequence', async () => {
    // desk-eth-002's crash and top-up, under another id, delivered one at a time in a seeded random order.
    const pid = 'e2e-eth-002';
    const window = as(
      pid,
      sequence.filter(
        (m) =>
          m.portfolioId === 'desk-eth-002' &&
          m.asOf >= '2022-11-08T06:00:00.000Z' &&
          m.asOf <= '2022-11-10T18:00:00.000Z',
      ),
    );
    const order = shuffled(window, prng(2022));
    for (const m of order) {
      await publish(m);
      await allHandled();
    }
    const model = modelTransitions(order);
    // The shuffle did deliver older observations late, and did leave transitions to report.
    expect(model.applied.length).toBeLessThan(window.length);
    expect(model.transitions.length).toBeGreaterThan(0);
    await allAlertsReceived();

    const got = alertsOf(pid);
    expect(duplicates(got.map((a) => a.eventId))).toEqual([]);
    expect(got.map(alertKey)).toEqual(model.transitions.map(transitionKey));
    expect((await rowsOf(pid)).map(rowKey)).toEqual(model.transitions.map(transitionKey));
    const newest = window.at(-1);
    const state = await stack.store.get<{ asOf: string; positionsUpdatedAt: string; state: string }>(
      MARGIN_COLLECTIONS.states,
      pid,
    );
    expect(state).toMatchObject({
      asOf: newest?.asOf,
      positionsUpdatedAt: newest?.positionsUpdatedAt,
      state: model.finalStates.get(pid),
    });
  });

  it('a delivery that fails on a held lease is redelivered by Pub/Sub and delivers the stranded event once', async () => {
    const pid = 'e2e-stranded-003';
    const mine = as(
      pid,
      sequence.filter((m) => m.portfolioId === 'desk-btc-001' && m.asOf >= '2022-11-08T12:00:00.000Z'),
    );
    const want = modelTransitions(mine).transitions[0];
    const at = mine.findIndex((m) => m.tickId === want.tickId);
    for (const m of mine.slice(0, at)) await publish(m);
    await allHandled();

    // An invocation records the transition and its lease in the stack's Firestore, then dies delivering.
    const deadBus = new MemoryEventBus();
    deadBus.failNext = 1;
    const deadWarehouse: Warehouse = {
      insert: async () => {
        throw new Error('instance killed');
      },
      query: async () => [],
      close: async () => undefined,
    };
    await expect(
      detectMarginEvents(
        {
          store: stack.store,
          bus: deadBus,
          warehouse: deadWarehouse,
          clock,
          logger: new StructuredLogger({ sink: () => undefined }),
          deliveryId: 'crashed-invocation',
          leaseMs: LEASE_MS,
        },
        mine[at],
      ),
    ).rejects.toThrow('publish failed (injected)'); // the alert goes first, so the crash hits the publish
    expect(await strandLease(stack.store, pid, 'crashed-invocation', clock.now().getTime() + LEASE_MS)).toBe(
      1,
    );
    expect(alertsOf(pid)).toEqual([]);

    // The portfolio's next observation arrives through Pub/Sub: the lease is held, so the push fails and is
    // redelivered (at least once more) while the clock stands still.
    const failedBefore = failed();
    const next = mine[at + 1];
    const logBefore = sink.lines.length;
    await publish(next);
    await waitFor(async () => (failed() >= failedBefore + 2 ? true : undefined), 30_000, 'redeliveries');
    expect(alertsOf(pid)).toEqual([]);
    const transient = sink
      .entries()
      .slice(logBefore)
      .filter((e) => e.message === 'transient failure; Pub/Sub will redeliver')
      .map((e) => e.error as { name: string; message: string });
    expect(transient.length).toBeGreaterThanOrEqual(2);
    const held = /^margin event (me_[0-9a-f]{32}) is being delivered by another invocation$/;
    for (const e of transient) {
      expect(e.name).toBe('RetryableError');
      expect(e.message).toMatch(held);
    }
    const strandedId = held.exec(transient[0].message)?.[1];
    expect(await rowsOf(pid)).toEqual([]);

    // The lease expires: the next redelivery takes it over and delivers the stranded event, once.
    clock.advance(LEASE_MS);
    await allHandled();
    await allAlertsReceived();
    const got = alertsOf(pid);
    expect(got.map(alertKey)).toEqual([transitionKey(want)]);
    expect(got[0].eventId).toBe(strandedId);
    expect((await rowsOf(pid)).map(rowKey)).toEqual([transitionKey(want)]);
    // Redelivered, not dead-lettered.
    expect(deadLetters).toEqual([]);
    const state = await stack.store.get<{ tickId: string }>(MARGIN_COLLECTIONS.states, pid);
    expect(state?.tickId).toBe(next.tickId);
  });
});

/**
 * A transient failure is retried by Pub/Sub, never acknowledged away: while the warehouse refuses margin
 * events, detectMarginEvents answers 500, Pub/Sub redelivers up to the topology's maxDeliveryAttempts and then
 * its own dead-letter policy moves the message to dead-letter.v1. The transition itself is not lost: it stays
 * pending on the portfolio's state and is delivered once by the next observation after the warehouse heals.
 */
import type { Message } from '@google-cloud/pubsub';
import type { SchemaTypes } from '../../../shared/contracts/schema-types';
import type { LocalStack } from '../../../local-stack/stack';
import { ManualClock } from '../../../shared/platform/clocks';
import { computeRiskMetrics } from '../../../shared/domain/controls/metrics';
import type { CapturingSink } from '../../support/capturing-sink';
import type { Warehouse } from '../../../shared/ports/warehouse';
import { SUBSCRIPTIONS } from '../../../shared/topology/topology';
import { waitFor } from '../../support/env';
import { startTestStack, type TestStack } from '../../support/test-stack';

type PortfolioRisk = SchemaTypes['shared/portfolio-risk'];

function risk(asOf: string, healthScore: number): PortfolioRisk {
  const borrowUsd = 10_000;
  // The same book as a USD-priced collateral against USDC, so the metrics match the headline figures.
  const positions = [
    { asset: 'USDT', amount: borrowUsd * (1 + healthScore / 100), side: 'collateral' as const },
    { asset: 'USDC', amount: borrowUsd, side: 'borrow' as const },
  ];
  const prices = { USDT: 1, USDC: 1 };
  return {
    portfolioId: 'desk-transient',
    deskId: 'default',
    tickId: `tick-${asOf.slice(0, 16).replace(/[-:]/g, '')}Z`,
    asOf,
    positionsUpdatedAt: '2024-01-01T00:00:00Z',
    collateralUsd: borrowUsd * (1 + healthScore / 100),
    borrowUsd,
    healthScore,
    exposures: [],
    liquidationPrices: [],
    risk: null,
    metrics: computeRiskMetrics({ positions, prices, figures: null, history: null, drawdownWindowDays: 30 }),
  };
}

describe('transient failures through the emulators', () => {
  let running: TestStack;
  let stack: LocalStack;
  let refuseMarginEvents = true;
  let refused = 0;
  let alerts: Message[];
  let deadLetters: Message[];
  let sink: CapturingSink;
  // The functions framework prints every failed push (the 500s this test causes) on stderr.
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    running = await startTestStack('transient', {
      clock: new ManualClock('2024-06-01T00:00:00Z'),
      wrapWarehouse: (w: Warehouse): Warehouse => ({
        ...w,
        insert: async (table, rows) => {
          if (table === 'risk.margin_events' && refuseMarginEvents) {
            refused++;
            throw new Error('BigQuery 503: backend error (injected)');
          }
          return w.insert(table, rows);
        },
        query: (sql, params) => w.query(sql, params),
        close: () => w.close(),
      }),
    });
    ({ stack, sink, alerts, deadLetters } = running);
  });

  afterAll(async () => {
    await running?.stop();
    consoleError.mockRestore();
  });

  it('announces the margin call during a warehouse outage, dead-letters the message after the retries, and writes its row once later', async () => {
    const attempts = SUBSCRIPTIONS.find((s) => s.topic === 'risk.portfolio-risk.v1')?.maxDeliveryAttempts;
    expect(attempts).toBe(5);
    const first = risk('2024-06-01T00:01:00Z', 20); // HEALTHY → MARGIN_CALL
    const id = await stack.bus.publish('risk.portfolio-risk.v1', {
      tickId: first.tickId,
      asOf: first.asOf,
      shard: null,
      portfolios: [first],
    });
    const dead = await waitFor(
      async () =>
        deadLetters.find((m) => m.id === id || m.attributes.CloudPubSubDeadLetterSourceDeliveryCount),
      60_000,
      'the message in dead-letter.v1',
    );
    // Pub/Sub's own dead-lettering (not the handler's permanent-error path): attempts counted by Pub/Sub.
    expect(dead.attributes.CloudPubSubDeadLetterSourceDeliveryCount).toBe(String(attempts));
    expect(dead.attributes['fusion-reason']).toBeUndefined();
    expect(refused).toBe(attempts);
    expect(stack.meter.deliveries.get('risk.portfolio-risk.v1 → detectMarginEvents')?.failed).toBe(attempts);
    // The margin call went out during the outage, once, although its row could not be written.
    await waitFor(async () => (alerts.length >= 1 ? true : undefined), 20_000, 'the alert during the outage');
    expect(alerts).toHaveLength(1);
    expect(
      sink.entries().some((e) => e.severity === 'ERROR' && String(e.message).includes('transient')),
    ).toBe(true);

    // The warehouse heals; the next observation (no new transition) writes the pending row, exactly once, and
    // does not announce the margin call a second time.
    refuseMarginEvents = false;
    const next = risk('2024-06-01T00:02:00Z', 21);
    await stack.bus.publish('risk.portfolio-risk.v1', {
      tickId: next.tickId,
      asOf: next.asOf,
      shard: null,
      portfolios: [next],
    });
    await waitFor(
      async () =>
        (
          await stack.warehouse.query<{ n: number }>(
            "SELECT count(*)::INT AS n FROM risk.margin_events WHERE portfolio_id = 'desk-transient'",
          )
        )[0].n >= 1
          ? true
          : undefined,
      20_000,
      'the pending row',
    );
    await stack.settle(1000);
    const rows = await stack.warehouse.query<{ from_state: string; to_state: string; tick_id: string }>(
      "SELECT from_state, to_state, tick_id FROM risk.margin_events WHERE portfolio_id = 'desk-transient'",
    );
    expect(rows).toEqual([{ from_state: 'HEALTHY', to_state: 'MARGIN_CALL', tick_id: first.tickId }]);
    expect(alerts).toHaveLength(1);
    expect(JSON.parse(alerts[0].data.toString())).toMatchObject({
      toState: 'MARGIN_CALL',
      tickId: first.tickId,
    });
  });
});

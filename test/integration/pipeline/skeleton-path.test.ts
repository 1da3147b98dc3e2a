/**
 * The whole path through the real emulators and the embedded warehouse: ingestPrices (HTTP, as Cloud
 * Scheduler calls it) → market.prices.v1 → push → computePortfolioRisk → risk.shard-work.v1 → push →
 * risk.portfolio-risk.v1 → push → detectMarginEvents → risk.margin_events + alerts.margin.v1.
 * Poison messages end in the dead-letter topic with their reason; duplicate deliveries change nothing.
 */
import type { Message } from '@google-cloud/pubsub';
import type { LocalStack } from '../../../local-stack/stack';
import { ManualClock } from '../../../shared/platform/clocks';
import type { CapturingSink } from '../../support/capturing-sink';
import { seedDailyCloses, waitFor } from '../../support/env';
import { startTestStack, type TestStack } from '../../support/test-stack';

describe('message path through the emulators', () => {
  let running: TestStack;
  let stack: LocalStack;
  let sink: CapturingSink;
  const clock = new ManualClock('2022-11-08T23:59:00Z');
  let alerts: Message[];
  let deadLetters: Message[];

  beforeAll(async () => {
    running = await startTestStack('path', { clock, env: { RISK_SHARD_COUNT: '2' } });
    ({ stack, sink, alerts, deadLetters } = running);
    await seedDailyCloses(stack.store, '2022-11-08', 400, ['BTC', 'ETH', 'USDC']);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('carries a price tick to a margin alert and records every stage in the warehouse', async () => {
    // 1 BTC of collateral against a USDC loan sized so FTX day (BTC 18,541 → 15,880 on 11-09) breaches 30.
    await stack.bus.publish('portfolio.positions.v1', {
      portfolioId: 'desk-001',
      updatedAt: '2022-11-08T00:00:00Z',
      positions: [
        { asset: 'BTC', amount: 1, side: 'collateral' },
        { asset: 'USDC', amount: 13_000, side: 'borrow' },
      ],
    });
    await stack.settle(1000);
    const first = await stack.tick();
    expect(first.status).toBe(200);
    await stack.settle(1500);
    clock.set('2022-11-09T23:59:00Z');
    const second = await stack.tick();
    expect(second.status).toBe(200);
    await stack.settle(1500);

    const prices = await stack.warehouse.query<{ tick_id: string; asset: string }>(
      'SELECT tick_id, asset FROM market.prices ORDER BY tick_id, asset',
    );
    expect(prices.map((p) => `${p.tick_id}:${p.asset}`)).toEqual(
      expect.arrayContaining(['tick-20221108T2359Z:BTC', 'tick-20221109T2359Z:BTC']),
    );
    const exposures = await stack.warehouse.query<{ portfolio_id: string; var_99_1d_usd: number | null }>(
      "SELECT portfolio_id, var_99_1d_usd FROM risk.portfolio_exposures WHERE tick_id = 'tick-20221109T2359Z'",
    );
    expect(exposures.length).toBe(2);
    expect(exposures[0].var_99_1d_usd).toBeGreaterThan(0);
    const events = await stack.warehouse.query<{ to_state: string; from_state: string }>(
      "SELECT from_state, to_state FROM risk.margin_events WHERE portfolio_id = 'desk-001' ORDER BY as_of",
    );
    expect(events.map((e) => e.to_state)).toContain('MARGIN_CALL');
    await waitFor(async () => (alerts.length >= events.length ? true : undefined), 10_000, 'alerts');
    expect(alerts.map((a) => JSON.parse(a.data.toString()).toState)).toEqual(events.map((e) => e.to_state));
    const path = stack.meter.summary();
    expect(path).toMatch(/market\.prices\.v1 → computePortfolioRisk\s+handled 2/);
    expect(path).toMatch(/risk\.portfolio-risk\.v1 → detectMarginEvents/);
  });

  it('sends a malformed message to the dead-letter topic with the reason logged, and acknowledges it', async () => {
    const topic = stack.pubsub.topic('market.prices.v1');
    const id = await topic.publishMessage({ data: Buffer.from('{"tickId": "not-a-tick", "prices": []}') });
    const dl = await waitFor(
      async () => deadLetters.find((m) => m.attributes['fusion-source-message-id'] === id),
      20_000,
      'dead letter',
    );
    expect(dl.attributes['fusion-reason']).toBe('schema-violation');
    expect(dl.attributes['fusion-rejected-by']).toBe('computePortfolioRisk');
    expect(dl.data.toString()).toBe('{"tickId": "not-a-tick", "prices": []}');
    const logged = sink
      .entries()
      .find((e) => e.messageId === id && e.message === 'message rejected and dead-lettered');
    expect(logged).toMatchObject({ severity: 'WARNING', reason: 'schema-violation' });
    // Acknowledged on first delivery: not retried.
    await stack.settle(1000);
    const key = 'market.prices.v1 → computePortfolioRisk';
    expect(stack.meter.deliveries.get(key)?.rejected).toBe(1);
  });

  it('treats a duplicate delivery of the same tick as a no-op', async () => {
    const before = {
      prices: await stack.warehouse.query('SELECT count(*) AS n FROM market.prices'),
      exposures: await stack.warehouse.query('SELECT count(*) AS n FROM risk.portfolio_exposures'),
      events: await stack.warehouse.query('SELECT count(*) AS n FROM risk.margin_events'),
      alerts: alerts.length,
    };
    // The scheduler retries the same minute, and the tick message itself is delivered again.
    const again = await stack.tick();
    expect(again.status).toBe(200);
    await stack.settle(2000);
    const after = {
      prices: await stack.warehouse.query('SELECT count(*) AS n FROM market.prices'),
      exposures: await stack.warehouse.query('SELECT count(*) AS n FROM risk.portfolio_exposures'),
      events: await stack.warehouse.query('SELECT count(*) AS n FROM risk.margin_events'),
      alerts: alerts.length,
    };
    expect(after).toEqual(before);
    // It really was delivered twice: the consumer handled it and changed nothing.
    expect(stack.meter.deliveries.get('market.prices.v1 → computePortfolioRisk')?.handled).toBe(3);
  });
});

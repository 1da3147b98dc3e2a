import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { ingestPricesHttp } from '../../../functions/ingest-prices/wiring';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import type { MarketPricesV1, PriceAlertV1 } from '../../../shared/contracts/schema-types';
import { configProblems, PriceFeedConfigError } from '../../../shared/domain/prices/config';
import type { SourceResult } from '../../../shared/domain/prices/types';
import { ManualClock } from '../../../shared/platform/clocks';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { DEFAULT_PRICE_FEED_CONFIG } from '../../../shared/domain/prices/feeds';
import { DAILY_CLOSES_COLLECTION, type DailyClosesDoc } from '../../../shared/domain/prices/ticks';
import {
  PRICE_STATE_COLLECTION,
  ingestPrices,
  noAssetPriced,
  type IngestPricesDeps,
} from '../../../shared/use-cases/ingest-prices';
import { SOURCE_CIRCUIT_COLLECTION } from '../../../shared/use-cases/read-price-sources';
import {
  RecordingWarehouse,
  ScriptedSource,
  assetConfig,
  failure,
  feedConfig,
  reading,
  type Script,
} from './support';

const TRUE: Record<string, number> = { BTC: 60000, ETH: 2500 };
const healthy =
  (source: 'chainlink' | 'pyth'): Script =>
  (asset, now) =>
    reading(
      source,
      asset,
      TRUE[asset],
      new Date(now.getTime() - 1000),
      source === 'pyth' ? { confidence: TRUE[asset] * 0.0005 } : { decimals: 8, roundId: '5' },
    );

function setup(start = '2024-08-05T12:00:00Z') {
  const clock = new ManualClock(start);
  const sink = new CapturingSink();
  const chainlink = new ScriptedSource('chainlink', healthy('chainlink'));
  const pyth = new ScriptedSource('pyth', healthy('pyth'));
  const deps: IngestPricesDeps = {
    sources: [chainlink, pyth],
    store: new MemoryDocumentStore(),
    bus: new MemoryEventBus(),
    warehouse: new RecordingWarehouse(),
    clock,
    logger: new StructuredLogger({ sink: sink.sink }),
    config: feedConfig([assetConfig('BTC'), assetConfig('ETH')]),
  };
  const bus = deps.bus as MemoryEventBus;
  const warehouse = deps.warehouse as RecordingWarehouse;
  return { clock, sink, chainlink, pyth, deps, bus, warehouse };
}

describe('ingestPrices', () => {
  it('publishes one schema-valid message per tick with validated prices, and records them', async () => {
    const { deps, bus, warehouse } = setup('2024-08-05T12:00:17Z');
    const out = await ingestPrices(deps);

    expect(out.tickId).toBe('tick-20240805T1200Z');
    expect(out.asOf).toBe('2024-08-05T12:00:00.000Z');
    expect(out.published).toEqual([
      { asset: 'BTC', priceUsd: 60000, source: 'chainlink', quality: 'CROSS_CHECKED' },
      { asset: 'ETH', priceUsd: 2500, source: 'chainlink', quality: 'CROSS_CHECKED' },
    ]);
    expect(out.unavailable).toEqual([]);
    const messages = bus.messages.filter((m) => m.topic === 'market.prices.v1');
    expect(messages).toHaveLength(1);
    expect(messages[0].attributes).toEqual({ tickId: 'tick-20240805T1200Z' });
    expect(out.messageId).toBe(messages[0].id);
    const msg = messages[0].data as MarketPricesV1;
    expect(msg.prices[0]).toEqual({
      asset: 'BTC',
      priceUsd: 60000,
      source: 'chainlink',
      quality: 'CROSS_CHECKED',
      publishedAt: '2024-08-05T12:00:16.000Z',
      dailyCloseDate: '2024-08-05',
    });
    expect(warehouse.rows('market.prices').map((r) => r.row_id)).toEqual([
      'tick-20240805T1200Z:BTC',
      'tick-20240805T1200Z:ETH',
    ]);
    expect(warehouse.rows('market.prices')[0]).toMatchObject({
      source: 'chainlink',
      quality: 'CROSS_CHECKED',
      confidence_usd: null,
    });
    expect(await deps.store.get(PRICE_STATE_COLLECTION, 'BTC')).toMatchObject({
      status: 'CHAINLINK_WORKING',
      lastGood: { price: 60000, tickId: 'tick-20240805T1200Z' },
    });
  });

  it('never publishes garbage: a broken primary yields the fallback, marked as such, with its confidence', async () => {
    const { deps, clock, chainlink, bus } = setup();
    await ingestPrices(deps);
    clock.advance(60_000);
    chainlink.script = (asset, now) =>
      asset === 'ETH' ? reading('chainlink', 'ETH', -2500, now) : healthy('chainlink')(asset, now, 0);
    const out = await ingestPrices(deps);
    expect(out.published).toContainEqual({
      asset: 'ETH',
      priceUsd: 2500,
      source: 'pyth',
      quality: 'FALLBACK',
    });
    const msg = bus.on<MarketPricesV1>('market.prices.v1')[1];
    expect(msg.prices.find((p) => p.asset === 'ETH')?.confidenceUsd).toBeCloseTo(1.25, 10);
    expect(await deps.store.get(PRICE_STATE_COLLECTION, 'ETH')).toMatchObject({
      status: 'USING_PYTH_CHAINLINK_UNTRUSTED',
    });
  });

  it('publishes nothing for an asset with no usable source and raises an alert with a deterministic id', async () => {
    const { deps, clock, chainlink, pyth, bus, sink } = setup();
    await ingestPrices(deps);
    clock.advance(60_000);
    chainlink.script = (asset, now) =>
      asset === 'ETH'
        ? reading('chainlink', 'ETH', 2500, new Date(now.getTime() + 7_200_000))
        : healthy('chainlink')(asset, now, 0);
    pyth.script = (asset, now) =>
      asset === 'ETH'
        ? failure('pyth', 'ETH', 'bad-response', 'PRICE_ID_NOT_FOUND')
        : healthy('pyth')(asset, now, 0);
    const out = await ingestPrices(deps);

    expect(out.published.map((p) => p.asset)).toEqual(['BTC']);
    expect(out.unavailable).toEqual([
      {
        asset: 'ETH',
        reasons: [
          'FUTURE_TIMESTAMP: chainlink ETH: timestamp is 7200 s in the future (allowed skew 60 s)',
          'SOURCE_BAD_RESPONSE(PRICE_ID_NOT_FOUND): pyth: injected PRICE_ID_NOT_FOUND',
        ],
      },
    ]);
    const alerts = bus.on<PriceAlertV1>('alerts.prices.v1');
    expect(alerts).toEqual([
      {
        alertId: 'tick-20240805T1201Z:ETH:NO_USABLE_PRICE',
        tickId: 'tick-20240805T1201Z',
        asOf: '2024-08-05T12:01:00.000Z',
        asset: 'ETH',
        kind: 'NO_USABLE_PRICE',
        reasons: out.unavailable[0].reasons,
      },
    ]);
    const msg = bus.on<MarketPricesV1>('market.prices.v1')[1];
    expect(msg.prices.map((p) => p.asset)).toEqual(['BTC']);
    const errors = sink.entries().filter((e) => e.severity === 'ERROR');
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'no usable price: nothing published for this asset',
        asset: 'ETH',
        tickId: 'tick-20240805T1201Z',
      }),
    ]);
    // The last good price survives the outage for the next jump checks.
    expect(await deps.store.get(PRICE_STATE_COLLECTION, 'ETH')).toMatchObject({
      lastGood: { price: 2500, tickId: 'tick-20240805T1200Z' },
    });
  });

  it('publishes no price message at all when no asset is usable, only alerts', async () => {
    const { deps, chainlink, pyth, bus } = setup();
    chainlink.script = (a) => failure('chainlink', a, 'unavailable', 'TIMEOUT');
    pyth.script = (a) => failure('pyth', a, 'unavailable', 'HTTP_500');
    const out = await ingestPrices(deps);
    expect(out.published).toEqual([]);
    expect(out.messageId).toBeUndefined();
    expect(bus.on('market.prices.v1')).toEqual([]);
    expect(bus.on<PriceAlertV1>('alerts.prices.v1').map((a) => a.alertId)).toEqual([
      'tick-20240805T1200Z:BTC:NO_USABLE_PRICE',
      'tick-20240805T1200Z:ETH:NO_USABLE_PRICE',
    ]);
    expect((deps.warehouse as RecordingWarehouse).inserts).toBe(0);
  });

  it('is idempotent per minute: a re-run repeats the tick id, rows and alert ids', async () => {
    const { deps, clock, bus, warehouse, pyth } = setup('2024-08-05T12:00:05Z');
    pyth.script = (asset, now) =>
      asset === 'ETH' ? reading('pyth', 'ETH', 2700, now, { confidence: 1 }) : healthy('pyth')(asset, now, 0);
    const first = await ingestPrices(deps);
    clock.set('2024-08-05T12:00:40Z');
    const second = await ingestPrices(deps);
    expect(second.tickId).toBe(first.tickId);
    expect(second.published).toEqual(first.published);
    expect(second.alertIds).toEqual(first.alertIds);
    expect(first.alertIds).toEqual([
      'tick-20240805T1200Z:ETH:SOURCES_DISAGREE',
      'tick-20240805T1200Z:ETH:NO_USABLE_PRICE',
    ]);
    const prices = bus.on<MarketPricesV1>('market.prices.v1');
    expect(prices.map((m) => m.tickId)).toEqual([first.tickId, first.tickId]);
    // Sources are read again, so reading timestamps may move; ids and the recorded rows do not.
    const strip = (m: MarketPricesV1) => m.prices.map(({ publishedAt: _ignored, ...rest }) => rest);
    expect(strip(prices[1])).toEqual(strip(prices[0]));
    expect(warehouse.rows('market.prices')).toEqual([
      expect.objectContaining({
        row_id: 'tick-20240805T1200Z:BTC',
        published_at: '2024-08-05T12:00:04.000Z',
      }),
    ]);
    const closes = await deps.store.get<DailyClosesDoc>(DAILY_CLOSES_COLLECTION, 'BTC');
    expect(closes?.closes).toEqual([{ date: '2024-08-05', close: 60000 }]);
  });

  it("keeps rolling daily closes: the day's latest price is its close", async () => {
    const { deps, clock } = setup('2024-08-05T23:58:00Z');
    try {
      for (const price of [60000, 60100, 59000]) {
        TRUE.BTC = price;
        await ingestPrices(deps);
        clock.advance(60_000);
      }
    } finally {
      TRUE.BTC = 60000;
    }
    const doc = await deps.store.get<DailyClosesDoc>(DAILY_CLOSES_COLLECTION, 'BTC');
    expect(doc).toEqual({
      asset: 'BTC',
      closes: [
        { date: '2024-08-05', close: 60100 },
        { date: '2024-08-06', close: 59000 },
      ],
      updatedAt: '2024-08-06T00:00:00.000Z',
    });
  });

  it('stops calling a dead source, remembers it across instances, alerts once, and recovers by itself', async () => {
    const { deps, clock, chainlink, bus } = setup();
    await ingestPrices(deps);
    clock.advance(60_000);
    chainlink.calls = 0;
    chainlink.script = (a) => failure('chainlink', a, 'unavailable', 'HTTP_503');
    const outcomes = [];
    for (let i = 0; i < 10; i++) {
      // A fresh deps object per tick, as after a cold start: only the store carries the circuit.
      outcomes.push(await ingestPrices({ ...deps }));
      clock.advance(60_000);
    }
    // Failing calls at ticks 0, 1, 2 (opens), trial at 3 (1 min), trial at 5 (2 min), trial at 9 (4 min).
    expect(chainlink.calls).toBe(6);
    expect(outcomes.map((o) => o.skippedSources.length)).toEqual([0, 0, 0, 0, 1, 0, 1, 1, 1, 0]);
    expect(await deps.store.get(SOURCE_CIRCUIT_COLLECTION, 'chainlink')).toMatchObject({
      status: 'OPEN',
      lastFailure: 'HTTP_503',
    });
    const circuitAlerts = bus
      .on<PriceAlertV1>('alerts.prices.v1')
      .filter((a) => a.kind === 'SOURCE_CIRCUIT_OPEN');
    expect(circuitAlerts.map((a) => a.alertId)).toEqual([
      'tick-20240805T1203Z:chainlink:SOURCE_CIRCUIT_OPEN',
    ]);
    // Pyth carried every tick meanwhile.
    expect(outcomes.every((o) => o.published.length === 2)).toBe(true);

    chainlink.script = healthy('chainlink');
    clock.advance(8 * 60_000); // the last trial failed at 12:10 with the cool-down at its 8-minute cap

    const back = await ingestPrices(deps);
    expect(back.circuits.chainlink).toBe('CLOSED');
    expect(back.published.every((p) => p.quality === 'CROSS_CHECKED')).toBe(true);
  });

  it('treats a source that throws or hangs as failed for this tick', async () => {
    const { deps, chainlink, pyth } = setup();
    deps.config = { ...deps.config, sourceTimeoutMs: 50 };
    chainlink.script = () => 'throw';
    pyth.script = () => 'hang';
    const out = await ingestPrices(deps);
    expect(out.published).toEqual([]);
    expect(out.unavailable[0].reasons).toEqual([
      'SOURCE_UNAVAILABLE(READ_FAILED): chainlink: read failed: Error',
      'SOURCE_UNAVAILABLE(READ_TIMEOUT): pyth: no answer within 50 ms',
    ]);
  });

  it('refuses an invalid configuration, naming every problem', async () => {
    const { deps } = setup();
    deps.config = feedConfig([
      assetConfig('eth', {
        maxJumpRatio: 2,
        pyth: { id: '0x12', maxAgeSeconds: 0, maxConfidenceRatio: 0.01 },
      }),
    ]);
    await expect(ingestPrices(deps)).rejects.toThrow(PriceFeedConfigError);
    expect(configProblems(deps.config)).toEqual([
      expect.stringMatching(/asset must match/),
      expect.stringMatching(/pyth.id is not a 32-byte hex id/),
      expect.stringMatching(/pyth.maxAgeSeconds must be a positive number/),
      expect.stringMatching(/maxJumpRatio must be below 1/),
    ]);
  });

  it('ships a valid default configuration covering BTC, ETH and USDC from both sources', () => {
    expect(configProblems(DEFAULT_PRICE_FEED_CONFIG)).toEqual([]);
    for (const asset of ['BTC', 'ETH', 'USDC']) {
      const a = DEFAULT_PRICE_FEED_CONFIG.assets.find((x) => x.asset === asset);
      expect(a?.chainlink && a.pyth).toBeTruthy();
    }
    const heartbeats = Object.fromEntries(
      DEFAULT_PRICE_FEED_CONFIG.assets.map((a) => [a.asset, a.chainlink?.heartbeatSeconds]),
    );
    expect(heartbeats).toMatchObject({ BTC: 3600, ETH: 3600, USDC: 86400 });
  });

  it('reports the source whose result is missing for an asset as unavailable', async () => {
    const { deps, pyth } = setup();
    const original = pyth.read.bind(pyth);
    pyth.read = async (assets, now) => {
      const m = await original(assets, now);
      m.delete('ETH');
      return m as Map<string, SourceResult>;
    };
    const out = await ingestPrices(deps);
    // ETH cannot be seeded from Chainlink alone; BTC can (both agree).
    expect(out.published.map((p) => p.asset)).toEqual(['BTC']);
    expect(out.unavailable[0].reasons).toEqual(['SOURCE_UNAVAILABLE(NO_ANSWER): pyth: no answer for ETH']);
  });
});

describe('ingestPrices over HTTP (what Cloud Scheduler sees)', () => {
  let n = 0;
  const serve = (deps: IngestPricesDeps) => {
    const name = `ingestPricesHttp-${++n}`;
    ff.http(
      name,
      ingestPricesHttp(async () => deps),
    );
    return getTestServer(name);
  };

  it('answers 500 when no asset at all could be priced, after publishing its alerts and recording its state', async () => {
    const { deps, chainlink, pyth, bus } = setup();
    chainlink.script = (a) => failure('chainlink', a, 'unavailable', 'TIMEOUT');
    pyth.script = (a) => failure('pyth', a, 'unavailable', 'HTTP_500');
    const res = await request(serve(deps)).post('/').set('user-agent', 'Google-Cloud-Scheduler');
    expect(res.status).toBe(500);
    expect(res.body.published).toEqual([]);
    expect(res.body.alertIds).toEqual([
      'tick-20240805T1200Z:BTC:NO_USABLE_PRICE',
      'tick-20240805T1200Z:ETH:NO_USABLE_PRICE',
    ]);
    // The alerts went out and the state was kept before the failure was answered.
    expect(bus.on<PriceAlertV1>('alerts.prices.v1').map((a) => a.alertId)).toEqual(res.body.alertIds);
    expect(bus.on('market.prices.v1')).toEqual([]);
    expect(await deps.store.get(PRICE_STATE_COLLECTION, 'ETH')).toBeDefined();
    expect(await deps.store.get(SOURCE_CIRCUIT_COLLECTION, 'chainlink')).toMatchObject({
      consecutiveFailures: 1,
    });
  });

  it('answers 200 for a partly priced tick, with its NO_USABLE_PRICE alert', async () => {
    const { deps, pyth, chainlink, bus } = setup();
    chainlink.script = (asset, now) =>
      asset === 'ETH'
        ? failure('chainlink', 'ETH', 'unavailable', 'TIMEOUT')
        : healthy('chainlink')(asset, now, 0);
    pyth.script = (asset, now) =>
      asset === 'ETH' ? failure('pyth', 'ETH', 'unavailable', 'HTTP_500') : healthy('pyth')(asset, now, 0);
    const res = await request(serve(deps)).post('/');
    expect(res.status).toBe(200);
    expect(res.body.published.map((p: { asset: string }) => p.asset)).toEqual(['BTC']);
    expect(bus.on<PriceAlertV1>('alerts.prices.v1').map((a) => a.alertId)).toEqual([
      'tick-20240805T1200Z:ETH:NO_USABLE_PRICE',
    ]);
  });

  it('answers 200 for a fully priced tick, and decides failure from the outcome alone', async () => {
    const { deps } = setup();
    const res = await request(serve(deps)).post('/');
    expect(res.status).toBe(200);
    expect(noAssetPriced({ published: [] })).toBe(true);
    expect(noAssetPriced(res.body as { published: [] })).toBe(false);
  });
});

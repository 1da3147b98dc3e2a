/**
 * Adding an asset is a configuration change, not a code change: a price-feed document with a new asset (ARB,
 * a made-up proxy and Pyth id) given through PRICE_FEEDS_JSON is served by the local Chainlink node and Hermes
 * (fed from the same document, as the local stack does), read by the real ingestPrices wiring, and ARB's price
 * is in the published market.prices.v1 message. An invalid document stops the function at cold start with the
 * problem named.
 */
import * as ff from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { ingestPrices } from '../../../functions/ingest-prices/wiring';
import { LocalSecrets, localPlatform } from '../../../local-stack/platform';
import {
  chainlinkFeedSpecs,
  startChainlinkRpcServer,
} from '../../../local-stack/providers/chainlink-rpc-server';
import { pythFeedSpecs, startPythHermesServer } from '../../../local-stack/providers/pyth-hermes-server';
import { DuckDbWarehouse } from '../../../shared/adapters/local/duckdb-warehouse';
import type { MarketPricesV1 } from '../../../shared/contracts/schema-types';
import bundledDocument from '../../../shared/domain/prices/data/price-feeds.json';
import { ManualClock } from '../../../shared/platform/clocks';
import { readPriceSourcesConfig } from '../../../shared/platform/config/prices';
import { ConfigError } from '../../../shared/platform/config/runtime';
import { StructuredLogger } from '../../../shared/platform/logger';
import { CapturingSink } from '../../support/capturing-sink';
import { historicalPrices } from '../../support/env';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';

const PROJECT = 'fusion-price-feeds';
const ARB_PRICE = 0.8125;
const document = {
  ...bundledDocument,
  assets: [
    bundledDocument.assets.find((a) => a.asset === 'BTC')!,
    {
      asset: 'ARB',
      chainlink: {
        proxy: '0xa2b1c3d4e5f60718293a4b5c6d7e8f9012345678',
        decimals: 8,
        heartbeatSeconds: 86400,
        deviationThreshold: 0.005,
      },
      pyth: {
        id: '3FA4252848F9F0A1480BE62745A4629D9EB1322AEBAB8A791E344B3B9C1ADCF5',
        maxAgeSeconds: 60,
        maxConfidenceRatio: 0.01,
      },
      maxJumpRatio: 0.5,
      maxSourceDeviation: 0.05,
      note: 'Test asset: made-up proxy and Pyth id.',
    },
  ],
};

const clock = new ManualClock('2024-08-05T12:00:30Z');
const bus = new MemoryEventBus();
const sink = new CapturingSink();
let warehouse: DuckDbWarehouse;
const closers: (() => Promise<void>)[] = [];
let badEnv: NodeJS.ProcessEnv = {};

function register(name: string, env: NodeJS.ProcessEnv, secrets: LocalSecrets): void {
  const logger = new StructuredLogger({ sink: sink.sink, projectId: PROJECT });
  const store = new MemoryDocumentStore();
  const platform = localPlatform({ env, bus, store, warehouse, secrets, clock, logger });
  ff.http(
    name,
    ingestPrices.serve(async () => platform),
  );
}

beforeAll(async () => {
  warehouse = await DuckDbWarehouse.open(':memory:');
  const secrets = new LocalSecrets();
  const env: NodeJS.ProcessEnv = {
    ENVIRONMENT: 'local',
    GOOGLE_CLOUD_PROJECT: PROJECT,
    PRICE_FEEDS_JSON: JSON.stringify(document),
  };
  // The local stack's servers take their feeds from the same configuration reader (local-stack/stack.ts).
  const feeds = readPriceSourcesConfig(env).feeds;
  const history = historicalPrices();
  const price = (asset: string, at: Date) => (asset === 'ARB' ? ARB_PRICE : history(asset, at));
  const chainlink = await startChainlinkRpcServer({ feeds: chainlinkFeedSpecs(feeds), price, clock });
  const pyth = await startPythHermesServer({ feeds: pythFeedSpecs(feeds), price, clock });
  closers.push(
    () => chainlink.close(),
    () => pyth.close(),
  );
  secrets.values.set('CHAINLINK_RPC_URL', chainlink.url);
  register('ingestPricesWithArb', { ...env, PYTH_HERMES_URL: pyth.url }, secrets);
  const badDocument = structuredClone(document);
  badDocument.assets[1].chainlink!.proxy = '0xnot-an-address';
  badEnv = { ...env, PYTH_HERMES_URL: pyth.url, PRICE_FEEDS_JSON: JSON.stringify(badDocument) };
  register('ingestPricesBadDocument', badEnv, secrets);
});

afterAll(async () => {
  for (const close of closers) await close();
  await warehouse.close();
});

describe('a price-feed document with a new asset, through PRICE_FEEDS_JSON', () => {
  it('is ingested end to end: ARB from both sources is in the published market.prices.v1 message', async () => {
    const res = await request(getTestServer('ingestPricesWithArb'))
      .post('/')
      .set('user-agent', 'Google-Cloud-Scheduler');
    expect(res.status).toBe(200);
    expect(res.body.unavailable).toEqual([]);
    expect(res.body.published.map((p: { asset: string }) => p.asset).sort()).toEqual(['ARB', 'BTC']);
    const [message] = bus.on<MarketPricesV1>('market.prices.v1');
    expect(message.tickId).toBe('tick-20240805T1200Z');
    const arb = message.prices.find((p) => p.asset === 'ARB');
    expect(arb).toMatchObject({ asset: 'ARB', quality: 'CROSS_CHECKED' });
    expect(arb?.priceUsd).toBeCloseTo(ARB_PRICE, 6);
  });

  it('is refused at cold start when invalid, naming the problem', async () => {
    const res = await request(getTestServer('ingestPricesBadDocument'))
      .post('/')
      .set('user-agent', 'Google-Cloud-Scheduler');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'price ingestion failed' });
    expect(bus.on('market.prices.v1')).toHaveLength(1); // only the good function's tick
    // What the cold start threw: the configuration reader's ConfigError, naming the offending path.
    expect(() => readPriceSourcesConfig({ ...badEnv })).toThrow(
      /price feeds \(PRICE_FEEDS_JSON\): \/assets\/1\/chainlink\/proxy must match pattern/,
    );
    expect(() =>
      readPriceSourcesConfig({ PRICE_FEEDS_JSON: JSON.stringify({ ...document, assets: [] }) }),
    ).toThrow(ConfigError);
  });
});

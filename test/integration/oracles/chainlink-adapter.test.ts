/** The real Chainlink client (viem over HTTP JSON-RPC) against the local JSON-RPC server. */
import { decodeFunctionResult, encodeFunctionData, type Hex } from 'viem';
import { AGGREGATOR_V3_ABI } from '../../../shared/adapters/oracles/aggregator-v3-abi';
import { ChainlinkPriceSource } from '../../../shared/adapters/oracles/chainlink-source';
import { MemoryDocumentStore } from '../../support/memory/memory-document-store';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import type { RawReading, SourceFailure } from '../../../shared/domain/prices/types';
import { checkReading, rulesFor, type ReadingRules } from '../../../shared/domain/prices/validation';
import { ChainlinkRpcServer } from '../../../local-stack/providers/chainlink-rpc-server';
import type { RunningServer } from '../../../local-stack/providers/http-server';
import { ManualClock } from '../../../shared/platform/clocks';
import { CapturingSink } from '../../support/capturing-sink';
import { StructuredLogger } from '../../../shared/platform/logger';
import { ingestPrices } from '../../../shared/use-cases/ingest-prices';
import { RecordingWarehouse, assetConfig, feedConfig } from '../../unit/prices/support';

const ETH = '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419' as const;
const BTC = '0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c' as const;
const NOWHERE = '0x000000000000000000000000000000000000dEaD' as const;
const API_KEY = 'k3y-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

const clock = new ManualClock('2024-08-05T12:00:00Z');
const prices: Record<string, number> = { ETH: 2500.12345678, BTC: 54321.5 };
let server: ChainlinkRpcServer;
let running: RunningServer;
let rpcUrl: string;

const source = (extra: Partial<ConstructorParameters<typeof ChainlinkPriceSource>[0]> = {}) =>
  new ChainlinkPriceSource({
    feeds: { ETH, BTC, SOL: NOWHERE },
    secrets: {
      get: async (name) => (name === 'CHAINLINK_RPC_URL' ? rpcUrl : Promise.reject(new Error('no'))),
    },
    timeoutMs: 300,
    ...extra,
  });

beforeAll(async () => {
  server = new ChainlinkRpcServer({
    feeds: [
      { asset: 'ETH', proxy: ETH, heartbeatSeconds: 3600, deviationThreshold: 0.005 },
      { asset: 'BTC', proxy: BTC },
    ],
    price: (asset) => prices[asset],
    clock,
  });
  running = await server.start();
  // Provider URLs carry their API key in the path; it must never surface.
  rpcUrl = `${running.url}/v2/${API_KEY}`;
});

afterAll(() => running.close());

beforeEach(() => server.setChaos(undefined));

describe('Chainlink adapter over JSON-RPC', () => {
  it('reads latestRoundData and decimals for every feed in one JSON-RPC batch and converts exactly', async () => {
    const before = server.stats.httpRequests;
    const out = await source().read(['ETH', 'BTC'], clock.now());
    expect(server.stats.httpRequests - before).toBe(1);
    const eth = out.get('ETH') as RawReading;
    expect(eth).toMatchObject({
      ok: true,
      source: 'chainlink',
      price: 2500.12345678,
      decimals: 8,
      publishTime: clock.now(),
      raw: { value: '250012345678', expo: -8 },
    });
    // Proxy round id = phase << 64 | aggregator round.
    expect(BigInt(eth.roundId as string) >> 64n).toBe(5n);
    expect((out.get('BTC') as RawReading).price).toBe(54321.5);
  });

  it('sees rounds the way a feed updates: a new round only past the deviation threshold or the heartbeat', async () => {
    const first = (await source().read(['ETH'], clock.now())).get('ETH') as RawReading;
    clock.advance(600_000);
    prices.ETH = 2500.12345678 * 1.004; // inside the 0.5 % deviation: same round, older updatedAt
    const same = (await source().read(['ETH'], clock.now())).get('ETH') as RawReading;
    expect(same.roundId).toBe(first.roundId);
    expect(same.publishTime).toEqual(first.publishTime);
    prices.ETH = 2500.12345678 * 1.01;
    const moved = (await source().read(['ETH'], clock.now())).get('ETH') as RawReading;
    expect(BigInt(moved.roundId as string)).toBe(BigInt(first.roundId as string) + 1n);
    expect(moved.publishTime).toEqual(clock.now());
    prices.ETH = 2500.12345678;
  });

  it('also works without batching, and answers eth_chainId / eth_blockNumber / raw eth_call batches', async () => {
    const out = await source({ batch: false }).read(['BTC'], clock.now());
    expect((out.get('BTC') as RawReading).price).toBe(54321.5);
    const res = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
        { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] },
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'eth_call',
          params: [{ to: BTC, data: '0x313ce567' }, 'latest'],
        },
        {
          jsonrpc: '2.0',
          id: 4,
          method: 'eth_call',
          params: [
            {
              to: BTC.toLowerCase(),
              data: encodeFunctionData({ abi: AGGREGATOR_V3_ABI, functionName: 'latestRoundData' }),
            },
            'latest',
          ],
        },
      ]),
    });
    const body = (await res.json()) as { id: number; result: Hex }[];
    expect(body.map((b) => b.id)).toEqual([1, 2, 3, 4]);
    expect(body[0].result).toBe('0x1');
    expect(
      decodeFunctionResult({ abi: AGGREGATOR_V3_ABI, functionName: 'decimals', data: body[2].result }),
    ).toBe(8);
    const round = decodeFunctionResult({
      abi: AGGREGATOR_V3_ABI,
      functionName: 'latestRoundData',
      data: body[3].result,
    });
    expect(round[1]).toBe(5432150000000n);
  });

  it('reports a feed address without a contract as a bad response, not a price', async () => {
    const sol = (await source().read(['SOL'], clock.now())).get('SOL') as SourceFailure;
    expect(sol).toMatchObject({ ok: false, kind: 'bad-response', reason: 'NO_DATA' });
  });

  it('reports an asset without a configured feed as not configured', async () => {
    expect((await source().read(['DOGE'], clock.now())).get('DOGE')).toMatchObject({
      kind: 'not-configured',
    });
  });

  it.each([
    [{ byAsset: { ETH: { revert: 1 } } }, 'bad-response', 'EXECUTION_REVERTED'],
    [{ byAsset: { ETH: { 'rpc-error': 1 } } }, 'unavailable', 'RPC_ERROR_-32603'],
    [{ request: { 'http-500': 1 } }, 'unavailable', 'HTTP_500'],
    [{ request: { 'http-429': 1 } }, 'unavailable', 'RPC_ERROR_-1'],
    [{ request: { hang: 1 }, hangMs: 1_000 }, 'unavailable', 'TIMEOUT'],
  ])('turns %j into a %s failure (%s)', async (chaos, kind, reason) => {
    server.setChaos({ seed: 1, ...chaos });
    const eth = (await source().read(['ETH'], clock.now())).get('ETH') as SourceFailure;
    expect(eth).toMatchObject({ ok: false, kind, reason });
    expect(eth.message).not.toContain(API_KEY);
    expect(eth.message).not.toContain(running.url);
  });

  it('fails every asset as unavailable when the node is down or the URL secret is missing', async () => {
    const down = new ChainlinkPriceSource({
      feeds: { ETH },
      secrets: { get: async () => 'http://127.0.0.1:9/v2/secret' },
      timeoutMs: 300,
    });
    expect((await down.read(['ETH'], clock.now())).get('ETH')).toMatchObject({
      kind: 'unavailable',
      reason: 'HTTP_ERROR',
    });
    const noSecret = source({ rpcUrlSecret: 'MISSING' });
    expect((await noSecret.read(['ETH'], clock.now())).get('ETH')).toMatchObject({
      kind: 'unavailable',
      reason: 'RPC_URL_UNAVAILABLE',
    });
  });

  it('serves garbage under chaos that the validation rules catch, reproducibly per seed', async () => {
    const rules = rulesFor(assetConfig('ETH'), 'chainlink', feedConfig([])) as ReadingRules;
    const run = async () => {
      server.setChaos({
        seed: 7,
        byAsset: {
          ETH: { stale: 0.25, 'negative-answer': 0.25, 'future-timestamp': 0.25, 'zero-timestamp': 0.25 },
        },
      });
      const reasons: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = (await source().read(['ETH'], clock.now())).get('ETH') as RawReading;
        reasons.push(checkReading(r, rules, clock.now())?.reason ?? 'OK');
      }
      return reasons;
    };
    const first = await run();
    expect(new Set(first)).toEqual(
      new Set(['STALE', 'NON_POSITIVE_PRICE', 'FUTURE_TIMESTAMP', 'ZERO_TIMESTAMP']),
    );
    expect(await run()).toEqual(first);
  });

  it('never logs the RPC URL while ingesting through a failing node', async () => {
    server.setChaos({ seed: 3, request: { 'http-500': 0.5, hang: 0.5 }, hangMs: 600 });
    const sink = new CapturingSink();
    const deps = {
      sources: [source()],
      store: new MemoryDocumentStore(),
      bus: new MemoryEventBus(),
      warehouse: new RecordingWarehouse(),
      clock,
      logger: new StructuredLogger({ sink: sink.sink }),
      config: feedConfig([assetConfig('ETH', { pyth: undefined })]),
    };
    for (let i = 0; i < 4; i++) {
      await ingestPrices(deps);
      clock.advance(60_000);
    }
    const text = sink.lines.join('\n');
    expect(sink.lines.length).toBeGreaterThan(4);
    expect(text).toContain('price source circuit opened');
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(running.url);
  });
});

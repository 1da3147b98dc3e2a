/** The real Pyth client (fetch against Hermes v2) against the local Hermes server. */
import { PythHermesPriceSource } from '../../../shared/adapters/oracles/pyth-hermes-source';
import type { RawReading, SourceFailure } from '../../../shared/domain/prices/types';
import { checkReading, rulesFor, type ReadingRules } from '../../../shared/domain/prices/validation';
import type { RunningServer } from '../../../local-stack/providers/http-server';
import { PythHermesServer } from '../../../local-stack/providers/pyth-hermes-server';
import { ManualClock } from '../../../shared/platform/clocks';
import { assetConfig, feedConfig } from '../../unit/prices/support';

const BTC_ID = 'e62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43';
const ETH_ID = 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace';
const UNKNOWN_ID = '00'.repeat(32);
const KEY = 'hermes-test-key-1234567890';

const clock = new ManualClock('2024-06-06T00:00:00Z');
const prices: Record<string, number> = { BTC: 29206.79499999, ETH: 1841.36023127 };
let server: PythHermesServer;
let running: RunningServer;

const source = (
  feeds: Record<string, string> = { BTC: `0x${BTC_ID.toUpperCase()}`, ETH: ETH_ID },
  withKey = true,
) =>
  new PythHermesPriceSource({
    baseUrl: `${running.url}/`,
    feeds,
    secrets: { get: async () => KEY },
    ...(withKey ? { apiKeySecret: 'PYTH_HERMES_API_KEY' } : {}),
    timeoutMs: 300,
  });

const latest = (query: string, key = KEY) =>
  fetch(`${running.url}/v2/updates/price/latest?${query}`, { headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  server = new PythHermesServer({
    feeds: [
      { asset: 'BTC', id: BTC_ID, confidenceRatio: 509500001 / 2920679499999 },
      { asset: 'ETH', id: `0x${ETH_ID}` },
    ],
    price: (asset) => prices[asset],
    clock,
    apiKey: KEY,
  });
  running = await server.start();
});

afterAll(() => running.close());

beforeEach(() => server.setChaos(undefined));

describe('local Hermes speaks the v2 wire format', () => {
  it('answers binary + parsed with string integers, expo −8, publish_time in seconds and ids without 0x', async () => {
    const res = await latest(`ids[]=0x${BTC_ID}&ids[]=${ETH_ID.toUpperCase()}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      binary: { encoding: string; data: string[] };
      parsed: {
        id: string;
        price: Record<string, unknown>;
        ema_price: Record<string, unknown>;
        metadata: Record<string, unknown>;
      }[];
    };
    expect(body.binary.encoding).toBe('hex');
    expect(body.binary.data[0]).toMatch(/^504e4155[0-9a-f]+$/);
    expect(body.parsed.map((p) => p.id)).toEqual([BTC_ID, ETH_ID]);
    expect(body.parsed[0].price).toEqual({
      price: '2920679499999',
      conf: '509500001',
      expo: -8,
      publish_time: 1717632000,
    });
    expect(Object.keys(body.parsed[0].ema_price)).toEqual(['price', 'conf', 'expo', 'publish_time']);
    expect(Object.keys(body.parsed[0].metadata)).toEqual([
      'slot',
      'proof_available_time',
      'prev_publish_time',
    ]);
  });

  it('answers 404 "Price ids not found" as plain text for an unknown id, unless told to ignore it', async () => {
    const res = await latest(`ids[]=${BTC_ID}&ids[]=${UNKNOWN_ID}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Price ids not found');
    const lenient = await latest(
      `ids[]=${BTC_ID}&ids[]=${UNKNOWN_ID}&ignore_invalid_price_ids=true&encoding=base64&parsed=false`,
    );
    const body = (await lenient.json()) as Record<string, unknown>;
    expect(body.parsed).toBeUndefined();
    expect((body.binary as { encoding: string }).encoding).toBe('base64');
  });

  it('demands the bearer key when configured', async () => {
    expect((await latest(`ids[]=${BTC_ID}`, 'wrong')).status).toBe(401);
  });
});

describe('Pyth adapter over Hermes', () => {
  it('converts price and confidence with the exponent and normalises ids', async () => {
    const out = await source().read(['BTC', 'ETH'], clock.now());
    expect(out.get('BTC')).toEqual({
      ok: true,
      source: 'pyth',
      asset: 'BTC',
      price: 29206.79499999,
      confidence: 5.09500001,
      publishTime: new Date('2024-06-06T00:00:00Z'),
      raw: { value: '2920679499999', expo: -8 },
    });
    expect((out.get('ETH') as RawReading).price).toBe(1841.36023127);
  });

  it('retries once without the unknown id so one delisted feed does not blind the others', async () => {
    const before = server.stats.httpRequests;
    const out = await source({ BTC: BTC_ID, GONE: UNKNOWN_ID }).read(['BTC', 'GONE'], clock.now());
    expect(server.stats.httpRequests - before).toBe(2);
    expect((out.get('BTC') as RawReading).price).toBe(29206.79499999);
    expect(out.get('GONE')).toMatchObject({ ok: false, kind: 'bad-response', reason: 'PRICE_ID_NOT_FOUND' });
  });

  it('reports a missing key as unauthorised, never echoing the key', async () => {
    const out = await source(undefined, false).read(['BTC'], clock.now());
    const f = out.get('BTC') as SourceFailure;
    expect(f).toMatchObject({ kind: 'unavailable', reason: 'HTTP_401' });
  });

  it.each([
    [{ request: { 'http-429': 1 } }, 'unavailable', 'HTTP_429'],
    [{ request: { 'http-500': 1 } }, 'unavailable', 'HTTP_500'],
    [{ request: { hang: 1 }, hangMs: 1_000 }, 'unavailable', 'TIMEOUT'],
    [{ byAsset: { BTC: { missing: 1 } } }, 'bad-response', 'PRICE_ID_NOT_FOUND'],
  ])('turns %j into a %s failure (%s)', async (chaos, kind, reason) => {
    server.setChaos({ seed: 1, ...chaos });
    const f = (await source().read(['BTC'], clock.now())).get('BTC') as SourceFailure;
    expect(f).toMatchObject({ ok: false, kind, reason });
    expect(f.message).not.toContain(KEY);
  });

  it('fails every asset when Hermes is unreachable', async () => {
    const gone = new PythHermesPriceSource({
      baseUrl: 'http://127.0.0.1:9',
      feeds: { BTC: BTC_ID },
      timeoutMs: 300,
    });
    expect((await gone.read(['BTC'], clock.now())).get('BTC')).toMatchObject({
      kind: 'unavailable',
      reason: 'NETWORK_ERROR',
    });
  });

  it('serves garbage under chaos that the validation rules catch', async () => {
    const rules = rulesFor(assetConfig('BTC'), 'pyth', feedConfig([])) as ReadingRules;
    server.setChaos({
      seed: 11,
      answer: {
        stale: 1 / 6,
        'zero-answer': 1 / 6,
        'negative-answer': 1 / 6,
        'wide-confidence': 1 / 6,
        'future-timestamp': 1 / 6,
        'zero-timestamp': 1 / 6,
      },
    });
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const r = (await source().read(['BTC'], clock.now())).get('BTC') as RawReading;
      seen.add(checkReading(r, rules, clock.now())?.reason ?? 'OK');
    }
    expect(seen).toEqual(
      new Set(['STALE', 'NON_POSITIVE_PRICE', 'CONFIDENCE_TOO_WIDE', 'FUTURE_TIMESTAMP', 'ZERO_TIMESTAMP']),
    );
    expect(server.injected.get('wide-confidence')).toBeGreaterThan(0);
  });
});

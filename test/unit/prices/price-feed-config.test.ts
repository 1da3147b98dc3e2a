/**
 * The price-feed configuration is data (shared/domain/prices/data/price-feeds.json) validated by a schema
 * (schemas/inputs/price-feeds.json) and parsePriceFeedConfig's cross-field checks; readPriceSourcesConfig takes
 * it from PRICE_FEEDS_PATH, PRICE_FEEDS_JSON or the bundled file and names every problem at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bundledDocument from '../../../shared/domain/prices/data/price-feeds.json';
import { configProblems, PriceFeedConfigError } from '../../../shared/domain/prices/config';
import { DEFAULT_PRICE_FEED_CONFIG } from '../../../shared/domain/prices/feeds';
import {
  parsePriceFeedConfig,
  type PriceFeedConfigDocument,
} from '../../../shared/domain/prices/parse-config';
import { ConfigError } from '../../../shared/platform/config/runtime';
import { readPriceSourcesConfig } from '../../../shared/platform/config/prices';

const clone = (): PriceFeedConfigDocument => JSON.parse(JSON.stringify(bundledDocument));

/** A new asset, made up but valid: adding it takes a document change only. */
const ARB = {
  asset: 'ARB',
  chainlink: {
    proxy: '0xa2b1c3d4e5f60718293a4b5c6d7e8f9012345678',
    decimals: 8,
    heartbeatSeconds: 86400,
    deviationThreshold: 0.005,
  },
  pyth: {
    id: '0x3FA4252848F9F0A1480BE62745A4629D9EB1322AEBAB8A791E344B3B9C1ADCF5',
    maxAgeSeconds: 60,
    maxConfidenceRatio: 0.01,
  },
  maxJumpRatio: 0.5,
  maxSourceDeviation: 0.05,
  note: 'Test asset: made-up proxy and Pyth id.',
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof PriceFeedConfigError || err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('accepted a configuration it should refuse');
}

describe('the bundled price-feed document', () => {
  it('is valid, and DEFAULT_PRICE_FEED_CONFIG is exactly what it parses to', () => {
    const parsed = parsePriceFeedConfig(bundledDocument);
    expect(parsed).toEqual(DEFAULT_PRICE_FEED_CONFIG);
    expect(configProblems(parsed)).toEqual([]);
  });

  it('keeps the seven assets, their sources and their provenance notes', () => {
    expect(DEFAULT_PRICE_FEED_CONFIG.assets.map((a) => a.asset)).toEqual([
      'BTC',
      'ETH',
      'USDC',
      'SOL',
      'LINK',
      'USDT',
      'WBTC',
    ]);
    const wbtc = DEFAULT_PRICE_FEED_CONFIG.assets.find((a) => a.asset === 'WBTC');
    expect(wbtc?.chainlink).toBeUndefined();
    expect(wbtc?.note).toMatch(/Pyth only/);
    expect(DEFAULT_PRICE_FEED_CONFIG.assets.every((a) => a.note)).toBe(true);
    expect(DEFAULT_PRICE_FEED_CONFIG.circuitBreaker).toEqual({
      failureThreshold: 3,
      coolDownMs: 60_000,
      maxCoolDownMs: 900_000,
    });
  });
});

describe('parsePriceFeedConfig', () => {
  it('accepts a new asset and normalises its Pyth id to 0x + lowercase', () => {
    const doc = clone();
    doc.assets.push({ ...ARB, pyth: { ...ARB.pyth, id: ARB.pyth.id.slice(2) } });
    const c = parsePriceFeedConfig(doc);
    const arb = c.assets.find((a) => a.asset === 'ARB');
    expect(arb?.pyth?.id).toBe(ARB.pyth.id.toLowerCase());
    expect(arb?.chainlink?.proxy).toBe(ARB.chainlink.proxy);
  });

  it('refuses what the schema refuses, naming the path', () => {
    const doc = clone();
    doc.assets[0].chainlink!.proxy = '0x1234';
    doc.assets[1].maxJumpRatio = 0;
    expect(problemsOf(() => parsePriceFeedConfig(doc))).toEqual([
      '/assets/0/chainlink/proxy must match pattern "^0x[0-9a-fA-F]{40}$"',
      '/assets/1/maxJumpRatio must be > 0',
    ]);
    expect(problemsOf(() => parsePriceFeedConfig('BTC'))).toEqual(['(root) must be object']);
  });

  it('refuses duplicate assets, proxies and Pyth ids (whatever their case or 0x) all at once', () => {
    const doc = clone();
    const btc = doc.assets[0];
    doc.assets.push({
      ...ARB,
      chainlink: { ...ARB.chainlink, proxy: btc.chainlink!.proxy.toLowerCase() },
      pyth: { ...ARB.pyth, id: btc.pyth!.id.slice(2).toUpperCase() },
    });
    doc.assets.push({ ...doc.assets[1] });
    doc.circuitBreaker.maxCoolDownMs = 30_000;
    const problems = problemsOf(() => parsePriceFeedConfig(doc));
    expect(problems).toEqual([
      'asset ETH is listed more than once (/assets/1, /assets/8)',
      'Chainlink proxy 0xf4030086522a5beea4988f8ca5b36dbc97bee88c is configured for several assets: BTC (/assets/0), ARB (/assets/7)',
      'Chainlink proxy 0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419 is configured for several assets: ETH (/assets/1), ETH (/assets/8)',
      'Pyth id 0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43 is configured for several assets: BTC (/assets/0), ARB (/assets/7)',
      'Pyth id 0xff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace is configured for several assets: ETH (/assets/1), ETH (/assets/8)',
      '/circuitBreaker/maxCoolDownMs (30000) must be at least coolDownMs (60000)',
    ]);
    expect(() => parsePriceFeedConfig(doc)).toThrow(/price feed configuration is invalid: asset ETH/);
  });
});

describe('readPriceSourcesConfig: PRICE_FEEDS_PATH / PRICE_FEEDS_JSON', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'price-feeds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const withArb = () => {
    const doc = clone();
    doc.assets.push(structuredClone(ARB));
    return doc;
  };

  it('uses the bundled document by default', () => {
    const c = readPriceSourcesConfig({});
    expect(c.feeds).toEqual(DEFAULT_PRICE_FEED_CONFIG);
    expect(c.feedsSource).toBe('bundled default');
  });

  it('takes a document with a new asset inline, and PRICE_ASSETS narrows to its assets', () => {
    const json = JSON.stringify(withArb());
    const all = readPriceSourcesConfig({ PRICE_FEEDS_JSON: json });
    expect(all.feedsSource).toBe('PRICE_FEEDS_JSON');
    expect(all.feeds.assets.map((a) => a.asset)).toContain('ARB');
    const some = readPriceSourcesConfig({ PRICE_FEEDS_JSON: json, PRICE_ASSETS: 'ARB, BTC' });
    expect(some.feeds.assets.map((a) => a.asset)).toEqual(['BTC', 'ARB']);
    expect(some.feeds.circuitBreaker).toEqual(DEFAULT_PRICE_FEED_CONFIG.circuitBreaker);
    // The bundled document does not know ARB.
    expect(problemsOf(() => readPriceSourcesConfig({ PRICE_ASSETS: 'ARB' }))).toEqual([
      expect.stringMatching(/^PRICE_ASSETS names assets with no configured feed: ARB \(known: BTC, /),
    ]);
  });

  it('takes a document from a file', () => {
    const file = join(dir, 'feeds.json');
    writeFileSync(file, JSON.stringify(withArb()));
    const c = readPriceSourcesConfig({ PRICE_FEEDS_PATH: file, PRICE_ASSETS: 'ARB' });
    expect(c.feedsSource).toBe(`file ${file}`);
    expect(c.feeds.assets).toEqual([{ ...ARB, pyth: { ...ARB.pyth, id: ARB.pyth.id.toLowerCase() } }]);
  });

  it('refuses both variables at once, a missing file and text that is not JSON', () => {
    expect(
      problemsOf(() => readPriceSourcesConfig({ PRICE_FEEDS_PATH: '/x.json', PRICE_FEEDS_JSON: '{}' })),
    ).toEqual(['set only one of PRICE_FEEDS_PATH and PRICE_FEEDS_JSON']);
    const missing = join(dir, 'nope.json');
    expect(problemsOf(() => readPriceSourcesConfig({ PRICE_FEEDS_PATH: missing }))).toEqual([
      `PRICE_FEEDS_PATH: cannot read ${missing} (ENOENT)`,
    ]);
    expect(problemsOf(() => readPriceSourcesConfig({ PRICE_FEEDS_JSON: '{"assets": [' }))).toEqual([
      expect.stringMatching(/^PRICE_FEEDS_JSON is not valid JSON/),
    ]);
  });

  it('names every problem of an invalid document, with the other settings’ problems, at once', () => {
    const doc = withArb();
    doc.assets[7].chainlink!.proxy = '0xnot-an-address';
    doc.assets[0].maxJumpRatio = 0;
    doc.assets.push({ ...doc.assets[2] });
    const bad = problemsOf(() =>
      readPriceSourcesConfig({ PRICE_FEEDS_JSON: JSON.stringify(doc), PYTH_HERMES_URL: 'hermes' }),
    );
    expect(bad).toEqual([
      "PYTH_HERMES_URL must be an http(s) URL (got 'hermes')",
      'price feeds (PRICE_FEEDS_JSON): /assets/0/maxJumpRatio must be > 0',
      'price feeds (PRICE_FEEDS_JSON): /assets/7/chainlink/proxy must match pattern "^0x[0-9a-fA-F]{40}$"',
    ]);
    // Schema-valid, so the cross-field checks run: the duplicate asset is named.
    doc.assets[7].chainlink!.proxy = ARB.chainlink.proxy;
    doc.assets[0].maxJumpRatio = 0.5;
    expect(problemsOf(() => readPriceSourcesConfig({ PRICE_FEEDS_JSON: JSON.stringify(doc) }))).toEqual(
      expect.arrayContaining([
        'price feeds (PRICE_FEEDS_JSON): asset USDC is listed more than once (/assets/2, /assets/8)',
      ]),
    );
    expect(() => readPriceSourcesConfig({ PRICE_FEEDS_JSON: JSON.stringify(doc) })).toThrow(ConfigError);
  });
});

/**
 * The guard every price-feed configuration passes before the pipeline uses it (configProblems /
 * assertPriceFeedConfig). An SRE deploying a bad document must read every mistake at once, by name; a valid
 * document at the edge of a bound must not be refused.
 */
import {
  assertPriceFeedConfig,
  configProblems,
  normalisePythId,
  PriceFeedConfigError,
  type AssetFeedConfig,
  type PriceFeedConfig,
} from '../../../shared/domain/prices/config';
import { assetConfig, feedConfig } from './support';

const PYTH = 'ff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace';
const PROXY = '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419';

const problemsWith = (asset: Partial<AssetFeedConfig>, config: Partial<PriceFeedConfig> = {}) =>
  configProblems(feedConfig([assetConfig('ETH', asset)], config));
const chainlink = (over: object) => ({ chainlink: { ...assetConfig('ETH').chainlink!, ...over } });
const pyth = (over: object) => ({ pyth: { ...assetConfig('ETH').pyth!, ...over } });

describe('asset names', () => {
  it.each(['AB', 'ETH', 'A1', 'ABCDEFGHIJ', 'USDC'])('accepts %p', (asset) => {
    expect(configProblems(feedConfig([assetConfig(asset)]))).toEqual([]);
  });

  it.each(['A', 'ABCDEFGHIJK', 'eth', 'Eth', '1INCH', 'ETH-', ' ETH', 'ETH ', 'E.TH'])(
    'refuses %p',
    (asset) => {
      expect(configProblems(feedConfig([assetConfig(asset)]))).toEqual([
        `assets.${asset}: asset must match /^[A-Z][A-Z0-9]{1,9}$/`,
      ]);
    },
  );

  it('refuses an empty list and an asset listed twice', () => {
    expect(configProblems(feedConfig([]))).toEqual(['assets must not be empty']);
    expect(configProblems(feedConfig([assetConfig('ETH'), assetConfig('BTC'), assetConfig('ETH')]))).toEqual([
      'assets.ETH: listed twice',
    ]);
  });

  it('refuses an asset with no source at all', () => {
    expect(problemsWith({ chainlink: undefined, pyth: undefined })).toEqual([
      'assets.ETH: needs a chainlink feed or a pyth id',
    ]);
    expect(problemsWith({ chainlink: undefined })).toEqual([]);
    expect(problemsWith({ pyth: undefined })).toEqual([]);
  });
});

describe('Chainlink feeds', () => {
  it('need a 20-byte proxy address', () => {
    for (const proxy of [PROXY.slice(0, 41), `${PROXY}0`, PROXY.slice(2), `0x${'g'.repeat(40)}`, ` ${PROXY}`])
      expect(problemsWith(chainlink({ proxy }))).toEqual(['assets.ETH.chainlink.proxy is not an address']);
    expect(problemsWith(chainlink({ proxy: PROXY.toLowerCase() }))).toEqual([]);
  });

  it('need integer decimals from 0 to 36', () => {
    for (const decimals of [0, 18, 36]) expect(problemsWith(chainlink({ decimals }))).toEqual([]);
    for (const decimals of [-1, 37, 8.5, Number.NaN])
      expect(problemsWith(chainlink({ decimals }))).toEqual([
        'assets.ETH.chainlink.decimals must be an integer in 0..36',
      ]);
  });

  it('need a positive, finite heartbeat', () => {
    expect(problemsWith(chainlink({ heartbeatSeconds: 0.5 }))).toEqual([]);
    for (const heartbeatSeconds of [0, -3600, Number.NaN, Number.POSITIVE_INFINITY])
      expect(problemsWith(chainlink({ heartbeatSeconds }))).toEqual([
        'assets.ETH.chainlink.heartbeatSeconds must be a positive number',
      ]);
  });
});

describe('Pyth feeds', () => {
  it('need a 32-byte hex id, with or without 0x, any case', () => {
    for (const id of [PYTH, `0x${PYTH}`, PYTH.toUpperCase()]) expect(problemsWith(pyth({ id }))).toEqual([]);
    for (const id of [PYTH.slice(1), `${PYTH}0`, `0x${PYTH.slice(1)}z`, `x${PYTH}`, ` ${PYTH}`])
      expect(problemsWith(pyth({ id }))).toEqual(['assets.ETH.pyth.id is not a 32-byte hex id']);
  });

  it('need a positive max age and confidence bound', () => {
    expect(problemsWith(pyth({ maxAgeSeconds: 0, maxConfidenceRatio: -0.01 }))).toEqual([
      'assets.ETH.pyth.maxAgeSeconds must be a positive number',
      'assets.ETH.pyth.maxConfidenceRatio must be a positive number',
    ]);
  });

  it('compare ids as lowercase hex without 0x, as Hermes answers', () => {
    expect(normalisePythId(`0x${PYTH.toUpperCase()}`)).toBe(PYTH);
    expect(normalisePythId(`0X${PYTH}`)).toBe(PYTH);
    expect(normalisePythId(PYTH)).toBe(PYTH);
  });
});

describe('aggregation bounds', () => {
  it('need a jump bound in (0, 1): it is relative to the larger price', () => {
    expect(problemsWith({ maxJumpRatio: 0.999 })).toEqual([]);
    expect(problemsWith({ maxJumpRatio: 1 })).toEqual([
      'assets.ETH.maxJumpRatio must be below 1 (it is relative to the larger)',
    ]);
    expect(problemsWith({ maxJumpRatio: 0 })).toEqual(['assets.ETH.maxJumpRatio must be a positive number']);
  });

  it('need a positive source deviation (it may exceed 1: it is relative to the smaller)', () => {
    expect(problemsWith({ maxSourceDeviation: 2 })).toEqual([]);
    expect(problemsWith({ maxSourceDeviation: 0 })).toEqual([
      'assets.ETH.maxSourceDeviation must be a positive number',
    ]);
  });
});

describe('pipeline settings', () => {
  it('accept zero margin and zero skew, refuse negative or missing ones', () => {
    expect(problemsWith({}, { chainlinkStalenessMarginSeconds: 0, maxFutureSkewSeconds: 0 })).toEqual([]);
    expect(
      problemsWith({}, { chainlinkStalenessMarginSeconds: -1, maxFutureSkewSeconds: Number.NaN }),
    ).toEqual(['chainlinkStalenessMarginSeconds must be ≥ 0', 'maxFutureSkewSeconds must be ≥ 0']);
  });

  it('need a positive continuity window and source timeout', () => {
    expect(problemsWith({}, { continuityWindowSeconds: 0, sourceTimeoutMs: -5 })).toEqual([
      'continuityWindowSeconds must be a positive number',
      'sourceTimeoutMs must be a positive number',
    ]);
  });

  it('keep at least two daily closes (one return), as a whole number', () => {
    expect(problemsWith({}, { dailyCloseLimit: 2 })).toEqual([]);
    for (const dailyCloseLimit of [1, 2.5])
      expect(problemsWith({}, { dailyCloseLimit })).toEqual(['dailyCloseLimit must be an integer ≥ 2']);
  });

  it('need a circuit breaker that opens after a whole number of failures and never shortens its cool-down', () => {
    const cb = (over: object) => ({
      circuitBreaker: { failureThreshold: 3, coolDownMs: 60_000, maxCoolDownMs: 60_000, ...over },
    });
    expect(problemsWith({}, cb({ failureThreshold: 1 }))).toEqual([]);
    for (const failureThreshold of [0, 1.5])
      expect(problemsWith({}, cb({ failureThreshold }))).toEqual([
        'circuitBreaker.failureThreshold must be an integer ≥ 1',
      ]);
    expect(problemsWith({}, cb({ maxCoolDownMs: 59_999 }))).toEqual([
      'circuitBreaker.maxCoolDownMs must be ≥ coolDownMs',
    ]);
    expect(problemsWith({}, cb({ coolDownMs: 0, maxCoolDownMs: 0 }))).toEqual([
      'circuitBreaker.coolDownMs must be a positive number',
    ]);
  });
});

describe('assertPriceFeedConfig', () => {
  it('hands back a valid configuration untouched', () => {
    const config = feedConfig([assetConfig('ETH')]);
    expect(assertPriceFeedConfig(config)).toBe(config);
  });

  it('names every problem in one error', () => {
    const bad = feedConfig([assetConfig('eth', { maxJumpRatio: 2 })], { sourceTimeoutMs: 0 });
    let caught: unknown;
    try {
      assertPriceFeedConfig(bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PriceFeedConfigError);
    const err = caught as PriceFeedConfigError;
    expect(err.name).toBe('PriceFeedConfigError');
    expect(err.problems).toEqual([
      'assets.eth: asset must match /^[A-Z][A-Z0-9]{1,9}$/',
      'assets.eth.maxJumpRatio must be below 1 (it is relative to the larger)',
      'sourceTimeoutMs must be a positive number',
    ]);
    expect(err.message).toBe(
      'price feed configuration is invalid: assets.eth: asset must match /^[A-Z][A-Z0-9]{1,9}$/; ' +
        'assets.eth.maxJumpRatio must be below 1 (it is relative to the larger); sourceTimeoutMs must be a positive number',
    );
  });
});

import {
  checkAgreement,
  checkJump,
  checkReading,
  failureRejection,
  relativeDifference,
  relativeJump,
  rulesFor,
  verdictOf,
  type ReadingRules,
} from '../../../shared/domain/prices/validation';
import { assetConfig, failure, feedConfig, reading } from './support';

const now = new Date('2024-08-05T12:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
const chainlinkRules: ReadingRules = { maxAgeSeconds: 3900, maxFutureSkewSeconds: 60, expectedDecimals: 8 };
const pythRules: ReadingRules = { maxAgeSeconds: 60, maxFutureSkewSeconds: 60, maxConfidenceRatio: 0.01 };

describe('per-reading rules', () => {
  it('accepts a fresh, positive, well-formed reading', () => {
    expect(
      checkReading(
        reading('chainlink', 'ETH', 2500, secondsAgo(120), { decimals: 8, roundId: '7' }),
        chainlinkRules,
        now,
      ),
    ).toBeUndefined();
    expect(
      checkReading(reading('pyth', 'ETH', 2500, secondsAgo(2), { confidence: 1.2 }), pythRules, now),
    ).toBeUndefined();
  });

  it.each([
    [0, 'NON_POSITIVE_PRICE'],
    [-2500, 'NON_POSITIVE_PRICE'],
    [Number.NaN, 'INVALID_PRICE'],
    [Number.POSITIVE_INFINITY, 'INVALID_PRICE'],
  ])('rejects price %p as %s', (price, reason) => {
    const r = checkReading(reading('chainlink', 'ETH', price, secondsAgo(1)), chainlinkRules, now);
    expect(r?.reason).toBe(reason);
    expect(r?.message).toMatch(/chainlink ETH/);
  });

  it('rejects Chainlink round id 0 (never answered)', () => {
    const r = checkReading(
      reading('chainlink', 'ETH', 2500, secondsAgo(1), { roundId: '0' }),
      chainlinkRules,
      now,
    );
    expect(r?.reason).toBe('INVALID_ROUND');
  });

  it('rejects a zero timestamp', () => {
    const r = checkReading(reading('pyth', 'ETH', 2500, new Date(0)), pythRules, now);
    expect(r?.reason).toBe('ZERO_TIMESTAMP');
  });

  it('tolerates clock skew up to the bound, rejects timestamps beyond it', () => {
    expect(checkReading(reading('pyth', 'ETH', 2500, secondsAgo(-59)), pythRules, now)).toBeUndefined();
    const r = checkReading(reading('pyth', 'ETH', 2500, secondsAgo(-61)), pythRules, now);
    expect(r?.reason).toBe('FUTURE_TIMESTAMP');
    expect(r?.message).toMatch(/61 s in the future/);
  });

  it('uses the per-feed staleness limit: heartbeat + margin', () => {
    const rules = rulesFor(
      assetConfig('USDC', {
        chainlink: {
          proxy: '0x8fFfFfd4AfB6115b954Bd326cbe7B4BA576818f6',
          decimals: 8,
          heartbeatSeconds: 86400,
        },
      }),
      'chainlink',
      feedConfig([]),
    ) as ReadingRules;
    expect(rules.maxAgeSeconds).toBe(86400 + 300);
    // 20 h old is fine for a daily-heartbeat stablecoin feed, though it would be stale for ETH/USD.
    expect(checkReading(reading('chainlink', 'USDC', 1, secondsAgo(72_000)), rules, now)).toBeUndefined();
    expect(
      checkReading(reading('chainlink', 'ETH', 2500, secondsAgo(72_000)), chainlinkRules, now)?.reason,
    ).toBe('STALE');
    expect(checkReading(reading('chainlink', 'USDC', 1, secondsAgo(86_701)), rules, now)?.reason).toBe(
      'STALE',
    );
  });

  it('lets a feed override the staleness margin', () => {
    const cfg = assetConfig('ETH', {
      chainlink: {
        proxy: '0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419',
        decimals: 8,
        heartbeatSeconds: 3600,
        stalenessMarginSeconds: 60,
      },
    });
    expect(rulesFor(cfg, 'chainlink', feedConfig([]))?.maxAgeSeconds).toBe(3660);
    expect(rulesFor(cfg, 'pyth', feedConfig([]))?.maxAgeSeconds).toBe(60);
    expect(
      rulesFor(assetConfig('WBTC', { chainlink: undefined }), 'chainlink', feedConfig([])),
    ).toBeUndefined();
  });

  it('rejects a Pyth answer older than its max age', () => {
    expect(checkReading(reading('pyth', 'ETH', 2500, secondsAgo(61)), pythRules, now)?.reason).toBe('STALE');
  });

  it('rejects unexpected Chainlink decimals', () => {
    const r = checkReading(
      reading('chainlink', 'ETH', 2500, secondsAgo(1), { decimals: 18 }),
      chainlinkRules,
      now,
    );
    expect(r?.reason).toBe('UNEXPECTED_DECIMALS');
  });

  it('rejects a Pyth confidence interval wider than the bound relative to price', () => {
    expect(
      checkReading(reading('pyth', 'BTC', 60000, secondsAgo(1), { confidence: 600 }), pythRules, now),
    ).toBeUndefined();
    const r = checkReading(reading('pyth', 'BTC', 60000, secondsAgo(1), { confidence: 601 }), pythRules, now);
    expect(r?.reason).toBe('CONFIDENCE_TOO_WIDE');
    expect(r?.message).toMatch(/limit 1%/);
  });
});

describe('relative rules (Liquity measures)', () => {
  it('measures a jump against the larger price: halving or doubling is exactly 50 %', () => {
    expect(relativeJump(200, 100)).toBe(0.5);
    expect(relativeJump(50, 100)).toBe(0.5);
    const last = 100;
    expect(checkJump(reading('chainlink', 'ETH', 200, now), last, 0.5)).toBeUndefined();
    expect(checkJump(reading('chainlink', 'ETH', 50, now), last, 0.5)).toBeUndefined();
    expect(checkJump(reading('chainlink', 'ETH', 201, now), last, 0.5)?.reason).toBe('PRICE_JUMP');
    expect(checkJump(reading('chainlink', 'ETH', 49.9, now), last, 0.5)?.reason).toBe('PRICE_JUMP');
  });

  it('has nothing to compare a jump with before the first good price', () => {
    expect(checkJump(reading('chainlink', 'ETH', 1e9, now), undefined, 0.5)).toBeUndefined();
  });

  it('measures disagreement against the smaller price, the stricter reading', () => {
    expect(relativeDifference(105, 100)).toBeCloseTo(0.05, 12);
    expect(relativeDifference(100, 105)).toBeCloseTo(0.05, 12);
    const cl = reading('chainlink', 'ETH', 100, now);
    expect(checkAgreement(cl, reading('pyth', 'ETH', 104.9, now), 0.05)).toBeUndefined();
    // 95.2 is within 5 % of 100 measured against the larger price, but not against the smaller one.
    expect(relativeJump(95.2, 100)).toBeLessThan(0.05);
    const r = checkAgreement(cl, reading('pyth', 'ETH', 95.2, now), 0.05);
    expect(r?.reason).toBe('SOURCES_DISAGREE');
    expect(r?.message).toMatch(/chainlink 100 and pyth 95.2/);
  });
});

describe('source failures and verdicts', () => {
  it('maps adapter failures to rejections that keep the adapter reason', () => {
    expect(failureRejection(failure('pyth', 'ETH', 'unavailable', 'HTTP_429'))).toMatchObject({
      reason: 'SOURCE_UNAVAILABLE',
      detail: 'HTTP_429',
    });
    expect(failureRejection(failure('chainlink', 'ETH', 'bad-response', 'EXECUTION_REVERTED')).reason).toBe(
      'SOURCE_BAD_RESPONSE',
    );
    expect(failureRejection(failure('chainlink', 'ETH', 'circuit-open', 'CIRCUIT_OPEN')).reason).toBe(
      'CIRCUIT_OPEN',
    );
    expect(failureRejection(failure('chainlink', 'ETH', 'not-configured', 'NO_FEED')).reason).toBe(
      'NOT_CONFIGURED',
    );
  });

  it('separates what says nothing about the data (transport) from bad data, staleness and jumps', () => {
    const v = verdictOf;
    expect(v(undefined)).toBe('OK');
    const base = { source: 'chainlink' as const, asset: 'ETH', message: '' };
    expect(v({ ...base, reason: 'SOURCE_UNAVAILABLE' })).toBe('UNAVAILABLE');
    expect(v({ ...base, reason: 'CIRCUIT_OPEN' })).toBe('UNAVAILABLE');
    expect(v({ ...base, reason: 'STALE' })).toBe('FROZEN');
    expect(v({ ...base, reason: 'PRICE_JUMP' })).toBe('JUMPED');
    for (const reason of [
      'SOURCE_BAD_RESPONSE',
      'NON_POSITIVE_PRICE',
      'ZERO_TIMESTAMP',
      'FUTURE_TIMESTAMP',
      'CONFIDENCE_TOO_WIDE',
      'UNEXPECTED_DECIMALS',
    ] as const) {
      expect(v({ ...base, reason })).toBe('BROKEN');
    }
  });
});

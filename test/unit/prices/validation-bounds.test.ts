/**
 * The per-reading rules at their exact bounds, and the messages a risk manager reads in the rejection log.
 * A stale price, a price from the future, a wide Pyth interval or a proxy that changed decimals must never
 * reach the published price; one exactly at its bound must not be thrown away either.
 */
import {
  checkAgreement,
  checkJump,
  checkReading,
  failureRejection,
  fmt,
  rulesFor,
  verdictOf,
  type ReadingRules,
} from '../../../shared/domain/prices/validation';
import { assetConfig, failure, feedConfig, reading } from './support';

const now = new Date('2024-08-05T12:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);
const chainlinkRules: ReadingRules = { maxAgeSeconds: 3900, maxFutureSkewSeconds: 60, expectedDecimals: 8 };
const pythRules: ReadingRules = { maxAgeSeconds: 60, maxFutureSkewSeconds: 30, maxConfidenceRatio: 0.01 };

describe('rules per feed', () => {
  it('takes Chainlink staleness from heartbeat + global margin, and its expected decimals', () => {
    const config = feedConfig([], { chainlinkStalenessMarginSeconds: 120, maxFutureSkewSeconds: 15 });
    expect(rulesFor(assetConfig('ETH'), 'chainlink', config)).toEqual({
      maxAgeSeconds: 3720,
      maxFutureSkewSeconds: 15,
      expectedDecimals: 8,
    });
  });

  it("takes Pyth's max age and confidence bound as configured, without a decimals check", () => {
    const config = feedConfig([], { maxFutureSkewSeconds: 15 });
    expect(rulesFor(assetConfig('ETH'), 'pyth', config)).toEqual({
      maxAgeSeconds: 60,
      maxFutureSkewSeconds: 15,
      maxConfidenceRatio: 0.01,
    });
    expect(rulesFor(assetConfig('LINK', { pyth: undefined }), 'pyth', config)).toBeUndefined();
  });
});

describe('per-reading rules at their bounds', () => {
  it('accepts an answer exactly as old as the limit, and rejects it one second later with its age', () => {
    expect(checkReading(reading('pyth', 'ETH', 2500, secondsAgo(60)), pythRules, now)).toBeUndefined();
    expect(checkReading(reading('pyth', 'ETH', 2500, secondsAgo(61)), pythRules, now)).toEqual({
      source: 'pyth',
      asset: 'ETH',
      reason: 'STALE',
      message: 'pyth ETH: answer is 61 s old (limit 60 s)',
    });
  });

  it('accepts a timestamp exactly at the allowed skew, and rejects one a second beyond it', () => {
    expect(checkReading(reading('pyth', 'ETH', 2500, secondsAgo(-30)), pythRules, now)).toBeUndefined();
    expect(checkReading(reading('pyth', 'ETH', 2500, secondsAgo(-31)), pythRules, now)).toEqual({
      source: 'pyth',
      asset: 'ETH',
      reason: 'FUTURE_TIMESTAMP',
      message: 'pyth ETH: timestamp is 31 s in the future (allowed skew 30 s)',
    });
  });

  it('treats an epoch-zero, pre-epoch or unreadable timestamp as a feed never written', () => {
    for (const t of [new Date(0), new Date(-1000), new Date(Number.NaN)]) {
      expect(checkReading(reading('chainlink', 'ETH', 2500, t), chainlinkRules, now)).toEqual({
        source: 'chainlink',
        asset: 'ETH',
        reason: 'ZERO_TIMESTAMP',
        message: 'chainlink ETH: timestamp is zero: the feed has no answer yet',
      });
    }
    expect(checkReading(reading('chainlink', 'ETH', 2500, new Date(1)), chainlinkRules, now)?.reason).toBe(
      'STALE',
    );
  });

  it('names the price in non-positive and non-finite rejections', () => {
    expect(checkReading(reading('pyth', 'SOL', -0.5, now), pythRules, now)?.message).toBe(
      'pyth SOL: price -0.5 is not positive',
    );
    expect(checkReading(reading('pyth', 'SOL', Number.NaN, now), pythRules, now)?.message).toBe(
      'pyth SOL: price NaN is not a finite number',
    );
    expect(checkReading(reading('pyth', 'SOL', Number.MIN_VALUE, now), pythRules, now)).toBeUndefined();
  });

  it('rejects only round id 0; any other round, or none (Pyth), passes', () => {
    expect(
      checkReading(reading('chainlink', 'ETH', 2500, now, { roundId: '0' }), chainlinkRules, now),
    ).toMatchObject({
      reason: 'INVALID_ROUND',
      message: 'chainlink ETH: round id 0 means no round was ever answered',
    });
    expect(
      checkReading(reading('chainlink', 'ETH', 2500, now, { roundId: '1' }), chainlinkRules, now),
    ).toBeUndefined();
    expect(checkReading(reading('chainlink', 'ETH', 2500, now), chainlinkRules, now)).toBeUndefined();
  });

  it('rejects decimals other than configured, saying both; a reading without decimals is not judged', () => {
    expect(
      checkReading(reading('chainlink', 'ETH', 2500, now, { decimals: 18 }), chainlinkRules, now)?.message,
    ).toBe('chainlink ETH: decimals() is 18, configured 8: the proxy may point elsewhere');
    expect(
      checkReading(reading('chainlink', 'ETH', 2500, now, { decimals: 8 }), chainlinkRules, now),
    ).toBeUndefined();
    expect(checkReading(reading('chainlink', 'ETH', 2500, now), chainlinkRules, now)).toBeUndefined();
    // A Pyth rule set has no decimals to compare with.
    expect(checkReading(reading('pyth', 'ETH', 2500, now, { decimals: 18 }), pythRules, now)).toBeUndefined();
  });

  it('rejects a confidence interval wider than the bound (or unreadable), with both percentages', () => {
    expect(
      checkReading(reading('pyth', 'BTC', 60000, now, { confidence: 900 }), pythRules, now),
    ).toMatchObject({
      reason: 'CONFIDENCE_TOO_WIDE',
      message: 'pyth BTC: confidence ±900 is 1.5% of the price (limit 1%)',
    });
    expect(
      checkReading(reading('pyth', 'BTC', 60000, now, { confidence: Number.NaN }), pythRules, now)?.reason,
    ).toBe('CONFIDENCE_TOO_WIDE');
    // Without a bound (Chainlink) or without an interval, nothing to check.
    expect(
      checkReading(reading('chainlink', 'BTC', 60000, now, { confidence: 9000 }), chainlinkRules, now),
    ).toBeUndefined();
    expect(checkReading(reading('pyth', 'BTC', 60000, now), pythRules, now)).toBeUndefined();
  });
});

describe('jump and agreement rules', () => {
  it('explains a jump with the new price, the move, the last good price and the limit', () => {
    expect(checkJump(reading('chainlink', 'ETH', 1000, now), 2500, 0.5)).toEqual({
      source: 'chainlink',
      asset: 'ETH',
      reason: 'PRICE_JUMP',
      message: 'chainlink ETH: price 1000 moved 60% from the last good price 2500 (limit 50%)',
    });
  });

  it('accepts a disagreement exactly at the bound and explains one beyond it', () => {
    const cl = reading('chainlink', 'BTC', 100, now);
    expect(checkAgreement(cl, reading('pyth', 'BTC', 125, now), 0.25)).toBeUndefined();
    expect(checkAgreement(reading('pyth', 'BTC', 126, now), cl, 0.25)).toEqual({
      source: 'pyth',
      asset: 'BTC',
      reason: 'SOURCES_DISAGREE',
      message: 'BTC: pyth 126 and chainlink 100 differ by 26% (limit 25%)',
    });
  });

  it('keeps numbers in messages to six significant digits', () => {
    expect(fmt(29206.79499999)).toBe('29206.8');
    expect(fmt(0.000012345678)).toBe('0.0000123457');
    expect(fmt(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(fmt(Number.NaN)).toBe('NaN');
  });
});

describe('source failures', () => {
  it("prefix the adapter's message with the source and keep its reason as detail", () => {
    expect(failureRejection(failure('pyth', 'ETH', 'unavailable', 'HTTP_429'))).toEqual({
      source: 'pyth',
      asset: 'ETH',
      reason: 'SOURCE_UNAVAILABLE',
      message: 'pyth: injected HTTP_429',
      detail: 'HTTP_429',
    });
  });

  it('count an unconfigured source as unavailable and every other data fault as broken', () => {
    const base = { source: 'pyth' as const, asset: 'ETH', message: '' };
    expect(verdictOf({ ...base, reason: 'NOT_CONFIGURED' })).toBe('UNAVAILABLE');
    for (const reason of ['INVALID_PRICE', 'INVALID_ROUND', 'SOURCES_DISAGREE'] as const)
      expect(verdictOf({ ...base, reason })).toBe('BROKEN');
  });
});

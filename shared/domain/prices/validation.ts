/**
 * Validation rules for oracle readings. Pure: every rule takes the reading, its bounds and `now`, and returns
 * a Rejection (machine reason + human message) or undefined. Rules in the order they are applied:
 *
 *   source failure        the adapter produced no reading (transport, revert, missing id, circuit open)
 *   INVALID_PRICE         not a finite number (overflowing exponent, NaN)
 *   NON_POSITIVE_PRICE    answer ≤ 0 (Chainlink int256 can be negative; Pyth i64 too)
 *   INVALID_ROUND         Chainlink round id 0 (Liquity's `_badChainlinkResponse`)
 *   ZERO_TIMESTAMP        updatedAt / publish_time of 0: the feed has never been written
 *   FUTURE_TIMESTAMP      more than maxFutureSkewSeconds ahead of our clock
 *   STALE                 older than maxAgeSeconds (Chainlink: that feed's heartbeat + margin; Pyth: its max age)
 *   UNEXPECTED_DECIMALS   Chainlink decimals() differs from the configured value
 *   CONFIDENCE_TOO_WIDE   Pyth conf / price above the feed's bound
 *   PRICE_JUMP            |new − last good| / max(new, last good) above the feed's bound (Liquity's test)
 *   SOURCES_DISAGREE      |a − b| / min(a, b) above the feed's bound (Liquity's agreement test)
 *
 * The last two compare against something else; aggregation decides what a jump or a disagreement means.
 */
import type { AssetFeedConfig, PriceFeedConfig } from './config';
import type { RawReading, SourceFailure, SourceName } from './types';

export type RejectionReason =
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_BAD_RESPONSE'
  | 'CIRCUIT_OPEN'
  | 'NOT_CONFIGURED'
  | 'INVALID_PRICE'
  | 'NON_POSITIVE_PRICE'
  | 'INVALID_ROUND'
  | 'ZERO_TIMESTAMP'
  | 'FUTURE_TIMESTAMP'
  | 'STALE'
  | 'UNEXPECTED_DECIMALS'
  | 'CONFIDENCE_TOO_WIDE'
  | 'PRICE_JUMP'
  | 'SOURCES_DISAGREE';

export interface Rejection {
  source: SourceName;
  asset: string;
  reason: RejectionReason;
  message: string;
  /** The adapter's own reason for a source failure (HTTP_429, EXECUTION_REVERTED, ...). */
  detail?: string;
}

export interface ReadingRules {
  maxAgeSeconds: number;
  maxFutureSkewSeconds: number;
  maxConfidenceRatio?: number;
  expectedDecimals?: number;
}

/** The per-reading bounds of one asset's feed at one source, or undefined when that source has no feed. */
export function rulesFor(
  asset: AssetFeedConfig,
  source: SourceName,
  config: Pick<PriceFeedConfig, 'chainlinkStalenessMarginSeconds' | 'maxFutureSkewSeconds'>,
): ReadingRules | undefined {
  if (source === 'chainlink') {
    const feed = asset.chainlink;
    if (!feed) return undefined;
    return {
      maxAgeSeconds:
        feed.heartbeatSeconds + (feed.stalenessMarginSeconds ?? config.chainlinkStalenessMarginSeconds),
      maxFutureSkewSeconds: config.maxFutureSkewSeconds,
      expectedDecimals: feed.decimals,
    };
  }
  const feed = asset.pyth;
  if (!feed) return undefined;
  return {
    maxAgeSeconds: feed.maxAgeSeconds,
    maxFutureSkewSeconds: config.maxFutureSkewSeconds,
    maxConfidenceRatio: feed.maxConfidenceRatio,
  };
}

/** Numbers in messages stay short: logs scrub long digit runs as if they were phone numbers. */
export function fmt(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : String(n);
}

function pct(ratio: number): string {
  return `${fmt(ratio * 100)}%`;
}

/** |a − b| / max(a, b): Liquity's jump measure, so "more than halved or doubled" reads 50 %. */
export function relativeJump(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(a, b);
}

/** |a − b| / min(a, b): Liquity's agreement measure, the stricter of the two. */
export function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.min(a, b);
}

export function failureRejection(f: SourceFailure): Rejection {
  const reason: RejectionReason =
    f.kind === 'circuit-open'
      ? 'CIRCUIT_OPEN'
      : f.kind === 'not-configured'
        ? 'NOT_CONFIGURED'
        : f.kind === 'unavailable'
          ? 'SOURCE_UNAVAILABLE'
          : 'SOURCE_BAD_RESPONSE';
  return { source: f.source, asset: f.asset, reason, message: `${f.source}: ${f.message}`, detail: f.reason };
}

/** The rules that look at one reading alone. */
export function checkReading(reading: RawReading, rules: ReadingRules, now: Date): Rejection | undefined {
  const reject = (reason: RejectionReason, message: string): Rejection => ({
    source: reading.source,
    asset: reading.asset,
    reason,
    message: `${reading.source} ${reading.asset}: ${message}`,
  });
  const { price } = reading;
  if (!Number.isFinite(price))
    return reject('INVALID_PRICE', `price ${String(price)} is not a finite number`);
  if (price <= 0) return reject('NON_POSITIVE_PRICE', `price ${fmt(price)} is not positive`);
  if (reading.roundId === '0') return reject('INVALID_ROUND', 'round id 0 means no round was ever answered');
  const ts = reading.publishTime.getTime();
  if (!Number.isFinite(ts) || ts <= 0)
    return reject('ZERO_TIMESTAMP', 'timestamp is zero: the feed has no answer yet');
  const aheadSeconds = (ts - now.getTime()) / 1000;
  if (aheadSeconds > rules.maxFutureSkewSeconds)
    return reject(
      'FUTURE_TIMESTAMP',
      `timestamp is ${fmt(aheadSeconds)} s in the future (allowed skew ${rules.maxFutureSkewSeconds} s)`,
    );
  const ageSeconds = -aheadSeconds;
  if (ageSeconds > rules.maxAgeSeconds)
    return reject('STALE', `answer is ${fmt(ageSeconds)} s old (limit ${rules.maxAgeSeconds} s)`);
  if (
    rules.expectedDecimals !== undefined &&
    reading.decimals !== undefined &&
    reading.decimals !== rules.expectedDecimals
  )
    return reject(
      'UNEXPECTED_DECIMALS',
      `decimals() is ${reading.decimals}, configured ${rules.expectedDecimals}: the proxy may point elsewhere`,
    );
  if (rules.maxConfidenceRatio !== undefined && reading.confidence !== undefined) {
    const ratio = reading.confidence / price;
    if (!(ratio <= rules.maxConfidenceRatio))
      return reject(
        'CONFIDENCE_TOO_WIDE',
        `confidence ±${fmt(reading.confidence)} is ${pct(ratio)} of the price (limit ${pct(rules.maxConfidenceRatio)})`,
      );
  }
  return undefined;
}

/** A move beyond maxJumpRatio since the last good price needs a second source to confirm it. */
export function checkJump(
  reading: RawReading,
  lastGoodPrice: number | undefined,
  maxJumpRatio: number,
): Rejection | undefined {
  if (lastGoodPrice === undefined) return undefined;
  const jump = relativeJump(reading.price, lastGoodPrice);
  if (jump <= maxJumpRatio) return undefined;
  return {
    source: reading.source,
    asset: reading.asset,
    reason: 'PRICE_JUMP',
    message:
      `${reading.source} ${reading.asset}: price ${fmt(reading.price)} moved ${pct(jump)} from the last good ` +
      `price ${fmt(lastGoodPrice)} (limit ${pct(maxJumpRatio)})`,
  };
}

/** Both readings for the same asset, within maxDeviation of each other. */
export function checkAgreement(a: RawReading, b: RawReading, maxDeviation: number): Rejection | undefined {
  const diff = relativeDifference(a.price, b.price);
  if (diff <= maxDeviation) return undefined;
  return {
    source: a.source,
    asset: a.asset,
    reason: 'SOURCES_DISAGREE',
    message:
      `${a.asset}: ${a.source} ${fmt(a.price)} and ${b.source} ${fmt(b.price)} differ by ${pct(diff)} ` +
      `(limit ${pct(maxDeviation)})`,
  };
}

/**
 * How aggregation sees a source this tick. UNAVAILABLE says nothing about the feed's honesty (transport,
 * circuit open, not configured); BROKEN, FROZEN and JUMPED do, and change how far the source is trusted.
 */
export type SourceVerdict = 'OK' | 'UNAVAILABLE' | 'BROKEN' | 'FROZEN' | 'JUMPED';

export function verdictOf(rejection: Rejection | undefined): SourceVerdict {
  if (!rejection) return 'OK';
  switch (rejection.reason) {
    case 'SOURCE_UNAVAILABLE':
    case 'CIRCUIT_OPEN':
    case 'NOT_CONFIGURED':
      return 'UNAVAILABLE';
    case 'STALE':
      return 'FROZEN';
    case 'PRICE_JUMP':
      return 'JUMPED';
    default:
      return 'BROKEN';
  }
}

/**
 * The price-source port and what it returns. Adapters (Chainlink over JSON-RPC, Pyth over Hermes) implement
 * PriceSource; the domain only sees readings and failures, never transports.
 */
export type SourceName = 'chainlink' | 'pyth';

/** One answer from one source for one asset, converted to a USD number but not yet validated. */
export interface RawReading {
  ok: true;
  source: SourceName;
  asset: string;
  /** USD per unit, from the source's integer and exponent without float rounding on the way. */
  price: number;
  /** When the source says the value was produced: Chainlink `updatedAt`, Pyth `publish_time`. */
  publishTime: Date;
  /** Pyth's confidence interval (one sigma-ish) in USD. */
  confidence?: number;
  /** Chainlink proxy round id as a decimal string: uint80 does not fit a JS number. */
  roundId?: string;
  /** Chainlink `decimals()` as read alongside the round. */
  decimals?: number;
  /** The integer and exponent as received, for audit logs. */
  raw?: { value: string; expo: number };
}

/**
 * Why a source produced nothing for an asset. `unavailable` is the transport's fault (HTTP 5xx/429, timeout,
 * RPC node error) and says nothing about the feed's data; `bad-response` means the feed itself answered with
 * something unusable (revert, malformed or missing entry); `circuit-open` and `not-configured` are ours.
 */
export type FailureKind = 'unavailable' | 'bad-response' | 'circuit-open' | 'not-configured';

export interface SourceFailure {
  ok: false;
  source: SourceName;
  asset: string;
  kind: FailureKind;
  /** Machine-readable, e.g. HTTP_429, TIMEOUT, RPC_ERROR, EXECUTION_REVERTED, PRICE_ID_NOT_FOUND. */
  reason: string;
  /** For humans; never carries secrets (RPC URLs with keys, bearer tokens). */
  message: string;
}

export type SourceResult = RawReading | SourceFailure;

export function sourceFailure(
  source: SourceName,
  asset: string,
  kind: FailureKind,
  reason: string,
  message: string,
): SourceFailure {
  return { ok: false, source, asset, kind, reason, message };
}

/** Every asset gets the same failure: a whole request failed, or the source was skipped. */
export function failAll(
  source: SourceName,
  assets: string[],
  kind: FailureKind,
  reason: string,
  message: string,
): Map<string, SourceResult> {
  return new Map(assets.map((a) => [a, sourceFailure(source, a, kind, reason, message)]));
}

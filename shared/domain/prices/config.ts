/**
 * What the price pipeline needs to know per asset: where each source publishes it, how old an answer may be,
 * and the bounds of the validation rules. Values are configuration, not constants: heartbeats and deviation
 * triggers change per feed and per chain (see the reference doc, §2.4).
 */
import type { CircuitBreakerPolicy } from './circuit-breaker';

export interface ChainlinkFeedConfig {
  /** The feed's proxy address (not the aggregator behind it, which changes at phase upgrades). */
  proxy: `0x${string}`;
  /** Expected `decimals()`; another answer means the proxy now points somewhere unexpected. */
  decimals: number;
  /** The feed's heartbeat: an honest answer is never older than this (plus the margin). */
  heartbeatSeconds: number;
  /** Overrides the global margin added to the heartbeat. */
  stalenessMarginSeconds?: number;
  /** The feed's deviation trigger (fraction); informational, the local server emulates it. */
  deviationThreshold?: number;
}

export interface PythFeedConfig {
  /** 32-byte hex id, `0x` optional, any case: normalised before use. */
  id: string;
  /** Pyth publishes several times a second; anything older than this is stale. */
  maxAgeSeconds: number;
  /** Reject when conf / price exceeds this (Pyth best practice: pause when σ/μ is too wide). */
  maxConfidenceRatio: number;
}

export interface AssetFeedConfig {
  asset: string;
  chainlink?: ChainlinkFeedConfig;
  pyth?: PythFeedConfig;
  /** Largest move vs the last good price a single source may report: |a − b| / max(a, b) (Liquity: 0.5). */
  maxJumpRatio: number;
  /** Largest gap between sources that still counts as agreement: |a − b| / min(a, b) (Liquity: 0.05). */
  maxSourceDeviation: number;
  /** Where the values come from and what is unconfirmed. */
  note?: string;
}

export interface PriceFeedConfig {
  assets: AssetFeedConfig[];
  /** Added to each Chainlink heartbeat: heartbeat rounds land late under congestion. */
  chainlinkStalenessMarginSeconds: number;
  /** A timestamp this far ahead of our clock is still accepted (clock skew); beyond it, rejected. */
  maxFutureSkewSeconds: number;
  /** How recent the last good price must be to vouch for an untrusted source on its own (aggregation §4). */
  continuityWindowSeconds: number;
  circuitBreaker: CircuitBreakerPolicy;
  /** Upper bound on one source's read, on top of the adapter's own timeouts. */
  sourceTimeoutMs: number;
  /** Daily closes kept per asset for VaR (a year of returns needs 366; keep more for backtests). */
  dailyCloseLimit: number;
}

export const ASSET_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const PYTH_ID = /^(0x)?[0-9a-fA-F]{64}$/;

/** Pyth ids compare as lowercase hex without `0x` (Hermes answers without it). */
export function normalisePythId(id: string): string {
  return id.toLowerCase().replace(/^0x/, '');
}

/** Every problem at once, so a bad deployment names all its mistakes in one log line. */
export function configProblems(config: PriceFeedConfig): string[] {
  const problems: string[] = [];
  const positive = (where: string, v: number) => {
    if (!(Number.isFinite(v) && v > 0)) problems.push(`${where} must be a positive number`);
  };
  if (config.assets.length === 0) problems.push('assets must not be empty');
  const seen = new Set<string>();
  for (const a of config.assets) {
    const at = `assets.${a.asset}`;
    if (!ASSET_PATTERN.test(a.asset)) problems.push(`${at}: asset must match ${ASSET_PATTERN}`);
    if (seen.has(a.asset)) problems.push(`${at}: listed twice`);
    seen.add(a.asset);
    if (!a.chainlink && !a.pyth) problems.push(`${at}: needs a chainlink feed or a pyth id`);
    if (a.chainlink) {
      if (!ADDRESS.test(a.chainlink.proxy)) problems.push(`${at}.chainlink.proxy is not an address`);
      if (!Number.isInteger(a.chainlink.decimals) || a.chainlink.decimals < 0 || a.chainlink.decimals > 36)
        problems.push(`${at}.chainlink.decimals must be an integer in 0..36`);
      positive(`${at}.chainlink.heartbeatSeconds`, a.chainlink.heartbeatSeconds);
    }
    if (a.pyth) {
      if (!PYTH_ID.test(a.pyth.id)) problems.push(`${at}.pyth.id is not a 32-byte hex id`);
      positive(`${at}.pyth.maxAgeSeconds`, a.pyth.maxAgeSeconds);
      positive(`${at}.pyth.maxConfidenceRatio`, a.pyth.maxConfidenceRatio);
    }
    positive(`${at}.maxJumpRatio`, a.maxJumpRatio);
    if (a.maxJumpRatio >= 1)
      problems.push(`${at}.maxJumpRatio must be below 1 (it is relative to the larger)`);
    positive(`${at}.maxSourceDeviation`, a.maxSourceDeviation);
  }
  if (!(config.chainlinkStalenessMarginSeconds >= 0))
    problems.push('chainlinkStalenessMarginSeconds must be ≥ 0');
  if (!(config.maxFutureSkewSeconds >= 0)) problems.push('maxFutureSkewSeconds must be ≥ 0');
  positive('continuityWindowSeconds', config.continuityWindowSeconds);
  positive('sourceTimeoutMs', config.sourceTimeoutMs);
  if (!Number.isInteger(config.dailyCloseLimit) || config.dailyCloseLimit < 2)
    problems.push('dailyCloseLimit must be an integer ≥ 2');
  const cb = config.circuitBreaker;
  if (!Number.isInteger(cb.failureThreshold) || cb.failureThreshold < 1)
    problems.push('circuitBreaker.failureThreshold must be an integer ≥ 1');
  positive('circuitBreaker.coolDownMs', cb.coolDownMs);
  if (!(cb.maxCoolDownMs >= cb.coolDownMs))
    problems.push('circuitBreaker.maxCoolDownMs must be ≥ coolDownMs');
  return problems;
}

export class PriceFeedConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`price feed configuration is invalid: ${problems.join('; ')}`);
    this.name = 'PriceFeedConfigError';
  }
}

export function assertPriceFeedConfig(config: PriceFeedConfig): PriceFeedConfig {
  const problems = configProblems(config);
  if (problems.length) throw new PriceFeedConfigError(problems);
  return config;
}

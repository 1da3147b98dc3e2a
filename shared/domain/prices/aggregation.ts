/**
 * PRICE AGGREGATION POLICY (primary/fallback, after Liquity v1's PriceFeed)
 *
 * 1. Chainlink is the primary source, Pyth the fallback. Every reading first passes the per-reading rules
 *    (validation.ts): positive, finite, round id ≠ 0, timestamp neither zero nor in the future, younger than
 *    the feed's heartbeat + margin (Pyth: its max age), expected decimals, Pyth conf/price within bound, and
 *    a move of at most maxJumpRatio from the last good price (|a − b| / max). A jump beyond the bound stands
 *    only when the other source independently reports the same move (agreement below).
 * 2. Both sources valid and within maxSourceDeviation of each other (|a − b| / min): publish Chainlink's
 *    price as CROSS_CHECKED; both sources become trusted (CHAINLINK_WORKING). This is also the only way an
 *    untrusted source earns trust back, and how a new asset is seeded.
 * 3. Both valid but disagreeing: raise SOURCES_DISAGREE and publish the trusted source, Chainlink first;
 *    the other becomes untrusted (a Chainlink just back from frozen yields to a trusted Pyth, as in
 *    Liquity). With neither trusted, only a reading that continues the last good price (see 4) stands.
 * 4. One valid source: publish it if the state trusts it (a source that was only frozen, i.e. stale, is
 *    trusted again once fresh). An untrusted source is published only for continuity: within
 *    maxSourceDeviation of a last good price no older than continuityWindowSeconds. Continuity keeps prices
 *    flowing while the other source is down, but never restores trust by itself.
 * 5. Trust per source: TRUSTED → FROZEN on a stale answer, → UNTRUSTED on bad data (non-positive, zero or
 *    future timestamp, wide confidence, revert or malformed answer) or an unconfirmed jump. Transport
 *    failures (timeouts, 5xx, 429, open circuit) leave trust unchanged: they say nothing about the data.
 * 6. Quality: CROSS_CHECKED (both agree, Chainlink's value); SINGLE_SOURCE (Chainlink alone, or the only
 *    configured source); FALLBACK (Pyth because Chainlink is unusable or untrusted). PRIMARY is not emitted:
 *    the schema pairs it with agreement, which CROSS_CHECKED already says. Source is the publishing oracle.
 * 7. The last good price is never republished. No usable reading: nothing is published for the asset, a
 *    NO_USABLE_PRICE alert is raised and the state keeps the last good price for later jump checks.
 *
 * State names (from the trust pair, Liquity's names with Pyth in Tellor's place): CHAINLINK_WORKING,
 * USING_CHAINLINK_PYTH_UNTRUSTED, USING_PYTH_CHAINLINK_UNTRUSTED, USING_PYTH_CHAINLINK_FROZEN,
 * BOTH_UNTRUSTED; assets with one configured source use SINGLE_SOURCE_WORKING / SINGLE_SOURCE_UNTRUSTED.
 * Differences from Liquity: no last-good fallback price, Pyth-side staleness and confidence checks, transport
 * failures kept apart from bad data, and continuity (4) instead of freezing on the last good price.
 */
import type { AssetFeedConfig } from './config';
import type { RawReading, SourceName, SourceResult } from './types';
import {
  checkAgreement,
  checkJump,
  checkReading,
  failureRejection,
  relativeDifference,
  verdictOf,
  type ReadingRules,
  type Rejection,
  type SourceVerdict,
} from './validation';

export type OracleStatus =
  | 'CHAINLINK_WORKING'
  | 'USING_CHAINLINK_PYTH_UNTRUSTED'
  | 'USING_PYTH_CHAINLINK_UNTRUSTED'
  | 'USING_PYTH_CHAINLINK_FROZEN'
  | 'BOTH_UNTRUSTED'
  | 'SINGLE_SOURCE_WORKING'
  | 'SINGLE_SOURCE_UNTRUSTED';

export type Trust = 'TRUSTED' | 'FROZEN' | 'UNTRUSTED';

export type Quality = 'CROSS_CHECKED' | 'SINGLE_SOURCE' | 'FALLBACK';

export type PriceAlertKind = 'NO_USABLE_PRICE' | 'SOURCES_DISAGREE';

export interface LastGoodPrice {
  price: number;
  source: SourceName;
  quality: Quality;
  /** The reading's own timestamp (ISO). */
  publishedAt: string;
  /** The tick that published it (ISO): continuity is measured from here. */
  observedAt: string;
  tickId: string;
}

/** Per-asset oracle state; persisted as-is (JSON-safe) in the `priceState` collection. */
export interface AssetPriceState {
  asset: string;
  status: OracleStatus;
  trust: Record<SourceName, Trust>;
  lastGood?: LastGoodPrice;
  /** asOf of the tick that wrote this state (ISO); an older tick never overwrites a newer one. */
  updatedAt?: string;
  tickId?: string;
}

export interface PublishedPrice {
  asset: string;
  price: number;
  source: SourceName;
  quality: Quality;
  publishedAt: Date;
  confidence?: number;
}

export type DecisionPath =
  | 'cross-checked'
  | 'confirmed-jump'
  | 'trusted-despite-disagreement'
  | 'trusted-single'
  | 'continuity'
  | 'none';

export interface AssetDecision {
  asset: string;
  published?: PublishedPrice;
  state: AssetPriceState;
  previousStatus: OracleStatus;
  verdicts: Partial<Record<SourceName, SourceVerdict>>;
  rejections: Rejection[];
  alerts: PriceAlertKind[];
  path: DecisionPath;
}

export interface DecisionInput {
  config: AssetFeedConfig;
  state: AssetPriceState | undefined;
  results: Partial<Record<SourceName, SourceResult>>;
  rules: Partial<Record<SourceName, ReadingRules>>;
  now: Date;
  asOf: Date;
  tickId: string;
  continuityWindowSeconds: number;
}

const SOURCES: SourceName[] = ['chainlink', 'pyth'];

function configured(config: AssetFeedConfig): SourceName[] {
  return SOURCES.filter((s) => (s === 'chainlink' ? config.chainlink : config.pyth) !== undefined);
}

/**
 * Where a new asset starts: with two sources nothing is trusted until they agree (as Liquity's deployment
 * required a working Chainlink); a lone source is trusted from the start, a weaker guarantee by design.
 */
export function initialAssetState(config: AssetFeedConfig): AssetPriceState {
  const sources = configured(config);
  const start: Trust = sources.length === 1 ? 'TRUSTED' : 'UNTRUSTED';
  const trust: Record<SourceName, Trust> = { chainlink: 'UNTRUSTED', pyth: 'UNTRUSTED' };
  for (const s of sources) trust[s] = start;
  return { asset: config.asset, status: statusOf(trust, sources), trust };
}

export function statusOf(trust: Record<SourceName, Trust>, sources: SourceName[]): OracleStatus {
  if (sources.length === 1)
    return trust[sources[0]] === 'UNTRUSTED' ? 'SINGLE_SOURCE_UNTRUSTED' : 'SINGLE_SOURCE_WORKING';
  const cl = trust.chainlink;
  const pythUsable = trust.pyth !== 'UNTRUSTED';
  if (cl === 'TRUSTED') return pythUsable ? 'CHAINLINK_WORKING' : 'USING_CHAINLINK_PYTH_UNTRUSTED';
  if (!pythUsable) return 'BOTH_UNTRUSTED';
  return cl === 'FROZEN' ? 'USING_PYTH_CHAINLINK_FROZEN' : 'USING_PYTH_CHAINLINK_UNTRUSTED';
}

/** Trust after this tick's verdict for a source that was not the one published. */
function degrade(trust: Trust, verdict: SourceVerdict): Trust {
  switch (verdict) {
    case 'BROKEN':
    case 'JUMPED':
      return 'UNTRUSTED';
    case 'FROZEN':
      return trust === 'UNTRUSTED' ? 'UNTRUSTED' : 'FROZEN';
    default:
      return trust;
  }
}

interface Assessed {
  source: SourceName;
  verdict: SourceVerdict;
  reading?: RawReading;
  rejection?: Rejection;
}

function assess(source: SourceName, input: DecisionInput): Assessed | undefined {
  const rules = input.rules[source];
  if (!rules) return undefined;
  const asset = input.config.asset;
  const result: SourceResult = input.results[source] ?? {
    ok: false,
    source,
    asset,
    kind: 'unavailable',
    reason: 'NO_ANSWER',
    message: `no answer for ${asset}`,
  };
  if (!result.ok) {
    const rejection = failureRejection(result);
    return { source, verdict: verdictOf(rejection), rejection };
  }
  const rejection =
    checkReading(result, rules, input.now) ??
    checkJump(result, input.state?.lastGood?.price, input.config.maxJumpRatio);
  return { source, verdict: verdictOf(rejection), reading: result, rejection };
}

export function decideAssetPrice(input: DecisionInput): AssetDecision {
  const { config } = input;
  const sources = configured(config);
  const prior = input.state ?? initialAssetState(config);
  const trust = { ...prior.trust };
  const assessed = sources.map((s) => assess(s, input)).filter((a): a is Assessed => a !== undefined);
  const rejections: Rejection[] = [];
  const alerts: PriceAlertKind[] = [];
  const by = (s: SourceName) => assessed.find((a) => a.source === s);
  const cl = by('chainlink');
  const py = by('pyth');

  // A jump both sources report alike is a market move, not a fault (Liquity: CL moved > 50 % but similar).
  let path: DecisionPath = 'none';
  let confirmedJump = false;
  if (
    cl?.reading &&
    py?.reading &&
    (cl.verdict === 'JUMPED' || py.verdict === 'JUMPED') &&
    (cl.verdict === 'OK' || cl.verdict === 'JUMPED') &&
    (py.verdict === 'OK' || py.verdict === 'JUMPED') &&
    !checkAgreement(cl.reading, py.reading, config.maxSourceDeviation)
  ) {
    confirmedJump = true;
    for (const a of [cl, py]) {
      a.verdict = 'OK';
      a.rejection = undefined;
    }
  }
  for (const a of assessed) if (a.rejection) rejections.push(a.rejection);

  const ok = assessed.filter((a) => a.verdict === 'OK' && a.reading);
  const lastGood = prior.lastGood;
  const continues = (r: RawReading) =>
    lastGood !== undefined &&
    (input.asOf.getTime() - Date.parse(lastGood.observedAt)) / 1000 <= input.continuityWindowSeconds &&
    relativeDifference(r.price, lastGood.price) <= config.maxSourceDeviation;
  const quality = (s: SourceName): Quality =>
    sources.length === 1 || s === 'chainlink' ? 'SINGLE_SOURCE' : 'FALLBACK';

  let chosen: { reading: RawReading; quality: Quality } | undefined;

  if (ok.length === 2 && cl?.reading && py?.reading) {
    const disagreement = checkAgreement(cl.reading, py.reading, config.maxSourceDeviation);
    if (!disagreement) {
      chosen = { reading: cl.reading, quality: 'CROSS_CHECKED' };
      trust.chainlink = 'TRUSTED';
      trust.pyth = 'TRUSTED';
      path = confirmedJump ? 'confirmed-jump' : 'cross-checked';
    } else {
      rejections.push(disagreement);
      alerts.push('SOURCES_DISAGREE');
      if (trust.chainlink === 'TRUSTED') {
        chosen = { reading: cl.reading, quality: 'SINGLE_SOURCE' };
        trust.pyth = 'UNTRUSTED';
        path = 'trusted-despite-disagreement';
      } else if (trust.pyth !== 'UNTRUSTED') {
        // Liquity (frozen Chainlink back live, Tellor differs): the live fallback wins, Chainlink is untrusted.
        chosen = { reading: py.reading, quality: 'FALLBACK' };
        trust.pyth = 'TRUSTED';
        trust.chainlink = 'UNTRUSTED';
        path = 'trusted-despite-disagreement';
      } else {
        // Neither trusted: only a reading that continues the last good price may stand, the closer one.
        const candidates = [cl.reading, py.reading].filter(continues);
        if (candidates.length > 0 && lastGood) {
          candidates.sort(
            (a, b) =>
              relativeDifference(a.price, lastGood.price) - relativeDifference(b.price, lastGood.price),
          );
          chosen = { reading: candidates[0], quality: quality(candidates[0].source) };
          path = 'continuity';
        }
      }
    }
  } else if (ok.length === 1 && ok[0].reading) {
    const only = ok[0];
    const reading = only.reading as RawReading;
    if (trust[only.source] !== 'UNTRUSTED') {
      chosen = { reading, quality: quality(only.source) };
      trust[only.source] = 'TRUSTED';
      path = 'trusted-single';
    } else if (continues(reading)) {
      chosen = { reading, quality: quality(only.source) };
      path = 'continuity';
    }
  }

  // Sources that were not published this tick lose trust according to what they did.
  for (const a of assessed) {
    if (chosen && a.source === chosen.reading.source) continue;
    if (path === 'cross-checked' || path === 'confirmed-jump') continue;
    trust[a.source] = degrade(trust[a.source], a.verdict);
  }

  if (!chosen) alerts.push('NO_USABLE_PRICE');

  const published: PublishedPrice | undefined = chosen && {
    asset: config.asset,
    price: chosen.reading.price,
    source: chosen.reading.source,
    quality: chosen.quality,
    publishedAt: chosen.reading.publishTime,
    ...(chosen.reading.source === 'pyth' && chosen.reading.confidence !== undefined
      ? { confidence: chosen.reading.confidence }
      : {}),
  };

  const state: AssetPriceState = {
    asset: config.asset,
    status: statusOf(trust, sources),
    trust,
    updatedAt: input.asOf.toISOString(),
    tickId: input.tickId,
  };
  const nextLastGood: LastGoodPrice | undefined = published
    ? {
        price: published.price,
        source: published.source,
        quality: published.quality,
        publishedAt: published.publishedAt.toISOString(),
        observedAt: input.asOf.toISOString(),
        tickId: input.tickId,
      }
    : lastGood;
  if (nextLastGood) state.lastGood = nextLastGood;

  return {
    asset: config.asset,
    published,
    state,
    previousStatus: prior.status,
    verdicts: Object.fromEntries(assessed.map((a) => [a.source, a.verdict])),
    rejections,
    alerts,
    path,
  };
}

const TRUST_VALUES: Trust[] = ['TRUSTED', 'FROZEN', 'UNTRUSTED'];

/** Reads a persisted state defensively; anything unrecognisable restarts the asset as new (safe side). */
export function assetStateFromDocument(
  config: AssetFeedConfig,
  doc: Record<string, unknown> | undefined,
): AssetPriceState {
  const fresh = initialAssetState(config);
  if (!doc || typeof doc.trust !== 'object' || doc.trust === null) return fresh;
  const t = doc.trust as Record<string, unknown>;
  const trust = { ...fresh.trust };
  for (const s of SOURCES) if (TRUST_VALUES.includes(t[s] as Trust)) trust[s] = t[s] as Trust;
  const state: AssetPriceState = { asset: config.asset, status: statusOf(trust, configured(config)), trust };
  const lg = doc.lastGood as Record<string, unknown> | undefined;
  if (
    lg &&
    typeof lg.price === 'number' &&
    lg.price > 0 &&
    typeof lg.observedAt === 'string' &&
    typeof lg.publishedAt === 'string' &&
    (lg.source === 'chainlink' || lg.source === 'pyth')
  ) {
    state.lastGood = {
      price: lg.price,
      source: lg.source,
      quality: (lg.quality as Quality) ?? 'SINGLE_SOURCE',
      publishedAt: lg.publishedAt,
      observedAt: lg.observedAt,
      tickId: typeof lg.tickId === 'string' ? lg.tickId : '',
    };
  }
  if (typeof doc.updatedAt === 'string') state.updatedAt = doc.updatedAt;
  if (typeof doc.tickId === 'string') state.tickId = doc.tickId;
  return state;
}

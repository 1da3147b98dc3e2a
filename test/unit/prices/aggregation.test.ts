import {
  assetStateFromDocument,
  decideAssetPrice,
  initialAssetState,
  statusOf,
  type AssetPriceState,
  type Trust,
} from '../../../shared/domain/prices/aggregation';
import type { AssetFeedConfig } from '../../../shared/domain/prices/config';
import type { SourceName, SourceResult } from '../../../shared/domain/prices/types';
import {
  checkJump,
  checkReading,
  rulesFor,
  type ReadingRules,
} from '../../../shared/domain/prices/validation';
import { seededRandom } from '../../../local-stack/providers/chaos';
import { assetConfig, failure, feedConfig, reading } from './support';

const now = new Date('2024-08-05T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const cfg = assetConfig('ETH');
const tickId = 'tick-20240805T1200Z';

function rulesOf(c: AssetFeedConfig): Partial<Record<SourceName, ReadingRules>> {
  const out: Partial<Record<SourceName, ReadingRules>> = {};
  for (const s of ['chainlink', 'pyth'] as const) {
    const r = rulesFor(c, s, feedConfig([]));
    if (r) out[s] = r;
  }
  return out;
}

function decide(
  state: AssetPriceState | undefined,
  chainlink: SourceResult | undefined,
  pyth: SourceResult | undefined,
  c: AssetFeedConfig = cfg,
) {
  return decideAssetPrice({
    config: c,
    state,
    results: { ...(chainlink ? { chainlink } : {}), ...(pyth ? { pyth } : {}) },
    rules: rulesOf(c),
    now,
    asOf: now,
    tickId,
    continuityWindowSeconds: 900,
  });
}

function state(
  chainlink: Trust,
  pyth: Trust,
  lastGood?: { price: number; secondsAgo?: number },
): AssetPriceState {
  const trust = { chainlink, pyth };
  return {
    asset: 'ETH',
    status: statusOf(trust, ['chainlink', 'pyth']),
    trust,
    ...(lastGood
      ? {
          lastGood: {
            price: lastGood.price,
            source: 'chainlink' as const,
            quality: 'CROSS_CHECKED' as const,
            publishedAt: ago(lastGood.secondsAgo ?? 60).toISOString(),
            observedAt: ago(lastGood.secondsAgo ?? 60).toISOString(),
            tickId: 'tick-20240805T1159Z',
          },
        }
      : {}),
  };
}

const cl = (price: number, secondsOld = 30, extra = {}) =>
  reading('chainlink', 'ETH', price, ago(secondsOld), {
    decimals: 8,
    roundId: '92233720368547758081',
    ...extra,
  });
const py = (price: number, secondsOld = 1, conf = price * 0.0005) =>
  reading('pyth', 'ETH', price, ago(secondsOld), { confidence: conf });
const WORKING = () => state('TRUSTED', 'TRUSTED', { price: 2500 });

describe('aggregation: seeding a new asset', () => {
  it('publishes Chainlink, cross-checked, once both sources agree', () => {
    const d = decide(undefined, cl(2500), py(2510));
    expect(d.published).toMatchObject({ price: 2500, source: 'chainlink', quality: 'CROSS_CHECKED' });
    expect(d.state.status).toBe('CHAINLINK_WORKING');
    expect(d.state.lastGood).toMatchObject({ price: 2500, tickId, observedAt: now.toISOString() });
    expect(d.alerts).toEqual([]);
  });

  it('publishes nothing while only one of two sources answers: nothing is trusted yet', () => {
    const d = decide(undefined, cl(2500), failure('pyth', 'ETH'));
    expect(d.published).toBeUndefined();
    expect(d.alerts).toEqual(['NO_USABLE_PRICE']);
    expect(d.state.status).toBe('BOTH_UNTRUSTED');
    expect(d.state.lastGood).toBeUndefined();
  });

  it('trusts the only configured source from the start (a weaker guarantee)', () => {
    const wbtc = assetConfig('WBTC', { chainlink: undefined });
    expect(initialAssetState(wbtc).status).toBe('SINGLE_SOURCE_WORKING');
    const d = decide(undefined, undefined, { ...py(60000), asset: 'WBTC' }, wbtc);
    expect(d.published).toMatchObject({ source: 'pyth', quality: 'SINGLE_SOURCE', confidence: 30 });
  });
});

describe('aggregation: Liquity-style transitions', () => {
  it('CHAINLINK_WORKING, Chainlink broken → Pyth as FALLBACK, Chainlink untrusted', () => {
    const d = decide(WORKING(), cl(-1), py(2501));
    expect(d.published).toMatchObject({ price: 2501, source: 'pyth', quality: 'FALLBACK' });
    expect(d.state.status).toBe('USING_PYTH_CHAINLINK_UNTRUSTED');
    expect(d.rejections.map((r) => r.reason)).toEqual(['NON_POSITIVE_PRICE']);
  });

  it('CHAINLINK_WORKING, Chainlink frozen → Pyth; fresh Chainlink is trusted again without a cross-check', () => {
    const frozen = decide(WORKING(), cl(2400, 5000), py(2501));
    expect(frozen.published?.source).toBe('pyth');
    expect(frozen.state.status).toBe('USING_PYTH_CHAINLINK_FROZEN');
    expect(frozen.rejections[0].reason).toBe('STALE');

    const back = decide(frozen.state, cl(2502), failure('pyth', 'ETH', 'unavailable', 'HTTP_429'));
    expect(back.published).toMatchObject({ source: 'chainlink', quality: 'SINGLE_SOURCE' });
    expect(back.state.status).toBe('CHAINLINK_WORKING');
  });

  it('an untrusted Chainlink alone is published only to continue a recent last good price, and stays untrusted', () => {
    const untrusted = state('UNTRUSTED', 'TRUSTED', { price: 2500, secondsAgo: 60 });
    const d = decide(untrusted, cl(2520), failure('pyth', 'ETH'));
    expect(d.path).toBe('continuity');
    expect(d.published).toMatchObject({ price: 2520, source: 'chainlink', quality: 'SINGLE_SOURCE' });
    expect(d.state.status).toBe('USING_PYTH_CHAINLINK_UNTRUSTED');

    const tooOld = decide(
      state('UNTRUSTED', 'TRUSTED', { price: 2500, secondsAgo: 901 }),
      cl(2520),
      failure('pyth', 'ETH'),
    );
    expect(tooOld.published).toBeUndefined();
    expect(tooOld.alerts).toEqual(['NO_USABLE_PRICE']);

    const tooFar = decide(untrusted, cl(2630), failure('pyth', 'ETH'));
    expect(tooFar.published).toBeUndefined();
  });

  it('two agreeing sources restore trust (USING_PYTH_CHAINLINK_UNTRUSTED → CHAINLINK_WORKING)', () => {
    const d = decide(state('UNTRUSTED', 'TRUSTED', { price: 2500 }), cl(2505), py(2500));
    expect(d.published?.quality).toBe('CROSS_CHECKED');
    expect(d.state.status).toBe('CHAINLINK_WORKING');
  });

  it('accepts a jump beyond the bound when the other source reports the same move', () => {
    const d = decide(WORKING(), cl(1000), py(1010));
    expect(d.path).toBe('confirmed-jump');
    expect(d.published).toMatchObject({ price: 1000, quality: 'CROSS_CHECKED' });
    expect(d.rejections).toEqual([]);
  });

  it('rejects an unconfirmed jump and falls back to Pyth', () => {
    const d = decide(WORKING(), cl(7500), py(2502));
    expect(d.published).toMatchObject({ price: 2502, source: 'pyth', quality: 'FALLBACK' });
    expect(d.rejections.map((r) => r.reason)).toEqual(['PRICE_JUMP']);
    expect(d.state.status).toBe('USING_PYTH_CHAINLINK_UNTRUSTED');
  });

  it('both valid but disagreeing: the trusted primary stands, Pyth becomes untrusted, an alert is raised', () => {
    const d = decide(WORKING(), cl(2500), py(2700));
    expect(d.published).toMatchObject({ price: 2500, source: 'chainlink', quality: 'SINGLE_SOURCE' });
    expect(d.alerts).toEqual(['SOURCES_DISAGREE']);
    expect(d.state.status).toBe('USING_CHAINLINK_PYTH_UNTRUSTED');
  });

  it('both valid but disagreeing while Chainlink is untrusted: Pyth stands', () => {
    const d = decide(state('UNTRUSTED', 'TRUSTED', { price: 2500 }), cl(2300), py(2510));
    expect(d.published).toMatchObject({ price: 2510, source: 'pyth', quality: 'FALLBACK' });
    expect(d.alerts).toEqual(['SOURCES_DISAGREE']);
  });

  it('a Chainlink back from frozen that disagrees with a trusted Pyth yields to it and loses trust (Liquity)', () => {
    const d = decide(state('FROZEN', 'TRUSTED', { price: 2500 }), cl(2300), py(2510));
    expect(d.published).toMatchObject({ price: 2510, source: 'pyth', quality: 'FALLBACK' });
    expect(d.state.status).toBe('USING_PYTH_CHAINLINK_UNTRUSTED');
  });

  it('neither trusted and disagreeing: only the reading continuing the last good price stands', () => {
    const d = decide(state('UNTRUSTED', 'UNTRUSTED', { price: 2500 }), cl(2380), py(2510));
    expect(d.path).toBe('continuity');
    expect(d.published).toMatchObject({ price: 2510, source: 'pyth' });
  });

  it('a transport failure leaves trust alone: Pyth fills in, the state stays CHAINLINK_WORKING', () => {
    const d = decide(WORKING(), failure('chainlink', 'ETH', 'unavailable', 'TIMEOUT'), py(2501));
    expect(d.published).toMatchObject({ source: 'pyth', quality: 'FALLBACK' });
    expect(d.state.status).toBe('CHAINLINK_WORKING');
  });

  it('a Pyth answer with a wide confidence interval is bad data: Chainlink alone, Pyth untrusted', () => {
    const d = decide(WORKING(), cl(2500), py(2500, 1, 200));
    expect(d.published).toMatchObject({ source: 'chainlink', quality: 'SINGLE_SOURCE' });
    expect(d.rejections.map((r) => r.reason)).toEqual(['CONFIDENCE_TOO_WIDE']);
    expect(d.state.status).toBe('USING_CHAINLINK_PYTH_UNTRUSTED');
  });

  it('nothing usable: nothing published, an alert, and the last good price is kept for later checks', () => {
    const d = decide(
      WORKING(),
      cl(2500, 0, { roundId: '0' }),
      failure('pyth', 'ETH', 'bad-response', 'PRICE_ID_NOT_FOUND'),
    );
    expect(d.published).toBeUndefined();
    expect(d.alerts).toEqual(['NO_USABLE_PRICE']);
    expect(d.rejections.map((r) => `${r.source}:${r.reason}`)).toEqual([
      'chainlink:INVALID_ROUND',
      'pyth:SOURCE_BAD_RESPONSE',
    ]);
    expect(d.state.lastGood?.price).toBe(2500);
    expect(d.state.status).toBe('BOTH_UNTRUSTED');
  });
});

describe('aggregation: invariants over random inputs', () => {
  it('never publishes a reading that fails a per-reading rule or an unconfirmed jump', () => {
    const rnd = seededRandom(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
    const trusts: Trust[] = ['TRUSTED', 'FROZEN', 'UNTRUSTED'];
    const rules = rulesOf(cfg);
    let published = 0;
    for (let i = 0; i < 5000; i++) {
      const truth = 1000 + rnd() * 3000;
      const garbage = (source: SourceName): SourceResult => {
        const price = truth * (1 + (rnd() - 0.5) * 0.02);
        const base = source === 'chainlink' ? cl(price, rnd() * 600) : py(price, rnd() * 30);
        return pick<SourceResult>([
          base,
          base,
          { ...base, price: -price },
          { ...base, price: 0 },
          { ...base, price: price * pick([0.1, 0.3, 3, 9]) },
          { ...base, price: price * pick([0.9, 1.08]) },
          { ...base, publishTime: ago(-3600) },
          { ...base, publishTime: new Date(0) },
          { ...base, publishTime: ago(90_000) },
          { ...base, confidence: price * 0.2 },
          failure(source, 'ETH', pick(['unavailable', 'bad-response', 'circuit-open'] as const)),
        ]);
      };
      const prior = pick([
        undefined,
        state(pick(trusts), pick(trusts), { price: truth, secondsAgo: rnd() * 2000 }),
      ]);
      const d = decide(prior, garbage('chainlink'), garbage('pyth'));
      expect(d.state.status).toBe(statusOf(d.state.trust, ['chainlink', 'pyth']));
      expect(d.published === undefined).toBe(d.alerts.includes('NO_USABLE_PRICE'));
      if (!d.published) continue;
      published++;
      const source = d.published.source;
      const r = reading(source, 'ETH', d.published.price, d.published.publishedAt, {
        confidence: d.published.confidence,
      });
      expect(checkReading(r, rules[source] as ReadingRules, now)).toBeUndefined();
      if (d.path !== 'confirmed-jump')
        expect(checkJump(r, prior?.lastGood?.price, cfg.maxJumpRatio)).toBeUndefined();
    }
    expect(published).toBeGreaterThan(1000);
  });
});

describe('aggregation: persisted state', () => {
  it('round-trips through a document and restarts unrecognisable documents as new assets', () => {
    const d = decide(WORKING(), cl(2500), py(2501));
    const doc = JSON.parse(JSON.stringify(d.state)) as Record<string, unknown>;
    expect(assetStateFromDocument(cfg, doc)).toEqual(d.state);
    expect(assetStateFromDocument(cfg, { trust: 'nonsense' })).toEqual(initialAssetState(cfg));
    expect(assetStateFromDocument(cfg, undefined).status).toBe('BOTH_UNTRUSTED');
    expect(
      assetStateFromDocument(cfg, {
        trust: { chainlink: 'TRUSTED', pyth: 'WHATEVER' },
        lastGood: { price: -1 },
      }),
    ).toEqual({
      asset: 'ETH',
      status: 'USING_CHAINLINK_PYTH_UNTRUSTED',
      trust: { chainlink: 'TRUSTED', pyth: 'UNTRUSTED' },
    });
  });
});

/**
 * The aggregation decisions a risk manager reads off the published price and the oracle status: which source
 * stands, with what quality, how trust moves, and what is kept for the next tick. Complements
 * aggregation.test.ts with the less common paths and the exact bounds.
 */
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
import { rulesFor, type ReadingRules } from '../../../shared/domain/prices/validation';
import { assetConfig, failure, feedConfig, reading } from './support';

const now = new Date('2024-08-05T12:00:00Z');
const asOf = new Date('2024-08-05T12:00:05Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000);
const ETH = assetConfig('ETH');
const TICK = 'tick-20240805T1200Z';
const BOTH: SourceName[] = ['chainlink', 'pyth'];

function rulesOf(c: AssetFeedConfig): Partial<Record<SourceName, ReadingRules>> {
  const out: Partial<Record<SourceName, ReadingRules>> = {};
  for (const s of BOTH) {
    const r = rulesFor(c, s, feedConfig([]));
    if (r) out[s] = r;
  }
  return out;
}

function decide(
  prior: AssetPriceState | undefined,
  results: Partial<Record<SourceName, SourceResult>>,
  config: AssetFeedConfig = ETH,
  rules = rulesOf(config),
) {
  return decideAssetPrice({
    config,
    state: prior,
    results,
    rules,
    now,
    asOf,
    tickId: TICK,
    continuityWindowSeconds: 900,
  });
}

/** A prior state whose last good price was observed `observedSecondsAgo` before this tick's asOf. */
function prior(chainlink: Trust, pyth: Trust, lastGood?: number, observedSecondsAgo = 60): AssetPriceState {
  const trust = { chainlink, pyth };
  const observed = new Date(asOf.getTime() - observedSecondsAgo * 1000).toISOString();
  return {
    asset: 'ETH',
    status: statusOf(trust, BOTH),
    trust,
    ...(lastGood === undefined
      ? {}
      : {
          lastGood: {
            price: lastGood,
            source: 'chainlink' as const,
            quality: 'CROSS_CHECKED' as const,
            publishedAt: observed,
            observedAt: observed,
            tickId: 'tick-20240805T1159Z',
          },
        }),
  };
}

const cl = (price: number, secondsOld = 30, extra = {}) =>
  reading('chainlink', 'ETH', price, ago(secondsOld), {
    decimals: 8,
    roundId: '18446744073709551617',
    ...extra,
  });
const py = (price: number, secondsOld = 1, confidence = price * 0.0005) =>
  reading('pyth', 'ETH', price, ago(secondsOld), { confidence });

describe('oracle status from the trust pair', () => {
  it.each([
    ['TRUSTED', 'TRUSTED', 'CHAINLINK_WORKING'],
    ['TRUSTED', 'FROZEN', 'CHAINLINK_WORKING'],
    ['TRUSTED', 'UNTRUSTED', 'USING_CHAINLINK_PYTH_UNTRUSTED'],
    ['FROZEN', 'TRUSTED', 'USING_PYTH_CHAINLINK_FROZEN'],
    ['FROZEN', 'FROZEN', 'USING_PYTH_CHAINLINK_FROZEN'],
    ['FROZEN', 'UNTRUSTED', 'BOTH_UNTRUSTED'],
    ['UNTRUSTED', 'TRUSTED', 'USING_PYTH_CHAINLINK_UNTRUSTED'],
    ['UNTRUSTED', 'FROZEN', 'USING_PYTH_CHAINLINK_UNTRUSTED'],
    ['UNTRUSTED', 'UNTRUSTED', 'BOTH_UNTRUSTED'],
  ] as const)('chainlink %s, pyth %s → %s', (chainlink, pyth, status) => {
    expect(statusOf({ chainlink, pyth }, BOTH)).toBe(status);
  });

  it('a single-source asset is working unless its source is untrusted (frozen counts as working)', () => {
    const t = (chainlink: Trust) => statusOf({ chainlink, pyth: 'UNTRUSTED' }, ['chainlink']);
    expect(t('TRUSTED')).toBe('SINGLE_SOURCE_WORKING');
    expect(t('FROZEN')).toBe('SINGLE_SOURCE_WORKING');
    expect(t('UNTRUSTED')).toBe('SINGLE_SOURCE_UNTRUSTED');
    expect(statusOf({ chainlink: 'UNTRUSTED', pyth: 'TRUSTED' }, ['pyth'])).toBe('SINGLE_SOURCE_WORKING');
  });

  it('starts a Chainlink-only asset trusted, and a two-source asset with nothing trusted', () => {
    expect(initialAssetState(assetConfig('LINK', { pyth: undefined }))).toEqual({
      asset: 'LINK',
      status: 'SINGLE_SOURCE_WORKING',
      trust: { chainlink: 'TRUSTED', pyth: 'UNTRUSTED' },
    });
    expect(initialAssetState(ETH)).toEqual({
      asset: 'ETH',
      status: 'BOTH_UNTRUSTED',
      trust: { chainlink: 'UNTRUSTED', pyth: 'UNTRUSTED' },
    });
  });
});

describe('what is published and remembered', () => {
  it("publishes Chainlink's reading with its own time, and records the tick that saw it", () => {
    const d = decide(prior('TRUSTED', 'TRUSTED', 2500), { chainlink: cl(2500, 30), pyth: py(2510) });
    expect(d.published).toEqual({
      asset: 'ETH',
      price: 2500,
      source: 'chainlink',
      quality: 'CROSS_CHECKED',
      publishedAt: ago(30),
    });
    expect(d.state).toEqual({
      asset: 'ETH',
      status: 'CHAINLINK_WORKING',
      trust: { chainlink: 'TRUSTED', pyth: 'TRUSTED' },
      updatedAt: asOf.toISOString(),
      tickId: TICK,
      lastGood: {
        price: 2500,
        source: 'chainlink',
        quality: 'CROSS_CHECKED',
        publishedAt: ago(30).toISOString(),
        observedAt: asOf.toISOString(),
        tickId: TICK,
      },
    });
    expect(d.previousStatus).toBe('CHAINLINK_WORKING');
    expect(d.verdicts).toEqual({ chainlink: 'OK', pyth: 'OK' });
    expect(d.path).toBe('cross-checked');
  });

  it("carries Pyth's confidence with a Pyth price only", () => {
    const fallback = decide(prior('TRUSTED', 'TRUSTED', 2500), {
      chainlink: failure('chainlink', 'ETH'),
      pyth: py(2500, 1, 1.5),
    });
    expect(fallback.published).toMatchObject({ source: 'pyth', quality: 'FALLBACK', confidence: 1.5 });
    const withConf = decide(prior('TRUSTED', 'TRUSTED', 2500), {
      chainlink: cl(2500, 30, { confidence: 3 }),
      pyth: failure('pyth', 'ETH'),
    });
    expect(withConf.published).not.toHaveProperty('confidence');
    const noConf = decide(prior('TRUSTED', 'TRUSTED', 2500), {
      chainlink: failure('chainlink', 'ETH'),
      pyth: reading('pyth', 'ETH', 2500, ago(1)),
    });
    expect(noConf.published).not.toHaveProperty('confidence');
  });

  it('keeps the previous last good price and records the tick when nothing is usable', () => {
    const before = prior('TRUSTED', 'TRUSTED', 2500);
    const d = decide(before, { chainlink: failure('chainlink', 'ETH'), pyth: failure('pyth', 'ETH') });
    expect(d.published).toBeUndefined();
    expect(d.path).toBe('none');
    expect(d.state.lastGood).toEqual(before.lastGood);
    expect(d.state).toMatchObject({
      status: 'CHAINLINK_WORKING',
      updatedAt: asOf.toISOString(),
      tickId: TICK,
    });
    expect(d.verdicts).toEqual({ chainlink: 'UNAVAILABLE', pyth: 'UNAVAILABLE' });
  });

  it('treats a source that gave no answer at all as unavailable, not as bad data', () => {
    const d = decide(prior('TRUSTED', 'TRUSTED', 2500), { pyth: py(2501) });
    expect(d.rejections).toEqual([
      {
        source: 'chainlink',
        asset: 'ETH',
        reason: 'SOURCE_UNAVAILABLE',
        message: 'chainlink: no answer for ETH',
        detail: 'NO_ANSWER',
      },
    ]);
    expect(d.state.trust.chainlink).toBe('TRUSTED');
  });

  it('ignores a source that has no rules this tick', () => {
    const d = decide(prior('TRUSTED', 'TRUSTED', 2500), { chainlink: cl(2500), pyth: py(9999) }, ETH, {
      chainlink: rulesOf(ETH).chainlink,
    });
    expect(d.verdicts).toEqual({ chainlink: 'OK' });
    expect(d.published).toMatchObject({ source: 'chainlink', quality: 'SINGLE_SOURCE' });
    expect(d.alerts).toEqual([]);
  });
});

describe('single sources', () => {
  it('a Chainlink-only asset publishes as SINGLE_SOURCE and becomes untrusted on bad data', () => {
    const link = assetConfig('LINK', { pyth: undefined });
    const r = (price: number) => reading('chainlink', 'LINK', price, ago(10), { decimals: 8 });
    const ok = decide(undefined, { chainlink: r(14) }, link);
    expect(ok.published).toMatchObject({ price: 14, source: 'chainlink', quality: 'SINGLE_SOURCE' });
    expect(ok.state.status).toBe('SINGLE_SOURCE_WORKING');
    const bad = decide(ok.state, { chainlink: r(-1) }, link);
    expect(bad.published).toBeUndefined();
    expect(bad.state.status).toBe('SINGLE_SOURCE_UNTRUSTED');
    // Untrusted and alone, it stands only by continuing the last good price, as FALLBACK never applies.
    const back = decide(bad.state, { chainlink: r(14.2) }, link);
    expect(back).toMatchObject({ path: 'continuity', published: { quality: 'SINGLE_SOURCE' } });
    expect(back.state.status).toBe('SINGLE_SOURCE_UNTRUSTED');
  });

  it('a frozen source that answers fresh again is trusted again without a cross-check', () => {
    const d = decide(prior('TRUSTED', 'FROZEN', 2500), {
      chainlink: failure('chainlink', 'ETH'),
      pyth: py(2502),
    });
    expect(d).toMatchObject({ path: 'trusted-single', published: { source: 'pyth', quality: 'FALLBACK' } });
    expect(d.state.trust).toEqual({ chainlink: 'TRUSTED', pyth: 'TRUSTED' });
  });

  it('a stale answer freezes a trusted source but never lifts an untrusted one to frozen', () => {
    const stale = { chainlink: cl(2500, 5000), pyth: failure('pyth', 'ETH') };
    expect(decide(prior('TRUSTED', 'TRUSTED', 2500), stale).state.trust.chainlink).toBe('FROZEN');
    expect(decide(prior('UNTRUSTED', 'TRUSTED', 2500), stale).state.trust.chainlink).toBe('UNTRUSTED');
    expect(decide(prior('FROZEN', 'TRUSTED', 2500), stale).state.trust.chainlink).toBe('FROZEN');
  });
});

describe('continuity for an untrusted source', () => {
  const untrusted = () => ({ chainlink: cl(2500), pyth: failure('pyth', 'ETH') });

  it('vouches for a reading when the last good price was observed exactly the window ago, not a second more', () => {
    expect(decide(prior('UNTRUSTED', 'TRUSTED', 2500, 900), untrusted()).path).toBe('continuity');
    expect(decide(prior('UNTRUSTED', 'TRUSTED', 2500, 901), untrusted()).path).toBe('none');
  });

  it('vouches for a reading exactly maxSourceDeviation from the last good price, not beyond', () => {
    const at = (price: number) =>
      decide(prior('UNTRUSTED', 'TRUSTED', 2000), { chainlink: cl(price), pyth: failure('pyth', 'ETH') });
    expect(at(2100).published?.price).toBe(2100);
    expect(at(2101).published).toBeUndefined();
  });

  it('with neither source trusted and both disagreeing, publishes whichever is closer to the last good price', () => {
    const pythCloser = decide(prior('UNTRUSTED', 'UNTRUSTED', 2500), { chainlink: cl(2390), pyth: py(2600) });
    expect(pythCloser).toMatchObject({
      path: 'continuity',
      published: { price: 2600, source: 'pyth', quality: 'FALLBACK' },
      alerts: ['SOURCES_DISAGREE'],
    });
    const chainlinkCloser = decide(prior('UNTRUSTED', 'UNTRUSTED', 2500), {
      chainlink: cl(2600),
      pyth: py(2390),
    });
    expect(chainlinkCloser).toMatchObject({
      path: 'continuity',
      published: { price: 2600, source: 'chainlink', quality: 'SINGLE_SOURCE' },
    });
    expect(chainlinkCloser.state.trust).toEqual({ chainlink: 'UNTRUSTED', pyth: 'UNTRUSTED' });
  });

  it('with neither trusted, disagreeing and no last good price, publishes nothing', () => {
    const d = decide(prior('UNTRUSTED', 'UNTRUSTED'), { chainlink: cl(2390), pyth: py(2600) });
    expect(d.published).toBeUndefined();
    expect(d.alerts).toEqual(['SOURCES_DISAGREE', 'NO_USABLE_PRICE']);
  });
});

describe('disagreement and jumps', () => {
  it('a frozen Pyth that disagrees with an untrusted Chainlink wins and is trusted again', () => {
    const d = decide(prior('UNTRUSTED', 'FROZEN', 2500), { chainlink: cl(2300), pyth: py(2510) });
    expect(d).toMatchObject({ path: 'trusted-despite-disagreement', published: { source: 'pyth' } });
    expect(d.state.trust).toEqual({ chainlink: 'UNTRUSTED', pyth: 'TRUSTED' });
  });

  it('a move confirmed by both sources is published even when only one of them crossed the jump bound', () => {
    const tight = assetConfig('ETH', { maxJumpRatio: 0.05 });
    const d = decide(prior('TRUSTED', 'TRUSTED', 2500), { chainlink: cl(2600), pyth: py(2650) }, tight);
    expect(d).toMatchObject({ path: 'confirmed-jump', published: { price: 2600, quality: 'CROSS_CHECKED' } });
    expect(d.rejections).toEqual([]);
    expect(d.verdicts).toEqual({ chainlink: 'OK', pyth: 'OK' });
  });

  it('a jump is not confirmed by a source whose reading is otherwise bad', () => {
    const d = decide(prior('TRUSTED', 'TRUSTED', 2500), { chainlink: cl(1000), pyth: py(1000, 1, 100) });
    expect(d.published).toBeUndefined();
    expect(d.rejections.map((r) => r.reason)).toEqual(['PRICE_JUMP', 'CONFIDENCE_TOO_WIDE']);
    expect(d.state.trust).toEqual({ chainlink: 'UNTRUSTED', pyth: 'UNTRUSTED' });
  });

  it('two sources jumping to different prices are both refused', () => {
    const d = decide(prior('TRUSTED', 'TRUSTED', 2500), { chainlink: cl(1000), pyth: py(7000) });
    expect(d.published).toBeUndefined();
    expect(d.rejections.map((r) => `${r.source}:${r.reason}`)).toEqual([
      'chainlink:PRICE_JUMP',
      'pyth:PRICE_JUMP',
    ]);
    expect(d.state.status).toBe('BOTH_UNTRUSTED');
  });
});

describe('persisted state', () => {
  const good = {
    price: 2500,
    source: 'pyth',
    quality: 'FALLBACK',
    publishedAt: '2024-08-05T11:59:00.000Z',
    observedAt: '2024-08-05T11:59:05.000Z',
    tickId: 'tick-20240805T1159Z',
  };
  const doc = (lastGood: Record<string, unknown>) => ({
    trust: { chainlink: 'FROZEN', pyth: 'TRUSTED' },
    lastGood,
    updatedAt: '2024-08-05T11:59:05.000Z',
    tickId: 'tick-20240805T1159Z',
  });

  it('restores trust, last good price and the writing tick', () => {
    expect(assetStateFromDocument(ETH, doc(good))).toEqual({
      asset: 'ETH',
      status: 'USING_PYTH_CHAINLINK_FROZEN',
      trust: { chainlink: 'FROZEN', pyth: 'TRUSTED' },
      lastGood: good,
      updatedAt: '2024-08-05T11:59:05.000Z',
      tickId: 'tick-20240805T1159Z',
    });
  });

  it('fills a missing quality and tick id rather than dropping the last good price', () => {
    const { quality: _q, tickId: _t, ...bare } = good;
    expect(assetStateFromDocument(ETH, doc(bare)).lastGood).toEqual({
      ...bare,
      quality: 'SINGLE_SOURCE',
      tickId: '',
    });
  });

  it.each([
    ['a non-numeric price', { price: '2500' }],
    ['a zero price', { price: 0 }],
    ['no observation time', { observedAt: 5 }],
    ['no publication time', { publishedAt: undefined }],
    ['an unknown source', { source: 'kraken' }],
  ])('drops a last good price with %s', (_what, change) => {
    expect(assetStateFromDocument(ETH, doc({ ...good, ...change })).lastGood).toBeUndefined();
  });

  it('drops times that are not strings and restarts on a missing trust map', () => {
    const s = assetStateFromDocument(ETH, { trust: { chainlink: 'TRUSTED' }, updatedAt: 1, tickId: 2 });
    expect(s).toEqual({
      asset: 'ETH',
      status: 'USING_CHAINLINK_PYTH_UNTRUSTED',
      trust: { chainlink: 'TRUSTED', pyth: 'UNTRUSTED' },
    });
    expect(assetStateFromDocument(ETH, { trust: null })).toEqual(initialAssetState(ETH));
  });
});

import { RiskInputError } from '../../../shared/domain/risk/errors';
import {
  DEFAULT_MARGIN_THRESHOLDS,
  classifyHealth,
  healthScore,
  liquidationPrices,
  valuePortfolio,
  type Position,
} from '../../../shared/domain/risk/margin';
import { closesOnFixture } from './fixture';

const prices = closesOnFixture('2024-12-07');
const col = (asset: string, amount: number): Position => ({ asset, amount, side: 'collateral' });
const bor = (asset: string, amount: number): Position => ({ asset, amount, side: 'borrow' });

/** Health score of `positions` with one asset repriced: the check that a liquidation price is one. */
function healthAt(positions: Position[], asset: string, price: number): number | null {
  return valuePortfolio(positions, { ...prices, [asset]: price }).healthScore;
}

describe('healthScore', () => {
  it('is (collateral − borrow) / borrow × 100', () => {
    expect(healthScore(150, 100)).toBe(50);
    expect(healthScore(115, 100)).toBe(15);
    expect(healthScore(80, 100)).toBe(-20);
    expect(healthScore(0, 100)).toBe(-100);
  });
  it('is null without a borrow', () => {
    expect(healthScore(1000, 0)).toBeNull();
    expect(healthScore(0, 0)).toBeNull();
  });
});

describe('classifyHealth', () => {
  it.each([
    [null, 'HEALTHY'],
    [500, 'HEALTHY'],
    [50, 'HEALTHY'],
    [49.999, 'WARNING'],
    [30, 'WARNING'],
    [29.999, 'MARGIN_CALL'],
    [15, 'MARGIN_CALL'],
    [14.999, 'LIQUIDATION'],
    [0, 'LIQUIDATION'],
    [-40, 'LIQUIDATION'],
  ] as const)('score %p → %s', (score, state) => {
    expect(classifyHealth(score)).toBe(state);
  });

  it('uses the thresholds it is given and rejects disordered ones', () => {
    const t = { warning: 80, marginCall: 40, liquidation: 10 };
    expect(classifyHealth(60, t)).toBe('WARNING');
    expect(classifyHealth(20, t)).toBe('MARGIN_CALL');
    expect(classifyHealth(20)).toBe('MARGIN_CALL');
    expect(classifyHealth(45)).toBe('WARNING');
    expect(classifyHealth(45, t)).toBe('WARNING');
    expect(classifyHealth(9, t)).toBe('LIQUIDATION');
    expect(() => classifyHealth(20, { warning: 30, marginCall: 50, liquidation: 15 })).toThrow(
      RiskInputError,
    );
  });

  it('defaults to 50 / 30 / 15', () => {
    expect(DEFAULT_MARGIN_THRESHOLDS).toEqual({ warning: 50, marginCall: 30, liquidation: 15 });
  });
});

describe('valuePortfolio at the 2024-12-07 closes', () => {
  it('values collateral and borrow and nets exposures by asset', () => {
    const v = valuePortfolio([col('BTC', 1), col('ETH', 10), bor('USDC', 60_000), bor('ETH', 2)], prices);
    expect(v.collateralUsd).toBeCloseTo(prices.BTC + 10 * prices.ETH, 6);
    expect(v.borrowUsd).toBeCloseTo(60_000 * prices.USDC + 2 * prices.ETH, 6);
    expect(v.healthScore).toBeCloseTo(((v.collateralUsd - v.borrowUsd) / v.borrowUsd) * 100, 10);
    expect(v.exposures.map((e) => [e.asset, e.netAmount])).toEqual([
      ['BTC', 1],
      ['ETH', 8],
      ['USDC', -60_000],
    ]);
    const eth = v.exposures[1];
    expect(eth.priceUsd).toBe(prices.ETH);
    expect(eth.netUsd).toBeCloseTo(8 * prices.ETH, 8);
    // What is held and owed stays visible behind the net (a shock moves both sides).
    expect([eth.collateralAmount, eth.borrowAmount]).toEqual([10, 2]);
    expect([v.exposures[2].collateralAmount, v.exposures[2].borrowAmount]).toEqual([0, 60_000]);
  });

  it('names every asset without a price', () => {
    expect(() => valuePortfolio([col('BTC', 1), col('DOGE', 5), bor('XYZ', 1)], prices)).toThrow(
      /no usable price for DOGE, XYZ/,
    );
  });

  it('rejects negative and non-finite amounts', () => {
    expect(() => valuePortfolio([col('BTC', -1)], prices)).toThrow(/BTC: amount -1/);
    expect(() => valuePortfolio([col('BTC', Number.POSITIVE_INFINITY)], prices)).toThrow(RiskInputError);
  });
});

describe('liquidationPrices', () => {
  it('single BTC collateral against stable debt: P = 1.15 · B / q', () => {
    const book = [col('BTC', 2), bor('USDC', 120_000)];
    const [btc] = liquidationPrices(book, prices);
    const B = 120_000 * prices.USDC;
    expect(btc.asset).toBe('BTC');
    expect(btc.priceUsd).toBeCloseTo((1.15 * B) / 2, 8);
    expect(healthAt(book, 'BTC', btc.priceUsd as number)).toBeCloseTo(15, 9);
    expect(classifyHealth(healthAt(book, 'BTC', (btc.priceUsd as number) * 0.999))).toBe('LIQUIDATION');
    expect(classifyHealth(healthAt(book, 'BTC', (btc.priceUsd as number) * 1.001))).toBe('MARGIN_CALL');
  });

  it('single ETH collateral against USDT debt', () => {
    const book = [col('ETH', 25), bor('USDT', 50_000)];
    const [eth] = liquidationPrices(book, prices);
    expect(eth.priceUsd).toBeCloseTo((1.15 * 50_000 * prices.USDT) / 25, 8);
    expect(healthAt(book, 'ETH', eth.priceUsd as number)).toBeCloseTo(15, 9);
  });

  it('multi-collateral: each asset with the others held at their closes', () => {
    const book = [col('BTC', 1), col('ETH', 20), bor('USDC', 130_000)];
    const B = 130_000 * prices.USDC;
    const [btc, eth] = liquidationPrices(book, prices);
    expect(btc.priceUsd).toBeCloseTo((1.15 * B - 20 * prices.ETH) / 1, 6);
    expect(eth.priceUsd).toBeCloseTo((1.15 * B - prices.BTC) / 20, 8);
    expect(healthAt(book, 'BTC', btc.priceUsd as number)).toBeCloseTo(15, 9);
    expect(healthAt(book, 'ETH', eth.priceUsd as number)).toBeCloseTo(15, 9);
    // Both are below today's price: the book is healthy now.
    expect(btc.priceUsd as number).toBeLessThan(prices.BTC);
    expect(eth.priceUsd as number).toBeLessThan(prices.ETH);
  });

  it('null when the other collateral alone keeps the score above the threshold', () => {
    const [btc, usdc] = liquidationPrices(
      [col('BTC', 1), col('USDC', 200_000), bor('USDT', 100_000)],
      prices,
    );
    expect(btc).toMatchObject({ asset: 'BTC', side: 'collateral', priceUsd: null, direction: null });
    // USDC is still liquidatable if it (implausibly) falls far enough.
    expect(usdc.priceUsd).toBeCloseTo((1.15 * 100_000 * prices.USDT - prices.BTC) / 200_000, 10);
  });

  it('null for every asset without a borrow', () => {
    expect(liquidationPrices([col('BTC', 1), col('ETH', 3)], prices)).toMatchObject([
      { asset: 'BTC', side: 'collateral', priceUsd: null, direction: null },
      { asset: 'ETH', side: 'collateral', priceUsd: null, direction: null },
    ]);
  });

  it('solves linearly when the collateral asset is also borrowed', () => {
    // C_other + c·P = 1.15·(B_other + d·P)  ⇒  P = (1.15·B_other − C_other)/(c − 1.15·d)
    const book = [col('ETH', 30), bor('ETH', 5), col('BTC', 0.5), bor('USDC', 100_000)];
    const [eth, btc] = liquidationPrices(book, prices);
    const Bother = 100_000 * prices.USDC;
    expect(eth.priceUsd).toBeCloseTo((1.15 * Bother - 0.5 * prices.BTC) / (30 - 1.15 * 5), 8);
    expect(healthAt(book, 'ETH', eth.priceUsd as number)).toBeCloseTo(15, 9);
    expect(btc.priceUsd).toBeCloseTo((1.15 * (Bother + 5 * prices.ETH) - 30 * prices.ETH) / 0.5, 6);
    expect(healthAt(book, 'BTC', btc.priceUsd as number)).toBeCloseTo(15, 9);
  });

  it('net short the collateral asset: liquidated when its price rises to the solution', () => {
    const book = [col('ETH', 1), bor('ETH', 10), col('USDC', 60_000)];
    const [eth] = liquidationPrices(book, prices);
    const P = eth.priceUsd as number;
    expect(P).toBeCloseTo((60_000 * prices.USDC) / (1.15 * 10 - 1), 8);
    expect(P).toBeGreaterThan(prices.ETH);
    expect(eth.direction).toBe('rises');
    expect(healthAt(book, 'ETH', P)).toBeCloseTo(15, 9);
    expect(classifyHealth(healthAt(book, 'ETH', P * 1.01))).toBe('LIQUIDATION');
  });

  it('null when the asset cancels out of the health condition', () => {
    // 11.5 ETH collateral vs 10 ETH borrowed: both sides move with ETH, c − 1.15·d = 0.
    expect(liquidationPrices([col('ETH', 11.5), bor('ETH', 10), bor('USDC', 100)], prices)).toMatchObject([
      { asset: 'ETH', side: 'collateral', priceUsd: null, direction: null },
      { asset: 'USDC', side: 'borrow', priceUsd: null, direction: null },
    ]);
  });

  it('a borrowed volatile asset: the price it must rise to for liquidation, after the collateral', () => {
    // 100k USDC against 1 BTC borrowed: USDC = 1.15 · P_btc ⇒ P = 100k / 1.15.
    const book = [col('USDC', 100_000), bor('BTC', 1)];
    const [usdc, btc] = liquidationPrices(book, prices);
    expect(usdc).toMatchObject({ asset: 'USDC', side: 'collateral', direction: 'falls' });
    expect(btc).toMatchObject({ asset: 'BTC', side: 'borrow', direction: 'rises' });
    const P = btc.priceUsd as number;
    expect(P).toBeCloseTo((100_000 * prices.USDC) / 1.15, 8);
    expect(healthAt(book, 'BTC', P)).toBeCloseTo(15, 9);
    expect(classifyHealth(healthAt(book, 'BTC', P * 1.001))).toBe('LIQUIDATION');
    expect(classifyHealth(healthAt(book, 'BTC', P * 0.999))).toBe('MARGIN_CALL');
  });

  it('a borrowed asset has no price when the rest of the book is past the threshold without it', () => {
    // USDC 100 against USDT 100 is already liquidatable at any BTC price ≥ 0: no positive price solves it.
    const [usdc, usdt, btc] = liquidationPrices(
      [col('USDC', 100), bor('USDT', 100), bor('BTC', 0.001)],
      prices,
    );
    expect(usdc.side).toBe('collateral');
    expect(usdt).toMatchObject({ asset: 'USDT', side: 'borrow' });
    expect(btc).toEqual({
      asset: 'BTC',
      side: 'borrow',
      priceUsd: null,
      direction: null,
      currentPriceUsd: prices.BTC,
      changeFraction: null,
    });
  });

  it('follows a configured liquidation threshold', () => {
    const [btc] = liquidationPrices([col('BTC', 1), bor('USDC', 50_000)], prices, {
      warning: 60,
      marginCall: 40,
      liquidation: 25,
    });
    expect(btc.priceUsd).toBeCloseTo(1.25 * 50_000 * prices.USDC, 8);
  });
});

/**
 * What the margin math refuses to value, and how it says so: a position without a usable price, a bad amount
 * or side, a book too large to value, disordered thresholds. A book it cannot value must never come out
 * HEALTHY. Also how far a liquidation price is from the current one. margin.test.ts has the valuations
 * themselves.
 */
import { RiskInputError } from '../../../shared/domain/risk/errors';
import {
  classifyHealth,
  liquidationPrices,
  valuePortfolio,
  type Position,
} from '../../../shared/domain/risk/margin';

const col = (asset: string, amount: number): Position => ({ asset, amount, side: 'collateral' });
const bor = (asset: string, amount: number): Position => ({ asset, amount, side: 'borrow' });
const book = [col('BTC', 1), bor('USDC', 50_000)];
const prices = { BTC: 100_000, USDC: 1 };

/** The RiskInputError message both valuePortfolio and liquidationPrices give for these inputs. */
function refusal(positions: Position[], p: Record<string, number>): string[] {
  const messages: string[] = [];
  for (const f of [valuePortfolio, liquidationPrices]) {
    try {
      f(positions, p);
      messages.push('valued');
    } catch (e) {
      messages.push(e instanceof RiskInputError ? e.message : `not a RiskInputError: ${String(e)}`);
    }
  }
  return messages;
}

describe('a position without a usable price', () => {
  it.each([
    ['a zero', 0],
    ['a negative', -1],
    ['a NaN', Number.NaN],
    ['an infinite', Number.POSITIVE_INFINITY],
  ])('refuses %s price', (_what, btc) => {
    expect(refusal(book, { ...prices, BTC: btc })).toEqual([
      'no usable price for BTC',
      'no usable price for BTC',
    ]);
  });

  it('refuses a missing price, naming each asset once whichever sides hold it', () => {
    const positions = [...book, col('DOGE', 5), bor('DOGE', 1), bor('XYZ', 2)];
    expect(refusal(positions, prices)).toEqual([
      'no usable price for DOGE, XYZ',
      'no usable price for DOGE, XYZ',
    ]);
  });

  it('values a book whose prices are all usable, however small', () => {
    expect(refusal(book, { BTC: 1e-9, USDC: 1 })).toEqual(['valued', 'valued']);
    expect(valuePortfolio(book, prices).healthScore).toBe(100);
  });
});

describe('a bad position', () => {
  it('refuses a negative or non-finite amount, saying which asset and amount', () => {
    expect(refusal([col('BTC', -0.5)], prices)).toEqual(
      Array(2).fill('position in BTC: amount -0.5 must be a finite number ≥ 0'),
    );
    expect(refusal([bor('USDC', Number.NaN)], prices)).toEqual(
      Array(2).fill('position in USDC: amount NaN must be a finite number ≥ 0'),
    );
  });

  it('accepts an amount of zero', () => {
    const v = valuePortfolio([col('BTC', 0), bor('USDC', 0)], prices);
    expect(v).toMatchObject({ collateralUsd: 0, borrowUsd: 0, healthScore: null });
    expect(liquidationPrices([col('BTC', 0), bor('USDC', 0)], prices)).toEqual([]);
  });

  it('refuses a side that is neither collateral nor borrow', () => {
    const lent = { asset: 'BTC', amount: 1, side: 'lent' } as unknown as Position;
    expect(refusal([lent], prices)).toEqual(
      Array(2).fill("position in BTC: side 'lent' must be collateral or borrow"),
    );
  });
});

describe('a book too large to value', () => {
  it('is refused rather than reported with an infinite or undefined health score', () => {
    const huge = { BTC: 1e300, USDC: 1 };
    expect(() => valuePortfolio([col('BTC', 1e10), bor('USDC', 1)], huge)).toThrow(
      new RiskInputError('the valuation is not finite (amounts or prices too large to value)'),
    );
    expect(() => valuePortfolio([col('USDC', 1), bor('BTC', 1e10)], huge)).toThrow(/not finite/);
    // Held and owed, each finite, netting to an infinite exposure in USD.
    expect(() => valuePortfolio([col('BTC', 1e10), bor('BTC', 1e9)], huge)).toThrow(/not finite/);
    expect(valuePortfolio([col('BTC', 1), bor('USDC', 1)], huge).collateralUsd).toBe(1e300);
  });
});

describe('health states', () => {
  it('refuses a score that is not a number rather than calling it a state', () => {
    expect(() => classifyHealth(Number.NaN)).toThrow(new RiskInputError('health score is NaN'));
  });

  it('refuses thresholds that are equal as well as reversed, naming them', () => {
    expect(() => classifyHealth(40, { warning: 30, marginCall: 30, liquidation: 15 })).toThrow(
      new RiskInputError(
        'margin thresholds must satisfy warning > marginCall > liquidation (got 30, 30, 15)',
      ),
    );
    expect(() => classifyHealth(40, { warning: 50, marginCall: 15, liquidation: 15 })).toThrow(
      /got 50, 15, 15/,
    );
    expect(() => classifyHealth(null, { warning: 50, marginCall: 10, liquidation: 15 })).toThrow(
      RiskInputError,
    );
  });
});

describe('how far the price must move to liquidation', () => {
  it('is the liquidation price over the current one, less one: negative for a fall', () => {
    // 1 BTC against 50,000 USDC, liquidated at a 15 % score: 1.15 × 50,000 = 57,500, a 42.5 % fall.
    const [btc] = liquidationPrices(book, prices);
    expect(btc).toMatchObject({ asset: 'BTC', currentPriceUsd: 100_000, direction: 'falls' });
    expect(btc.priceUsd).toBeCloseTo(57_500, 6);
    expect(btc.changeFraction).toBeCloseTo(-0.425, 12);
    // Borrowing BTC against USDC: liquidated when BTC rises to 100,000 / 1.15.
    const [, short] = liquidationPrices([col('USDC', 100_000), bor('BTC', 1)], { BTC: 50_000, USDC: 1 });
    expect(short).toMatchObject({ asset: 'BTC', side: 'borrow', direction: 'rises' });
    expect(short.changeFraction).toBeCloseTo(100_000 / 1.15 / 50_000 - 1, 12);
  });
});

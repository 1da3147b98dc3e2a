import { RiskInputError } from './errors';

export interface Position {
  asset: string;
  amount: number;
  side: 'collateral' | 'borrow';
}

/** Health-score thresholds in percent; a score below a threshold enters that state. */
export interface MarginThresholds {
  warning: number;
  marginCall: number;
  liquidation: number;
}

export const DEFAULT_MARGIN_THRESHOLDS: MarginThresholds = { warning: 50, marginCall: 30, liquidation: 15 };

export type HealthState = 'HEALTHY' | 'WARNING' | 'MARGIN_CALL' | 'LIQUIDATION';

export interface Valuation {
  collateralUsd: number;
  borrowUsd: number;
  healthScore: number | null;
  exposures: {
    asset: string;
    priceUsd: number;
    netAmount: number;
    netUsd: number;
    /** Units held and owed: the net hides a book that both holds and borrows an asset. */
    collateralAmount: number;
    borrowAmount: number;
  }[];
}

function checkPositions(positions: Position[]): void {
  for (const p of positions) {
    if (!(Number.isFinite(p.amount) && p.amount >= 0)) {
      throw new RiskInputError(`position in ${p.asset}: amount ${p.amount} must be a finite number ≥ 0`);
    }
    if (p.side !== 'collateral' && p.side !== 'borrow') {
      throw new RiskInputError(
        `position in ${p.asset}: side '${String(p.side)}' must be collateral or borrow`,
      );
    }
  }
}

function checkPrices(positions: Position[], prices: Record<string, number>): void {
  const missing = new Set<string>();
  for (const p of positions) {
    const price = Object.prototype.hasOwnProperty.call(prices, p.asset) ? prices[p.asset] : undefined;
    if (price === undefined || !(Number.isFinite(price) && price > 0)) missing.add(p.asset);
  }
  if (missing.size > 0) {
    throw new RiskInputError(`no usable price for ${[...missing].join(', ')}`);
  }
}

/** Values positions at `prices` (USD per unit); exposures are netted by asset, in order of first appearance. */
export function valuePortfolio(positions: Position[], prices: Record<string, number>): Valuation {
  checkPositions(positions);
  checkPrices(positions, prices);
  let collateralUsd = 0;
  let borrowUsd = 0;
  const amounts = new Map<string, { held: number; owed: number }>();
  for (const p of positions) {
    const usd = p.amount * prices[p.asset];
    const a = amounts.get(p.asset) ?? { held: 0, owed: 0 };
    if (p.side === 'collateral') {
      collateralUsd += usd;
      a.held += p.amount;
    } else {
      borrowUsd += usd;
      a.owed += p.amount;
    }
    amounts.set(p.asset, a);
  }
  const exposures = [...amounts].map(([asset, { held, owed }]) => {
    const priceUsd = prices[asset];
    const netAmount = held - owed;
    return {
      asset,
      priceUsd,
      netAmount,
      netUsd: netAmount * priceUsd,
      collateralAmount: held,
      borrowAmount: owed,
    };
  });
  // Amounts that are each finite can still overflow once priced and summed: never report such a book as HEALTHY.
  if (![collateralUsd, borrowUsd, ...exposures.map((e) => e.netUsd)].every(Number.isFinite))
    throw new RiskInputError('the valuation is not finite (amounts or prices too large to value)');
  return { collateralUsd, borrowUsd, healthScore: healthScore(collateralUsd, borrowUsd), exposures };
}

/** (c − b) / b × 100; null when nothing is borrowed (the portfolio cannot be liquidated). */
export function healthScore(collateralUsd: number, borrowUsd: number): number | null {
  if (!(borrowUsd > 0)) return null;
  // ×100 before ÷b keeps round cases exact: c = 115, b = 100 gives 15, not 15.000000000000002.
  return ((collateralUsd - borrowUsd) * 100) / borrowUsd;
}

export function classifyHealth(
  score: number | null,
  t: MarginThresholds = DEFAULT_MARGIN_THRESHOLDS,
): HealthState {
  if (!(t.warning > t.marginCall && t.marginCall > t.liquidation)) {
    throw new RiskInputError(
      `margin thresholds must satisfy warning > marginCall > liquidation (got ${t.warning}, ${t.marginCall}, ${t.liquidation})`,
    );
  }
  if (score === null) return 'HEALTHY';
  if (Number.isNaN(score)) throw new RiskInputError('health score is NaN');
  if (score < t.liquidation) return 'LIQUIDATION';
  if (score < t.marginCall) return 'MARGIN_CALL';
  if (score < t.warning) return 'WARNING';
  return 'HEALTHY';
}

/**
 * For each collateral asset k (others at their current prices), the price at which the health score equals
 * the liquidation threshold, i.e. collateral = m·borrow with m = 1 + liquidation/100. Linear in P_k even when
 * k is also borrowed: C_other + c_k·P = m·(B_other + d_k·P) ⇒ P = (m·B_other − C_other)/(c_k − m·d_k).
 * null when no positive price solves it (nothing borrowed, other collateral alone suffices, or P_k cancels).
 * When c_k < m·d_k the portfolio is net short k and the price is reached from below (k rising).
 */
export interface LiquidationPrice {
  asset: string;
  currentPriceUsd: number;
  /** priceUsd / currentPriceUsd − 1: how far the price must move (negative: fall), null without a price. */
  changeFraction: number | null;
  /** collateral: the asset is held (net or in part); borrow: only borrowed. */
  side: 'collateral' | 'borrow';
  /** null: no positive price of this asset alone brings the portfolio to liquidation. */
  priceUsd: number | null;
  /** falls: liquidated when the price drops to priceUsd; rises: when it climbs to it (a net borrow). */
  direction: 'falls' | 'rises' | null;
}

export function liquidationPrices(
  positions: Position[],
  prices: Record<string, number>,
  t: MarginThresholds = DEFAULT_MARGIN_THRESHOLDS,
): LiquidationPrice[] {
  checkPositions(positions);
  checkPrices(positions, prices);
  const m = 1 + t.liquidation / 100;
  const coll = new Map<string, number>();
  const debt = new Map<string, number>();
  for (const p of positions) {
    const book = p.side === 'collateral' ? coll : debt;
    book.set(p.asset, (book.get(p.asset) ?? 0) + p.amount);
  }
  // Summed without k rather than total − k's share, which would cancel digits on large books.
  const usdExcept = (book: Map<string, number>, k: string): number => {
    let sum = 0;
    for (const [a, q] of book) if (a !== k) sum += q * prices[a];
    return sum;
  };

  const out: LiquidationPrice[] = [];
  // Collateral assets first, then assets only borrowed: a BTC borrow is liquidated by BTC rising.
  const assets = [...coll.keys(), ...[...debt.keys()].filter((a) => !coll.has(a))];
  for (const asset of assets) {
    const ck = coll.get(asset) ?? 0;
    const dk = debt.get(asset) ?? 0;
    if (ck === 0 && dk === 0) continue;
    const collOther = usdExcept(coll, asset);
    const borrowOther = usdExcept(debt, asset);
    const denom = ck - m * dk;
    const num = m * borrowOther - collOther;
    const p = num / denom;
    // A zero denominator gives an infinite or NaN p: no price solves it.
    const solved = Number.isFinite(p) && p > 0;
    out.push({
      asset,
      currentPriceUsd: prices[asset],
      changeFraction: solved ? p / prices[asset] - 1 : null,
      side: ck > 0 ? 'collateral' : 'borrow',
      priceUsd: solved ? p : null,
      direction: solved ? (denom > 0 ? 'falls' : 'rises') : null,
    });
  }
  return out;
}

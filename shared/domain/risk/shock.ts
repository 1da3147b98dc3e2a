/**
 * A price shock on a portfolio: every non-stable asset's price moved by the same fraction, the book's
 * collateral and borrow revalued from the units held and owed (a netted exposure would hide a borrow that the
 * shock makes dearer). Pure.
 */
import { healthScore } from './margin';

export interface ShockSpec {
  /** Relative price move, −0.99 ≤ fraction ≤ 0 (−0.2: every non-stable asset 20 % lower). */
  fraction: number;
  /** Assets the shock leaves alone (stablecoins). */
  stableAssets: readonly string[];
}

export const DEFAULT_SHOCK: ShockSpec = { fraction: -0.2, stableAssets: ['USDC', 'USDT', 'DAI'] };

export interface HeldAndOwed {
  asset: string;
  priceUsd: number;
  collateralAmount: number;
  borrowAmount: number;
}

/** The health score after the shock; null when nothing is borrowed. */
export function shockedHealthScore(exposures: readonly HeldAndOwed[], shock: ShockSpec): number | null {
  const stable = new Set(shock.stableAssets);
  let collateralUsd = 0;
  let borrowUsd = 0;
  for (const e of exposures) {
    const price = stable.has(e.asset) ? e.priceUsd : e.priceUsd * (1 + shock.fraction);
    collateralUsd += e.collateralAmount * price;
    borrowUsd += e.borrowAmount * price;
  }
  return healthScore(collateralUsd, borrowUsd);
}

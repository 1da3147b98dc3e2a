/**
 * The latest price of every asset, as computePortfolioRisk keeps it in one Firestore document (written from
 * each market tick) and checkRisk polls it: one home for its address and shape.
 */
import { FIRESTORE_COLLECTIONS } from '../contracts/firestore';
import type { PriceQuality, PriceSource } from '../contracts/generated/types';

export const MARKET_STATE = { collection: FIRESTORE_COLLECTIONS.risk.market, id: 'latest' } as const;

export interface LatestPrice {
  priceUsd: number;
  asOf: string;
  tickId: string;
  /** Where the price came from and how far it was checked (absent on state written before they were kept). */
  source?: PriceSource;
  quality?: PriceQuality;
}

export interface MarketState {
  [key: string]: unknown;
  asOf: string;
  tickId: string;
  prices: Record<string, LatestPrice>;
}

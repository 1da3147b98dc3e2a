/** The book and context the pre-trade suites share: one desk's portfolio, fresh prices, the default policy. */
import { DEFAULT_RISK_POLICY } from '../../../shared/domain/controls/default-policy';
import type {
  PreTradeContext,
  PreTradeDecision,
  PreTradeRequest,
} from '../../../shared/domain/controls/pre-trade';

export const NOW = new Date('2020-03-12T12:00:00Z');
export const fresh = NOW.toISOString();

/** 1 BTC at 10,000 USD as collateral, 5,000 USDC borrowed: health (10,000 − 5,000)/5,000 = 100. */
export const PORTFOLIO = {
  portfolioId: 'p-1',
  deskId: 'desk-a',
  positions: [
    { asset: 'BTC', amount: 1, side: 'collateral' as const },
    { asset: 'USDC', amount: 5000, side: 'borrow' as const },
  ],
};

export const PRICES = new Map([
  ['BTC', { priceUsd: 10_000, asOf: fresh }],
  ['USDC', { priceUsd: 1, asOf: fresh }],
  ['ETH', { priceUsd: 200, asOf: fresh }],
  ['AAVE', { priceUsd: 100, asOf: fresh }],
]);

export function ctx(over: Partial<PreTradeContext> = {}): PreTradeContext {
  return {
    now: NOW,
    portfolio: PORTFOLIO,
    reserved: [],
    prices: PRICES,
    policies: [DEFAULT_RISK_POLICY],
    stops: new Map(),
    stopsConfirmedAt: NOW,
    stopsMaxStalenessMs: 1000,
    ...over,
  };
}

let n = 0;
/** A 100 USDC borrow on p-1 unless told otherwise; each request gets its own id. */
export function req(over: Partial<PreTradeRequest> = {}): PreTradeRequest {
  return { requestId: `r-${++n}`, portfolioId: 'p-1', action: 'borrow', asset: 'USDC', amount: 100, ...over };
}

export const reasons = (d: PreTradeDecision) => d.reasons.map((r) => `${r.code}: ${r.message}`);

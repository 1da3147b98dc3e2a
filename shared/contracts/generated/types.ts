/* Generated from schemas/ by `npm run gen`. Do not edit. */

export type Asset = string

/**
 * One validated, aggregated USD price per usable asset for one ingestion tick.
 */
export interface MarketPricesV1 {
/**
 * Derived from the tick minute: the same minute always has the same id.
 */
tickId: string
asOf: string
/**
 * @minItems 1
 */
prices: {
asset: Asset
priceUsd: number
source: ("chainlink" | "pyth" | "median" | "replay")
/**
 * PRIMARY/CROSS_CHECKED: both sources agree; FALLBACK: primary unusable; SINGLE_SOURCE: only one source configured or reachable; REPLAY: historical scenario.
 */
quality: ("PRIMARY" | "FALLBACK" | "CROSS_CHECKED" | "SINGLE_SOURCE" | "REPLAY")
publishedAt: string
confidenceUsd?: number
/**
 * Set when this price closes a UTC day for VaR history.
 */
dailyCloseDate?: string
}[]
}

/**
 * @maxItems 1000
 */
export type Positions = {
asset: string
amount: number
side: ("collateral" | "borrow")
}[]

/**
 * The full set of positions of one portfolio after a change; an update older than the applied one is ignored.
 */
export interface PortfolioPositionsV1 {
portfolioId: string
updatedAt: string
positions: Positions
}

/**
 * The risk of a batch of portfolios (one shard, or one revalued portfolio) at one price tick. Batches keep one delivery per shard instead of one per portfolio.
 */
export interface PortfolioRiskV1 {
tickId: string
asOf: string
/**
 * The shard this batch came from; null for a single portfolio revalued after a position change.
 */
shard?: (number | null)
/**
 * @minItems 1
 * @maxItems 500
 */
portfolios: PortfolioRisk[]
}
/**
 * Valuation, margin health, liquidation prices and historical-simulation VaR/ES of one portfolio at one tick.
 */
export interface PortfolioRisk {
portfolioId: string
tickId: string
asOf: string
positionsUpdatedAt?: string
collateralUsd: number
borrowUsd: number
/**
 * (collateral - borrow) / borrow x 100; null when nothing is borrowed.
 */
healthScore: (number | null)
exposures: {
asset: string
priceUsd: number
netAmount: number
netUsd: number
}[]
liquidationPrices: {
asset: string
/**
 * null: this asset alone cannot bring the portfolio to liquidation.
 */
priceUsd: (number | null)
}[]
risk: ({
lookbackDays: number
scenarios: number
historyEnd?: string
quantileMethod: ("linear" | "inverted_cdf")
horizonMethod: ("sqrt" | "overlapping")
figures: {
confidence: number
horizonDays: number
varUsd: number
esUsd: number
}[]
} | null)
}

/**
 * Revalue every portfolio of one shard at one price tick (fan-out unit of computePortfolioRisk).
 */
export interface ShardWorkV1 {
tickId: string
shard: number
shardCount: number
asOf: string
/**
 * @minItems 1
 */
prices: {
asset: string
priceUsd: number
}[]
}

export type State = ("HEALTHY" | "WARNING" | "MARGIN_CALL" | "LIQUIDATION")

/**
 * One margin-health transition of one portfolio. eventId is derived from portfolio, transition and tick.
 */
export interface MarginAlertV1 {
eventId: string
portfolioId: string
fromState: State
toState: State
healthScore: (number | null)
tickId: string
asOf: string
collateralUsd: number
borrowUsd: number
severity: ("INFO" | "WARNING" | "CRITICAL")
}

/**
 * No usable price for an asset at a tick (every source failed validation or is unreachable), or a source's circuit opened.
 */
export interface PriceAlertV1 {
/**
 * Derived from tick, asset and kind: a redelivered tick raises the same alert id.
 */
alertId: string
tickId: string
asOf: string
asset: string
kind: ("NO_USABLE_PRICE" | "SOURCE_CIRCUIT_OPEN" | "SOURCES_DISAGREE")
reasons: string[]
}

export type PortfolioId = string
/**
 * @maxItems 1000
 */
export interface PortfolioFile {
portfolioId: PortfolioId
positions: Positions
}

/**
 * Valuation, margin health, liquidation prices and historical-simulation VaR/ES of one portfolio at one tick.
 */
export interface MarketPriceRow {
/**
 * tick_id:asset
 */
row_id: string
tick_id: string
as_of: string
asset: string
price_usd: number
source: string
quality: string
published_at: string
confidence_usd?: (number | null)
}

/**
 * Net USD exposure of one portfolio to one asset at one tick, with the portfolio's headline figures.
 */
export interface PortfolioExposureRow {
/**
 * portfolio_id:tick_id:asset
 */
row_id: string
portfolio_id: string
tick_id: string
as_of: string
asset: string
price_usd: number
net_amount: number
net_exposure_usd: number
collateral_usd: number
borrow_usd: number
health_score?: (number | null)
var_99_1d_usd?: (number | null)
es_975_1d_usd?: (number | null)
}

/**
 * One margin-health transition (the platform's contract table risk.margin_events).
 */
export interface MarginEventRow {
event_id: string
portfolio_id: string
from_state: string
to_state: string
health_score?: (number | null)
tick_id: string
as_of: string
collateral_usd: number
borrow_usd: number
detected_at: string
}

/**
 * PLACEHOLDER: to be defined by its issue.
 */
export interface KycEventV1 {

}

/**
 * PLACEHOLDER: to be defined by its issue.
 */
export interface ComplianceTransactionV1 {

}

/**
 * One AML rule triggered by one transaction. alertId is derived from rule, policy version and transaction, so a redelivered transaction yields the same alert.
 */
export interface AmlAlertV1 {
alertId: string
ruleId: string
ruleType: ("velocity_count" | "velocity_amount" | "large_transaction" | "structuring" | "geographic_restriction" | "sanctions_screening" | "pep_screening" | "new_account_high_value" | "round_amount")
policyVersion: string
transactionId: string
userId: string
amountUsd?: number
severity: ("INFO" | "WARNING" | "CRITICAL")
recommendedAction: ("MANUAL_REVIEW" | "ENHANCED_DUE_DILIGENCE" | "BLOCK")
/**
 * One plain-text line for notifications.
 */
summary: string
/**
 * Rule-specific evidence (window counts, matched list entry and score, country...); no raw personal data beyond the matched list entry.
 */
details: {

}
occurredAt: string
detectedAt: string
}

/**
 * PLACEHOLDER: to be defined by its issue.
 */
export interface NotificationDispatchV1 {

}

export interface SchemaTypes {
  'messages/market.prices.v1': MarketPricesV1;
  'messages/portfolio.positions.v1': PortfolioPositionsV1;
  'messages/risk.portfolio-risk.v1': PortfolioRiskV1;
  'messages/risk.shard-work.v1': ShardWorkV1;
  'messages/alerts.margin.v1': MarginAlertV1;
  'messages/alerts.prices.v1': PriceAlertV1;
  'inputs/portfolio': PortfolioFile;
  'shared/portfolio-risk': PortfolioRisk;
  'warehouse/market.prices': MarketPriceRow;
  'warehouse/risk.portfolio_exposures': PortfolioExposureRow;
  'warehouse/risk.margin_events': MarginEventRow;
  'messages/kyc.events.v1': KycEventV1;
  'messages/compliance.transactions.v1': ComplianceTransactionV1;
  'messages/alerts.aml.v1': AmlAlertV1;
  'messages/notifications.dispatch.v1': NotificationDispatchV1;
}

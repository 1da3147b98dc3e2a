/* Generated from schemas/ by `npm run gen`. Do not edit. */

export type Asset = string
export type PriceSource = ("chainlink" | "pyth" | "median" | "replay")
/**
 * PRIMARY/CROSS_CHECKED: both sources agree; FALLBACK: primary unusable; SINGLE_SOURCE: only one source configured or reachable; REPLAY: historical scenario.
 */
export type PriceQuality = ("PRIMARY" | "FALLBACK" | "CROSS_CHECKED" | "SINGLE_SOURCE" | "REPLAY")

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
/**
 * USD price of one unit of an asset.
 */
priceUsd: number
source: PriceSource
quality: PriceQuality
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
/**
 * Units of one asset held or owed.
 */
amount: number
side: ("collateral" | "borrow")
}[]

/**
 * The full set of positions of one portfolio after a change; an update older than the applied one is ignored.
 */
export interface PortfolioPositionsV1 {
portfolioId: string
/**
 * The portfolio's desk. Like the positions, each update states it in full: an update without one puts the portfolio in the desk 'default'.
 */
deskId?: string
updatedAt: string
positions: Positions
/**
 * The checkRisk requestIds of the approved actions these positions already include (recent ones; older ones may be left out): checkRisk stops counting them as reserved.
 * 
 * @maxItems 1000
 */
appliedRequestIds?: string[]
}

export type RiskFigures = ({
lookbackDays: number
scenarios: number
historyEnd?: string
quantileMethod: ("linear" | "inverted_cdf")
horizonMethod: ("sqrt" | "overlapping")
/**
 * Daily closes of assets this portfolio holds that were missing inside the VaR window: the scenarios touching them were left out and the window reached further back (README: Missing daily closes). Absent when none.
 */
historyGaps?: HistoryGap[]
figures: {
confidence: number
horizonDays: number
varUsd: number
esUsd: number
}[]
} | null)

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
 * Valuation, margin health, liquidation prices, historical-simulation VaR/ES and the risk metrics of one portfolio of one desk at one tick.
 */
export interface PortfolioRisk {
portfolioId: string
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId: string
tickId: string
asOf: string
positionsUpdatedAt?: string
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
collateralUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
borrowUsd: number
/**
 * (collateral - borrow) / borrow x 100; null when nothing is borrowed.
 */
healthScore: (number | null)
exposures: Exposure[]
liquidationPrices: LiquidationPrice[]
risk: RiskFigures
metrics: RiskMetrics
}
export interface Exposure {
asset: string
/**
 * USD price of one unit of an asset.
 */
priceUsd: number
netAmount: number
/**
 * A USD amount that may be negative (a net exposure).
 */
netUsd: number
source?: PriceSource
quality?: PriceQuality
/**
 * The tick whose price valued this asset (a price may be carried from an earlier tick within the allowed age).
 */
priceAsOf?: string
/**
 * Units held as collateral (the net amount hides what is held against what is owed).
 */
collateralAmount: number
/**
 * Units borrowed.
 */
borrowAmount: number
}
export interface LiquidationPrice {
asset: string
/**
 * collateral: the asset is held (in part or net); borrow: only borrowed.
 */
side: ("collateral" | "borrow")
/**
 * null: this asset alone cannot bring the portfolio to liquidation.
 */
priceUsd: (number | null)
/**
 * falls: liquidated when the price drops to priceUsd; rises: when it climbs to it (a borrowed asset, or a net short).
 */
direction: ("falls" | "rises" | null)
/**
 * USD price of one unit of an asset.
 */
currentPriceUsd: number
/**
 * priceUsd / currentPriceUsd − 1: negative, the asset must fall this much; positive, rise.
 */
changeFraction: (number | null)
}
/**
 * A daily close missing from the history, which VaR was computed without.
 */
export interface HistoryGap {
asset: string
date: string
}
/**
 * The risk metrics of one portfolio at one tick, as computed by shared/domain/controls/metrics.ts (its comment defines each). Ratios over equity are null unless equity is POSITIVE; every number is finite and bounded.
 */
export interface RiskMetrics {
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
collateralUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
borrowUsd: number
/**
 * A USD amount that may be negative (a net exposure).
 */
equityUsd: number
/**
 * ZERO: |equity| <= 1e-9 x (collateral + borrow). NEGATIVE equity is a hard violation by default.
 */
equityState: ("POSITIVE" | "ZERO" | "NEGATIVE")
/**
 * (collateral - borrow) / borrow x 100; null when nothing is borrowed.
 */
healthScore: (number | null)
/**
 * borrow / equity; 0 with nothing borrowed; null when equity is ZERO or NEGATIVE.
 */
leverage: (number | null)
concentration: {
/**
 * The largest asset's share of total collateral; null without collateral.
 */
collateral: (AssetShare | null)
/**
 * The largest asset's share of gross exposure (collateral + borrow over all assets); null when empty.
 */
gross: (AssetShare | null)
}
/**
 * @maxItems 1000
 */
notional: {
asset: string
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
collateralUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
borrowUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
grossUsd: number
/**
 * A USD amount that may be negative (a net exposure).
 */
netUsd: number
}[]
/**
 * null when the history does not cover the window or its peak is not positive (drawdownUnavailable).
 */
drawdown: (Drawdown | null)
drawdownUnavailable?: ("NO_HISTORY" | "NON_POSITIVE_PEAK")
/**
 * @maxItems 100
 */
tailShares: {
confidence: number
horizonDays: number
/**
 * VaR / equity; null unless equity is POSITIVE.
 */
varShare: (number | null)
/**
 * ES / equity; null unless equity is POSITIVE.
 */
esShare: (number | null)
}[]
/**
 * Set when computing a metric failed: the metrics were recomputed without history and VaR/ES (no drawdown, no tail shares), the valuation kept. The error, for the logs' reader.
 */
degraded?: string
}
export interface AssetShare {
asset: string
share: number
}
export interface Drawdown {
/**
 * (peak - now) / peak, the peak being the highest value in the window; above 1 once equity is negative.
 */
current: number
/**
 * The worst (running peak - value) / running peak within the window.
 */
max: number
/**
 * A USD amount that may be negative (a net exposure).
 */
peakUsd: number
/**
 * A USD amount that may be negative (a net exposure).
 */
troughUsd: number
windowDays: number
/**
 * The window's daily closes plus the current valuation.
 */
observations: number
/**
 * A USD amount that may be negative (a net exposure).
 */
nowUsd?: number
/**
 * The close at the peak; null when the peak is now.
 */
peakDate?: (string | null)
/**
 * A USD amount that may be negative (a net exposure).
 */
maxPeakUsd?: number
/**
 * A USD amount that may be negative (a net exposure).
 */
maxTroughUsd?: number
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
/**
 * USD price of one unit of an asset.
 */
priceUsd: number
source?: PriceSource
quality?: PriceQuality
/**
 * The tick this price came from.
 */
asOf?: string
}[]
}

export type State = ("HEALTHY" | "WARNING" | "MARGIN_CALL" | "LIQUIDATION")

/**
 * One margin-health transition of one portfolio. eventId is derived from portfolio, transition and tick.
 */
export interface MarginAlertV1 {
eventId: string
portfolioId: string
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId?: string
fromState: State
toState: State
healthScore: (number | null)
tickId: string
asOf: string
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
collateralUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
borrowUsd: number
severity: ("INFO" | "WARNING" | "CRITICAL")
}

/**
 * No usable price for an asset at a tick (every source failed validation or is unreachable), a source's circuit opened, sources disagreeing, or a portfolio that could not be valued at a tick (PORTFOLIO_NOT_VALUED, raised by computePortfolioRisk, with portfolioId).
 */
export interface PriceAlertV1 {
/**
 * Derived from the content (tick, asset or portfolio, kind): a redelivered tick raises the same alert id.
 */
alertId: string
tickId: string
asOf: string
/**
 * The asset; '*' for a source's circuit; for PORTFOLIO_NOT_VALUED the unpriced assets, sorted and comma-separated.
 */
asset: string
kind: ("NO_USABLE_PRICE" | "SOURCE_CIRCUIT_OPEN" | "SOURCES_DISAGREE" | "PORTFOLIO_NOT_VALUED")
/**
 * The portfolio that could not be valued (PORTFOLIO_NOT_VALUED only).
 */
portfolioId?: string
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId?: string
reasons: string[]
}

export type PortfolioId = string
/**
 * A portfolio as analysts hand it to the fusion-risk CLI.
 */
export interface PortfolioFile {
portfolioId: PortfolioId
positions: Positions
}

/**
 * Units of one asset held or owed.
 */
export type AssetAmount = number
/**
 * USD price of one unit of an asset.
 */
export type PriceUsd = number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
export type UsdAmount = number
/**
 * A USD amount that may be negative (a net exposure).
 */
export type SignedUsdAmount = number
/**
 * A dimensionless ratio (leverage, a share of equity, a drawdown). Risk metrics cap their ratios at this magnitude (shared/domain/controls/metrics.ts, RATIO_LIMIT); only a book at rounding distance from zero equity comes near it.
 */
export type Ratio = number

/**
 * Bounds for every amount and price that crosses a boundary. Far above any real figure (the whole crypto market is about 1e13 USD) and far below where products of amounts, prices and a thousand positions stop being finite, so no figure computed from valid input can be NaN or Infinity. The top level holds one of each, so the bounds themselves are tested by fixtures.
 */
export interface Amounts {
assetAmount?: AssetAmount
priceUsd?: PriceUsd
usdAmount?: UsdAmount
signedUsdAmount?: SignedUsdAmount
ratio?: Ratio
}

/**
 * One published price of one asset at one tick.
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
 * Historical-simulation VaR and Expected Shortfall of one portfolio at one tick, one row per confidence x horizon, with each as a share of equity and the method that produced it.
 */
export interface PortfolioRiskFigureRow {
/**
 * portfolio_id:tick_id:positions_updated_at:confidence:horizon_days (a revaluation after a position change at the same tick is its own row)
 */
row_id: string
portfolio_id: string
desk_id: string
tick_id: string
as_of: string
positions_updated_at: string
confidence: number
horizon_days: number
var_usd: number
es_usd: number
/**
 * VaR / equity; null unless equity is positive
 */
var_share_of_equity?: (number | null)
/**
 * ES / equity; null unless equity is positive
 */
es_share_of_equity?: (number | null)
lookback_days: number
scenarios: number
history_end?: (string | null)
quantile_method: string
horizon_method: string
/**
 * Daily closes missing inside the VaR window of assets the portfolio holds, which the figure was computed without: ASSET:YYYY-MM-DD joined by commas, by asset then date; null when none
 */
history_gaps?: (string | null)
}

/**
 * For one asset of one portfolio at one tick, the price (others held constant) at which the health score reaches the liquidation threshold; null when no price of that asset alone liquidates the portfolio.
 */
export interface LiquidationPriceRow {
/**
 * portfolio_id:tick_id:positions_updated_at:asset:side
 */
row_id: string
portfolio_id: string
desk_id: string
tick_id: string
as_of: string
positions_updated_at: string
asset: string
/**
 * collateral: the asset is held (its fall liquidates, or its rise when net short); borrow: only borrowed (its rise liquidates)
 */
side: ("collateral" | "borrow")
/**
 * the asset's price at the tick, to compare with
 */
price_usd: number
liquidation_price_usd?: (number | null)
}

/**
 * The risk metrics of one portfolio at one tick (shared/domain/controls/metrics.ts defines each): equity and its state, leverage, concentration and drawdown. VaR/ES as shares of equity are in risk.portfolio_risk_figures.
 */
export interface PortfolioMetricsRow {
/**
 * portfolio_id:tick_id:positions_updated_at
 */
row_id: string
portfolio_id: string
desk_id: string
tick_id: string
as_of: string
positions_updated_at: string
collateral_usd: number
borrow_usd: number
equity_usd: number
equity_state: ("POSITIVE" | "ZERO" | "NEGATIVE")
health_score?: (number | null)
/**
 * borrow / equity; null when equity is zero or negative
 */
leverage?: (number | null)
collateral_concentration_asset?: (string | null)
collateral_concentration_share?: (number | null)
gross_concentration_asset?: (string | null)
gross_concentration_share?: (number | null)
drawdown_current?: (number | null)
drawdown_max?: (number | null)
drawdown_peak_usd?: (number | null)
drawdown_trough_usd?: (number | null)
drawdown_window_days?: (number | null)
/**
 * NO_HISTORY or NON_POSITIVE_PEAK when there is no drawdown
 */
drawdown_unavailable?: (string | null)
/**
 * set when a metric failed and the metrics were computed without history and VaR/ES
 */
degraded?: (string | null)
}

export type Status = ("created" | "pending" | "completed" | "failed" | "expired" | "needs_review" | "approved" | "declined")

/**
 * One KYC case state change, derived from a Persona inquiry webhook. Carries ids and statuses only: no personal data (names, birth dates, addresses and document numbers stay encrypted in the case document).
 */
export interface KycEventV1 {
/**
 * Content-derived from the case and the Persona event id: redeliveries carry the same id.
 */
eventId: string
/**
 * The KYC case: the inquiry's reference id (our user id).
 */
caseId: string
inquiryId: string
/**
 * null when the case is new.
 */
fromStatus: (Status | null)
toStatus: Status
personaEventId: string
personaEventName: string
/**
 * When Persona created the event (its created-at): the order of state changes.
 */
occurredAt: string
recordedAt: string
/**
 * Who or what changed the case (the receiving function and the Persona webhook).
 */
actor: string
}

/**
 * A Persona webhook delivery (JSON:API event), after its keys are normalised to camelCase: Persona sends kebab-case, camelCase or snake_case keys according to the webhook's key-inflection setting. Extra keys are allowed where Persona adds attributes over API versions; the ids, names and times this system relies on are strict.
 */
export interface PersonaWebhookEvent {
data: {
type: "event"
id: string
attributes: {
name: string
createdAt: string
payload: {
data: {
type: string
id: string
attributes?: {

}
relationships?: {

}
}
included?: unknown[]
}
}
}
}

/**
 * The body of a startKyc call: start (or reuse) identity verification for one user.
 */
export interface PersonaStartKycRequest {
/**
 * Our user id; becomes the inquiry's reference id and the KYC case id.
 */
userId: string
/**
 * The caller's id for this request; a retry with the same id reuses the same inquiry (Idempotency-Key).
 */
requestId?: string
/**
 * The service or operator asking (kept in the case's audit trail).
 */
requestedBy?: string
/**
 * Ignore a cached decision and open a new inquiry (re-verification).
 */
forceNew?: boolean
}

/**
 * One KYC case state change (the rows behind kyc.events.v1); no personal data.
 */
export interface KycEventRow {
event_id: string
case_id: string
inquiry_id: string
/**
 * null when the case was new
 */
from_status?: (string | null)
to_status: string
persona_event_id: string
persona_event_name: string
/**
 * Persona's event created-at
 */
occurred_at: string
recorded_at: string
actor: string
}

/**
 * One customer transaction to screen against the AML policy. transactionId is the platform's own id: a redelivered or re-published transaction carries the same id and is counted once.
 */
export interface ComplianceTransactionV1 {
transactionId: string
userId: string
/**
 * When the customer's account was opened (new-account rules).
 */
accountOpenedAt: string
type: ("DEPOSIT" | "WITHDRAWAL" | "TRANSFER_IN" | "TRANSFER_OUT" | "LOAN_DISBURSEMENT" | "LOAN_REPAYMENT")
/**
 * Payment rail, when known.
 */
channel?: ("CRYPTO" | "WIRE" | "ACH" | "CARD" | "CASH" | "INTERNAL")
/**
 * Nominal amount in `currency`, as an exact decimal string (round-amount rules read it).
 */
amount: string
/**
 * ISO 4217 code or crypto ticker (USD, EUR, USDC, BTC...).
 */
currency: string
/**
 * The amount valued in USD at occurredAt (thresholds, velocity and structuring read it).
 */
amountUsd: number
/**
 * ISO 3166-1 alpha-2 country of the customer's residence, when known.
 */
customerCountry?: string
/**
 * The other side of the transaction, when known (screened by name and geography).
 */
counterparty?: {
name?: string
kind?: ("individual" | "entity")
/**
 * ISO 3166-1 alpha-2.
 */
country?: string
/**
 * ISO 3166-2 subdivision (UA-43 Crimea...), when known.
 */
region?: string
accountRef?: string
}
occurredAt: string
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
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
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

export type AmlRuleId = string
export type AmlSeverity = ("INFO" | "WARNING" | "CRITICAL")
export type AmlRecommendedAction = ("MANUAL_REVIEW" | "ENHANCED_DUE_DILIGENCE" | "BLOCK")
/**
 * Only these transaction types are evaluated and counted by the rule (all when absent).
 * 
 * @minItems 1
 */
export type AmlTransactionTypes = ("DEPOSIT" | "WITHDRAWAL" | "TRANSFER_IN" | "TRANSFER_OUT" | "LOAN_DISBURSEMENT" | "LOAN_REPAYMENT")[]
/**
 * Sliding window (occurredAt - window, occurredAt], at most 90 days.
 */
export type AmlWindowSeconds = number

/**
 * The AML policy as data: a versioned rule set (thresholds, windows, lists, severities, recommended actions). Changing a rule is a new policy version, never a code change. Bounds follow one convention: 'max*' and 'threshold*' fire strictly above, 'min*' at or above, bands are [lower, upper).
 */
export interface AmlPolicy {
/**
 * Goes into every alert id: a new version re-alerts under new ids.
 */
policyVersion: string
effectiveFrom: string
description?: string
state?: {
/**
 * Cap on the window entries kept per user (oldest dropped first); the longest window is kept anyway up to this cap.
 */
maxEntriesPerUser?: number
}
/**
 * Named country/region lists with effective dates (sanctions programs and FATF lists change over time).
 */
jurisdictionLists: {
[k: string]: AmlJurisdictionList | undefined
}
/**
 * @minItems 1
 */
rules: (AmlVelocityCountRule | AmlVelocityAmountRule | AmlLargeTransactionRule | AmlStructuringRule | AmlGeographicRule | AmlScreeningRule | AmlNewAccountRule | AmlRoundAmountRule)[]
}
export interface AmlJurisdictionList {
description?: string
source: string
entries: AmlJurisdictionEntry[]
}
export interface AmlJurisdictionEntry {
/**
 * ISO 3166-1 alpha-2 country, or ISO 3166-2 region.
 */
code: string
name?: string
effectiveFrom: string
/**
 * First day the entry no longer applies (exclusive).
 */
effectiveTo?: string
note?: string
}
export interface AmlVelocityCountRule {
id: AmlRuleId
type: "velocity_count"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
windowSeconds: AmlWindowSeconds
/**
 * Fires when the window holds more than this many transactions (this one included).
 */
maxCount: number
}
}
export interface AmlVelocityAmountRule {
id: AmlRuleId
type: "velocity_amount"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
windowSeconds: AmlWindowSeconds
/**
 * Fires when the window's USD total (this transaction included) is above this.
 */
maxAmountUsd: number
}
}
export interface AmlLargeTransactionRule {
id: AmlRuleId
type: "large_transaction"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
/**
 * Fires when amountUsd is above this (CTR: over 10,000 USD).
 */
thresholdUsd: number
}
}
export interface AmlStructuringRule {
id: AmlRuleId
type: "structuring"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
windowSeconds: AmlWindowSeconds
/**
 * The reporting threshold being avoided; the band's exclusive upper bound.
 */
thresholdUsd: number
/**
 * Inclusive lower bound of 'just under the threshold'.
 */
lowerBoundUsd: number
/**
 * Fires when this transaction is in the band and the window holds at least this many in the band.
 */
minCount: number
}
}
export interface AmlGeographicRule {
id: AmlRuleId
type: "geographic_restriction"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
/**
 * A key of jurisdictionLists.
 */
list: string
/**
 * @minItems 1
 */
parties: ("counterparty" | "customer")[]
}
}
export interface AmlScreeningRule {
id: AmlRuleId
type: ("sanctions_screening" | "pep_screening")
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
/**
 * Id of a screening list (OFAC SDN CSV format) the deployment loads.
 */
list: string
/**
 * Fires when the counterparty name scores at least this (watchman-style, 0..1).
 */
minScore: number
/**
 * What fires the rule: 'match' (default) a name scoring at least minScore; 'obfuscation' a name disguised with invisible or format characters, letters of several scripts in one word, or styled (fullwidth, mathematical) letters, whatever it scores. Names are screened after folding those away either way.
 */
finding?: ("match" | "obfuscation")
}
}
export interface AmlNewAccountRule {
id: AmlRuleId
type: "new_account_high_value"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
/**
 * The account counts as new while occurredAt - accountOpenedAt is below this.
 */
accountYoungerThanSeconds: number
minAmountUsd: number
}
}
export interface AmlRoundAmountRule {
id: AmlRuleId
type: "round_amount"
description?: string
enabled?: boolean
severity: AmlSeverity
recommendedAction: AmlRecommendedAction
appliesTo?: AmlTransactionTypes
params: {
/**
 * A nominal amount that is an exact multiple of this is round.
 */
multipleOf: number
/**
 * Nominal amounts below this are never counted as round.
 */
minAmount: number
/**
 * Only nominal amounts in these currencies count (all when absent).
 * 
 * @minItems 1
 */
currencies?: string[]
windowSeconds: AmlWindowSeconds
/**
 * Fires when this amount is round and the window holds at least this many round ones.
 */
minCount: number
}
}

export type Id = string
export type Scope = ({
level: "global"
} | {
level: "desk"
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId: string
} | {
level: "portfolio"
portfolioId: string
})

/**
 * A risk policy as data: limits on the risk metrics of the portfolios in its scope, the margin thresholds, the circuit breaker and the price staleness bound. Stored in Firestore, changed only through riskAdmin, a new version per change. Where several policies apply to a portfolio, for each metric (and asset, confidence, horizon) and kind the rule of the most specific scope wins (portfolio, then desk, then global; a rule naming an asset is more specific than one that does not), then the higher priority.
 */
export interface RiskPolicy {
policyId: Id
/**
 * Increases by one with every change; a change must name the version it replaces.
 */
version: number
description?: string
scope: Scope
/**
 * Breaks ties between rules of equally specific scopes: the higher wins.
 */
priority?: number
enabled: boolean
effectiveFrom: string
/**
 * @maxItems 200
 */
rules: Rule[]
/**
 * Health-score thresholds (percent) of the margin states and the recovery band of their hysteresis.
 */
margin?: {
warning: number
marginCall: number
liquidation: number
recoveryBand: number
}
/**
 * A circuit breaker: this many hard events (portfolios entering a hard violation, pre-trade denials by a hard rule) within the sliding window halt a scope. By default the scope is the policy's own (a desk policy's breaker counts the whole desk and halts it); with per = portfolio each portfolio the policy covers has a breaker of its own and only that portfolio halts, like an exchange's market-maker protection per account.
 */
breaker?: {
hardEvents: number
windowSeconds: number
per?: ("scope" | "portfolio")
}
/**
 * A pre-trade check denies (fails closed) when a price it needs is older than this.
 */
prices?: {
maxAgeSeconds: number
}
}
export interface Rule {
ruleId: Id
description?: string
/**
 * Portfolio metrics, or per-asset ones (asset*): those are evaluated for every asset held, or for `asset` only.
 */
metric: ("healthScore" | "leverage" | "equityUsd" | "collateralUsd" | "borrowUsd" | "collateralConcentration" | "grossConcentration" | "drawdown" | "maxDrawdown" | "varUsd" | "esUsd" | "varShareOfEquity" | "esShareOfEquity" | "assetGrossUsd" | "assetBorrowUsd" | "assetGrossShare")
operator: ("<" | "<=" | ">" | ">=")
threshold: number
/**
 * soft warns; hard blocks pre-trade, alerts CRITICAL and counts toward the breaker; emergency halts the scope at once.
 */
kind: ("soft" | "hard" | "emergency")
/**
 * The asset scope: only for per-asset metrics.
 */
asset?: string
confidence?: number
horizonDays?: number
/**
 * Where the rule applies; both when absent.
 * 
 * @minItems 1
 */
stages?: ("continuous" | "pre-trade")[]
priority?: number
enabled?: boolean
}

/**
 * The price-feed configuration ingestPrices reads (shared/domain/prices/config.ts, PriceFeedConfig): per asset where Chainlink and Pyth publish it and the bounds of the validation rules, plus the pipeline-wide settings. Adding an asset is a change to this document, never to code. Bounds that would switch a validation rule off (a jump or deviation ratio of 0 or beyond 1, a staleness limit of days) are refused; the cross-field checks (unique assets, proxies and Pyth ids; maxCoolDownMs ≥ coolDownMs) are parsePriceFeedConfig's.
 */
export interface PriceFeedConfigDocument {
/**
 * @minItems 1
 */
assets: PriceFeedAssetDocument[]
/**
 * Added to each Chainlink heartbeat: heartbeat rounds land late under congestion.
 */
chainlinkStalenessMarginSeconds: number
/**
 * A timestamp this far ahead of our clock is still accepted (clock skew); beyond it, rejected.
 */
maxFutureSkewSeconds: number
/**
 * How recent the last good price must be to vouch for an untrusted source on its own.
 */
continuityWindowSeconds: number
circuitBreaker: PriceFeedCircuitBreakerPolicy
/**
 * Upper bound on one source's read; the tick runs every minute, so never more than that.
 */
sourceTimeoutMs: number
/**
 * Daily closes kept per asset for VaR (a year of returns needs 366).
 */
dailyCloseLimit: number
}
/**
 * At least one source: an asset without a chainlink feed needs a pyth id.
 */
export interface PriceFeedAssetDocument {
asset: string
chainlink?: PriceFeedChainlinkDocument
pyth?: PriceFeedPythDocument
/**
 * Largest move vs the last good price a single source may report, |a − b| / max(a, b) (Liquity: 0.5). That ratio is below 1 for any two positive prices, so 1 or more would accept every jump.
 */
maxJumpRatio: number
/**
 * Largest gap between sources that still counts as agreement, |a − b| / min(a, b) (Liquity: 0.05).
 */
maxSourceDeviation: number
/**
 * Where the values come from and what is unconfirmed.
 */
note?: string
}
export interface PriceFeedChainlinkDocument {
/**
 * The feed's proxy address (not the aggregator behind it, which changes at phase upgrades).
 */
proxy: string
/**
 * Expected decimals(); another answer means the proxy now points somewhere unexpected.
 */
decimals: number
/**
 * The feed's heartbeat: an honest answer is never older than this (plus the margin).
 */
heartbeatSeconds: number
/**
 * Overrides chainlinkStalenessMarginSeconds for this feed.
 */
stalenessMarginSeconds?: number
/**
 * The feed's deviation trigger (fraction); informational, the local server emulates it.
 */
deviationThreshold?: number
}
export interface PriceFeedPythDocument {
/**
 * 32-byte hex price feed id, 0x optional, any case (normalised to 0x + lowercase).
 */
id: string
/**
 * Pyth publishes several times a second; anything older than this is stale.
 */
maxAgeSeconds: number
/**
 * Reject when conf / price exceeds this (pause when σ/μ is too wide).
 */
maxConfidenceRatio: number
}
export interface PriceFeedCircuitBreakerPolicy {
/**
 * Consecutive failed reads that open a source's circuit.
 */
failureThreshold: number
/**
 * First cool-down after opening.
 */
coolDownMs: number
/**
 * Each failed trial doubles the cool-down up to this (at least coolDownMs).
 */
maxCoolDownMs: number
}

/**
 * One AML alert: one triggered rule for one transaction under one policy version.
 */
export interface AmlAlertRow {
alert_id: string
rule_id: string
rule_type: string
policy_version: string
transaction_id: string
user_id: string
amount_usd?: (number | null)
severity: string
recommended_action: string
summary: string
/**
 * The alert's details object as JSON text.
 */
details_json: string
occurred_at: string
detected_at: string
}

/**
 * One notification of one alert to one recipient on one channel. dispatchId is derived from (alert, recipient, channel), so a redelivered alert yields the same dispatch and a failing channel is retried alone. Carries no contact details: deliverNotification reads the address from the recipient document.
 */
export interface NotificationDispatchV1 {
dispatchId: string
alertId: string
source: ("alerts.margin.v1" | "alerts.aml.v1" | "alerts.prices.v1" | "alerts.operations.v1" | "alerts.risk.v1" | "alerts.cases.v1")
/**
 * Alert kind, e.g. margin.MARGIN_CALL, aml.structuring, prices.NO_USABLE_PRICE or operations.EVENT_TIME_IN_FUTURE or risk.STOP_CHANGED or cases.SLA_BREACHED; selects the template.
 */
kind: string
/**
 * What the alert is about: a portfolio id, a customer id, an asset (price alerts), the source topic (operations alerts), or the scope key (risk alerts: global, desk:<id>, portfolio:<id>), or the case id (case alerts).
 */
subject: string
severity: ("INFO" | "WARNING" | "CRITICAL")
/**
 * True when the alert escalates (e.g. margin call to liquidation); never de-duplicated.
 */
escalation: boolean
recipientId: string
channel: ("email" | "sms" | "webhook")
/**
 * The alert as published on its source topic.
 */
alert: (MarginAlertV1 | AmlAlertV1 | PriceAlertV1 | OperationsAlertV1 | RiskAlertV1 | CaseAlertV1)
/**
 * When fanOutNotifications decided to send (its clock).
 */
createdAt: string
}
/**
 * Something the operators must fix upstream. EVENT_TIME_IN_FUTURE: a consumer refused an event dated later than its clock plus the allowed skew (the message was dead-lettered for replay, a Persona delivery answered 503 so Persona retries it). Ids only, no personal data. alertId is derived from the refused event, so a redelivery raises the same alert.
 */
export interface OperationsAlertV1 {
alertId: string
kind: "EVENT_TIME_IN_FUTURE"
severity: ("INFO" | "WARNING" | "CRITICAL")
/**
 * Where the event came from: its topic, or persona-webhook for Persona's HTTP deliveries.
 */
sourceTopic: string
subjectKind: ("portfolio" | "user" | "kyc-case")
/**
 * The platform's opaque id of the portfolio, user or KYC case: never a name.
 */
subjectId: string
/**
 * The event's own id when it has one (transaction id, Persona event id).
 */
eventId?: string
/**
 * The refused field (occurredAt, updatedAt, createdAt...).
 */
eventTimeField: string
/**
 * The refused time, as received.
 */
eventTime: string
/**
 * The consumer's clock when refused.
 */
receivedAt: string
/**
 * How far ahead of receivedAt eventTime is.
 */
skewSeconds: number
/**
 * The allowance it exceeded.
 */
maxSkewSeconds: number
/**
 * The refused Pub/Sub message (fusion-source-message-id on its dead letter), or the Persona event id.
 */
messageId: string
}
/**
 * Risk controls: STOP_CHANGED (a kill-switch transition: engaged, release requested, released; always CRITICAL), POLICY_INVALID (a stored risk policy that cannot be used; the last valid version stays in force), RISK_LIMIT_BREACHED / RISK_LIMIT_CLEARED (continuous evaluation). Ids only: the one personal datum is the actor, the operator's work e-mail (or 'circuit-breaker'), because who changed a control is the point of the alert. alertId is derived from the audit entry (or the evaluation), so a retry raises the same alert.
 */
export interface RiskAlertV1 {
alertId: string
kind: ("STOP_CHANGED" | "POLICY_INVALID" | "RISK_LIMIT_BREACHED" | "RISK_LIMIT_CLEARED")
severity: ("INFO" | "WARNING" | "CRITICAL")
/**
 * global, desk:<deskId> or portfolio:<portfolioId>.
 */
scopeKey: string
deskId?: string
portfolioId?: string
/**
 * The Firestore audit entry (riskStopAudit or riskPolicyAudit) this alert announces.
 */
auditId?: string
policyId?: string
policyVersion?: number
ruleId?: string
/**
 * RISK_LIMIT_*: the violation event (the row id of risk.risk_violations).
 */
eventId?: string
/**
 * RISK_LIMIT_*: soft warns, hard blocks and counts toward the circuit breaker, emergency halts the policy's scope.
 */
ruleKind?: ("soft" | "hard" | "emergency")
metric?: string
asset?: string
operator?: ("<" | "<=" | ">" | ">=")
threshold?: number
/**
 * The metric's value; null when it is not a number (valueState says why).
 */
value?: (number | null)
valueState?: ("NEGATIVE_EQUITY" | "ZERO_EQUITY")
tickId?: string
/**
 * RISK_LIMIT_CLEARED: when the violation had started.
 */
since?: string
stateBefore?: ("ACTIVE" | "REDUCING" | "HALTED")
stateAfter?: ("ACTIVE" | "REDUCING" | "HALTED")
/**
 * STOP_CHANGED: what happened to the stop.
 */
transition?: ("ENGAGED" | "RELEASE_REQUESTED" | "RELEASED")
/**
 * RELEASE_REQUESTED: the state the release would loosen to once approved.
 */
pendingTarget?: ("ACTIVE" | "REDUCING" | "HALTED")
trigger?: ("manual" | "breaker" | "emergency-rule")
/**
 * Who made the change: the operator's verified identity, or circuit-breaker.
 */
actor?: string
reason?: string
/**
 * POLICY_INVALID: what is wrong with the stored document.
 * 
 * @maxItems 50
 */
problems?: string[]
at: string
}
/**
 * A compliance case nearing or past its service-level deadline (SLA_AT_RISK, SLA_BREACHED), raised by watchCases within a minute of the moment and told to the compliance team. Ids only: the customer is the platform's opaque id, never a name. alertId is derived from the case, the kind and the deadline, so a repeated run raises the same alert.
 */
export interface CaseAlertV1 {
alertId: string
kind: ("SLA_AT_RISK" | "SLA_BREACHED")
/**
 * The alert's own severity: the case's for a breach, one step lower while only at risk.
 */
severity: ("INFO" | "WARNING" | "CRITICAL")
caseId: string
/**
 * The customer's opaque platform id.
 */
subjectId: string
caseSeverity: ("INFO" | "WARNING" | "CRITICAL")
caseState: ("open" | "investigating" | "pending_second_approval")
/**
 * The officer working the case (a staff identity), or null when nobody is.
 */
assignee?: (string | null)
openedAt: string
dueAt: string
detectedAt: string
}

/**
 * A recipient's notification preferences (body of PUT on notificationPreferences; stored on the recipient document).
 */
export interface NotificationPreferences {
/**
 * Channels to notify on; each needs a contact point on the recipient document.
 * 
 * @maxItems 3
 */
channels: ("email" | "sms" | "webhook")[]
/**
 * Alerts below this severity are not sent.
 */
minSeverity: ("INFO" | "WARNING" | "CRITICAL")
/**
 * Local time window in which non-critical alerts are not sent on the listed channels; critical alerts bypass it. null = none.
 */
quietHours?: (null | {
start: string
end: string
/**
 * IANA time zone, e.g. Europe/London.
 */
timeZone: string
/**
 * Channels muted during quiet hours (default: email and sms; webhooks are read by machines).
 */
channels?: ("email" | "sms" | "webhook")[]
})
}

/**
 * One provider call (delivery attempt) of one notification dispatch: channel, provider response, latency and outcome.
 */
export interface NotificationDeliveryRow {
/**
 * dispatch id, delivery id and attempt number, hashed.
 */
attempt_id: string
dispatch_id: string
alert_id: string
alert_kind: string
severity: string
recipient_id: string
/**
 * email, sms or webhook.
 */
channel: string
/**
 * sendgrid, twilio or webhook.
 */
provider: string
/**
 * 1-based attempt number within one Pub/Sub delivery.
 */
attempt: number
/**
 * delivered, transient_failure (retried), permanent_failure (recorded and acknowledged) or unknown (no answer; not resent for email/SMS).
 */
outcome: string
/**
 * True when this attempt settled the dispatch (delivered or permanently failed).
 */
final: boolean
/**
 * A failure caused by the recipient's contact data (invalid number, 4xx from their endpoint); excluded from provider SLIs.
 */
recipient_error: boolean
/**
 * HTTP status of the provider's answer; null without an answer.
 */
status_code?: (number | null)
/**
 * Provider error code (e.g. Twilio 21211) or network error code.
 */
provider_code?: (string | null)
/**
 * SendGrid X-Message-Id, Twilio message sid, or the webhook-id.
 */
provider_message_id?: (string | null)
/**
 * Provider message, redacted.
 */
detail?: (string | null)
latency_ms: number
attempted_at: string
}

/**
 * One risk-policy change made through riskAdmin: who, when, why, and the policy before and after (JSON). The row id is the Firestore audit entry's id (riskPolicyAudit/{policyId}:{version}).
 */
export interface PolicyChangeRow {
change_id: string
policy_id: string
version: number
previous_version?: (number | null)
scope_key: string
changed_by: string
reason: string
before_json?: (string | null)
after_json: string
changed_at: string
}

/**
 * One kill-switch transition (engaged, release requested, released), by riskAdmin or the circuit breaker. The row id is the Firestore audit entry's id (riskStopAudit/{scopeKey}:{version}).
 */
export interface EmergencyStopRow {
audit_id: string
scope_key: string
scope_level: ("global" | "desk" | "portfolio")
desk_id?: (string | null)
portfolio_id?: (string | null)
version: number
transition: ("ENGAGED" | "RELEASE_REQUESTED" | "RELEASED")
state_before: ("ACTIVE" | "REDUCING" | "HALTED")
state_after: ("ACTIVE" | "REDUCING" | "HALTED")
pending_target?: (string | null)
trigger: string
actor: string
reason: string
changed_at: string
}

/**
 * Units of the asset; the same upper bound as shared/amounts assetAmount.
 */
export type PositiveAmount = number

/**
 * The lending platform's pre-trade check (checkRisk): may this portfolio take this action now? A repeated requestId gets the first decision back.
 */
export interface CheckRiskRequest {
/**
 * The caller's id for this request: the idempotency key of the decision.
 */
requestId: string
portfolioId: string
/**
 * repay and addCollateral reduce risk and are approved in every state.
 */
action: ("borrow" | "withdraw" | "swapCollateral" | "trade" | "repay" | "addCollateral")
/**
 * borrow, repay: the borrowed asset; withdraw, addCollateral: the collateral; swapCollateral: the collateral given up; trade: the asset borrowed and sold.
 */
asset: string
amount: PositiveAmount
/**
 * swapCollateral and trade: the collateral received.
 */
toAsset?: string
toAmount?: PositiveAmount
}

/**
 * One checkRisk decision: the request, approve or deny, every reason and broken rule, the stop state and the post-action metrics.
 */
export interface PreTradeDecisionRow {
decision_id: string
request_id: string
portfolio_id: string
desk_id?: (string | null)
action: string
asset: string
amount: number
to_asset?: (string | null)
to_amount?: (number | null)
decision: ("APPROVE" | "DENY")
risk_reducing: boolean
/**
 * The denial codes, comma-separated (null when approved).
 */
reason_codes?: (string | null)
/**
 * The reasons (code, message) as JSON text.
 */
reasons_json: string
/**
 * The broken hard and emergency rules as JSON text.
 */
violations_json: string
/**
 * The broken soft rules as JSON text.
 */
warnings_json: string
stop_state: ("ACTIVE" | "REDUCING" | "HALTED")
stop_scope?: (string | null)
post_health_score?: (number | null)
post_leverage?: (number | null)
post_equity_usd?: (number | null)
/**
 * The verified identity that asked.
 */
caller: string
decided_at: string
}

/**
 * One continuous-evaluation transition of a risk rule for one portfolio: STARTED when the rule starts being violated, CLEARED when it stops (or the rule is removed or disabled). The row id is the violation event's id, derived from portfolio, rule, transition, tick and positions time, so a redelivery writes the same row.
 */
export interface RiskViolationRow {
event_id: string
transition: ("STARTED" | "CLEARED")
portfolio_id: string
desk_id: string
policy_id: string
policy_version: number
rule_id: string
rule_kind: ("soft" | "hard" | "emergency")
/**
 * global, desk:<deskId> or portfolio:<portfolioId>.
 */
policy_scope: string
metric: string
asset?: (string | null)
operator: ("<" | "<=" | ">" | ">=")
threshold: number
/**
 * Null when the metric is not a number (value_state).
 */
value?: (number | null)
value_state?: ("NEGATIVE_EQUITY" | "ZERO_EQUITY" | null)
tick_id: string
as_of: string
/**
 * When the violation started.
 */
since: string
detected_at: string
}

/**
 * One event of a compliance case's trail: the warehouse mirror of the hash-chained trail kept in Firestore, one row per (case, seq), each carrying the case as it stood after the event. Verifying a case compares its (seq, hash) pairs here with the trail, and the trail must keep verifying for years (recordkeeping), so this table's partitions do not expire (x-expire-partitions false): unlike the hot event tables it is neither expired after the hot retention nor moved to the cold archive.
 */
export interface CaseEventRow {
/**
 * <caseId>:<seq zero-padded to 8 digits>: one row per trail event, so a re-sent event is written once.
 */
event_id: string
case_id: string
/**
 * The user the case is about (a pseudonymous id, never a name).
 */
subject_id: string
/**
 * Position of the event in the case's trail, from 1 without gaps.
 */
seq: number
/**
 * Who acted: an officer's id, or system for automated events.
 */
actor: string
action: string
reason_code?: (string | null)
/**
 * The fields the event changed, before it, as JSON text.
 */
before_json: string
/**
 * The same fields after the event, as JSON text.
 */
after_json: string
request_id: string
at: string
/**
 * hash of the previous event (the chain's genesis value for seq 1).
 */
prev_hash: string
/**
 * Hash of this event chained to prev_hash: verification compares (seq, hash) with the Firestore trail.
 */
hash: string
/**
 * State of the case after this event.
 */
case_state: string
/**
 * Outcome of the case after this event; null while undecided (and again after a reopen).
 */
case_outcome?: (string | null)
/**
 * Severity of the case after this event.
 */
case_severity: string
/**
 * Service-level deadline of the case after this event, if any.
 */
case_due_at?: (string | null)
/**
 * Comma-separated ids of the AML rules linked to the case after this event.
 */
case_rules?: (string | null)
}

/**
 * One evaluated transaction and the AML decision on it (recordkeeping: kept at least 5 years, in BigQuery and then the 7-year cold archive). No personal data in clear: no names and no account references, only pseudonymous ids, countries and amounts.
 */
export interface TransactionRow {
/**
 * One row per transaction: whichever path evaluates it first writes it, the other is ignored.
 */
transaction_id: string
decision_id: string
/**
 * Pseudonymous id of the customer (never a name or account reference).
 */
user_id: string
type: string
channel?: (string | null)
/**
 * The amount as exact decimal text, in currency.
 */
amount: string
currency: string
/**
 * The amount in USD, as the rules evaluated it.
 */
amount_usd: number
customer_country?: (string | null)
counterparty_kind?: (string | null)
counterparty_country?: (string | null)
counterparty_region?: (string | null)
account_opened_at: string
occurred_at: string
evaluated_at: string
policy_version: string
/**
 * Ids of the rules evaluated, as a JSON array.
 */
rules_evaluated: string
/**
 * Ids of the rules that fired, as a JSON array.
 */
rules_fired: string
/**
 * Ids of the AML alerts raised, as a JSON array.
 */
alert_ids: string
outcome: ("allow" | "review" | "block")
/**
 * Which evaluation wrote the row, whichever came first: screen (the synchronous HTTP check) or stream (the compliance.transactions.v1 subscription).
 */
path: ("screen" | "stream")
}

/**
 * The state machine's state: with hysteresis, so it may lag a recovering score by the recovery band.
 */
export type HealthState = ("HEALTHY" | "WARNING" | "MARGIN_CALL" | "LIQUIDATION")
/**
 * The latest state of one portfolio as the risk path left it (kept in Firestore by detectMarginEvents in the transaction that advances its health state): valuation, margin health with the state machine's state and the thresholds in force, liquidation prices, VaR/ES. Served by riskApi without a warehouse query.
 */
export interface PortfolioView {
portfolioId: string
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId: string
tickId: string
/**
 * The price tick the valuation is at.
 */
asOf: string
positionsUpdatedAt?: string
/**
 * When the risk path wrote this state.
 */
updatedAt: string
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
collateralUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
borrowUsd: number
health: MarginHealth
exposures: Exposure[]
liquidationPrices: LiquidationPrice[]
risk: RiskFigures
metrics?: RiskMetrics
}
export interface MarginHealth {
/**
 * (collateral − borrow) / borrow × 100; null when nothing is borrowed (no debt, not a number).
 */
score: (number | null)
state: HealthState
thresholds: MarginThresholds
/**
 * Points above a threshold a score must reach before the portfolio leaves the state below it.
 */
recoveryBand: number
}
/**
 * A score below a threshold enters that state; a score equal to it belongs to the state above.
 */
export interface MarginThresholds {
warning: number
marginCall: number
liquidation: number
}
/**
 * Every portfolio of one desk sorted by health (riskiest first, portfolios without debt last), counts per state and the collateral at risk: that of portfolios in margin call or liquidation, and of those a price shock on every non-stable asset would put there.
 */
export interface DeskOverview {
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId: string
/**
 * The oldest valuation among the desk's portfolios (every figure is at least this fresh); null for a desk without portfolios.
 */
asOf: (string | null)
servedAt: string
shock: {
/**
 * The relative move applied to every non-stable asset's price (−0.2: −20 %).
 */
fraction: number
stableAssets: string[]
}
counts: {
HEALTHY: number
WARNING: number
MARGIN_CALL: number
LIQUIDATION: number
}
collateralAtRisk: {
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
totalUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
inCallUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
underShockUsd: number
}
portfolios: DeskPortfolio[]
}
export interface DeskPortfolio {
portfolioId: string
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId?: string
state: HealthState
healthScore: (number | null)
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
collateralUsd: number
/**
 * A non-negative USD amount (a transaction, a portfolio's collateral or borrow).
 */
borrowUsd: number
asOf: string
shockedHealthScore: (number | null)
/**
 * IN_CALL: in margin call or liquidation; UNDER_SHOCK: the shock would put it there.
 */
atRisk: ("IN_CALL" | "UNDER_SHOCK" | null)
}

/**
 * One portfolio's last 24 hours, hour by hour and asset by asset, from the warehouse view risk.recent_portfolio_exposures_24h.
 */
export interface ExposureHistory {
portfolioId: string
/**
 * The latest tick in the window; null when it holds none.
 */
asOf: (string | null)
windowHours: number
points: ExposurePoint[]
}
export interface ExposurePoint {
hour: string
asset: string
latestAsOf: string
tickCount: number
latestPriceUsd: number
latestNetExposureUsd: number
minNetExposureUsd: number
maxNetExposureUsd: number
latestCollateralUsd: number
latestBorrowUsd: number
latestHealthScore: (number | null)
}

/**
 * One recorded alert; `source` (its topic) says which alert it carries.
 */
export type FeedAlert = (MarginFeedAlert | AmlFeedAlert | PriceFeedAlert | OperationsFeedAlert | RiskFeedAlert | CaseFeedAlert)

/**
 * Alerts of every kind in the order they were recorded, after a cursor. Resume with `cursor` (or, on the stream, Last-Event-ID): nothing is missed and nothing repeated within the feed's retention.
 */
export interface AlertPage {
/**
 * Everything recorded up to this time (the read time less the settle delay) is in this page or before the cursor.
 */
asOf: string
/**
 * Where to resume: after the last alert read (filtered ones included), or the one given when nothing new has settled.
 */
cursor: (string | null)
retentionDays: number
alerts: FeedAlert[]
}
export interface MarginFeedAlert {
source: "alerts.margin.v1"
cursor: string
alertId: string
kind: string
severity: ("INFO" | "WARNING" | "CRITICAL")
subject: string
deskId: (string | null)
portfolioId: (string | null)
recordedAt: string
alert: MarginAlertV1
}
export interface AmlFeedAlert {
source: "alerts.aml.v1"
cursor: string
alertId: string
kind: string
severity: ("INFO" | "WARNING" | "CRITICAL")
subject: string
deskId: (string | null)
portfolioId: (string | null)
recordedAt: string
alert: AmlAlertV1
}
export interface PriceFeedAlert {
source: "alerts.prices.v1"
cursor: string
alertId: string
kind: string
severity: ("INFO" | "WARNING" | "CRITICAL")
subject: string
deskId: (string | null)
portfolioId: (string | null)
recordedAt: string
alert: PriceAlertV1
}
export interface OperationsFeedAlert {
source: "alerts.operations.v1"
cursor: string
alertId: string
kind: string
severity: ("INFO" | "WARNING" | "CRITICAL")
subject: string
deskId: (string | null)
portfolioId: (string | null)
recordedAt: string
alert: OperationsAlertV1
}
export interface RiskFeedAlert {
source: "alerts.risk.v1"
cursor: string
alertId: string
kind: string
severity: ("INFO" | "WARNING" | "CRITICAL")
subject: string
deskId: (string | null)
portfolioId: (string | null)
recordedAt: string
alert: RiskAlertV1
}
export interface CaseFeedAlert {
source: "alerts.cases.v1"
cursor: string
alertId: string
kind: string
severity: ("INFO" | "WARNING" | "CRITICAL")
subject: string
deskId: (string | null)
portfolioId: (string | null)
recordedAt: string
alert: CaseAlertV1
}
/**
 * Every refusal of riskApi: what went wrong in words, a stable code to branch on, and for 400 each problem found.
 */
export interface ApiError {
error: string
code: ("INVALID_REQUEST" | "INVALID_CURSOR" | "CURSOR_EXPIRED" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "RATE_LIMITED" | "UNAVAILABLE" | "INTERNAL")
problems?: string[]
retryAfterSeconds?: number
}

/**
 * Sent on the stream every few seconds when nothing else is: a client that hears nothing for longer than 2.5 × `intervalMs` treats the stream as dead and reconnects from its cursor.
 */
export interface StreamHeartbeat {
asOf: string
intervalMs: number
}

/**
 * checkRisk's answer (HTTP 200, a denial included): the decision, every reason and broken rule, the stop in force and the portfolio after the action. A repeated requestId gets the first answer back.
 */
export interface CheckRiskResponse {
decisionId: string
requestId: string
decision: ("APPROVE" | "DENY")
reasons: {
code: ("STOPPED" | "HARD_LIMIT" | "EMERGENCY_LIMIT" | "PORTFOLIO_UNKNOWN" | "PRICE_MISSING" | "PRICE_STALE" | "POLICY_UNAVAILABLE" | "STOP_STATE_UNCONFIRMED" | "METRIC_UNAVAILABLE" | "INVALID_ACTION" | "EVALUATION_ERROR" | "STORE_UNAVAILABLE")
message: string
}[]
violations: RuleViolation[]
warnings: RuleViolation[]
stop: {
state: ("ACTIVE" | "REDUCING" | "HALTED")
scopeKey: (string | null)
engagedBy: (string | null)
reason: (string | null)
}
post: ({
healthScore: (number | null)
leverage: (number | null)
equityUsd: number
} | null)
decidedAt: string
/**
 * When a VaR/ES rule was evaluated: the daily closes of assets the portfolio holds (before or after the action) that were missing inside the VaR window, which VaR was computed without. Absent when none.
 */
historyGaps?: HistoryGap[]
}
export interface RuleViolation {
policyId: string
policyVersion: number
ruleId: string
kind: ("soft" | "hard" | "emergency")
scope: ({
level: "global"
} | {
level: "desk"
/**
 * The desk a portfolio belongs to; policies, stops and read permissions are scoped by it. A portfolio without one belongs to the desk 'default'.
 */
deskId: string
} | {
level: "portfolio"
portfolioId: string
})
metric: string
asset?: string
operator: ("<" | "<=" | ">" | ">=")
threshold: number
value: (number | null)
valueState?: ("NEGATIVE_EQUITY" | "ZERO_EQUITY")
}
/**
 * screenTransaction's answer (HTTP 200): allow, review or block, the rules that fired and the decision id. The same transactionId always gets the same decision, whichever path (this check or the compliance.transactions.v1 stream) evaluated it first; it is counted in the customer's windows once.
 */
export interface ScreenTransactionResponse {
decisionId: string
transactionId: string
/**
 * allow: no rule fired. review: rules fired, none recommends blocking (execute and let compliance review, or hold, per the platform's policy). block: do not execute.
 */
decision: ("allow" | "review" | "block")
/**
 * The rules that fired, in policy order.
 */
rules: {
ruleId: string
ruleType: string
severity: ("INFO" | "WARNING" | "CRITICAL")
recommendedAction: ("MANUAL_REVIEW" | "ENHANCED_DUE_DILIGENCE" | "BLOCK")
alertId: string
summary: string
}[]
policyVersion: string
evaluatedAt: string
/**
 * The path that evaluated and counted the transaction first.
 */
evaluatedBy: ("screen" | "stream")
/**
 * true when this call evaluated and counted the transaction; false when it had been evaluated before (a retry, or the stream saw it first) and the recorded decision is repeated.
 */
counted: boolean
}

/**
 * screenTransaction could not decide (HTTP 400 for a request it cannot read, 422 for a transaction dated in the future, 503 when it failed): hold the transaction and retry with the same transactionId; never treat as allow.
 */
export interface ScreenTransactionHold {
decision: "hold"
code: ("INVALID_REQUEST" | "EVENT_TIME_IN_FUTURE" | "UNAVAILABLE" | "FORBIDDEN" | "UNAUTHENTICATED" | "METHOD_NOT_ALLOWED" | "UNSUPPORTED_MEDIA_TYPE")
error: string
problems?: string[]
}

/**
 * Every refusal of complianceCases: what went wrong in words and a stable code to branch on. 400 INVALID_REQUEST / REASON_REQUIRED / UNKNOWN_OUTCOME (with each problem), 401 UNAUTHENTICATED, 403 FORBIDDEN / SAME_PERSON (four eyes), 404 NOT_FOUND, 409 CONFLICT (with the current version: reload and retry) or INVALID_TRANSITION (the case's state does not allow it), 503 UNAVAILABLE.
 */
export interface CaseApiError {
error: string
code: ("INVALID_REQUEST" | "REASON_REQUIRED" | "UNKNOWN_OUTCOME" | "UNAUTHENTICATED" | "FORBIDDEN" | "SAME_PERSON" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "UNSUPPORTED_MEDIA_TYPE" | "CONFLICT" | "INVALID_TRANSITION" | "UNAVAILABLE")
problems?: string[]
currentVersion?: number
}

export type CaseState = ("open" | "investigating" | "pending_second_approval" | "closed")
export type CaseOutcome = ("cleared_false_positive" | "kyc_approved" | "kyc_declined" | "sanctions_match_confirmed" | "customer_blocked" | "sar_filed" | null)
export type CaseSeverity = ("INFO" | "WARNING" | "CRITICAL")

/**
 * One page of the officers' queue: undecided cases by deadline (most urgent first), then recently decided ones; nextCursor fetches the next page (null: the last).
 */
export interface CaseQueuePage {
cases: CaseSummary[]
nextCursor: (string | null)
asOf: string
}
export interface CaseSummary {
caseId: string
/**
 * The customer's opaque platform id.
 */
subjectId: string
state: CaseState
outcome: CaseOutcome
severity: CaseSeverity
assignee: (string | null)
/**
 * AML rules of the linked alerts.
 */
rules: string[]
/**
 * How many concerns the case links.
 */
links: number
openedAt: string
updatedAt: string
dueAt: string
/**
 * Service-level state now (a decided case is ok).
 */
sla: ("ok" | "at_risk" | "breached")
decidedAt: (string | null)
/**
 * Send it back as expectedVersion with an action: a stale one is answered 409.
 */
version: number
}

/**
 * One case with everything it links, its notes and its history. Personal data (the screened name, note texts) appears only when asked for with personal=true by a role allowed to see it, and that view is itself recorded on the trail.
 */
export interface CaseView {
caseId: string
subjectId: string
state: ("open" | "investigating" | "pending_second_approval" | "closed")
outcome: ("cleared_false_positive" | "kyc_approved" | "kyc_declined" | "sanctions_match_confirmed" | "customer_blocked" | "sar_filed" | null)
severity: ("INFO" | "WARNING" | "CRITICAL")
assignee: (string | null)
rules: string[]
links: number
openedAt: string
updatedAt: string
dueAt: string
sla: ("ok" | "at_risk" | "breached")
decidedAt: (string | null)
version: number
reasonCode: (string | null)
/**
 * A decision waiting for a senior officer's approval (four eyes).
 */
pending: (null | {
outcome: ("cleared_false_positive" | "kyc_approved" | "kyc_declined" | "sanctions_match_confirmed" | "customer_blocked" | "sar_filed" | null)
reasonCode: string
proposedBy: string
proposedAt: string
})
decidedBy: string[]
atRiskAt: string
firstTouchedAt: (string | null)
personalData: ("hidden" | "shown")
linked: {
kind: ("aml_alert" | "kyc_review" | "screening_hit")
id: string
severity: ("INFO" | "WARNING" | "CRITICAL")
at: string
ruleId?: string
transactionId?: string
summary?: string
hasPersonalData: boolean
/**
 * What was screened; only with personalData shown.
 */
screenedName?: string
}[]
notes: {
seq: number
at: string
author: string
/**
 * Only with personalData shown.
 */
text?: string
}[]
history: {
seq: number
at: string
actor: string
action: string
reasonCode: (string | null)
}[]
}

/**
 * One officer action on one case, made against the version the officer read (expectedVersion; a stale one is answered 409 with the current version). Decisions (decide, approve, reject, reopen) need a reason code in UPPER_SNAKE_CASE; decide needs an outcome, assign a target officer (null unassigns), note its text (kept encrypted: notes are where personal data ends up).
 */
export interface CaseActionRequest {
action: ("assign" | "claim" | "start" | "decide" | "approve" | "reject" | "reopen" | "note")
expectedVersion: number
to?: (string | null)
outcome?: ("cleared_false_positive" | "kyc_approved" | "kyc_declined" | "sanctions_match_confirmed" | "customer_blocked" | "sar_filed")
reasonCode?: string
text?: string
}

/**
 * Assign or close up to 100 cases at once, each against the version the officer read. Each case is decided on its own: four eyes apply to every case exactly as to one (a report or block goes to pending second approval).
 */
export interface CaseBulkRequest {
action: ("assign" | "close")
/**
 * @minItems 1
 * @maxItems 100
 */
cases: {
caseId: string
expectedVersion: number
}[]
to?: (string | null)
outcome?: ("cleared_false_positive" | "kyc_approved" | "kyc_declined" | "sanctions_match_confirmed" | "customer_blocked" | "sar_filed")
reasonCode?: string
}

/**
 * Per case of a bulk request, in order: the status one request on that case would have had (200 with the case, or the refusal).
 */
export interface CaseBulkResult {
succeeded: number
results: {
caseId: string
status: (200 | 400 | 403 | 404 | 409 | 503)
case?: CaseSummary
error?: CaseApiError
}[]
}
/**
 * A case's whole trail as stored: every event with its hash and its predecessor's, so anyone can re-verify the chain offline (sha256 of prevHash, a newline and the event's canonical JSON without the two hashes). Notes stay encrypted in an export.
 */
export interface CaseTrailExport {
caseId: string
exportedAt: string
head: {
seq: number
hash: string
}
chainIntact: boolean
events: {
caseId: string
seq: number
actor: string
action: string
reasonCode: (string | null)
before: unknown
after: unknown
requestId: string
at: string
prevHash: string
hash: string
}[]
}

/**
 * The trail checked: each event against its hash and its predecessor, the case's head against the last event, and every event against the warehouse mirror (compliance.case_events), which catches a deleted last event and a consistently rewritten chain.
 */
export interface CaseTrailVerification {
caseId: string
verifiedAt: string
events: number
mirrored: number
ok: boolean
problems: {
seq: (number | null)
problem: ("EDITED" | "MISSING" | "BROKEN_LINK" | "NOT_IN_MIRROR" | "MIRROR_DIFFERS" | "MISSING_FROM_STORE")
detail: string
}[]
}

/**
 * Who the caller is to the case tool: roles, whether they may see personal data, and the officers cases can be assigned to.
 */
export interface CaseToolMe {
id: string
roles: ("officer" | "senior_officer" | "auditor")[]
seesPersonalData: boolean
officers: string[]
}

/**
 * Service-level metrics from the warehouse (compliance.case_summary, folded from the trail mirror): cases opened in the window plus every case still undecided. Hours are nearest-rank percentiles.
 */
export interface CaseMetrics {
asOf: string
windowDays: number
backlog: {
total: number
overdue: number
byAge: {
bucket: ("under_4h" | "4h_to_24h" | "1d_to_3d" | "over_3d")
count: number
}[]
}
timeToFirstTouch: Quantiles
timeToDecision: Quantiles
falsePositiveRateByRule: {
ruleId: string
decided: number
falsePositives: number
rate: number
}[]
decidedWithinSla: {
decided: number
withinSla: number
share: (number | null)
}
}
export interface Quantiles {
count: number
p50Hours: (number | null)
p90Hours: (number | null)
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
  'shared/amounts': Amounts;
  'shared/risk-metrics': RiskMetrics;
  'warehouse/market.prices': MarketPriceRow;
  'warehouse/risk.portfolio_exposures': PortfolioExposureRow;
  'warehouse/risk.margin_events': MarginEventRow;
  'warehouse/risk.portfolio_risk_figures': PortfolioRiskFigureRow;
  'warehouse/risk.liquidation_prices': LiquidationPriceRow;
  'warehouse/risk.portfolio_metrics': PortfolioMetricsRow;
  'messages/kyc.events.v1': KycEventV1;
  'inputs/persona-webhook-event': PersonaWebhookEvent;
  'inputs/persona-start-kyc': PersonaStartKycRequest;
  'warehouse/compliance.kyc_events': KycEventRow;
  'messages/compliance.transactions.v1': ComplianceTransactionV1;
  'messages/alerts.aml.v1': AmlAlertV1;
  'inputs/aml-policy': AmlPolicy;
  'inputs/risk-policy': RiskPolicy;
  'inputs/price-feeds': PriceFeedConfigDocument;
  'warehouse/compliance.aml_alerts': AmlAlertRow;
  'messages/notifications.dispatch.v1': NotificationDispatchV1;
  'inputs/notification-preferences': NotificationPreferences;
  'warehouse/notifications.deliveries': NotificationDeliveryRow;
  'messages/alerts.operations.v1': OperationsAlertV1;
  'messages/alerts.risk.v1': RiskAlertV1;
  'warehouse/risk.policy_changes': PolicyChangeRow;
  'warehouse/risk.emergency_stops': EmergencyStopRow;
  'inputs/check-risk-request': CheckRiskRequest;
  'warehouse/risk.pre_trade_decisions': PreTradeDecisionRow;
  'warehouse/risk.risk_violations': RiskViolationRow;
  'warehouse/compliance.case_events': CaseEventRow;
  'warehouse/compliance.transactions': TransactionRow;
  'api/portfolio-view': PortfolioView;
  'api/desk-overview': DeskOverview;
  'api/exposure-history': ExposureHistory;
  'api/alert-page': AlertPage;
  'api/api-error': ApiError;
  'api/stream-heartbeat': StreamHeartbeat;
  'api/check-risk-response': CheckRiskResponse;
  'messages/alerts.cases.v1': CaseAlertV1;
  'api/screen-transaction-response': ScreenTransactionResponse;
  'api/screen-transaction-hold': ScreenTransactionHold;
  'api/case-error': CaseApiError;
  'api/case-queue': CaseQueuePage;
  'api/case-view': CaseView;
  'api/case-action-request': CaseActionRequest;
  'api/case-bulk-request': CaseBulkRequest;
  'api/case-bulk-result': CaseBulkResult;
  'api/case-trail-export': CaseTrailExport;
  'api/case-trail-verification': CaseTrailVerification;
  'api/case-me': CaseToolMe;
  'api/case-metrics': CaseMetrics;
}

/** Message type per topic that declares a schema in shared/contracts/topology.json. */
export interface TopicMessages {
  'market.prices.v1': MarketPricesV1;
  'portfolio.positions.v1': PortfolioPositionsV1;
  'risk.shard-work.v1': ShardWorkV1;
  'risk.portfolio-risk.v1': PortfolioRiskV1;
  'alerts.margin.v1': MarginAlertV1;
  'alerts.prices.v1': PriceAlertV1;
  'compliance.transactions.v1': ComplianceTransactionV1;
  'kyc.events.v1': KycEventV1;
  'alerts.aml.v1': AmlAlertV1;
  'alerts.cases.v1': CaseAlertV1;
  'notifications.dispatch.v1': NotificationDispatchV1;
  'alerts.operations.v1': OperationsAlertV1;
  'alerts.risk.v1': RiskAlertV1;
}

/** Row type per warehouse table: the row schema whose x-table names it. */
export interface TableRows {
  'market.prices': MarketPriceRow;
  'risk.portfolio_exposures': PortfolioExposureRow;
  'risk.margin_events': MarginEventRow;
  'risk.portfolio_risk_figures': PortfolioRiskFigureRow;
  'risk.liquidation_prices': LiquidationPriceRow;
  'risk.portfolio_metrics': PortfolioMetricsRow;
  'compliance.kyc_events': KycEventRow;
  'compliance.aml_alerts': AmlAlertRow;
  'notifications.deliveries': NotificationDeliveryRow;
  'risk.policy_changes': PolicyChangeRow;
  'risk.emergency_stops': EmergencyStopRow;
  'risk.pre_trade_decisions': PreTradeDecisionRow;
  'risk.risk_violations': RiskViolationRow;
  'compliance.case_events': CaseEventRow;
  'compliance.transactions': TransactionRow;
}

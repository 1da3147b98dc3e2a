/**
 * Messages of the structured log lines Cloud Monitoring's log-based metrics count and measure
 * (terraform/modules/monitoring: each metric's filter matches jsonPayload.message exactly, and its extractors read
 * the fields logged beside it). Renaming one, or a field it carries, breaks a metric silently in production: the
 * Terraform tests tie each metric to these constants and to the fields the use case logs
 * (test/unit/terraform/log-metrics.test.ts). Figures only: no personal data in these lines.
 */

/** computePortfolioRisk, once per shard valued at a tick: { tickId, shard, portfolios, valued, durationMs }. */
export const SHARD_VALUED_LOG = 'shard valued';

/**
 * detectMarginEvents, once per margin alert when it is first published on alerts.margin.v1:
 * { eventId, tickId, toState, priceToAlertMs } (ms from the price tick's asOf to the publish).
 */
export const MARGIN_ALERT_PUBLISHED_LOG = 'margin alert published';

/**
 * computePortfolioRisk and checkRisk, once per VaR engine build per daily close the engine computed around
 * (missing inside its window, see RiskEngine): { asset, date, historyEnd }. The scenarios touching it were left
 * out and the outputs of portfolios holding the asset carry it as historyGaps; the history backfill should have
 * filled it from the other source.
 */
export const HISTORY_GAP_LOG = 'daily close missing: VaR computed without it';

/**
 * Every JSON Schema of the project, imported statically so bundled functions carry them. A test checks that
 * this list and the files under schemas/ are the same set (but for schemas/openapi, the HTTP API documents
 * whose bodies reference these schemas). The order is the order of the generated types.
 */
import marketPrices from '../../schemas/messages/market.prices.v1.json';
import portfolioPositions from '../../schemas/messages/portfolio.positions.v1.json';
import portfolioRisk from '../../schemas/messages/risk.portfolio-risk.v1.json';
import portfolioRiskItem from '../../schemas/shared/portfolio-risk.json';
import amounts from '../../schemas/shared/amounts.json';
import riskMetrics from '../../schemas/shared/risk-metrics.json';
import shardWork from '../../schemas/messages/risk.shard-work.v1.json';
import marginAlert from '../../schemas/messages/alerts.margin.v1.json';
import priceAlert from '../../schemas/messages/alerts.prices.v1.json';
import portfolioFile from '../../schemas/inputs/portfolio.json';
import marketPriceRow from '../../schemas/warehouse/market.prices.json';
import exposureRow from '../../schemas/warehouse/risk.portfolio_exposures.json';
import marginEventRow from '../../schemas/warehouse/risk.margin_events.json';
import riskFigureRow from '../../schemas/warehouse/risk.portfolio_risk_figures.json';
import liquidationPriceRow from '../../schemas/warehouse/risk.liquidation_prices.json';
import portfolioMetricsRow from '../../schemas/warehouse/risk.portfolio_metrics.json';
import kycEvent from '../../schemas/messages/kyc.events.v1.json';
import startKycRequest from '../../schemas/inputs/persona-start-kyc.json';
import webhookEvent from '../../schemas/inputs/persona-webhook-event.json';
import kycEventRow from '../../schemas/warehouse/compliance.kyc_events.json';
import amlPolicy from '../../schemas/inputs/aml-policy.json';
import riskPolicy from '../../schemas/inputs/risk-policy.json';
import priceFeeds from '../../schemas/inputs/price-feeds.json';
import amlAlert from '../../schemas/messages/alerts.aml.v1.json';
import transaction from '../../schemas/messages/compliance.transactions.v1.json';
import amlAlertRow from '../../schemas/warehouse/compliance.aml_alerts.json';
import preferences from '../../schemas/inputs/notification-preferences.json';
import dispatch from '../../schemas/messages/notifications.dispatch.v1.json';
import deliveries from '../../schemas/warehouse/notifications.deliveries.json';
import operationsAlert from '../../schemas/messages/alerts.operations.v1.json';
import riskAlert from '../../schemas/messages/alerts.risk.v1.json';
import policyChangeRow from '../../schemas/warehouse/risk.policy_changes.json';
import emergencyStopRow from '../../schemas/warehouse/risk.emergency_stops.json';
import checkRiskRequest from '../../schemas/inputs/check-risk-request.json';
import preTradeDecisionRow from '../../schemas/warehouse/risk.pre_trade_decisions.json';
import riskViolationRow from '../../schemas/warehouse/risk.risk_violations.json';
import caseEventRow from '../../schemas/warehouse/compliance.case_events.json';
import transactionRow from '../../schemas/warehouse/compliance.transactions.json';
import portfolioView from '../../schemas/api/portfolio-view.json';
import deskOverview from '../../schemas/api/desk-overview.json';
import exposureHistory from '../../schemas/api/exposure-history.json';
import alertPage from '../../schemas/api/alert-page.json';
import apiError from '../../schemas/api/api-error.json';
import streamHeartbeat from '../../schemas/api/stream-heartbeat.json';
import checkRiskResponse from '../../schemas/api/check-risk-response.json';
import caseAlert from '../../schemas/messages/alerts.cases.v1.json';
import screenResponse from '../../schemas/api/screen-transaction-response.json';
import screenHold from '../../schemas/api/screen-transaction-hold.json';
import caseErrorSchema from '../../schemas/api/case-error.json';
import caseQueueSchema from '../../schemas/api/case-queue.json';
import caseViewSchema from '../../schemas/api/case-view.json';
import caseActionRequestSchema from '../../schemas/api/case-action-request.json';
import caseBulkRequestSchema from '../../schemas/api/case-bulk-request.json';
import caseBulkResultSchema from '../../schemas/api/case-bulk-result.json';
import caseTrailExportSchema from '../../schemas/api/case-trail-export.json';
import caseTrailVerificationSchema from '../../schemas/api/case-trail-verification.json';
import caseMeSchema from '../../schemas/api/case-me.json';
import caseMetricsSchema from '../../schemas/api/case-metrics.json';

export const SCHEMAS = {
  'messages/market.prices.v1': marketPrices,
  'messages/portfolio.positions.v1': portfolioPositions,
  'messages/risk.portfolio-risk.v1': portfolioRisk,
  'messages/risk.shard-work.v1': shardWork,
  'messages/alerts.margin.v1': marginAlert,
  'messages/alerts.prices.v1': priceAlert,
  'inputs/portfolio': portfolioFile,
  'shared/portfolio-risk': portfolioRiskItem,
  'shared/amounts': amounts,
  'shared/risk-metrics': riskMetrics,
  'warehouse/market.prices': marketPriceRow,
  'warehouse/risk.portfolio_exposures': exposureRow,
  'warehouse/risk.margin_events': marginEventRow,
  'warehouse/risk.portfolio_risk_figures': riskFigureRow,
  'warehouse/risk.liquidation_prices': liquidationPriceRow,
  'warehouse/risk.portfolio_metrics': portfolioMetricsRow,
  'messages/kyc.events.v1': kycEvent,
  'inputs/persona-webhook-event': webhookEvent,
  'inputs/persona-start-kyc': startKycRequest,
  'warehouse/compliance.kyc_events': kycEventRow,
  'messages/compliance.transactions.v1': transaction,
  'messages/alerts.aml.v1': amlAlert,
  'inputs/aml-policy': amlPolicy,
  'inputs/risk-policy': riskPolicy,
  'inputs/price-feeds': priceFeeds,
  'warehouse/compliance.aml_alerts': amlAlertRow,
  'messages/notifications.dispatch.v1': dispatch,
  'inputs/notification-preferences': preferences,
  'warehouse/notifications.deliveries': deliveries,
  'messages/alerts.operations.v1': operationsAlert,
  'messages/alerts.risk.v1': riskAlert,
  'warehouse/risk.policy_changes': policyChangeRow,
  'warehouse/risk.emergency_stops': emergencyStopRow,
  'inputs/check-risk-request': checkRiskRequest,
  'warehouse/risk.pre_trade_decisions': preTradeDecisionRow,
  'warehouse/risk.risk_violations': riskViolationRow,
  'warehouse/compliance.case_events': caseEventRow,
  'warehouse/compliance.transactions': transactionRow,
  'api/portfolio-view': portfolioView,
  'api/desk-overview': deskOverview,
  'api/exposure-history': exposureHistory,
  'api/alert-page': alertPage,
  'api/api-error': apiError,
  'api/stream-heartbeat': streamHeartbeat,
  'api/check-risk-response': checkRiskResponse,
  'messages/alerts.cases.v1': caseAlert,
  'api/screen-transaction-response': screenResponse,
  'api/screen-transaction-hold': screenHold,
  'api/case-error': caseErrorSchema,
  'api/case-queue': caseQueueSchema,
  'api/case-view': caseViewSchema,
  'api/case-action-request': caseActionRequestSchema,
  'api/case-bulk-request': caseBulkRequestSchema,
  'api/case-bulk-result': caseBulkResultSchema,
  'api/case-trail-export': caseTrailExportSchema,
  'api/case-trail-verification': caseTrailVerificationSchema,
  'api/case-me': caseMeSchema,
  'api/case-metrics': caseMetricsSchema,
} as const;

export type SchemaName = keyof typeof SCHEMAS;

/**
 * Every function's wiring by its topology name: what the local stack serves and the function tests call. A
 * function declared in shared/contracts/topology.json without a wiring here (or with another trigger) fails typecheck; a
 * test checks that each wiring's trigger is the topology's.
 */
import { ingestPrices } from './ingest-prices/wiring';
import { backfillCloses } from './backfill-closes/wiring';
import { computePortfolioRisk } from './compute-portfolio-risk/wiring';
import { detectMarginEvents } from './detect-margin-events/wiring';
import { personaWebhook } from './persona-webhook/wiring';
import { startKyc } from './start-kyc/wiring';
import { evaluateAml } from './evaluate-aml/wiring';
import { screenTransaction } from './screen-transaction/wiring';
import { complianceCases } from './compliance-cases/wiring';
import { watchCases } from './watch-cases/wiring';
import { fanOutNotifications } from './fan-out-notifications/wiring';
import { deliverNotification } from './deliver-notification/wiring';
import { notificationPreferences } from './notification-preferences/wiring';
import { riskAdmin } from './risk-admin/wiring';
import { riskApi } from './risk-api/wiring';
import { refreshMaterializedViews } from './refresh-materialized-views/wiring';
import { archiveColdData } from './archive-cold-data/wiring';
import { checkRisk } from './check-risk/wiring';
import { evaluateRiskLimits } from './evaluate-risk-limits/wiring';
import { recordAlerts } from './record-alerts/wiring';
import type { FunctionName } from '../shared/topology/topology';
import type { FunctionWiring } from './runtime/wiring';

export const WIRINGS: { [N in FunctionName]: FunctionWiring<N> } = {
  ingestPrices,
  backfillCloses,
  computePortfolioRisk,
  detectMarginEvents,
  personaWebhook,
  startKyc,
  evaluateAml,
  screenTransaction,
  complianceCases,
  watchCases,
  fanOutNotifications,
  deliverNotification,
  notificationPreferences,
  riskAdmin,
  riskApi,
  refreshMaterializedViews,
  archiveColdData,
  checkRisk,
  evaluateRiskLimits,
  recordAlerts,
};

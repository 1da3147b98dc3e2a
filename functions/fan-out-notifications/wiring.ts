/**
 * fanOutNotifications — Pub/Sub push: alerts.margin.v1, alerts.aml.v1, alerts.prices.v1, alerts.operations.v1,
 * alerts.risk.v1, alerts.cases.v1 → notifications.dispatch.v1.
 */
import {
  normalizeAmlAlert,
  normalizeCaseAlert,
  normalizeMarginAlert,
  normalizeOperationsAlert,
  normalizePriceAlert,
  normalizeRiskAlert,
} from '../../shared/domain/notifications/alerts';
import { readNotificationsConfig } from '../../shared/platform/config/notifications';
import { KeyedQueue } from '../../shared/platform/keyed-queue';
import { fanOutNotifications as fanOut } from '../../shared/use-cases/fan-out-notifications';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const fanOutNotifications = pubsubWiring(
  'fanOutNotifications',
  (p, logger) => {
    const c = readNotificationsConfig(p.env);
    return {
      ...p,
      logger,
      dedupWindowMs: c.dedupWindowMs,
      rateLimits: c.rateLimits,
      alerts: new KeyedQueue(),
    };
  },
  (d) => ({
    'alerts.margin.v1': (m) => fanOut(d, normalizeMarginAlert(m)),
    'alerts.aml.v1': (m) => fanOut(d, normalizeAmlAlert(m)),
    'alerts.prices.v1': (m) => fanOut(d, normalizePriceAlert(m)),
    'alerts.operations.v1': (m) => fanOut(d, normalizeOperationsAlert(m)),
    'alerts.risk.v1': (m) => fanOut(d, normalizeRiskAlert(m)),
    'alerts.cases.v1': (m) => fanOut(d, normalizeCaseAlert(m)),
  }),
);

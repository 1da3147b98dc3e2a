/**
 * recordAlerts — Pub/Sub push on every alert topic: each alert into the alert feed (shared/use-cases/alert-feed),
 * once per alert id, stamped with its commit time, for readers that resume from a cursor.
 */
import { recordAlert } from '../../shared/use-cases/alert-feed';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const recordAlerts = pubsubWiring(
  'recordAlerts',
  (p, logger) => ({ bus: p.bus, logger, store: p.store, clock: p.clock }),
  (d) => ({
    'alerts.margin.v1': async (alert) => void (await recordAlert(d, { source: 'alerts.margin.v1', alert })),
    'alerts.aml.v1': async (alert) => void (await recordAlert(d, { source: 'alerts.aml.v1', alert })),
    'alerts.prices.v1': async (alert) => void (await recordAlert(d, { source: 'alerts.prices.v1', alert })),
    'alerts.operations.v1': async (alert) =>
      void (await recordAlert(d, { source: 'alerts.operations.v1', alert })),
    'alerts.risk.v1': async (alert) => void (await recordAlert(d, { source: 'alerts.risk.v1', alert })),
    'alerts.cases.v1': async (alert) => void (await recordAlert(d, { source: 'alerts.cases.v1', alert })),
  }),
);

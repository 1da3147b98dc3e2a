/** detectMarginEvents — Pub/Sub push: risk.portfolio-risk.v1 → risk.margin_events + alerts.margin.v1. */
import { BatchingWarehouse } from '../../shared/adapters/batching-warehouse';
import { BoundedMap } from '../../shared/platform/bounded-map';
import { PolicyCache } from '../../shared/use-cases/controls/policy-cache';
import { detectMarginEventsBatch } from '../../shared/use-cases/detect-margin-events';
import { pubsubWiring } from '../runtime/pubsub-wiring';

/** About two ticks of alerts for 10,000 portfolios per instance; forgetting one only costs a read. */
const DELIVERED_REMEMBERED = 20_000;

export const detectMarginEvents = pubsubWiring(
  'detectMarginEvents',
  // Margin thresholds come from the risk policies (the built-in default until the desk stores one).
  // Each portfolio of a batch writes its own margin event row: one insert per table for the instance's rows.
  (p, logger) => ({
    ...p,
    warehouse: new BatchingWarehouse(p.warehouse),
    logger,
    policies: new PolicyCache(p.store, p.clock, logger),
    // Per instance: the entries it delivered need not be read again by its next transactions.
    delivered: new BoundedMap<string, true>(DELIVERED_REMEMBERED),
  }),
  (d) => ({
    // The delivery's message id names the outbox lease's owner in logs (each invocation holds its own lease).
    'risk.portfolio-risk.v1': (m, ctx) => detectMarginEventsBatch({ ...d, deliveryId: ctx.messageId }, m),
  }),
);

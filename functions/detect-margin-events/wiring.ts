/** detectMarginEvents — Pub/Sub push: risk.portfolio-risk.v1 → risk.margin_events + alerts.margin.v1. */
import { PolicyCache } from '../../shared/use-cases/controls/policy-cache';
import { detectMarginEventsBatch } from '../../shared/use-cases/detect-margin-events';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const detectMarginEvents = pubsubWiring(
  'detectMarginEvents',
  // Margin thresholds come from the risk policies (the built-in default until the desk stores one).
  (p, logger) => ({ ...p, logger, policies: new PolicyCache(p.store, p.clock, logger) }),
  (d) => ({
    // The delivery's message id names the outbox lease's owner in logs (each invocation holds its own lease).
    'risk.portfolio-risk.v1': (m, ctx) => detectMarginEventsBatch({ ...d, deliveryId: ctx.messageId }, m),
  }),
);

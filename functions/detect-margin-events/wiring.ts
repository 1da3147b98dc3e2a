/** detectMarginEvents — Pub/Sub push: risk.portfolio-risk.v1 → risk.margin_events + alerts.margin.v1. */
import { detectMarginEventsBatch } from '../../shared/use-cases/detect-margin-events';
import { pubsubWiring } from '../runtime/pubsub-wiring';

export const detectMarginEvents = pubsubWiring(
  'detectMarginEvents',
  (p, logger) => ({ ...p, logger }),
  (d) => ({
    // The delivery's message id names the outbox lease's owner in logs (each invocation holds its own lease).
    'risk.portfolio-risk.v1': (m, ctx) => detectMarginEventsBatch({ ...d, deliveryId: ctx.messageId }, m),
  }),
);

/** detectMarginEvents — Pub/Sub push: risk.portfolio-risk.v1 → risk.margin_events + alerts.margin.v1. */
import * as ff from '@google-cloud/functions-framework';
import { platformDeps } from '../../shared/platform/production-deps';
import { lazyPubSubFunction, type DeliveryObserver } from '../../shared/platform/pubsub-handler';
import { detectMarginEventsBatch, type MarginDeps } from '../../shared/use-cases/detect-margin-events';

export function detectMarginEventsHandler(deps: () => Promise<MarginDeps>, observe?: DeliveryObserver) {
  return lazyPubSubFunction(
    'detectMarginEvents',
    deps,
    (d) => ({
      // The delivery's message id owns the outbox lease, so its own redelivery can take the lease back.
      'risk.portfolio-risk.v1': (m, ctx) => detectMarginEventsBatch({ ...d, deliveryId: ctx.messageId }, m),
    }),
    observe,
  );
}

ff.cloudEvent(
  'detectMarginEvents',
  detectMarginEventsHandler(() => platformDeps('detectMarginEvents')),
);

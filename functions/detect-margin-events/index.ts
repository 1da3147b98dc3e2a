/** detectMarginEvents — Pub/Sub push: risk.portfolio-risk.v1 → risk.margin_events + alerts.margin.v1. */
import * as ff from '@google-cloud/functions-framework';
import { platformDeps } from '../../shared/platform/production-deps';
import {
  pubsubHandler,
  type DeliveryObserver,
  type MessagePublishedData,
} from '../../shared/platform/pubsub-handler';
import { detectMarginEventsBatch, type MarginDeps } from '../../shared/use-cases/detect-margin-events';

export function detectMarginEventsHandler(
  deps: () => Promise<MarginDeps>,
  observe?: DeliveryObserver,
): (ce: ff.CloudEvent<MessagePublishedData>) => Promise<void> {
  let handler: ((ce: ff.CloudEvent<MessagePublishedData>) => Promise<void>) | undefined;
  return async (ce) => {
    if (!handler) {
      const d = await deps();
      handler = pubsubHandler({
        functionName: 'detectMarginEvents',
        bus: d.bus,
        logger: d.logger,
        observe,
        // The delivery's message id owns the outbox lease, so its own redelivery can take the lease back.
        routes: {
          'risk.portfolio-risk.v1': (m, ctx) =>
            detectMarginEventsBatch({ ...d, deliveryId: ctx.messageId }, m),
        },
      });
    }
    return handler(ce);
  };
}

async function productionDeps(): Promise<MarginDeps> {
  return platformDeps('detectMarginEvents');
}

ff.cloudEvent('detectMarginEvents', detectMarginEventsHandler(productionDeps));

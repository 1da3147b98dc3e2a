/** deliverNotification — Pub/Sub push: notifications.dispatch.v1 → SendGrid, Twilio or a signed webhook. */
import * as ff from '@google-cloud/functions-framework';
import { BatchingWarehouse } from '../../shared/adapters/notifications/batching-warehouse';
import { buildSenders } from '../../shared/adapters/notifications/senders';
import { readNotificationsConfig } from '../../shared/platform/config-notifications';
import { platformDeps } from '../../shared/platform/production-deps';
import { lazyPubSubFunction, type DeliveryObserver } from '../../shared/platform/pubsub-handler';
import { deliverNotification, type DeliverDeps } from '../../shared/use-cases/deliver-notification';
import type { EventBus } from '../../shared/ports/event-bus';

export function deliverNotificationHandler(
  deps: () => Promise<DeliverDeps & { bus: EventBus }>,
  observe?: DeliveryObserver,
) {
  return lazyPubSubFunction(
    'deliverNotification',
    deps,
    (d) => ({
      // Validated against notifications.dispatch.v1 by the handler before the route runs.
      'notifications.dispatch.v1': (m) => deliverNotification(d, m),
    }),
    observe,
  );
}

async function productionDeps(): Promise<DeliverDeps & { bus: EventBus }> {
  const p = await platformDeps('deliverNotification');
  const c = readNotificationsConfig();
  return {
    ...p,
    // Concurrent deliveries on one instance share one streaming insert of their delivery-log rows.
    warehouse: new BatchingWarehouse(p.warehouse),
    senders: buildSenders(c, p.secrets, p.clock),
    retry: c.retry,
    leaseMs: c.sendLeaseMs,
  };
}

ff.cloudEvent('deliverNotification', deliverNotificationHandler(productionDeps));
